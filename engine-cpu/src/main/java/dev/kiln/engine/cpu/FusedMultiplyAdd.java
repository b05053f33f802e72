package dev.kiln.engine.cpu;

import java.lang.management.ManagementFactory;

/**
 * Whether {@code Math.fma} runs as the CPU's instruction. The F32 function routines ({@link FloatTrig},
 * {@link FloatExp} and their kin) rely on it for exact range reduction; without it (x86 before 2013's Haswell, or a
 * JVM started with -XX:-UseFMA) {@code Math.fma} is BigDecimal arithmetic, a thousand times slower than the call per
 * value in double that those routines replace, which then stays.
 */
final class FusedMultiplyAdd {
    /** HotSpot's -XX:UseFMA; true where the flag cannot be read (another JVM, a runtime without java.management). */
    static final boolean IN_HARDWARE = readUseFma();

    private FusedMultiplyAdd() {
    }

    private static boolean readUseFma() {
        try {
            var diagnostics = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return diagnostics == null || !"false".equals(diagnostics.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }
}
