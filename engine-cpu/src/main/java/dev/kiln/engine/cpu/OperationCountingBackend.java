package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProxy;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The CPU backend behind a proxy that counts the operations the engine asks of it: every call of a {@link Backend}
 * method that runs work on it ({@link BackendProxy#isOperation}). A fused op counts once, as the engine calls it,
 * whatever it does inside, so the count is the same on every backend: the number of kernel launches (or library
 * calls) a backend that implements each such op in one would make, e.g. CUDA. Opt in with
 * {@code -Dkiln.cpu.countOperations=true}; {@link Backend#counters()} then reports {@code backend_operations},
 * {@code host_reads} ({@code copyToHost} calls, the CPU's equivalent of waiting for a device),
 * {@code allocations}, and {@code operation.<method>} for each method called.
 */
final class OperationCountingBackend implements InvocationHandler {

    private final CpuBackend backend;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final LongAdder allocations = new LongAdder();

    private OperationCountingBackend(CpuBackend backend) {
        this.backend = backend;
    }

    /** {@code backend} behind a counting proxy ({@link BackendProxy#wrap}). */
    static Backend wrap(CpuBackend backend) {
        return BackendProxy.wrap(backend, new OperationCountingBackend(backend));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            return BackendProxy.objectMethod(proxy, method, args, backend.name() + " (counting operations)");
        }
        if (name.equals("counters")) {
            return counters();
        }
        // itemAsync is no operation of its own here: its read on the CPU is the copyToHost it makes through this proxy.
        if (name.equals("allocate")) {
            allocations.increment();
        } else if (BackendProxy.isOperation(method) && !name.equals("itemAsync")) {
            calls.computeIfAbsent(name, k -> new LongAdder()).increment();
        }
        return BackendProxy.call(backend, method, args);
    }

    private Map<String, Long> counters() {
        Map<String, Long> byMethod = new TreeMap<>();
        calls.forEach((name, count) -> byMethod.put(name, count.sum()));
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("backend_operations", byMethod.values().stream().mapToLong(Long::longValue).sum());
        counters.put("host_reads", byMethod.getOrDefault("copyToHost", 0L));
        counters.put("allocations", allocations.sum());
        byMethod.forEach((name, count) -> counters.put("operation." + name, count));
        return counters;
    }
}
