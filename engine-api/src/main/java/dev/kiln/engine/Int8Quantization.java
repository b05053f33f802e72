package dev.kiln.engine;

/**
 * The arithmetic of dynamic int8 quantisation, as PyTorch 1.13's {@code quantize_dynamic} with its per-channel
 * qconfig ({@code per_channel_dynamic_qconfig}) does it on x86: weights symmetric int8 with one scale per output row,
 * inputs asymmetric uint8 over each call's minimum and maximum with the reduced range [0, 127] (fbgemm's and oneDNN's
 * {@code reduce_range}, which leaves headroom where u8 x s8 pairs are summed in 16 bits). Every backend computes the
 * same quantised values from these.
 */
public final class Int8Quantization {
    /** The input's reduced range: [0, 127] of uint8's [0, 255]. */
    static final int INPUT_QMIN = 0;
    static final int INPUT_QMAX = 127;
    /** Below this an input scale is raised to it, its range widened about zero (PyTorch's SMALL_SCALE_THRESHOLD). */
    static final float SMALL_SCALE = 6.1e-5f;
    /** The smallest weight scale (PyTorch's observers clamp to float32's epsilon). */
    static final float MIN_WEIGHT_SCALE = Math.ulp(1.0f);

    private Int8Quantization() {
    }

    /**
     * The scale of a weight row whose largest magnitude is {@code absMax}: {@code absMax / 127.5} (half of int8's 255
     * steps), at least float32's epsilon, as PyTorch's symmetric observers.
     */
    public static float weightScale(float absMax) {
        return Math.max(absMax / 127.5f, MIN_WEIGHT_SCALE);
    }

    /**
     * {@code w}'s int8 value in a row of {@code scale}: {@code clamp(round(w * (1 / scale)), -128, 127)}, half to even,
     * the reciprocal in F32 as PyTorch's {@code quantize_val} (a row's largest magnitude divided by its scale is
     * 127.5 exactly, where times the reciprocal it can fall either side).
     */
    public static int quantizeWeight(float w, float scale) {
        return (int) Math.max(-128, Math.min(127, Math.rint(w * (1f / scale))));
    }

    /**
     * The quantisation of an input whose elements lie in [min, max]: the range widened to hold 0, scaled onto
     * [0, 127], and the zero point taken from whichever end loses less, rounded and kept in range (PyTorch's
     * {@code ChooseQuantizationParams} with {@code reduce_range}).
     *
     * @throws IllegalArgumentException when min or max is not finite or min exceeds max
     */
    public static InputQuantization input(float min, float max) {
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("int8Linear: the input's range [" + min + ", " + max
                    + "] must be finite and ordered to quantise it");
        }
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        int steps = INPUT_QMAX - INPUT_QMIN;
        double scale = ((double) hi - lo) / steps;
        if ((float) scale == 0f || Float.isInfinite(1f / (float) scale)) {
            scale = 0.1;
        }
        if (scale < SMALL_SCALE) {
            float widen = (float) (SMALL_SCALE / scale);
            scale = SMALL_SCALE;
            if (lo == 0) {
                hi = SMALL_SCALE * steps;
            } else if (hi == 0) {
                lo = -SMALL_SCALE * steps;
            } else {
                lo *= widen;
                hi *= widen;
            }
        }
        double fromMin = INPUT_QMIN - lo / scale;
        double fromMax = INPUT_QMAX - hi / scale;
        double errorMin = Math.abs(INPUT_QMIN) - Math.abs(lo / scale);
        double errorMax = Math.abs(INPUT_QMAX) - Math.abs(hi / scale);
        double zero = errorMin < errorMax ? fromMin : fromMax;
        int zeroPoint = zero < INPUT_QMIN ? INPUT_QMIN : zero > INPUT_QMAX ? INPUT_QMAX : (int) Math.rint(zero);
        return new InputQuantization((float) scale, zeroPoint);
    }
}
