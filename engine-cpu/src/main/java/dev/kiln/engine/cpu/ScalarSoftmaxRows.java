package dev.kiln.engine.cpu;

/**
 * {@link SoftmaxRows} in plain loops, a row at a time, the forward sums by {@link RunningSums} and the gradients' by
 * {@link LaneSums}: the path where the Vector API is not in the boot layer, and {@code VectorSoftmaxRows}'s for rows
 * shorter than a vector.
 */
final class ScalarSoftmaxRows implements SoftmaxRows {
    static final ScalarSoftmaxRows INSTANCE = new ScalarSoftmaxRows();

    private ScalarSoftmaxRows() {
    }

    @Override
    public String toString() {
        return "scalar loops";
    }

    @Override
    public void subtractMaxima(float[] v, int n, int c) {
        for (int base = 0; base < n; base += c) {
            SoftmaxPieces.subtractMax(v, base, c);
        }
    }

    @Override
    public void divideBySums(float[] e, int n, int c) {
        for (int base = 0; base < n; base += c) {
            SoftmaxPieces.divide(e, base, c, (float) RunningSums.sum(e, base, c));
        }
    }

    @Override
    public void subtractLogSums(float[] e, float[] shifted, int n, int c) {
        for (int base = 0; base < n; base += c) {
            SoftmaxPieces.subtract(shifted, base, c, (float) Math.log(RunningSums.sum(e, base, c)));
        }
    }

    @Override
    public void softmaxGradient(float[] y, float[] g, int n, int c) {
        for (int base = 0; base < n; base += c) {
            float dot = (float) LaneSums.dot(y, g, base, c);
            for (int j = base; j < base + c; j++) {
                g[j] = y[j] * (g[j] - dot);
            }
        }
    }

    @Override
    public void logSoftmaxGradient(float[] p, float[] g, int n, int c) {
        for (int base = 0; base < n; base += c) {
            float sum = (float) LaneSums.sum(g, base, c);
            for (int j = base; j < base + c; j++) {
                g[j] -= p[j] * sum;
            }
        }
    }
}
