package dev.kiln.engine;

/** The sample frequencies and the Hann window of {@link Fft}, computed on the host in double precision. */
final class SpectralValues {
    private SpectralValues() {
    }

    /** PyTorch's fftfreq: {@code [0, 1, ..., ceil(n / 2) - 1, -floor(n / 2), ..., -1] / (d n)}. */
    static Tensor fftfreq(int n, double d, DType dtype) {
        checkPoints("fftfreq", n, d);
        double[] f = new double[n];
        for (int k = 0; k < n; k++) {
            f[k] = (k < (n + 1) / 2 ? k : k - n) * (1 / (n * d));
        }
        return Tensor.vectorOf(f, dtype);
    }

    /** PyTorch's rfftfreq: {@code [0, 1, ..., floor(n / 2)] / (d n)}. */
    static Tensor rfftfreq(int n, double d, DType dtype) {
        checkPoints("rfftfreq", n, d);
        double[] f = new double[n / 2 + 1];
        for (int k = 0; k < f.length; k++) {
            f[k] = k * (1 / (n * d));
        }
        return Tensor.vectorOf(f, dtype);
    }

    /**
     * PyTorch's hann_window: {@code 0.5 - 0.5 cos(2 pi k / N)}, N = n when periodic (a period of an (n + 1)-point
     * window, for spectral analysis) and n - 1 when symmetric; [1] for n = 1.
     */
    static Tensor hannWindow(int n, boolean periodic, DType dtype) {
        if (n < 0) {
            throw new IllegalArgumentException("hannWindow: n must not be negative, got " + n);
        }
        double[] w = new double[n];
        int period = periodic ? n : n - 1;
        for (int k = 0; k < n; k++) {
            w[k] = n == 1 ? 1 : 0.5 - 0.5 * Math.cos(2 * Math.PI * k / period);
        }
        return Tensor.vectorOf(w, dtype);
    }

    private static void checkPoints(String op, int n, double d) {
        if (n < 0 || d == 0 || !Double.isFinite(d)) {
            throw new IllegalArgumentException(op + ": needs n >= 0 and a finite spacing d other than 0, got n " + n
                    + " and d " + d);
        }
    }
}
