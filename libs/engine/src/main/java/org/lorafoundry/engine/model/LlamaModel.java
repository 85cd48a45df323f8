package org.lorafoundry.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.lorafoundry.engine.nn.Activations;
import org.lorafoundry.engine.nn.Attention;
import org.lorafoundry.engine.nn.Embedding;
import org.lorafoundry.engine.nn.ForwardContext;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.nn.RmsNorm;
import org.lorafoundry.engine.nn.RotaryEmbedding;
import org.lorafoundry.engine.nn.Scalars;
import org.lorafoundry.engine.safetensors.TensorSource;

/**
 * Llama ({@code LlamaForCausalLM}) and Qwen2 ({@code Qwen2ForCausalLM}, the same with q/k/v biases): per layer
 * {@code h += o_proj(attn(rope(q_proj x), rope(k_proj x), v_proj x))} with {@code x = input_layernorm(h)} and grouped
 * key/value heads, then {@code h += down_proj(act(gate_proj x) * up_proj x)} with
 * {@code x = post_attention_layernorm(h)}; final {@code norm}; {@code lm_head}, or the embedding when tied.
 */
final class LlamaModel implements CausalLanguageModel {
    private static final String PREFIX = "model.";

    private final ModelConfig config;
    private final NDManager manager;
    private final ModuleRegistry modules = new ModuleRegistry();
    private final Embedding embed;
    private final List<Layer> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final Linear lmHead;
    private final RotaryEmbedding rope;
    private final NDArray scaling;
    private final UnaryOperator<NDArray> act;
    private final long parameters;

    private record Layer(RmsNorm inputNorm, Linear q, Linear k, Linear v, Linear o, RmsNorm postNorm, Linear gate,
            Linear up, Linear down) {
    }

    LlamaModel(ModelConfig config, TensorSource source, NDManager parent, boolean mapWeights) {
        this.config = config;
        this.manager = parent.newSubManager();
        try {
            String prefix = source.contains(PREFIX + "embed_tokens.weight") || !source.contains("embed_tokens.weight")
                    ? PREFIX : "";
            Weights w = new Weights(source, manager, mapWeights, prefix);
            Scalars scalars = new Scalars(manager);
            int hidden = config.hiddenSize();
            int qw = config.queryWidth();
            int kvw = config.kvWidth();
            int inter = config.intermediateSize();
            NDArray eps = scalars.of(config.normEps());
            this.act = Activations.byName(config.activation(), scalars);
            this.scaling = scalars.of(Math.pow(config.headDim(), -0.5));
            this.rope = new RotaryEmbedding(manager, config.headDim(), config.ropeTheta());
            this.embed = new Embedding(PREFIX + "embed_tokens", w.get("embed_tokens.weight", config.vocabSize(), hidden));
            modules.register(embed.weightParameter());
            for (int i = 0; i < config.numLayers(); i++) {
                String p = "layers." + i + ".";
                String hf = PREFIX + p;
                Layer l = new Layer(
                        new RmsNorm(hf + "input_layernorm", w.get(p + "input_layernorm.weight", hidden), eps),
                        named(w.linear(p + "self_attn.q_proj", hidden, qw, config.qkvBias())),
                        named(w.linear(p + "self_attn.k_proj", hidden, kvw, config.qkvBias())),
                        named(w.linear(p + "self_attn.v_proj", hidden, kvw, config.qkvBias())),
                        named(w.linear(p + "self_attn.o_proj", qw, hidden, config.outputBias())),
                        new RmsNorm(hf + "post_attention_layernorm", w.get(p + "post_attention_layernorm.weight", hidden), eps),
                        named(w.linear(p + "mlp.gate_proj", hidden, inter, config.mlpBias())),
                        named(w.linear(p + "mlp.up_proj", hidden, inter, config.mlpBias())),
                        named(w.linear(p + "mlp.down_proj", inter, hidden, config.mlpBias())));
                layers.add(l);
                modules.register(l.inputNorm.weightParameter());
                for (Linear lin : List.of(l.q, l.k, l.v, l.o, l.gate, l.up, l.down)) {
                    modules.register(lin);
                    modules.register(lin.weightParameter());
                    modules.register(lin.biasParameter());
                    if (lin == l.o) {
                        modules.register(l.postNorm.weightParameter());
                    }
                }
            }
            this.norm = new RmsNorm(PREFIX + "norm", w.get("norm.weight", hidden), eps);
            modules.register(norm.weightParameter());
            long params = w.parameters();
            if (config.tieWordEmbeddings()) {
                lmHead = new Linear("lm_head", w.key("embed_tokens.weight"), null, embed.weight().transpose(), null,
                        Linear.CheckpointLayout.OUT_IN, PREFIX + "embed_tokens");
            } else {
                if (!source.contains("lm_head.weight")) {
                    throw new ModelConfigException("checkpoint " + source.location() + " has no lm_head.weight and"
                            + " config.json says tie_word_embeddings=false");
                }
                Weights head = new Weights(source, manager, mapWeights, "");
                lmHead = head.linear("lm_head", hidden, config.vocabSize(), false);
                params += head.parameters();
            }
            modules.register(lmHead);
            modules.register(lmHead.weightParameter());
            this.parameters = params;
            ModelLoader.warnUnused(source, w, n -> n.endsWith("rotary_emb.inv_freq") || n.equals("lm_head.weight"));
        } catch (RuntimeException ex) {
            manager.close();
            throw ex;
        }
    }

