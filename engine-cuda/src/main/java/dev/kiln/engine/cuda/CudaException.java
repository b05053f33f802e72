package dev.kiln.engine.cuda;

/** A CUDA, cuBLAS, cuDNN or NVRTC call failed; the message names the call and the library's own error text. */
public class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}
