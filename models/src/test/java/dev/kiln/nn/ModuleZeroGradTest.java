package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.engine.Scope;
import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#zeroGrad(boolean)} as PyTorch 1.13's {@code Module.zero_grad(set_to_none)}
 * (models/src/test/pytorch/module_zero_grad.py): false zeroes every parameter's gradient in place, a frozen one's
 * too, and leaves a sparse gradient without entries; true forgets them all.
 */
class ModuleZeroGradTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** A sparse table whose rows feed two linear layers, as the script's ModuleDict. */
    private static final class TableAndHeads extends Module {
        TableAndHeads() {
            registerModule("emb", new Embedding(5, 2).sparse(true));
            registerModule("lin", new Linear(2, 1));
            registerModule("frozen", new Linear(2, 1));
        }

        @Override
        public Tensor forward(Tensor ids) {
            Tensor h = module("emb").call(ids);
            return module("lin").call(h).sum().add(module("frozen").call(h).sum());
        }
    }

    /** The script's model after one backward pass, with "frozen" frozen after it got its gradient. */
    private static TableAndHeads afterBackward() {
        TableAndHeads model = new TableAndHeads();
        model.call(Tensor.fromArray(new long[] {1, 3}, 2)).backward();
        model.namedParameters().get("frozen.weight").requiresGrad(false);
        return model;
    }

    @Test
    void zeroGradFalseZeroesEveryGradientInPlaceKeepingTheTensors() {
        TableAndHeads model = afterBackward();
        Tensor linGrad = model.namedParameters().get("lin.weight").grad();
        model.zeroGrad(false);
        assertSame(linGrad, model.namedParameters().get("lin.weight").grad(), "the same tensor, as PyTorch's");
        assertArrayEquals(new float[] {0, 0}, linGrad.toFloatArray());
        assertArrayEquals(new float[] {0, 0}, model.namedParameters().get("frozen.weight").grad().toFloatArray(),
                "a frozen parameter's gradient is zeroed too");
    }

    @Test
    void zeroGradFalseLeavesASparseGradientWithoutEntries() {
        TableAndHeads model = afterBackward();
        model.zeroGrad(false);
        SparseRows g = model.namedParameters().get("emb.weight").sparseGrad();
        assertNotNull(g, "kept, as PyTorch's sparse gradient after zero_()");
        assertEquals(0, g.nnz());
        assertArrayEquals(new float[10], g.toDense().toFloatArray());
    }

    @Test
    void zeroGradTrueForgetsEveryGradientDenseAndSparse() {
        TableAndHeads model = afterBackward();
        model.zeroGrad(true);
        for (Tensor p : model.parameters()) {
            assertNull(p.grad());
            assertNull(p.sparseGrad());
        }
    }

    @Test
    void zeroGradWithoutArgumentForgetsAsTheOptimizersDoes() {
        TableAndHeads model = afterBackward();
        model.zeroGrad();
        for (Tensor p : model.parameters()) {
            assertNull(p.grad());
            assertNull(p.sparseGrad());
        }
    }
}
