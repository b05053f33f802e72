package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.assertParityWithNaN;
import static dev.kiln.tests.cuda.ParityBackends.indices;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.ties;
import static dev.kiln.tests.cuda.ParityBackends.uniform;
import static dev.kiln.tests.cuda.ParityBackends.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPI sections 4 and 5 (reductions over an axis, argmax, softmax and log-softmax, the fused softmax
 * cross-entropy) on the backend under test against the CPU backend, from identical inputs.
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}). A sum of n F32 terms in [-1, 1) comes out of the CPU's
 * sequential loop and a GPU's tree of partial sums with different rounding, about {@code sqrt(n)} errors of
 * the partial sums apart: around 1e-5 for n = 300; we allow 1e-4 absolute and relative. For a sum of 100,000
 * positive terms only the relative error means anything, and the CPU's sequential F32 sum is itself about 1e-5
 * off: 1e-4 relative. Softmax rows (exponentials, a sum of up to 1,000 terms, a division or a logarithm):
 * 1e-5. Maxima and argmax involve no rounding and must match exactly, ties included. F64: 1e-10.
 */
class CudaParityReductionTest extends ParityTest {
    private static final Tolerance SUM_F32 = Tolerance.of(1e-4);
    private static final Tolerance LONG_SUM_F32 = new Tolerance(0, 1e-4);
    private static final Tolerance SOFTMAX_F32 = Tolerance.of(1e-5);
    private static final Tolerance F64 = Tolerance.of(1e-10);

    /** Maxima and integer sums match exactly; floating sums within F64's or the given F32 tolerance. */
    private static Tolerance tolerance(ReduceOp op, DType dtype, Tolerance sumF32) {
        return op == ReduceOp.MAX || !dtype.isFloating() ? Tolerance.EXACT : dtype == DType.F64 ? F64 : sumF32;
    }

