package dev.kiln.cli;

/** Whether this JVM is ending (Ctrl-C, SIGTERM, System.exit): running its shutdown hooks, as the others run on. */
final class ProcessEnd {
    private ProcessEnd() {
    }

    /** True while the shutdown hooks run: the JDK then refuses a new hook, which is the only way it tells. */
    static boolean inProgress() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
