package dev.kiln.engine.cpu;

import dev.kiln.engine.Conv2dGeometry;

/**
 * How {@link CpuConvolution} lays out and fills its column buffer for one geometry. For one kernel tap row
 * {@code (i, j)} and output pixel p, the flat index of the input pixel it reads within its [H, W] plane, or -1
 * in the padding. The same for every channel and image, so it is computed once per geometry; im2col and col2im
 * then never repeat the index arithmetic.
 */
final class ColumnPlan {
    /**
     * Output planes of at least this many pixels get one GEMM per image, reading and writing the NCHW tensors
     * in place; smaller ones one GEMM per group of images, packed. Measured on 2 cores with OpenBLAS 0.3.31
     * (AVX-512), batch 64: LeNet's first layer (576 pixels) 0.20 vs 0.34 ms forward, 0.30 vs 0.73 ms
     * backward-filter, before counting the packing it saves; a 196-pixel plane (16 x 144 filters) 0.28 vs
     * 0.38 ms; LeNet's second layer (64 pixels) 2.9 vs 0.73 ms, where per-image GEMMs are too small.
     */
    static final int PER_IMAGE_PIXELS = 128;
    /**
     * Per-image GEMMs also need an output pixel per this many column rows (C * kh * kw): a deep column on a small
     * plane is a per-image GEMM too narrow for its depth. 3x3, padding 1, forward and backward, batch 64, best of
     * three: [128, 16, 16] -> 128 (1,152 rows, 256 pixels) 135.4 ms per image against 111.6 ms packed;
     * [64, 16, 16] -> 64 (576 rows) 35.3 against 34.7 ms; per image well ahead on [256, 32, 14, 14] -> 32 (27.4
     * against 35.0 ms) and [32, 64, 32, 32] -> 64 (62.3 against 86.8 ms).
     */
    static final int ROWS_PER_PIXEL = 4;
    /** The most padding entries between two runs that a span bridges. */
    private static final int MAX_GAP = 4;

    final Conv2dGeometry g;
    final int taps;
    final int outPlane;
    private final int[] source;
    /** Runs of tap t are [tapRuns[t], tapRuns[t + 1]); a run never crosses from one tap to the next. */
    final int[] tapRuns;
    /** Runs of consecutive block entries read from consecutive plane pixels: block start, plane start, length. */
    final int[] runBlock;
    final int[] runPlane;
    final int[] runLength;
    /**
     * Spans of tap t are [tapSpans[t], tapSpans[t + 1]): runs of one tap merged across the few padding entries
     * between them when both read the plane at the same offset from the row, as the side taps of a padded 3x3
     * kernel do (one run per output row, one padding entry apart). A span is copied whole, its padding entries
     * (holes, [tapHoles[t], tapHoles[t + 1]) of holeBlock) reading in-plane pixels that are then overwritten
     * with zero: on 28x28 planes 9 copies of a tap row instead of up to 28.
     */
    private final int[] tapSpans;
    private final int[] spanBlock;
    private final int[] spanPlane;
    private final int[] spanLength;
    private final int[] tapHoles;
    private final int[] holeBlock;
    /** The stretches of each tap's row segment outside every span (a padded 3x3 kernel's top taps: the first row). */
    private final TapGaps spanGaps;
    /** The same outside every run: in the interleaved layout, the padding entries that runs leave unwritten. */
    private final TapGaps runGaps;
    /** Entries of the taps' row segments (taps * outH * outW in all) that read a pixel, not the padding. */
    private final int covered;
    /** Whether every column entry reads a pixel (no padding): then rows need no zeroing. */
    final boolean coversAll;
    /** Whether F32 rows are filled and added back through the index table rather than span by span (see fillTapRow). */
    private final boolean gathers;

    ColumnPlan(Conv2dGeometry g) {
        this.g = g;
        this.taps = g.kernelH() * g.kernelW();
        this.outPlane = g.outH() * g.outW();
        this.source = new int[taps * outPlane];
        for (int i = 0; i < g.kernelH(); i++) {
            for (int j = 0; j < g.kernelW(); j++) {
                fillTap(i, j, (i * g.kernelW() + j) * outPlane);
            }
        }
        int runs = countRuns();
        runBlock = new int[runs];
        runPlane = new int[runs];
        runLength = new int[runs];
        tapRuns = new int[taps + 1];
        fillRuns();
        covered = countCovered();
        coversAll = covered == source.length;
        gathers = runs * 16L > covered;
        int spans = 0;
        int holes = 0;
        for (int t = 0; t < taps; t++) {
            for (int k = tapRuns[t]; k < tapRuns[t + 1]; k++) {
                if (k > tapRuns[t] && bridges(k)) {
                    holes += runBlock[k] - (runBlock[k - 1] + runLength[k - 1]);
                } else {
                    spans++;
                }
            }
        }
        tapSpans = new int[taps + 1];
        spanBlock = new int[spans];
        spanPlane = new int[spans];
        spanLength = new int[spans];
        tapHoles = new int[taps + 1];
        holeBlock = new int[holes];
        fillSpans();
        spanGaps = TapGaps.between(taps, outPlane, tapSpans, spanBlock, spanLength);
        runGaps = TapGaps.between(taps, outPlane, tapRuns, runBlock, runLength);
    }

