package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.ops.BytesInUse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * One training step per scope: 10,000 steps must neither grow the backend's live memory nor the process. The
 * process's resident memory says something only where the Java heap is fixed and touched from the start
 * ({@code -Xms} = {@code -Xmx} and {@code -XX:+AlwaysPreTouch}, as the tests module's Surefire and the GPU bundle's
 * run-tests.sh run it): otherwise the young generation's first filling alone adds tens of MiB (74 MiB on the H200
 * machine with -Xmx8g, 54 MiB here), which is no leak. Without those options only the live bytes are checked. The
 * live bytes are the whole backend's, so the baseline waits until tensors that earlier tests in the JVM dropped
 * unclosed are freed: the 10,000 steps' garbage collections would otherwise free them mid-measurement (2,496 bytes
 * in one CI run).
 */
class ScopedStepsMemoryTest {
    private static final int STEPS = 10_000;

    @Test
    void tenThousandScopedStepsLeaveMemoryFlat() throws IOException {
        Engine.seed(7);
        TwoLayerSgdNet net = new TwoLayerSgdNet(32, 64, 10, 0.1);
        Tensor x = Tensor.randn(16, 32);
        Tensor y = Tensor.fromArray(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5}, 16);

        for (int i = 0; i < 500; i++) {
            net.step(x, y);
        }
        BytesInUse.settle();
        long liveAfterWarmUp = Engine.get().backend().bytesInUse();
        long rssAfterWarmUp = residentBytes();
        double firstLoss = net.step(x, y);
        double lastLoss = firstLoss;
        for (int i = 0; i < STEPS; i++) {
            lastLoss = net.step(x, y);
        }
        long liveAtEnd = Engine.get().backend().bytesInUse();
        long rssAtEnd = residentBytes();
        System.out.printf("memory over %d scoped steps: backend live bytes %d -> %d; resident %.1f MiB -> %.1f MiB%n",
                STEPS, liveAfterWarmUp, liveAtEnd, rssAfterWarmUp / 1048576.0, rssAtEnd / 1048576.0);

        assertEquals(liveAfterWarmUp, liveAtEnd, "tensors leaked out of their scopes");
        if (rssAtEnd > 0 && heapFixedAndTouched()) {
            assertTrue(rssAtEnd - rssAfterWarmUp < 64L << 20,
                    "resident memory grew by " + (rssAtEnd - rssAfterWarmUp) + " bytes");
        } else {
            System.out.println("resident memory not checked: it needs /proc and a heap fixed and touched from the start"
                    + " (-Xms = -Xmx, -XX:+AlwaysPreTouch)");
        }
        assertTrue(lastLoss < firstLoss, "the steps did not train: loss " + firstLoss + " -> " + lastLoss);
    }

    private static boolean heapFixedAndTouched() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getCommitted() == heap.getMax()
                && ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch");
    }

    /** VmRSS from /proc (Linux); 0 where there is no /proc, and then only live bytes are checked. */
    private static long residentBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }
}
