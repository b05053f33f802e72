package dev.kiln.engine;

/**
 * Found with {@link java.util.ServiceLoader} (META-INF/services/dev.kiln.engine.BackendProvider).
 * Probing must be cheap and must not throw: a missing native library is an answer, not an error.
 */
public interface BackendProvider {

    /** Selection name, e.g. "cpu" or "cuda". */
    String name();

    /** Higher wins when no backend is requested. CPU is 0; a GPU backend is above it. */
    int priority();

    /** Whether this backend can run here, and if not, exactly why. */
    Availability probe();

    /** Creates the backend; only called after a successful {@link #probe()}. */
    Backend create();

    /** The answer of {@link #probe()}. */
    record Availability(boolean available, String reason) {
        public static Availability yes() {
            return new Availability(true, "available");
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}
