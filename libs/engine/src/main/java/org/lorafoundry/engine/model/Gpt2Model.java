package org.lorafoundry.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.lorafoundry.engine.nn.Activations;
import org.lorafoundry.engine.nn.Attention;
import org.lorafoundry.engine.nn.Embedding;
import org.lorafoundry.engine.nn.ForwardContext;
import org.lorafoundry.engine.nn.LayerNorm;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.nn.Scalars;
import org.lorafoundry.engine.safetensors.TensorSource;

/**
 * GPT-2 ({@code GPT2LMHeadModel}): token + learned position embeddings; per block
 * {@code h += c_proj(attn(c_attn(ln_1(h))))}, {@code h += mlp.c_proj(act(mlp.c_fc(ln_2(h))))}; {@code ln_f}; LM head
 * tied to {@code wte}. Conv1D weights are {@code [in, out]}; q/k/v are fused in {@code c_attn}.
 */
final class Gpt2Model implements CausalLanguageModel {
    private static final String PREFIX = "transformer.";

    private final ModelConfig config;
    private final NDManager manager;
    private final ModuleRegistry modules = new ModuleRegistry();
    private final Embedding wte;
    private final Embedding wpe;
    private final List<Block> blocks = new ArrayList<>();
    private final LayerNorm lnF;
    private final Linear lmHead;
    private final UnaryOperator<NDArray> act;
    private final long parameters;

    private record Block(LayerNorm ln1, Linear cAttn, Linear attnProj, LayerNorm ln2, Linear cFc, Linear mlpProj,
            NDArray scale) {
    }

    Gpt2Model(ModelConfig config, TensorSource source, NDManager parent, boolean mapWeights) {
        this.config = config;
        this.manager = parent.newSubManager();
        try {
            // GPT2LMHeadModel checkpoints prefix "transformer."; bare GPT2Model ones (the original "gpt2") do not.
            String prefix = source.contains(PREFIX + "wte.weight") || !source.contains("wte.weight") ? PREFIX : "";
            Weights w = new Weights(source, manager, mapWeights, prefix);
            Scalars scalars = new Scalars(manager);
            int e = config.hiddenSize();
            int inner = config.intermediateSize();
            double eps = config.normEps();
            this.act = Activations.byName(config.activation(), scalars);
            this.wte = new Embedding(PREFIX + "wte", w.get("wte.weight", config.vocabSize(), e));
            this.wpe = new Embedding(PREFIX + "wpe", w.get("wpe.weight", config.maxPositions(), e));
            modules.register(wte.weightParameter());
            modules.register(wpe.weightParameter());
            for (int i = 0; i < config.numLayers(); i++) {
                String p = "h." + i + ".";
                String hf = PREFIX + p;
                double scale = config.scaleAttnWeights() ? 1.0 / Math.sqrt(config.headDim()) : 1.0;
                if (config.scaleAttnByInverseLayerIdx()) {
                    scale /= (i + 1);
                }
                Block b = new Block(
                        new LayerNorm(hf + "ln_1", w.get(p + "ln_1.weight", e), w.get(p + "ln_1.bias", e), eps),
                        w.conv1d(p + "attn.c_attn", PREFIX + p + "attn.c_attn", e, 3 * e),
                        w.conv1d(p + "attn.c_proj", PREFIX + p + "attn.c_proj", e, e),
                        new LayerNorm(hf + "ln_2", w.get(p + "ln_2.weight", e), w.get(p + "ln_2.bias", e), eps),
                        w.conv1d(p + "mlp.c_fc", PREFIX + p + "mlp.c_fc", e, inner),
                        w.conv1d(p + "mlp.c_proj", PREFIX + p + "mlp.c_proj", inner, e),
                        scalars.of(scale));
                blocks.add(b);
                modules.register(b.cAttn);
                modules.register(b.attnProj);
                modules.register(b.cFc);
                modules.register(b.mlpProj);
                registerParameters(b.ln1);
                registerParameters(b.cAttn);
                registerParameters(b.attnProj);
                registerParameters(b.ln2);
                registerParameters(b.cFc);
                registerParameters(b.mlpProj);
            }
            this.lnF = new LayerNorm(PREFIX + "ln_f", w.get("ln_f.weight", e), w.get("ln_f.bias", e), eps);
            registerParameters(lnF);
            long params = w.parameters();
            if (config.tieWordEmbeddings()) {
                lmHead = new Linear("lm_head", w.key("wte.weight"), null, wte.weight().transpose(), null,
                        Linear.CheckpointLayout.OUT_IN, PREFIX + "wte");
            } else {
                if (!source.contains("lm_head.weight")) {
                    throw new ModelConfigException("checkpoint " + source.location() + " has no lm_head.weight and"
                            + " config.json says tie_word_embeddings=false");
                }
                Weights head = new Weights(source, manager, mapWeights, "");
                lmHead = head.linear("lm_head", e, config.vocabSize(), false);
                params += head.parameters();
            }
            modules.register(lmHead);
            registerParameters(lmHead);
            this.parameters = params;
            ModelLoader.warnUnused(source, w, n -> n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias")
                    || n.equals("lm_head.weight"));
        } catch (RuntimeException ex) {
            manager.close();
            throw ex;
        }
    }

