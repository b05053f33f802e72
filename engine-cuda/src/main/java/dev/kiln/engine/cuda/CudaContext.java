package dev.kiln.engine.cuda;

import dev.kiln.engine.Device;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;

/**
 * One GPU as Kiln uses it: its primary context, the one stream all work is queued on, and the cuBLAS
 * and cuDNN handles bound to that stream. Every thread that calls into CUDA first binds the device
 * (the data loader's prefetch thread copies batches too).
 */
final class CudaContext implements AutoCloseable {
    private final int index;
    private final Device device;
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);
    private final CUstream_st stream = new CUstream_st();
    private final cublasContext cublasHandle = new cublasContext();
    private final cudnnContext cudnnHandle = new cudnnContext();
    private final int multiprocessors;
    private final int computeCapability;
    private final String name;
    private final boolean tf32;
    private long synchronisations;
    private boolean recording;

    /**
     * Opens device {@code index}. With {@code tf32}, F32 GEMMs (and, in {@link CudaConvolution}, F32
     * convolutions) may round their inputs to TF32 on tensor cores; without it they keep full FP32 arithmetic.
     */
    CudaContext(int index, boolean tf32) {
        this.index = index;
        this.tf32 = tf32;
        this.device = Device.cuda(index);
        bindThread();
        // cudaFree(0) creates the primary context now, so that the driver API (kernels) finds it current.
        Status.runtime(cudart.cudaFree(DevicePointers.at(0)), "cudaFree(0)");
        Status.runtime(cudart.cudaStreamCreateWithFlags(stream, cudart.cudaStreamNonBlocking), "cudaStreamCreate");
        Status.cublas(cublas.cublasCreate_v2(cublasHandle), "cublasCreate");
        Status.cublas(cublas.cublasSetStream_v2(cublasHandle, stream), "cublasSetStream");
        Status.cublas(cublas.cublasSetMathMode(cublasHandle,
                tf32 ? cublas.CUBLAS_TF32_TENSOR_OP_MATH : cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        Status.cudnn(cudnn.cudnnCreate(cudnnHandle), "cudnnCreate");
        Status.cudnn(cudnn.cudnnSetStream(cudnnHandle, stream), "cudnnSetStream");
        this.multiprocessors = attribute(cudart.cudaDevAttrMultiProcessorCount);
        this.computeCapability = attribute(cudart.cudaDevAttrComputeCapabilityMajor) * 10
                + attribute(cudart.cudaDevAttrComputeCapabilityMinor);
        this.name = deviceName(index);
    }

    /** Makes this device current on the calling thread (once per thread). */
    void bindThread() {
        if (!bound.get()) {
            Status.runtime(cudart.cudaSetDevice(index), "cudaSetDevice(" + index + ")");
            bound.set(true);
        }
    }

    /** Waits for everything queued on the stream; the only full host synchronisation Kiln does. */
    void synchronize() {
        requireNotRecording("read a value from the device (item(), toFloatArray(), ...)");
        bindThread();
        synchronisations++;
        Status.runtime(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /** Whether the stream is recording a step graph ({@link CudaStepGraph}) instead of running work. */
    void recording(boolean on) {
        recording = on;
    }

    /** Throws, naming {@code what} the step did, while a step graph is being recorded. */
    void requireNotRecording(String what) {
        if (recording) {
            throw new IllegalStateException("CUDA graph recording: the step tried to " + what + ", which a graph"
                    + " cannot replay; do it before or after the recorded step");
        }
    }

    /** Calls of {@link #synchronize()} so far. */
    long synchronisations() {
        return synchronisations;
    }

    Device device() {
        return device;
    }

    CUstream_st stream() {
        return stream;
    }

    cublasContext cublas() {
        return cublasHandle;
    }

    cudnnContext cudnn() {
        return cudnnHandle;
    }

    int multiprocessors() {
        return multiprocessors;
    }

    /**
     * Gives cuBLAS {@code bytes} of device memory at {@code address} (256-byte aligned) as its workspace for good,
     * so that GEMMs never allocate their own, also not into a recorded step graph. After cublasSetStream, which
     * resets it.
     */
    void useCublasWorkspace(long address, long bytes) {
        bindThread();
        Status.cublas(cublas.cublasSetWorkspace_v2(cublasHandle, DevicePointers.at(address), bytes),
                "cublasSetWorkspace(" + bytes + " bytes)");
    }

    /** E.g. 90 for sm_90 (H100). */
    int computeCapability() {
        return computeCapability;
    }

    String name() {
        return name;
    }

    /** Whether F32 GEMM and convolution may use TF32 tensor cores (opt-in, {@link CudaOptions#tf32()}). */
    boolean tf32() {
        return tf32;
    }

    private int attribute(int attribute) {
        int[] value = new int[1];
        Status.runtime(cudart.cudaDeviceGetAttribute(value, attribute, index), "cudaDeviceGetAttribute");
        return value[0];
    }

    private static String deviceName(int index) {
        try (org.bytedeco.cuda.cudart.cudaDeviceProp props = new org.bytedeco.cuda.cudart.cudaDeviceProp()) {
            Status.runtime(cudart.cudaGetDeviceProperties(props, index), "cudaGetDeviceProperties");
            return props.name().getString();
        }
    }

    @Override
    public void close() {
        bindThread();
        cudart.cudaStreamSynchronize(stream);
        cudnn.cudnnDestroy(cudnnHandle);
        cublas.cublasDestroy_v2(cublasHandle);
        cudart.cudaStreamDestroy(stream);
    }
}
