package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;

/**
 * The options of a {@link TransformerEncoderLayer} or {@link TransformerDecoderLayer} (and of the stacks built
 * from them) that PyTorch's layers take as keywords: {@code normFirst} (PyTorch's {@code norm_first}: true for
 * pre-norm, where each residual branch normalises its input; false for PyTorch's default post-norm, where each
 * residual sum is normalised), the feed-forward {@code activation} ("relu", or "gelu" for the exact erf GELU of
 * PyTorch's {@code F.gelu}; or, as PyTorch's callable activation, {@code activationFunction}, any function of a tensor
 * that keeps its shape, in which case {@code activation} is null) and every LayerNorm's {@code layerNormEps} (PyTorch's
 * {@code layer_norm_eps}). The layer that takes them checks them, naming itself in the error.
 *
 * <p>{@code new TransformerEncoderLayer(d, heads, ff, dropout)} uses {@link #preNorm()}, Kiln's default;
 * {@link #postNorm()} is PyTorch's: {@code TransformerLayerOptions.postNorm().withActivation("gelu")} matches
 * {@code norm_first=False, activation="gelu"}.
 */
public record TransformerLayerOptions(boolean normFirst, String activation, double layerNormEps,
                                      UnaryOperator<Tensor> activationFunction) {
    /** Kiln's default: pre-norm, ReLU, eps 1e-5 (PyTorch's {@code norm_first=True}). */
    public static TransformerLayerOptions preNorm() {
        return new TransformerLayerOptions(true, "relu", 1e-5, null);
    }

    /** PyTorch's defaults: post-norm, ReLU, eps 1e-5 ({@code norm_first=False}). */
    public static TransformerLayerOptions postNorm() {
        return new TransformerLayerOptions(false, "relu", 1e-5, null);
    }

    public TransformerLayerOptions withNormFirst(boolean value) {
        return new TransformerLayerOptions(value, activation, layerNormEps, activationFunction);
    }

    /** "relu" or "gelu". */
    public TransformerLayerOptions withActivation(String value) {
        return new TransformerLayerOptions(normFirst, value, layerNormEps, null);
    }

    /**
     * Any function of a tensor that keeps its shape, PyTorch's callable {@code activation}: {@code Tensor::silu}, or a
     * parameter-free module's {@code call} ({@code new GELU("tanh")::call}). A module with parameters is not registered
     * by the layer, so its parameters would be neither trained nor saved.
     */
    public TransformerLayerOptions withActivation(UnaryOperator<Tensor> function) {
        return new TransformerLayerOptions(normFirst, null, layerNormEps, function);
    }

    /** Positive and finite. */
    public TransformerLayerOptions withLayerNormEps(double value) {
        return new TransformerLayerOptions(normFirst, activation, value, activationFunction);
    }

    /**
     * Throws, naming {@code layer} and the value, for a named activation other than relu and gelu, neither a name
     * nor a function, or a bad eps.
     */
    void check(String layer) {
        if (activationFunction == null && !"relu".equals(activation) && !"gelu".equals(activation)) {
            throw new IllegalArgumentException(layer + ": activation must be \"relu\", \"gelu\" or a function, got "
                    + (activation == null ? "null" : "\"" + activation + "\""));
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException(layer + ": layerNormEps must be positive and finite, got " + layerNormEps);
        }
    }

    /** The feed-forward activation of {@code x}, any shape. */
    Tensor activate(Tensor x) {
        if (activationFunction != null) {
            return activationFunction.apply(x);
        }
        return "gelu".equals(activation) ? x.gelu() : x.relu();
    }

    /** PyTorch's keywords for a layer's describe(): norm_first, and activation and eps where not the default. */
    String describe() {
        String named = activationFunction != null ? ", activation=function" : "relu".equals(activation) ? ""
                : ", activation=" + activation;
        return "norm_first=" + PythonRepr.bool(normFirst) + named
                + (layerNormEps == 1e-5 ? "" : ", layer_norm_eps=" + PythonRepr.number(layerNormEps));
    }
}