    /** Module names are the full transformers paths ("model.layers.0..."), whatever the checkpoint's prefix. */
    private static Linear named(Linear l) {
        if (l.name().startsWith(PREFIX)) {
            return l;
        }
        return new Linear(PREFIX + l.name(), l.weightKey(), l.biasKey(), l.weight(), l.bias(), l.checkpointLayout(),
                l.tiedTo());
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
        NDManager caller = inputIds.getManager();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int d = config.headDim();
        try (NDManager scope = caller.newSubManager()) {
            if (cache != null) {
                cache.begin(this, batch, length, ctx);
            }
            try {
                NDArray h = embed.forward(inputIds, ctx);
                h.attach(scope);
                NDArray mask = cache == null ? Attention.causalMask(scope, length, attentionMask)
                        : Attention.causalMaskOverCache(scope, length, past);
                NDList cosSin = rope.cosSin(scope, past, length);
                for (int i = 0; i < layers.size(); i++) {
                    Layer l = layers.get(i);
                    // A block's arrays go to its own manager (an op's result joins its first operand's manager, and
                    // every op here starts from h) and are let go at the block's end, not when the whole forward
                    // returns: autograd keeps what backward needs (peak RSS of a LoRA step of an 8 x 512 Llama on
                    // 4 x 256 tokens: 1.93 -> 1.49 GB).
                    NDManager block = scope.newSubManager();
                    h.attach(block);
                    NDArray x = l.inputNorm.forward(h, ctx);
                    NDArray q = rope.apply(Attention.splitHeads(l.q.forward(x, ctx), batch, length, heads, d),
                            cosSin);
                    NDArray k = rope.apply(Attention.splitHeads(l.k.forward(x, ctx), batch, length, kvHeads, d),
                            cosSin);
                    NDArray v = Attention.splitHeads(l.v.forward(x, ctx), batch, length, kvHeads, d);
                    if (cache != null) {
                        NDList kv = cache.extend(i, k, v);
                        kv.attach(scope); // the cache's new keys and values outlive the block until commit
                        k = kv.get(0);
                        v = kv.get(1);
                    }
                    k = Attention.repeatKv(k, config.groupSize());
                    v = Attention.repeatKv(v, config.groupSize());
                    NDArray attn = Attention.scaledDotProduct(q, k, v, mask, scaling);
                    h = h.add(l.o.forward(Attention.mergeHeads(attn, batch, length, heads, d), ctx));
                    x = l.postNorm.forward(h, ctx);
                    h = h.add(l.down.forward(act.apply(l.gate.forward(x, ctx)).mul(l.up.forward(x, ctx)), ctx));
                    h.attach(scope);
                    block.close();
                }
                NDArray logits = lmHead.forward(norm.forward(h, ctx), ctx);
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
