package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Idx;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scatter and index assignment ops, run without a scope and without gradients, close what they make on the way
 * (targets, masks, dense slots, host-made indices): closing the inputs and the results gives all the memory back.
 */
class ScatterIndexOpsIntermediatesTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private final Backend backend = Engine.get().backend();

    @Test
    void scattersKeepNoneOfTheirSteps() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(6, 8);
        Tensor src = Tensor.randn(6, 5);
        Tensor index = Tensor.fromArray(new long[] {1, 7, 1, 0, 1, 2, 2, 2, 2, 0, 0, 3, 3, 1, 0, 5, 5, 5, 5, 5, 4, 6,
            4, 6, 4, 7, 7, 0, 1, 2}, 6, 5);
        Tensor rows = Tensor.fromArray(new int[] {4, 0, 4}, 3);
        Tensor block = Tensor.randn(6, 3);
        Tensor mask = Tensor.fromArray(new int[] {1, 0, 0, 1, 1, 0, 1, 1}, 8);
        Tensor source = Tensor.randn(30);
        List<Tensor> all = new ArrayList<>(List.of(x, src, index, rows, block, mask, source));
        all.add(x.scatter(1, index, src));
        all.add(x.scatter(1, index, 0.5));
        for (String reduce : new String[] {"sum", "prod", "mean", "amax", "amin"}) {
            all.add(x.scatterReduce(1, index, src, reduce, true));
            all.add(x.scatterReduce(1, index, src, reduce, false));
        }
        all.add(x.indexFill(1, rows, 2));
        all.add(x.indexCopy(1, rows, block));
        all.add(x.maskedScatter(mask, source));
        all.forEach(Tensor::close);
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the inputs and the results");
    }

    @Test
    void advancedIndexingKeepsNoneOfItsSteps() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(6, 8, 3);
        Tensor flat = Tensor.fromArray(new long[] {-1, 0, 7, 7, 143, -144}, 2, 3);
        Tensor rows = Tensor.fromArray(new int[] {0, -1, 3}, 3, 1);
        Tensor columns = Tensor.fromArray(new long[] {7, -8}, 2);
        Tensor source = Tensor.randn(2, 3);
        Tensor values = Tensor.randn(2, 3);
        List<Tensor> all = new ArrayList<>(List.of(x, flat, rows, columns, source, values));
        all.add(x.take(flat));
        all.add(x.put(flat, source, true));
        all.add(x.put(flat, source, false));
        all.add(x.indexPut(List.of(rows, columns), values, true));
        all.add(x.indexPut(List.of(rows, columns), values, false));
        all.add(x.index(List.of(rows, columns)));
        all.forEach(Tensor::close);
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the inputs and the results");
    }

    @Test
    void mixedSubscriptsKeepNoneOfTheirSteps() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(6, 8, 3);
        Tensor mask = Tensor.fromArray(new int[] {1, 0, 0, 1, 1, 0, 1, 1}, 8);
        Tensor rows = Tensor.fromArray(new int[] {0, -1, 3}, 3, 1);
        Tensor columns = Tensor.fromArray(new long[] {2, -3}, 2);
        Tensor values = Tensor.randn(3, 1, 8);
        List<Tensor> all = new ArrayList<>(List.of(x, mask, rows, columns, values));
        all.add(x.index(Idx.all(), Idx.mask(mask)));
        all.add(x.index(Idx.tensor(rows), Idx.slice(1, 7, 2), Idx.tensor(columns)));
        all.add(x.index(Idx.newAxis(), Idx.at(-2), Idx.ellipsis(), Idx.tensor(columns)));
        all.add(x.indexPut(new Idx[] {Idx.tensor(rows), Idx.all(), Idx.tensor(columns)}, values, true));
        all.add(x.indexPut(new Idx[] {Idx.all(), Idx.mask(mask)}, 0.5, false));
        all.forEach(Tensor::close);
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the inputs and the results");
    }

    @Test
    void refusedMixedSubscriptWritesKeepNoneOfTheirSteps() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(6, 8);
        Tensor values = Tensor.randn(5);
        assertThrows(IllegalArgumentException.class,
                () -> x.indexPut(new Idx[] {Idx.all(), Idx.slice(0, 3)}, values, false));
        assertThrows(IllegalArgumentException.class, () -> x.indexPut(new Idx[] {Idx.at(6)}, 0.5, false));
        Tensor rows = Tensor.fromArray(new long[] {0, 2}, 2);
        assertThrows(IllegalArgumentException.class, () -> x.indexPut(List.of(rows), values, false));
        rows.close();
        x.close();
        values.close();
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the inputs");
    }
}
