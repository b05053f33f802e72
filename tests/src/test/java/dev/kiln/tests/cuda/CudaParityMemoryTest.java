package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.full;
import static dev.kiln.tests.cuda.ParityBackends.indices;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.uniform;
import static dev.kiln.tests.cuda.ParityBackends.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPI section 1 (memory: fill, host transfers, copies with conversion, slices, permutation) and the
 * housekeeping of {@link Backend#bytesInUse()} on the backend under test against the CPU backend.
 *
 * <p>Every comparison here is exact: these ops move or convert values without arithmetic, so any difference
 * is a bug, not rounding. Conversions follow Java's casts (round to nearest for F64 to F32, truncation toward
 * zero for a float to an integer), and the reference is checked against those casts as well.
 */
class CudaParityMemoryTest extends ParityTest {
    private static final int STEPS = 10_000;

    @ParameterizedTest
    @EnumSource(DType.class)
    void fillSetsEveryElementToTheValue(DType dtype) {
        assertParity("fill " + dtype + " with -3", Tolerance.EXACT, b -> full(b, dtype, -3, 3, 1001));
        assertArrayEquals(new double[] {-3, -3}, full(reference(), dtype, -3, 2).toDoubleArray());
        if (dtype.isFloating()) {
            assertParity("fill " + dtype + " with 0.1", Tolerance.EXACT, b -> full(b, dtype, 0.1, 3, 1001));
        }
    }

    @Test
    void fillOfANarrowedViewLeavesTheRestOfItsStorage() {
        assertParity("fill of rows 1-2 of [4, 100]", Tolerance.EXACT, b -> {
            Tensor whole = full(b, DType.F32, 1, 4, 100);
            b.fill(whole.narrow(0, 1, 2), 5);
            return whole;
        });
    }

