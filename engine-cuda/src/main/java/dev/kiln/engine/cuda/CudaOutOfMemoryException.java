package dev.kiln.engine.cuda;

/**
 * Device memory could not serve a request, even after the caching allocator returned its cached blocks to the
 * driver (which it cannot do while a step graph is being recorded). The message names the request's size, the
 * device's free memory and the allocator's statistics. The backend stays usable, so a caller may catch this and go
 * on with less: a smaller batch, a leaner algorithm.
 */
public class CudaOutOfMemoryException extends CudaException {
    public CudaOutOfMemoryException(String message) {
        super(message);
    }
}
