package dev.kiln.engine.cpu;

/**
 * {@link LayerNormRows} in plain loops: the sums with two running sums each (half the add latency's wait of one), the
 * element-wise steps with {@code Math.fma}, or one rounding more each where the CPU has no FMA.
 */
final class ScalarLayerNormRows implements LayerNormRows {
    static final ScalarLayerNormRows INSTANCE = new ScalarLayerNormRows();

    private ScalarLayerNormRows() {
    }

    @Override
    public String toString() {
        return "scalar loops";
    }

    @Override
    public void moments(float[] v, int from, int m, float pivot, double[] moments) {
        double s0 = 0;
        double s1 = 0;
        double q0 = 0;
        double q1 = 0;
        int i = from;
        int end = from + m;
        for (; i + 1 < end; i += 2) {
            double d0 = (double) v[i] - pivot;
            double d1 = (double) v[i + 1] - pivot;
            s0 += d0;
            s1 += d1;
            q0 += d0 * d0;
            q1 += d1 * d1;
        }
        if (i < end) {
            double d = (double) v[i] - pivot;
            s0 += d;
            q0 += d * d;
        }
        moments[0] = s0 + s1;
        moments[1] = q0 + q1;
    }

    @Override
    public void normalise(float[] v, int from, int m, float meanHigh, float s, float t, float[] w, float[] b) {
        if (FusedMultiplyAdd.IN_HARDWARE) {
            for (int i = 0; i < m; i++) {
                v[from + i] = Math.fma(Math.fma(v[from + i] - meanHigh, s, t), w[i], b[i]);
            }
        } else {
            for (int i = 0; i < m; i++) {
                v[from + i] = ((v[from + i] - meanHigh) * s + t) * w[i] + b[i];
            }
        }
    }

    @Override
    public void gradientSums(float[] x, float[] g, float[] w, float[] gxhat, int from, int m, float saved,
                             double[] sums) {
        for (int i = 0; i < m; i++) {
            gxhat[from + i] = g[from + i] * w[i];
        }
        double deviations0 = 0;
        double deviations1 = 0;
        double total0 = 0;
        double total1 = 0;
        double dot0 = 0;
        double dot1 = 0;
        int i = from;
        int end = from + m;
        for (; i + 1 < end; i += 2) {
            double d0 = (double) x[i] - saved;
            double d1 = (double) x[i + 1] - saved;
            deviations0 += d0;
            deviations1 += d1;
            total0 += gxhat[i];
            total1 += gxhat[i + 1];
            dot0 += gxhat[i] * d0;
            dot1 += gxhat[i + 1] * d1;
        }
        if (i < end) {
            double d = (double) x[i] - saved;
            deviations0 += d;
            total0 += gxhat[i];
            dot0 += gxhat[i] * d;
        }
        sums[0] = deviations0 + deviations1;
        sums[1] = total0 + total1;
        sums[2] = dot0 + dot1;
    }

    @Override
    public void addParameterTerms(float[] g, float[] v, int from, int m, float meanHigh, float s, float t,
                                  float[] gxhatSums, float[] gSums, int sumsFrom) {
        if (FusedMultiplyAdd.IN_HARDWARE) {
            for (int i = 0; i < m; i++) {
                int at = sumsFrom + i;
                gxhatSums[at] = Math.fma(g[from + i], Math.fma(v[from + i] - meanHigh, s, t), gxhatSums[at]);
                gSums[at] += g[from + i];
            }
        } else {
            for (int i = 0; i < m; i++) {
                int at = sumsFrom + i;
                gxhatSums[at] += g[from + i] * ((v[from + i] - meanHigh) * s + t);
                gSums[at] += g[from + i];
            }
        }
    }

    @Override
    public void inputGradient(float[] gxhat, float[] x, int from, int m, float meanG, float meanHigh, float k,
                              float perDeviation, float shift) {
        int end = from + m;
        if (FusedMultiplyAdd.IN_HARDWARE) {
            for (int i = from; i < end; i++) {
                gxhat[i] = Math.fma(k, gxhat[i] - meanG, Math.fma(perDeviation, x[i] - meanHigh, shift));
            }
        } else {
            for (int i = from; i < end; i++) {
                gxhat[i] = k * (gxhat[i] - meanG) + (perDeviation * (x[i] - meanHigh) + shift);
            }
        }
    }
}
