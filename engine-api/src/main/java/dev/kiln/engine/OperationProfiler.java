package dev.kiln.engine;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Times each operation a backend runs, to find what a training step spends its time on (as PyTorch's profiler's
 * table of operators does): a wrapper that waits for the device before and after every operation, so that each
 * time is the operation's own, its device work included, not only the time to queue it. The waits slow training
 * down: the times are for comparing operations, not for samples/s. {@code -Dkiln.profileOperations=true} wraps
 * the engine's backend ({@link Engine}); {@code kiln bench} then prints the table.
 *
 * <p>An operation is named by its {@link Backend} method, its enum and boolean arguments (which unary op, which
 * GEMM operand is transposed) and the dtypes and shapes of its tensors, e.g.
 * {@code gemm(false, true, F32[1024, 784], F32[512, 784], F32[1024, 512])}; host buffers show as {@code host}.
 * Calls an operation makes on the wrapper itself (a temporary's allocation, a nested operation) count as part of
 * it. Step graphs are not recorded while profiling: a recording cannot wait for the device. Besides its totals, each
 * timed call goes to the {@link #addListener listeners} with its times, for a timeline (the models module's
 * {@code dev.kiln.profiler.Profiler}, PyTorch's {@code torch.profiler.profile}).
 */
public final class OperationProfiler implements InvocationHandler {
    /** The system property that makes {@link Engine} wrap its backend. */
    public static final String PROPERTY = "kiln.profileOperations";
    private static final int IDLE_WAITS = 101;

    private final Backend backend;
    private final Map<String, Totals> totals = new HashMap<>();
    private final List<Consumer<Call>> listeners = new CopyOnWriteArrayList<>();
    private int depth;

    private OperationProfiler(Backend backend) {
        this.backend = backend;
    }

    /** {@code backend} behind a profiler; its storages from now on name the wrapper, so every operation reaches it. */
    public static Backend wrap(Backend backend) {
        return BackendProxy.wrap(backend, new OperationProfiler(backend));
    }

    /** The profiler behind {@code backend}, if it is one {@link #wrap} made. */
    public static Optional<OperationProfiler> of(Backend backend) {
        if (Proxy.isProxyClass(backend.getClass())
                && Proxy.getInvocationHandler(backend) instanceof OperationProfiler p) {
            return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * One operation's totals since the last {@link #reset}; for a GEMM also its first call, to time it again on its
     * own ({@code gemm}, null for other operations).
     */
    public record Operation(String name, long calls, double seconds, double hostSeconds, GemmReplay gemm) {
    }

    /** Every operation timed since the last {@link #reset}, the longest in total first. */
    public synchronized List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        totals.forEach((name, t) -> out.add(new Operation(name, t.calls, t.nanos / 1e9, t.hostNanos / 1e9, t.gemm)));
        out.sort(Comparator.comparingDouble(Operation::seconds).reversed().thenComparing(Operation::name));
        return out;
    }

    /**
     * One timed call of an operation, for a timeline (a user-facing profiler's trace): its {@link Backend} method, its
     * enum and boolean arguments ({@code flags}), its tensors' dtypes and dims ({@code inputs}; a host buffer or a
     * list of tensors shows as {@code host} or {@code N tensors} with no dims), the calling thread, and
     * {@link System#nanoTime} when it began (the device already idle), when it returned (the host's share done) and
     * when the device had finished it.
     */
    public record Call(String method, List<String> flags, List<Input> inputs, long threadId, long startNanos,
                       long queuedNanos, long endNanos) {
    }

    /** A tensor argument's dtype and dims, or a host buffer's or list's description with no dims. */
    public record Input(String type, List<Integer> dims) {
    }

    /** Calls {@code listener} with every operation timed from now on, on the thread that ran it. */
    public void addListener(Consumer<Call> listener) {
        listeners.add(listener);
    }

    /** Stops calling {@code listener}. */
    public void removeListener(Consumer<Call> listener) {
        listeners.remove(listener);
    }

    /** Forgets the operations timed so far (after a warm-up, say). */
    public synchronized void reset() {
        totals.clear();
    }

    /**
     * The median time of a wait for the device when it has nothing left to do: part of every operation's time, the
     * floor under the shortest (near 0 on the CPU, a few microseconds on CUDA).
     */
    public synchronized double idleWaitSeconds() {
        backend.synchronize();
        long[] nanos = new long[IDLE_WAITS];
        for (int i = 0; i < IDLE_WAITS; i++) {
            long start = System.nanoTime();
            backend.synchronize();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos[IDLE_WAITS / 2] / 1e9;
    }

    /**
     * Operations are timed one at a time under this profiler's lock; everything else (an allocation the backend makes
     * while it holds its own lock, say) passes straight through, so that the two locks are never taken in the
     * opposite order.
     */
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return BackendProxy.objectMethod(proxy, method, args, backend.name() + " (profiling operations)");
        }
        switch (method.getName()) {
            case "canCaptureSteps" -> {
                return false;
            }
            case "captureStep" -> throw new UnsupportedOperationException("operations are being profiled ("
                    + PROPERTY + "), which waits for the device after each; a step graph cannot be recorded meanwhile");
            default -> {
            }
        }
        if (!BackendProxy.isOperation(method)) {
            return BackendProxy.call(backend, method, args);
        }
        synchronized (this) {
            return depth > 0 ? BackendProxy.call(backend, method, args) : timed(method, args);
        }
    }

    private Object timed(Method method, Object[] args) throws Throwable {
        backend.synchronize();
        depth++;
        long start = System.nanoTime();
        try {
            Object result = BackendProxy.call(backend, method, args);
            long queued = System.nanoTime();
            backend.synchronize();
            long done = System.nanoTime();
            Totals t = totals.computeIfAbsent(name(method, args),
                    k -> new Totals(GemmReplay.of(backend, method, args)));
            t.calls++;
            t.nanos += done - start;
            t.hostNanos += queued - start;
            if (!listeners.isEmpty()) {
                Call call = call(method, args, start, queued, done);
                listeners.forEach(l -> l.accept(call));
            }
            return result;
        } finally {
            depth--;
        }
    }

    /** E.g. {@code unary(RELU, F32[128, 512], F32[128, 512])}; see the class comment. */
    private static String name(Method method, Object[] args) {
        StringBuilder b = new StringBuilder(method.getName()).append('(');
        int shown = 0;
        for (Object a : args) {
            String part = a instanceof Tensor t ? t.dtype() + t.shape().toString()
                    : a instanceof Enum<?> e ? e.name()
                    : a instanceof Boolean flag ? flag.toString()
                    : a instanceof Buffer ? "host"
                    : a instanceof List<?> l ? l.size() + " tensors"
                    : null;
            if (part != null) {
                b.append(shown++ == 0 ? "" : ", ").append(part);
            }
        }
        return b.append(')').toString();
    }

    private static Call call(Method method, Object[] args, long start, long queued, long done) {
        List<String> flags = new ArrayList<>();
        List<Input> inputs = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof Tensor t) {
                inputs.add(new Input(t.dtype().toString(), Arrays.stream(t.shape().dims()).boxed().toList()));
            } else if (a instanceof Enum<?> || a instanceof Boolean) {
                flags.add(a instanceof Enum<?> e ? e.name() : a.toString());
            } else if (a instanceof Buffer) {
                inputs.add(new Input("host", List.of()));
            } else if (a instanceof List<?> l) {
                inputs.add(new Input(l.size() + " tensors", List.of()));
            }
        }
        return new Call(method.getName(), List.copyOf(flags), List.copyOf(inputs), Thread.currentThread().getId(),
                start, queued, done);
    }

    private static final class Totals {
        final GemmReplay gemm;
        long calls;
        long nanos;
        long hostNanos;

        Totals(GemmReplay gemm) {
            this.gemm = gemm;
        }
    }
}
