package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * PyTorch's fake quantisation, {@code torch.fake_quantize_per_tensor_affine} and
 * {@code torch.fake_quantize_per_channel_affine}: each value rounded onto an affine integer grid and back,
 * {@code (clamp(round(x * (1 / scale)) + zeroPoint, quantMin, quantMax) - zeroPoint) * scale}, the reciprocal taken in
 * F32 and the rounding half to even, as PyTorch 1.13's CPU kernel ({@code nearbyint(x * inv_scale)}), so that F32
 * values match it bit for bit; NaN goes to quantMin, as PyTorch's, where {@code quantize_per_tensor} gives NaN the
 * dtype's minimum. The result keeps x's shape and dtype. Per tensor it is one backend
 * pass ({@link Backend#fakeQuantizePerTensor}, by default composed of elementwise ops); per channel it is composed of
 * elementwise ops, so every backend runs both.
 *
 * <p>The gradient is the straight-through estimator: the output's gradient where the rounded value
 * {@code round(x * (1 / scale)) + zeroPoint} lies within [quantMin, quantMax], else 0: the gradient times that mask,
 * as PyTorch's {@code dY * mask}. Scale and zero point are constants, as in PyTorch's non-learnable ops.
 */
public final class FakeQuantization {
    private static final String PER_TENSOR = "fakeQuantizePerTensorAffine";
    private static final String PER_CHANNEL = "fakeQuantizePerChannelAffine";

    private FakeQuantization() {
    }

    /**
     * {@code x} (any shape, floating) rounded onto the grid of {@code scale} and {@code zeroPoint} within
     * [quantMin, quantMax].
     *
     * @throws IllegalArgumentException when x is not floating, the scale is not positive and finite, quantMin exceeds
     *     quantMax or the zero point lies outside [quantMin, quantMax]
     */
    public static Tensor perTensorAffine(Tensor x, float scale, int zeroPoint, int quantMin, int quantMax) {
        Checks.open(PER_TENSOR, x);
        Checks.floating(PER_TENSOR, x);
        checkRange(PER_TENSOR, quantMin, quantMax);
        checkScale(PER_TENSOR, scale, "");
        checkZeroPoint(PER_TENSOR, zeroPoint, quantMin, quantMax, "");
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        Tensor mask = x.emptyLike(x.shape(), x.dtype());
        // One backend pass makes the values and the straight-through mask, and the backward pass is one product,
        // where the op composed of Tensor ops took seven passes forward and six backward.
        x.backend().fakeQuantizePerTensor(x, scale, zeroPoint, quantMin, quantMax, out, mask);
        out.recordWithSaved(PER_TENSOR, new Tensor[] {x},
                Node.differentiable(g -> new Tensor[] {Composite.gradient(() -> g.mul(mask))}), mask);
        return out;
    }

    /**
     * {@code x} with each slice along {@code axis} rounded onto its own grid: {@code scales[c]} and
     * {@code zeroPoints[c]} for index c of that axis, within [quantMin, quantMax]. PyTorch takes the scales and zero
     * points as tensors; here they are host arrays of x.dim(axis) values.
     *
     * @throws IllegalArgumentException when x is not floating, the axis is out of range, the arrays do not have
     *     x.dim(axis) values, a scale is not positive and finite, quantMin exceeds quantMax or a zero point lies
     *     outside [quantMin, quantMax]
     */
    public static Tensor perChannelAffine(Tensor x, float[] scales, int[] zeroPoints, int axis, int quantMin,
                                          int quantMax) {
        Checks.open(PER_CHANNEL, x);
        Checks.floating(PER_CHANNEL, x);
        checkRange(PER_CHANNEL, quantMin, quantMax);
        if (axis < -x.rank() || axis >= x.rank()) {
            throw new IllegalArgumentException(PER_CHANNEL + ": axis " + axis + " is out of range for input "
                    + x.shape());
        }
        int a = x.shape().axis(axis);
        if (scales.length != x.dim(a) || zeroPoints.length != x.dim(a)) {
            throw new IllegalArgumentException(PER_CHANNEL + ": input " + x.shape() + " has " + x.dim(a)
                    + " channels on axis " + a + " but got " + scales.length + " scales and " + zeroPoints.length
                    + " zero points");
        }
        float[] inverses = new float[scales.length];
        float[] zeros = new float[scales.length];
        for (int c = 0; c < scales.length; c++) {
            checkScale(PER_CHANNEL, scales[c], " " + c);
            checkZeroPoint(PER_CHANNEL, zeroPoints[c], quantMin, quantMax, " " + c);
            inverses[c] = 1f / scales[c];
            zeros[c] = zeroPoints[c];
        }
        return Composite.op(PER_CHANNEL, x, () -> {
            Tensor zero = alongAxis(x, a, zeros);
            Tensor q = x.mul(alongAxis(x, a, inverses)).round().add(zero);
            return q.nanToNum(quantMin, quantMax, quantMin).clamp(quantMin, quantMax).sub(zero)
                    .mul(alongAxis(x, a, scales));
        }, (out, g) -> passedWithin(g, x.mul(alongAxis(x, a, inverses)).round().add(alongAxis(x, a, zeros)),
                quantMin, quantMax));
    }

    /**
     * {@code g} times the mask {@code quantMin <= q <= quantMax} (1 or 0): the straight-through estimator, as PyTorch's
     * {@code dY * mask}.
     */
    private static Tensor passedWithin(Tensor g, Tensor q, double quantMin, double quantMax) {
        Tensor mask = ElementwiseOps.compareScalar(BinaryOp.GE, q, quantMin)
                .mul(ElementwiseOps.compareScalar(BinaryOp.LE, q, quantMax));
        return g.mul(mask);
    }

    /** {@code values} as a tensor of x's dtype and backend, laid along axis {@code a} and of size 1 on the others. */
    private static Tensor alongAxis(Tensor x, int a, float[] values) {
        int[] dims = new int[x.rank()];
        Arrays.fill(dims, 1);
        dims[a] = values.length;
        Tensor out = x.emptyLike(Shape.of(dims), x.dtype());
        if (x.dtype() == DType.F64) {
            double[] wide = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                wide[i] = values[i];
            }
            x.backend().copyFromHost(DoubleBuffer.wrap(wide), out);
        } else {
            x.backend().copyFromHost(FloatBuffer.wrap(values), out);
        }
        return out;
    }

    private static void checkRange(String op, int quantMin, int quantMax) {
        if (quantMin > quantMax) {
            throw new IllegalArgumentException(op + ": quantMin " + quantMin + " must not exceed quantMax " + quantMax);
        }
    }

    private static void checkScale(String op, float scale, String which) {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException(op + ": scale" + which + " must be positive and finite, got " + scale);
        }
    }

    private static void checkZeroPoint(String op, int zeroPoint, int quantMin, int quantMax, String which) {
        if (zeroPoint < quantMin || zeroPoint > quantMax) {
            throw new IllegalArgumentException(op + ": zero point" + which + " " + zeroPoint
                    + " must lie in [quantMin, quantMax] = [" + quantMin + ", " + quantMax + "]");
        }
    }
}
