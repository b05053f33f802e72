package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;

import dev.kiln.engine.DType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

/**
 * F32 GEMMs of a large matrix against a few rows, on oneDNN's matmul: a dense layer of at least
 * {@value #MIN_SIDE} inputs and outputs at a batch of at most {@value #MAX_SMALL}, forward ({@code x W^T}) and
 * backward ({@code dY W}, {@code dY^T x}). OpenBLAS 0.3.31's sgemm copies its B operand into packed panels on every
 * call, for these products the whole weight (or, for the weight gradient, x) on every call; oneDNN's brgemm kernels
 * read the operands in place. Split over Kiln's threads as {@link OpenBlasGemm} splits, one block of C's rows or
 * columns per thread, each block a single-threaded oneDNN matmul. Measured (helper, 2026-12-07, 2 cores, AVX-512,
 * OpenBLAS's Cooperlake kernels, medians of 9, two rounds), ms OpenBLAS / oneDNN: [64, 4096] x [4096, 4096]^T
 * 17.5 / 12.9, batch 17 10.3-11.0 / 6.7-6.9, batch 256 48.3-50.1 / 41.0-41.1; the weight gradient at batch 256
 * 42.6-44.6 / 42.9-43.3 (the one tie); the [1024, 4096] and [4096, 1024] layers' three products 0.7-0.9 of OpenBLAS's
 * time at batch 17-256. Smaller layers (W1's 784-512, W3's LSTM, the row transformer's 64-256) stay on OpenBLAS, as
 * do the products {@link OpenBlasGemv} and {@link SkinnyGemm} take (faster there: the skinny forward at batch 8-16
 * takes 0.7-0.8 of oneDNN's time).
 *
 * <p>Weights that a product reads again unchanged (the same storage, element, layout and {@link
 * dev.kiln.engine.Tensor#version()}: a layer in evaluation) are laid out once in the layout oneDNN chose and kept in
 * {@link OneDnnWeights}, as convolution weights are; measured the same way, [17, 4096] x [4096, 4096]^T 4.4-5.7 ms
 * against 6.7-6.9 read in place, [64, ...] 11.4-11.6 against 12.9. In training the weights change between a layer's
 * steps, and forward and input gradient read them in different layouts, so each layout would be made for one read:
 * there they are read in place. The weight gradient's B, a batch of inputs, is always read in place.
 */
final class OneDnnGemm implements AutoCloseable {
    /** The most rows (or inner size) of the small operand: a batch. */
    static final int MAX_SMALL = 256;
    /** The least size of the other two dimensions: a weight of at least 1024 x 1024, 4 MB, beyond the caches. */
    static final int MIN_SIDE = 1024;

    /** B operands seen last: a GEMM whose B is among them, unchanged, reads B in oneDNN's layout. */
    static final int SIGHTINGS_KEPT = 64;

    /** A B operand as one GEMM read it: where it is, how it is read, and its storage's version then. */
    private record Sighting(CpuStorage storage, long offset, int ld, boolean transposed, int k, int n, int version) {
    }