    static Stream<Arguments> opsDtypesAndAxes() {
        List<Arguments> cases = new ArrayList<>();
        for (ReduceOp op : ReduceOp.values()) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                for (int axis = 0; axis < 3; axis++) {
                    cases.add(Arguments.of(op, dtype, axis));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} over axis {2}")
    @MethodSource("opsDtypesAndAxes")
    void reduceMatchesCpuOverEachAxisOfARankThreeTensor(ReduceOp op, DType dtype, int axis) {
        Shape shape = Shape.of(7, 300, 9);
        assertParity(op + " " + dtype + " of " + shape + " over axis " + axis, tolerance(op, dtype, SUM_F32), b -> {
            Tensor out = output(b, dtype, shape.without(axis));
            b.reduce(op, random(b, dtype, 22, shape.dims()), axis, out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reduceMatchesCpuOverAxesOfAHundredThousandElements(ReduceOp op) {
        Tolerance tolerance = tolerance(op, DType.F32, LONG_SUM_F32);
        assertParity(op + " of [2, 100000] over axis 1", tolerance, b -> {
            Tensor out = output(b, DType.F32, 2);
            b.reduce(op, uniform(b, DType.F32, 23, 0, 1, 2, 100_000), 1, out);
            return out;
        });
        assertParity(op + " of [50000, 3] over axis 0", tolerance, b -> {
            Tensor out = output(b, DType.F32, 3);
            b.reduce(op, uniform(b, DType.F32, 24, 0, 1, 50_000, 3), 0, out);
            return out;
        });
    }

    /** A full reduction (one row) long enough to be split over many blocks and reduced in a second pass. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opsAndTypes")
    void reduceMatchesCpuOverAMillionElementsInOneRow(ReduceOp op, DType dtype) {
        assertLongReductionMatchesCpu(op, dtype, 25, Shape.of(1, 1_000_003), 1);
    }

    /** Few outputs over long columns: each column is cut into slices reduced by a thread each, then a second pass. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opsAndTypes")
    void reduceMatchesCpuOverFewLongColumns(ReduceOp op, DType dtype) {
        assertLongReductionMatchesCpu(op, dtype, 26, Shape.of(4, 20_001, 3), 1);
    }

    /** {@code op} over {@code axis} of seeded values in [0, 100): sums of many terms, so F32 gets LONG_SUM_F32. */
    private static void assertLongReductionMatchesCpu(ReduceOp op, DType dtype, long seed, Shape shape, int axis) {
        assertParity(op + " " + dtype + " of " + shape + " over axis " + axis, tolerance(op, dtype, LONG_SUM_F32), b -> {
            Tensor out = output(b, dtype, shape.without(axis));
            b.reduce(op, uniform(b, dtype, seed, 0, 100, shape.dims()), axis, out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxOverALongColumnWithOneNaNIsNaNAsOnTheCpu(DType dtype) {
        double[] x = values(39, 20_000 * 3, -1, 1);
        x[12_345 * 3 + 2] = Double.NaN;
        assertParityWithNaN("max " + dtype + " of [20000, 3] over axis 0, a NaN in column 2", Tolerance.EXACT, b -> {
            Tensor out = output(b, dtype, 3);
            b.reduce(ReduceOp.MAX, tensor(b, dtype, x, 20_000, 3), 0, out);
            return out;
        });
    }

    static Stream<Arguments> opsAndTypes() {
        return Stream.of(ReduceOp.values()).flatMap(op -> Stream.of(DType.values()).map(dtype -> Arguments.of(op, dtype)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxOverALongRowWithOneNaNIsNaNAsOnTheCpu(DType dtype) {
        double[] x = values(38, 3 * 200_000, -1, 1);
        x[200_000 + 123_457] = Double.NaN;
        assertParityWithNaN("max " + dtype + " of [3, 200000], a NaN in row 1", Tolerance.EXACT, b -> {
            Tensor out = output(b, dtype, 3);
            b.reduce(ReduceOp.MAX, tensor(b, dtype, x, 3, 200_000), 1, out);
            return out;
        });
    }

    /** The first index of the maximum along {@code axis} of row-major {@code x}: what argmax must give. */
    private static long[] firstArgmax(double[] x, Shape shape, int axis) {
        long outer = shape.outer(axis);
        long inner = shape.inner(axis);
        int n = shape.dim(axis);
        long[] out = new long[(int) (outer * inner)];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                for (int k = 1; k < n; k++) {
                    if (x[(int) ((o * n + k) * inner + i)] > x[(int) ((o * n + best) * inner + i)]) {
                        best = k;
                    }
                }
                out[(int) (o * inner + i)] = best;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2})
    void argmaxReturnsTheFirstOfTiedMaxima(int axis) {
        Shape shape = Shape.of(6, 40, 5);
        double[] x = ties(35, (int) shape.size(), 0, 1, 2, 3);
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            assertParity("argmax " + dtype + " with ties over axis " + axis, Tolerance.EXACT, b -> {
                Tensor out = output(b, DType.I64, shape.without(axis));
                b.argmax(tensor(b, dtype, x, shape.dims()), axis, out);
                return out;
            });
        }
        Tensor out = output(reference(), DType.I64, shape.without(axis));
        reference().argmax(tensor(reference(), DType.F32, x, shape.dims()), axis, out);
        assertArrayEquals(firstArgmax(x, shape, axis), out.toLongArray(), "cpu argmax against the first maximum");
    }

    private static final Shape ROWS_OF_300 = Shape.of(4, 300);

    /** {@link #ROWS_OF_300} with a NaN in rows 1 and 3 (at the middle and at the end) among finite values. */
    private static double[] withNaNs() {
        double[] x = values(37, (int) ROWS_OF_300.size(), -1, 1);
        x[300 + 150] = Double.NaN;
        x[3 * 300 + 299] = Double.NaN;
        return x;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void maxOverARowWithANaNIsNaNAsOnTheCpu(DType dtype) {
        Shape shape = ROWS_OF_300;
        double[] x = withNaNs();
        assertParityWithNaN("max " + dtype + " of rows holding a NaN", Tolerance.EXACT, b -> {
            Tensor out = output(b, dtype, 4);
            b.reduce(ReduceOp.MAX, tensor(b, dtype, x, shape.dims()), 1, out);
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void argmaxPicksTheFirstNaNAsOnTheCpu(DType dtype) {
        Shape shape = ROWS_OF_300;
        double[] x = withNaNs();
        x[300 + 200] = Double.NaN;
        assertParity("argmax " + dtype + " of rows holding NaNs", Tolerance.EXACT, b -> {
            Tensor out = output(b, DType.I64, 4);
            b.argmax(tensor(b, dtype, x, shape.dims()), 1, out);
            return out;
        });
        Tensor out = output(reference(), DType.I64, 4);
        reference().argmax(tensor(reference(), dtype, x, shape.dims()), 1, out);
        long[] cpu = out.toLongArray();
        assertArrayEquals(new long[] {150, 299}, new long[] {cpu[1], cpu[3]}, "cpu argmax: the first NaN of each row");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void accumulateHitsCountsFirstMaximaWithTiesAndNaNsOnTopOfEarlierHits(DType dtype) {
        int rows = 1000;
        int classes = 10;
        double[] scores = ties(39, rows * classes, 0, 1, 2);
        for (int r = 0; r < rows; r += 37) {
            scores[r * classes + r % classes] = Double.NaN;
        }
        long[] labels = new long[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = (r * 7L) % classes;
        }
        assertParity("accumulateHits " + dtype + " [1000, 10] with tied rows and NaNs, 5 hits before",
                Tolerance.EXACT, b -> {
                    Tensor hits = indices(b, DType.I64, new long[] {5}, 1);
                    b.accumulateHits(tensor(b, dtype, scores, rows, classes), indices(b, DType.I64, labels, rows), hits);
                    return hits;
                });
    }

    @ParameterizedTest(name = "log={0}")
    @ValueSource(booleans = {false, true})
    void softmaxOfARowWithInfinityMatchesCpu(boolean log) {
        double[] rows = values(38, 3 * 50, -3, 3);
        rows[10] = Double.POSITIVE_INFINITY;
        rows[50 + 7] = Double.POSITIVE_INFINITY;
        rows[50 + 8] = Double.POSITIVE_INFINITY;
        assertParityWithNaN((log ? "log-softmax" : "softmax") + " of rows holding +inf", SOFTMAX_F32, b -> {
            Tensor out = output(b, DType.F32, 3, 50);
            b.softmax(tensor(b, DType.F32, rows, 3, 50), log, out);
            return out;
        });
    }

    static Stream<Arguments> logAndDtype() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean log : new boolean[] {false, true}) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                cases.add(Arguments.of(log, dtype));
            }
        }
        return cases.stream();
    }

    private static Tolerance softmaxTolerance(DType dtype) {
        return dtype == DType.F64 ? F64 : SOFTMAX_F32;
    }

    @ParameterizedTest(name = "log={0} {1}")
    @MethodSource("logAndDtype")
    void softmaxMatchesCpuOnRowsOfAThousand(boolean log, DType dtype) {
        assertParity((log ? "log-softmax " : "softmax ") + dtype + " of [64, 1000]", softmaxTolerance(dtype), b -> {
            Tensor out = output(b, dtype, 64, 1000);
            b.softmax(uniform(b, dtype, 36, -5, 5, 64, 1000), log, out);
            return out;
        });
    }

    @ParameterizedTest(name = "log={0}")
    @ValueSource(booleans = {false, true})
    void softmaxStaysFiniteForHugeLogits(boolean log) {
        double[] rows = new double[40];
        for (int i = 0; i < 10; i++) {
            rows[i] = i % 2 == 0 ? 1000 : -1000;
            rows[10 + i] = 500;
            rows[20 + i] = -1000 - i;
            rows[30 + i] = i % 2 == 0 ? 88.8 : -88.8;
        }
        assertParity((log ? "log-softmax" : "softmax") + " of logits of +-1000", SOFTMAX_F32, b -> {
            Tensor out = output(b, DType.F32, 4, 10);
            b.softmax(tensor(b, DType.F32, rows, 4, 10), log, out);
            return out;
        });
    }

    /** Rows of nearly equal logits far from 0: log-probabilities near log(1/4) must keep F32 precision. */
    private static final double[] LARGE_CLOSE_LOGITS = {
        1000, 1000, 999, 998,
        10000, 10000.5, 9999, 9990,
        -5000, -5000.25, -5000.5, -5001,
        30000, 30001, 30000.5, 29999};

    @ParameterizedTest(name = "log={0}")
    @ValueSource(booleans = {false, true})
    void softmaxOfCloseLogitsFarFromZeroKeepsF32Precision(boolean log) {
        assertParity((log ? "log-softmax" : "softmax") + " of close logits near 1e3-3e4", SOFTMAX_F32, b -> {
            Tensor out = output(b, DType.F32, 4, 4);
            b.softmax(tensor(b, DType.F32, LARGE_CLOSE_LOGITS, 4, 4), log, out);
            return out;
        });
    }

    @Test
    void crossEntropyOfCloseLogitsFarFromZeroKeepsF32Precision() {
        assertParity("crossEntropy of close logits near 1e3-3e4", new String[] {"losses", "probs"}, SOFTMAX_F32, b -> {
            Tensor losses = output(b, DType.F32, 4);
            Tensor probs = output(b, DType.F32, 4, 4);
            b.crossEntropy(tensor(b, DType.F32, LARGE_CLOSE_LOGITS, 4, 4), indices(b, DType.I64, new long[] {0, 1, 2, 3}, 4),
                    losses, probs);
            return new Tensor[] {losses, probs};
        });
    }

    @ParameterizedTest(name = "log={0} {1}")
    @MethodSource("logAndDtype")
    void softmaxBackwardMatchesCpu(boolean log, DType dtype) {
        Backend cpu = reference();
        Tensor y = output(cpu, dtype, 33, 257);
        cpu.softmax(uniform(cpu, dtype, 37, -3, 3, 33, 257), log, y);
        double[] forward = y.toDoubleArray();
        assertParity((log ? "log-softmax" : "softmax") + " backward " + dtype, softmaxTolerance(dtype), b -> {
            Tensor gradX = output(b, dtype, 33, 257);
            b.softmaxBackward(tensor(b, dtype, forward, 33, 257), random(b, dtype, 38, 33, 257), log, gradX);
            return gradX;
        });
    }

    private static final long[] TARGETS = {3, 0, 9, 9, 1, 4, 7, 2, 0, 5, 6};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyLossesAndProbabilitiesMatchCpu(DType dtype) {
        assertParity("crossEntropy " + dtype, new String[] {"losses", "probs"}, softmaxTolerance(dtype), b -> {
            Tensor losses = output(b, dtype, 11);
            Tensor probs = output(b, dtype, 11, 10);
            b.crossEntropy(uniform(b, dtype, 39, -4, 4, 11, 10), indices(b, DType.I64, TARGETS, 11), losses, probs);
            return new Tensor[] {losses, probs};
        });
    }

    @ParameterizedTest
    @ValueSource(doubles = {1, 1000})
    void crossEntropyStaysFiniteForLogitsOfAnySize(double scale) {
        double[] logits = values(40, 110, -scale, scale);
        assertParity("crossEntropy of logits in +-" + scale, new String[] {"losses", "probs"}, SOFTMAX_F32, b -> {
            Tensor losses = output(b, DType.F32, 11);
            Tensor probs = output(b, DType.F32, 11, 10);
            b.crossEntropy(tensor(b, DType.F32, logits, 11, 10), indices(b, DType.I64, TARGETS, 11), losses, probs);
            return new Tensor[] {losses, probs};
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyBackwardMatchesCpu(DType dtype) {
        Backend cpu = reference();
        Tensor probs = output(cpu, dtype, 11, 10);
        cpu.softmax(uniform(cpu, dtype, 41, -4, 4, 11, 10), false, probs);
        double[] p = probs.toDoubleArray();
        assertParity("crossEntropyBackward " + dtype, softmaxTolerance(dtype), b -> {
            Tensor gradLogits = output(b, dtype, 11, 10);
            b.crossEntropyBackward(tensor(b, dtype, p, 11, 10), indices(b, DType.I64, TARGETS, 11),
                    random(b, dtype, 42, 11), 1.0, gradLogits);
            return gradLogits;
        });
        assertParity("crossEntropyBackward " + dtype + ", one gradient shared by all rows, times 1 / n (a mean's)",
                softmaxTolerance(dtype), b -> {
                    Tensor gradLogits = output(b, dtype, 11, 10);
                    b.crossEntropyBackward(tensor(b, dtype, p, 11, 10), indices(b, DType.I64, TARGETS, 11),
                            tensor(b, dtype, new double[] {0.3}, 1), 1.0 / 11, gradLogits);
                    return gradLogits;
                });
    }
}
