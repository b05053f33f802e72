package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_clone;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Convolution weights (and {@link OneDnnGemm}'s weights read unchanged) in the layouts oneDNN's primitives chose for
 * them, kept between calls: in evaluation the weights
 * do not change, and reordering them on every call re-laid-out ResNet-18's 44 MB for every forward pass (ONNX
 * Runtime does it once, at load). An entry is the weights' storage, their first element and the layout, and holds
 * their values as of one version of the storage ({@link Tensor#version()}, which every in-place write moves on): it
 * is read only while the version is that one, and laid out again in its own memory otherwise (each training step's
 * update), so that a training step reorders each weight once where every slice and chunk of the batch reordered it.
 * The input gradient's layout ({@link #forOneCall}) is freed at the end of its call: only training computes it, and
 * the weights change before the next.
 * <p>The memory comes from the backend's allocator and counts in its bytes in use. An entry is freed when its
 * weights' storage is released, and the least recently used ones when the entries exceed the budget, at the end of a
 * convolution ({@link #trim}), when no lane reads them.
 */
final class OneDnnWeights implements AutoCloseable {
    /** Bytes the entries may hold after a convolution: ResNet-50's weights (98 MB) in the forward pass's layouts. */
    static final long BUDGET_BYTES = 256L << 20;

    /**
     * Weights a convolution reads: their storage, first element and the storage's version, read before the call;
     * {@code kept} where their layout outlives the call. A GEMM's B also says how it reads the storage: its rows
     * {@code ld} elements apart ({@code 0} for a convolution's dense weights), and whether it reads them transposed;
     * a square weight read as W and as W^T has one layout of the same dimensions for both, but not the same values.
     */
    record Source(OneDnnWeights cache, CpuStorage storage, long offset, int ld, boolean transposed, int version,
                  boolean kept) {
        /** Their values in {@code layout}, laid out by {@code reorder} into the memory given it where not current. */
        FloatPointer laidOut(dnnl_memory_desc layout, Consumer<FloatPointer> reorder) {
            return cache.laidOut(this, layout, reorder);
        }
    }

    /** One weight tensor's values in one layout, as of {@link #version} where {@link #current}. */
    private static final class Entry {
        final CpuStorage weights;
        final long offset;
        final int ld;
        final boolean transposed;
        final dnnl_memory_desc layout;
        final CpuStorage copy;
        int version;
        boolean current;
        boolean kept;

        Entry(CpuStorage weights, long offset, int ld, boolean transposed, dnnl_memory_desc layout, CpuStorage copy) {
            this.weights = weights;
            this.offset = offset;
            this.ld = ld;
            this.transposed = transposed;
            this.layout = layout;
            this.copy = copy;
        }

        boolean holds(Source source, dnnl_memory_desc wanted) {
            return weights == source.storage() && offset == source.offset() && ld == source.ld()
                    && transposed == source.transposed() && dnnl_memory_desc_equal(layout, wanted) != 0;
        }

        void free() {
            copy.release();
            dnnl_memory_desc_destroy(layout);
        }
    }

    private final CpuBackend backend;
    private final long budgetBytes;
    /** Least recently used first. */
    private final List<Entry> entries = new ArrayList<>();
    private long bytes;

    OneDnnWeights(CpuBackend backend, long budgetBytes) {
        this.backend = backend;
        this.budgetBytes = budgetBytes;
    }

    /** The weights of {@code weight} from element {@code elements} on, as they are now, kept between calls. */
    Source source(Tensor weight, long elements) {
        return new Source(this, (CpuStorage) weight.storage(), weight.offset() + elements, 0, false, weight.version(),
                true);
    }

    /**
     * The weights of {@code weight} as they are now, laid out once for the call and freed at its end: for the input
     * gradient, which only training computes, when the weights change every step and a kept layout would be
     * memory held for nothing.
     */
    Source forOneCall(Tensor weight) {
        return new Source(this, (CpuStorage) weight.storage(), weight.offset(), 0, false, weight.version(), false);
    }

    /**
     * {@code source}'s values in {@code layout}: the entry's memory, laid out by {@code reorder} first where it is new
     * or of another version. A lane waits here while another lays out weights, which it would otherwise do too.
     */
    synchronized FloatPointer laidOut(Source source, dnnl_memory_desc layout, Consumer<FloatPointer> reorder) {
        Entry entry = take(source, layout);
        entry.kept = source.kept();
        entries.add(entry);
        if (!entry.current || entry.version != source.version()) {
            entry.current = false;
            reorder.accept(entry.copy.floatPointer(0));
            entry.version = source.version();
            entry.current = true;
        }
        return entry.copy.floatPointer(0);
    }

    /** The entry of {@code source} in {@code layout}, removed from {@link #entries}, or a new one. */
    private Entry take(Source source, dnnl_memory_desc layout) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.holds(source, layout)) {
                it.remove();
                return e;
            }
        }
        long size = dnnl_memory_desc_get_size(layout);
        dnnl_memory_desc clone = new dnnl_memory_desc();
        check(dnnl_memory_desc_clone(clone, layout), () -> "dnnl_memory_desc_clone");
        CpuStorage copy = (CpuStorage) backend.allocate(DType.F32, (size + Float.BYTES - 1) / Float.BYTES);
        bytes += copy.capacity() * Float.BYTES;
        CpuStorage weights = source.storage();
        weights.onRelease(this, () -> forget(weights));
        return new Entry(weights, source.offset(), source.ld(), source.transposed(), clone, copy);
    }

    /**
     * Frees the entries laid out for one call, then the least recently used ones while they hold more than the budget;
     * none may be in use.
     */
    synchronized void trim() {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!e.kept) {
                it.remove();
                drop(e);
            }
        }
        while (bytes > budgetBytes && !entries.isEmpty()) {
            drop(entries.remove(0));
        }
    }

    /** Frees the entries of {@code weights}, which is being released. */
    synchronized void forget(CpuStorage weights) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.weights == weights) {
                it.remove();
                drop(e);
            }
        }
    }

    /** Bytes the entries hold (for tests). */
    synchronized long bytes() {
        return bytes;
    }

    private void drop(Entry e) {
        bytes -= e.copy.capacity() * Float.BYTES;
        e.free();
    }

    @Override
    public synchronized void close() {
        entries.forEach(this::drop);
        entries.clear();
    }
}
