package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Index checks (embedding, index select, gather) read the indices back from the device only when their range is not
 * known on the host: on a GPU such a read waits for all queued work. Known are the ranges of indices made from Java
 * arrays, of argmax's output ([0, size of the axis)), and of copies, narrowings, where-selections and I32-to-I64
 * conversions of such tensors. Counted as host reads by the counting CPU backend.
 */
class KnownIndexRangeTest extends CountingBackendTest {
    private static final float[] TABLE = {0, 0, 10, 10, 20, 20, 30, 30};

    @Test
    void argmaxIndicesAreCheckedWithoutReadingThemBack() {
        try (Scope s = Scope.open()) {
            Tensor scores = Tensor.fromArray(new float[] {0, 5, 1, 2, 9, 3, 7, 0, 1, 0, 0, 4}, 3, 4).to(counting);
            Tensor best = scores.argmax(1, false);
            assertLooksUpWithoutReading(best, new float[] {10, 10, 0, 0, 30, 30});
        }
    }

    @Test
    void sortIndicesAreCheckedWithoutReadingThemBack() {
        try (Scope s = Scope.open()) {
            Tensor scores = Tensor.fromArray(new float[] {2, 0, 3, 1, 0.5f, 9, 4, 7}, 2, 4).to(counting);
            assertLooksUpWithoutReading(scores.argsort(1, true),
                    new float[] {20, 20, 0, 0, 30, 30, 10, 10, 10, 10, 30, 30, 20, 20, 0, 0});
        }
    }

    @Test
    void sortTopkKthvalueAndMedianAndTheirGradientsReadNothingBack() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {2, 0, 3, 1, 0.5f, 9, 4, 7, 8, 6, 5, -1}, 3, 4).to(counting)
                    .requiresGrad(true);
            long reads = count("host_reads");
            Tensor loss = x.sort(0, true).values().sum().add(x.topk(2, 1, true, false).values().sum())
                    .add(x.kthvalue(2, 1, false).values().sum()).add(x.median(0, false).values().sum());
            loss.backward();
            assertEquals(reads, count("host_reads"), "values read back by the ops or their gradients");
            assertArrayEquals(new float[] {3, 1, 2, 3, 1, 2, 3, 2, 2, 3, 2, 1}, x.grad().toFloatArray());
        }
    }

    @Test
    void aNarrowedCopyOfHostIndicesKeepsTheirRange() {
        try (Scope s = Scope.open()) {
            Tensor ids = Tensor.fromArray(new long[] {0, 3, 1, 2, 1, 0}, 2, 3).to(counting);
            Tensor column = ids.narrow(1, 1, 1).reshape(2);
            assertLooksUpWithoutReading(column, new float[] {30, 30, 10, 10});
        }
    }

    @Test
    void hostIndicesWidenedFromI32ToI64KeepTheirRange() {
        try (Scope s = Scope.open()) {
            Tensor ids = Tensor.fromArray(new int[] {2, 0, 3}, 3).to(counting);
            assertLooksUpWithoutReading(ids.to(DType.I64), new float[] {20, 20, 0, 0, 30, 30});
        }
    }

    @Test
    void aWhereSelectionBetweenKnownIndicesKeepsTheirJointRange() {
        try (Scope s = Scope.open()) {
            Tensor gold = Tensor.fromArray(new long[] {1, 2, 3}, 3).to(counting);
            Tensor guess = Tensor.fromArray(new float[] {1, 0, 0, 1, 0, 2, 5, 1, 9}, 3, 3).to(counting).argmax(1, false);
            Tensor useGold = Tensor.fromArray(new double[] {1, 0, 1}, 3).to(counting);
            assertLooksUpWithoutReading(Tensor.where(useGold, gold, guess), new float[] {10, 10, 20, 20, 30, 30});
        }
    }

    @Test
    void aWhereSelectionOfAnIndexOutsideTheTableIsStillCaught() {
        try (Scope s = Scope.open()) {
            Tensor inside = Tensor.fromArray(new long[] {1, 2, 3}, 3).to(counting);
            Tensor outside = Tensor.fromArray(new long[] {7, 0, 9}, 3).to(counting);
            Tensor useInside = Tensor.fromArray(new double[] {0, 1, 1}, 3).to(counting);
            Tensor table = Tensor.fromArray(TABLE, 4, 2).to(counting);
            Tensor selected = Tensor.where(useInside, inside, outside);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.embedding(selected, table));
            assertTrue(e.getMessage().contains("index 7 is out of range [0, 4)"), e.getMessage());
        }
    }

    @Test
    void indicesOfUnknownRangeAreReadAndStillChecked() {
        try (Scope s = Scope.open()) {
            Tensor written = Tensor.empty(Shape.of(2), DType.I64, counting);
            counting.fill(written, 7);
            Tensor table = Tensor.fromArray(TABLE, 4, 2).to(counting);
            long reads = count("host_reads");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.embedding(written, table));
            assertTrue(e.getMessage().contains("index 7 is out of range [0, 4)"), e.getMessage());
            assertEquals(reads + 1, count("host_reads"), "the indices were read once");
        }
    }

    /** Looks {@code indices} up in a 4-row table: the rows expected, and no value read back on the way. */
    private static void assertLooksUpWithoutReading(Tensor indices, float[] expectedRows) {
        Tensor table = Tensor.fromArray(TABLE, 4, 2).to(counting);
        long reads = count("host_reads");
        Tensor rows = F.embedding(indices, table);
        assertEquals(reads, count("host_reads"), "indices read back to be checked");
        assertArrayEquals(expectedRows, rows.toFloatArray());
    }
}
