package org.lorafoundry.engine.lora;

import ai.djl.ndarray.NDArray;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.nn.Parameter;

/**
 * One adapter's low-rank update of one projection: {@code delta(x) = (dropout(x) A^T B^T) * scaling}, with
 * {@code lora_A} {@code [r, in]} and {@code lora_B} {@code [out, r]} as PEFT stores them (held transposed here,
 * {@code [in, r]} and {@code [r, out]}, so the forward pass is two plain matmuls). The same formula holds for GPT-2's
 * Conv1D ({@code fan_in_fan_out}): only the merged weight's layout differs, and the held {@code [in, out]} weight
 * absorbs that.
 *
 * <p>PiSSA adapters also hold the initial factors {@code A0, B0} (frozen): PEFT subtracts {@code scaling * B0 A0} from the
 * base weight at init (and again when it loads a PiSSA adapter onto the original base); here the base stays untouched
 * and the delta is {@code scaling * (B A - B0 A0)}, the same function, so several adapters can share one base.
 */
public final class LoraWeights {
    private final LoraAdapter owner;
    private final Linear linear;
    private final int r;
    private final double alpha;
    private final double scaling;
    private final Parameter a;
    private final Parameter b;
    private final NDArray scale;
    private final NDArray a0;
    private final NDArray b0;

    LoraWeights(LoraAdapter owner, Linear linear, int r, double alpha, double scaling, NDArray aT, NDArray bT,
            NDArray scale, NDArray a0T, NDArray b0T) {
        this.owner = owner;
        this.linear = linear;
        this.r = r;
        this.alpha = alpha;
        this.scaling = scaling;
        String prefix = LoraAdapter.PEFT_PREFIX + linear.name();
        this.a = new Parameter(prefix + ".lora_A.weight", aT, true, null);
        this.b = new Parameter(prefix + ".lora_B.weight", bT, true, null);
        this.scale = scale;
        this.a0 = a0T;
        this.b0 = b0T;
    }

    /** The adapter output to add to the projection's, for input {@code x [..., in]}. */
    NDArray delta(NDArray x, boolean training) {
        NDArray in = x;
        double p = owner.config().loraDropout();
        if (training && p > 0) {
            in = x.getNDArrayInternal().dropout(x, (float) p, true).singletonOrThrow();
        }
        NDArray h = in.matMul(a.value()).matMul(b.value());
        if (a0 != null) {
            h = h.sub(in.matMul(a0).matMul(b0));
        }
        return h.mul(scale);
    }

    public String module() {
        return linear.name();
    }

    public Linear linear() {
        return linear;
    }

    public int r() {
        return r;
    }

    public double alpha() {
        return alpha;
    }

    /** {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scaling() {
        return scaling;
    }

    /** {@code lora_A}, named {@code base_model.model.<module>.lora_A.weight}, held {@code [in, r]}. */
    public Parameter loraA() {
        return a;
    }

    /** {@code lora_B}, named {@code base_model.model.<module>.lora_B.weight}, held {@code [r, out]}. */
    public Parameter loraB() {
        return b;
    }

    /** PiSSA: the frozen initial factors are subtracted. */
    public boolean hasInitialFactors() {
        return a0 != null;
    }

    /** The scalar scaling as an NDArray (kept alive with the adapter; never a Number, see RECIPES). */
    NDArray scale() {
        return scale;
    }

    /** PiSSA's frozen {@code A0^T [in, r]} and {@code B0^T [r, out]}, or null. */
    NDArray[] initialFactors() {
        return a0 == null ? null : new NDArray[] {a0, b0};
    }

    LoraAdapter owner() {
        return owner;
    }
}
