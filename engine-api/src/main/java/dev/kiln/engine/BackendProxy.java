package dev.kiln.engine;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.Buffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend behind a {@link Proxy} of {@link Backend} whose handler decides what a call does (counts it, skips it,
 * times it: the CPU's counting and arithmetic-skipping backends, {@link OperationProfiler}): the pieces every such
 * wrapper needs, so that none forgets the first.
 */
public final class BackendProxy {
    private static final Map<Method, Boolean> OPERATIONS = new ConcurrentHashMap<>();

    private BackendProxy() {
    }

    /**
     * Whether {@code method} of {@link Backend} runs work on the backend: it takes a tensor, a host buffer or a list of
     * tensors. The others ask about the backend, reserve memory, wait for it, record a step or close it. Decided once
     * per method, as proxies ask at every call.
     */
    public static boolean isOperation(Method method) {
        return OPERATIONS.computeIfAbsent(method, m -> {
            for (Class<?> type : m.getParameterTypes()) {
                if (type == Tensor.class || Buffer.class.isAssignableFrom(type) || List.class.isAssignableFrom(type)) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * {@code backend} behind a proxy calling {@code handler}; the storages the backend allocates from now on name the
     * proxy as their owner ({@link Backend#reportStoragesAs}), so that operations on their tensors reach the handler
     * too, not only those called on it.
     */
    public static Backend wrap(Backend backend, InvocationHandler handler) {
        Backend proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, handler);
        backend.reportStoragesAs(proxy);
        return proxy;
    }

    /** The proxy's own answer to a method {@link Object} declares: identity, and {@code description} as its text. */
    public static Object objectMethod(Object proxy, Method method, Object[] args, String description) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> description;
        };
    }

    /** {@code method} run on {@code backend}, throwing what it throws rather than reflection's wrapper. */
    public static Object call(Backend backend, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(backend, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
