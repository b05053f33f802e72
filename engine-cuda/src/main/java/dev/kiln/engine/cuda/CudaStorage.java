package dev.kiln.engine.cuda;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Storage;

/** Device memory for one tensor: a block of the caching allocator. */
final class CudaStorage implements Storage {
    private final CudaBackend backend;
    private final DeviceAllocator.Block block;
    private final DType dtype;
    private final long capacity;

    CudaStorage(CudaBackend backend, DeviceAllocator.Block block, DType dtype, long capacity) {
        this.backend = backend;
        this.block = block;
        this.dtype = dtype;
        this.capacity = capacity;
    }

    /** Device address of element 0. */
    long address() {
        return block.address();
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void release() {
        backend.allocator().free(block);
    }
}
