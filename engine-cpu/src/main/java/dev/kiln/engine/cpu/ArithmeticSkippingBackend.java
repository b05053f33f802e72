package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProxy;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Set;

/**
 * The CPU backend behind a proxy that skips every operation: what a training step still costs then is the host's
 * share of it (the data loader, uploads and reads, autograd, scopes, dispatch), the most an engine whose arithmetic
 * took no time at all could reach, which is what a fast GPU approaches. Results are meaningless: for timing only.
 * Opt in with {@code -Dkiln.cpu.skipArithmetic=true}. Memory, transfers between host and backend, and questions
 * about the backend still run; every other {@link Backend} method returns at once. Its name,
 * {@value #NAME}, marks every figure made with it (kiln bench's JSON line names the backend).
 */
final class ArithmeticSkippingBackend implements InvocationHandler {
    /** Operations that still run: the transfers between host and backend. */
    private static final Set<String> TRANSFERS = Set.of("copyFromHost", "copyToHost");

    static final String NAME = "cpu-skipping-arithmetic";

    private final CpuBackend backend;

    private ArithmeticSkippingBackend(CpuBackend backend) {
        this.backend = backend;
    }

    /** {@code backend} behind a skipping proxy ({@link BackendProxy#wrap}). */
    static Backend wrap(CpuBackend backend) {
        return BackendProxy.wrap(backend, new ArithmeticSkippingBackend(backend));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return BackendProxy.objectMethod(proxy, method, args, NAME);
        }
        if (method.getName().equals("name")) {
            return NAME;
        }
        if (method.getReturnType() == void.class && BackendProxy.isOperation(method)
                && !TRANSFERS.contains(method.getName())) {
            return null;
        }
        return BackendProxy.call(backend, method, args);
    }
}