    private final Parallel parallel;
    private final OpenMpThreads openMp;
    private final dnnl_engine engine;
    private final Deque<OneDnnGemmLane> idle = new ArrayDeque<>();
    private final List<OneDnnGemmLane> lanes = new ArrayList<>();
    private final OneDnnWeights laidOut;
    private final Map<Sighting, Boolean> sightings = new LinkedHashMap<>(SIGHTINGS_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Sighting, Boolean> eldest) {
            return size() > SIGHTINGS_KEPT;
        }
    };

    private OneDnnGemm(CpuBackend backend, Parallel parallel, OpenMpThreads openMp) {
        this.parallel = parallel;
        this.openMp = openMp;
        this.engine = new dnnl_engine();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), () -> "dnnl_engine_create");
        this.laidOut = new OneDnnWeights(backend, OneDnnWeights.BUDGET_BYTES);
    }

    /**
     * Loads oneDNN and opens a CPU engine.
     *
     * @throws LinkageError where oneDNN's natives for this platform are missing
     * @throws IllegalStateException where the OpenMP loaded with oneDNN has no {@code omp_set_num_threads}
     */
    static OneDnnGemm open(CpuBackend backend, Parallel parallel) {
        Loader.load(dnnl.class);
        OpenMpThreads openMp = OpenMpThreads.of(1);
        if (openMp == null) {
            throw new IllegalStateException("no omp_set_num_threads to keep oneDNN's OpenMP pool off Kiln's threads");
        }
        return new OneDnnGemm(backend, parallel, openMp);
    }

    /**
     * Whether the product {@code C = alpha op(A) op(B) + beta C} ([m, k] x [k, n]) is one this class is for: F32, alpha
     * 1 and beta 0 or 1 (what the layers pass), its smallest dimension at most {@link #MAX_SMALL} and the other two at
     * least {@link #MIN_SIDE}, and neither a matrix-vector product nor {@link SkinnyGemm}'s.
     */
    static boolean applies(DType dtype, boolean transA, boolean transB, int m, int n, int k, double alpha,
                           double beta) {
        int smallest = Math.min(m, Math.min(n, k));
        int middle = Math.max(Math.min(m, n), Math.min(Math.max(m, n), k));
        return dtype == DType.F32 && alpha == 1 && (beta == 0 || beta == 1) && Math.min(m, n) > 1
                && smallest <= MAX_SMALL && middle >= MIN_SIDE && !SkinnyGemm.applies(transA, transB, m, k, dtype);
    }

    /**
     * C = op(A) op(B) + beta C for a product that {@link #applies}; false, with nothing done, where oneDNN has no fast
     * primitive for one of its blocks (OpenBLAS then runs it). {@code versionB} is the version of B's storage
     * ({@link dev.kiln.engine.Tensor#version()}), or -1 where unknown: a large B (the weights of {@code x W^T} or
     * {@code dY W}, not the batch of x in {@code dY^T x}) read unchanged by the same product before (a layer's
     * weights in evaluation) is read in oneDNN's layout, laid out once per version and kept.
     */
    boolean gemm(boolean transA, boolean transB, int m, int n, int k, OpenBlasGemm.Matrix a, OpenBlasGemm.Matrix b,
                 int versionB, double beta, OpenBlasGemm.Matrix c) {
        boolean layOut = versionB >= 0 && Math.min(n, k) >= MIN_SIDE
                && seenBefore(new Sighting(b.storage(), b.offset(), b.ld(), transB, k, n, versionB));
        boolean byRows = m >= n;
        int length = byRows ? m : n;
        // Inside another loop of the pool (a batch of products, one a thread) the blocks would all run on this
        // thread, one after another, each holding a lane: one block instead.
        int parts = Parallel.insideLoop() ? 1 : Math.min(parallel.threads(), length);
        OneDnnGemmLane[] taken = take(parts);
        try {
            openMp.applyToCurrentThread();
            OneDnnGemmPlan[] plans = new OneDnnGemmPlan[parts];
            OpenBlasGemm.Matrix[][] operands = new OpenBlasGemm.Matrix[parts][];
            for (int part = 0; part < parts; part++) {
                int from = (int) ((long) length * part / parts);
                int size = (int) ((long) length * (part + 1) / parts) - from;
                operands[part] = byRows
                        ? new OpenBlasGemm.Matrix[] {OpenBlasGemm.shift(a, from, transA ? 1 : a.ld()), b,
                            OpenBlasGemm.shift(c, from, c.ld())}
                        : new OpenBlasGemm.Matrix[] {a, OpenBlasGemm.shift(b, from, transB ? b.ld() : 1),
                            OpenBlasGemm.shift(c, from, 1)};
                plans[part] = taken[part].plan(new OneDnnGemmPlan.Key(transA, transB, byRows ? size : m,
                        byRows ? n : size, k, a.ld(), b.ld(), c.ld(), beta != 0, layOut));
                if (plans[part] == null) {
                    return false;
                }
            }
            parallel.forRange(parts, (long) m * n * k / parts, (start, end) -> {
                openMp.applyToCurrentThread();
                for (int part = start; part < end; part++) {
                    OpenBlasGemm.Matrix[] o = operands[part];
                    OneDnnWeights.Source source = layOut
                            ? new OneDnnWeights.Source(laidOut, o[1].storage(), o[1].offset(), o[1].ld(),
                            transB, versionB, true) : null;
                    plans[part].execute(taken[part].stream(), pointer(o[0]), pointer(o[1]), pointer(o[2]), source);
                }
            });
            return true;
        } finally {
            giveBack(taken, layOut);
        }
    }

    /**
     * Whether a GEMM read B as {@code sighting} describes it before, at this version; notes it. In training a layer's
     * weights change between its steps (so they are read in place, as a layout made for one step is not repaid); in
     * evaluation the second batch on reads them laid out.
     */
    private synchronized boolean seenBefore(Sighting sighting) {
        return sightings.put(sighting, Boolean.TRUE) != null;
    }

    /** {@code count} lanes no other call is using, made where too few are idle (a GEMM inside another's block). */
    private synchronized OneDnnGemmLane[] take(int count) {
        OneDnnGemmLane[] taken = new OneDnnGemmLane[count];
        for (int i = 0; i < count; i++) {
            OneDnnGemmLane lane = idle.pollFirst();
            if (lane == null) {
                lane = new OneDnnGemmLane(engine);
                lanes.add(lane);
            }
            taken[i] = lane;
        }
        return taken;
    }

    /**
     * The lanes back, in order, so that the next call's block i finds the plans block i kept; then, where
     * {@code trim}, the laid-out weights over the budget freed, but only once no call holds a lane: another thread's
     * GEMM may be reading an entry the least-recently-used order would free. Under this lock no call can take lanes
     * meanwhile.
     */
    private synchronized void giveBack(OneDnnGemmLane[] taken, boolean trim) {
        for (int i = taken.length - 1; i >= 0; i--) {
            idle.addFirst(taken[i]);
        }
        if (trim && idle.size() == lanes.size()) {
            laidOut.trim();
        }
    }

    /** How many lanes this has made (for tests). */
    synchronized int lanesMade() {
        return lanes.size();
    }

    /** Bytes held by B operands laid out in oneDNN's layouts (for tests). */
    long laidOutBytes() {
        return laidOut.bytes();
    }

    private static FloatPointer pointer(OpenBlasGemm.Matrix x) {
        return x.storage().floatPointer(x.offset());
    }

    @Override
    public synchronized void close() {
        laidOut.close();
        lanes.forEach(OneDnnGemmLane::close);
        lanes.clear();
        idle.clear();
        dnnl_engine_destroy(engine);
    }
}
