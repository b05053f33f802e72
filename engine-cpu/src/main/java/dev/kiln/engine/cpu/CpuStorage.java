package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Storage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * Off-heap memory for one CPU tensor: a native block seen from Java through a direct buffer of the
 * tensor's element type, and from OpenBLAS through a JavaCPP pointer to the same address.
 */
final class CpuStorage implements Storage {
    private final Backend owner;
    private final CpuMemory memory;
    private final CpuMemory.Block block;
    private final DType dtype;
    private final long capacity;
    final FloatBuffer f32;
    final DoubleBuffer f64;
    final IntBuffer i32;
    final LongBuffer i64;
    private IntBuffer f32Bits;
    private LongBuffer f64Bits;
    private FloatPointer floatPointer;
    private DoublePointer doublePointer;
    private IntPointer intPointer;
    /**
     * Run once when the storage is released, one action per owner: each drops what a cache derived from it (the
     * convolutions' and the GEMMs' {@link OneDnnWeights} each); null until the first.
     */
    private Map<Object, Runnable> onRelease;

    /** @param owner the backend that tensors on this storage dispatch to (the CPU backend, or a wrapper of it) */
    CpuStorage(Backend owner, CpuMemory memory, CpuMemory.Block block, DType dtype, long capacity) {
        this.owner = owner;
        this.memory = memory;
        this.block = block;
        this.dtype = dtype;
        this.capacity = capacity;
        ByteBuffer bytes = block.bytes().duplicate().order(ByteOrder.nativeOrder());
        this.f32 = dtype == DType.F32 ? bytes.asFloatBuffer() : null;
        this.f64 = dtype == DType.F64 ? bytes.asDoubleBuffer() : null;
        this.i32 = dtype == DType.I32 ? bytes.asIntBuffer() : null;
        this.i64 = dtype == DType.I64 ? bytes.asLongBuffer() : null;
    }

    /** The F32 elements' bit patterns: loops on them as int[] vectorise where Float.floatToRawIntBits does not. */
    IntBuffer f32Bits() {
        if (f32Bits == null) {
            f32Bits = block.bytes().duplicate().order(ByteOrder.nativeOrder()).asIntBuffer();
        }
        return f32Bits;
    }

    /** The F64 elements' bit patterns, for copies that move them unchanged. */
    LongBuffer f64Bits() {
        if (f64Bits == null) {
            f64Bits = block.bytes().duplicate().order(ByteOrder.nativeOrder()).asLongBuffer();
        }
        return f64Bits;
    }

    /** OpenBLAS's view of element {@code offset}. */
    FloatPointer floatPointer(long offset) {
        if (floatPointer == null) {
            floatPointer = new FloatPointer(block.pointer());
        }
        return floatPointer.getPointer(offset);
    }

    /** OpenBLAS's view of element {@code offset}. */
    DoublePointer doublePointer(long offset) {
        if (doublePointer == null) {
            doublePointer = new DoublePointer(block.pointer());
        }
        return doublePointer.getPointer(offset);
    }

    /** LAPACK's view of element {@code offset} of I32 storage. */
    IntPointer intPointer(long offset) {
        if (intPointer == null) {
            intPointer = new IntPointer(block.pointer());
        }
        return intPointer.getPointer(offset);
    }

    @Override
    public Backend backend() {
        return owner;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    /** Sets what {@link #release} runs for {@code owner} before freeing the memory, replacing what it set before. */
    synchronized void onRelease(Object owner, Runnable action) {
        if (onRelease == null) {
            onRelease = new IdentityHashMap<>(2);
        }
        onRelease.put(owner, action);
    }

    @Override
    public void release() {
        List<Runnable> actions;
        synchronized (this) {
            actions = onRelease == null ? List.of() : List.copyOf(onRelease.values());
        }
        // Outside the lock: an action takes its cache's lock, which a cache holds while it registers here.
        actions.forEach(Runnable::run);
        memory.free(block);
    }

    /** oneDNN's view of byte {@code offset}, for int8 data (the quantised linear layer's). */
    BytePointer bytePointer(long offset) {
        return new BytePointer(block.pointer()).getPointer(offset);
    }

    /** The memory as native-order bytes from Java, for int8 data. */
    ByteBuffer bytes() {
        return block.bytes().duplicate().order(ByteOrder.nativeOrder());
    }
}
