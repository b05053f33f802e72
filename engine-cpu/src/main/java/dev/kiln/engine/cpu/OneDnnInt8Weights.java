package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The CPU backend's {@link Int8LinearWeights}: the F32 scales [out] and, for each block of output columns that one of
 * Kiln's threads computes, the s8 values in the layout of that block's oneDNN primitive ({@link OneDnnInt8Part}).
 * The memory comes from the backend's allocator; {@link #close()} returns it and destroys the primitives.
 */
final class OneDnnInt8Weights implements Int8LinearWeights {
    private final CpuBackend backend;
    private final int out;
    private final int in;
    private final CpuStorage scales;
    private final List<OneDnnInt8Part> parts;
    /** Zeros [out], the bias of a layer without one: the primitives always add a bias. */
    private CpuStorage zeros;
    private boolean closed;

    OneDnnInt8Weights(CpuBackend backend, int out, int in, CpuStorage scales, List<OneDnnInt8Part> parts) {
        this.backend = backend;
        this.out = out;
        this.in = in;
        this.scales = scales;
        this.parts = parts;
    }

    List<OneDnnInt8Part> parts() {
        return parts;
    }

    /** Zeros [out], made at the first call without a bias. */
    synchronized CpuStorage zeros() {
        if (zeros == null) {
            zeros = (CpuStorage) backend.allocate(DType.F32, out);
            for (int i = 0; i < out; i++) {
                zeros.f32.put(i, 0f);
            }
        }
        return zeros;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public synchronized Tensor values() {
        long elements = (long) out * in;
        CpuStorage plain = (CpuStorage) backend.allocate(DType.F32, (elements + Float.BYTES - 1) / Float.BYTES);
        try {
            parts.forEach(p -> p.values(plain));
            ByteBuffer bytes = plain.bytes();
            float[] values = new float[Math.toIntExact(elements)];
            for (int i = 0; i < values.length; i++) {
                values[i] = bytes.get(i);
            }
            Tensor t = Tensor.empty(Shape.of(out, in), DType.F32, backend);
            backend.copyFromHost(java.nio.FloatBuffer.wrap(values), t);
            return t;
        } finally {
            plain.release();
        }
    }

    @Override
    public Tensor scales() {
        float[] values = new float[out];
        scales.f32.duplicate().get(values);
        Tensor t = Tensor.empty(Shape.of(out), DType.F32, backend);
        backend.copyFromHost(java.nio.FloatBuffer.wrap(values), t);
        return t;
    }

    CpuStorage scaleStorage() {
        return scales;
    }

    @Override
    public synchronized long bytes() {
        long bytes = scales.capacity() * Float.BYTES + (zeros == null ? 0 : zeros.capacity() * Float.BYTES);
        for (OneDnnInt8Part p : parts) {
            bytes += p.bytes();
        }
        return bytes;
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
        parts.forEach(OneDnnInt8Part::close);
        scales.release();
        if (zeros != null) {
            zeros.release();
        }
    }
}
