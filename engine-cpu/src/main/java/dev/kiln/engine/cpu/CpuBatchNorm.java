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
 * into one plain array (float for F32; double otherwise), so that its passes run as tight loops.
 * <p>
 * F64 works in double throughout: sums with four running sums each (so that an addition does not wait for the one
 * before), the variance in two passes (mean first, then squared deviations) so that large offsets do not cancel.
 * F32 works in float, in loops that C2 vectorises: the sums in {@link CompensatedLanes} (nearly as accurate as in
 * double: the mean from deviations from the channel's first value, the variance from squared deviations about the
 * mean),
 * the normalisation and the backward pass's input gradient one FMA chain per element, about x's mean rounded to
 * float with the rest of the mean folded into the shift, so that a mean large against the spread costs no accuracy.
 * The result stays within a few float ulps of the exact value relative to the channel's output scale
 * (CpuBatchNormAccuracyTest). F32 [256, 64, 32, 32] on two threads against the loops in double per value before (best
 * of 8, one run each): training forward 16.5 -> 9.8 ms, with backward (through autograd) 53.6 -> 33.6 ms, inference
 * forward 10.0 -> 6.7 ms; [32, 64, 32, 32]: 1.49 -> 0.73, 5.85 -> 3.68 and 0.73 -> 0.27 ms. The
 * forward pass may add a residual and apply an activation as it writes each channel, saving a pass over the output
 * for each. Inference mode's forward, which needs no statistics of x, is {@link CpuBatchNormInference}'s single pass.
 */
final class CpuBatchNorm {
    private final Parallel parallel;
    private final CpuBatchNormInference inference;

