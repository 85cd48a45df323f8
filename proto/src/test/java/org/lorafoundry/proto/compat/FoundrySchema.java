package org.lorafoundry.proto.compat;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafoundry.proto.v1.CommonProto;
import org.lorafoundry.proto.v1.DatasetCommand;
import org.lorafoundry.proto.v1.DatasetEvent;
import org.lorafoundry.proto.v1.DatasetsProto;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.EvaluationProto;
import org.lorafoundry.proto.v1.JobCommand;
import org.lorafoundry.proto.v1.JobEvent;
import org.lorafoundry.proto.v1.JobsProto;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.RegistryProto;
import org.lorafoundry.proto.v1.SpecProto;
import org.lorafoundry.proto.v1.TrainingControl;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.TrainingProto;
import org.lorafoundry.proto.v1.TrainingTaskMessage;
import org.lorafoundry.proto.v1.WorkerEvent;
import org.lorafoundry.proto.v1.WorkersProto;

/** The foundry schema as compiled into this module, and the checked-in baseline it is held against. */
final class FoundrySchema {

  /** Every foundry/v1 file. A new .proto file must be added here (ProtoConventionsTest checks that). */
  static final List<FileDescriptor> FILES = List.of(
      CommonProto.getDescriptor(),
      DatasetsProto.getDescriptor(),
      EvaluationProto.getDescriptor(),
      JobsProto.getDescriptor(),
      RegistryProto.getDescriptor(),
      SpecProto.getDescriptor(),
      TrainingProto.getDescriptor(),
      WorkersProto.getDescriptor());

  /** Topic -> its envelope message (DESIGN.md "Topics"). */
  static final Map<String, Descriptor> ENVELOPES = envelopes();

  static final String UPDATE_PROPERTY = "foundry.proto.updateBaseline";
  static final String BASELINE_RESOURCE = "descriptor-baseline.txtpb";

  private FoundrySchema() {
  }

  private static Map<String, Descriptor> envelopes() {
    Map<String, Descriptor> m = new LinkedHashMap<>();
    m.put("foundry.jobs.commands.<team>", JobCommand.getDescriptor());
    m.put("foundry.jobs.events", JobEvent.getDescriptor());
    m.put("foundry.datasets.commands.<team>", DatasetCommand.getDescriptor());
    m.put("foundry.datasets.events", DatasetEvent.getDescriptor());
    m.put("foundry.training.tasks", TrainingTaskMessage.getDescriptor());
    m.put("foundry.training.control", TrainingControl.getDescriptor());
    m.put("foundry.training.events", TrainingEvent.getDescriptor());
    m.put("foundry.workers.heartbeats", WorkerEvent.getDescriptor());
    m.put("foundry.evaluation.events", EvaluationEvent.getDescriptor());
    m.put("foundry.registry.events", RegistryEvent.getDescriptor());
    return m;
  }

  /** The current schema: every foundry file's descriptor (no google well-known types), sorted by file name. */
  static FileDescriptorSet current() {
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    FILES.stream()
        .sorted(Comparator.comparing(FileDescriptor::getName))
        .forEach(f -> set.addFile(f.toProto()));
    return set.build();
  }

  /** The module directory (surefire runs tests there and sets "basedir"). */
  static Path moduleDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  }

  /** Where the baseline is checked in. */
  static Path baselineSourceFile() {
    return moduleDir().resolve("src/test/resources").resolve(BASELINE_RESOURCE);
  }

  static String toText(FileDescriptorSet set, String release) {
    return "# LoRA Foundry protobuf schema baseline: google.protobuf.FileDescriptorSet in text format.\n"
        + "# Every foundry/v1/*.proto file as compiled (google well-known types excluded), sorted by file name.\n"
        + "# ProtoCompatibilityTest holds the current schema against it. Do not edit by hand; regenerate with\n"
        + "#   ./mvnw -pl proto test -Dtest=ProtoCompatibilityTest -D" + UPDATE_PROPERTY + "=true"
        + " [-Dfoundry.proto.release=X.Y]\n"
        + "# release: " + release + "\n"
        + "\n"
        + TextFormat.printer().printToString(set);
  }

  static FileDescriptorSet parse(String text) throws TextFormat.ParseException {
    FileDescriptorSet.Builder b = FileDescriptorSet.newBuilder();
    TextFormat.getParser().merge(text, b);
    return b.build();
  }

  /** The "# release: X" line of a baseline text, or null. */
  static String releaseOf(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("# release: ")) {
        return line.substring("# release: ".length()).trim();
      }
    }
    return null;
  }
}
