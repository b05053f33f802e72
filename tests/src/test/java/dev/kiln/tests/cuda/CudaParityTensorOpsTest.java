package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.empty;
import static dev.kiln.tests.cuda.ParityBackends.indices;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.values;

import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.DType;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPI sections 1-5, 7 and 8 (memory, GEMM, element-wise, reductions, softmax, gather/scatter, random) on
 * the backend under test against the CPU backend, from identical inputs made on the host. Tolerances:
 * copies, comparisons, indices and integer results must be exact; element-wise F32 functions within a
 * few ulps (1e-6 relative; the GPU's expf/tanhf are not correctly rounded); sums of many terms (GEMM,
 * reductions) 1e-5 relative plus an absolute 1e-5 for results near zero; F64 1e-12.
 */
class CudaParityTensorOpsTest extends ParityTest {
    private static final double EXACT = 0;
    private static final double ELEMENTWISE_F32 = 1e-6;
    private static final double SUMS_F32 = 1e-5;
    private static final double F64 = 1e-12;
    private static double sums(DType t) {
        return t == DType.F64 ? F64 : SUMS_F32;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fillSetsEveryElementOfEveryDtype(DType dtype) {
        assertParity("fill " + dtype, EXACT, EXACT, b -> {
            Tensor t = empty(b, dtype, 3, 1000);
            b.fill(t, 7);
            return t;
        });
    }

    @Test
    void copyConvertsBetweenEveryPairOfDtypes() {
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                assertParity("copy " + from + " -> " + to, EXACT, EXACT, b -> {
                    Tensor src = random(b, DType.F64, 1, 50).mul(100.0).to(from);
                    Tensor dst = empty(b, to, 50);
                    b.copy(src, dst);
                    return dst;
                });
            }
        }
    }

    @Test
    void copySlicesMovesAWindowAlongTheMiddleAxis() {
        assertParity("copySlices", EXACT, EXACT, b -> {
            Tensor src = random(b, DType.F32, 2, 3, 7, 4);
            Tensor dst = empty(b, DType.F32, 3, 5, 4);
            b.fill(dst, -1);
            b.copySlices(src, 1, 2, dst, 1, 3);
            return dst;
        });
    }

    @Test
    void permuteReordersRankThreeAndFourTensors() {
        assertParity("permute rank 3", EXACT, EXACT, b -> {
            Tensor src = random(b, DType.F32, 3, 2, 3, 4);
            Tensor out = empty(b, DType.F32, 4, 2, 3);
            b.permute(src, new int[] {2, 0, 1}, out);
            return out;
        });
        assertParity("permute rank 4", EXACT, EXACT, b -> {
            Tensor src = random(b, DType.F64, 4, 2, 3, 4, 5);
            Tensor out = empty(b, DType.F64, 5, 3, 2, 4);
            b.permute(src, new int[] {3, 1, 0, 2}, out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gemmMatchesForEveryTransposeCombinationWithAlphaAndBeta(DType dtype) {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int m = 37;
                int n = 29;
                int k = 300;
                assertParity("gemm transA=" + ta + " transB=" + tb, sums(dtype), sums(dtype), b -> {
                    Tensor a = ta ? random(b, dtype, 5, k, m) : random(b, dtype, 5, m, k);
                    Tensor bb = tb ? random(b, dtype, 6, n, k) : random(b, dtype, 6, k, n);
                    Tensor c = random(b, dtype, 7, m, n);
                    b.gemm(ta, tb, m, n, k, 0.5, a, bb, 2.0, c);
                    return c;
                });
            }
        }
    }

    @Test
    void gemmReadsOperandsAtTheirOffset() {
        assertParity("gemm on narrowed views", SUMS_F32, SUMS_F32, b -> {
            Tensor a = random(b, DType.F32, 8, 10, 16).narrow(0, 3, 4);
            Tensor bb = random(b, DType.F32, 9, 20, 8).narrow(0, 4, 16);
            Tensor c = empty(b, DType.F32, 4, 8);
            b.gemm(false, false, 4, 8, 16, 1, a, bb, 0, c);
            return c;
        });
    }

    @Test
    void stridedBatchedGemmBroadcastsAStrideZeroOperand() {
        assertParity("gemmStridedBatched", SUMS_F32, SUMS_F32, b -> {
            Tensor a = random(b, DType.F32, 10, 6, 5, 12);
            Tensor w = random(b, DType.F32, 11, 12, 7);
            Tensor c = empty(b, DType.F32, 6, 5, 7);
            b.gemmStridedBatched(false, false, 5, 7, 12, 1, a, 60, w, 0, 0, c, 35, 6);
            return c;
        });
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryForwardAndBackwardMatch(UnaryOp op) {
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
        double param = op == UnaryOp.POW ? 1.7 : op == UnaryOp.LEAKY_RELU ? 0.1 : op == UnaryOp.ELU ? 1.3 : 0;
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            double tol = dtype == DType.F64 ? F64 : ELEMENTWISE_F32;
            double[] x = values(12, 2000, positive ? 0.05 : -4, 4);
            assertParity(op + " forward", tol, tol, b -> {
                Tensor in = tensor(b, dtype, x, 2000);
                Tensor out = empty(b, dtype, 2000);
                b.unary(op, param, in, out);
                return out;
            });
            assertParity(op + " backward", tol, tol, b -> {
                Tensor in = tensor(b, dtype, x, 2000);
                Tensor y = empty(b, dtype, 2000);
                b.unary(op, param, in, y);
                Tensor gy = random(b, dtype, 13, 2000);
                Tensor gx = empty(b, dtype, 2000);
                b.unaryBackward(op, param, in, y, gy, gx);
                return gx;
            });
        }
    }

    @Test
    void affineScalesAndShiftsInPlace() {
        assertParity("affine", ELEMENTWISE_F32, ELEMENTWISE_F32, b -> {
            Tensor x = random(b, DType.F32, 14, 999);
            b.affine(x, -2.5, 0.75, x);
            return x;
        });
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryBroadcastsBothOperands(BinaryOp op) {
        assertParity(op + " [4,1,5] with [3,1]", ELEMENTWISE_F32, ELEMENTWISE_F32, b -> {
            Tensor x = random(b, DType.F32, 15, 4, 1, 5);
            Tensor y = random(b, DType.F32, 16, 3, 1);
            Tensor out = empty(b, DType.F32, 4, 3, 5);
            b.binary(op, x, y, out);
            return out;
        });
        assertParity(op + " in place, same shape", ELEMENTWISE_F32, ELEMENTWISE_F32, b -> {
            Tensor x = random(b, DType.F32, 17, 6, 7);
            Tensor y = random(b, DType.F32, 18, 6, 7);
            b.binary(op, x, y, x);
            return x;
        });
    }

    @Test
    void binaryOnIntegerLabelsComparesExactly() {
        assertParity("EQ on I64", EXACT, EXACT, b -> {
            Tensor x = indices(b, new long[] {1, 2, 3, 4, 5, 6}, 6);
            Tensor y = indices(b, new long[] {1, 0, 3, 0, 5, 0}, 6);
            Tensor out = empty(b, DType.I64, 6);
            b.binary(BinaryOp.EQ, x, y, out);
            return out;
        });
    }

    @Test
    void wherePicksByABroadcastCondition() {
        assertParity("where", EXACT, EXACT, b -> {
            Tensor cond = random(b, DType.F32, 19, 1, 8).gt(0.0);
            Tensor x = random(b, DType.F32, 20, 5, 8);
            Tensor y = random(b, DType.F32, 21, 5, 1);
            Tensor out = empty(b, DType.F32, 5, 8);
            b.where(cond, x, y, out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reduceOverEachAxisOfARankThreeTensor(ReduceOp op) {
        int[] dims = {7, 300, 9};
        for (int axis = 0; axis < 3; axis++) {
            int reduced = axis;
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                assertParity(op + " over axis " + axis, sums(dtype), sums(dtype), b -> {
                    Tensor x = random(b, dtype, 22, dims);
                    int[] outDims = reduced == 0 ? new int[] {300, 9} : reduced == 1 ? new int[] {7, 9} : new int[] {7, 300};
                    Tensor out = empty(b, dtype, outDims);
                    b.reduce(op, x, reduced, out);
                    return out;
                });
            }
        }
    }

    @Test
    void argmaxReturnsTheFirstOfTiedMaxima() {
        assertParity("argmax with ties", EXACT, EXACT, b -> {
            Tensor x = tensor(b, DType.F32, new double[] {1, 5, 5, 2, 0, 0, 0, 0, 3, 9, 1, 9}, 3, 4);
            Tensor out = empty(b, DType.I64, 3);
            b.argmax(x, 1, out);
            return out;
        });
        assertParity("argmax over axis 0", EXACT, EXACT, b -> {
            Tensor x = random(b, DType.F32, 23, 50, 30);
            Tensor out = empty(b, DType.I64, 30);
            b.argmax(x, 0, out);
            return out;
        });
    }

    @Test
    void softmaxAndLogSoftmaxForwardAndBackward() {
        for (boolean log : new boolean[] {false, true}) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                double tol = dtype == DType.F64 ? F64 : SUMS_F32;
                assertParity("softmax log=" + log, tol, tol, b -> {
                    Tensor x = random(b, dtype, 24, 64, 1000).mul(5.0);
                    Tensor out = empty(b, dtype, 64, 1000);
                    b.softmax(x, log, out);
                    return out;
                });
                assertParity("softmaxBackward log=" + log, tol, tol, b -> {
                    Tensor x = random(b, dtype, 25, 64, 10);
                    Tensor y = empty(b, dtype, 64, 10);
                    b.softmax(x, log, y);
                    Tensor gx = empty(b, dtype, 64, 10);
                    b.softmaxBackward(y, random(b, dtype, 26, 64, 10), log, gx);
                    return gx;
                });
            }
        }
    }

    @Test
    void fusedCrossEntropyLossesProbabilitiesAndGradient() {
        long[] targets = {3, 0, 9, 9, 1, 4, 7, 2};
        assertParity("crossEntropy losses", SUMS_F32, SUMS_F32, b -> {
            Tensor losses = empty(b, DType.F32, 8);
            b.crossEntropy(random(b, DType.F32, 27, 8, 10).mul(4.0), indices(b, targets, 8), losses,
                    empty(b, DType.F32, 8, 10));
            return losses;
        });
        assertParity("crossEntropyBackward", SUMS_F32, SUMS_F32, b -> {
            Tensor probs = empty(b, DType.F32, 8, 10);
            Tensor t = indices(b, targets, 8);
            b.crossEntropy(random(b, DType.F32, 27, 8, 10).mul(4.0), t, empty(b, DType.F32, 8), probs);
            Tensor grad = empty(b, DType.F32, 8, 10);
            b.crossEntropyBackward(probs, t, random(b, DType.F32, 28, 8), grad);
            return grad;
        });
    }

    @Test
    void indexSelectAndIndexAddWithRepeatedIndices() {
        long[] idx = {4, 0, 4, 2, 2, 2};
        assertParity("indexSelect I64", EXACT, EXACT, b -> {
            Tensor out = empty(b, DType.F32, 6, 3);
            b.indexSelect(random(b, DType.F32, 29, 5, 3), 0, indices(b, idx, 6), out);
            return out;
        });
        assertParity("indexSelect I32 along axis 1", EXACT, EXACT, b -> {
            Tensor out = empty(b, DType.F32, 2, 6, 3);
            b.indexSelect(random(b, DType.F32, 30, 2, 5, 3), 1, indices(b, idx, 6).to(DType.I32), out);
            return out;
        });
        assertParity("indexAdd", SUMS_F32, SUMS_F32, b -> {
            Tensor dst = random(b, DType.F32, 31, 5, 3);
            b.indexAdd(dst, 0, indices(b, idx, 6), random(b, DType.F32, 32, 6, 3));
            return dst;
        });
    }

    @Test
    void gatherAndScatterAddAlongTheLastAxis() {
        long[] idx = {0, 2, 2, 1, 1, 1, 0, 0};
        assertParity("gather", EXACT, EXACT, b -> {
            Tensor out = empty(b, DType.F32, 4, 2);
            b.gather(random(b, DType.F32, 33, 4, 3), 1, indices(b, idx, 4, 2), out);
            return out;
        });
        assertParity("scatterAdd", SUMS_F32, SUMS_F32, b -> {
            Tensor dst = random(b, DType.F32, 34, 4, 3);
            b.scatterAdd(dst, 1, indices(b, idx, 4, 2), random(b, DType.F32, 35, 4, 2));
            return dst;
        });
    }

    @Test
    void randomFillsDrawTheSameCounterBasedNumbers() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            double tol = dtype == DType.F64 ? F64 : ELEMENTWISE_F32;
            assertParity("randomUniform " + dtype, tol, tol, b -> {
                Tensor t = empty(b, dtype, 10_000);
                b.randomUniform(t, -2, 3, 42, 1_000_000);
                return t;
            });
            assertParity("randomNormal " + dtype, tol, tol, b -> {
                Tensor t = empty(b, dtype, 10_000);
                b.randomNormal(t, 1, 0.5, 42, 7);
                return t;
            });
            assertParity("bernoulli " + dtype, EXACT, EXACT, b -> {
                Tensor t = empty(b, dtype, 10_000);
                b.bernoulli(t, 0.3, 43, 0);
                return t;
            });
        }
    }
}
