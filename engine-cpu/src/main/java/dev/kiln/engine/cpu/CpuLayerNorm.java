package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Layer normalisation over the last axis, x viewed as [rows, features]: each row is one contiguous run normalised by
 * its own statistics, so the work splits over the rows with no two threads writing one element. Forward, one read
 * of a row into a scratch array, its sums, and one write of the normalised and scaled values; backward, one read
 * each of x and gradOut, the row's two sums, and one write of the input's gradient, the weight's and bias's
 * gradients summed as the rows go by into one partial sum per block of rows, which are then added in block order:
 * the same result whatever the number of threads.
 * <p>
 * F32: each row's sums in double in one pass (the variance about the row's first value), the normalisation one FMA
 * chain per element about the mean rounded to float, its rounding error carried in the shift, as {@link CpuGroupNorm}
 * does it; the backward pass takes the saved F32 mean's rounding error from the row again, in its one pass of sums.
 * Each row's F32 steps are {@link LayerNormRows}': on the Vector API where {@link VectorPath} has loaded it. F32
 * reads and writes up to 16 rows a copy ({@link #rowsPerRead}), where a copy a row of 64 took as long as the row's
 * sums; each block's float partial sums go straight into the [blocks, features] arrays. F64 in double throughout.
 */
final class CpuLayerNorm {
    /**
     * Rows of a block for the parameters' partial sums: F32 adds a block's terms in float (a vectorised loop, where
     * adding each into double took as long as the rest of the backward pass), so each float sum takes at most
     * {@value} terms before it goes into double.
     */
    private static final int ROWS_PER_BLOCK = 16;
    private static final LayerNormRows ROWS = VectorPath.layerNormRows();

    private final Parallel parallel;

    CpuLayerNorm(Parallel parallel) {
        this.parallel = parallel;
    }

    /** x as [rows, features], and the blocks of rows whose parameter gradients are summed apart. */
    private record Layout(int rows, int features) {
        static Layout of(Tensor x) {
            int features = x.dim(-1);
            return new Layout(Math.toIntExact(x.size() / features), features);
        }

        int rowsPerBlock() {
            return ROWS_PER_BLOCK;
        }

        int blocks() {
            return (rows + rowsPerBlock() - 1) / rowsPerBlock();
        }

        int blockEnd(int block) {
            return Math.min(rows, (block + 1) * rowsPerBlock());
        }
    }

    /** The SPI's layerNorm. */
    void forward(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        Layout l = Layout.of(x);
        double[] means = new double[l.rows()];
        double[] rstds = new double[l.rows()];
        if (x.dtype() == DType.F32) {
            forwardF32(x, l, weight, bias, eps, out, means, rstds);
        } else {
            forwardDouble(x, l, weight, bias, eps, out, means, rstds);
        }
        Data.of(mean).write(0, means, 0, l.rows());
        Data.of(rstd).write(0, rstds, 0, l.rows());
    }

    private void forwardF32(Tensor x, Layout l, Tensor weight, Tensor bias, double eps, Tensor out, double[] means,
                            double[] rstds) {
        FloatBuffer in = CpuElementwise.f32(x);
        int inOffset = CpuElementwise.offset(x);
        FloatBuffer o = CpuElementwise.f32(out);
        int outOffset = CpuElementwise.offset(out);
        float[] w = perFeatureF32(l, weight, 1);
        float[] b = perFeatureF32(l, bias, 0);
        int m = l.features();
        int rowsPerRead = rowsPerRead(m);
        parallel.forRange(l.rows(), 3L * m, (start, end) -> {
            float[] v = new float[rowsPerRead * m];
            double[] moments = new double[2];
            for (int first = start; first < end; first += rowsPerRead) {
                int count = Math.min(rowsPerRead, end - first);
                in.get(inOffset + first * m, v, 0, count * m);
                for (int r = 0; r < count; r++) {
                    int from = r * m;
                    float pivot = v[from];
                    ROWS.moments(v, from, m, pivot, moments);
                    double shift = moments[0] / m;
                    double mu = pivot + shift;
                    // At least 0, which a constant row could miss by a rounding.
                    double var = Math.max(0, moments[1] / m - shift * shift);
                    double rs = 1 / Math.sqrt(var + eps);
                    means[first + r] = mu;
                    rstds[first + r] = rs;
                    float meanHigh = (float) mu;
                    ROWS.normalise(v, from, m, meanHigh, (float) rs, (float) (-(mu - meanHigh) * rs), w, b);
                }
                o.put(outOffset + first * m, v, 0, count * m);
            }
        });
    }

    private void forwardDouble(Tensor x, Layout l, Tensor weight, Tensor bias, double eps, Tensor out,
                               double[] means, double[] rstds) {
        Data in = Data.of(x);
        Data o = Data.of(out);
        double[] w = perFeature(l, weight, 1);
        double[] b = perFeature(l, bias, 0);
        int m = l.features();
        parallel.forRange(l.rows(), 3L * m, (start, end) -> {
            double[] v = new double[m];
            for (int row = start; row < end; row++) {
                in.read(row * m, v, 0, m);
                double mu = RunningSums.sum(v) / m;
                double squares = 0;
                for (int i = 0; i < m; i++) {
                    double d = v[i] - mu;
                    squares += d * d;
                }
                double rs = 1 / Math.sqrt(squares / m + eps);
                means[row] = mu;
                rstds[row] = rs;
                for (int i = 0; i < m; i++) {
                    v[i] = (v[i] - mu) * rs * w[i] + b[i];
                }
                o.write(row * m, v, 0, m);
            }
        });
    }

    /**
     * The SPI's layerNormBackward. Where the weight's or bias's gradient is asked for, each block of rows sums its
     * {@code gradOut * xhat} and {@code gradOut} per feature into its own row of [blocks, features] arrays.
     */
    void backward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, Tensor gradX, Tensor gradWeight,
                  Tensor gradBias) {
        Layout l = Layout.of(x);
        boolean parameterSums = gradWeight != null || gradBias != null;
        int partials = parameterSums ? l.blocks() * l.features() : 0;
        double[] means = new double[l.rows()];
        double[] rstds = new double[l.rows()];
        Data.of(mean).read(0, means, 0, l.rows());
        Data.of(rstd).read(0, rstds, 0, l.rows());
        if (x.dtype() == DType.F32) {
            float[] sumGXhat = parameterSums ? new float[partials] : null;
            float[] sumG = parameterSums ? new float[partials] : null;
            backwardF32(gradOut, x, l, means, rstds, weight, gradX, sumGXhat, sumG);
            sumOverBlocks(l, sumGXhat, gradWeight);
            sumOverBlocks(l, sumG, gradBias);
        } else {
            double[] sumGXhat = parameterSums ? new double[partials] : null;
            double[] sumG = parameterSums ? new double[partials] : null;
            backwardDouble(gradOut, x, l, means, rstds, weight, gradX, sumGXhat, sumG);
            sumOverBlocks(l, sumGXhat, gradWeight);
            sumOverBlocks(l, sumG, gradBias);
        }
    }

    private void backwardF32(Tensor gradOut, Tensor x, Layout l, double[] means, double[] rstds, Tensor weight,
                             Tensor gradX, float[] sumGXhat, float[] sumG) {
        FloatBuffer in = CpuElementwise.f32(x);
        int inOffset = CpuElementwise.offset(x);
        FloatBuffer go = CpuElementwise.f32(gradOut);
        int goOffset = CpuElementwise.offset(gradOut);
        FloatBuffer gi = gradX == null ? null : CpuElementwise.f32(gradX);
        int giOffset = gradX == null ? 0 : CpuElementwise.offset(gradX);
        float[] w = perFeatureF32(l, weight, 1);
        int m = l.features();
        int rowsPerRead = rowsPerRead(m);
        parallel.forRange(l.blocks(), 4L * ROWS_PER_BLOCK * l.features(), (startBlock, endBlock) -> {
            float[] v = new float[rowsPerRead * m];
            float[] g = new float[rowsPerRead * m];
            float[] gxhat = new float[rowsPerRead * m];
            double[] sums = new double[3];
            for (int block = startBlock; block < endBlock; block++) {
                for (int first = block * l.rowsPerBlock(); first < l.blockEnd(block); first += rowsPerRead) {
                    int count = Math.min(rowsPerRead, l.blockEnd(block) - first);
                    in.get(inOffset + first * m, v, 0, count * m);
                    go.get(goOffset + first * m, g, 0, count * m);
                    for (int r = 0; r < count; r++) {
                        backwardRowF32(v, g, w, gxhat, r * m, m, means[first + r], rstds[first + r], gi != null,
                                sumGXhat, sumG, block * m, sums);
                    }
                    if (gi != null) {
                        gi.put(giOffset + first * m, gxhat, 0, count * m);
                    }
                }
            }
        });
    }

    /**
     * One row, from {@code from} in v, g and gxhat: gxhat = its input gradient where {@code inputGradient}, and
     * {@code g xhat} and g added into the block's partial sums at {@code partial} unless they are null.
     */
    private static void backwardRowF32(float[] v, float[] g, float[] w, float[] gxhat, int from, int m, double mean,
                                       double rs, boolean inputGradient, float[] sumGXhat, float[] sumG, int partial,
                                       double[] sums) {
        // The saved mean is rounded to float, off by up to half an ulp of the row's magnitude, which against a small
        // spread would move every xhat: its error from the row again, in double, in the pass that sums gxhat and
        // gxhat * (x - saved).
        float saved = (float) mean;
        ROWS.gradientSums(v, g, w, gxhat, from, m, saved, sums);
        double shift = sums[0] / m;
        double mu = saved + shift;
        float meanHigh = (float) mu;
        double rest = mu - meanHigh;
        if (sumG != null) {
            ROWS.addParameterTerms(g, v, from, m, meanHigh, (float) rs, (float) (-rest * rs), sumGXhat, sumG,
                    partial);
        }
        if (!inputGradient) {
            return;
        }
        double sumGxhat = sums[1];
        double sumGxhatXhat = (sums[2] - shift * sumGxhat) * rs;
        double perDeviation = -rs * rs * sumGxhatXhat / m;
        ROWS.inputGradient(gxhat, v, from, m, (float) (sumGxhat / m), meanHigh, (float) rs, (float) perDeviation,
                (float) (-rest * perDeviation));
    }

    /** Rows a copy from a tensor's buffer takes: each copy costs about 13 ns on its own, as much as 64 values. */
    private static int rowsPerRead(int m) {
        return Math.max(1, Math.min(ROWS_PER_BLOCK, Chunks.SIZE / m));
    }

    private void backwardDouble(Tensor gradOut, Tensor x, Layout l, double[] means, double[] rstds, Tensor weight,
                                Tensor gradX, double[] sumGXhat, double[] sumG) {
        Data in = Data.of(x);
        Data go = Data.of(gradOut);
        Data gi = gradX == null ? null : Data.of(gradX);
        double[] w = perFeature(l, weight, 1);
        int m = l.features();
        parallel.forRange(l.blocks(), 4L * ROWS_PER_BLOCK * l.features(), (startBlock, endBlock) -> {
            double[] xhat = new double[m];
            double[] g = new double[m];
            for (int block = startBlock; block < endBlock; block++) {
                for (int row = block * l.rowsPerBlock(); row < l.blockEnd(block); row++) {
                    in.read(row * m, xhat, 0, m);
                    go.read(row * m, g, 0, m);
                    double mu = means[row];
                    double rs = rstds[row];
                    for (int i = 0; i < m; i++) {
                        xhat[i] = (xhat[i] - mu) * rs;
                    }
                    if (sumG != null) {
                        for (int i = 0; i < m; i++) {
                            sumGXhat[block * m + i] += g[i] * xhat[i];
                            sumG[block * m + i] += g[i];
                        }
                    }
                    if (gi == null) {
                        continue;
                    }
                    double sumGxhat = 0;
                    double sumGxhatXhat = 0;
                    for (int i = 0; i < m; i++) {
                        g[i] *= w[i];
                        sumGxhat += g[i];
                        sumGxhatXhat += g[i] * xhat[i];
                    }
                    double meanGxhat = sumGxhat / m;
                    double meanGxhatXhat = sumGxhatXhat / m;
                    for (int i = 0; i < m; i++) {
                        g[i] = rs * ((g[i] - meanGxhat) - xhat[i] * meanGxhatXhat);
                    }
                    gi.write(row * m, g, 0, m);
                }
            }
        });
    }

    /** perFeature {@code [features]} (unless null) = the [blocks, features] partial sums added in block order. */
    private static void sumOverBlocks(Layout l, double[] partials, Tensor perFeature) {
        if (perFeature == null) {
            return;
        }
        double[] totals = new double[l.features()];
        for (int block = 0; block < l.blocks(); block++) {
            for (int i = 0; i < l.features(); i++) {
                totals[i] += partials[block * l.features() + i];
            }
        }
        Data.of(perFeature).write(0, totals, 0, l.features());
    }

    /** The F32 blocks' float partial sums, added in double in block order. */
    private static void sumOverBlocks(Layout l, float[] partials, Tensor perFeature) {
        if (perFeature == null) {
            return;
        }
        double[] totals = new double[l.features()];
        for (int block = 0; block < l.blocks(); block++) {
            for (int i = 0; i < l.features(); i++) {
                totals[i] += partials[block * l.features() + i];
            }
        }
        Data.of(perFeature).write(0, totals, 0, l.features());
    }

    /** The [features] values of t, or {@code absent} for each feature where t is null. */
    private static double[] perFeature(Layout l, Tensor t, double absent) {
        double[] values = new double[l.features()];
        if (t == null) {
            Arrays.fill(values, absent);
        } else {
            Data.of(t).read(0, values, 0, l.features());
        }
        return values;
    }

    private static float[] perFeatureF32(Layout l, Tensor t, float absent) {
        float[] values = new float[l.features()];
        if (t == null) {
            Arrays.fill(values, absent);
        } else {
            CpuElementwise.f32(t).get(CpuElementwise.offset(t), values, 0, l.features());
        }
        return values;
    }
}
