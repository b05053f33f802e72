package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * One training step per scope: 10,000 steps must not grow the backend's live memory, and their second half must
 * not grow the process outside the Java heap (which the garbage collector may grow as it likes). The first half
 * lets one-time growth settle: on an H200 machine with 16 cores and -Xmx8g the process grew by 74 MiB over 10,000
 * steps after a 500-step warm-up, with the backend's live bytes flat (docs/GPU.md). A leak of 7 KB a step still
 * fails the check.
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
        long liveAfterWarmUp = Engine.get().backend().bytesInUse();
        double firstLoss = net.step(x, y);
        double lastLoss = firstLoss;
        for (int i = 0; i < STEPS / 2; i++) {
            lastLoss = net.step(x, y);
        }
        long rssHalfway = residentBytes();
        long heapHalfway = committedHeapBytes();
        for (int i = 0; i < STEPS / 2; i++) {
            lastLoss = net.step(x, y);
        }
        long liveAtEnd = Engine.get().backend().bytesInUse();
        long rssAtEnd = residentBytes();
        long heapAtEnd = committedHeapBytes();
        System.out.printf("memory over %d scoped steps: backend live bytes %d -> %d; over the second half resident"
                + " %.1f MiB -> %.1f MiB, of it committed Java heap %.1f MiB -> %.1f MiB%n", STEPS, liveAfterWarmUp,
                liveAtEnd, rssHalfway / 1048576.0, rssAtEnd / 1048576.0, heapHalfway / 1048576.0,
                heapAtEnd / 1048576.0);

        assertEquals(liveAfterWarmUp, liveAtEnd, "tensors leaked out of their scopes");
        if (rssAtEnd > 0) {
            long outsideHeap = (rssAtEnd - rssHalfway) - Math.max(0, heapAtEnd - heapHalfway);
            assertTrue(outsideHeap < 32L << 20, "resident memory outside the Java heap grew by " + outsideHeap
                    + " bytes over the last " + STEPS / 2 + " steps");
        }
        assertTrue(lastLoss < firstLoss, "the steps did not train: loss " + firstLoss + " -> " + lastLoss);
    }

    private static long committedHeapBytes() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
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
