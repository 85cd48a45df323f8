package org.lorafoundry.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.HfCheckpointWriter;
import org.lorafoundry.engine.model.KvCache;
import org.lorafoundry.engine.model.ModelLoader;
import org.lorafoundry.engine.nn.ForwardContext;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.nn.Parameter;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.safetensors.SafetensorsWriter;
import org.lorafoundry.engine.safetensors.TensorView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A base model with any number of named LoRA adapters, PEFT's {@code PeftModel} semantics in PEFT's file format:
 *
 * <pre>{@code
 * try (LoraModel lora = LoraModel.load(baseDir, manager)) {
 *     lora.loadAdapter("dates", adapterDir);                           // written by PEFT's save_pretrained
 *     lora.createAdapter("new", LoraConfig.builder().r(8).loraAlpha(16).build(), 42);
 *     NDArray a = lora.forward(ids, null, "dates");                    // the adapter is chosen per call
 *     NDArray b = lora.forward(ids, null, null);                       // the base model alone
 *     lora.saveAdapter("new", outDir);                                 // PeftModel.from_pretrained loads it
 *     lora.saveMerged("dates", mergedDir);                             // AutoModelForCausalLM loads it
 * }
 * }</pre>
 *
 * <p>Each forward pass names its adapter (or none): no "active adapter" is stored, so concurrent passes may use different
 * adapters. Adapters are independent: their {@code bias}/{@code modules_to_save} copies apply only in their own passes
 * (in PEFT, loading a {@code bias="all"} adapter overwrites the shared base biases). Creating, loading, removing,
 * merging and unmerging take a write lock; forward passes a read lock.
 *
 * <p>Merging ({@link #merge}) writes {@code W + scaling * (B A)} (transposed for GPT-2's Conv1D layout) into new weight
 * arrays and keeps the originals, so {@link #unmerge} restores the base exactly; while an adapter is merged only passes
 * with that adapter run. {@link #mergeAndUnload} makes the merge permanent (including the adapter's copied parameters)
 * and returns the plain base model.
 */
public final class LoraModel implements AutoCloseable {
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String README_FILE = "README.md";
    private static final Logger LOG = LoggerFactory.getLogger(LoraModel.class);
    /** Inits that rewrite the base weights in PEFT (at creation and again at load): only PiSSA is implemented. */
    private static final Set<String> BASE_REWRITING_INITS = Set.of("olora", "corda", "loftq", "lora_ga");

    private final CausalLanguageModel base;
    private final Path baseDirectory;
    private final String baseName;
    private final Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
    private final Map<String, LoraLayer> layers = new HashMap<>();
    private final Map<Parameter, NDArray> originals = new IdentityHashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile String mergedAdapter;
    private volatile boolean unloaded;

    private LoraModel(CausalLanguageModel base, Path baseDirectory, String baseName) {
        this.base = base;
        this.baseDirectory = baseDirectory;
        this.baseName = baseName;
    }

    /** Loads the base model of a Hugging Face directory (memory-mapped F32 weights); closing this closes it. */
    public static LoraModel load(Path baseDir, NDManager parent) throws IOException {
        return new LoraModel(ModelLoader.load(baseDir, parent), baseDir, baseDir.toString());
    }

    /**
     * Wraps a loaded base model (closing this closes it).
     *
     * @param baseDirectory where its config and tokenizer files are (for {@link #saveMerged}), or null
     * @param baseName what {@code base_model_name_or_path} says (a Hub id or a path), or null
     */
    public static LoraModel wrap(CausalLanguageModel base, Path baseDirectory, String baseName) {
        return new LoraModel(base, baseDirectory, baseName);
    }

    public CausalLanguageModel base() {
        return base;
    }

    /** {@code base_model_name_or_path} written into new adapters' configs. */
    public String baseName() {
        return baseName;
    }

    // ---------------------------------------------------------------------------------------------------- adapters

    /**
     * A new adapter initialised as PEFT does: {@code lora_A} Kaiming-uniform ({@code a = sqrt(5)}: U(±1/sqrt(in))) and
     * {@code lora_B} zero for {@code init_lora_weights=true}; A normal with std 1/r for {@code gaussian}; A and B both
     * {@code nn.Linear}'s default for {@code false}; PiSSA's principal singular factors for {@code pissa}. Random
     * numbers come from {@code java.util.Random(seed)} (not torch's generator: the same seed gives the same adapter
     * here, not the same as in PEFT). Copied parameters start as the base's values.
     */
    public LoraAdapter createAdapter(String name, LoraConfig config, long seed) {
        lock.writeLock().lock();
        try {
            checkNewAdapter(name);
            if (config.baseModelNameOrPath() == null && baseName != null) {
                config = config.toBuilder().baseModelNameOrPath(baseName).build();
            }
            String init = config.initLoraWeights();
            if (!(init.equals("true") || init.equals("false") || init.equals("gaussian") || config.isPissa())) {
                throw new UnsupportedLoraConfigException("init_lora_weights='" + init + "' is not implemented for new"
                        + " adapters (supported: true, false, gaussian, pissa, pissa_niter_N)");
            }
            LoraTargets targets = LoraTargets.resolve(config, base);
            NDManager manager = base.manager().newSubManager();
            LoraAdapter adapter = new LoraAdapter(name, targets, manager);
            try {
                Random rng = new Random(seed);
                for (LoraTargets.Target t : targets.targets()) {
                    int in = t.linear().inFeatures();
                    int out = t.linear().outFeatures();
                    int r = t.r();
                    float[] a = new float[r * in]; // PEFT layout [r, in], filled in that order
                    float[] b = new float[out * r]; // [out, r]
                    NDArray a0 = null;
                    NDArray b0 = null;
                    if (config.isPissa()) {
                        PissaInit.Factors f = PissaInit.factors(t.module(), t.linear().weight(), r, t.scaling());
                        a = transpose(f.aT(), in, r);
                        b = transpose(f.bT(), r, out);
                        a0 = heldTransposed(manager, a, r, in);
                        b0 = heldTransposed(manager, b, out, r);
                    } else {
                        if (init.equals("gaussian")) {
                            for (int i = 0; i < a.length; i++) {
                                a[i] = (float) (rng.nextGaussian() / r);
                            }
                        } else {
                            uniform(rng, a, 1 / Math.sqrt(in));
                        }
                        if (init.equals("false")) {
                            uniform(rng, b, 1 / Math.sqrt(r));
                        }
                    }
                    // Held as transposed views of PEFT's layout, exactly as loadAdapter holds what it reads: a created
                    // adapter and the same adapter saved and loaded again compute bit for bit alike (exact resume).
                    adapter.add(new LoraWeights(adapter, t.linear(), r, t.alpha(), t.scaling(),
                            heldTransposed(manager, a, r, in), heldTransposed(manager, b, out, r),
                            manager.create((float) t.scaling()), a0, b0));
                }
                for (String p : targets.savedParameters()) {
                    Parameter baseParam = base.modules().parameter(p);
                    NDArray copy = baseParam.value().duplicate();
                    copy.attach(manager);
                    adapter.addOverride(new Parameter(p, copy, baseParam.transposed(), null));
                }
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
            attach(adapter);
            return adapter;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Loads an adapter PEFT saved ({@code adapter_config.json} + {@code adapter_model.safetensors}): LoRA weights by
     * {@code base_model.model.<module>.lora_A.weight} / {@code lora_B.weight}, copied base parameters by
     * {@code base_model.model.<parameter>} ({@code <module>.base_layer.bias} for a targeted projection's bias). Weights
     * the config does not explain, wrong shapes and missing LoRA weights are errors; F16/BF16 tensors are widened.
     */
    public LoraAdapter loadAdapter(String name, Path dir) throws IOException {
        LoraConfig config = LoraConfigJson.read(dir);
        if (BASE_REWRITING_INITS.contains(config.initLoraWeights())) {
            throw new UnsupportedLoraConfigException(dir + ": init_lora_weights='" + config.initLoraWeights()
                    + "' rewrites the base weights when PEFT loads the adapter; only PiSSA's is implemented here");
        }
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            String hint = Files.isRegularFile(dir.resolve("adapter_model.bin"))
                    ? " (found adapter_model.bin: pickled adapters are not read; re-save with safe_serialization=True)"
                    : "";
            throw new LoraConfigException("no " + WEIGHTS_FILE + " in " + dir + hint);
        }
        lock.writeLock().lock();
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            checkNewAdapter(name);
            LoraTargets targets = LoraTargets.resolve(config, base);
            Map<String, LoraTargets.Target> byModule = new LinkedHashMap<>();
            targets.targets().forEach(t -> byModule.put(t.module(), t));
            Map<String, TensorView> loraA = new HashMap<>();
            Map<String, TensorView> loraB = new HashMap<>();
            Map<String, TensorView> direct = new LinkedHashMap<>();
            Map<String, TensorView> fromCopies = new LinkedHashMap<>();
            for (String key : reader.names()) {
                if (!key.startsWith(LoraAdapter.PEFT_PREFIX)) {
                    throw new LoraConfigException(file + ": tensor '" + key + "' does not start with '"
                            + LoraAdapter.PEFT_PREFIX + "' (not a PEFT LoRA checkpoint of a causal LM)");
                }
                String k = key.substring(LoraAdapter.PEFT_PREFIX.length());
                if (k.endsWith(".lora_A.weight")) {
                    loraA.put(strip(k, ".lora_A.weight"), reader.tensor(key));
                } else if (k.endsWith(".lora_B.weight")) {
                    loraB.put(strip(k, ".lora_B.weight"), reader.tensor(key));
                } else if (k.contains(".lora_B.") || k.contains(".lora_A.")) {
                    throw new UnsupportedLoraConfigException(file + ": '" + key + "' (a bias on lora_B, lora_bias=True)"
                            + " is not supported");
                } else if (k.contains("lora_embedding_")) {
                    throw new UnsupportedLoraConfigException(file + ": '" + key + "': LoRA on embeddings is not"
                            + " supported");
                } else if (k.contains("lora_magnitude_vector")) {
                    throw new UnsupportedLoraConfigException(file + ": '" + key + "': DoRA is not supported");
                } else if (k.contains(".original_module.")) {
                    continue; // PEFT's bias="all" also saves the frozen original of a modules_to_save module
                } else if (k.contains(".modules_to_save.")) {
                    fromCopies.put(k.replace(".modules_to_save.", "."), reader.tensor(key));
                } else {
                    direct.put(k.replace(".base_layer.", "."), reader.tensor(key));
                }
            }
            for (String m : loraA.keySet()) {
                if (!byModule.containsKey(m)) {
                    throw new LoraConfigException(file + " holds LoRA weights for '" + m + "', which "
                            + LoraConfigJson.FILE_NAME + " (target_modules " + targets.config().targetModules()
                            + ") does not select");
                }
            }
            for (String m : loraB.keySet()) {
                if (!byModule.containsKey(m)) {
                    throw new LoraConfigException(file + " holds lora_B for '" + m + "', which the config does not"
                            + " select");
                }
            }
            fromCopies.forEach(direct::putIfAbsent);
            NDManager manager = base.manager().newSubManager();
            LoraAdapter adapter = new LoraAdapter(name, targets, manager);
            try {
                for (LoraTargets.Target t : targets.targets()) {
                    TensorView a = loraA.get(t.module());
                    TensorView b = loraB.get(t.module());
                    if (a == null || b == null) {
                        throw new LoraConfigException(file + " lacks " + (a == null ? "lora_A" : "lora_B") + " of '"
                                + t.module() + "', which " + LoraConfigJson.FILE_NAME + " targets");
                    }
                    int in = t.linear().inFeatures();
                    int out = t.linear().outFeatures();
                    checkShape(file, a, new long[] {t.r(), in}, t);
                    checkShape(file, b, new long[] {out, t.r()}, t);
                    NDArray a0 = null;
                    NDArray b0 = null;
                    if (targets.config().isPissa()) {
                        PissaInit.Factors f = PissaInit.factors(t.module(), t.linear().weight(), t.r(), t.scaling());
                        a0 = heldTransposed(manager, transpose(f.aT(), in, t.r()), t.r(), in);
                        b0 = heldTransposed(manager, transpose(f.bT(), t.r(), out), out, t.r());
                    }
                    adapter.add(new LoraWeights(adapter, t.linear(), t.r(), t.alpha(), t.scaling(),
                            a.toNDArray(manager).transpose(), b.toNDArray(manager).transpose(),
                            manager.create((float) t.scaling()), a0, b0));
                }
                Set<String> expected = new HashSet<>(targets.savedParameters());
                for (Map.Entry<String, TensorView> e : direct.entrySet()) {
                    String p = e.getKey();
                    if (!base.modules().parameters().containsKey(p)) {
                        throw new LoraConfigException(file + " holds '" + p + "', which is neither LoRA weights nor a"
                                + " parameter of the base model");
                    }
                    Parameter baseParam = base.modules().parameter(p);
                    if (!java.util.Arrays.equals(e.getValue().shape(), baseParam.checkpointShape())) {
                        throw new LoraConfigException(file + ": '" + p + "' has shape "
                                + java.util.Arrays.toString(e.getValue().shape()) + ", the base model's is "
                                + java.util.Arrays.toString(baseParam.checkpointShape()));
                    }
                    NDArray v = e.getValue().toNDArray(manager);
                    adapter.addOverride(new Parameter(p, baseParam.transposed() ? v.transpose() : v,
                            baseParam.transposed(), null));
                    expected.remove(p);
                }
                if (!expected.isEmpty()) {
                    LOG.warn("{} lacks {} of the parameters its config saves (bias={}, modules_to_save={}); the base"
                            + " values are used: {}", file, expected.size(), targets.config().bias().peftName(),
                            targets.config().modulesToSave(), expected.stream().limit(5).toList());
                }
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
            attach(adapter);
            return adapter;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes the adapter as PEFT's {@code save_pretrained} does: {@code adapter_config.json},
     * {@code adapter_model.safetensors} (F32, metadata {@code format: pt}) and a {@code README.md} model card.
     */
    public void saveAdapter(String name, Path dir) throws IOException {
        lock.readLock().lock();
        try {
            LoraAdapter adapter = adapterLocked(name);
            Files.createDirectories(dir);
            LoraConfig config = adapter.config();
            if (config.baseModelNameOrPath() == null && baseName != null) {
                config = config.toBuilder().baseModelNameOrPath(baseName).build();
            }
            SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
            for (LoraWeights w : adapter.layers().values()) {
                put(writer, w.loraA().name(), w.loraA());
                put(writer, w.loraB().name(), w.loraB());
            }
            for (Parameter p : adapter.overrides().values()) {
                put(writer, adapter.savedKey(p.name()), p);
            }
            writer.write(dir.resolve(WEIGHTS_FILE));
            Files.writeString(dir.resolve(LoraConfigJson.FILE_NAME),
                    LoraConfigJson.write(config, base.config().architecture()));
            Files.writeString(dir.resolve(README_FILE), ModelCard.render(adapter, base.config(),
                    config.baseModelNameOrPath(), parameterCount(name)));
        } finally {
            lock.readLock().unlock();
        }
    }

    private static void put(SafetensorsWriter writer, String key, Parameter p) {
        NDArray v = p.checkpointValue();
        try (NDArray flat = v.flatten()) {
            writer.put(key, p.checkpointShape(), flat.toFloatArray());
        } finally {
            if (v != p.value()) {
                v.close();
            }
        }
    }

    /** Removes an adapter and frees its arrays (it must not be merged). */
    public void removeAdapter(String name) {
        lock.writeLock().lock();
        try {
            LoraAdapter adapter = adapterLocked(name);
            if (adapter.isMerged()) {
                throw new IllegalStateException("adapter '" + name + "' is merged; unmerge() first");
            }
            detach(adapter);
            adapters.remove(name);
            adapter.manager().close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    public LoraAdapter adapter(String name) {
        lock.readLock().lock();
        try {
            return adapterLocked(name);
        } finally {
            lock.readLock().unlock();
        }
    }

    private LoraAdapter adapterLocked(String name) {
        checkUsable();
        LoraAdapter a = adapters.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no adapter '" + name + "'; adapters: " + adapters.keySet());
        }
        return a;
    }

    public List<String> adapterNames() {
        lock.readLock().lock();
        try {
            return List.copyOf(adapters.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** PEFT's {@code get_nb_trainable_parameters()} for the base with this adapter alone. */
    public ParameterCount parameterCount(String name) {
        LoraAdapter adapter = adapter(name);
        long lora = 0;
        for (LoraWeights w : adapter.layers().values()) {
            lora += w.loraA().numel() + w.loraB().numel();
        }
        long copies = 0;
        long saved = 0;
        for (Parameter p : adapter.overrides().values()) {
            saved += p.numel();
            String n = p.name();
            if (adapter.targets().modulesToSave().stream().anyMatch(m -> n.startsWith(m + "."))) {
                copies += p.numel();
            }
        }
        return new ParameterCount(lora + saved, base.parameterCount() + lora + copies);
    }

    // ----------------------------------------------------------------------------------------------------- forward

    /**
     * Logits {@code [B, T, vocab]} with the named adapter ({@code null}: the base model alone).
     *
     * @param attentionMask {@code [B, T]} right-padding mask, or null
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, String adapter) {
        lock.readLock().lock();
        try {
            return base.forward(inputIds, attentionMask, contextLocked(adapter, false));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * As {@link #forward}, continuing the tokens {@code cache} holds (see
     * {@link CausalLanguageModel#forwardWithCache}): for generation, prefill the prompt, then one token at a time.
     * The cache remembers the adapter of its first pass and refuses another one.
     */
    public NDArray forwardWithCache(NDArray inputIds, KvCache cache, String adapter) {
        lock.readLock().lock();
        try {
            return base.forwardWithCache(inputIds, cache, contextLocked(adapter, false));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** An empty KV cache for {@link #forwardWithCache}, its arrays in a sub-manager of {@code parent}. */
    public KvCache newKvCache(NDManager parent) {
        return base.newKvCache(parent);
    }

    /**
     * The context a pass with this adapter runs with (for callers driving {@link CausalLanguageModel#forward} or a
     * trainer): the adapter's LoRA deltas, its copied parameters, and dropout when {@code training}.
     */
    public ForwardContext context(String adapter, boolean training) {
        lock.readLock().lock();
        try {
            return contextLocked(adapter, training);
        } finally {
            lock.readLock().unlock();
        }
    }

    private ForwardContext contextLocked(String adapter, boolean training) {
        checkUsable();
        String merged = mergedAdapter;
        if (adapter == null) {
            if (merged != null) {
                throw new IllegalStateException("adapter '" + merged + "' is merged into the weights; the base model"
                        + " alone needs unmerge()");
            }
            return training ? new AdapterContext(null, true) : ForwardContext.BASE;
        }
        LoraAdapter a = adapterLocked(adapter);
        if (merged != null && !merged.equals(adapter)) {
            throw new IllegalStateException("adapter '" + merged + "' is merged into the weights; passes with '"
                    + adapter + "' need unmerge()");
        }
        return new AdapterContext(a, training);
    }

    private static final class AdapterContext implements ForwardContext {
        private final LoraAdapter adapter;
        private final Map<String, Parameter> overrides;
        private final boolean training;

        AdapterContext(LoraAdapter adapter, boolean training) {
            this.adapter = adapter;
            this.overrides = adapter == null ? Map.of() : adapter.overrides();
            this.training = training;
        }

        @Override
        public String adapter() {
            return adapter == null ? null : adapter.name();
        }

        @Override
        public boolean training() {
            return training;
        }

        @Override
        public NDArray value(Parameter p) {
            Parameter o = overrides.get(p.name());
            return o != null ? o.value() : p.value();
        }

        @Override
        public String toString() {
            return "adapter " + adapter() + (training ? " (training)" : "");
        }
    }

    // ----------------------------------------------------------------------------------------------- merge / save

    /**
     * Adds {@code scaling * B A} into each targeted projection's weight (new arrays; the originals are kept for
     * {@link #unmerge}). Passes with this adapter then skip the LoRA path; other passes are refused until unmerge.
     */
    public void merge(String name) {
        lock.writeLock().lock();
        try {
            LoraAdapter adapter = adapterLocked(name);
            if (name.equals(mergedAdapter)) {
                return;
            }
            if (mergedAdapter != null) {
                throw new IllegalStateException("adapter '" + mergedAdapter + "' is already merged; unmerge() first");
            }
            checkMergeable(adapter);
            for (LoraWeights w : adapter.layers().values()) {
                Parameter p = w.linear().weightParameter();
                NDArray merged = mergedWeight(p, w);
                originals.put(p, p.set(merged));
            }
            adapter.setMerged(true);
            mergedAdapter = name;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Restores the weights from before {@link #merge} exactly (PEFT subtracts the delta again, with rounding). */
    public void unmerge() {
        lock.writeLock().lock();
        try {
            checkUsable();
            if (mergedAdapter == null) {
                return;
            }
            for (Map.Entry<Parameter, NDArray> e : originals.entrySet()) {
                e.getKey().set(e.getValue()).close();
            }
            originals.clear();
            adapters.get(mergedAdapter).setMerged(false);
            mergedAdapter = null;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The adapter merged now, or null. */
    public String mergedAdapter() {
        return mergedAdapter;
    }

    /**
     * PEFT's {@code merge_and_unload()}: merges the adapter, makes its copied parameters ({@code modules_to_save},
     * {@code bias}) the base's, removes every adapter and returns the plain base model, now owned by the caller. This
     * LoraModel is unusable afterwards. The pre-merge arrays stay with the model's manager until it closes.
     */
    public CausalLanguageModel mergeAndUnload(String name) {
        lock.writeLock().lock();
        try {
            LoraAdapter adapter = adapterLocked(name);
            if (mergedAdapter != null && !mergedAdapter.equals(name)) {
                throw new IllegalStateException("adapter '" + mergedAdapter + "' is merged; unmerge() first");
            }
            checkMergeable(adapter);
            for (LoraWeights w : adapter.layers().values()) {
                Parameter p = w.linear().weightParameter();
                if (!adapter.isMerged()) {
                    p.set(mergedWeight(p, w));
                }
            }
            for (Parameter o : adapter.overrides().values()) {
                NDArray copy = o.value().duplicate();
                copy.attach(base.manager());
                base.modules().parameter(o.name()).set(copy);
            }
            originals.clear();
            for (LoraAdapter a : List.copyOf(adapters.values())) {
                detach(a);
                a.manager().close();
            }
            adapters.clear();
            mergedAdapter = null;
            unloaded = true;
            return base;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes base + adapter merged, in Hugging Face layout ({@code config.json}, {@code model.safetensors} F32,
     * tokenizer files of the base directory): what PEFT's {@code merge_and_unload().save_pretrained()} gives. Nothing
     * in memory changes.
     */
    public void saveMerged(String name, Path outDir) throws IOException {
        lock.readLock().lock();
        try {
            LoraAdapter adapter = adapterLocked(name);
            if (mergedAdapter != null && !mergedAdapter.equals(name)) {
                throw new IllegalStateException("adapter '" + mergedAdapter + "' is merged; unmerge() first");
            }
            checkMergeable(adapter);
            Map<String, LoraWeights> byWeight = new HashMap<>();
            adapter.layers().values().forEach(w -> byWeight.put(w.linear().weightParameter().name(), w));
            Set<String> changed = new HashSet<>(adapter.overrides().keySet());
            changed.addAll(byWeight.keySet());
            List<NDArray> temporaries = new ArrayList<>();
            try {
                HfCheckpointWriter.save(base, p -> {
                    Parameter o = adapter.overrides().get(p.name());
                    LoraWeights w = byWeight.get(p.name());
                    if (w != null && !adapter.isMerged()) {
                        NDArray m = mergedWeight(p, w);
                        temporaries.add(m);
                        return m;
                    }
                    return o != null ? o.value() : p.value();
                }, changed, outDir, baseDirectory);
            } finally {
                temporaries.forEach(NDArray::close);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The weight plus the adapter's delta, a new array in the base model's manager. */
    private NDArray mergedWeight(Parameter p, LoraWeights w) {
        try (NDManager scope = base.manager().newSubManager()) {
            NDArray aT = w.loraA().value();
            NDArray product = aT.matMul(w.loraB().value());
            product.attach(scope);
            NDArray delta = product;
            if (w.hasInitialFactors()) {
                NDArray[] initial = w.initialFactors();
                NDArray p0 = initial[0].matMul(initial[1]);
                p0.attach(scope);
                delta = delta.sub(p0);
            }
            NDArray scaled = delta.mul(w.scale());
            NDArray merged = p.value().add(scaled);
            merged.attach(base.manager());
            return merged;
        }
    }

    private void checkMergeable(LoraAdapter adapter) {
        for (LoraWeights w : adapter.layers().values()) {
            if (w.linear().weightParameter().tiedTo() != null) {
                throw new UnsupportedOperationException("adapter '" + adapter.name() + "' adapts " + w.module()
                        + ", whose weight is tied to " + w.linear().weightParameter().tiedTo() + "; merging it is not"
                        + " supported (PEFT would change the tied embedding as well)");
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------- plumbing

    private void attach(LoraAdapter adapter) {
        for (LoraWeights w : adapter.layers().values()) {
            Linear linear = w.linear();
            LoraLayer layer = layers.computeIfAbsent(linear.name(), k -> {
                if (linear.adapter() != null) {
                    throw new IllegalStateException(linear.name() + " already has an adapter hook of another owner");
                }
                LoraLayer l = new LoraLayer(linear);
                linear.setAdapter(l);
                return l;
            });
            layer.put(adapter.name(), w);
        }
        adapters.put(adapter.name(), adapter);
    }

    private void detach(LoraAdapter adapter) {
        for (LoraWeights w : adapter.layers().values()) {
            LoraLayer layer = layers.get(w.module());
            if (layer != null) {
                layer.remove(adapter.name());
                if (layer.isEmpty()) {
                    layer.linear().setAdapter(null);
                    layers.remove(w.module());
                }
            }
        }
    }

    private void checkNewAdapter(String name) {
        checkUsable();
        if (name == null || name.isBlank() || name.contains(".")) {
            throw new IllegalArgumentException("adapter name must be non-blank without '.', got '" + name + "'");
        }
        if (adapters.containsKey(name)) {
            throw new IllegalArgumentException("adapter '" + name + "' exists already");
        }
        if (mergedAdapter != null) {
            throw new IllegalStateException("adapter '" + mergedAdapter + "' is merged; unmerge() before adding"
                    + " adapters");
        }
    }

    private void checkUsable() {
        if (unloaded) {
            throw new IllegalStateException("this LoraModel was unloaded (mergeAndUnload); use the returned model");
        }
    }

    private static String strip(String s, String suffix) {
        return s.substring(0, s.length() - suffix.length());
    }

    private static void checkShape(Path file, TensorView t, long[] expected, LoraTargets.Target target) {
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new LoraConfigException(file + ": '" + t.name() + "' has shape " + java.util.Arrays.toString(t.shape())
                    + ", expected " + java.util.Arrays.toString(expected) + " (r=" + target.r() + " for "
                    + target.module() + ": r / rank_pattern of " + LoraConfigJson.FILE_NAME + ")");
        }
    }

    private static void uniform(Random rng, float[] out, double bound) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
    }

    /**
     * {@code peft} ({@code [rows, cols]}, PEFT's layout) held as its transposed view {@code [cols, rows]}: the layout
     * of every LoRA factor here, created or loaded, so the same values always compute bit for bit alike.
     */
    private static NDArray heldTransposed(NDManager manager, float[] peft, int rows, int cols) {
        return manager.create(peft, new Shape(rows, cols)).transpose();
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }

    /** Frees every adapter and, unless {@link #mergeAndUnload} handed it out, the base model. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!unloaded) {
                for (LoraAdapter a : adapters.values()) {
                    detach(a);
                    a.manager().close();
                }
                adapters.clear();
                base.close();
                unloaded = true;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
