package dev.kiln.distributions.transforms;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/** PyTorch's {@code torch.finfo} of a tensor's floating dtype, for the transforms' clamps. */
final class Finfo {
    private Finfo() {
    }

    /** The smallest positive normal number ({@code finfo.tiny}). */
    static double tiny(Tensor like) {
        return like.dtype() == DType.F64 ? Double.MIN_NORMAL : Float.MIN_NORMAL;
    }

    /** The gap between 1 and the next number ({@code finfo.eps}). */
    static double eps(Tensor like) {
        return like.dtype() == DType.F64 ? Math.ulp(1.0) : Math.ulp(1.0f);
    }
}
