package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without a scope, nothing frees a tensor but its owner's {@code close()} (or, late, the garbage collector). An op
 * that makes intermediates on the way to its result (a flattened view, a sum before a mean) closes them itself
 * when nothing recorded them: closing the input and the result gives all the memory back.
 */
class IntermediatesWithoutScopeTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private final Backend backend = Engine.get().backend();

    @Test
    void sumOfEverythingKeepsNoFlattenedView() {
        assertGivesEverythingBack(Tensor::sum);
    }

    @Test
    void meansKeepNoSums() {
        assertGivesEverythingBack(Tensor::mean);
        assertGivesEverythingBack(x -> x.mean(1, false));
    }

    @Test
    void maximaKeepNoFlattenedViewOrKeptDimension() {
        assertGivesEverythingBack(Tensor::max);
        assertGivesEverythingBack(x -> x.max(1, false));
    }

    @Test
    void stackKeepsNoUnsqueezedViews() {
        assertGivesEverythingBack(x -> Tensor.stack(List.of(x, x), 0));
    }

    @Test
    void crossEntropyWithAnIgnoreIndexKeepsNoMasksOrRowLosses() {
        for (Reduction reduction : Reduction.values()) {
            long before = backend.bytesInUse();
            Tensor x = Tensor.randn(8, 5);
            Tensor targets = Tensor.fromArray(new long[] {1, -100, 4, 0, -100, 2, 3, 3}, 8);
            Tensor loss = F.crossEntropy(x, targets, reduction, -100);
            x.close();
            targets.close();
            loss.close();
            assertEquals(before, backend.bytesInUse(), reduction + ": bytes still in use after closing everything");
        }
    }

    private void assertGivesEverythingBack(Function<Tensor, Tensor> op) {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(64, 256);
        Tensor result = op.apply(x);
        x.close();
        result.close();
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the input and the result");
    }
}
