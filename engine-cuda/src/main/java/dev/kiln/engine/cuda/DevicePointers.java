package dev.kiln.engine.cuda;

import dev.kiln.engine.Tensor;
import org.bytedeco.javacpp.Pointer;

/** JavaCPP pointers to device addresses, for the library calls that take them (cuBLAS, cuDNN, memcpy). */
final class DevicePointers {
    private DevicePointers() {
    }

    /** A pointer object holding a raw device address; JavaCPP never dereferences it on the host. */
    static Pointer at(long deviceAddress) {
        // Named unlike Pointer's field: inside the subclass a parameter called "address" is shadowed by the
        // inherited field, and "this.address = address" would keep every device pointer null.
        return new Pointer() {
            {
                address = deviceAddress;
            }
        };
    }

    /** The device address of a tensor's first element. */
    static long address(Tensor t) {
        return ((CudaStorage) t.storage()).address() + t.offset() * t.dtype().bytes();
    }

    /** A pointer to a tensor's first element, or a null pointer for a null tensor. */
    static Pointer of(Tensor t) {
        return t == null ? at(0) : at(address(t));
    }
}
