package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.FloatBuffer;
import java.util.function.DoubleSupplier;
import java.util.function.DoubleUnaryOperator;

/**
 * Batch normalisation over x viewed as [N, C, S] (S = H * W, or 1 for [N, C]), per channel. Every channel
 * is independent (its own values of x, out, gradInput and its own [C] entries), so the work splits over
 * channels with no two threads writing one element. Each channel's N runs of S values are first gathered
 * into one plain array (float for F32, without an epilogue; double otherwise): the sums then run as tight loops
 * the JIT can unroll instead of one buffer access per element (ResNet on Fashion-MNIST spent 16% of its time here
 * before). Sums and the normalisation run in double whatever the array holds, the
 * variance in two passes (mean first, then squared deviations) so that large offsets do not cancel. Each sum
 * keeps four running sums, so that an addition does not wait for the one before: [256, 64, 32, 32] forward
 * 17.3 -> 12.7 ms, backward 26.9 -> 22.3 ms. The forward pass may add a residual and apply an activation as it
 * writes each channel ({@link Epilogue}), saving a pass over the output for each.
 */
final class CpuBatchNorm {
    private final Parallel parallel;

    CpuBatchNorm(Parallel parallel) {
        this.parallel = parallel;
    }

    /** x's layout as [n, channels, spatial]. */
    private record Layout(int n, int channels, int spatial) {
        static Layout of(Tensor x) {
            int spatial = 1;
            for (int axis = 2; axis < x.rank(); axis++) {
                spatial *= x.dim(axis);
            }
            return new Layout(x.dim(0), x.dim(1), spatial);
        }

        int perChannel() {
            return Math.toIntExact((long) n * spatial);
        }

        int base(int sample, int channel) {
            return (sample * channels + channel) * spatial;
        }

        /** values[0 ..] = channel c of every sample, sample after sample; scratch from {@link Data#floats}. */
        void gather(Data data, int c, double[] values, float[] scratch) {
            for (int s = 0; s < n; s++) {
                data.read(base(s, c), values, s * spatial, spatial, scratch);
            }
        }

        /** Channel c of every sample = values[0 ..]. */
        void scatter(double[] values, int c, Data data, float[] scratch) {
            for (int s = 0; s < n; s++) {
                data.write(base(s, c), values, s * spatial, spatial, scratch);
            }
        }

        /** values[0 ..] = channel c of every sample of the F32 tensor t, sample after sample. */
        void gather(Tensor t, int c, float[] values) {
            FloatBuffer data = CpuElementwise.f32(t);
            int offset = CpuElementwise.offset(t);
            for (int s = 0; s < n; s++) {
                data.get(offset + base(s, c), values, s * spatial, spatial);
            }
        }

        /** Channel c of every sample of the F32 tensor t = values[0 ..]. */
        void scatter(float[] values, int c, Tensor t) {
            FloatBuffer data = CpuElementwise.f32(t);
            int offset = CpuElementwise.offset(t);
            for (int s = 0; s < n; s++) {
                data.put(offset + base(s, c), values, s * spatial, spatial);
            }
        }
    }

    /**
     * What a forward call does with each channel's statistics: weight and bias (null: none), the running statistics
     * (null: none), where to save the mean and invStd (null: nowhere), and {@code m} values a channel.
     */
    private record Statistics(Data weight, Data bias, Data runningMean, Data runningVar, Data saveMean,
                              Data saveInvStd, boolean training, double momentum, double eps, int m) {
        static Statistics of(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, Tensor saveMean,
                             Tensor saveInvStd, boolean training, double momentum, double eps, int m) {
            return new Statistics(data(weight), data(bias), data(runningMean), data(runningVar), data(saveMean),
                    data(saveInvStd), training, momentum, eps, m);
        }

        private static Data data(Tensor t) {
            return t == null ? null : Data.of(t);
        }

        /**
         * Channel c's {@code {scale, shift}}, its output being {@code x * scale + shift}: in training from its sum
         * and its squared deviations about the mean, which also update the running statistics; in inference from
         * the running statistics. Saves the mean and invStd it normalised with.
         */
        double[] affine(int c, DoubleSupplier sum, DoubleUnaryOperator squaredDeviations) {
            double mean;
            double invStd;
            if (training) {
                mean = sum.getAsDouble() / m;
                double squares = squaredDeviations.applyAsDouble(mean);
                invStd = 1 / Math.sqrt(squares / m + eps);
                if (runningMean != null) {
                    runningMean.set(c, (1 - momentum) * runningMean.get(c) + momentum * mean);
                }
                if (runningVar != null) {
                    runningVar.set(c, (1 - momentum) * runningVar.get(c) + momentum * (squares / (m - 1)));
                }
            } else {
                mean = runningMean.get(c);
                invStd = 1 / Math.sqrt(runningVar.get(c) + eps);
            }
            if (saveMean != null) {
                saveMean.set(c, mean);
            }
            if (saveInvStd != null) {
                saveInvStd.set(c, invStd);
            }
            double scale = invStd * (weight == null ? 1 : weight.get(c));
            return new double[] {scale, (bias == null ? 0 : bias.get(c)) - mean * scale};
        }
    }

