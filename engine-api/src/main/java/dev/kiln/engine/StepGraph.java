package dev.kiln.engine;

/**
 * The device work of one training step, recorded once by {@link Backend#captureStep} and replayed: the same
 * kernels on the same tensors, launched as one unit (a CUDA graph). Inputs change between replays only by being
 * overwritten in place; values computed by the step are read from the tensors made while it was recorded.
 */
public interface StepGraph extends AutoCloseable {
    /** Queues the recorded work once more. */
    void replay();

    /** Kernels one replay runs (ours; cuBLAS's and cuDNN's count as the calls that queued them). */
    long kernels();

    /** Frees the graph and hands the memory reserved for it back to the backend. */
    @Override
    void close();
}
