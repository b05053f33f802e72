package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The diagonal, product, repeating, difference, selection and reduction ops of {@code ShapeProductOpsPyTorchParityTest}
 * and {@code SelectionReductionOpsPyTorchParityTest}, run without a scope and without gradients, close the tensors
 * they make on the way (permuted copies, broadcast copies, views, host-made indices): closing the inputs and the
 * result gives all the memory back, as {@code IntermediatesWithoutScopeTest} asks of the engine's other ops.
 */
class ShapeSelectionOpsIntermediatesTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private final Backend backend = Engine.get().backend();

    @Test
    void oneInputOpsKeepNoneOfTheirSteps() {
        for (Function<Tensor[], Tensor> op : List.<Function<Tensor[], Tensor>>of(in -> in[0].diagonal(3, 1, 0),
                in -> in[0].diag(-2), in -> in[0].trace(), in -> in[0].diagEmbed(1, 0, 2), in -> in[0].movedim(0, 1),
                in -> in[0].rot90(1, 0, 1), in -> in[0].repeat(2, 1, 1), in -> in[0].tile(2),
                in -> in[0].repeatInterleave(2, 0), in -> in[0].diff(2, 1, null, null), in -> in[0].nonzero(),
                in -> in[0].any(1, false), in -> in[0].all(), in -> in[0].countNonzero(0), in -> in[0].clone(),
                in -> in[0].amax(new int[] {0, 1}, false), in -> in[0].amin(new int[] {1}, true),
                in -> in[0].nansum(new int[] {0}, false), in -> in[0].nanmean())) {
            assertGivesEverythingBack(op, new int[] {64, 96});
        }
    }

    @Test
    void opsOfSeveralInputsKeepNoneOfTheirSteps() {
        assertGivesEverythingBack(in -> in[0].outer(in[1]), new int[] {64}, new int[] {96});
        assertGivesEverythingBack(in -> in[0].kron(in[1]), new int[] {8, 6}, new int[] {3, 5, 4});
        assertGivesEverythingBack(in -> F.tensordot(in[0], in[1], new int[] {0, 2}, new int[] {2, 0}),
                new int[] {5, 6, 7}, new int[] {7, 4, 5});
        assertGivesEverythingBack(in -> in[0].cross(in[1], 1), new int[] {64, 3, 5}, new int[] {3, 1});
        assertGivesEverythingBack(in -> in[0].diff(1, 0, in[1], in[1]), new int[] {64, 96}, new int[] {2, 96});
        assertGivesEverythingBack(in -> F.cartesianProd(List.of(in[0], in[1])), new int[] {64}, new int[] {96});
        assertGivesEverythingBack(in -> {
            List<Tensor> grids = F.meshgrid(List.of(in[0], in[1]), "xy");
            grids.get(1).close();
            return grids.get(0);
        }, new int[] {64}, new int[] {96});
        assertGivesEverythingBack(in -> in[0].maskedSelect(in[1]), new int[] {64, 96}, new int[] {96});
        assertGivesEverythingBack(in -> {
            try (Tensor counts = Tensor.fromArray(new long[] {3, 0, 1}, 3)) {
                return in[0].repeatInterleave(counts, 1);
            }
        }, new int[] {64, 3});
    }

    @Test
    void takingAlongAnAxisKeepsNoBroadcastCopies() {
        long before = backend.bytesInUse();
        Tensor x = Tensor.randn(64, 96);
        Tensor index = Tensor.fromArray(new long[] {3, 90, 0}, 1, 3);
        Tensor taken = x.takeAlongDim(index, 1);
        Tensor flat = x.takeAlongDim(index);
        for (Tensor t : new Tensor[] {x, index, taken, flat}) {
            t.close();
        }
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the inputs and the results");
    }

    /** {@code op} of random inputs of {@code dims}; closing them and the result must give all the memory back. */
    private void assertGivesEverythingBack(Function<Tensor[], Tensor> op, int[]... dims) {
        long before = backend.bytesInUse();
        Tensor[] inputs = new Tensor[dims.length];
        for (int i = 0; i < dims.length; i++) {
            inputs[i] = Tensor.randn(dims[i]);
        }
        Tensor result = op.apply(inputs);
        for (Tensor in : inputs) {
            in.close();
        }
        result.close();
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the inputs and the result");
    }
}
