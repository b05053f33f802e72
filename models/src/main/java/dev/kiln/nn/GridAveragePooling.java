package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * Adaptive average pooling of uint8 grid values as PyTorch 1.13's quantized {@code adaptive_avg_pool2d} computes it on
 * a channels-last quint8 tensor, the layout its quantized convolutions and {@code add_relu} write: the output stays on
 * the input's grid, each value {@code zeroPoint + rint(float(sum(q - zeroPoint)) * float(1 / n))} over its window of n
 * values ({@link AdaptivePool2d}'s windows), ties to even. The F32 mean of the grid values, rounded onto the grid,
 * differs from it near ties; on a contiguous tensor 1.13 rounds {@code rint(float(sum(q)) / n)}, ties to even in q
 * itself, which a converted model never asks for (models/src/test/pytorch/quantized_adaptive_pool.py).
 */
final class GridAveragePooling {
    private GridAveragePooling() {
    }

    /**
     * {@code q} [planes, height, width] (uint8 values, row-major) pooled to [planes, outH, outW] on the grid of
     * {@code zeroPoint}.
     */
    static int[] pool(int[] q, int planes, int height, int width, int outH, int outW, int zeroPoint) {
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
                    // PyTorch's float multiplier 1 / n and float product, then lrintf.
                    float mean = (float) sum * (1f / ((h1 - h0) * (w1 - w0)));
                    int rounded = zeroPoint + (int) Math.rint(mean);
                    out[(p * outH + oh) * outW + ow] = Math.max(0, Math.min(255, rounded));
                }
            }
        }
        return out;
    }

    /**
     * {@code x} [batch, channels, height, width] (F32 values on {@code grid}, as a converted model hands them over;
     * any other value is first rounded onto it) pooled to [batch, channels, outH, outW], F32 values on {@code grid}.
     */
    static Tensor pool(Tensor x, int outH, int outW, Uint8Grid grid) {
        float[] values = x.toFloatArray();
        int[] q = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            q[i] = grid.quantize(values[i]);
        }
        int[] pooled = pool(q, x.dim(0) * x.dim(1), x.dim(2), x.dim(3), outH, outW, grid.zeroPoint());
        float[] out = new float[pooled.length];
        for (int i = 0; i < pooled.length; i++) {
            out[i] = grid.dequantize(pooled[i]);
        }
        Tensor host = Tensor.fromArray(out, x.dim(0), x.dim(1), outH, outW);
        if (host.backend() == x.backend()) {
            return host;
        }
        try (host) {
            return host.to(x.backend());
        }
    }
}
