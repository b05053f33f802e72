package dev.kiln.engine.cuda;

import dev.kiln.engine.StepGraph;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.global.cudart;

/**
 * A training step recorded by stream capture into a CUDA graph and replayed with one {@code cudaGraphLaunch}:
 * its kernels, cuBLAS and cuDNN calls run without the host issuing each. Capture is in relaxed mode, so that the
 * caching allocator may still call cudaMalloc while recording; the blocks it hands out meanwhile stay the graph's
 * ({@link GraphPool}).
 */
final class CudaStepGraph implements StepGraph {
    private final CudaBackend backend;
    private final CudaContext context;
    private final DeviceAllocator allocator;
    private final KernelLauncher launcher;
    private final GraphPool pool;
    private final CUgraph_st graph;
    private final CUgraphExec_st executable;
    private final long kernels;
    private boolean closed;

    private CudaStepGraph(CudaBackend backend, CudaContext context, DeviceAllocator allocator, KernelLauncher launcher,
                          GraphPool pool, CUgraph_st graph, CUgraphExec_st executable, long kernels) {
        this.backend = backend;
        this.context = context;
        this.allocator = allocator;
        this.launcher = launcher;
        this.pool = pool;
        this.graph = graph;
        this.executable = executable;
        this.kernels = kernels;
    }

    /**
     * Records what {@code step} queues on the context's stream; nothing runs until {@link #replay}. Called by
     * {@code backend}, holding its lock, which replays and closing take too.
     */
    static CudaStepGraph record(CudaBackend backend, CudaContext context, DeviceAllocator allocator,
                                KernelLauncher launcher, Runnable step) {
        context.bindThread();
        GraphPool pool = allocator.beginRecording();
        long launchesBefore = launcher.launches();
        CUgraph_st graph = new CUgraph_st();
        int begin = cudart.cudaStreamBeginCapture(context.stream(), cudart.cudaStreamCaptureModeRelaxed);
        if (begin != cudart.cudaSuccess) {
            allocator.release(pool);
            Status.runtime(begin, "cudaStreamBeginCapture");
        }
        context.recording(true);
        Throwable failure = null;
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            context.recording(false);
            allocator.endRecording();
        }
        int end = cudart.cudaStreamEndCapture(context.stream(), graph);
        if (failure != null || end != cudart.cudaSuccess) {
            if (end == cudart.cudaSuccess) {
                cudart.cudaGraphDestroy(graph);
            }
            cudart.cudaGetLastError();
            allocator.release(pool);
            String reason = failure != null ? failure.getMessage() : Status.runtimeError(end);
            CudaException e = new CudaException("recording the training step as a CUDA graph failed: " + reason);
            if (failure != null) {
                e.initCause(failure);
            }
            throw e;
        }
        CUgraphExec_st executable = new CUgraphExec_st();
        // Memory a library allocated inside the recording and left allocated is freed at each launch, not leaked.
        int instantiated = cudart.cudaGraphInstantiate(executable, graph,
                cudart.cudaGraphInstantiateFlagAutoFreeOnLaunch);
        if (instantiated != cudart.cudaSuccess) {
            cudart.cudaGraphDestroy(graph);
            allocator.release(pool);
            Status.runtime(instantiated, "cudaGraphInstantiate");
        }
        return new CudaStepGraph(backend, context, allocator, launcher, pool, graph, executable,
                launcher.launches() - launchesBefore);
    }

    @Override
    public void replay() {
        synchronized (backend) {
            if (closed) {
                throw new IllegalStateException("replay: this step graph is closed");
            }
            context.bindThread();
            Status.runtime(cudart.cudaGraphLaunch(executable, context.stream()), "cudaGraphLaunch");
            launcher.graphLaunched();
        }
    }

    @Override
    public long kernels() {
        return kernels;
    }

    /** Frees the graph; a replay still queued finishes first (the driver frees a running graph when it is done). */
    @Override
    public void close() {
        synchronized (backend) {
            if (closed) {
                return;
            }
            closed = true;
            context.bindThread();
            cudart.cudaGraphExecDestroy(executable);
            cudart.cudaGraphDestroy(graph);
            allocator.release(pool);
            backend.graphClosed(this);
        }
    }
}
