package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Checks a GEMM kernel on {@link OpenBlasGemm.Matrix} operands against a plain double loop: operands at an offset and
 * with rows further apart than their length (a strided view, as the convolutions pass), alpha 0.5 (or 1 where the
 * kernel takes only that) with beta on the old C, and beta 0 on a C full of NaN (which beta 0 must not read).
 *
 * <p>Tolerance per element: 1e-5 (F32) or 1e-12 (F64) of the sum of the magnitudes of its terms, a few roundings
 * per term at most, in whatever order the library sums them.
 */
final class GemmReference {
    /** Extra elements between rows, and before the first. */
    private static final int GAP = 3;
    private static final int OFFSET = 5;

    /** A kernel under test: C = alpha op(A) op(B) + beta C. */
    @FunctionalInterface
    interface Kernel {
        void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, OpenBlasGemm.Matrix a,
                  OpenBlasGemm.Matrix b, double beta, OpenBlasGemm.Matrix c);
    }

    private GemmReference() {
    }

    /** Runs {@code kernel} on random operands of the product, {@code what} naming it, and checks every element of C. */
    static void check(CpuBackend cpu, Kernel kernel, String what, DType dtype, int m, int n, int k, boolean transA,
                      boolean transB, double alpha, double beta) {
        try (Scope s = Scope.open()) {
            Operand a = new Operand(cpu, dtype, transA ? k : m, transA ? m : k, 1);
            Operand b = new Operand(cpu, dtype, transB ? n : k, transB ? k : n, 2);
            Operand c = new Operand(cpu, dtype, m, n, 3);
            if (beta == 0) {
                c.fillRows(Double.NaN);
            }
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
            kernel.gemm(transA, transB, m, n, k, alpha, a.matrix(), b.matrix(), beta, c.matrix());
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
