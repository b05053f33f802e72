package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link OpenBlasGemm#gemm} against a plain double loop, on the shapes that take each of its paths: one row of A or
 * one column of B (a matrix-vector product), a few rows of A against a transposed B (the skinny product, in blocks of
 * B's rows), and the general GEMM; every transpose combination, F32 and F64, one thread and two, sizes that are no
 * multiple of 16, operands at an offset and with rows further apart than their length (a strided view, as the
 * convolutions pass), alpha 0.5 with beta 2 on the old C and beta 0 on a C full of NaN (which beta 0 must not read).
 *
 * <p>Tolerance per element: 1e-5 (F32) or 1e-12 (F64) of the sum of the magnitudes of its terms, a few roundings
 * per term at most, in whatever order the library sums them.
 */
class OpenBlasGemmTest {
    /** {m, n, k}. */
    private static final int[][] SHAPES = {
        {1, 37, 19}, {1, 600, 301}, {45, 1, 301}, {300, 1, 501}, {1, 1, 17},
        {2, 333, 1029}, {16, 333, 1029}, {5, 129, 4100}, {7, 1000, 70}, {3, 50, 20000}, {17, 40, 33}, {40, 17, 70},
        {33, 300, 2000}, {64, 129, 1029}, {80, 45, 33}};
    /** Extra elements between rows, and before the first. */
    private static final int GAP = 3;
    private static final int OFFSET = 5;

    @Test
    void matchesADoubleLoopOnEveryPath() {
        for (int threads : new int[] {1, 2}) {
            try (CpuBackend cpu = new CpuBackend(threads); Parallel parallel = new Parallel(threads)) {
                for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                    for (int[] shape : SHAPES) {
                        for (int transposes = 0; transposes < 4; transposes++) {
                            for (double beta : new double[] {2, 0}) {
                                check(cpu, parallel, dtype, shape[0], shape[1], shape[2], (transposes & 1) != 0,
                                        (transposes & 2) != 0, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void check(CpuBackend cpu, Parallel parallel, DType dtype, int m, int n, int k, boolean transA,
                              boolean transB, double beta) {
        String what = dtype + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
                + " beta=" + beta + " on " + parallel.threads() + " threads";
        try (Scope s = Scope.open()) {
            Operand a = new Operand(cpu, dtype, transA ? k : m, transA ? m : k, 1);
            Operand b = new Operand(cpu, dtype, transB ? n : k, transB ? k : n, 2);
            Operand c = new Operand(cpu, dtype, m, n, 3);
            if (beta == 0) {
                c.fillRows(Double.NaN);
            }
            double alpha = 0.5;
            double[] expected = new double[m * n];
            double[] bound = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        double term = alpha * (transA ? a.get(p, i) : a.get(i, p)) * (transB ? b.get(j, p) : b.get(p, j));
                        sum += term;
                        magnitude += Math.abs(term);
                    }
                    double old = beta == 0 ? 0 : beta * c.get(i, j);
                    expected[i * n + j] = sum + old;
                    bound[i * n + j] = (dtype == DType.F32 ? 1e-5 : 1e-12) * (magnitude + Math.abs(old));
                }
            }
            OpenBlasGemm.gemm(parallel, transA, transB, m, n, k, alpha, a.matrix(), b.matrix(), beta, c.matrix());
            c.reload();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double actual = c.get(i, j);
                    double want = expected[i * n + j];
                    assertTrue(Math.abs(actual - want) <= bound[i * n + j],
                            what + ": C[" + i + ", " + j + "] = " + actual + ", expected " + want);
                }
            }
            assertTrue(c.gapsUntouched(), what + ": wrote outside C's rows");
        }
    }

    /** A [rows, cols] matrix in a tensor's storage at {@link #OFFSET}, rows {@code cols + GAP} elements apart. */
    private static final class Operand {
        private static final double GAP_VALUE = 7;
        private final Tensor tensor;
        private final int rows;
        private final int cols;
        private final int ld;
        private double[] values;

        Operand(CpuBackend cpu, DType dtype, int rows, int cols, long seed) {
            this.rows = rows;
            this.cols = cols;
            this.ld = cols + GAP;
            SplittableRandom random = new SplittableRandom(seed);
            double[] all = new double[OFFSET + rows * ld];
            for (int i = 0; i < all.length; i++) {
                all[i] = inRow(i) ? (float) (random.nextDouble() * 2 - 1) : GAP_VALUE;
            }
            this.tensor = Tensor.empty(Shape.of(all.length), dtype, cpu);
            this.values = all;
            upload();
        }

        private boolean inRow(int index) {
            return index >= OFFSET && (index - OFFSET) % ld < cols;
        }

        double get(int row, int col) {
            return values[OFFSET + row * ld + col];
        }

        OpenBlasGemm.Matrix matrix() {
            return new OpenBlasGemm.Matrix((CpuStorage) tensor.storage(), tensor.offset() + OFFSET, ld);
        }

        void fillRows(double value) {
            for (int i = 0; i < values.length; i++) {
                if (inRow(i)) {
                    values[i] = value;
                }
            }
            upload();
        }

        private void upload() {
            tensor.backend().copyFromHost(tensor.dtype() == DType.F32
                    ? FloatBuffer.wrap(floats(values)) : DoubleBuffer.wrap(values), tensor);
        }

        void reload() {
            if (tensor.dtype() == DType.F32) {
                float[] f = tensor.toFloatArray();
                for (int i = 0; i < f.length; i++) {
                    values[i] = f[i];
                }
            } else {
                values = tensor.toDoubleArray();
            }
        }

        boolean gapsUntouched() {
            for (int i = 0; i < values.length; i++) {
                if (!inRow(i) && values[i] != GAP_VALUE) {
                    return false;
                }
            }
            return true;
        }

        private static float[] floats(double[] values) {
            float[] out = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = (float) values[i];
            }
            return out;
        }
    }
}
