package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;

/**
 * Batch normalisation over x viewed as [N, C, S] (S = H * W, or 1 for [N, C]), per channel. Every channel
 * is independent (its own values of x, out, gradInput and its own [C] entries), so the work splits over
 * channels with no two threads writing one element. Sums run in double, the variance in two passes
 * (mean first, then squared deviations) so that large offsets do not cancel.
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

        long perChannel() {
            return (long) n * spatial;
        }

        int base(int sample, int channel) {
            return (sample * channels + channel) * spatial;
        }
    }

    void forward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                 double momentum, double eps, Tensor out, Tensor saveMean, Tensor saveInvStd) {
        Layout l = Layout.of(x);
        Data in = Data.of(x);
        Data o = Data.of(out);
        Data w = weight == null ? null : Data.of(weight);
        Data b = bias == null ? null : Data.of(bias);
        Data rm = runningMean == null ? null : Data.of(runningMean);
        Data rv = runningVar == null ? null : Data.of(runningVar);
        Data sm = saveMean == null ? null : Data.of(saveMean);
        Data si = saveInvStd == null ? null : Data.of(saveInvStd);
        long m = l.perChannel();
        parallel.forRange(l.channels(), 3 * m, (start, end) -> {
            for (int c = start; c < end; c++) {
                double mean;
                double invStd;
                if (training) {
                    double sum = 0;
                    for (int s = 0; s < l.n(); s++) {
                        int base = l.base(s, c);
                        for (int i = 0; i < l.spatial(); i++) {
                            sum += in.get(base + i);
                        }
                    }
                    mean = sum / m;
                    double squares = 0;
                    for (int s = 0; s < l.n(); s++) {
                        int base = l.base(s, c);
                        for (int i = 0; i < l.spatial(); i++) {
                            double d = in.get(base + i) - mean;
                            squares += d * d;
                        }
                    }
                    invStd = 1 / Math.sqrt(squares / m + eps);
                    if (rm != null) {
                        rm.set(c, (1 - momentum) * rm.get(c) + momentum * mean);
                    }
                    if (rv != null) {
                        rv.set(c, (1 - momentum) * rv.get(c) + momentum * (squares / (m - 1)));
                    }
                } else {
                    mean = rm.get(c);
                    invStd = 1 / Math.sqrt(rv.get(c) + eps);
                }
                if (sm != null) {
                    sm.set(c, mean);
                }
                if (si != null) {
                    si.set(c, invStd);
                }
                double scale = invStd * (w == null ? 1 : w.get(c));
                double shift = (b == null ? 0 : b.get(c)) - mean * scale;
                for (int s = 0; s < l.n(); s++) {
                    int base = l.base(s, c);
                    for (int i = 0; i < l.spatial(); i++) {
                        o.set(base + i, in.get(base + i) * scale + shift);
                    }
                }
            }
        });
    }

    void backward(Tensor x, Tensor gradOut, Tensor weight, Tensor saveMean, Tensor saveInvStd, Tensor gradInput,
                  Tensor gradWeight, Tensor gradBias) {
        Layout l = Layout.of(x);
        Data in = Data.of(x);
        Data go = Data.of(gradOut);
        Data w = weight == null ? null : Data.of(weight);
        Data sm = Data.of(saveMean);
        Data si = Data.of(saveInvStd);
        Data gi = gradInput == null ? null : Data.of(gradInput);
        Data gw = gradWeight == null ? null : Data.of(gradWeight);
        Data gb = gradBias == null ? null : Data.of(gradBias);
        long m = l.perChannel();
        parallel.forRange(l.channels(), 3 * m, (start, end) -> {
            for (int c = start; c < end; c++) {
                double mean = sm.get(c);
                double invStd = si.get(c);
                double sumG = 0;
                double sumGXhat = 0;
                for (int s = 0; s < l.n(); s++) {
                    int base = l.base(s, c);
                    for (int i = 0; i < l.spatial(); i++) {
                        double g = go.get(base + i);
                        sumG += g;
                        sumGXhat += g * (in.get(base + i) - mean);
                    }
                }
                sumGXhat *= invStd;
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
                    for (int s = 0; s < l.n(); s++) {
                        int base = l.base(s, c);
                        for (int i = 0; i < l.spatial(); i++) {
                            double xhat = (in.get(base + i) - mean) * invStd;
                            gi.set(base + i, k * (go.get(base + i) - meanG - xhat * meanGXhat));
                        }
                    }
                }
            }
        });
    }
}
