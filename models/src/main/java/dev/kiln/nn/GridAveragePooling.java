package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * Adaptive and windowed average pooling of uint8 grid values as PyTorch 1.13's quantized {@code adaptive_avg_pool2d}
 * and {@code avg_pool2d} compute them on a channels-last quint8 tensor, the layout its quantized convolutions and
 * {@code add_relu} write: the output stays on the input's grid, each value
 * {@code zeroPoint + rint(float(sum(q - zeroPoint)) * float(1 / n))} over its window of n values ({@link AdaptivePool2d}'s
 * windows, or {@link AvgPool2d}'s with n its divisor), ties to even. The F32 mean of the grid values, rounded onto the
 * grid, differs from it near ties. On a contiguous tensor, such as an unbatched [channels, height, width] one, 1.13
 * rounds {@code avg_pool2d} as {@code rint(float(sum(q - zeroPoint)) * float(1 / n) + zeroPoint)}, ties to
 * even in q: what {@link AvgPool2d}'s windows on an unbatched input follow
 * (models/src/test/pytorch/quantized_adaptive_pool.py, quantized_avg_pool.py, quantized_avg_pool_unbatched.py).
 * The ONNX export writes the same arithmetic from its public methods (the layout, the windows' reciprocals).
 */
public final class GridAveragePooling {
    private GridAveragePooling() {
    }

    /**
     * {@code q} [planes, height, width] (uint8 values, row-major) pooled to [planes, outH, outW] on the grid of
     * {@code zeroPoint}; without {@code channelsLast} the zero point is added before rounding, as 1.13's kernel for
     * contiguous tensors does (an unbatched input is never channels-last).
     */
    static int[] pool(int[] q, int planes, int height, int width, int outH, int outW, int zeroPoint,
            boolean channelsLast) {
        int[] out = new int[planes * outH * outW];
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < outH; oh++) {
                int h0 = AdaptivePool2d.windowStart(oh, height, outH);
                int h1 = AdaptivePool2d.windowEnd(oh, height, outH);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = AdaptivePool2d.windowStart(ow, width, outW);
                    int w1 = AdaptivePool2d.windowEnd(ow, width, outW);
                    long sum = 0;
                    for (int h = h0; h < h1; h++) {
                        for (int w = w0; w < w1; w++) {
                            sum += q[(p * height + h) * width + w] - zeroPoint;
                        }
                    }
                    out[(p * outH + oh) * outW + ow] = rounded(sum, (h1 - h0) * (w1 - w0), zeroPoint, channelsLast);
                }
            }
        }
        return out;
    }

    /**
     * {@code q} [planes, height, width] (uint8 values, row-major) pooled by {@code pool}'s square windows on the grid of
     * {@code zeroPoint}, as 1.13's quantized {@code avg_pool2d} on a channels-last tensor: each window's
     * {@code q - zeroPoint} summed over its input elements (padding, as the zero point, adds nothing), divided by the
     * window's size with its padding ({@code count_include_pad}) or without it; in ceil mode a window never reaches
     * past the padded input. Without {@code channelsLast} the zero point is added before rounding, as 1.13's kernel
     * for contiguous tensors does (an unbatched input is never channels-last). [planes, outH, outW].
     */
    static int[] pool(int[] q, int planes, int height, int width, AvgPool2d pool, int zeroPoint,
            boolean channelsLast) {
        int outH = outputSize(height, pool);
        int outW = outputSize(width, pool);
        int[] out = new int[planes * outH * outW];
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < outH; oh++) {
                int top = Math.max(oh * pool.stride() - pool.padding(), 0);
                int bottom = Math.min(oh * pool.stride() - pool.padding() + pool.kernel(), height);
                for (int ow = 0; ow < outW; ow++) {
                    int left = Math.max(ow * pool.stride() - pool.padding(), 0);
                    int right = Math.min(ow * pool.stride() - pool.padding() + pool.kernel(), width);
                    long sum = 0;
                    for (int h = top; h < bottom; h++) {
                        for (int w = left; w < right; w++) {
                            sum += q[(p * height + h) * width + w] - zeroPoint;
                        }
                    }
                    out[(p * outH + oh) * outW + ow] = rounded(sum, divisor(oh, ow, height, width, pool), zeroPoint,
                            channelsLast);
                }
            }
        }
        return out;
    }

    /**
     * The divisor of {@code pool}'s window at (oh, ow) over a height x width input: the window clipped to the padded
     * input with {@code count_include_pad}, else to the input itself.
     */
    private static int divisor(int oh, int ow, int height, int width, AvgPool2d pool) {
        int k = pool.kernel();
        int pad = pool.padding();
        int h0 = oh * pool.stride() - pad;
        int w0 = ow * pool.stride() - pad;
        int h1 = Math.min(h0 + k, height + pad);
        int w1 = Math.min(w0 + k, width + pad);
        if (pool.countIncludePad()) {
            return (h1 - h0) * (w1 - w0);
        }
        return (Math.min(h1, height) - Math.max(h0, 0)) * (Math.min(w1, width) - Math.max(w0, 0));
    }

    /**
     * The F32 {@code 1 / n} each of {@code pool}'s windows over a height x width input multiplies its sum by,
     * [outH * outW] row-major: what an export needs to round as these poolings do.
     */
    public static float[] reciprocals(int height, int width, AvgPool2d pool) {
        int outH = outputSize(height, pool);
        int outW = outputSize(width, pool);
        float[] r = new float[outH * outW];
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                r[oh * outW + ow] = 1f / divisor(oh, ow, height, width, pool);
            }
        }
        return r;
    }

    /** The F32 {@code 1 / n} of each adaptive window of a height x width input pooled to outH x outW, row-major. */
    public static float[] reciprocals(int height, int width, int outH, int outW) {
        float[] r = new float[outH * outW];
        for (int oh = 0; oh < outH; oh++) {
            int rows = AdaptivePool2d.windowEnd(oh, height, outH) - AdaptivePool2d.windowStart(oh, height, outH);
            for (int ow = 0; ow < outW; ow++) {
                int cols = AdaptivePool2d.windowEnd(ow, width, outW) - AdaptivePool2d.windowStart(ow, width, outW);
                r[oh * outW + ow] = 1f / (rows * cols);
            }
        }
        return r;
    }

    /** {@code pool}'s output size along an axis of {@code in} positions, as PyTorch's pooling computes it. */
    public static int outputSize(int in, AvgPool2d pool) {
        int span = in + 2 * pool.padding() - pool.kernel();
        int s = pool.stride();
        int out = (pool.ceilMode() ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        // In ceil mode the last window must start inside the input or its left padding.
        return pool.ceilMode() && (out - 1) * s >= in + pool.padding() ? out - 1 : out;
    }

    /**
     * {@code zeroPoint + rint(float(sum) * float(1 / divisor))} on [0, 255] (PyTorch's float multiplier, lrintf) with
     * {@code channelsLast}, else {@code rint(float(sum) * float(1 / divisor) + zeroPoint)}, ties to even in q itself.
     */
    private static int rounded(long sum, int divisor, int zeroPoint, boolean channelsLast) {
        float mean = (float) sum * (1f / divisor);
        int q = channelsLast ? zeroPoint + (int) Math.rint(mean) : (int) Math.rint(mean + zeroPoint);
        return Math.max(0, Math.min(255, q));
    }

    /**
     * Whether 1.13 pools a quint8 tensor of {@code dims} with its channels-last kernel: a batched quantised layer's
     * output is channels-last; a {@code QuantStub}'s output ({@code stubOutput}: the model input quantised, NCHW
     * contiguous) is so too only where one channel or a 1 x 1 plane makes both layouts one; an unbatched tensor never
     * is (quantize_static_pool_first.py).
     */
    public static boolean channelsLast(int[] dims, boolean stubOutput) {
        return dims.length == 4 && (!stubOutput || dims[1] == 1 || dims[2] * dims[3] == 1);
    }

    /**
     * {@code x} [batch, channels, height, width] or unbatched [channels, height, width] (F32 values on {@code grid},
     * as a converted model hands them over; any other value, such as the model's input, is first rounded onto it)
     * pooled to [batch, channels, outH, outW] (or [channels, outH, outW]), F32 values on {@code grid}, rounded as 1.13
     * rounds a quantised tensor of that layout ({@link #channelsLast}; {@code stubOutput}: x is the model's input).
     */
    static Tensor pool(Tensor x, int outH, int outW, Uint8Grid grid, boolean stubOutput) {
        int[] dims = x.shape().dims();
        boolean channelsLast = channelsLast(dims, stubOutput);
        dims[dims.length - 2] = outH;
        dims[dims.length - 1] = outW;
        int height = x.dim(-2);
        int width = x.dim(-1);
        int[] pooled = pool(onGrid(x, grid), (int) (x.size() / ((long) height * width)), height, width, outH, outW,
                grid.zeroPoint(), channelsLast);
        return values(pooled, x, dims, grid);
    }

    /**
     * {@code x} [batch, channels, height, width] or unbatched [channels, height, width] (F32 values on {@code grid};
     * any other value, such as the model's input, is first rounded onto it) pooled by {@code pool}'s windows to
     * [batch, channels, outH, outW] (or [channels, outH, outW]), F32 values on {@code grid}, rounded as 1.13 rounds a
     * quantised tensor of that layout ({@link #channelsLast}; {@code stubOutput}: x is the model's input).
     */
    static Tensor pool(Tensor x, AvgPool2d pool, Uint8Grid grid, boolean stubOutput) {
        int[] dims = outputShape(x.shape().dims(), pool);
        int height = x.dim(-2);
        int width = x.dim(-1);
        int[] pooled = pool(onGrid(x, grid), (int) (x.size() / ((long) height * width)), height, width, pool,
                grid.zeroPoint(), channelsLast(x.shape().dims(), stubOutput));
        return values(pooled, x, dims, grid);
    }

    /** {@code pool}'s output shape for an input of {@code dims} ([batch,] channels, height, width). */
    static int[] outputShape(int[] dims, AvgPool2d pool) {
        int[] out = dims.clone();
        out[out.length - 2] = outputSize(dims[dims.length - 2], pool);
        out[out.length - 1] = outputSize(dims[dims.length - 1], pool);
        return out;
    }

    /** x's values as integers on {@code grid}. */
    private static int[] onGrid(Tensor x, Uint8Grid grid) {
        float[] values = x.toFloatArray();
        int[] q = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            q[i] = grid.quantize(values[i]);
        }
        return q;
    }

    /** {@code pooled} as the F32 grid values of shape {@code dims}, on x's backend. */
    private static Tensor values(int[] pooled, Tensor x, int[] dims, Uint8Grid grid) {
        float[] out = new float[pooled.length];
        for (int i = 0; i < pooled.length; i++) {
            out[i] = grid.dequantize(pooled[i]);
        }
        Tensor host = Tensor.fromArray(out, dims);
        if (host.backend() == x.backend()) {
            return host;
        }
        try (host) {
            return host.to(x.backend());
        }
    }
}
