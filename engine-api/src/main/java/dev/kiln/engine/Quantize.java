package dev.kiln.engine;

/**
 * PyTorch's {@code torch.quantize_per_tensor}, {@code torch.quantize_per_channel} and
 * {@code torch.quantize_per_tensor_dynamic} (1.13 semantics): F32 values to a {@link QuantizedTensor}. Each value
 * becomes {@code zeroPoint + rint(x * (1 / scale))}, the reciprocal of the F32 scale in F32, rounded half to even, the
 * zero point added in F32, clamped to the dtype's range. As PyTorch 1.13's kernels, NaN, the infinities and values
 * whose rounded quotient reaches 2^63 in magnitude (they overflow its int64 cast) give the dtype's minimum. The values
 * are computed on the host, exactly.
 */
public final class Quantize {
    private static final float TWO_TO_63 = 0x1p63f;

    private Quantize() {
    }

    /**
     * {@code x} (F32, any shape) quantised with one {@code scale} and {@code zeroPoint}.
     *
     * @throws IllegalArgumentException for a non-F32 x, a scale that is not positive and finite, or a zero point
     *     outside the dtype's range
     */
    public static QuantizedTensor perTensor(Tensor x, double scale, int zeroPoint, QuantizedDType dtype) {
        String op = "Quantize.perTensor";
        float[] values = hostValues(op, x);
        checkScale(op, "scale", scale);
        dtype.checkZeroPoint(op, "zero point", zeroPoint);
        int[] q = new int[values.length];
        float inverse = 1f / (float) scale;
        for (int i = 0; i < q.length; i++) {
            q[i] = quantize(values[i], inverse, zeroPoint, dtype);
        }
        return new QuantizedTensor(q, x.shape(), dtype, new double[] {scale}, new int[] {zeroPoint}, -1);
    }

    /**
     * {@code x} (F32, any shape) quantised along {@code axis} (negative counts from the end): slice {@code c} with
     * {@code scales[c]} and {@code zeroPoints[c]}.
     *
     * @throws IllegalArgumentException for a non-F32 x, an axis out of range, scales or zero points whose length is
     *     not x's size along the axis, a scale that is not positive and finite, or a zero point outside the range
     */
    public static QuantizedTensor perChannel(Tensor x, double[] scales, int[] zeroPoints, int axis,
                                             QuantizedDType dtype) {
        String op = "Quantize.perChannel";
        float[] values = hostValues(op, x);
        Shape shape = x.shape();
        if (axis < -shape.rank() || axis >= shape.rank()) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + shape
                    + ", expected [" + -shape.rank() + ", " + shape.rank() + ")");
        }
        int a = shape.axis(axis);
        int channels = shape.dim(a);
        if (scales.length != channels || zeroPoints.length != channels) {
            throw new IllegalArgumentException(op + ": " + scales.length + " scales and " + zeroPoints.length
                    + " zero points for " + channels + " channels along axis " + a + " of " + shape);
        }
        for (int c = 0; c < channels; c++) {
            checkScale(op, "scale of channel " + c, scales[c]);
            dtype.checkZeroPoint(op, "zero point of channel " + c, zeroPoints[c]);
        }
        long inner = shape.inner(a);
        int[] q = new int[values.length];
        for (int i = 0; i < q.length; i++) {
            int c = (int) ((i / inner) % channels);
            q[i] = quantize(values[i], 1f / (float) scales[c], zeroPoints[c], dtype);
        }
        return new QuantizedTensor(q, shape, dtype, scales.clone(), zeroPoints.clone(), a);
    }

    /**
     * {@code x} (F32) quantised per tensor with the qparams of its range widened to include 0, as
     * {@code torch.quantize_per_tensor_dynamic(x, dtype, reduceRange)}: PyTorch's {@code choose_qparams} over [0, 255]
     * or [-128, 127], halved to [0, 127] / [-64, 63] where {@code reduceRange}, a scale below 6.1e-5 raised to it
     * with the range widened about 0 to match (its {@code SMALL_SCALE_THRESHOLD}).
     *
     * @throws IllegalArgumentException for a non-F32 x, a QINT32 dtype, an empty x (as PyTorch raises), or x holding
     *                                  NaN or an infinity
     */
    public static QuantizedTensor perTensorDynamic(Tensor x, QuantizedDType dtype, boolean reduceRange) {
        String op = "Quantize.perTensorDynamic";
        float[] values = hostValues(op, x);
        if (dtype == QuantizedDType.QINT32) {
            throw new IllegalArgumentException(op + ": dtype must be QUINT8 or QINT8, got QINT32");
        }
        if (values.length == 0) {
            // PyTorch 1.13 raises here too: it takes min() of the empty tensor.
            throw new IllegalArgumentException(op + ": x of shape " + x.shape() + " is empty; an empty tensor has no"
                    + " range to choose qparams from");
        }
        float min = 0;
        float max = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(op + ": x holds " + v + "; its range gives no grid");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int qmin = reduceRange ? dtype.min() / 2 : dtype.min();
        int qmax = reduceRange ? dtype.max() / 2 : dtype.max();
        double scale = ((double) max - min) / (qmax - qmin);
        if ((float) scale == 0f || Float.isInfinite(1f / (float) scale)) {
            scale = 0.1;
        }
        if (scale < Int8Quantization.SMALL_SCALE) {
            // As ChooseQuantizationParams: the range widened about 0 to the smallest scale's, in F32.
            float original = (float) scale;
            scale = Int8Quantization.SMALL_SCALE;
            if (min == 0) {
                max = Int8Quantization.SMALL_SCALE * (qmax - qmin);
            } else if (max == 0) {
                min = -Int8Quantization.SMALL_SCALE * (qmax - qmin);
            } else {
                float amplifier = Int8Quantization.SMALL_SCALE / original;
                min *= amplifier;
                max *= amplifier;
            }
        }
        return perTensor(x, scale, zeroPoint(min, max, scale, qmin, qmax), dtype);
    }

    /** PyTorch's choice of zero point: from the end of the range whose error is smaller, nudged into [qmin, qmax]. */
    private static int zeroPoint(float min, float max, double scale, int qmin, int qmax) {
        double fromMin = qmin - min / scale;
        double fromMax = qmax - max / scale;
        double errorMin = Math.abs(qmin) - Math.abs(min / scale);
        double errorMax = Math.abs(qmax) - Math.abs(max / scale);
        double initial = errorMin < errorMax ? fromMin : fromMax;
        return (int) Math.max(qmin, Math.min(qmax, Math.rint(initial)));
    }

    /** One value quantised as PyTorch 1.13's {@code quantize_val}: the zero point added in F32, int64 overflow low. */
    static int quantize(float x, float inverse, int zeroPoint, QuantizedDType dtype) {
        float rounded = (float) Math.rint(x * inverse);
        if (Float.isNaN(rounded) || Math.abs(rounded) >= TWO_TO_63) {
            return dtype.min();
        }
        float shifted = zeroPoint + rounded;
        if (Math.abs(shifted) >= TWO_TO_63) {
            return dtype.min();
        }
        return (int) Math.max(dtype.min(), Math.min(dtype.max(), (long) shifted));
    }

    private static float[] hostValues(String op, Tensor x) {
        Checks.open(op, x);
        if (x.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": x must be F32, got " + x.dtype());
        }
        return x.toFloatArray();
    }

    private static void checkScale(String op, String which, double scale) {
        if (!(scale > 0) || !Double.isFinite(scale) || !((float) scale > 0) || Float.isInfinite((float) scale)) {
            throw new IllegalArgumentException(op + ": " + which + " must be positive and finite in F32, got " + scale);
        }
    }
}
