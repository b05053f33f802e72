package dev.kiln.engine.cuda;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Storage;

/** Device memory for one tensor: a block of the caching allocator. */
final class CudaStorage implements Storage {
    private final CudaBackend backend;
    private final Backend owner;
    private final DeviceAllocator.Block block;
    private final DType dtype;
    private final long capacity;

    /** @param owner the backend its tensors name: {@code backend}, or a wrapper ({@link Backend#reportStoragesAs}) */
    CudaStorage(CudaBackend backend, Backend owner, DeviceAllocator.Block block, DType dtype, long capacity) {
        this.backend = backend;
        this.owner = owner;
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

    @Override
    public void release() {
        backend.allocator().free(block);
    }
}
