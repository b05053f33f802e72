package dev.kiln.engine;

/**
 * {@link Backend#fft}'s default: the complex DFT of any length by Tensor ops, so that a backend without an FFT of its
 * own (CUDA's) transforms long rows in O(n (n1 + n2 + ...)) work and a few copies of the input's memory, where one
 * product with the n x n DFT matrix takes O(n^2) of both (the matrix of 2^20 points would take 16 TiB in F32).
 * Lengths up to {@value #DIRECT_MAX}, and primes up to {@value #DIRECT_PRIME_MAX}, are one product with their DFT
 * matrix ({@link DftMatrix}). Other lengths split as n = n1 n2, n1 the largest divisor up to sqrt(n), into Bailey's
 * four steps: n2 transforms of n1 points, a product with twiddle factors, n1 transforms of n2 points and a
 * transposition, each transform again by this rule. Larger primes go through Bluestein's algorithm: the DFT as a
 * convolution with a chirp, by transforms of the smallest length 2^a 3^b 5^c of at least 2n - 1.
 */
final class FactoredFft {
    /** Lengths transformed by one product with their DFT matrix. */
    static final int DIRECT_MAX = 64;

    /** Prime lengths transformed by one product with their DFT matrix; larger ones by Bluestein's algorithm. */
    static final int DIRECT_PRIME_MAX = 1024;

    private FactoredFft() {
    }

    /** {@link Backend#fft}: x [..., n, 2] into out (x's shape), {@code out_k = scale * sum_j x_j e^{s 2 pi i jk / n}}. */
    static void transform(Tensor x, boolean inverse, double scale, Tensor out) {
        int n = x.dim(x.rank() - 2);
        int rows = Math.toIntExact(x.size() / (2L * n));
        try (Scope scope = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            Tensor y = dft(x.reshape(rows, n, 2), inverse ? 1 : -1, scale);
            out.backend().copy(y.reshape(out.shape().dims()), out);
        }
    }

    /** x [rows, n, 2] transformed with {@code sign} (-1 forward, +1 inverse) and {@code scale}: a new [rows, n, 2]. */
    private static Tensor dft(Tensor x, int sign, double scale) {
        int n = x.dim(1);
        if (n <= DIRECT_MAX) {
            return DftMatrix.product(x, sign, scale);
        }
        int n1 = largestDivisorUpToRoot(n);
        if (n1 > 1) {
            return fourStep(x, n1, n / n1, sign, scale);
        }
        return n <= DIRECT_PRIME_MAX ? DftMatrix.product(x, sign, scale) : bluestein(x, sign, scale);
    }

    /**
     * Bailey's four steps for n = n1 n2: with j = n2 j1 + j2 and k = k1 + n1 k2, {@code X_k = sum_j2 e^{s 2 pi i j2
     * k2 / n2} [e^{s 2 pi i j2 k1 / n} sum_j1 x_j e^{s 2 pi i j1 k1 / n1}]}.
     */
    private static Tensor fourStep(Tensor x, int n1, int n2, int sign, double scale) {
        int rows = x.dim(0);
        Tensor byJ2 = x.reshape(rows, n1, n2, 2).permute(0, 2, 1, 3).reshape(rows * n2, n1, 2);
        Tensor inner = dft(byJ2, sign, 1).reshape(rows, n2, n1, 2);
        Tensor twiddled = ComplexFactor.twiddles(x, n1, n2, sign).times(inner);
        Tensor byK1 = twiddled.permute(0, 2, 1, 3).reshape(rows * n1, n2, 2);
        Tensor outer = dft(byK1, sign, scale).reshape(rows, n1, n2, 2);
        return outer.permute(0, 2, 1, 3).reshape(rows, n1 * n2, 2);
    }

    /**
     * Bluestein's algorithm: with the chirp {@code c_j = e^{s pi i j^2 / n}}, {@code X_k = c_k sum_j (x_j c_j)
     * conj(c_{k - j})}, the sum a circular convolution of length m >= 2n - 1 by forward and inverse transforms of m.
     */
    private static Tensor bluestein(Tensor x, int sign, double scale) {
        int n = x.dim(1);
        int m = smoothLengthAtLeast(2 * n - 1);
        ComplexFactor chirp = ComplexFactor.chirp(x, n, sign);
        Tensor chirped = F.pad(chirp.times(x), 0, 0, 0, m - n);
        ComplexFactor kernel = ComplexFactor.of(dft(ComplexFactor.chirpKernel(x, n, m, sign), -1, 1));
        Tensor convolved = dft(kernel.times(dft(chirped, -1, 1)), 1, scale / m);
        return chirp.times(convolved.narrow(1, 0, n));
    }

    /** The largest divisor of n up to sqrt(n), 1 for a prime. */
    static int largestDivisorUpToRoot(int n) {
        for (int d = (int) Math.sqrt(n); d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }

    /** The smallest 2^a 3^b 5^c at least {@code length}, a length this class splits into small factors. */
    static int smoothLengthAtLeast(int length) {
        long best = Long.MAX_VALUE;
        for (long five = 1; five < 2L * length; five *= 5) {
            for (long threes = five; threes < 2L * length; threes *= 3) {
                long m = threes;
                while (m < length) {
                    m *= 2;
                }
                best = Math.min(best, m);
            }
        }
        return Math.toIntExact(best);
    }
}