    CpuBatchNorm(Parallel parallel) {
        this.parallel = parallel;
        this.inference = new CpuBatchNormInference(parallel);
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
     * What a training-mode forward call does with each channel's statistics: weight and bias (null: none), the
     * running statistics to update (null: none), where to save the mean and invStd (null: nowhere), and {@code m}
     * values a channel.
     */
    private record Statistics(Data weight, Data bias, Data runningMean, Data runningVar, Data saveMean,
                              Data saveInvStd, double momentum, double eps, int m) {
        static Statistics of(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, Tensor saveMean,
                             Tensor saveInvStd, double momentum, double eps, int m) {
            return new Statistics(data(weight), data(bias), data(runningMean), data(runningVar), data(saveMean),
                    data(saveInvStd), momentum, eps, m);
        }

        private static Data data(Tensor t) {
            return t == null ? null : Data.of(t);
        }

        /**
         * Channel c's normalisation from its sum and its squared deviations about the mean, which also update the
         * running statistics. Saves the mean and invStd it normalises with.
         */
        Normalisation normalisation(int c, DoubleSupplier sum, DoubleUnaryOperator squaredDeviations) {
            double mean = sum.getAsDouble() / m;
            double squares = squaredDeviations.applyAsDouble(mean);
            double invStd = 1 / Math.sqrt(squares / m + eps);
            if (runningMean != null) {
                runningMean.set(c, (1 - momentum) * runningMean.get(c) + momentum * mean);
            }
            if (runningVar != null) {
                runningVar.set(c, (1 - momentum) * runningVar.get(c) + momentum * (squares / (m - 1)));
            }
            if (saveMean != null) {
                saveMean.set(c, mean);
            }
            if (saveInvStd != null) {
                saveInvStd.set(c, invStd);
            }
            double scale = invStd * (weight == null ? 1 : weight.get(c));
            return new Normalisation(mean, scale, bias == null ? 0 : bias.get(c));
        }
    }

    /** A channel's output {@code (x - mean) * scale + shift}. */
    record Normalisation(double mean, double scale, double shift) {
        /** v normalised in double. */
        double apply(double v) {
            return (v - mean) * scale + shift;
        }

        /** meanHigh of {@link #applyF32}: the mean rounded to float. */
        float meanF32() {
            return (float) mean;
        }

        float scaleF32() {
            return (float) scale;
        }

        /** shift' of {@link #applyF32}: the shift less the mean's rounding error times the scale. */
        float shiftF32() {
            return (float) (shift - (mean - meanF32()) * scale);
        }

        /**
         * v[from, to) = this normalisation of them in float: {@code fma(v - meanHigh, scale, shift')}, meanHigh the
         * mean rounded to float (v - meanHigh exact for the values near it) and shift' = shift - (mean - meanHigh) *
         * scale, so that the mean's rounding moves no value; one rounding more than the FMA's where the CPU has none.
         */
        void applyF32(float[] v, int from, int to) {
            applyF32(v, from, to, meanF32(), scaleF32(), shiftF32());
        }

        /** v[from, to) = {@code fma(v - meanHigh, s, t)}: {@link #applyF32(float[], int, int)} from its constants. */
        static void applyF32(float[] v, int from, int to, float meanHigh, float s, float t) {
            if (FusedMultiplyAdd.IN_HARDWARE) {
                for (int i = from; i < to; i++) {
                    v[i] = Math.fma(v[i] - meanHigh, s, t);
                }
            } else {
                for (int i = from; i < to; i++) {
                    v[i] = (v[i] - meanHigh) * s + t;
                }
            }
        }
    }

    /**
     * out = activation(batchNorm(x) + residual), residual and activation each null when absent: the values of the
     * three ops in turn (the normalised values rounded before the residual is added, the activation as
     * {@link CpuElementwise#unary} applies it), with one pass over out instead of three.
     */
    private record Epilogue(Tensor residual, UnaryOp activation, double param) {
        boolean none() {
            return residual == null && activation == null;
        }

        /** Channel c of out (not F32) = this epilogue over values, channel c of the normalised values. */
        void write(Layout l, double[] values, int c, Tensor out, float[] scratch) {
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

        /** values (channel c, normalised, F32) = this epilogue over them. */
        void applyF32(Layout l, float[] values, int c, float[] residualValues) {
            if (residual != null) {
                l.gather(residual, c, residualValues);
                for (int i = 0; i < values.length; i++) {
                    values[i] += residualValues[i];
                }
            }
            if (activation != null) {
                CpuElementwise.unaryF32(activation, param).apply(values, values.length);
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
        if (!training) {
            inference.forward(x, residual, weight, bias, runningMean, runningVar, eps, activation, param, out,
                    saveMean, saveInvStd);
            return;
        }
        Epilogue epilogue = new Epilogue(residual, activation, param);
        Layout l = Layout.of(x);
        Statistics statistics = Statistics.of(weight, bias, runningMean, runningVar, saveMean, saveInvStd, momentum,
                eps, l.perChannel());
        if (x.dtype() == DType.F32) {
            forwardF32(x, l, statistics, epilogue, out);
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
                Normalisation f = statistics.normalisation(c, () -> RunningSums.sum(values),
                        mean -> squaredDeviations(values, mean));
                for (int i = 0; i < m; i++) {
                    values[i] = f.apply(values[i]);
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
     * The F32 forward pass: each channel read into a float array, its statistics from {@link CompensatedLanes} (the
     * mean from the deviations from the channel's first value, then the squared deviations about the mean rounded
     * to float, less the square of that rounding), normalised, given the epilogue and written back.
     */
    private void forwardF32(Tensor x, Layout l, Statistics statistics, Epilogue epilogue, Tensor out) {
        int m = l.perChannel();
        parallel.forRange(l.channels(), 3L * m, (start, end) -> {
            float[] values = new float[m];
            float[] residualValues = epilogue.residual() == null ? null : new float[m];
            CompensatedLanes lanes = new CompensatedLanes();
            for (int c = start; c < end; c++) {
                l.gather(x, c, values);
                float pivot = m == 0 ? 0 : values[0];
                Normalisation f = statistics.normalisation(c,
                        () -> m * (double) pivot + lanes.sumOfDifferences(values, m, pivot),
                        mean -> squaredDeviations(lanes, values, mean));
                f.applyF32(values, 0, m);
                epilogue.applyF32(l, values, c, residualValues);
                l.scatter(values, c, out);
            }
        });
    }

    /**
     * The sum of {@code (v[i] - mean)^2} from the squared deviations about the mean rounded to float: their sum is
     * theirs less {@code m * rest^2}, rest the mean's rounding error, as the deviations about it sum to
     * {@code m * rest}. At least 0, which a constant channel could miss by a rounding.
     */
    static double squaredDeviations(CompensatedLanes lanes, float[] v, double mean) {
        float meanHigh = (float) mean;
        double rest = mean - meanHigh;
        return Math.max(0, lanes.sumOfSquaredDifferences(v, v.length, meanHigh) - v.length * rest * rest);
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
                double sumG = RunningSums.sum(grad);
                double sumGXhat = RunningSums.dot(grad, xhat);
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
     * {@link #backward} for F32: each channel of x and gradOut read into float arrays, the two sums from
     * {@link CompensatedLanes} (x's deviations from the saved mean in float), the input's gradient
     * {@code k * (g - mean(g) - xhat * mean(g * xhat))} as one FMA chain in g and x - mean per element.
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
            CompensatedLanes lanes = new CompensatedLanes();
            for (int c = start; c < end; c++) {
                float mean = (float) sm.get(c);
                double invStd = si.get(c);
                l.gather(x, c, values);
                l.gather(gradOut, c, grad);
                double sumG = lanes.sumOfDifferences(grad, m, 0);
                double sumGXhat = lanes.dotOfDifferences(grad, values, m, mean) * invStd;
                if (gb != null) {
                    gb.set(c, sumG);
                }
                if (gw != null) {
                    gw.set(c, sumGXhat);
                }
                if (gradInput != null) {
                    double k = (w == null ? 1 : w.get(c)) * invStd;
                    inputGradient(grad, values, 0, m, mean, (float) k, (float) (-k * invStd * sumGXhat / m),
                            (float) (-k * sumG / m));
                    l.scatter(grad, c, gradInput);
                }
            }
        });
    }

    /**
     * g[from, to) = {@code k * g + perDeviation * (x - mean) + shift}, one rounding fewer where the CPU has FMA.
     */
    static void inputGradient(float[] g, float[] x, int from, int to, float mean, float k, float perDeviation,
                              float shift) {
        if (FusedMultiplyAdd.IN_HARDWARE) {
            for (int i = from; i < to; i++) {
                g[i] = Math.fma(k, g[i], Math.fma(perDeviation, x[i] - mean, shift));
            }
        } else {
            for (int i = from; i < to; i++) {
                g[i] = k * g[i] + (perDeviation * (x[i] - mean) + shift);
            }
        }
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
}
