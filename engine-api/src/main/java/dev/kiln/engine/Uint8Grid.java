package dev.kiln.engine;

/**
 * The grid of a static uint8 quantisation, PyTorch's {@code quint8} qparams: {@code q = clamp(zeroPoint + round(x *
 * (1 / scale)), 0, 255)} (the reciprocal in F32, rounding half to even; NaN to 0) and back
 * {@code x = (q - zeroPoint) * scale} in F32. Kiln has no uint8 dtype: a tensor "on the grid" is an F32 tensor of
 * such values, and quantising it again with the same grid gives back its q exactly.
 *
 * @param scale the step between neighbouring values, positive and finite
 * @param zeroPoint the q of 0.0, in [0, 255]
 */
public record Uint8Grid(float scale, int zeroPoint) {
    public Uint8Grid {
        if (!(scale > 0) || !Float.isFinite(scale) || zeroPoint < 0 || zeroPoint > 255) {
            throw new IllegalArgumentException("Uint8Grid: the scale must be positive and finite and the zero point"
                    + " in [0, 255], got scale " + scale + " and zero point " + zeroPoint);
        }
    }

    /** {@code x}'s q in [0, 255]; NaN's is 0, as PyTorch 1.13's {@code quantize_per_tensor} gives it. */
    public int quantize(float x) {
        if (Float.isNaN(x)) {
            return 0;
        }
        return (int) Math.max(0, Math.min(255, zeroPoint + Math.rint(x * (1f / scale))));
    }

    /** The value of {@code q}: {@code (q - zeroPoint) * scale} in F32. */
    public float dequantize(int q) {
        return (q - zeroPoint) * scale;
    }
}
