package dev.kiln.nn;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;

/**
 * What tensors take on the engine's backend, its allocator's rounding included: the yardstick of the tests that
 * check what a forward pass or a search leaves in memory.
 */
public final class BytesInUse {
    private BytesInUse() {
    }

    /** Bytes one tensor of {@code t}'s shape and dtype takes. */
    public static long ofOneLike(Tensor t) {
        return ofOne(t.dtype(), t.shape().dims());
    }

    /** Bytes one tensor of {@code dtype} and {@code dims} takes. */
    public static long ofOne(DType dtype, int... dims) {
        Backend backend = Engine.get().backend();
        long before = backend.bytesInUse();
        try (Tensor probe = Tensor.zeros(dtype, dims)) {
            return backend.bytesInUse() - before;
        }
    }
}
