package dev.kiln.engine;

/**
 * How one call of {@link Backend#int8Linear} quantises its input: asymmetric uint8, {@code q = clamp(zeroPoint +
 * round(x * inverse), 0, 255)} with {@code inverse = 1 / scale} in F32, rounding half to even, as PyTorch's
 * {@code quantize_val}; {@code x ~ (q - zeroPoint) * scale}. Made by {@link Int8Quantization#input}.
 */
public final class InputQuantization {
    private final float scale;
    private final int zeroPoint;
    /** PyTorch multiplies by the F32 reciprocal: a quotient can round the other way at a tie. */
    private final float inverse;

    InputQuantization(float scale, int zeroPoint) {
        this.scale = scale;
        this.zeroPoint = zeroPoint;
        this.inverse = 1f / scale;
    }

    public float scale() {
        return scale;
    }

    public int zeroPoint() {
        return zeroPoint;
    }

    /** {@code 1 / scale} in F32. */
    public float inverse() {
        return inverse;
    }

    /** {@code x}'s quantised value in [0, 255], in F32 arithmetic. */
    public int quantize(float x) {
        return (int) Math.max(0, Math.min(255, zeroPoint + Math.rint(x * inverse)));
    }

    @Override
    public String toString() {
        return "InputQuantization(scale=" + scale + ", zeroPoint=" + zeroPoint + ")";
    }
}
