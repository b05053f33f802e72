package dev.kiln.distributions;

import dev.kiln.engine.DType;

/**
 * PyTorch's {@code torch.finfo} of a floating dtype (F32 or F64): the constants the distributions and transforms clamp
 * to, so that logs and divisions stay finite.
 */
public final class Finfo {
    private Finfo() {
    }

    /** The gap between 1 and the next number ({@code finfo.eps}): 2^-23 for F32, 2^-52 for F64. */
    public static double eps(DType dtype) {
        return dtype == DType.F64 ? Math.ulp(1.0) : Math.ulp(1.0f);
    }

    /** The smallest positive normal number ({@code finfo.tiny}): 2^-126 for F32, 2^-1022 for F64. */
    public static double tiny(DType dtype) {
        return dtype == DType.F64 ? Double.MIN_NORMAL : Float.MIN_NORMAL;
    }

    /** The most negative finite number ({@code finfo.min}). */
    public static double lowest(DType dtype) {
        return dtype == DType.F64 ? -Double.MAX_VALUE : -Float.MAX_VALUE;
    }
}
