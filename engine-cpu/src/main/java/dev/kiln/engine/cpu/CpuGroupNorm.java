package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Group normalisation over x viewed as [N, C, S] in groups of {@code C / groups} consecutive channels: each
 * sample's group is one contiguous run of M = C / groups * S values, normalised by its own statistics, so the work
 * splits over the N * groups runs with no two threads writing one element. The per-channel weight and bias are
 * applied as each channel's slice of the run is written, and the backward pass sums each (sample, channel)'s
 * gradient terms as it goes, so that the weight's and bias's gradients need no pass of their own: two passes over
 * x forward, two over x and gradOut backward, where batch norm of the groups and then of the channels made five.
 * <p>
 * F32 as {@link CpuBatchNorm} does it (the normalisation and the input's gradient one FMA chain per element about
 * the mean rounded to float), but the sums in {@link BlockSums}, each channel's two backward sums in one pass over
 * it; other dtypes in double. Against {@link CompensatedLanes}' sums, the backward's in two passes (forward and
 * backward kernels, F32, 2 threads, medians of 4 alternating runs, 2026-12-06): [32, 64, 32, 32] in 32 groups
 * 2.33 -> 1.54 and 3.28 -> 2.36 ms, [8, 256, 16, 16] in 8 groups 0.42 -> 0.29 and 1.03 -> 0.51 ms.
 */
final class CpuGroupNorm {
    private final Parallel parallel;

    CpuGroupNorm(Parallel parallel) {
        this.parallel = parallel;
    }

    /** x as [n, channels, spatial] in {@code groups} groups; run i (sample i / groups) holds {@link #m} values. */
    private record Layout(int n, int channels, int spatial, int groups) {
        static Layout of(Tensor x, int groups) {
            int spatial = Math.toIntExact(x.size() / ((long) x.dim(0) * x.dim(1)));
            return new Layout(x.dim(0), x.dim(1), spatial, groups);
        }

        int channelsPerGroup() {
            return channels / groups;
        }

        int m() {
            return channelsPerGroup() * spatial;
        }

        int runs() {
            return n * groups;
        }

        /** The channel of run i's j-th channel. */
        int channel(int run, int j) {
            return run % groups * channelsPerGroup() + j;
        }
    }

    /** The SPI's groupNormForward. */
    void forward(Tensor x, int groups, Tensor weight, Tensor bias, double eps, Tensor out, Tensor saveMean,
                 Tensor saveInvStd) {
        Layout l = Layout.of(x, groups);
        Data w = weight == null ? null : Data.of(weight);
        Data b = bias == null ? null : Data.of(bias);
        Data sm = Data.of(saveMean);
        Data si = Data.of(saveInvStd);
        if (x.dtype() == DType.F32) {
            forwardF32(x, l, w, b, eps, out, sm, si);
            return;
        }
        Data in = Data.of(x);
        Data o = Data.of(out);
        int m = l.m();
        int s = l.spatial();
        parallel.forRange(l.runs(), 3L * m, (start, end) -> {
            double[] v = new double[m];
            for (int run = start; run < end; run++) {
                in.read(run * m, v, 0, m);
                double mean = sum(v, 0, m) / m;
                double invStd = 1 / Math.sqrt(squaredDeviations(v, mean) / m + eps);
                sm.set(run, mean);
                si.set(run, invStd);
                for (int j = 0; j < l.channelsPerGroup(); j++) {
                    int c = l.channel(run, j);
                    double scale = invStd * (w == null ? 1 : w.get(c));
                    double shift = b == null ? 0 : b.get(c);
                    for (int i = j * s; i < (j + 1) * s; i++) {
                        v[i] = (v[i] - mean) * scale + shift;
                    }
                }
                o.write(run * m, v, 0, m);
            }
        });
    }

