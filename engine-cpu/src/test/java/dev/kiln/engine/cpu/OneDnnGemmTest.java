package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link OneDnnGemm}: its products against a plain double loop ({@link GemmReference}: operands at an offset, rows
 * further apart than their length, beta 0 on a C of NaN and beta 1 on the old C) for every transpose combination, the
 * batch sizes at the edges of its blocks and of its rule, on one thread and two; through the backend's GEMM for a
 * product its rule sends to it; and the rule itself, which must keep the protocol workloads' products on OpenBLAS.
 */
class OneDnnGemmTest {
    /** Batch sizes: the smallest after SkinnyGemm's, around oneDNN's 16- and 64-row blocks, and near the rule's end. */
    private static final int[] BATCHES = {17, 63, 64, 65, 255};
    /** Sizes of the layer in the kernel's own check: no multiple of 16, small enough for the double loop. */
    private static final int OUT = 70;
    private static final int IN = 133;

    @Test
    void matchesADoubleLoopForEveryProductOfADenseLayer() {
        for (int threads : new int[] {1, 2}) {
            try (CpuBackend cpu = new CpuBackend(threads); Parallel parallel = new Parallel(threads);
                 OneDnnGemm oneDnn = OneDnnGemm.open(cpu, parallel)) {
                for (int batch : BATCHES) {
                    // The forward (x W^T), the input gradient (dY W) and the weight gradient (dY^T x), each in all
                    // four transpose combinations.
                    int[][] shapes = {{batch, OUT, IN}, {batch, IN, OUT}, {OUT, IN, batch}};
                    for (int[] s : shapes) {
                        for (int transposes = 0; transposes < 4; transposes++) {
                            for (double beta : new double[] {0, 1}) {
                                check(cpu, oneDnn, threads, s[0], s[1], s[2], (transposes & 1) != 0,
                                        (transposes & 2) != 0, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theBackendsGemmGivesTheDoubleLoopsValuesForAProductTheRuleSendsToOneDnn() {
        int side = OneDnnGemm.MIN_SIDE;
        try (CpuBackend cpu = new CpuBackend(2); Scope scope = Scope.open()) {
            for (int batch : new int[] {17, 65}) {
                for (int transposes = 0; transposes < 4; transposes++) {
                    boolean transA = (transposes & 1) != 0;
                    boolean transB = (transposes & 2) != 0;
                    for (double beta : new double[] {0, 1}) {
                        assertTrue(OneDnnGemm.applies(DType.F32, transA, transB, batch, side, side, 1, beta));
                        checkBackend(cpu, batch, side, side, transA, transB, beta);
                    }
                }
            }
        }
    }

    @Test
    void aBReadUnchangedIsLaidOutOnceAndLaidOutAgainAfterAWrite() {
        int side = OneDnnGemm.MIN_SIDE;
        try (CpuBackend cpu = new CpuBackend(2); Parallel parallel = new Parallel(2);
             OneDnnGemm oneDnn = OneDnnGemm.open(cpu, parallel); Scope scope = Scope.open()) {
            for (int batch : new int[] {17, 65}) {
                for (boolean transB : new boolean[] {true, false}) {
                    String what = "batch " + batch + " transB=" + transB;
                    SplittableRandom random = new SplittableRandom(batch);
                    float[] a = values(random, batch * side);
                    float[] b = values(random, side * side);
                    Tensor ta = tensor(cpu, a);
                    Tensor tb = tensor(cpu, b);
                    Tensor tc = tensor(cpu, new float[batch * side]);
                    long before = oneDnn.laidOutBytes();
                    // First read: in place. Second: laid out. A write, then in place, then laid out anew.
                    for (int call = 0; call < 4; call++) {
                        if (call == 2) {
                            b = values(random, side * side);
                            tb.copyFrom(b);
                        }
                        assertTrue(oneDnn.gemm(false, transB, batch, side, side, matrix(ta, side), matrix(tb, side),
                                tb.version(), 0, matrix(tc, side)), what);
                        assertClose(a, b, tc.toFloatArray(), batch, side, side, transB, what + " call " + call);
                        if (call == 1) {
                            assertTrue(oneDnn.laidOutBytes() > before, what + ": B was not laid out");
                        }
                    }
                }
            }
        }
    }

    /**
     * A square weight read laid out as W^T (the forward) and then as W (the input gradient) at one version: both
     * layouts have B's dimensions, but they hold different values, so the second must not reuse the first's.
     */
    @Test
    void aSquareBLaidOutTransposedIsNotReusedWhenReadUntransposed() {
        int side = OneDnnGemm.MIN_SIDE;
        int batch = 17;
        for (int threads : new int[] {1, 2}) {
            try (CpuBackend cpu = new CpuBackend(threads); Parallel parallel = new Parallel(threads);
                 OneDnnGemm oneDnn = OneDnnGemm.open(cpu, parallel); Scope scope = Scope.open()) {
                SplittableRandom random = new SplittableRandom(threads);
                float[] a = values(random, batch * side);
                float[] b = values(random, side * side);
                Tensor ta = tensor(cpu, a);
                Tensor tb = tensor(cpu, b);
                Tensor tc = tensor(cpu, new float[batch * side]);
                for (boolean transB : new boolean[] {true, false}) {
                    for (int call = 0; call < 2; call++) {
                        String what = threads + " threads, transB=" + transB + " call " + call;
                        assertTrue(oneDnn.gemm(false, transB, batch, side, side, matrix(ta, side), matrix(tb, side),
                                tb.version(), 0, matrix(tc, side)), what);
                        assertClose(a, b, tc.toFloatArray(), batch, side, side, transB, what);
                    }
                }
            }
        }
    }

    @Test
    void theRuleTakesLargeLayersAtBatchesUpTo256AndLeavesTheWorkloadsProductsToOpenBlas() {
        for (int[] layer : new int[][] {{4096, 4096}, {1024, 4096}, {4096, 1024}}) {
            int out = layer[0];
            int in = layer[1];
            for (int batch : new int[] {17, 64, 256}) {
                assertTrue(OneDnnGemm.applies(DType.F32, false, true, batch, out, in, 1, 0), "forward " + batch);
                assertTrue(OneDnnGemm.applies(DType.F32, false, false, batch, in, out, 1, 0), "dX " + batch);
                assertTrue(OneDnnGemm.applies(DType.F32, true, false, out, in, batch, 1, 1), "dW " + batch);
            }
            assertFalse(OneDnnGemm.applies(DType.F32, false, true, 257, out, in, 1, 0), "batch 257");
            assertFalse(OneDnnGemm.applies(DType.F32, false, true, 16, out, in, 1, 0), "SkinnyGemm's forward");
            assertFalse(OneDnnGemm.applies(DType.F32, false, false, 1, in, out, 1, 0), "a matrix-vector product");
            assertFalse(OneDnnGemm.applies(DType.F64, false, true, 64, out, in, 1, 0), "F64");
            assertFalse(OneDnnGemm.applies(DType.F32, false, true, 64, out, in, 0.5, 0), "alpha 0.5");
            assertFalse(OneDnnGemm.applies(DType.F32, false, true, 64, out, in, 1, 2), "beta 2");
        }
        // W1 (784-512-512-10 at 128), W3 (LSTM 28 -> 128 at 128) and the row transformer (128 x 28 rows, 64-256 wide).
        int[][] workloads = {{128, 512, 784}, {128, 784, 512}, {512, 784, 128}, {128, 512, 512}, {512, 512, 128},
            {128, 512, 128}, {128, 128, 512}, {512, 128, 128}, {3584, 256, 64}, {3584, 64, 256}, {256, 64, 3584}};
        for (int[] p : workloads) {
            for (int transposes = 0; transposes < 4; transposes++) {
                assertFalse(OneDnnGemm.applies(DType.F32, (transposes & 1) != 0, (transposes & 2) != 0, p[0], p[1],
                        p[2], 1, 0), p[0] + " x " + p[1] + " x " + p[2]);
            }
        }
    }

    /** The backend's gemm on contiguous random tensors against a double loop, at {@link GemmReference}'s tolerance. */
    private static void checkBackend(CpuBackend cpu, int m, int n, int k, boolean transA, boolean transB,
                                     double beta) {
        String what = "backend m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " beta="
                + beta;
        SplittableRandom random = new SplittableRandom(m * 4L + (transA ? 2 : 0) + (transB ? 1 : 0));
        float[] a = values(random, m * k);
        float[] b = values(random, k * n);
        float[] c = beta == 0 ? nans(m * n) : values(random, m * n);
        Tensor ta = tensor(cpu, a);
        Tensor tb = tensor(cpu, b);
        Tensor tc = tensor(cpu, c);
        cpu.gemm(transA, transB, m, n, k, 1, ta, tb, beta, tc);
        float[] actual = tc.toFloatArray();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = beta == 0 ? 0 : c[i * n + j];
                double magnitude = Math.abs(sum);
                for (int p = 0; p < k; p++) {
                    double term = (double) (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                    sum += term;
                    magnitude += Math.abs(term);
                }
                assertTrue(Math.abs(actual[i * n + j] - sum) <= 1e-5 * magnitude,
                        what + ": C[" + i + ", " + j + "] = " + actual[i * n + j] + ", expected " + sum);
            }
        }
    }

    private static OpenBlasGemm.Matrix matrix(Tensor t, int ld) {
        return new OpenBlasGemm.Matrix((CpuStorage) t.storage(), t.offset(), ld);
    }

    /** C [m, n] against A [m, k] times B ([k, n], or [n, k] transposed) in double, at the tolerance of the others. */
    private static void assertClose(float[] a, float[] b, float[] c, int m, int n, int k, boolean transB, String what) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double term = (double) a[i * k + p] * (transB ? b[j * k + p] : b[p * n + j]);
                    sum += term;
                    magnitude += Math.abs(term);
                }
                assertTrue(Math.abs(c[i * n + j] - sum) <= 1e-5 * magnitude,
                        what + ": C[" + i + ", " + j + "] = " + c[i * n + j] + ", expected " + sum);
            }
        }
    }

    private static Tensor tensor(CpuBackend cpu, float[] values) {
        Tensor t = Tensor.empty(Shape.of(values.length), DType.F32, cpu);
        cpu.copyFromHost(FloatBuffer.wrap(values), t);
        return t;
    }

    private static float[] values(SplittableRandom random, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static float[] nans(int count) {
        float[] v = new float[count];
        Arrays.fill(v, Float.NaN);
        return v;
    }

    private static void check(CpuBackend cpu, OneDnnGemm oneDnn, int threads, int m, int n, int k, boolean transA,
                              boolean transB, double beta) {
        String what = "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " beta=" + beta
                + " on " + threads + " threads";
        GemmReference.check(cpu, (ta, tb, mm, nn, kk, alpha, a, b, bt, c) -> assertTrue(
                oneDnn.gemm(ta, tb, mm, nn, kk, a, b, -1, bt, c), what + ": oneDNN has no primitive"), what, DType.F32,
                m, n, k, transA, transB, 1, beta);
    }

    /**
     * A GEMM called inside another loop of the pool (gemmStridedBatched's products, one a thread) runs on its own
     * thread alone: one block on one lane, not a block per thread run one after another, each on a lane of its own
     * (on 16 threads, 16 concurrent products made 256 lanes, each with its stream and plans).
     */
    @Test
    void gemmsInsideAnotherLoopOfThePoolRunAsOneBlockOnOneLaneEach() {
        int side = OneDnnGemm.MIN_SIDE;
        int batch = 32;
        try (CpuBackend cpu = new CpuBackend(4); Parallel parallel = new Parallel(4);
             OneDnnGemm oneDnn = OneDnnGemm.open(cpu, parallel); Scope scope = Scope.open()) {
            SplittableRandom random = new SplittableRandom(5);
            float[] a = values(random, batch * side);
            float[] b = values(random, side * side);
            Tensor ta = tensor(cpu, a);
            Tensor tb = tensor(cpu, b);
            Tensor[] tc = {tensor(cpu, new float[batch * side]), tensor(cpu, new float[batch * side])};
            boolean[] ran = new boolean[2];
            parallel.forRange(2, Parallel.GRAIN, (start, end) -> {
                for (int i = start; i < end; i++) {
                    ran[i] = oneDnn.gemm(false, true, batch, side, side, matrix(ta, side), matrix(tb, side), -1, 0,
                            matrix(tc[i], side));
                }
            });
            for (int i = 0; i < 2; i++) {
                assertTrue(ran[i], "oneDNN took product " + i);
                assertClose(a, b, tc[i].toFloatArray(), batch, side, side, true, "product " + i + " inside a loop");
            }
            assertTrue(oneDnn.lanesMade() <= 2, oneDnn.lanesMade() + " lanes made for two GEMMs inside a loop");
        }
    }
}