    /** Whether run k joins the span of run k - 1 (of the same tap): same plane offset, a short gap of padding. */
    private boolean bridges(int k) {
        int gap = runBlock[k] - (runBlock[k - 1] + runLength[k - 1]);
        return gap <= MAX_GAP && runPlane[k] - runBlock[k] == runPlane[k - 1] - runBlock[k - 1];
    }

    private void fillSpans() {
        int s = -1;
        int h = 0;
        for (int t = 0; t < taps; t++) {
            tapSpans[t] = s + 1;
            tapHoles[t] = h;
            for (int k = tapRuns[t]; k < tapRuns[t + 1]; k++) {
                if (k > tapRuns[t] && bridges(k)) {
                    for (int r = runBlock[k - 1] + runLength[k - 1]; r < runBlock[k]; r++) {
                        holeBlock[h++] = r;
                    }
                    spanLength[s] = runBlock[k] + runLength[k] - spanBlock[s];
                } else {
                    s++;
                    spanBlock[s] = runBlock[k];
                    spanPlane[s] = runPlane[k];
                    spanLength[s] = runLength[k];
                }
            }
        }
        tapSpans[taps] = s + 1;
        tapHoles[taps] = h;
    }

    private boolean continuesRun(int r) {
        return r % outPlane != 0 && source[r] >= 0 && source[r - 1] >= 0 && source[r] == source[r - 1] + 1;
    }

    private int countRuns() {
        int runs = 0;
        for (int r = 0; r < source.length; r++) {
            if (source[r] >= 0 && !continuesRun(r)) {
                runs++;
            }
        }
        return runs;
    }

    private void fillRuns() {
        int k = -1;
        for (int r = 0; r < source.length; r++) {
            if (r % outPlane == 0) {
                tapRuns[r / outPlane] = k + 1;
            }
            if (source[r] < 0) {
                continue;
            }
            if (continuesRun(r)) {
                runLength[k]++;
            } else {
                k++;
                runBlock[k] = r;
                runPlane[k] = source[r];
                runLength[k] = 1;
            }
        }
        tapRuns[taps] = k + 1;
    }

    private int countCovered() {
        int covered = 0;
        for (int length : runLength) {
            covered += length;
        }
        return covered;
    }

    /**
     * Copies tap {@code tap}'s entries for one image and channel, whose plane starts at {@code src[srcBase]},
     * into the column row segment starting at {@code dst[dstBase]} (outH * outW entries). Entries in the
     * padding are not written, except by a gather. {@code src} and {@code dst} are both float[] or both double[].
     * F32 with runs shorter than 16 pixels on average gathers through the index table, writing zero for the
     * padding: on runs of 8 (a 5x5 kernel on 12x12 planes) a copy call per run cost more than an indexed load per
     * pixel, on runs of 24 (28x28 planes) 20% less, and a stride of 2 leaves runs of one pixel; otherwise span by
     * span, zeroing the holes after.
     */
    void fillTapRow(Object src, int srcBase, int tap, Object dst, int dstBase) {
        if (gathers(src)) {
            float[] from = (float[]) src;
            float[] to = (float[]) dst;
            int r = tap * outPlane;
            for (int p = 0; p < outPlane; p++) {
                int pixel = source[r + p];
                to[dstBase + p] = pixel < 0 ? 0f : from[srcBase + pixel];
            }
            return;
        }
        int shift = dstBase - tap * outPlane;
        for (int k = tapSpans[tap]; k < tapSpans[tap + 1]; k++) {
            System.arraycopy(src, srcBase + spanPlane[k], dst, shift + spanBlock[k], spanLength[k]);
        }
        zeroHoles(dst, shift, tap);
    }