    private void registerParameters(LayerNorm ln) {
        modules.register(ln.weightParameter());
        modules.register(ln.biasParameter());
    }

    private void registerParameters(Linear l) {
        modules.register(l.weightParameter());
        modules.register(l.biasParameter());
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, ForwardContext ctx) {
        return run(inputIds, attentionMask, ctx, null);
    }

    @Override
    public NDArray forwardWithCache(NDArray inputIds, KvCache cache, ForwardContext ctx) {
        return run(inputIds, null, ctx, Objects.requireNonNull(cache, "cache"));
    }

    /** The forward pass; with a cache, the tokens continue the cached ones (positions and keys shift by its length). */
    private NDArray run(NDArray inputIds, NDArray attentionMask, ForwardContext ctx, KvCache cache) {
        ModelLoader.checkIds(inputIds, config);
        long batch = inputIds.getShape().get(0);
        int length = Math.toIntExact(inputIds.getShape().get(1));
        int past = cache == null ? 0 : cache.length();
        if (past + length > config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + (past > 0 ? past + " cached + " : "") + length
                    + " tokens exceeds gpt2's n_positions " + config.maxPositions());
        }
        NDManager caller = inputIds.getManager();
        int heads = config.numHeads();
        int d = config.headDim();
        int e = config.hiddenSize();
        try (NDManager scope = caller.newSubManager()) {
            if (cache != null) {
                cache.begin(this, batch, length, ctx);
            }
            try {
                NDArray h = wte.forward(inputIds, ctx);
                h.attach(scope);
                NDArray positions = scope.arange(past, past + length, 1, DataType.INT64);
                h = h.add(wpe.forward(positions, ctx));
                NDArray mask = cache == null ? Attention.causalMask(scope, length, attentionMask)
                        : Attention.causalMaskOverCache(scope, length, past);
                for (int i = 0; i < blocks.size(); i++) {
                    Block b = blocks.get(i);
                    // A block's arrays go to its own manager (an op's result joins its first operand's manager, and
                    // every op here starts from h) and are let go at the block's end, not when the whole forward
                    // returns: autograd keeps what backward needs (peak RSS of a GPT-2-small LoRA step on 4 x 256
                    // tokens: 4.4 -> 3.3 GB).
                    NDManager block = scope.newSubManager();
                    h.attach(block);
                    NDList qkv = b.cAttn.forward(b.ln1.forward(h, ctx), ctx).split(new long[] {e, 2L * e}, 2);
                    NDArray q = Attention.splitHeads(qkv.get(0), batch, length, heads, d);
                    NDArray k = Attention.splitHeads(qkv.get(1), batch, length, heads, d);
                    NDArray v = Attention.splitHeads(qkv.get(2), batch, length, heads, d);
                    if (cache != null) {
                        NDList kv = cache.extend(i, k, v);
                        kv.attach(scope); // the cache's new keys and values outlive the block until commit
                        k = kv.get(0);
                        v = kv.get(1);
                    }
                    NDArray attn = Attention.scaledDotProduct(q, k, v, mask, b.scale);
                    h = h.add(b.attnProj.forward(Attention.mergeHeads(attn, batch, length, heads, d), ctx));
                    h = h.add(b.mlpProj.forward(act.apply(b.cFc.forward(b.ln2.forward(h, ctx), ctx)), ctx));
                    h.attach(scope);
                    block.close();
                }
                NDArray logits = lmHead.forward(lnF.forward(h, ctx), ctx);
                if (cache != null) {
                    cache.commit();
                }
                logits.attach(caller);
                return logits;
            } catch (RuntimeException ex) {
                if (cache != null) {
                    cache.abandon();
                }
                throw ex;
            }
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public ModuleRegistry modules() {
        return modules;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public long parameterCount() {
        return parameters;
    }

    @Override
    public void close() {
        manager.close();
    }
}