    /** Random values plus the values a careless transfer mangles: NaN, infinities, -0, subnormals, extremes. */
    private static double[] awkwardValues(DType dtype, int n) {
        double[] v = values(1, n, -1e6, 1e6);
        double[] special = switch (dtype) {
            case F32 -> new double[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0, Float.MIN_VALUE,
                Float.MAX_VALUE, -Float.MAX_VALUE, 1.0 / 3};
            case F64 -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
                Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1.0 / 3};
            case I32 -> new double[] {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0};
            case I64 -> new double[] {-(1L << 53), 1L << 53, -1, 0};
        };
        System.arraycopy(special, 0, v, 0, special.length);
        return v;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void hostRoundTripPreservesEveryBitThroughHeapAndDirectBuffers(DType dtype) {
        int n = 10_001;
        double[] v = awkwardValues(dtype, n);
        for (Backend b : new Backend[] {reference(), underTest()}) {
            for (boolean direct : new boolean[] {false, true}) {
                Tensor t = Tensor.empty(Shape.of(n), dtype, b);
                String what = b.name() + " " + dtype + (direct ? " direct" : " heap") + " buffers";
                switch (dtype) {
                    case F32 -> {
                        float[] in = new float[n];
                        for (int i = 0; i < n; i++) {
                            in[i] = (float) v[i];
                        }
                        b.copyFromHost(direct ? directBytes(n, 4).asFloatBuffer().put(in).flip() : FloatBuffer.wrap(in), t);
                        FloatBuffer out = direct ? directBytes(n, 4).asFloatBuffer() : FloatBuffer.allocate(n);
                        b.copyToHost(t, out);
                        for (int i = 0; i < n; i++) {
                            assertEquals(Float.floatToIntBits(in[i]), Float.floatToIntBits(out.get(i)), what + " element " + i);
                        }
                    }
                    case F64 -> {
                        b.copyFromHost(direct ? directBytes(n, 8).asDoubleBuffer().put(v).flip() : DoubleBuffer.wrap(v), t);
                        DoubleBuffer out = direct ? directBytes(n, 8).asDoubleBuffer() : DoubleBuffer.allocate(n);
                        b.copyToHost(t, out);
                        for (int i = 0; i < n; i++) {
                            assertEquals(Double.doubleToLongBits(v[i]), Double.doubleToLongBits(out.get(i)), what + " element " + i);
                        }
                    }
                    case I32 -> {
                        int[] in = new int[n];
                        for (int i = 0; i < n; i++) {
                            in[i] = (int) v[i];
                        }
                        b.copyFromHost(direct ? directBytes(n, 4).asIntBuffer().put(in).flip() : IntBuffer.wrap(in), t);
                        IntBuffer out = direct ? directBytes(n, 4).asIntBuffer() : IntBuffer.allocate(n);
                        b.copyToHost(t, out);
                        for (int i = 0; i < n; i++) {
                            assertEquals(in[i], out.get(i), what + " element " + i);
                        }
                    }
                    case I64 -> {
                        long[] in = new long[n];
                        for (int i = 0; i < n; i++) {
                            in[i] = (long) v[i];
                        }
                        b.copyFromHost(direct ? directBytes(n, 8).asLongBuffer().put(in).flip() : LongBuffer.wrap(in), t);
                        LongBuffer out = direct ? directBytes(n, 8).asLongBuffer() : LongBuffer.allocate(n);
                        b.copyToHost(t, out);
                        for (int i = 0; i < n; i++) {
                            assertEquals(in[i], out.get(i), what + " element " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void uploadsQueuedBackToBackEachArriveIntact() {
        int n = 50_000;
        Tensor[] tensors = new Tensor[12];
        for (int k = 0; k < tensors.length; k++) {
            float[] in = new float[n];
            Arrays.fill(in, k + 0.5f);
            tensors[k] = Tensor.empty(Shape.of(n), DType.F32, underTest());
            underTest().copyFromHost(FloatBuffer.wrap(in), tensors[k]);
        }
        for (int k = 0; k < tensors.length; k++) {
            FloatBuffer out = FloatBuffer.allocate(n);
            underTest().copyToHost(tensors[k], out);
            for (int i = 0; i < n; i += 997) {
                assertEquals(k + 0.5f, out.get(i), "upload " + k + " (staging buffers reused in turn), element " + i);
            }
        }
    }

    @Test
    void aTransferLargerThanOneStagingChunkArrivesIntact() {
        int n = 70_000_000;
        FloatBuffer in = directBytes(n, 4).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            in.put(i, i % 1_000_003);
        }
        Tensor t = Tensor.empty(Shape.of(n), DType.F32, underTest());
        underTest().copyFromHost(in, t);
        FloatBuffer out = directBytes(n, 4).asFloatBuffer();
        underTest().copyToHost(t, out);
        for (int i = 0; i < n; i++) {
            if (out.get(i) != i % 1_000_003) {
                assertEquals((float) (i % 1_000_003), out.get(i), "280 MB round trip, element " + i);
            }
        }
        t.close();
    }

    private static ByteBuffer directBytes(int n, int bytes) {
        return ByteBuffer.allocateDirect(n * bytes).order(ByteOrder.nativeOrder());
    }

    @Test
    void hostCopiesWriteAndReadANarrowedViewAtItsOffset() {
        float[] rows = new float[15];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i + 0.5f;
        }
        float[] expected = new float[30];
        System.arraycopy(rows, 0, expected, 10, rows.length);
        assertParity("copyFromHost into rows 2-4 of [6, 5]", Tolerance.EXACT, b -> {
            Tensor whole = full(b, DType.F32, 0, 6, 5);
            Tensor view = whole.narrow(0, 2, 3);
            b.copyFromHost(FloatBuffer.wrap(rows), view);
            float[] back = new float[rows.length];
            b.copyToHost(view, FloatBuffer.wrap(back));
            assertArrayEquals(rows, back, b.name() + ": copyToHost of the view");
            assertArrayEquals(expected, whole.toFloatArray(), b.name() + ": rows outside the view keep their values");
            return whole;
        });
    }

    static Stream<Arguments> dtypePairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                pairs.add(Arguments.of(from, to));
            }
        }
        return pairs.stream();
    }

    /** Values whose conversions differ between rounding, truncation and flooring, within every dtype's range. */
    private static double[] conversionValues() {
        double[] v = values(2, 200, -1e6, 1e6);
        double[] special = {0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.7, -0.7, 1.9999999, -1.9999999, 16777217, -16777217,
            0.1, 123456.789};
        System.arraycopy(special, 0, v, 0, special.length);
        return v;
    }

    /** The value a copy from a {@code from} tensor holding {@code x} to {@code to} must give: Java's casts. */
    private static double converted(double x, DType to) {
        return switch (to) {
            case F32 -> (float) x;
            case F64 -> x;
            case I32 -> (int) x;
            case I64 -> (long) x;
        };
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("dtypePairs")
    void copyConvertsLikeJavasCasts(DType from, DType to) {
        double[] v = conversionValues();
        assertParity("copy " + from + " to " + to, Tolerance.EXACT, b -> {
            Tensor dst = output(b, to, v.length);
            b.copy(tensor(b, from, v, v.length), dst);
            return dst;
        });
        Tensor src = tensor(reference(), from, v, v.length);
        double[] stored = src.toDoubleArray();
        double[] expected = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            expected[i] = converted(stored[i], to);
        }
        Tensor dst = output(reference(), to, v.length);
        reference().copy(src, dst);
        assertArrayEquals(expected, dst.toDoubleArray(), "cpu copy " + from + " to " + to + " against Java's casts");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "F32", "F64"})
    void copyFromI64ConvertsLikeJavasCastsBeyondIntAndDoubleRange(DType to) {
        long[] v = {4_294_967_301L, -4_294_967_301L, Long.MAX_VALUE, Long.MIN_VALUE, (1L << 60) + (1L << 36) + 1, 7, -7};
        double[] expected = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            expected[i] = switch (to) {
                case I32 -> (int) v[i];
                case F32 -> (float) v[i];
                default -> (double) v[i];
            };
        }
        Function<Backend, Tensor> copy = b -> {
            Tensor src = Tensor.empty(Shape.of(v.length), DType.I64, b);
            b.copyFromHost(LongBuffer.wrap(v.clone()), src);
            Tensor dst = output(b, to, v.length);
            b.copy(src, dst);
            return dst;
        };
        assertParity("copy I64 to " + to + " beyond int and double range", Tolerance.EXACT, copy);
        assertArrayEquals(expected, copy.apply(reference()).toDoubleArray(), "cpu copy I64 to " + to + " against Java's casts");
    }

