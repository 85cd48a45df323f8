package org.lorafoundry.registry.service;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.lorafoundry.proto.v1.AdapterLineage;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.CurvePoint;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.registry.domain.AliasPolicy;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.domain.ProtoJson;
import org.lorafoundry.registry.persistence.VersionRecord;
import org.lorafoundry.registry.persistence.VersionSummary;

/**
 * The README.md model card of a downloaded version: Hugging Face model-card metadata (front matter), what it is, how it
 * was trained and judged, its files with checksums, and how to load it with PEFT.
 */
final class ModelCard {

    private static final ObjectMapper PRETTY = new ObjectMapper();

    private ModelCard() {
    }

    static String render(VersionRecord record, String folder) {
        VersionSummary v = record.summary();
        AdapterLineage lineage = record.registered().getLineage();
        String ref = Names.ref(v.team(), v.name(), v.version());
        StringBuilder md = new StringBuilder();
        md.append("---\n")
                .append("library_name: peft\n")
                .append("base_model: ").append(yaml(v.baseModelName())).append('\n')
                .append("pipeline_tag: text-generation\n")
                .append("tags:\n  - lora\n  - lora-foundry\n")
                .append("---\n\n");
        md.append("# ").append(ref).append("\n\n");
        if (!v.description().isBlank()) {
            md.append(v.description().strip()).append("\n\n");
        }
        md.append("A LoRA adapter in the Hugging Face PEFT format, registered by LoRA Foundry.\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "Registry version", ref);
        row(md, "Verdict", AliasPolicy.verdictName(AliasService.verdict(v.verdict()))
                + (record.sourceEvent() != null && !record.sourceEvent().getSummary().isBlank()
                ? " — " + record.sourceEvent().getSummary() : ""));
        row(md, "Aliases", v.aliases().isEmpty() ? "none" : String.join(", ", v.aliases()));
        row(md, "Base model", v.baseModelName() + " (sha256 `" + v.baseModelSha256() + "`)");
        if (!lineage.getBaseModel().getArchitecture().isEmpty()) {
            row(md, "Architecture", lineage.getBaseModel().getArchitecture());
        }
        row(md, "Dataset", v.datasetName() + " v" + v.datasetVersion() + " (id `" + v.datasetId() + "`)");
        row(md, "Training job", v.jobId() + (lineage.getAttemptId().isEmpty() ? "" : " (attempt " + lineage.getAttemptId() + ")"));
        row(md, "Created", v.createdAt() + " by " + v.createdBy());
        row(md, "Artifact checksum", "`" + v.manifestSha256() + "` (SHA-256 of SHA256SUMS)");
        if (!v.tags().isEmpty()) {
            row(md, "Tags", v.tags().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .reduce((a, b) -> a + ", " + b).orElse(""));
        }
        md.append('\n');

        md.append("## How to use\n\n```python\n")
                .append("from transformers import AutoModelForCausalLM, AutoTokenizer\n")
                .append("from peft import PeftModel\n\n")
                .append("base = AutoModelForCausalLM.from_pretrained(\"").append(baseLocation(record)).append("\")\n")
                .append("tokenizer = AutoTokenizer.from_pretrained(\"").append(baseLocation(record)).append("\")\n")
                .append("model = PeftModel.from_pretrained(base, \"").append(folder).append("\")  # this directory\n")
                .append("```\n\n")
                .append("Check the files first: `cd ").append(folder).append(" && sha256sum -c SHA256SUMS`. vLLM and ")
                .append("LoRAX load the directory as a LoRA adapter of the same base model.\n\n");

        md.append("## LoRA configuration\n\n```json\n").append(pretty(ProtoJson.tree(lineage.getSpec().getLora())))
                .append("\n```\n\n");
        md.append("## Training\n\n");
        md.append("Hyperparameters:\n\n```json\n").append(pretty(ProtoJson.tree(lineage.getSpec().getHyperparameters())))
                .append("\n```\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "Steps", String.valueOf(lineage.getSteps()));
        row(md, "Trainable parameters", String.valueOf(lineage.getTrainableParameters()));
        row(md, "Total parameters", String.valueOf(lineage.getTotalParameters()));
        if (lineage.hasTrainingDuration()) {
            row(md, "Training time", lineage.getTrainingDuration().getSeconds() + " s");
        }
        if (!lineage.getDevice().isEmpty()) {
            row(md, "Device", lineage.getDevice());
        }
        if (!lineage.getEngineVersion().isEmpty()) {
            row(md, "Engine", lineage.getEngineVersion());
        }
        new TreeMap<>(lineage.getFinalTrainingMetricsMap()).forEach((metric, value) -> row(md, metric, number(value)));
        md.append('\n');
        if (lineage.getLossCurveCount() > 0) {
            CurvePoint first = lineage.getLossCurve(0);
            CurvePoint last = lineage.getLossCurve(lineage.getLossCurveCount() - 1);
            md.append("Training loss went from ").append(number(first.getLoss())).append(" (step ").append(first.getStep())
                    .append(") to ").append(number(last.getLoss())).append(" (step ").append(last.getStep()).append("); ")
                    .append(lineage.getLossCurveCount()).append(" points of the curve are in the registry.\n\n");
        }

        md.append("## Evaluation\n\n");
        if (!lineage.getBaseline().getDescription().isEmpty()) {
            md.append("Baseline: ").append(lineage.getBaseline().getDescription()).append(".\n\n");
        }
        Map<String, Double> candidate = new TreeMap<>(lineage.getCandidateMetricsMap());
        if (!candidate.isEmpty()) {
            md.append("| metric | this adapter | baseline |\n|---|---|---|\n");
            candidate.forEach((metric, value) -> md.append("| ").append(metric).append(" | ").append(number(value))
                    .append(" | ").append(lineage.getBaselineMetricsMap().containsKey(metric)
                            ? number(lineage.getBaselineMetricsMap().get(metric)) : "").append(" |\n"));
            md.append('\n');
        }
        if (lineage.getThresholdResultsCount() > 0) {
            md.append("Gate:\n\n");
            for (ThresholdResult result : lineage.getThresholdResultsList()) {
                md.append("- ").append(result.getSkipped() ? "skipped" : result.getPassed() ? "passed" : "FAILED")
                        .append(": ").append(result.getMessage().isEmpty() ? result.getMetricName() : result.getMessage())
                        .append('\n');
            }
            md.append('\n');
        }

        md.append("## Files\n\n| file | bytes | sha256 |\n|---|---|---|\n");
        for (BlobRef file : record.artifact().getFilesList()) {
            md.append("| ").append(file.getRelativePath()).append(" | ").append(file.getSizeBytes()).append(" | `")
                    .append(file.getSha256()).append("` |\n");
        }
        return md.toString();
    }

    private static String baseLocation(VersionRecord record) {
        String location = record.registered().getLineage().getBaseModel().getLocationUri();
        if (location.startsWith("file://")) {
            location = location.substring("file://".length());
        }
        return location.isEmpty() ? record.summary().baseModelName() : location;
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value.replace("|", "\\|").replace("\n", " ")).append(" |\n");
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : String.valueOf(value);
    }

    private static String yaml(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String pretty(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return PRETTY.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (Exception e) {
            return node.toString();
        }
    }
}