    private void forwardF32(Tensor x, Layout l, Data w, Data b, double eps, Tensor out, Data sm, Data si) {
        FloatBuffer in = CpuElementwise.f32(x);
        int inOffset = CpuElementwise.offset(x);
        FloatBuffer o = CpuElementwise.f32(out);
        int outOffset = CpuElementwise.offset(out);
        double[] weights = perChannel(l, w, 1);
        double[] biases = perChannel(l, b, 0);
        double[] means = new double[l.runs()];
        double[] invStds = new double[l.runs()];
        int m = l.m();
        int s = l.spatial();
        parallel.forRange(l.runs(), 3L * m, (start, end) -> {
            float[] v = new float[m];
            BlockSums sums = new BlockSums();
            for (int run = start; run < end; run++) {
                in.get(inOffset + run * m, v, 0, m);
                float pivot = v[0];
                double mean = (m * (double) pivot + sums.sumOfDifferences(v, 0, m, pivot)) / m;
                double invStd = 1 / Math.sqrt(sums.squaredDeviations(v, 0, m, mean) / m + eps);
                means[run] = mean;
                invStds[run] = invStd;
                for (int j = 0; j < l.channelsPerGroup(); j++) {
                    int c = l.channel(run, j);
                    new CpuBatchNorm.Normalisation(mean, invStd * weights[c], biases[c])
                            .applyF32(v, j * s, (j + 1) * s);
                }
                o.put(outOffset + run * m, v, 0, m);
            }
        });
        sm.write(0, means, 0, l.runs());
        si.write(0, invStds, 0, l.runs());
    }

    /** The [C] values of t, or {@code absent} for each channel where t is null. */
    private static double[] perChannel(Layout l, Data t, double absent) {
        double[] values = new double[l.channels()];
        if (t == null) {
            Arrays.fill(values, absent);
        } else {
            t.read(0, values, 0, l.channels());
        }
        return values;
    }

    /**
     * The SPI's groupNormBackward. Each (sample, channel)'s sums of gradOut and of gradOut * xhat go to
     * [N, C] arrays, which the weight's and bias's gradients then sum over the samples in order.
     */
    void backward(Tensor x, Tensor gradOut, int groups, Tensor weight, Tensor saveMean, Tensor saveInvStd,
                  Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        Layout l = Layout.of(x, groups);
        double[] sumG = new double[l.n() * l.channels()];
        double[] sumGXhat = new double[l.n() * l.channels()];
        if (x.dtype() == DType.F32) {
            boolean channelSums = weight != null || gradWeight != null || gradBias != null;
            backwardF32(x, gradOut, l, weight, saveMean, saveInvStd, gradInput, channelSums, sumG, sumGXhat);
        } else {
            backwardDouble(x, gradOut, l, weight, saveMean, saveInvStd, gradInput, sumG, sumGXhat);
        }
        sumOverSamples(l, sumGXhat, gradWeight);
        sumOverSamples(l, sumG, gradBias);
    }

    private void backwardF32(Tensor x, Tensor gradOut, Layout l, Tensor weight, Tensor saveMean, Tensor saveInvStd,
                             Tensor gradInput, boolean channelSums, double[] sumG, double[] sumGXhat) {
        FloatBuffer in = CpuElementwise.f32(x);
        int inOffset = CpuElementwise.offset(x);
        FloatBuffer go = CpuElementwise.f32(gradOut);
        int goOffset = CpuElementwise.offset(gradOut);
        double[] weights = perChannel(l, weight == null ? null : Data.of(weight), 1);
        double[] means = new double[l.runs()];
        double[] invStds = new double[l.runs()];
        Data.of(saveMean).read(0, means, 0, l.runs());
        Data.of(saveInvStd).read(0, invStds, 0, l.runs());
        int m = l.m();
        int s = l.spatial();
        parallel.forRange(l.runs(), 3L * m, (start, end) -> {
            float[] v = new float[m];
            float[] g = new float[m];
            BlockSums sums = new BlockSums();
            for (int run = start; run < end; run++) {
                in.get(inOffset + run * m, v, 0, m);
                go.get(goOffset + run * m, g, 0, m);
                float mean = (float) means[run];
                double invStd = invStds[run];
                // Over the group, the sums of gxhat = g * weight and of gxhat * xhat, each channel's two in one pass:
                // from each channel's, where there is a weight or the parameters' gradients need them, else
                // (affine=False) over the run at once.
                double sumGxhat = 0;
                double sumGxhatXhat = 0;
                if (channelSums) {
                    int sample = run / l.groups();
                    for (int j = 0; j < l.channelsPerGroup(); j++) {
                        int c = l.channel(run, j);
                        BlockSums.SumAndDot channel = sums.sumAndDotOfDifferences(g, v, j * s, s, mean);
                        double channelGXhat = channel.dot() * invStd;
                        sumG[sample * l.channels() + c] = channel.sum();
                        sumGXhat[sample * l.channels() + c] = channelGXhat;
                        sumGxhat += weights[c] * channel.sum();
                        sumGxhatXhat += weights[c] * channelGXhat;
                    }
                } else {
                    BlockSums.SumAndDot group = sums.sumAndDotOfDifferences(g, v, 0, m, mean);
                    sumGxhat = group.sum();
                    sumGxhatXhat = group.dot() * invStd;
                }
                if (gradInput == null) {
                    continue;
                }
                float perDeviation = (float) (-invStd * invStd * sumGxhatXhat / m);
                float shift = (float) (-invStd * sumGxhat / m);
                for (int j = 0; j < l.channelsPerGroup(); j++) {
                    float k = (float) (weights[l.channel(run, j)] * invStd);
                    CpuBatchNorm.inputGradient(g, v, j * s, (j + 1) * s, mean, k, perDeviation, shift);
                }
                CpuElementwise.f32(gradInput).put(CpuElementwise.offset(gradInput) + run * m, g, 0, m);
            }
        });
    }

