package dev.kiln.engine;

import java.lang.reflect.Method;

/**
 * A GEMM as a training step called it (method, flags, sizes, scalars, the shapes and dtypes of its operands), to run
 * again on fresh operands of those shapes: how long the backend's GEMM takes on its own when calls are queued back to
 * back, as raw cuBLAS is timed, for comparing a step with the GEMMs inside it ({@link OperationProfiler}).
 */
public final class GemmReplay {
    private static final double FILL = 0.5;

    private final Backend backend;
    private final Method method;
    private final Object[] args;
    private final Shape[] shapes;
    private final DType[] dtypes;

    private GemmReplay(Backend backend, Method method, Object[] args) {
        this.backend = backend;
        this.method = method;
        this.args = args.clone();
        this.shapes = new Shape[args.length];
        this.dtypes = new DType[args.length];
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Tensor t) {
                shapes[i] = t.shape();
                dtypes[i] = t.dtype();
                this.args[i] = null;
            }
        }
    }

    /** The call of {@code method} with {@code args} on {@code backend}, if it is a GEMM; else null. */
    static GemmReplay of(Backend backend, Method method, Object[] args) {
        return method.getName().startsWith("gemm") ? new GemmReplay(backend, method, args) : null;
    }

    /**
     * Seconds per call over {@code calls} calls queued back to back on operands of the recorded shapes (filled with
     * {@value #FILL}), after one call to warm up; the device is waited for before the first and after the last only.
     */
    public double secondsPerCall(int calls) {
        if (calls < 1) {
            throw new IllegalArgumentException("secondsPerCall: calls must be at least 1, got " + calls);
        }
        try (Scope operands = Scope.open()) {
            Object[] call = args.clone();
            for (int i = 0; i < call.length; i++) {
                if (shapes[i] != null) {
                    Tensor t = Tensor.empty(shapes[i], dtypes[i], backend);
                    backend.fill(t, FILL);
                    call[i] = t;
                }
            }
            invoke(call);
            backend.synchronize();
            long start = System.nanoTime();
            for (int c = 0; c < calls; c++) {
                invoke(call);
            }
            backend.synchronize();
            return (System.nanoTime() - start) / 1e9 / calls;
        }
    }

    private void invoke(Object[] call) {
        try {
            BackendProxy.call(backend, method, call);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("GemmReplay: calling " + method + " failed", e);
        }
    }
}
