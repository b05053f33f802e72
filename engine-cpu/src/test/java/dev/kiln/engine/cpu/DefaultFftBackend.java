package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProxy;
import java.lang.reflect.InvocationHandler;

/** A backend that runs the SPI interface's default {@code fft} and everything else as the backend it wraps. */
final class DefaultFftBackend {
    private DefaultFftBackend() {
    }

    /** {@code to} running the interface's default fft, also for the tensors it allocates. */
    static Backend wrap(Backend to) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return BackendProxy.objectMethod(proxy, method, args, "CPU backend with the default FFT");
            }
            if (method.getName().equals("fft") && method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            return BackendProxy.call(to, method, args);
        };
        return BackendProxy.wrap(to, handler);
    }
}
