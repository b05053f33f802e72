package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link StridedCopy#copy} against the definition, element by element through the view's strides: every dtype,
 * ranks 0 to 5, zero and negative strides, offsets into both storages, one and two threads; the destination outside
 * its run keeps its sentinel. {@link StridedCopy#select} likewise against the definition of indexSelect.
 */
class StridedCopyTest {
    private static final long SENTINEL = -77;

    private CpuBackend cpu;

    @BeforeEach
    void open() {
        cpu = new CpuBackend(1);
    }

    @AfterEach
    void close() {
        cpu.close();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void randomViewsMatchTheElementByElementReference(DType dtype) {
        SplittableRandom random = new SplittableRandom(dtype.ordinal() + 1);
        for (int trial = 0; trial < 400; trial++) {
            int rank = random.nextInt(6);
            int[] dims = new int[rank];
            long[] strides = new long[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = random.nextInt(8) == 0 ? 1 + random.nextInt(90) : 1 + random.nextInt(5);
                strides[d] = random.nextInt(-9, 10);
            }
            while (Arrays.stream(dims).asLongStream().reduce(1, (a, b) -> a * b) > 50_000) {
                int longest = 0;
                for (int d = 1; d < rank; d++) {
                    longest = dims[d] > dims[longest] ? d : longest;
                }
                dims[longest] = 3;
            }
            if (random.nextBoolean()) {
                permutedRowMajor(dims, strides, random);
            }
            checkCopy(dtype, dims, strides, random.nextInt(5), random.nextInt(4), 1 + random.nextInt(2));
        }
    }

    @Test
    void pairsMovedAcrossAnAxisMatch() {
        // movedim(1, 2) of [98, 201, 2]: the output [201, 98, 2] reads pairs 402 elements apart.
        checkCopy(DType.F32, new int[] {201, 98, 2}, new long[] {2, 402, 1}, 3, 5, 2);
    }

    @Test
    void singleElementsMovedAcrossAnAxisMatch() {
        checkCopy(DType.I64, new int[] {30, 40, 3}, new long[] {1, 90, 30}, 0, 0, 2);
    }

    @Test
    void stridedRowsLongerThanTheGatherChunkMatch() {
        checkCopy(DType.F64, new int[] {3, 5000}, new long[] {1, 3}, 2, 1, 1);
    }

    @Test
    void aTransposeLargeEnoughToSplitOverThreadsMatches() {
        checkCopy(DType.F32, new int[] {512, 512}, new long[] {1, 512}, 0, 0, 2);
        checkCopy(DType.I32, new int[] {64, 256, 256}, new long[] {256, 16384, 1}, 1, 0, 2);
    }

    @Test
    void attentionsPackedHeadsPermutedByContiguousRowsMatch() {
        // [3, 128, 4, 28, 16] -> [128, 28, 3, 4, 16]: rows of 16 copied one by one; rows of 4 and 5 at the threshold.
        checkCopy(DType.F32, new int[] {128, 28, 3, 4, 16}, new long[] {1792, 16, 229376, 448, 1}, 1, 2, 2);
        checkCopy(DType.F64, new int[] {6, 7, 4}, new long[] {4, 24, 1}, 0, 1, 2);
        checkCopy(DType.I64, new int[] {6, 7, 5}, new long[] {5, 30, 1}, 2, 0, 1);
    }

    @Test
    void zeroAndNegativeStridesMatch() {
        checkCopy(DType.F32, new int[] {4, 3, 2}, new long[] {0, -2, 1}, 10, 0, 1);
        checkCopy(DType.I32, new int[] {7, 70}, new long[] {-70, -1}, 0, 2, 1);
    }

    @Test
    void anEmptyViewWritesNothing() {
        checkCopy(DType.F64, new int[] {3, 0, 2}, new long[] {2, 1, 1}, 0, 1, 1);
    }

    @Test
    void storagesOfDifferentDtypesAreRejected() {
        CpuStorage src = storage(Tensor.empty(Shape.of(4), DType.F32, cpu));
        CpuStorage dst = storage(Tensor.empty(Shape.of(4), DType.F64, cpu));
        try (Parallel parallel = new Parallel(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StridedCopy.copy(src, 0, new int[] {4}, new long[] {1}, dst, 0, parallel));
            assertEquals("strided copy: source and destination must share a dtype, got F32 and F64", e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void selectedRunsMatchTheElementByElementReference(DType dtype) {
        SplittableRandom random = new SplittableRandom(50 + dtype.ordinal());
        int[][] shapes = {{1, 400, 1}, {3, 7, 2}, {5, 9, 3}, {5, 9, 4}, {6, 11, 16}, {2, 30, 70}, {4, 1, 1}, {1, 5000, 2},
            {300, 40, 2}};
        for (int[] shape : shapes) {
            long[] index = new long[1 + random.nextInt(3 * shape[1])];
            for (int j = 0; j < index.length; j++) {
                index[j] = random.nextInt(shape[1]);
            }
            checkSelect(dtype, shape[0], shape[1], shape[2], index, 1 + random.nextInt(3), random.nextInt(3), 2);
        }
    }

    @Test
    void selectionOfFramesAlongTheLastAxisMatches() {
        // stft's framing: 98 frames of 400 samples, 160 apart, picked from one signal.
        long[] index = new long[98 * 400];
        for (int f = 0; f < 98; f++) {
            for (int k = 0; k < 400; k++) {
                index[f * 400 + k] = f * 160L + k;
            }
        }
        checkSelect(DType.F32, 1, 16_000, 1, index, 0, 0, 1);
    }

    @Test
    void consecutiveIndicesAcrossOuterRowsAndThreadsMatch() {
        long[] index = new long[40];
        for (int j = 0; j < index.length; j++) {
            index[j] = 5 + j;
        }
        checkSelect(DType.I32, 1000, 50, 2, index, 1, 3, 2);
        checkSelect(DType.F64, 7, 50, 3, new long[] {3, 4, 5, 9, 10, 0, 1, 2, 3, 4, 5, 6, 7}, 0, 0, 1);
    }

    @Test
    void selectedI64ValuesBeyondTwoToThe53KeepEveryBit() {
        CpuStorage src = storage(Tensor.empty(Shape.of(4), DType.I64, cpu));
        CpuStorage dst = storage(Tensor.empty(Shape.of(4), DType.I64, cpu));
        long big = (1L << 60) + 1;
        for (int p = 0; p < 4; p++) {
            src.i64.put(p, big + p);
        }
        try (Parallel parallel = new Parallel(1)) {
            StridedCopy.select(src, 0, 2, 2, 1, new long[] {1, 0}, dst, 0, parallel);
        }
        assertEquals(big + 1, dst.i64.get(0));
        assertEquals(big, dst.i64.get(1));
        assertEquals(big + 3, dst.i64.get(2));
        assertEquals(big + 2, dst.i64.get(3));
    }

    /** Strides that address a row-major array of {@code dims} permuted: views that a permute makes. */
    private static void permutedRowMajor(int[] dims, long[] strides, SplittableRandom random) {
        int[] order = new int[dims.length];
        for (int d = 0; d < dims.length; d++) {
            order[d] = d;
        }
        for (int d = dims.length - 1; d > 0; d--) {
            int other = random.nextInt(d + 1);
            int t = order[d];
            order[d] = order[other];
            order[other] = t;
        }
        long stride = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            strides[order[d]] = stride;
            stride *= dims[order[d]];
        }
    }

    private void checkCopy(DType dtype, int[] dims, long[] strides, int extraSrcOffset, int dstStart, int threads) {
        int size = 1;
        long low = 0;
        long high = 0;
        for (int d = 0; d < dims.length; d++) {
            size *= dims[d];
            long reach = (long) Math.max(0, dims[d] - 1) * strides[d];
            low += Math.min(0, reach);
            high += Math.max(0, reach);
        }
        int srcStart = (int) -low + extraSrcOffset;
        CpuStorage src = storage(Tensor.empty(Shape.of((int) (srcStart + high + 3)), dtype, cpu));
        CpuStorage dst = storage(Tensor.empty(Shape.of(dstStart + size + 3), dtype, cpu));
        for (int p = 0; p < srcStart + high + 3; p++) {
            put(src, p, 1000 + p);
        }
        for (int p = 0; p < dstStart + size + 3; p++) {
            put(dst, p, SENTINEL);
        }
        try (Parallel parallel = new Parallel(threads)) {
            StridedCopy.copy(src, srcStart, dims, strides, dst, dstStart, parallel);
        }
        String view = dtype + " dims " + Arrays.toString(dims) + " strides " + Arrays.toString(strides);
        int[] index = new int[dims.length];
        for (int i = 0; i < size; i++) {
            long at = srcStart;
            for (int d = 0, rest = i; d < dims.length; d++) {
                int inner = 1;
                for (int e = d + 1; e < dims.length; e++) {
                    inner *= dims[e];
                }
                index[d] = rest / inner;
                rest %= inner;
                at += index[d] * strides[d];
            }
            assertEquals(get(src, (int) at), get(dst, dstStart + i), view + ": element " + Arrays.toString(index));
        }
        for (int p = 0; p < dstStart + size + 3; p++) {
            if (p < dstStart || p >= dstStart + size) {
                assertEquals(SENTINEL, get(dst, p), view + ": destination position " + p + " outside the run");
            }
        }
    }

    private void checkSelect(DType dtype, int outer, int n, int inner, long[] index, int srcStart, int dstStart,
                             int threads) {
        int m = index.length;
        int srcLength = srcStart + outer * n * inner + 2;
        int dstLength = dstStart + outer * m * inner + 2;
        CpuStorage src = storage(Tensor.empty(Shape.of(srcLength), dtype, cpu));
        CpuStorage dst = storage(Tensor.empty(Shape.of(dstLength), dtype, cpu));
        for (int p = 0; p < srcLength; p++) {
            put(src, p, 1000 + p);
        }
        for (int p = 0; p < dstLength; p++) {
            put(dst, p, SENTINEL);
        }
        try (Parallel parallel = new Parallel(threads)) {
            StridedCopy.select(src, srcStart, outer, n, inner, index, dst, dstStart, parallel);
        }
        String view = dtype + " [" + outer + ", " + n + ", " + inner + "] picking " + m;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < inner; i++) {
                    int from = srcStart + (int) ((o * n + index[j]) * inner + i);
                    int to = dstStart + (o * m + j) * inner + i;
                    assertEquals(get(src, from), get(dst, to), view + ": element [" + o + ", " + j + ", " + i + "]");
                }
            }
        }
        for (int p = 0; p < dstLength; p++) {
            if (p < dstStart || p >= dstStart + outer * m * inner) {
                assertEquals(SENTINEL, get(dst, p), view + ": destination position " + p + " outside the run");
            }
        }
    }

    private static CpuStorage storage(Tensor t) {
        return (CpuStorage) t.storage();
    }

    /** Distinct small integers are exact in every dtype, so element identity shows as value equality. */
    private static void put(CpuStorage s, int p, long v) {
        switch (s.dtype()) {
            case F32 -> s.f32.put(p, v);
            case F64 -> s.f64.put(p, v);
            case I32 -> s.i32.put(p, (int) v);
            case I64 -> s.i64.put(p, v);
        }
    }

    private static long get(CpuStorage s, int p) {
        return switch (s.dtype()) {
            case F32 -> (long) s.f32.get(p);
            case F64 -> (long) s.f64.get(p);
            case I32 -> s.i32.get(p);
            case I64 -> s.i64.get(p);
        };
    }
}
