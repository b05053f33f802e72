package dev.kiln.engine;

/**
 * How one call of {@link Backend#int8Linear} quantises its input: asymmetric uint8, {@code q = clamp(round(x / scale
 * + zeroPoint), 0, 255)}, rounding half to even, with {@code x ~ (q - zeroPoint) * scale}. Made by
 * {@link Int8Quantization#input}.
 */
public record InputQuantization(float scale, int zeroPoint) {

    /** {@code x}'s quantised value in [0, 255], in F32 arithmetic as PyTorch's quantize_per_tensor. */
    public int quantize(float x) {
        float shifted = x / scale + zeroPoint;
        return (int) Math.max(0, Math.min(255, Math.rint(shifted)));
    }
}
