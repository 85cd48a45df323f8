package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * A linear projection {@code y = x W + b} under its Hugging Face module name. The weight is held as {@code [in, out]}
 * (torch's {@code nn.Linear} {@code [out, in]} is transposed once at load; GPT-2's {@code Conv1D} is stored that way
 * already), so the forward pass is one matmul.
 */
public final class Linear {

    /** How the checkpoint stores the weight; PEFT calls {@link #IN_OUT} {@code fan_in_fan_out}. */
    public enum CheckpointLayout {
        /** {@code torch.nn.Linear}: {@code [out, in]}. */
        OUT_IN,
        /** GPT-2's {@code Conv1D}: {@code [in, out]}. */
        IN_OUT
    }

    private final String name;
    private final String weightKey;
    private final String biasKey;
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private final CheckpointLayout layout;
    private final String tiedTo;
    private volatile LinearAdapter adapter;

    /**
     * @param name HF module name, e.g. {@code model.layers.0.self_attn.q_proj}
     * @param weightKey checkpoint tensor of the weight (for a tied weight: the tensor it shares)
     * @param biasKey checkpoint tensor of the bias, or null
     * @param weight {@code [in, out]}
     * @param bias {@code [out]} or null
     * @param tiedTo module whose weight this one shares (e.g. the embedding), or null
     */
    public Linear(String name, String weightKey, String biasKey, NDArray weight, NDArray bias,
            CheckpointLayout layout, String tiedTo) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException(name + ": weight must be 2-D, got " + weight.getShape());
        }
        this.name = name;
        this.weightKey = weightKey;
        this.biasKey = biasKey;
        this.weight = new Parameter(name + ".weight", weight, layout == CheckpointLayout.OUT_IN,
                tiedTo == null ? null : tiedTo + ".weight");
        this.bias = bias == null ? null : new Parameter(name + ".bias", bias);
        this.layout = layout;
        this.tiedTo = tiedTo;
        this.inFeatures = Math.toIntExact(weight.getShape().get(0));
        this.outFeatures = Math.toIntExact(weight.getShape().get(1));
        if (bias != null && (bias.getShape().dimension() != 1 || bias.getShape().get(0) != outFeatures)) {
            throw new IllegalArgumentException(name + ": bias " + bias.getShape() + " does not match " + outFeatures
                    + " outputs");
        }
    }

    /** {@code x W + b} over the last dimension of x: the base model alone. */
    public NDArray forward(NDArray x) {
        return forward(x, ForwardContext.BASE);
    }

    /**
     * {@code x W + b (+ adapter delta)} over the last dimension of x, with the weight and bias the context chooses
     * (an adapter may replace them) and the delta the attached {@link LinearAdapter} computes for the context.
     */
    public NDArray forward(NDArray x, ForwardContext context) {
        NDArray y = x.matMul(context.value(weight));
        if (bias != null) {
            y = y.add(context.value(bias));
        }
        LinearAdapter a = adapter;
        if (a != null) {
            NDArray delta = a.delta(x, context);
            if (delta != null) {
                y = y.add(delta);
            }
        }
        return y;
    }

    public String name() {
        return name;
    }

    public String weightKey() {
        return weightKey;
    }

    /** Checkpoint key of the bias, or null. */
    public String biasKey() {
        return biasKey;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** The weight as used here: {@code [in, out]}. Frozen; possibly memory-mapped (never write into it). */
    public NDArray weight() {
        return weight.value();
    }

    /** {@code [out]} or null. */
    public NDArray bias() {
        return bias == null ? null : bias.value();
    }

    /** The weight as a named parameter ({@code <name>.weight}, held {@code [in, out]}). */
    public Parameter weightParameter() {
        return weight;
    }

    /** The bias as a named parameter ({@code <name>.bias}), or null. */
    public Parameter biasParameter() {
        return bias;
    }

    public CheckpointLayout checkpointLayout() {
        return layout;
    }

    /** Module whose weight this one shares (tied LM head), or null. */
    public String tiedTo() {
        return tiedTo;
    }

    public LinearAdapter adapter() {
        return adapter;
    }

    /** Attaches (or, with null, removes) the adapter added to this projection's output. */
    public void setAdapter(LinearAdapter adapter) {
        this.adapter = adapter;
    }

    @Override
    public String toString() {
        return name + "(" + inFeatures + " -> " + outFeatures + (bias != null ? ", bias" : "")
                + (layout == CheckpointLayout.IN_OUT ? ", Conv1D" : "") + (tiedTo != null ? ", tied to " + tiedTo : "")
                + ")";
    }
}
