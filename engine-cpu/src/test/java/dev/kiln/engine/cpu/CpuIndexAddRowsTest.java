package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * indexAdd against its definition, dst[o, index[j], i] += src[o, j, i] added one element at a time in the order of
 * j (each sum rounded to the dtype, as the element-by-element path does), bit for bit: the row-at-a-time path
 * (floating dtypes, rows longer than one) with duplicate indices, row lengths around the vector widths and a
 * destination that starts inside its storage; and the paths it leaves alone (last axis, integer dtypes).
 */
class CpuIndexAddRowsTest {
    private CpuBackend cpu;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(2);
    }

    @AfterEach
    void close() {
        cpu.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 7, 8, 17, 64, 65})
    void f32RowsAlongAxisZeroMatchTheElementByElementSums(int dim) {
        check(DType.F32, 1, 40, dim, 300, 0, dim);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 7, 8, 17, 64, 65})
    void f64RowsAlongAxisZeroMatchTheElementByElementSums(int dim) {
        check(DType.F64, 1, 40, dim, 300, 0, dim);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rowsAlongAMiddleAxisOfAnOffsetViewMatch(DType dtype) {
        check(dtype, 3, 11, 9, 25, 5, 11 * 9);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "I32", "I64"})
    void theLastAxisAndIntegerDtypesKeepTheGeneralPath(DType dtype) {
        check(dtype, 4, 30, 1, 50, 0, 7);
        check(dtype, 2, 30, 6, 50, 3, 5);
    }

    /** indexAdd of [outer, m, inner] into [outer, n, inner] (starting {@code offset} into its storage) on axis 1. */
    private void check(DType dtype, int outer, int n, int inner, int m, int offset, int seed) {
        SplittableRandom random = new SplittableRandom(seed * 31L + dtype.ordinal());
        double[] dstValues = values(dtype, outer * n * inner, random);
        double[] srcValues = values(dtype, outer * m * inner, random);
        long[] index = new long[m];
        for (int j = 0; j < m; j++) {
            index[j] = random.nextInt(n);
        }
        Tensor storage = Tensor.empty(Shape.of(offset + outer * n * inner), dtype, cpu);
        Tensor dst = storage.narrow(0, offset, outer * n * inner).reshape(outer, n, inner);
        Tensor src = Tensor.empty(Shape.of(outer, m, inner), dtype, cpu);
        Tensor idx = Tensor.empty(Shape.of(m), DType.I64, cpu);
        Data dd = Data.of(dst);
        Data sd = Data.of(src);
        for (int k = 0; k < dstValues.length; k++) {
            dd.set(k, dstValues[k]);
        }
        for (int k = 0; k < srcValues.length; k++) {
            sd.set(k, srcValues[k]);
        }
        ((CpuStorage) idx.storage()).i64.put(0, index);

        cpu.indexAdd(dst, 1, idx, src);

        double[] expected = dstValues.clone();
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < inner; i++) {
                    int to = (o * n + (int) index[j]) * inner + i;
                    expected[to] = rounded(dtype, expected[to] + srcValues[(o * m + j) * inner + i]);
                }
            }
        }
        for (int k = 0; k < expected.length; k++) {
            assertEquals(Double.doubleToRawLongBits(expected[k]), Double.doubleToRawLongBits(dd.get(k)),
                    dtype + " [" + outer + ", " + n + ", " + inner + "] element " + k);
        }
    }

    /** Values of very different magnitudes, so that a different order of the additions would change their sums. */
    private static double[] values(DType dtype, int count, SplittableRandom random) {
        double[] v = new double[count];
        for (int k = 0; k < count; k++) {
            v[k] = dtype.isFloating()
                    ? rounded(dtype, random.nextGaussian() * Math.pow(10, random.nextInt(-3, 6)))
                    : random.nextInt(-1000, 1000);
        }
        return v;
    }

    private static double rounded(DType dtype, double v) {
        return dtype == DType.F32 ? (float) v : v;
    }
}
