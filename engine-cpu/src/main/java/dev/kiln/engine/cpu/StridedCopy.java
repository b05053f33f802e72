package dev.kiln.engine.cpu;

import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * Copies a strided view of one storage into a contiguous run of another of the same dtype: element
 * {@code (i0, .., ik)} of the view, at {@code srcStart + sum(i_d * strides[d])}, lands at
 * {@code dstStart + its row-major index}. Any rank; strides may be zero or negative.
 *
 * <p>Axes that address storage as one axis would (a stride equal to the next axis's stride times its length)
 * are merged and axes of length 1 dropped first, so that a permute that keeps [.., 2] pairs together sees only
 * the axes it moves. The innermost one or two axes are then copied as a block by a loop typed to the dtype,
 * the outer ones walked by an odometer that adds strides (one division per thread, not per element): the
 * former path divided per row and moved each element through a virtual read as double, or allocated two buffer
 * views per contiguous row: a movedim of [1, 98, 201, 2] F32 took 314 us (0.5 GB/s), now 34 us.
 */
final class StridedCopy {
    /**
     * An innermost axis shorter than this is gathered together with the next one, so that its blocks are long;
     * a longer one is copied row by row.
     */
    private static final int SHORT_AXIS = 64;

    /**
     * Contiguous rows of at least this many elements are copied one bulk copy (a memcpy) each, not gathered: a bulk
     * copy of 4 to 32 elements costs less than reading them one by one through the direct buffer (attention's
     * [3, 128, 4, 28, 16] -> [128, 28, 3, 4, 16] permute of rows of 16 took 0.47 ms gathered, 0.24 by rows).
     */
    private static final int BULK_RUN = 4;

    private StridedCopy() {
    }

    /**
     * dst[dstStart + row-major index of i] = src[srcStart + sum(i[d] * strides[d])] over i in {@code dims}.
     *
     * @param dims the view's shape (any rank, lengths at least 0)
     * @param strides the view's strides in elements, one per axis
     */
    static void copy(CpuStorage src, int srcStart, int[] dims, long[] strides, CpuStorage dst, int dstStart,
                     Parallel parallel) {
        if (dims.length != strides.length) {
            throw new IllegalArgumentException("strided copy: " + dims.length + " lengths need as many strides, got "
                    + strides.length);
        }
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("strided copy: source and destination must share a dtype, got "
                    + src.dtype() + " and " + dst.dtype());
        }
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (size == 0) {
            return;
        }
        Layout view = Layout.merged(dims, strides);
        mover(src, dst).run(view, srcStart, dstStart, parallel);
    }

    /**
     * indexSelect's copy: with src viewed as [outer, n, inner] from {@code srcStart} and dst as [outer, m, inner]
     * from {@code dstStart}, dst[o, j, i] = src[o, index[j], i]. Runs of {@code inner} elements, gathered as a
     * permute's short rows are; the indices are taken as valid.
     */
    static void select(CpuStorage src, int srcStart, int outer, int n, int inner, long[] index, CpuStorage dst,
                       int dstStart, Parallel parallel) {
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("index select: source and destination must share a dtype, got "
                    + src.dtype() + " and " + dst.dtype());
        }
        int m = index.length;
        if (outer == 0 || m == 0 || inner == 0) {
            return;
        }
        mover(src, dst).select(srcStart, outer, n, inner, index, dstStart, parallel);
    }

    /** The view with length-1 axes dropped and mergeable neighbours merged; never rank 0. */
    private record Layout(int[] dims, int[] strides) {
        static Layout merged(int[] dims, long[] strides) {
            int[] n = new int[Math.max(1, dims.length)];
            int[] s = new int[n.length];
            int rank = 0;
            for (int d = 0; d < dims.length; d++) {
                if (dims[d] == 1) {
                    continue;
                }
                int stride = Math.toIntExact(strides[d]);
                if (rank > 0 && (long) s[rank - 1] == (long) stride * dims[d]) {
                    n[rank - 1] *= dims[d];
                    s[rank - 1] = stride;
                } else {
                    n[rank] = dims[d];
                    s[rank] = stride;
                    rank++;
                }
            }
            if (rank == 0) {
                return new Layout(new int[] {1}, new int[] {1});
            }
            return new Layout(Arrays.copyOf(n, rank), Arrays.copyOf(s, rank));
        }
    }

    /**
     * One element width's copies between two storages. Short rows are gathered through a heap array and flushed by
     * bulk copies: a put per element into a direct buffer is bounds- and scope-checked, a bulk put is a memcpy.
     */
    private abstract static class Mover {
        /** Elements gathered before a flush: a chunk of {@link Chunks#SIZE} stays in L1. */
        static final int CHUNK = Chunks.SIZE;

        /**
         * gathered[o * outerStep + i * innerStep] = src[from + o * outerStride + i * innerStride] for o < outerN,
         * i < innerN, then dst[to, to + outerN * innerN) = gathered in one bulk copy; at most {@link #CHUNK}
         * elements.
         */
        abstract void gather(int from, int outerN, int outerStride, int outerStep, int innerN, int innerStride,
                             int innerStep, int to);

        /**
         * gathered[r * n1 + i1] = src[starts[r] + i1] for r < rows, i1 < n1, the inner loop down the rows (n1 is
         * short), then dst[to, to + rows * n1) = gathered in one bulk copy; at most {@link #CHUNK} elements.
         */
        abstract void gatherRuns(int[] starts, int rows, int n1, int to);

        /** dst[to, to + n) = src[from, from + n): a memcpy. */
        abstract void bulk(int from, int to, int n);

        /**
         * dst[to + i] = src[from + i * stride] for i < n, element by element: a long strided row (a transpose's)
         * is bound by its reads, and a gather would add a pass (a [512, 512] transpose took 244 us so, 174 us
         * directly).
         */
        abstract void strided(int from, int n, int stride, int to);

        /** A mover of the same buffers with its own gather array of {@code capacity} elements, for one thread. */
        abstract Mover forThread(int capacity);

        /**
         * dst[to + i2 * n1 + i1] = src[from + i2 * s2 + i1 * s1] for i2 < n2, i1 < n1; {@code n2} is 1 unless
         * {@code n1} is short.
         */
        final void block(int from, int n2, int s2, int n1, int s1, int to) {
            if (n1 >= SHORT_AXIS) {
                if (s1 == 1) {
                    bulk(from, to, n1);
                } else {
                    strided(from, n1, s1, to);
                }
                return;
            }
            if (s1 == 1 && n1 >= BULK_RUN) {
                for (int i2 = 0; i2 < n2; i2++) {
                    bulk(from + i2 * s2, to + i2 * n1, n1);
                }
                return;
            }
            int rowsPerChunk = CHUNK / n1;
            for (int i2 = 0; i2 < n2; i2 += rowsPerChunk) {
                rows(from + i2 * s2, Math.min(rowsPerChunk, n2 - i2), s2, n1, s1, to + i2 * n1);
            }
        }

        /**
         * dst[to + r * n1 + i1] = src[from + r * s2 + i1 * s1] for r < rows, i1 < n1, the inner loop along the longer
         * axis: a loop of two trips spends more on its set-up than on its copies (a [98, 201, 2] movedim took 88 us
         * with the inner loop over each pair, 32 us with it down each of the pair's two columns).
         */
        private void rows(int from, int rows, int s2, int n1, int s1, int to) {
            if (rows > n1) {
                gather(from, n1, s1, 1, rows, s2, n1, to);
            } else {
                gather(from, rows, s2, n1, n1, s1, 1, to);
            }
        }

        /**
         * See {@link StridedCopy#select}: rows (o, j) split over threads. Consecutive indices (stft's frames, a
         * narrowing) make one run, copied in bulk when long: stft's framing of 16,000 samples into 98 frames of 400
         * is 98 memcpys (its indexSelect 56 -> 46 us, the rest reading and checking the indices). Short runs are
         * gathered a chunk at a time (an indexSelect of 3,920 rows of [4000, 2]: 51 -> 11 us).
         */
        final void select(int srcStart, int outer, int n, int inner, long[] index, int dstStart, Parallel parallel) {
            int m = index.length;
            int rowsPerChunk = Math.max(1, CHUNK / inner);
            parallel.forRange(outer * m, inner, (start, end) -> {
                Mover mover = forThread(inner < BULK_RUN ? Math.min(CHUNK, m * inner) : 0);
                int[] starts = new int[Math.min(rowsPerChunk, m)];
                for (int q = start; q < end; ) {
                    int j = q % m;
                    int left = Math.min(m - j, end - q);
                    int base = srcStart + q / m * n * inner;
                    int run = consecutive(index, j, left);
                    if ((long) run * inner >= SHORT_AXIS) {
                        mover.bulk(base + (int) index[j] * inner, dstStart + q * inner, run * inner);
                        q += run;
                        continue;
                    }
                    int rows = Math.min(rowsPerChunk, left);
                    if (inner >= BULK_RUN) {
                        for (int r = 0; r < rows; r++) {
                            mover.bulk(base + (int) index[j + r] * inner, dstStart + (q + r) * inner, inner);
                        }
                        q += rows;
                        continue;
                    }
                    for (int r = 0; r < rows; r++) {
                        starts[r] = base + (int) index[j + r] * inner;
                    }
                    mover.gatherRuns(starts, rows, inner, dstStart + q * inner);
                    q += rows;
                }
            });
        }

        /** How many of index[j], index[j + 1], .. (at most {@code limit}) go up by one from index[j]. */
        private static int consecutive(long[] index, int j, int limit) {
            int run = 1;
            while (run < limit && index[j + run] == index[j] + run) {
                run++;
            }
            return run;
        }

        /** The whole view: blocks of the innermost one or two axes, one per position of the outer axes. */
        final void run(Layout view, int srcStart, int dstStart, Parallel parallel) {
            int rank = view.dims().length;
            boolean twoInner = rank >= 2 && view.dims()[rank - 1] < SHORT_AXIS;
            int outerRank = twoInner ? rank - 2 : rank - 1;
            int n1 = view.dims()[rank - 1];
            int s1 = view.strides()[rank - 1];
            int n2 = twoInner ? view.dims()[rank - 2] : 1;
            int s2 = twoInner ? view.strides()[rank - 2] : 0;
            int blockSize = n2 * n1;
            int blocks = 1;
            for (int d = 0; d < outerRank; d++) {
                blocks *= view.dims()[d];
            }
            parallel.forRange(blocks, blockSize, (start, end) -> {
                // Only short rows are gathered, never more than a block: a [2, 3] transpose gets a small array.
                Mover mover = forThread(n1 < SHORT_AXIS ? Math.min(CHUNK, blockSize) : 0);
                Odometer at = new Odometer(view.dims(), view.strides(), outerRank, start);
                for (int b = start; b < end; b++) {
                    mover.block(srcStart + at.offset, n2, s2, n1, s1, dstStart + b * blockSize);
                    at.next();
                }
            });
        }
    }

    /** A position over the outer axes and its storage offset, advanced by adding strides. */
    private static final class Odometer {
        private final int[] dims;
        private final int[] strides;
        private final int[] index;
        int offset;

        Odometer(int[] dims, int[] strides, int rank, int position) {
            this.dims = dims;
            this.strides = strides;
            this.index = new int[rank];
            int rest = position;
            for (int d = rank - 1; d >= 0; d--) {
                index[d] = rest % dims[d];
                rest /= dims[d];
                offset += index[d] * strides[d];
            }
        }

        void next() {
            for (int d = index.length - 1; d >= 0; d--) {
                offset += strides[d];
                if (++index[d] < dims[d]) {
                    return;
                }
                offset -= dims[d] * strides[d];
                index[d] = 0;
            }
        }
    }

    private static Mover mover(CpuStorage src, CpuStorage dst) {
        return switch (src.dtype()) {
            // f32Bits() makes its view on first use: here, on the calling thread, so that the workers only read it.
            case F32 -> new Ints(src.f32Bits(), dst.f32Bits());
            case I32 -> new Ints(src.i32, dst.i32);
            case F64 -> new Longs(src.f64Bits(), dst.f64Bits());
            case I64 -> new Longs(src.i64, dst.i64);
        };
    }

    /** 32-bit elements (F32 as bit patterns, I32). Longs is the same over 64-bit ones. */
    private static final class Ints extends Mover {
        private final IntBuffer src;
        private final IntBuffer dst;
        private final int[] gathered;

        Ints(IntBuffer src, IntBuffer dst) {
            this(src, dst, null);
        }

        private Ints(IntBuffer src, IntBuffer dst, int[] gathered) {
            this.src = src;
            this.dst = dst;
            this.gathered = gathered;
        }

        @Override
        Mover forThread(int capacity) {
            return new Ints(src, dst, new int[capacity]);
        }

        @Override
        void gather(int from, int outerN, int outerStride, int outerStep, int innerN, int innerStride, int innerStep,
                    int to) {
            for (int o = 0; o < outerN; o++) {
                int f = from + o * outerStride;
                int k = o * outerStep;
                for (int i = 0; i < innerN; i++, f += innerStride, k += innerStep) {
                    gathered[k] = src.get(f);
                }
            }
            dst.put(to, gathered, 0, outerN * innerN);
        }

        @Override
        void bulk(int from, int to, int n) {
            dst.put(to, src, from, n);
        }

        @Override
        void strided(int from, int n, int stride, int to) {
            for (int i = 0; i < n; i++) {
                dst.put(to + i, src.get(from + i * stride));
            }
        }

        @Override
        void gatherRuns(int[] starts, int rows, int n1, int to) {
            for (int i1 = 0; i1 < n1; i1++) {
                for (int r = 0, k = i1; r < rows; r++, k += n1) {
                    gathered[k] = src.get(starts[r] + i1);
                }
            }
            dst.put(to, gathered, 0, rows * n1);
        }
    }

    /** 64-bit elements (F64 as bit patterns, I64). */
    private static final class Longs extends Mover {
        private final LongBuffer src;
        private final LongBuffer dst;
        private final long[] gathered;

        Longs(LongBuffer src, LongBuffer dst) {
            this(src, dst, null);
        }

        private Longs(LongBuffer src, LongBuffer dst, long[] gathered) {
            this.src = src;
            this.dst = dst;
            this.gathered = gathered;
        }

        @Override
        Mover forThread(int capacity) {
            return new Longs(src, dst, new long[capacity]);
        }

        @Override
        void gather(int from, int outerN, int outerStride, int outerStep, int innerN, int innerStride, int innerStep,
                    int to) {
            for (int o = 0; o < outerN; o++) {
                int f = from + o * outerStride;
                int k = o * outerStep;
                for (int i = 0; i < innerN; i++, f += innerStride, k += innerStep) {
                    gathered[k] = src.get(f);
                }
            }
            dst.put(to, gathered, 0, outerN * innerN);
        }

        @Override
        void bulk(int from, int to, int n) {
            dst.put(to, src, from, n);
        }

        @Override
        void strided(int from, int n, int stride, int to) {
            for (int i = 0; i < n; i++) {
                dst.put(to + i, src.get(from + i * stride));
            }
        }

        @Override
        void gatherRuns(int[] starts, int rows, int n1, int to) {
            for (int i1 = 0; i1 < n1; i1++) {
                for (int r = 0, k = i1; r < rows; r++, k += n1) {
                    gathered[k] = src.get(starts[r] + i1);
                }
            }
            dst.put(to, gathered, 0, rows * n1);
        }
    }
}
