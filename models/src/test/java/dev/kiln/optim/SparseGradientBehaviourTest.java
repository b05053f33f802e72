package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.EmbeddingBag;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the optimizers and gradient utilities do with a sparse gradient ({@link Tensor#sparseGrad()}): the dense
 * optimizers and SparseAdam's dense case refuse before any parameter moves, clipping by norm counts and scales it as
 * PyTorch 1.13 does, clipping by value refuses, zeroGrad forgets it, and SparseAdam's state dict resumes exactly.
 */
class SparseGradientBehaviourTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Looks up rows 1, 1 and 4 of {@code table} and backpropagates their sum. */
    private static void lookUp(Embedding table) {
        table.forward(Tensor.fromArray(new long[] {1, 1, 4}, 3)).sum().backward();
    }

    @Test
    void denseOptimizersRefuseASparseGradientBeforeMovingAnything() {
        Embedding table = new Embedding(6, 2).sparse(true);
        Tensor other = Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true);
        List<Function<List<Tensor>, Optimizer>> dense = List.of(ps -> new Adam(ps, 0.1), ps -> new AdamW(ps, 0.1),
                ps -> new RMSProp(ps, 0.1), ps -> new Adadelta(ps, 0.1));
        for (Function<List<Tensor>, Optimizer> make : dense) {
            try (Optimizer opt = make.apply(List.of(other, table.weight()))) {
                opt.zeroGrad();
                other.sum().backward();
                lookUp(table);
                float[] before = table.weight().toFloatArray();
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, opt::step);
                String name = opt.getClass().getSimpleName();
                assertTrue(e.getMessage().startsWith(name + " does not support sparse gradients")
                        && e.getMessage().contains("[6, 2]") && e.getMessage().contains("SparseAdam"), e.getMessage());
                assertArrayEquals(new float[] {1, 2}, other.toFloatArray(), "the dense parameter did not move");
                assertArrayEquals(before, table.weight().toFloatArray());
            }
        }
    }

    @Test
    void sparseAdamRefusesADenseGradient() {
        Embedding table = new Embedding(6, 2);
        try (Optimizer opt = new SparseAdam(table.parameters(), 0.1)) {
            lookUp(table);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, opt::step);
            assertTrue(e.getMessage().startsWith("SparseAdam does not support dense gradients")
                    && e.getMessage().contains("sparse(true)"), e.getMessage());
        }
    }

    @Test
    void weightDecayWithASparseGradientIsRefusedAsInPyTorch() {
        Embedding table = new Embedding(6, 2).sparse(true);
        for (Optimizer opt : List.of(new SGD(table.parameters(), 0.1).weightDecay(0.01),
                new AdaGrad(table.parameters(), 0.1).weightDecay(0.01))) {
            opt.zeroGrad();
            lookUp(table);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, opt::step);
            assertTrue(e.getMessage().contains("weight decay 0.01 is not compatible with sparse gradients"),
                    e.getMessage());
            opt.close();
        }
    }

    @Test
    void aParameterWithDenseAndSparseGradientsIsRefused() {
        Embedding table = new Embedding(6, 2).sparse(true);
        try (Optimizer opt = new SGD(table.parameters(), 0.1)) {
            lookUp(table);
            table.weight().sum().backward();
            IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
            assertTrue(e.getMessage().contains("both a dense gradient and a sparse one"), e.getMessage());
        }
    }

    @Test
    void bagsInMaxModeRefuseSparseGradients() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingBag.builder(6, 2).mode(EmbeddingBag.Mode.MAX).sparse(true).build());
        assertTrue(e.getMessage().contains("max mode does not support sparse gradients"), e.getMessage());
    }

    /** PyTorch 1.13: clip_grad_norm_ of a sparse gradient with entries [1, 1] at row 1 twice, and a dense 2, is sqrt(12). */
    @Test
    void clipGradNormCountsTheCoalescedSparseGradientAndScalesIt() {
        Embedding table = new Embedding(6, 2).sparse(true);
        table.to(DType.F64);
        // Two passes, so that row 1's entries repeat: the norm is that of their sum.
        table.forward(Tensor.fromArray(new long[] {1}, 1)).sum().backward();
        table.forward(Tensor.fromArray(new long[] {1}, 1)).sum().backward();
        Tensor dense = Tensor.fromArray(new double[] {2}, 1).requiresGrad(true);
        dense.sum().mul(2).backward();
        double norm = Optimizer.clipGradNorm(List.of(table.weight(), dense), 1.0).item();
        assertEquals(Math.sqrt(4 + 4 + 4), norm, 1e-12);
        double coefficient = 1.0 / (norm + 1e-6);
        assertArrayEquals(new double[] {0, 0, 2 * coefficient, 2 * coefficient, 0, 0, 0, 0, 0, 0, 0, 0},
                table.weight().sparseGrad().toDense().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2 * coefficient}, dense.grad().toDoubleArray(), 1e-12);
        assertEquals(2, table.weight().sparseGrad().nnz(), "still both passes' rows");
    }

    @Test
    void clipGradValueRefusesASparseGradient() {
        Embedding table = new Embedding(6, 2).sparse(true);
        lookUp(table);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizer.clipGradValue(table.parameters(), 0.5));
        assertTrue(e.getMessage().contains("sparse gradient") && e.getMessage().contains("clipGradNorm"),
                e.getMessage());
    }

    @Test
    void zeroGradForgetsTheSparseGradient() {
        Embedding table = new Embedding(6, 2).sparse(true);
        try (Optimizer opt = new SparseAdam(table.parameters(), 0.1)) {
            lookUp(table);
            opt.zeroGrad();
            assertNull(table.weight().sparseGrad());
            float[] before = table.weight().toFloatArray();
            opt.step();
            assertArrayEquals(before, table.weight().toFloatArray(), "no gradient, no step");
        }
    }

    @Test
    void sparseAdamResumesExactlyFromItsStateDict() {
        Embedding a = new Embedding(6, 2).sparse(true);
        Embedding b = new Embedding(6, 2).sparse(true);
        try (Autograd.Guard g = Autograd.noGrad()) {
            b.weight().assign(a.weight());
        }
        try (SparseAdam first = new SparseAdam(a.parameters(), 0.1); SparseAdam second = new SparseAdam(b.parameters(), 0.1)) {
            step(first, a);
            step(first, a);
            Map<String, Tensor> saved = new HashMap<>(first.stateDict());
            assertTrue(saved.containsKey("state.0.exp_avg") && saved.containsKey("state.0.exp_avg_sq"), saved.keySet().toString());
            try (Autograd.Guard g = Autograd.noGrad()) {
                b.weight().assign(a.weight());
            }
            second.loadStateDict(saved);
            step(first, a);
            step(second, b);
            assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray(), 0f);
        }
    }

    private static void step(Optimizer opt, Embedding table) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            table.forward(Tensor.fromArray(new long[] {1, 3, 1}, 3)).square().sum().backward();
            opt.step();
        }
    }

    /** L-BFGS makes a sparse gradient dense, as PyTorch's {@code _gather_flat_grad}: the same steps as a dense lookup. */
    @Test
    void lbfgsStepsASparseGradientAsTheDenseOne() {
        Embedding sparse = new Embedding(6, 2).sparse(true);
        Embedding dense = new Embedding(6, 2);
        try (Autograd.Guard g = Autograd.noGrad()) {
            dense.weight().assign(sparse.weight());
        }
        try (LBFGS a = new LBFGS(sparse.parameters(), 0.5); LBFGS b = new LBFGS(dense.parameters(), 0.5)) {
            for (int i = 0; i < 2; i++) {
                a.step(() -> closure(a, sparse));
                b.step(() -> closure(b, dense));
            }
        }
        assertArrayEquals(dense.weight().toFloatArray(), sparse.weight().toFloatArray(), 1e-6f);
    }

    private static Tensor closure(Optimizer opt, Embedding table) {
        opt.zeroGrad();
        Tensor loss = table.forward(Tensor.fromArray(new long[] {1, 3, 1}, 3)).sub(0.5f).square().sum();
        loss.backward();
        return loss;
    }

    /**
     * A group's weight decay is refused as {@link SparseAdam#weightDecay} refuses it (PyTorch's SparseAdam has none and
     * ignores a group's 'weight_decay' key): given when made, or set on the group later, before anything moves.
     */
    @Test
    void sparseAdamRefusesAGroupsWeightDecay() {
        Embedding table = new Embedding(6, 2).sparse(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparseAdam(List.of(new ParamGroup(table.parameters(), 0.1, 0.01))));
        assertTrue(e.getMessage().startsWith("SparseAdam: has no weight decay") && e.getMessage().contains("group 0")
                && e.getMessage().contains("0.01"), e.getMessage());
        try (SparseAdam opt = new SparseAdam(table.parameters(), 0.1)) {
            opt.groups().get(0).setWeightDecay(0.5);
            lookUp(table);
            float[] before = table.weight().toFloatArray();
            e = assertThrows(IllegalArgumentException.class, opt::step);
            assertTrue(e.getMessage().contains("group 0") && e.getMessage().contains("0.5"), e.getMessage());
            assertArrayEquals(before, table.weight().toFloatArray(), "nothing moved");
        }
    }

    /**
     * The settings PyTorch 1.13's SparseAdam refuses when made (models/src/test/pytorch/sparse_adam_arguments.py):
     * a learning rate that is not above 0, an eps that is not above 0 and betas outside [0, 1); each refusal names
     * the setting and the value, and the smallest positive values and betas of 0 are accepted, as there.
     */
    @Test
    void sparseAdamRefusesTheSettingsThatPyTorchRefuses() {
        List<Tensor> ps = new Embedding(6, 2).sparse(true).parameters();
        Object[][] cases = { // lr, eps, beta1, beta2, what PyTorch's message names or null where it accepts
            {0.0, 1e-8, 0.9, 0.999, "learning rate"}, {-0.1, 1e-8, 0.9, 0.999, "learning rate"},
            {Double.NaN, 1e-8, 0.9, 0.999, "learning rate"}, {1e-12, 1e-8, 0.9, 0.999, null},
            {0.1, 0.0, 0.9, 0.999, "eps"}, {0.1, -1e-8, 0.9, 0.999, "eps"}, {0.1, Double.NaN, 0.9, 0.999, "eps"},
            {0.1, 1e-300, 0.9, 0.999, null}, {0.1, 1e-8, 1.0, 0.999, "betas"}, {0.1, 1e-8, -0.1, 0.999, "betas"},
            {0.1, 1e-8, 0.9, 1.0, "betas"}, {0.1, 1e-8, 0.0, 0.0, null}};
        for (Object[] c : cases) {
            double lr = (double) c[0];
            double eps = (double) c[1];
            String label = "lr " + lr + ", eps " + eps + ", betas (" + c[2] + ", " + c[3] + ")";
            Runnable make = () -> new SparseAdam(ps, lr).eps(eps).betas((double) c[2], (double) c[3]).close();
            if (c[4] == null) {
                make.run();
                continue;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run, label);
            String value = String.valueOf(c[4].equals("learning rate") ? lr : c[4].equals("eps") ? eps : c[2]);
            assertTrue(e.getMessage().startsWith("SparseAdam: ") && e.getMessage().contains((String) c[4])
                    && e.getMessage().contains(value), label + ": " + e.getMessage());
        }
    }
}