    /**
     * out = activation(batchNorm(x) + residual), residual and activation each null when absent: the rounding and
     * values of the three ops in turn (F32 normalised values rounded before the residual is added in float, the
     * activation as {@link CpuElementwise#unary} applies it), with one pass over out instead of three.
     */
    private record Epilogue(Tensor residual, UnaryOp activation, double param) {
        boolean none() {
            return residual == null && activation == null;
        }

        /** Channel c of out = this epilogue over values, channel c of the normalised values. */
        void write(Layout l, double[] values, int c, Tensor out, float[] scratch) {
            if (out.dtype() == DType.F32) {
                writeF32(l, values, c, out, scratch);
                return;
            }
            if (residual != null) {
                Data r = Data.of(residual);
                int spatial = l.spatial();
                double[] run = new double[spatial];
                for (int s = 0; s < l.n(); s++) {
                    r.read(l.base(s, c), run, 0, spatial, scratch);
                    for (int k = 0; k < spatial; k++) {
                        values[s * spatial + k] += run[k];
                    }
                }
            }
            if (activation != null) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = CpuElementwise.forward(activation, param, values[i]);
                }
            }
            l.scatter(values, c, Data.of(out), scratch);
        }

        private void writeF32(Layout l, double[] values, int c, Tensor out, float[] run) {
            FloatBuffer o = CpuElementwise.f32(out);
            int outBase = CpuElementwise.offset(out);
            FloatBuffer r = residual == null ? null : CpuElementwise.f32(residual);
            int residualBase = residual == null ? 0 : CpuElementwise.offset(residual);
            float[] residualRun = residual == null ? null : new float[l.spatial()];
            CpuElementwise.FloatChunk act = activation == null ? null : CpuElementwise.unaryF32(activation, param);
            int spatial = l.spatial();
            for (int s = 0; s < l.n(); s++) {
                int base = l.base(s, c);
                for (int k = 0; k < spatial; k++) {
                    run[k] = (float) values[s * spatial + k];
                }
                if (r != null) {
                    r.get(residualBase + base, residualRun, 0, spatial);
                    for (int k = 0; k < spatial; k++) {
                        run[k] += residualRun[k];
                    }
                }
                if (act != null) {
                    act.apply(run, spatial);
                }
                o.put(outBase + base, run, 0, spatial);
            }
        }
    }

    void forward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                 double momentum, double eps, Tensor out, Tensor saveMean, Tensor saveInvStd) {
        forward(x, null, weight, bias, runningMean, runningVar, training, momentum, eps, null, 0, out, saveMean,
                saveInvStd);
    }

    /** {@link #forward} followed by {@link Epilogue}: the residual added (unless null), then the activation. */
    void forward(Tensor x, Tensor residual, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                 boolean training, double momentum, double eps, UnaryOp activation, double param, Tensor out,
                 Tensor saveMean, Tensor saveInvStd) {
        Epilogue epilogue = new Epilogue(residual, activation, param);
        Layout l = Layout.of(x);
        Statistics statistics = Statistics.of(weight, bias, runningMean, runningVar, saveMean, saveInvStd, training,
                momentum, eps, l.perChannel());
        if (epilogue.none() && x.dtype() == DType.F32) {
            if (training) {
                forwardF32(x, l, statistics, out);
            } else {
                inferenceF32(x, l, statistics, out);
            }
            return;
        }
        Data in = Data.of(x);
        Data o = Data.of(out);
        int m = l.perChannel();
        parallel.forRange(l.channels(), 3L * m, (start, end) -> {
            double[] values = new double[m];
            float[] scratch = Data.floats(l.spatial());
            for (int c = start; c < end; c++) {
                l.gather(in, c, values, scratch);
                double[] affine = statistics.affine(c, () -> sum(values), mean -> squaredDeviations(values, mean));
                double scale = affine[0];
                double shift = affine[1];
                for (int i = 0; i < m; i++) {
                    values[i] = values[i] * scale + shift;
                }
                if (epilogue.none()) {
                    l.scatter(values, c, o, scratch);
                } else {
                    epilogue.write(l, values, c, out, scratch);
                }
            }
        });
    }

    /**
     * The plain F32 forward pass: each channel read into a float array, summed and written from there, the same
     * double arithmetic as the generic path without its passes that widen the channel to doubles and narrow it
     * back. With {@link #backwardF32}, forward and backward of GroupNorm(32, 64)'s [1, 1024, 2048, 1] took 4.3
     * against 4.9 ms (best of 30, three alternating runs each, two threads), InstanceNorm2d(64)'s 3.6 against 4.5.
     */
    private void forwardF32(Tensor x, Layout l, Statistics statistics, Tensor out) {
        int m = l.perChannel();
        parallel.forRange(l.channels(), 3L * m, (start, end) -> {
            float[] values = new float[m];
            for (int c = start; c < end; c++) {
                l.gather(x, c, values);
                double[] affine = statistics.affine(c, () -> sum(values), mean -> squaredDeviations(values, mean));
                double scale = affine[0];
                double shift = affine[1];
                for (int i = 0; i < m; i++) {
                    values[i] = (float) (values[i] * scale + shift);
                }
                l.scatter(values, c, out);
            }
        });
    }

    /**
     * The F32 forward pass in inference mode, which needs no statistics of x: each sample's run of a channel scaled
     * and shifted as it streams through a small array, with the double arithmetic of {@link #forwardF32}, rather than
     * the whole channel gathered first. GroupNorm(32, 64)'s per-channel affine on [32, 64, 32, 32], as
     * [1, 2048, 1024, 1], took 1.2 against 3.9 ms in the operation profiler (one run each, two threads).
     */
    private void inferenceF32(Tensor x, Layout l, Statistics statistics, Tensor out) {
        int channels = l.channels();
        double[][] affine = new double[channels][];
        for (int c = 0; c < channels; c++) {
            affine[c] = statistics.affine(c, null, null); // inference reads no sums of x
        }
        FloatBuffer in = CpuElementwise.f32(x);
        int inBase = CpuElementwise.offset(x);
        FloatBuffer o = CpuElementwise.f32(out);
        int outBase = CpuElementwise.offset(out);
        int spatial = l.spatial();
        parallel.forRange(l.n() * channels, 2L * spatial, (start, end) -> {
            float[] run = new float[spatial];
            for (int r = start; r < end; r++) {
                double scale = affine[r % channels][0];
                double shift = affine[r % channels][1];
                in.get(inBase + r * spatial, run, 0, spatial);
                for (int k = 0; k < spatial; k++) {
                    run[k] = (float) (run[k] * scale + shift);
                }
                o.put(outBase + r * spatial, run, 0, spatial);
            }
        });
    }

    /** The SPI's batchNormBackward; gradInput may be gradOut itself, as each channel is read whole before it is written. */
    void backward(Tensor x, Tensor gradOut, Tensor weight, Tensor saveMean, Tensor saveInvStd, Tensor gradInput,
                  Tensor gradWeight, Tensor gradBias) {
        if (x.dtype() == DType.F32) {
            backwardF32(x, gradOut, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
            return;
        }
        Layout l = Layout.of(x);
        Data in = Data.of(x);
        Data go = Data.of(gradOut);
        Data w = weight == null ? null : Data.of(weight);
        Data sm = Data.of(saveMean);
        Data si = Data.of(saveInvStd);
        Data gi = gradInput == null ? null : Data.of(gradInput);
        Data gw = gradWeight == null ? null : Data.of(gradWeight);
        Data gb = gradBias == null ? null : Data.of(gradBias);
        int m = l.perChannel();
        parallel.forRange(l.channels(), 3L * m, (start, end) -> {
            double[] xhat = new double[m];
            double[] grad = new double[m];
            float[] scratch = Data.floats(l.spatial());
            for (int c = start; c < end; c++) {
                double mean = sm.get(c);
                double invStd = si.get(c);
                l.gather(in, c, xhat, scratch);
                l.gather(go, c, grad, scratch);
                for (int i = 0; i < m; i++) {
                    xhat[i] = (xhat[i] - mean) * invStd;
                }
                double sumG = sum(grad);
                double sumGXhat = dot(grad, xhat);
                if (gb != null) {
                    gb.set(c, sumG);
                }
                if (gw != null) {
                    gw.set(c, sumGXhat);
                }
                if (gi != null) {
                    double k = (w == null ? 1 : w.get(c)) * invStd;
                    double meanG = sumG / m;
                    double meanGXhat = sumGXhat / m;
                    for (int i = 0; i < m; i++) {
                        grad[i] = k * (grad[i] - meanG - xhat[i] * meanGXhat);
                    }
                    l.scatter(grad, c, gi, scratch);
                }
            }
        });
    }

    /**
     * {@link #backward} for F32: each channel of x and gradOut read into float arrays, x normalised on the fly
     * within the sums and the input's gradient, the same double arithmetic as the generic path in three loops
     * instead of seven.
     */
    private void backwardF32(Tensor x, Tensor gradOut, Tensor weight, Tensor saveMean, Tensor saveInvStd,
                             Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        Layout l = Layout.of(x);
        Data w = weight == null ? null : Data.of(weight);
        Data sm = Data.of(saveMean);
        Data si = Data.of(saveInvStd);
        Data gw = gradWeight == null ? null : Data.of(gradWeight);
        Data gb = gradBias == null ? null : Data.of(gradBias);
        int m = l.perChannel();
        parallel.forRange(l.channels(), 3L * m, (start, end) -> {
            float[] values = new float[m];
            float[] grad = new float[m];
            for (int c = start; c < end; c++) {
                double mean = sm.get(c);
                double invStd = si.get(c);
                l.gather(x, c, values);
                l.gather(gradOut, c, grad);
                double sumG = sum(grad);
                double sumGXhat = normalisedDot(grad, values, mean, invStd);
                if (gb != null) {
                    gb.set(c, sumG);
                }
                if (gw != null) {
                    gw.set(c, sumGXhat);
                }
                if (gradInput != null) {
                    double k = (w == null ? 1 : w.get(c)) * invStd;
                    double meanG = sumG / m;
                    double meanGXhat = sumGXhat / m;
                    for (int i = 0; i < m; i++) {
                        double xhat = (values[i] - mean) * invStd;
                        grad[i] = (float) (k * (grad[i] - meanG - xhat * meanGXhat));
                    }
                    l.scatter(grad, c, gradInput);
                }
            }
        });
    }

    private static double sum(float[] v) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < v.length; i += 4) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
        }
        for (; i < v.length; i++) {
            s0 += v[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double squaredDeviations(float[] v, double mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < v.length; i += 4) {
            double d0 = v[i] - mean;
            double d1 = v[i + 1] - mean;
            double d2 = v[i + 2] - mean;
            double d3 = v[i + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < v.length; i++) {
            double d = v[i] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of {@code g[i] * (x[i] - mean) * invStd}: the dot product of g and normalised x, as {@link #dot}. */
    private static double normalisedDot(float[] g, float[] x, double mean, double invStd) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < g.length; i += 4) {
            s0 += g[i] * ((x[i] - mean) * invStd);
            s1 += g[i + 1] * ((x[i + 1] - mean) * invStd);
            s2 += g[i + 2] * ((x[i + 2] - mean) * invStd);
            s3 += g[i + 3] * ((x[i + 3] - mean) * invStd);
        }
        for (; i < g.length; i++) {
            s0 += g[i] * ((x[i] - mean) * invStd);
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double sum(double[] v) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < v.length; i += 4) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
        }
        for (; i < v.length; i++) {
            s0 += v[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double squaredDeviations(double[] v, double mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < v.length; i += 4) {
            double d0 = v[i] - mean;
            double d1 = v[i + 1] - mean;
            double d2 = v[i + 2] - mean;
            double d3 = v[i + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < v.length; i++) {
            double d = v[i] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double dot(double[] a, double[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