    private void backwardDouble(Tensor x, Tensor gradOut, Layout l, Tensor weight, Tensor saveMean,
                                Tensor saveInvStd, Tensor gradInput, double[] sumG, double[] sumGXhat) {
        Data in = Data.of(x);
        Data go = Data.of(gradOut);
        Data w = weight == null ? null : Data.of(weight);
        Data sm = Data.of(saveMean);
        Data si = Data.of(saveInvStd);
        Data gi = gradInput == null ? null : Data.of(gradInput);
        int m = l.m();
        int s = l.spatial();
        parallel.forRange(l.runs(), 3L * m, (start, end) -> {
            double[] xhat = new double[m];
            double[] g = new double[m];
            for (int run = start; run < end; run++) {
                in.read(run * m, xhat, 0, m);
                go.read(run * m, g, 0, m);
                double mean = sm.get(run);
                double invStd = si.get(run);
                for (int i = 0; i < m; i++) {
                    xhat[i] = (xhat[i] - mean) * invStd;
                }
                double sumGxhat = 0;
                double sumGxhatXhat = 0;
                int sample = run / l.groups();
                for (int j = 0; j < l.channelsPerGroup(); j++) {
                    int c = l.channel(run, j);
                    double wc = w == null ? 1 : w.get(c);
                    double channelG = sum(g, j * s, (j + 1) * s);
                    double channelGXhat = 0;
                    for (int i = j * s; i < (j + 1) * s; i++) {
                        channelGXhat += g[i] * xhat[i];
                    }
                    sumG[sample * l.channels() + c] = channelG;
                    sumGXhat[sample * l.channels() + c] = channelGXhat;
                    sumGxhat += wc * channelG;
                    sumGxhatXhat += wc * channelGXhat;
                }
                if (gi == null) {
                    continue;
                }
                double meanGxhat = sumGxhat / m;
                double meanGxhatXhat = sumGxhatXhat / m;
                for (int j = 0; j < l.channelsPerGroup(); j++) {
                    double wc = w == null ? 1 : w.get(l.channel(run, j));
                    for (int i = j * s; i < (j + 1) * s; i++) {
                        g[i] = invStd * (wc * g[i] - meanGxhat - xhat[i] * meanGxhatXhat);
                    }
                }
                gi.write(run * m, g, 0, m);
            }
        });
    }

    /** perChannel {@code [C]} (unless null) = the [N, C] sums added over the samples, in order. */
    private static void sumOverSamples(Layout l, double[] sums, Tensor perChannel) {
        if (perChannel == null) {
            return;
        }
        Data out = Data.of(perChannel);
        for (int c = 0; c < l.channels(); c++) {
            double total = 0;
            for (int sample = 0; sample < l.n(); sample++) {
                total += sums[sample * l.channels() + c];
            }
            out.set(c, total);
        }
    }

    private static double sum(double[] v, int from, int to) {
        double total = 0;
        for (int i = from; i < to; i++) {
            total += v[i];
        }
        return total;
    }

    private static double squaredDeviations(double[] v, double mean) {
        double total = 0;
        for (double value : v) {
            double d = value - mean;
            total += d * d;
        }
        return total;
    }
}
