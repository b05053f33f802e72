package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Clamping as PyTorch's hardtanh family does it: values limited to [min, max], with gradient 1 strictly inside and 0
 * at either bound and beyond. The bounds are filled in rather than computed, so infinite inputs give the bound and
 * NaN stays NaN.
 */
final class Clamp {
    private Clamp() {
    }

    /** {@code x} limited to [min, max]: any shape to the same. */
    static Tensor between(Tensor x, double min, double max) {
        return x.maskedFill(x.le(min), min).maskedFill(x.ge(max), max);
    }
}
