package dev.kiln.engine.cpu;

import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Tensor;

/**
 * Max and average pooling over [batch, channels, height, width] in plain Java, split over the
 * batch * channels planes (each plane is independent: no two threads write one element).
 */
final class CpuPooling {
    private final Parallel parallel;

    CpuPooling(Parallel parallel) {
        this.parallel = parallel;
    }

    /** One output pixel's window on the input, clipped to the unpadded plane: rows [h0, h1), columns [w0, w1). */
    private record Window(int h0, int h1, int w0, int w1) {
        static Window of(Pool2dGeometry g, int oh, int ow) {
            int hStart = oh * g.strideH() - g.padH();
            int wStart = ow * g.strideW() - g.padW();
            return new Window(Math.max(hStart, 0), Math.min(hStart + g.kernelH(), g.height()),
                    Math.max(wStart, 0), Math.min(wStart + g.kernelW(), g.width()));
        }
    }

    private static int planes(Pool2dGeometry g) {
        return g.batch() * g.channels();
    }

    private static long workPerPlane(Pool2dGeometry g) {
        return (long) g.outH() * g.outW() * g.kernelH() * g.kernelW();
    }

    /** out = max over each window; indices = flat position {@code h * width + w} of that max in its plane. */
    void maxForward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices) {
        Data in = Data.of(input);
        Data o = Data.of(out);
        Data idx = Data.of(indices);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        parallel.forRange(planes(g), workPerPlane(g), (start, end) -> {
            for (int plane = start; plane < end; plane++) {
                int inBase = plane * inPlane;
                int outBase = plane * outPlane;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        Window w = Window.of(g, oh, ow);
                        int best = -1;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int h = w.h0(); h < w.h1(); h++) {
                            for (int x = w.w0(); x < w.w1(); x++) {
                                double v = in.get(inBase + h * g.width() + x);
                                if (best < 0 || v > max || Double.isNaN(v) && !Double.isNaN(max)) {
                                    max = v;
                                    best = h * g.width() + x;
                                }
                            }
                        }
                        o.set(outBase + oh * g.outW() + ow, max);
                        idx.set(outBase + oh * g.outW() + ow, best);
                    }
                }
            }
        });
    }

    /** gradInput = 0, then each gradOut element is added at its recorded index. */
    void maxBackward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        Data go = Data.of(gradOut);
        long[] idx = Data.indices(indices);
        Data gi = Data.of(gradInput);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        parallel.forRange(planes(g), (long) inPlane + outPlane, (start, end) -> {
            for (int plane = start; plane < end; plane++) {
                int inBase = plane * inPlane;
                int outBase = plane * outPlane;
                for (int i = 0; i < inPlane; i++) {
                    gi.set(inBase + i, 0);
                }
                for (int p = 0; p < outPlane; p++) {
                    int target = inBase + (int) idx[outBase + p];
                    gi.set(target, gi.get(target) + go.get(outBase + p));
                }
            }
        });
    }

    /** out = sum over each window / (kernelH * kernelW): padding counts as zeros (count_include_pad). */
    void avgForward(Tensor input, Pool2dGeometry g, Tensor out) {
        Data in = Data.of(input);
        Data o = Data.of(out);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        double divisor = (double) g.kernelH() * g.kernelW();
        parallel.forRange(planes(g), workPerPlane(g), (start, end) -> {
            for (int plane = start; plane < end; plane++) {
                int inBase = plane * inPlane;
                int outBase = plane * outPlane;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        Window w = Window.of(g, oh, ow);
                        double sum = 0;
                        for (int h = w.h0(); h < w.h1(); h++) {
                            for (int x = w.w0(); x < w.w1(); x++) {
                                sum += in.get(inBase + h * g.width() + x);
                            }
                        }
                        o.set(outBase + oh * g.outW() + ow, sum / divisor);
                    }
                }
            }
        });
    }

    /** gradInput = 0, then each gradOut element / (kernelH * kernelW) is added over its window. */
    void avgBackward(Tensor gradOut, Pool2dGeometry g, Tensor gradInput) {
        Data go = Data.of(gradOut);
        Data gi = Data.of(gradInput);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        double divisor = (double) g.kernelH() * g.kernelW();
        parallel.forRange(planes(g), workPerPlane(g) + inPlane, (start, end) -> {
            for (int plane = start; plane < end; plane++) {
                int inBase = plane * inPlane;
                int outBase = plane * outPlane;
                for (int i = 0; i < inPlane; i++) {
                    gi.set(inBase + i, 0);
                }
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        Window w = Window.of(g, oh, ow);
                        double share = go.get(outBase + oh * g.outW() + ow) / divisor;
                        for (int h = w.h0(); h < w.h1(); h++) {
                            for (int x = w.w0(); x < w.w1(); x++) {
                                int target = inBase + h * g.width() + x;
                                gi.set(target, gi.get(target) + share);
                            }
                        }
                    }
                }
            }
        });
    }
}
