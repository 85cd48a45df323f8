package org.lorafoundry.registry.service;

import org.lorafoundry.platform.blob.BlobDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.arc.DefaultBean;

import org.lorafoundry.engine.model.ModelConfig;
import org.lorafoundry.engine.model.ModelConfigException;
import org.lorafoundry.engine.model.UnsupportedArchitectureException;
import org.lorafoundry.engine.safetensors.DType;
import org.lorafoundry.engine.safetensors.SafetensorsFormatException;
import org.lorafoundry.engine.safetensors.TensorInfo;
import org.lorafoundry.engine.safetensors.TensorSource;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.proto.v1.ModelConfigSummary;

/**
 * Validates a base model with the LoRA engine's own readers, so that what the registry accepts is what the trainer
 * can load: {@code config.json} through {@link ModelConfig} (supported architectures and settings, the engine's error
 * messages), {@code tokenizer.json} loaded with {@link HfTokenizer} and used once, and the safetensors headers (single
 * file or sharded index) through {@link TensorSource} for the parameter count and the linear modules. It reads
 * headers, never tensor data, and does not start PyTorch: registering a 7B model costs the time to hash its files.
 */
@ApplicationScoped
@DefaultBean
public class EngineModelInspector implements BaseModelInspector {

    /** Encoded once to prove the tokenizer runs and that its ids fit the model's embedding. */
    static final String TOKENIZER_PROBE = "Hello, world! 0123456789";

    @Override
    public ModelInspection inspect(Path directory) throws BaseModelInvalidException, IOException {
        ModelConfig config = readConfig(directory);
        checkTokenizer(directory, config);
        List<TensorInfo> tensors = readWeightHeaders(directory);

        long parameters = 0;
        Map<DType, Long> elementsByDtype = new HashMap<>();
        for (TensorInfo tensor : tensors) {
            parameters = Math.addExact(parameters, tensor.numel());
            elementsByDtype.merge(tensor.dtype(), tensor.numel(), Long::sum);
        }
        if (parameters == 0) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", "the safetensors files hold no parameters");
        }
        List<String> linear = LinearModules.of(config.architecture(), tensors);
        if (linear.isEmpty()) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", "no linear module a LoRA can target ("
                    + String.join(", ", LinearModules.layerNames(config.architecture())) + ") in the weights of this "
                    + config.modelType() + " model");
        }
        String dtype = config.dtype() != null ? config.dtype()
                : elementsByDtype.entrySet().stream().max(Map.Entry.comparingByValue())
                        .map(entry -> torchDtype(entry.getKey())).orElse("");
        ModelConfigSummary summary = ModelConfigSummary.newBuilder().setModelType(config.modelType())
                .setNumHiddenLayers(config.numLayers()).setHiddenSize(config.hiddenSize())
                .setIntermediateSize(config.intermediateSize()).setNumAttentionHeads(config.numHeads())
                .setNumKeyValueHeads(config.numKvHeads()).setVocabSize(config.vocabSize())
                .setMaxPositionEmbeddings(config.maxPositions()).setTorchDtype(dtype)
                .addAllLinearModuleNames(linear).build();
        return new ModelInspection(architectureClass(config), summary, parameters, BlobDirectories.describe(directory),
                "engine");
    }

    // ------------------------------------------------------------------------------------------------ config

    private static ModelConfig readConfig(Path directory) throws BaseModelInvalidException, IOException {
        if (!Files.isRegularFile(directory.resolve(ModelConfig.FILE_NAME))) {
            throw new BaseModelInvalidException("CONFIG_UNREADABLE", "no " + ModelConfig.FILE_NAME + " in "
                    + directory);
        }
        try {
            return ModelConfig.load(directory);
        } catch (UnsupportedArchitectureException e) {
            if (e.modelType() == null) {
                throw new BaseModelInvalidException("CONFIG_UNREADABLE", ModelConfig.FILE_NAME + " has no model_type "
                        + "(supported: " + String.join(", ", e.supported()) + ")");
            }
            throw new BaseModelInvalidException("UNSUPPORTED_ARCHITECTURE", e.getMessage());
        } catch (ModelConfigException e) {
            // Not JSON at all is unreadable; anything else is a config the engine understood and cannot run.
            throw new BaseModelInvalidException(e.getCause() instanceof JsonProcessingException ? "CONFIG_UNREADABLE"
                    : "CONFIG_INVALID", e.getMessage());
        }
    }

    /** {@code architectures[0]} as written, else the class transformers instantiates for the model type. */
    static String architectureClass(ModelConfig config) {
        JsonNode architectures = config.raw().path("architectures");
        if (architectures.isArray() && !architectures.isEmpty() && architectures.get(0).isTextual()) {
            return architectures.get(0).asText();
        }
        return switch (config.architecture()) {
            case GPT2 -> "GPT2LMHeadModel";
            case LLAMA -> "LlamaForCausalLM";
            case QWEN2 -> "Qwen2ForCausalLM";
        };
    }

    // ------------------------------------------------------------------------------------------------ tokenizer

    /**
     * Loads the tokenizer as the trainer will (tokenizer.json through Hugging Face tokenizers, tokenizer_config.json)
     * and encodes a probe: a file that parses but does not run, or a tokenizer whose ids do not fit the model's
     * embedding (another model's tokenizer), is refused here rather than at the first training step.
     */
    private static void checkTokenizer(Path directory, ModelConfig config) throws BaseModelInvalidException {
        if (!Files.isRegularFile(directory.resolve(HfTokenizer.FILE_NAME))) {
            throw new BaseModelInvalidException("TOKENIZER_UNREADABLE", "no " + HfTokenizer.FILE_NAME + " in "
                    + directory + " (only fast tokenizers are supported; convert a slow one with transformers: "
                    + "AutoTokenizer.from_pretrained(...).save_pretrained(...))");
        }
        long[] ids;
        try (HfTokenizer tokenizer = HfTokenizer.load(directory)) {
            ids = tokenizer.encode(TOKENIZER_PROBE);
        } catch (IOException | RuntimeException e) {
            // The tokenizers library reports a malformed file as a RuntimeException carrying its parser's message.
            throw new BaseModelInvalidException("TOKENIZER_UNREADABLE", "the tokenizer cannot be loaded: "
                    + e.getMessage());
        }
        long largest = Arrays.stream(ids).max().orElse(-1);
        if (largest >= config.vocabSize()) {
            throw new BaseModelInvalidException("TOKENIZER_MISMATCH", "the tokenizer produces token id " + largest
                    + " but the model has vocab_size " + config.vocabSize() + ": is it this model's tokenizer?");
        }
    }

    // ------------------------------------------------------------------------------------------------ weights

    /** The header entry of every tensor, checked by the engine's reader (byte ranges, dtypes, shards vs index). */
    private static List<TensorInfo> readWeightHeaders(Path directory) throws BaseModelInvalidException, IOException {
        try (TensorSource source = TensorSource.openModelDirectory(directory)) {
            List<TensorInfo> tensors = new ArrayList<>();
            for (String name : source.names()) {
                tensors.add(source.tensor(name).info());
            }
            return tensors;
        } catch (SafetensorsFormatException e) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", e.getMessage());
        }
    }

    /** The Hugging Face {@code torch_dtype} name of a stored element type. */
    static String torchDtype(DType dtype) {
        return switch (dtype) {
            case F64 -> "float64";
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> dtype.headerName().toLowerCase(Locale.ROOT);
        };
    }
}
