package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * What {@link LazyLinear} and {@link LazyConv2d} share, PyTorch's {@code LazyModuleMixin}: until the first forward pass
 * the weight (and bias) are uninitialized parameters, registered under their names as empty F32 tensors of shape [0]
 * (PyTorch's {@code UninitializedParameter} shows the same shape); the first input fixes the input size, and the
 * parameters are then drawn with the eager layer's initialisation from the engine's seeded stream, in the input's
 * dtype and on its device, and put in their place.
 * An optimizer made before then is refused by the optimizer ({@link UninitializedParameter}), as it would hold the
 * placeholders rather than the parameters the layer then trains; loading a state dict needs the first pass too.
 */
abstract class LazyModule extends Module {
    private boolean initialized;

    LazyModule(boolean bias) {
        registerParameter("weight", placeholder());
        registerParameter("bias", bias ? placeholder() : null);
    }

    private static Tensor placeholder() {
        return UninitializedParameter.mark(unscoped(() -> Tensor.zeros(DType.F32, 0)));
    }

    /** True once the first forward pass has drawn the parameters. */
    public boolean initialized() {
        return initialized;
    }

    /**
     * Draws the parameters for input {@code x} on its first call: the weight of {@code weightDims}, then the bias of
     * {@code biasSize}, each uniform in {@code +-bound} in x's dtype and on its device (the eager layer's order and
     * bounds), each keeping whether its placeholder was frozen.
     *
     * @throws IllegalArgumentException naming the layer for an input that is not F32 or F64
     */
    final void initializeFor(Tensor x, int[] weightDims, int biasSize, double bound) {
        if (initialized) {
            return;
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(describe() + ": the first input must be F32 or F64, got " + x.dtype());
        }
        // Both placeholders leave before either parameter comes, so that the weight stays ahead of the bias.
        Tensor weight = removeParameter("weight");
        Tensor bias = removeParameter("bias");
        adopt("weight", unscoped(() -> x.uniformLike(-bound, bound, Shape.of(weightDims))), weight);
        if (bias != null) {
            adopt("bias", unscoped(() -> x.uniformLike(-bound, bound, Shape.of(biasSize))), bias);
        }
        initialized = true;
    }

    /**
     * PyTorch's name for the layer: {@code LazyLinear} until the first forward pass, then the eager layer's
     * ({@code Linear}), as PyTorch's lazy module turns into it.
     */
    @Override
    protected String typeName() {
        String lazy = super.typeName();
        return initialized && lazy.startsWith("Lazy") ? lazy.substring("Lazy".length()) : lazy;
    }

    private void adopt(String name, Tensor fresh, Tensor placeholder) {
        registerParameter(name, fresh);
        fresh.requiresGrad(placeholder.requiresGrad());
        placeholder.close();
    }
}