    /**
     * As {@link #fillTapRow} for a plan that does not {@link #gathers(Object) gather} {@code src}, straight into the
     * column buffer {@code dst} from element {@code dstBase}: one bulk copy per span, then zero into its holes and
     * into the gaps between spans, so that no pass zeroes the row first. {@code zeros} is an array of zeros of the
     * source's type, at least {@code outPlane} long.
     */
    void putTapRow(Object src, int srcBase, int tap, CpuStorage dst, long dstBase, Object zeros) {
        long shift = dstBase - (long) tap * outPlane;
        for (int k = tapSpans[tap]; k < tapSpans[tap + 1]; k++) {
            CpuConvolution.putRun(src, srcBase + spanPlane[k], dst, shift + spanBlock[k], spanLength[k]);
        }
        for (int k = spanGaps.perTap()[tap]; k < spanGaps.perTap()[tap + 1]; k++) {
            CpuConvolution.putRun(zeros, 0, dst, shift + spanGaps.block()[k], spanGaps.length()[k]);
        }
        for (int h = tapHoles[tap]; h < tapHoles[tap + 1]; h++) {
            int index = Math.toIntExact(shift + holeBlock[h]);
            if (dst.f32 != null) {
                dst.f32.put(index, 0f);
            } else {
                dst.f64.put(index, 0.0);
            }
        }
    }

    /** Whether {@link #fillTapRow} gathers from {@code src} through the index table. */
    boolean gathers(Object src) {
        return gathers && src instanceof float[];
    }

    /**
     * The reverse of {@link #fillTapRow}: adds each row entry onto the pixel it was read from, in {@code plane}, one
     * [H, W] plane from index 0: where {@link #fillTapRow} gathers, entry by entry through the index table;
     * otherwise span by span, the row's holes zeroed first, so it must be scratch. {@code staging} is scratch of
     * the plane's length (see {@link #add}).
     */
    void addTapRow(Object row, int rowBase, int tap, Object plane, Object staging) {
        if (gathers(row)) {
            float[] from = (float[]) row;
            float[] to = (float[]) plane;
            int r = tap * outPlane;
            for (int p = 0; p < outPlane; p++) {
                int pixel = source[r + p];
                if (pixel >= 0) {
                    to[pixel] += from[rowBase + p];
                }
            }
            return;
        }
        int shift = rowBase - tap * outPlane;
        zeroHoles(row, shift, tap);
        for (int k = tapSpans[tap]; k < tapSpans[tap + 1]; k++) {
            add(row, shift + spanBlock[k], plane, spanPlane[k], staging, spanLength[k]);
        }
    }

    private void zeroHoles(Object row, int shift, int tap) {
        if (row instanceof float[] f) {
            for (int h = tapHoles[tap]; h < tapHoles[tap + 1]; h++) {
                f[shift + holeBlock[h]] = 0;
            }
        } else {
            double[] d = (double[]) row;
            for (int h = tapHoles[tap]; h < tapHoles[tap + 1]; h++) {
                d[shift + holeBlock[h]] = 0;
            }
        }
    }

    /**
     * As {@link #fillTapRow} for the interleaved layout, where each pixel is {@code images} consecutive entries,
     * one per image, in both {@code src} ([pixels, images]) and the row: a run of pixels is then one copy of
     * {@code length * images} entries (8 pixels x 32 images for LeNet's second layer), not one per image.
     */
    void fillTapRowInterleaved(Object src, int srcBase, int tap, Object dst, int dstBase, int images) {
        int shift = dstBase - tap * outPlane * images;
        for (int k = tapRuns[tap]; k < tapRuns[tap + 1]; k++) {
            System.arraycopy(src, srcBase + runPlane[k] * images, dst, shift + runBlock[k] * images,
                    runLength[k] * images);
        }
    }

    /**
     * As {@link #fillTapRowInterleaved}, straight into the column buffer {@code dst} from element {@code dstBase},
     * one bulk copy per run, then zero into the gaps between runs (the padding). {@code zeros} is an array of zeros
     * of the source's type, at least {@code outPlane * images} long.
     */
    void putTapRowInterleaved(Object src, int srcBase, int tap, CpuStorage dst, long dstBase, int images,
                              Object zeros) {
        long shift = dstBase - (long) tap * outPlane * images;
        for (int k = tapRuns[tap]; k < tapRuns[tap + 1]; k++) {
            CpuConvolution.putRun(src, srcBase + runPlane[k] * images, dst, shift + (long) runBlock[k] * images,
                    runLength[k] * images);
        }
        for (int k = runGaps.perTap()[tap]; k < runGaps.perTap()[tap + 1]; k++) {
            CpuConvolution.putRun(zeros, 0, dst, shift + (long) runGaps.block()[k] * images,
                    runGaps.length()[k] * images);
        }
    }

