package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Function;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Autograd.grad as PyTorch's torch.autograd.grad behaves: what it returns, what it leaves alone, what it refuses. */
class AutogradGradTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private Scope scope;

    @BeforeEach
    void seedAndOpenScope() {
        Engine.seed(7L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor leaf(int... dims) {
        return Tensor.randn(DType.F64, dims).requiresGrad(true);
    }

    private static Tensor vector(double... values) {
        return Tensor.fromArray(values, values.length).requiresGrad(true);
    }

    /** sum(tanh(x @ w) * y): a loss with two leaves, one constant and an intermediate h = x @ w. */
    private static Tensor loss(Tensor x, Tensor w, Tensor y) {
        return x.matmul(w).tanh().mul(y).sum();
    }

    @Test
    void theGradientsOfLeavesAreThoseBackwardAccumulates() {
        Tensor x = leaf(3, 4);
        Tensor w = leaf(4, 2);
        Tensor y = Tensor.randn(DType.F64, 3, 2);
        List<Tensor> g = Autograd.grad(loss(x, w, y), List.of(w, x));
        loss(x, w, y).backward();
        assertArrayEquals(w.grad().toDoubleArray(), g.get(0).toDoubleArray(), 0);
        assertArrayEquals(x.grad().toDoubleArray(), g.get(1).toDoubleArray(), 0);
    }

    @Test
    void theGradientOfAnIntermediateIsTheOneArrivingThere() {
        Tensor x = leaf(3, 4);
        Tensor w = leaf(4, 2);
        Tensor y = Tensor.randn(DType.F64, 3, 2);
        Tensor h = x.matmul(w);
        Tensor out = h.tanh().mul(y).sum();
        Tensor g = Autograd.grad(out, List.of(h)).get(0);
        h.retainGrad();
        out.backward();
        assertArrayEquals(h.grad().toDoubleArray(), g.toDoubleArray(), 0);
    }

    @Test
    void anIntermediateAndALeafBeyondItAreBothGiven() {
        Tensor x = vector(1, 2, 3);
        Tensor h = x.mul(x);
        List<Tensor> g = Autograd.grad(h.mul(3.0).sum(), List.of(h, x));
        assertArrayEquals(new double[] {3, 3, 3}, g.get(0).toDoubleArray(), 0);
        assertArrayEquals(new double[] {6, 12, 18}, g.get(1).toDoubleArray(), 0, "3 * 2x");
    }

    @Test
    void noTensorsGradIsTouched() {
        Tensor x = vector(1, 2, 3);
        Tensor h = x.mul(2.0).retainGrad();
        Autograd.grad(h.square().sum(), List.of(x, h));
        assertNull(x.grad(), "a leaf's grad() stays null");
        assertNull(h.grad(), "a retained intermediate's too");
        h.square().sum().backward();
        double[] before = x.grad().toDoubleArray();
        Autograd.grad(h.square().sum(), List.of(x));
        assertArrayEquals(before, x.grad().toDoubleArray(), 0, "an existing grad() is not accumulated into");
    }

    @Test
    void theLeavesOfACheckpointedSegmentKeepTheirGradToo() {
        Tensor x = leaf(2, 3);
        Tensor w = leaf(3, 3);
        Tensor out = Checkpoint.apply(h -> h.matmul(w).tanh(), x).sum();
        Tensor g = Autograd.grad(out, List.of(w)).get(0);
        assertNull(w.grad(), "the segment's parameter is not given its gradient on the way");
        out.backward();
        assertArrayEquals(w.grad().toDoubleArray(), g.toDoubleArray(), 1e-15);
    }

    @Test
    void anUnusedInputIsRefusedUnlessAllowedWhenItIsNull() {
        Tensor x = vector(1, 2);
        Tensor z = vector(3);
        Tensor out = x.square().sum();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.grad(out, List.of(x, z)));
        assertTrue(e.getMessage().contains("input 1 [1] is not used") && e.getMessage().contains("withAllowUnused"),
                e.getMessage());
        List<Tensor> g = Autograd.grad(out, List.of(x, z), GradOptions.DEFAULT.withAllowUnused());
        assertArrayEquals(new double[] {2, 4}, g.get(0).toDoubleArray(), 0);
        assertNull(g.get(1));
    }

    @Test
    void aNonScalarOutputNeedsItsGradOutput() {
        Tensor x = vector(1, 2, 3);
        Tensor y = x.square();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.grad(y, List.of(x)));
        assertTrue(e.getMessage().contains("implicit gradient (ones) needs a one-element output"), e.getMessage());
        Tensor v = Tensor.fromArray(new double[] {1, 10, 100}, 3);
        Tensor g = Autograd.grad(List.of(y), List.of(x), List.of(v), GradOptions.DEFAULT).get(0);
        assertArrayEquals(new double[] {2, 40, 600}, g.toDoubleArray(), 0, "J^T v = 2 x v");
    }

    @Test
    void aGradOutputOfAnotherShapeIsRefused() {
        Tensor x = vector(1, 2, 3);
        Tensor v = Tensor.fromArray(new double[] {1, 1}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(x.square()), List.of(x), List.of(v), GradOptions.DEFAULT));
        assertTrue(e.getMessage().contains("gradOutput 0 has shape [2], output 0 has shape [3]"), e.getMessage());
    }

    @Test
    void anInputThatRequiresNoGradientIsRefused() {
        Tensor x = vector(1, 2);
        Tensor c = Tensor.fromArray(new double[] {3, 4}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(x.mul(c).sum(), List.of(c)));
        assertTrue(e.getMessage().contains("input 0 [2] does not require a gradient"), e.getMessage());
    }

    @Test
    void anOutputWithoutAGraphIsRefused() {
        Tensor x = vector(1, 2);
        Tensor out;
        try (Autograd.Guard g = Autograd.noGrad()) {
            out = x.square().sum();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.grad(out, List.of(x)));
        assertTrue(e.getMessage().contains("output 0 [] does not require a gradient"), e.getMessage());
    }

    @Test
    void theGradientsOfSeveralOutputsAreSummed() {
        Tensor x = vector(1, 2);
        Tensor g = Autograd.grad(List.of(x.square().sum(), x.mul(3.0).sum()), List.of(x), null, GradOptions.DEFAULT)
                .get(0);
        assertArrayEquals(new double[] {2 + 3, 4 + 3}, g.toDoubleArray(), 0);
    }

    @Test
    void onlyTheNodesOnTheWayToAnInputRun() {
        Tensor x = vector(1, 2);
        Tensor w = vector(3, 4);
        int[] calls = {0};
        Tensor counted = new Function() {
            @Override
            protected Tensor forward(Tensor... in) {
                return in[0].mul(1.0);
            }

            @Override
            protected Tensor[] backward(Tensor g) {
                calls[0]++;
                return new Tensor[] {g};
            }
        }.apply(w);
        boolean[] hookRan = {false};
        counted.registerHook(g -> {
            hookRan[0] = true;
            return null;
        });
        Autograd.grad(counted.mul(x).sum().add(x.square().sum()), List.of(x));
        assertEquals(0, calls[0], "w's branch leads to no input");
        assertFalse(hookRan[0], "nor does its hook run");
    }

    @Test
    void hooksSeeAndReplaceTheGradientsOnTheWay() {
        Tensor x = vector(1, 2);
        Tensor h = x.mul(2.0);
        h.registerHook(g -> g.mul(10.0));
        Tensor g = Autograd.grad(h.sum(), List.of(x)).get(0);
        assertArrayEquals(new double[] {20, 20}, g.toDoubleArray(), 0);
    }

    @Test
    void aGradientRecordedWithCreateGraphIsDifferentiatedAgain() {
        Tensor x = vector(1, 2, 3);
        Tensor g = Autograd.grad(x.pow(3).sum(), List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0);
        assertTrue(g.requiresGrad(), "3x^2 depends on x");
        assertArrayEquals(new double[] {3, 12, 27}, g.toDoubleArray(), 1e-12);
        Tensor second = Autograd.grad(g.sum(), List.of(x)).get(0);
        assertArrayEquals(new double[] {6, 12, 18}, second.toDoubleArray(), 1e-12, "6x");
        Tensor third = Autograd.grad(Autograd.grad(g.sum(), List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0)
                .sum(), List.of(x)).get(0);
        assertArrayEquals(new double[] {6, 6, 6}, third.toDoubleArray(), 1e-12);
    }

    @Test
    void withoutCreateGraphTheGradientHasNoGraph() {
        Tensor x = vector(1, 2, 3);
        assertFalse(Autograd.grad(x.pow(3).sum(), List.of(x)).get(0).requiresGrad());
    }

    @Test
    void aUsersFunctionIsDifferentiatedAgainThroughTheOpsOfItsBackward() {
        Tensor x = vector(0.5, -1, 2);
        // y = x^3 with a hand-written backward, 3 x^2 g in Tensor ops, whose derivative is 6 x.
        Tensor y = new Function() {
            @Override
            protected Tensor forward(Tensor... in) {
                save(in[0]);
                return in[0].pow(3);
            }

            @Override
            protected Tensor[] backward(Tensor g) {
                return new Tensor[] {g.mul(saved()[0].square().mul(3.0))};
            }
        }.apply(x);
        Tensor g = Autograd.grad(y.sum(), List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0);
        Tensor second = Autograd.grad(g.sum(), List.of(x)).get(0);
        assertArrayEquals(new double[] {3, -6, 12}, second.toDoubleArray(), 1e-12, "6x");
    }

    @Test
    void withoutCreateGraphOnlyTheGradientsAskedForStayInMemory() {
        Tensor x = Tensor.randn(DType.F64, 16, 32);
        Tensor w1 = leaf(32, 64);
        Tensor w2 = leaf(64, 8);
        Tensor loss = x.matmul(w1).tanh().matmul(w2).square().sum();
        long before = Engine.get().backend().bytesInUse();
        Autograd.grad(loss, List.of(w1));
        assertEquals(BytesInUse.ofOneLike(w1), Engine.get().backend().bytesInUse() - before,
                "bytes left beside w1's gradient (w2's, which the rule made too, and every other temporary freed)");
    }

    @Test
    void whatACreateGraphPassKeepsForItsGraphIsFreedWithItsScope() {
        Tensor x = leaf(16, 32);
        Tensor w = leaf(32, 8);
        long before = Engine.get().backend().bytesInUse();
        try (Scope s = Scope.open()) {
            Tensor g = Autograd.grad(x.matmul(w).tanh().sum(), List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0);
            Autograd.grad(g.square().sum(), List.of(w));
        }
        assertEquals(before, Engine.get().backend().bytesInUse());
    }

    @Test
    void aGradientPenaltysGradientMatchesFiniteDifferences() {
        // WGAN-GP's shape: the critic's weights trained through ((|d critic(x) / dx| - 1)^2).mean().
        Tensor x = leaf(4, 3);
        GradCheck.check("gradient penalty", in -> {
            try (Autograd.Guard on = Autograd.enableGrad()) {
                Tensor critic = x.matmul(in[0]).tanh().matmul(in[1]).sum();
                Tensor gx = Autograd.grad(critic, List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0);
                return gx.norm(2, new int[] {1}, false).sub(1).square().mean();
            }
        }, leaf(3, 5), leaf(5, 1));
    }
}
