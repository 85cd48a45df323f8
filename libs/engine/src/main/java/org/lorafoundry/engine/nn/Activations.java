package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.List;
import java.util.function.UnaryOperator;

/** MLP activations by the names transformers uses in {@code hidden_act} / {@code activation_function}. */
public final class Activations {
    /** Names accepted by {@link #byName}. */
    public static final List<String> SUPPORTED = List.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu",
            "silu", "swish", "relu");

    private Activations() {
    }

    /** The activation named as in transformers' {@code ACT2FN}; constants come from {@code scalars}. */
    public static UnaryOperator<NDArray> byName(String name, Scalars scalars) {
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> geluTanh(scalars);
            case "gelu" -> Activation::gelu;
            case "silu", "swish" -> silu(scalars);
            case "relu" -> Activation::relu;
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'; supported: "
                    + String.join(", ", SUPPORTED));
        };
    }

    /**
     * GELU, tanh approximation (transformers' {@code NewGELUActivation}, GPT-2's {@code gelu_new}):
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
     */
    public static UnaryOperator<NDArray> geluTanh(Scalars scalars) {
        NDArray half = scalars.of(0.5f);
        NDArray one = scalars.of(1.0f);
        NDArray three = scalars.of(3.0f);
        NDArray coeff = scalars.of(0.044715f);
        NDArray sqrt2OverPi = scalars.of((float) Math.sqrt(2.0 / Math.PI));
        return x -> {
            NDArray inner = x.add(x.pow(three).mul(coeff)).mul(sqrt2OverPi);
            return x.mul(half).mul(inner.tanh().add(one));
        };
    }

    /**
     * SiLU: {@code x * sigmoid(x)}. Two libtorch ops (and two backward nodes), where {@code x / (1 + exp(-x))} took
     * four: the benchmark's profile of a Llama step showed the composed form's neg/exp/add/div beside PEFT's one
     * {@code aten::silu}.
     */
    public static UnaryOperator<NDArray> silu(Scalars scalars) {
        return x -> x.mul(Activation.sigmoid(x));
    }
}