    /**
     * Whether, for {@code images} interleaved images, the runs are long enough (on average at least
     * {@link CpuConvolution#DIRECT_RUN} entries) to copy each one straight between a heap array and the column
     * buffer.
     */
    boolean copiesRunsDirectly(int images) {
        return !perImage() && runLength.length > 0
                && (long) covered / runLength.length * images >= CpuConvolution.DIRECT_RUN;
    }

    /**
     * The reverse of {@link #fillTapRowInterleaved}, adding each row entry onto the pixel it was read from, in
     * {@code planes}, one channel's [H * W, images] from index 0; {@code staging} is scratch of the same length.
     */
    void addTapRowInterleaved(Object row, int rowBase, int tap, Object planes, Object staging, int images) {
        int shift = rowBase - tap * outPlane * images;
        for (int k = tapRuns[tap]; k < tapRuns[tap + 1]; k++) {
            add(row, shift + runBlock[k] * images, planes, runPlane[k] * images, staging, runLength[k] * images);
        }
    }

    /**
     * As {@link #addTapRowInterleaved(Object, int, int, Object, Object, int)} with the row in the column buffer
     * {@code col} from element {@code rowBase}, each run read from it in one bulk copy.
     */
    void addTapRowInterleaved(CpuStorage col, long rowBase, int tap, Object planes, Object staging, int images) {
        long shift = rowBase - (long) tap * outPlane * images;
        for (int k = tapRuns[tap]; k < tapRuns[tap + 1]; k++) {
            int toPos = runPlane[k] * images;
            int length = runLength[k] * images;
            CpuConvolution.getRun(col, shift + (long) runBlock[k] * images, staging, toPos, length);
            addStaged(staging, planes, toPos, length);
        }
    }

    /**
     * to[toPos ..] += from[fromPos ..] over {@code length} entries, all three arrays float[] or all double[]. The
     * run is first copied to the same position of {@code staging}: C2 (JDK 17) vectorises the add only when both
     * arrays are read at the same index; with two offsets the loop ran 3.2x slower than copy and add together
     * (LeNet's second layer: col2im 0.35 ms per group of 32 images before).
     */
    private static void add(Object from, int fromPos, Object to, int toPos, Object staging, int length) {
        System.arraycopy(from, fromPos, staging, toPos, length);
        addStaged(staging, to, toPos, length);
    }

    /** to[i] += staging[i] for i in [toPos, toPos + length). */
    private static void addStaged(Object staging, Object to, int toPos, int length) {
        int end = toPos + length;
        if (to instanceof float[] t) {
            float[] s = (float[]) staging;
            for (int i = toPos; i < end; i++) {
                t[i] += s[i];
            }
        } else {
            double[] t = (double[]) to;
            double[] s = (double[]) staging;
            for (int i = toPos; i < end; i++) {
                t[i] += s[i];
            }
        }
    }

    private void fillTap(int i, int j, int base) {
        for (int oh = 0; oh < g.outH(); oh++) {
            int ih = oh * g.strideH() - g.padH() + i * g.dilationH();
            for (int ow = 0; ow < g.outW(); ow++) {
                int iw = ow * g.strideW() - g.padW() + j * g.dilationW();
                boolean inside = ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width();
                source[base + oh * g.outW() + ow] = inside ? ih * g.width() + iw : -1;
            }
        }
    }

    /** Whether each image gets its own GEMMs (see {@link #PER_IMAGE_PIXELS} and {@link #ROWS_PER_PIXEL}). */
    boolean perImage() {
        return outPlane >= PER_IMAGE_PIXELS && (long) outPlane * ROWS_PER_PIXEL >= rows();
    }

    /** Rows of the column buffer: C * kh * kw. */
    int rows() {
        return g.inChannels() * taps;
    }

    /** Images per group: as many as fit {@link CpuConvolution#COLUMN_BUDGET}, at least one, at most the batch. */
    int groupSize() {
        long perImage = Math.max(1, (long) rows() * outPlane);
        return (int) Math.max(1, Math.min(g.batch(), CpuConvolution.COLUMN_BUDGET / perImage));
    }

    /** Elements of a column buffer of {@code depth} rows for {@code group} images: [depth, group * outPlane]. */
    long columnSize(int depth, int group) {
        return (long) depth * group * outPlane;
    }

    /** Elements of out or gradOut packed as [outC, group * outPlane]. */
    long packedSize(int group) {
        return (long) g.outChannels() * group * outPlane;
    }

    int plane() {
        return g.height() * g.width();
    }
}
