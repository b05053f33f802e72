package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the backend and owns the random stream. The backend is {@code -Dkiln.backend=cpu|cuda}, else
 * the environment variable {@code KILN_BACKEND}, else the available provider of highest priority (CUDA
 * when a device and its libraries load, otherwise the CPU). The choice and the reason are logged once.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static volatile Engine instance;

    private final Backend backend;
    private long seed = 0x5EEDL;
    private long counter;

    private Engine(Backend backend) {
        this.backend = backend;
    }

    /** The process-wide engine, created on first use. */
    public static Engine get() {
        Engine e = instance;
        if (e == null) {
            synchronized (Engine.class) {
                e = instance;
                if (e == null) {
                    List<BackendProvider> providers = new ArrayList<>();
                    ServiceLoader.load(BackendProvider.class).forEach(providers::add);
                    e = new Engine(profiledIfAsked(selectBackend(requestedBackend(), providers)));
                    instance = e;
                }
            }
        }
        return e;
    }

    /** The backend new tensors are created on. */
    public Backend backend() {
        return backend;
    }

    /** Restarts the random stream: the same seed gives the same numbers on the same backend. */
    public static void seed(long seed) {
        Engine e = get();
        synchronized (e) {
            e.seed = seed;
            e.counter = 0;
        }
    }

    /** The current seed. */
    public synchronized long seed() {
        return seed;
    }

    /** How many random values have been drawn since the last {@link #seed}: with the seed, the whole random state. */
    public synchronized long counter() {
        return counter;
    }

    /** Restores a random state saved from {@link #seed()} and {@link #counter()} (checkpoint resume). */
    public static void restoreRandomState(long seed, long counter) {
        Engine e = get();
        synchronized (e) {
            e.seed = seed;
            e.counter = counter;
        }
    }

    /** Reserves {@code n} counters of the random stream and returns the first. */
    synchronized long nextCounter(long n) {
        long c = counter;
        counter += n;
        return c;
    }

    /** Names of every provider found on the class path, with their availability, for diagnostics. */
    public static List<String> describeProviders() {
        List<String> out = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            BackendProvider.Availability a = p.probe();
            out.add(p.name() + ": " + (a.available() ? "available" : "unavailable (" + a.reason() + ")"));
        }
        return out;
    }

    /** {@code backend} behind an {@link OperationProfiler} when {@value OperationProfiler#PROPERTY} is true. */
    private static Backend profiledIfAsked(Backend backend) {
        if (!Boolean.getBoolean(OperationProfiler.PROPERTY)) {
            return backend;
        }
        LOG.warn("Profiling every operation of the {} backend ({}): the device is waited for before and after each,"
                + " so training runs slower than without", backend.name(), OperationProfiler.PROPERTY);
        return OperationProfiler.wrap(backend);
    }

    private static String requestedBackend() {
        String name = System.getProperty("kiln.backend");
        if (name == null || name.isBlank()) {
            name = System.getenv("KILN_BACKEND");
        }
        return name == null || name.isBlank() ? null : name.trim().toLowerCase(Locale.ROOT);
    }

    /** The requested provider's backend, or the available one of highest priority; errors say why not. */
    static Backend selectBackend(String requested, List<BackendProvider> found) {
        List<BackendProvider> providers = new ArrayList<>(found);
        providers.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        if (providers.isEmpty()) {
            throw new IllegalStateException("no Kiln backend on the class path: add engine-cpu (dev.kiln:engine-cpu)");
        }
        if (requested != null) {
            return createRequested(requested, providers);
        }
        List<String> skipped = new ArrayList<>();
        for (BackendProvider p : providers) {
            BackendProvider.Availability a = p.probe();
            if (a.available()) {
                Backend b = p.create();
                LOG.info("Kiln backend: {}{}", p.name(), skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")");
                return b;
            }
            skipped.add(p.name().toUpperCase(Locale.ROOT) + " not used: " + a.reason());
        }
        throw new IllegalStateException("no Kiln backend can run here: " + String.join("; ", skipped));
    }

    private static Backend createRequested(String requested, List<BackendProvider> providers) {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : providers) {
            names.add(p.name());
            if (p.name().equals(requested)) {
                BackendProvider.Availability a = p.probe();
                if (!a.available()) {
                    throw new IllegalStateException("backend '" + requested + "' was requested but cannot run: " + a.reason());
                }
                LOG.info("Kiln backend: {} (requested)", requested);
                return p.create();
            }
        }
        throw new IllegalStateException("backend '" + requested + "' was requested but is not on the class path; found " + names);
    }
}
