package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CPU backend with {@code -Dkiln.cpu.countOperations=true}: what it counts, and that it still computes. */
class OperationCountingTest extends CountingBackendTest {
    @Test
    void tensorsMadeOnTheCountingBackendDispatchTheirOperationsThroughIt() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.empty(Shape.of(2, 3), DType.F32, counting);
            assertSame(counting, a.backend());
            long before = count("operation.binary");
            counting.fill(a, 2);
            Tensor sum = a.add(a);
            assertEquals(before + 1, count("operation.binary"));
            assertArrayEquals(new float[] {4, 4, 4, 4, 4, 4}, sum.toFloatArray());
        }
    }

    @Test
    void aCompositeOperationCountsOnceAndItsPartsNotAtAll() {
        try (Scope s = Scope.open()) {
            Tensor scores = Tensor.fromArray(new float[] {0, 1, 1, 0, 1, 0}, 3, 2).to(counting);
            Tensor labels = Tensor.fromArray(new long[] {1, 1, 0}, 3).to(counting);
            Tensor hits = Tensor.empty(Shape.of(1), DType.I64, counting);
            counting.fill(hits, 0);
            Map<String, Long> before = counting.counters();
            counting.accumulateHits(scores, labels, hits);
            Map<String, Long> after = counting.counters();
            assertEquals(before.get("backend_operations") + 1, after.get("backend_operations"),
                    "the CPU runs accumulateHits as the interface's composite of argmax, compare, sum and add");
            assertEquals(before.getOrDefault("operation.accumulateHits", 0L) + 1, after.get("operation.accumulateHits"));
            assertEquals(before.getOrDefault("operation.argmax", 0L), after.getOrDefault("operation.argmax", 0L));
            assertArrayEquals(new long[] {2}, hits.toLongArray());
        }
    }

    @Test
    void allocationsAndQuestionsAboutTheBackendAreNotOperations() {
        long operations = count("backend_operations");
        long allocations = count("allocations");
        try (Scope s = Scope.open()) {
            Tensor.empty(Shape.of(5), DType.F32, counting);
        }
        counting.name();
        counting.bytesInUse();
        counting.synchronize();
        assertEquals(operations, count("backend_operations"));
        assertEquals(allocations + 1, count("allocations"));
    }

    @Test
    void readsBackToTheHostAreCountedAsHostReads() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.empty(Shape.of(3), DType.F32, counting);
            counting.fill(a, 1);
            long reads = count("host_reads");
            a.toFloatArray();
            assertEquals(reads + 1, count("host_reads"));
        }
    }

    @Test
    void theBackendsOwnErrorReachesTheCallerUnwrapped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> counting.allocate(DType.F32, 3_000_000_000L));
        assertTrue(e.getMessage().contains("3000000000"), e.getMessage());
    }
}
