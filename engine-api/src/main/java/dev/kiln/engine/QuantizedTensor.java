package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A quantised tensor, PyTorch's tensor of dtype {@code torch.quint8}, {@code qint8} or {@code qint32}: integer values
 * and their quantisation, per tensor ({@code per_tensor_affine}: one scale and zero point) or per channel
 * ({@code per_channel_affine}: a scale and zero point for each index along an axis), standing for
 * {@code (q - zeroPoint) * scale}. An immutable value held in host memory (nothing to close); {@link #intRepr()} and
 * {@link #dequantize()} make tensors on the engine's backend. Made by {@link Quantize}.
 */
public final class QuantizedTensor {
    private final int[] values;
    private final Shape shape;
    private final QuantizedDType dtype;
    private final double[] scales;
    private final int[] zeroPoints;
    /** The axis of per-channel scales; -1 for one scale. */
    private final int axis;

    /** Takes the arrays as they are: {@link Quantize} has checked them and hands them over. */
    QuantizedTensor(int[] values, Shape shape, QuantizedDType dtype, double[] scales, int[] zeroPoints, int axis) {
        this.values = values;
        this.shape = shape;
        this.dtype = dtype;
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.axis = axis;
    }

    /** Its shape. */
    public Shape shape() {
        return shape;
    }

    /** Its integer type. */
    public QuantizedDType dtype() {
        return dtype;
    }

    /** Whether it has one scale and zero point for each index along {@link #qPerChannelAxis()}. */
    public boolean isPerChannel() {
        return axis >= 0;
    }

    /**
     * The scale of a per-tensor quantisation, {@code q_scale()}.
     *
     * @throws IllegalStateException for a per-channel one
     */
    public double qScale() {
        requirePerTensor("qScale");
        return scales[0];
    }

    /**
     * The zero point of a per-tensor quantisation, {@code q_zero_point()}.
     *
     * @throws IllegalStateException for a per-channel one
     */
    public int qZeroPoint() {
        requirePerTensor("qZeroPoint");
        return zeroPoints[0];
    }

    /** The scales [channels] of a per-channel quantisation, {@code q_per_channel_scales()}. */
    public double[] qPerChannelScales() {
        requirePerChannel("qPerChannelScales");
        return scales.clone();
    }

    /** The zero points [channels] of a per-channel quantisation, {@code q_per_channel_zero_points()}. */
    public int[] qPerChannelZeroPoints() {
        requirePerChannel("qPerChannelZeroPoints");
        return zeroPoints.clone();
    }

    /** The axis of a per-channel quantisation (non-negative), {@code q_per_channel_axis()}. */
    public int qPerChannelAxis() {
        requirePerChannel("qPerChannelAxis");
        return axis;
    }

    /**
     * The same values and quantisation in shape {@code dims} (one may be -1, inferred), as PyTorch's
     * {@code reshape} of a per-tensor quantised tensor (a Flatten between quantised layers).
     *
     * @throws IllegalArgumentException when the sizes do not match
     * @throws IllegalStateException for a per-channel one, whose axis a reshape would lose
     */
    public QuantizedTensor reshape(int... dims) {
        requirePerTensor("reshape");
        int[] resolved = dims.clone();
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < resolved.length; d++) {
            if (resolved[d] == -1 && inferred < 0) {
                inferred = d;
            } else {
                known *= resolved[d];
            }
        }
        if (inferred >= 0 && known > 0 && values.length % known == 0) {
            resolved[inferred] = (int) (values.length / known);
            known *= resolved[inferred];
        }
        if (known != values.length || Arrays.stream(resolved).anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException("reshape: " + shape + " (" + values.length + " values) cannot become "
                    + Arrays.toString(dims));
        }
        return new QuantizedTensor(values, Shape.of(resolved), dtype, scales, zeroPoints, axis);
    }

    /** The integer values in row-major order, a copy. */
    public int[] values() {
        return values.clone();
    }

    /**
     * The integer values as an I32 tensor of its shape, {@code int_repr()} (PyTorch's is uint8, int8 or int32); the
     * caller closes it.
     */
    public Tensor intRepr() {
        return Tensor.fromArray(values.clone(), shape.dims());
    }

    /**
     * The values it stands for, {@code dequantize()}: F32 of its shape, {@code (q - zeroPoint) * scale}, the difference
     * taken exactly, as F32, times the F32 scale per tensor and the F64 scale per channel (as PyTorch 1.13's kernels);
     * the caller closes it. Where a QINT32's {@code q - zeroPoint} leaves the int32 range Kiln gives the true product,
     * where 1.13 wraps the difference around.
     */
    public Tensor dequantize() {
        float[] out = new float[values.length];
        long inner = isPerChannel() ? shape.inner(axis) : out.length;
        int channels = isPerChannel() ? shape.dim(axis) : 1;
        for (int i = 0; i < out.length; i++) {
            int c = (int) ((i / Math.max(inner, 1)) % channels);
            out[i] = isPerChannel() ? (float) ((float) (values[i] - (long) zeroPoints[c]) * scales[c])
                    : (float) (values[i] - (long) zeroPoints[c]) * (float) scales[c];
        }
        return Tensor.fromArray(out, shape.dims());
    }

    private void requirePerTensor(String what) {
        if (isPerChannel()) {
            throw new IllegalStateException(what + ": this tensor is quantised per channel along axis " + axis
                    + "; use qPerChannelScales / qPerChannelZeroPoints");
        }
    }

    private void requirePerChannel(String what) {
        if (!isPerChannel()) {
            throw new IllegalStateException(what + ": this tensor is quantised per tensor; use qScale / qZeroPoint");
        }
    }

    /**
     * Equal to another quantised tensor of the same shape, dtype, scheme, qparams (axis too) and integer values, as
     * PyTorch's {@code torch.equal} of two quantised tensors.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizedTensor q && axis == q.axis && dtype == q.dtype && shape.equals(q.shape)
                && Arrays.equals(scales, q.scales) && Arrays.equals(zeroPoints, q.zeroPoints)
                && Arrays.equals(values, q.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shape, dtype, axis, Arrays.hashCode(scales), Arrays.hashCode(zeroPoints),
                Arrays.hashCode(values));
    }

    /**
     * PyTorch 1.13's {@code repr}: the dequantised values as its tensors print them ({@link TensorRepr}), then the
     * size, dtype, scheme and qparams, per channel the scales as a float64 tensor and the zero points as an int64 one,
     * each on a new line where the line would pass 80 characters.
     */
    @Override
    public String toString() {
        List<String> suffixes = new ArrayList<>();
        int[] dims = shape.dims();
        String[] sizes = Arrays.stream(dims).mapToObj(Integer::toString).toArray(String[]::new);
        suffixes.add("size=(" + String.join(", ", sizes) + (dims.length == 1 ? ",)" : ")"));
        suffixes.add("dtype=" + dtype.torchName());
        if (isPerChannel()) {
            int[] channels = {scales.length};
            suffixes.add("quantization_scheme=torch.per_channel_affine");
            suffixes.add("scale=" + TensorRepr.of(scales, channels, true, List.of("dtype=torch.float64")));
            // An int64 tensor prints its dtype only when empty, having no values to show it by.
            suffixes.add("zero_point=" + TensorRepr.of(Arrays.stream(zeroPoints).asDoubleStream().toArray(), channels,
                    false, zeroPoints.length == 0 ? List.of("dtype=torch.int64") : List.of()));
            suffixes.add("axis=" + axis);
        } else {
            suffixes.add("quantization_scheme=torch.per_tensor_affine");
            suffixes.add("scale=" + TensorRepr.pythonFloat(scales[0]));
            suffixes.add("zero_point=" + zeroPoints[0]);
        }
        double[] dequantized;
        try (Tensor v = dequantize()) {
            dequantized = v.toDoubleArray();
        }
        return TensorRepr.of(dequantized, dims, true, suffixes);
    }
}
