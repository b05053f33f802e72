package dev.kiln.engine.cuda;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;

/**
 * Turns the status codes of the CUDA libraries into exceptions that name the failed call. Calls made on every
 * launch or step pass the call's name as a {@link Supplier}, so that it is only put together when the call failed.
 */
final class Status {
    private Status() {
    }

    /** A CUDA runtime call. */
    static void runtime(int status, String call) {
        if (status != cudart.cudaSuccess) {
            throw new CudaException(call + " failed: " + runtimeError(status));
        }
    }

    /** As {@link #runtime(int, String)}, naming the call only when it failed. */
    static void runtime(int status, Supplier<String> call) {
        if (status != cudart.cudaSuccess) {
            runtime(status, call.get());
        }
    }

    static String runtimeError(int status) {
        BytePointer text = cudart.cudaGetErrorString(status);
        return (text == null ? "CUDA error" : text.getString()) + " (cudaError " + status + ")";
    }

    /** A CUDA driver call (module loading and kernel launches). */
    static void driver(int status, String call) {
        if (status != cudart.CUDA_SUCCESS) {
            BytePointer text = new BytePointer((BytePointer) null);
            String message = cudart.cuGetErrorString(status, text) == cudart.CUDA_SUCCESS && !text.isNull()
                    ? text.getString() : "CUDA driver error";
            throw new CudaException(call + " failed: " + message + " (CUresult " + status + ")");
        }
    }

    /** As {@link #driver(int, String)}, naming the call only when it failed. */
    static void driver(int status, Supplier<String> call) {
        if (status != cudart.CUDA_SUCCESS) {
            driver(status, call.get());
        }
    }

    static void cublas(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: cuBLAS status " + status);
        }
    }

    static void cudnn(int status, String call) {
        if (status != cudnn.CUDNN_STATUS_SUCCESS) {
            BytePointer text = cudnn.cudnnGetErrorString(status);
            throw new CudaException(call + " failed: " + (text == null ? "cuDNN status " + status : text.getString()));
        }
    }

    /** As {@link #cudnn(int, String)}, naming the call only when it failed. */
    static void cudnn(int status, Supplier<String> call) {
        if (status != cudnn.CUDNN_STATUS_SUCCESS) {
            cudnn(status, call.get());
        }
    }

    static void nvrtc(int status, String call) {
        if (status != nvrtc.NVRTC_SUCCESS) {
            BytePointer text = nvrtc.nvrtcGetErrorString(status);
            throw new CudaException(call + " failed: " + (text == null ? "NVRTC status " + status : text.getString()));
        }
    }
}