    @Test
    void copyReadsAndWritesNarrowedViewsAtTheirOffsets() {
        assertParity("copy F32 rows 1-2 of [4, 7] to F64 rows 3-4 of [6, 7]", Tolerance.EXACT, b -> {
            Tensor src = random(b, DType.F32, 3, 4, 7);
            Tensor dst = full(b, DType.F64, -1, 6, 7);
            b.copy(src.narrow(0, 1, 2), dst.narrow(0, 3, 2));
            return dst;
        });
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2})
    void copySlicesMovesAWindowAlongEachAxis(int axis) {
        int[] srcDims = {4, 6, 5};
        int[] dstDims = srcDims.clone();
        dstDims[axis] = 7;
        for (DType dtype : new DType[] {DType.F32, DType.F64, DType.I64}) {
            assertParity("copySlices " + dtype + " along axis " + axis, Tolerance.EXACT, b -> {
                Tensor src = uniform(b, dtype, 4, -100, 100, srcDims);
                Tensor dst = full(b, dtype, -1, dstDims);
                b.copySlices(src, axis, 1, dst, 3, 3);
                return dst;
            });
        }
    }

    private static int[] permuted(int[] dims, int[] perm) {
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = dims[perm[i]];
        }
        return out;
    }

    @Test
    void permuteReordersARankThreeTensorForEveryPermutation() {
        int[] dims = {2, 3, 4};
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] perm : perms) {
            assertParity("permute [2, 3, 4] by " + java.util.Arrays.toString(perm), Tolerance.EXACT, b -> {
                Tensor out = output(b, DType.F32, permuted(dims, perm));
                b.permute(random(b, DType.F32, 5, dims), perm, out);
                return out;
            });
        }
    }

    @Test
    void permuteReordersRankFourTensorsOfEveryDtype() {
        int[] dims = {2, 3, 4, 5};
        int[][] perms = {{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 1, 0, 2}, {1, 0, 2, 3}, {3, 2, 1, 0}};
        for (DType dtype : DType.values()) {
            for (int[] perm : perms) {
                assertParity("permute " + dtype + " [2, 3, 4, 5] by " + java.util.Arrays.toString(perm), Tolerance.EXACT,
                        b -> {
                            Tensor out = output(b, dtype, permuted(dims, perm));
                            b.permute(uniform(b, dtype, 6, -1000, 1000, dims), perm, out);
                            return out;
                        });
            }
        }
    }

    @Test
    void bytesInUseGrowsWithAnAllocationAndFallsBackWhenItIsReleased() {
        for (Backend b : new Backend[] {reference(), underTest()}) {
            b.synchronize();
            long before = b.bytesInUse();
            Tensor t = Tensor.empty(Shape.of(1000), DType.F32, b);
            long during = b.bytesInUse();
            t.close();
            b.synchronize();
            assertTrue(during >= before + 4000, b.name() + ": " + before + " bytes in use before allocating 4000, "
                    + during + " after");
            assertEquals(before, b.bytesInUse(), b.name() + ": bytes in use after releasing the tensor");
        }
    }

    @Test
    void peakBytesInUseHoldsTheMostLiveAtOnceAfterTheTensorsAreReleased() {
        for (Backend b : new Backend[] {reference(), underTest()}) {
            b.synchronize();
            long before = b.bytesInUse();
            long bytes = Math.max(1L << 20, b.peakBytesInUse() - before + (1L << 20));
            Tensor first = Tensor.empty(Shape.of(Math.toIntExact(bytes / 8)), DType.F32, b);
            Tensor second = Tensor.empty(Shape.of(Math.toIntExact(bytes / 8)), DType.F32, b);
            long atOnce = b.bytesInUse();
            first.close();
            second.close();
            b.synchronize();
            assertTrue(atOnce >= before + bytes, b.name() + ": " + atOnce + " bytes in use with " + bytes + " more live");
            assertEquals(atOnce, b.peakBytesInUse(), b.name() + ": the peak is the most live at once, the two tensors'");
            assertEquals(before, b.bytesInUse(), b.name() + ": bytes in use after releasing them");
        }
    }

    /**
     * A two-layer perceptron (8 -> 16 -> 4, ReLU, cross-entropy) on a fixed batch, trained by Adam with the
     * backend's fused update, one scope per step, on the backend under test. What a step allocates is released
     * when its scope closes, so the backend's live bytes after step 10,000 equal those after step 100; the loss
     * must fall, which shows that the steps did real work.
     */
    @Test
    void tenThousandTrainingStepsLeaveBytesInUseFlat() {
        Backend b = underTest();
        int[][] shapes = {{8, 16}, {16}, {16, 4}, {4}};
        Tensor[] params = new Tensor[shapes.length];
        Tensor[] expAvg = new Tensor[shapes.length];
        Tensor[] expAvgSq = new Tensor[shapes.length];
        for (int k = 0; k < shapes.length; k++) {
            params[k] = uniform(b, DType.F32, 80 + k, -0.5, 0.5, shapes[k]).requiresGrad(true);
            expAvg[k] = full(b, DType.F32, 0, shapes[k]);
            expAvgSq[k] = full(b, DType.F32, 0, shapes[k]);
        }
        Tensor x = random(b, DType.F32, 84, 16, 8);
        long[] labels = new long[16];
        Random r = new Random(85);
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(4);
        }
        Tensor y = indices(b, DType.I64, labels, 16);
        double firstLoss = 0;
        double lastLoss = 0;
        long afterStep100 = 0;
        try {
            for (int step = 1; step <= STEPS; step++) {
                try (Scope s = Scope.open()) {
                    Tensor hidden = x.matmul(params[0]).add(params[1]).relu();
                    Tensor loss = F.crossEntropy(hidden.matmul(params[2]).add(params[3]), y);
                    loss.backward();
                    for (int k = 0; k < params.length; k++) {
                        b.adamUpdate(params[k], params[k].grad(), expAvg[k], expAvgSq[k], 1e-2, 0.9, 0.999, 1e-8, 0, false,
                                step);
                        params[k].zeroGrad();
                    }
                    if (step == 1) {
                        firstLoss = loss.item();
                    } else if (step == STEPS) {
                        lastLoss = loss.item();
                    }
                }
                if (step == 100) {
                    b.synchronize();
                    afterStep100 = b.bytesInUse();
                }
            }
            b.synchronize();
            assertEquals(afterStep100, b.bytesInUse(), b.name() + ": bytes in use after step 100 and after step " + STEPS);
            assertTrue(lastLoss < firstLoss / 2, "the steps did not train: loss " + firstLoss + " -> " + lastLoss);
        } finally {
            for (Tensor p : params) {
                p.clearGrad();
            }
        }
    }
}
