package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_engine;

/**
 * The CPU backend's {@link StaticInt8ConvWeights}: the s8 values in plain OIHW order, the F32 scales [out], zeros [out]
 * (the bias of a layer without one), and the oneDNN calls made for the slice geometries seen
 * ({@link OneDnnStaticInt8Call}), each with the weights laid out for its primitive: those of this convolution, and
 * those of chains that start with it, which hold copies of the later convolutions' weights. The memory comes from the
 * backend's allocator; {@link #close()} returns it and destroys the primitives.
 */
final class OneDnnStaticInt8Weights implements StaticInt8ConvWeights {
    /**
     * Slice geometries whose calls are kept, at least: an evaluation loop has one per thread, and as many again for
     * the last, partial batch; more threads keep twice their number.
     */
    static final int CALLS_KEPT = 16;

    /**
     * A slice's call: its index among the slices (each thread its own), the convolutions' geometries and fused
     * ReLUs, the weights of the convolutions after this one (none for a single convolution), of the input's grid
     * and each output's whether its zero point may be other than 0, the max pooling of the last output and the
     * shortcut convolution (each null for none).
     */
    private record Key(int slice, List<Conv2dGeometry> geometries, List<Boolean> relus,
                       List<OneDnnStaticInt8Weights> later, List<Boolean> zeroPoints, Pool2dGeometry pool,
                       Shortcut shortcut) {
    }

    /**
     * A convolution that reads a chain's quantised input beside it: its weights, its slice geometry, whether ReLU is
     * fused and whether its output grid's zero point may be other than 0.
     */
    record Shortcut(OneDnnStaticInt8Weights weights, Conv2dGeometry geometry, boolean relu, boolean zeroPoint) {
    }

    private final CpuBackend backend;
    private final dnnl_engine engine;
    private final Shape shape;
    private final CpuStorage plain;
    private final CpuStorage scales;
    private final CpuStorage zeros;
    private final Map<Key, OneDnnStaticInt8Call> calls = new LinkedHashMap<>(CALLS_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, OneDnnStaticInt8Call> eldest) {
            if (size() <= callsKept) {
                return false;
            }
            eldest.getValue().close();
            return true;
        }
    };
    /** Never fewer than one forward's slices: a call evicted while a slice runs it would be used after its free. */
    private final int callsKept;
    private boolean closed;

    OneDnnStaticInt8Weights(CpuBackend backend, dnnl_engine engine, int threads, Shape shape, CpuStorage plain,
                            CpuStorage scales, CpuStorage zeros) {
        this.backend = backend;
        this.callsKept = Math.max(CALLS_KEPT, 2 * threads);
        this.engine = engine;
        this.shape = shape;
        this.plain = plain;
        this.scales = scales;
        this.zeros = zeros;
    }

    /** The call of slice {@code slice} of geometry {@code g} for any zero points, made at its first use. */
    synchronized OneDnnStaticInt8Call call(int slice, Conv2dGeometry g, boolean relu) {
        return call(slice, List.of(g), List.of(relu), List.of(), List.of(true, true), null, null);
    }

    /**
     * The call of slice {@code slice} of the chain of this convolution and then {@code later}'s, of geometries
     * {@code geometries} and fused ReLUs {@code relus}, with zero points other than 0 where {@code zeroPoints}
     * (the input's grid, then each output's), the last output max pooled by {@code pool} (null: not pooled), made at
     * its first use (reading later's weights then), with the convolution {@code shortcut} on the quantised input
     * beside the chain (null: none).
     */
    synchronized OneDnnStaticInt8Call call(int slice, List<Conv2dGeometry> geometries, List<Boolean> relus,
                                           List<OneDnnStaticInt8Weights> later, List<Boolean> zeroPoints,
                                           Pool2dGeometry pool, Shortcut shortcut) {
        if (closed) {
            throw new IllegalArgumentException("staticInt8Conv2d: the packed weights " + shape + " are closed");
        }
        return calls.computeIfAbsent(new Key(slice, geometries, relus, later, zeroPoints, pool, shortcut), k -> {
            List<CpuStorage> plains = new ArrayList<>(List.of(plain));
            List<CpuStorage> scaleValues = new ArrayList<>(List.of(scales));
            List<OneDnnStaticInt8Weights> read = new ArrayList<>(later);
            if (shortcut != null) {
                read.add(shortcut.weights());
            }
            for (OneDnnStaticInt8Weights w : read) {
                if (w.isClosed()) {
                    throw new IllegalArgumentException("staticInt8Conv2dChain: the packed weights " + w.shape
                            + " are closed");
                }
            }
            for (OneDnnStaticInt8Weights w : later) {
                plains.add(w.plain);
                scaleValues.add(w.scales);
            }
            OneDnnStaticInt8Call.Shortcut beside = shortcut == null ? null : new OneDnnStaticInt8Call.Shortcut(
                    shortcut.geometry(), shortcut.relu(), shortcut.weights().plain, shortcut.weights().scales,
                    shortcut.zeroPoint());
            return new OneDnnStaticInt8Call(backend, engine, geometries, relus, plains, scaleValues, zeroPoints,
                    pool, beside);
        });
    }

    /** How many slice calls are kept. */
    synchronized int callsKept() {
        return calls.size();
    }

    /** Zeros [out]. */
    CpuStorage zeros() {
        return zeros;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public Tensor values() {
        ByteBuffer bytes = plain.bytes();
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = bytes.get(i);
        }
        Tensor t = Tensor.empty(shape, DType.F32, backend);
        backend.copyFromHost(FloatBuffer.wrap(values), t);
        return t;
    }

    @Override
    public Tensor scales() {
        float[] values = new float[shape.dim(0)];
        scales.f32.duplicate().get(values);
        Tensor t = Tensor.empty(Shape.of(values.length), DType.F32, backend);
        backend.copyFromHost(FloatBuffer.wrap(values), t);
        return t;
    }

    /** The plain values, scales and zeros; the kept calls' laid-out weights are oneDNN's working copies beside them. */
    @Override
    public long bytes() {
        return (plain.capacity() + scales.capacity() + zeros.capacity()) * Float.BYTES;
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        calls.values().forEach(OneDnnStaticInt8Call::close);
        calls.clear();
        plain.release();
        scales.release();
        zeros.release();
    }
}
