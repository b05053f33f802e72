package dev.kiln.tests.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;

/**
 * GEMM through Kiln against raw OpenBLAS on off-heap buffers, in one process (the same sitting), plus the
 * dispatch cost of a tiny op. Protocol W5 of shared/BENCHMARKS.md: best of 10 after 3 warm-ups,
 * GFLOP/s = 2mnk/t. Run: {@code java -cp tests/target/classes:$(cat tests/target/classpath.txt)
 * dev.kiln.tests.bench.GemmComparison}.
 */
public final class GemmComparison {
    private static final int WARM_UPS = 3;
    private static final int RUNS = 10;

    private GemmComparison() {
    }

    public static void main(String[] args) {
        Engine.seed(1);
        System.out.printf("backend %s, threads %s%n", Engine.get().backend().name(), System.getProperty("kiln.threads", "all cores"));
        System.out.println("shape (m x k x n)            kiln GFLOP/s   raw OpenBLAS GFLOP/s");
        int[][] shapes = {{512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048}, {4096, 4096, 4096},
                {128, 784, 512}, {128, 512, 512}, {128, 512, 10}};
        for (int[] s : shapes) {
            double kiln = kilnMatmul(s[0], s[1], s[2]);
            double raw = rawSgemm(s[0], s[1], s[2]);
            System.out.printf(Locale.ROOT, "%-28s %12.1f %22.1f%n", s[0] + " x " + s[1] + " x " + s[2], kiln, raw);
        }
        System.out.println("X W^T with W stored [out, in] (F.linear), as in a dense layer:");
        for (int[] s : new int[][] {{128, 784, 512}, {128, 512, 512}}) {
            System.out.printf(Locale.ROOT, "%-28s %12.1f %22.1f%n", s[0] + " x " + s[1] + " x " + s[2] + " (B^T)",
                    kilnLinear(s[0], s[1], s[2]), rawSgemmTransB(s[0], s[1], s[2]));
        }
        System.out.printf(Locale.ROOT, "dispatch: a.add(b) on 10-element F32 tensors: %.2f us per op (median of 5 x 200k)%n",
                dispatchMicros());
    }

    private static double kilnMatmul(int m, int k, int n) {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.randn(m, k);
            Tensor b = Tensor.randn(k, n);
            return gflops(m, k, n, () -> {
                try (Scope step = Scope.open()) {
                    a.matmul(b);
                }
            });
        }
    }

    private static double kilnLinear(int m, int k, int n) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(m, k);
            Tensor w = Tensor.randn(n, k);
            return gflops(m, k, n, () -> {
                try (Scope step = Scope.open()) {
                    F.linear(x, w, null);
                }
            });
        }
    }

    private static double rawSgemm(int m, int k, int n) {
        return raw(m, k, n, false);
    }

    private static double rawSgemmTransB(int m, int k, int n) {
        return raw(m, k, n, true);
    }

    private static double raw(int m, int k, int n, boolean transB) {
        try (FloatPointer a = randomBuffer((long) m * k); FloatPointer b = randomBuffer((long) k * n);
             FloatPointer c = new FloatPointer((long) m * n)) {
            return gflops(m, k, n, () -> cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    m, n, k, 1f, a, k, b, transB ? k : n, 0f, c, n));
        }
    }

    private static FloatPointer randomBuffer(long n) {
        FloatPointer p = new FloatPointer(n);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (long i = 0; i < n; i++) {
            p.put(i, (float) r.nextGaussian());
        }
        return p;
    }

    private static double gflops(int m, int k, int n, Runnable op) {
        for (int i = 0; i < WARM_UPS; i++) {
            op.run();
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < RUNS; i++) {
            long t = System.nanoTime();
            op.run();
            best = Math.min(best, System.nanoTime() - t);
        }
        return 2.0 * m * n * k / best;
    }

    private static double dispatchMicros() {
        double[] runs = new double[5];
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.randn(10);
            Tensor b = Tensor.randn(10);
            int ops = 200_000;
            for (int r = -1; r < runs.length; r++) {
                long t = System.nanoTime();
                for (int i = 0; i < ops / 1000; i++) {
                    try (Scope step = Scope.open()) {
                        for (int j = 0; j < 1000; j++) {
                            a.add(b);
                        }
                    }
                }
                if (r >= 0) {
                    runs[r] = (System.nanoTime() - t) / 1e3 / ops;
                }
            }
        }
        Arrays.sort(runs);
        return runs[runs.length / 2];
    }
}
