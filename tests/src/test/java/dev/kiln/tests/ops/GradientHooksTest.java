package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tensor.registerHook and Tensor.retainGrad, as PyTorch's register_hook and retain_grad behave. */
class GradientHooksTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor leaf(double... values) {
        return Tensor.fromArray(values, values.length).requiresGrad(true);
    }

    @Test
    void aHookSeesTheWholeGradientOfAnIntermediateSummedOverItsConsumers() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x);
        List<double[]> seen = new ArrayList<>();
        y.registerHook(g -> {
            seen.add(g.toDoubleArray());
            return null;
        });
        y.mul(3.0).sum().add(y.mul(y).sum()).backward();
        assertEquals(1, seen.size(), "one call per backward pass, after both consumers sent theirs");
        assertArrayEquals(new double[] {3 + 2 * 1, 3 + 2 * 4, 3 + 2 * 9}, seen.get(0), 1e-12, "d/dy (3y + y^2) = 3 + 2y");
    }

    @Test
    void aReplacedGradientIsWhatReachesTheTensorsUpstream() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(2.0);
        y.registerHook(g -> g.mul(10.0));
        y.sum().backward();
        assertArrayEquals(new double[] {20, 20, 20}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void aLeafsHookRunsBeforeItsGradientAccumulates() {
        Tensor x = leaf(1, 2, 3);
        x.registerHook(g -> g.mul(0.5));
        x.mul(3.0).sum().backward();
        x.mul(3.0).sum().backward();
        assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray(), 0, "1.5 from each of two passes");
    }

    @Test
    void hooksRunInTheOrderRegisteredEachSeeingThePreviousResult() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(1.0);
        y.registerHook(g -> g.add(1.0));
        y.registerHook(g -> g.mul(2.0));
        y.sum().backward();
        assertArrayEquals(new double[] {4, 4}, x.grad().toDoubleArray(), 0, "(1 + 1) * 2, not 1 * 2 + 1");
    }

    @Test
    void aRemovedHookNoLongerRuns() {
        Tensor x = leaf(1, 2);
        HookHandle handle = x.registerHook(g -> g.mul(100.0));
        handle.remove();
        handle.remove();
        x.sum().backward();
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void aHookThatReturnsAnotherShapeIsRefusedNamingBothShapes() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(2.0);
        y.registerHook(g -> g.sum());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[]"), e.getMessage());
    }

    @Test
    void aHookOnATensorWithoutGradientIsRefused() {
        Tensor c = Tensor.fromArray(new double[] {1, 2}, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.registerHook(g -> g));
        assertTrue(e.getMessage().contains("registerHook") && e.getMessage().contains("does not require a gradient"),
                e.getMessage());
    }

    @Test
    void anIntermediateKeepsNoGradientUnlessRetained() {
        Tensor x = leaf(1, 2, 3);
        Tensor kept = x.mul(x).retainGrad();
        Tensor notKept = x.mul(x);
        kept.mul(kept).sum().add(notKept.sum()).backward();
        assertArrayEquals(new double[] {2, 8, 18}, kept.grad().toDoubleArray(), 1e-12, "d/dk k^2 = 2k, k = x^2");
        assertNull(notKept.grad(), "PyTorch keeps no gradient for a non-leaf without retain_grad");
    }

    @Test
    void aRetainedGradientAccumulatesAcrossBackwardPassesAndSeesTheHooksResult() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(3.0).retainGrad();
        y.registerHook(g -> g.mul(2.0));
        Tensor loss = y.sum();
        loss.backward();
        loss.backward();
        assertArrayEquals(new double[] {4, 4}, y.grad().toDoubleArray(), 0, "2 from each pass");
        assertArrayEquals(new double[] {12, 12}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void anAccumulateGradHookRunsInBackwardButNotInAutogradGrad() {
        Tensor x = leaf(1, 2);
        List<double[]> seen = new ArrayList<>();
        x.registerAccumulateGradHook(g -> {
            seen.add(g.toDoubleArray());
            return g.mul(10.0);
        });
        List<Tensor> grads = Autograd.grad(x.mul(x).sum(), List.of(x));
        assertArrayEquals(new double[] {2, 4}, grads.get(0).toDoubleArray(), 0, "Autograd.grad's own gradient");
        assertTrue(seen.isEmpty(), "not called by Autograd.grad");
        assertNull(x.grad());
        x.mul(x).sum().backward();
        assertEquals(1, seen.size(), "called once by backward");
        assertArrayEquals(new double[] {20, 40}, x.grad().toDoubleArray(), 0, "its replacement accumulated");
    }

    @Test
    void anAccumulateGradHookNeedsATensorThatRequiresAGradient() {
        Tensor plain = Tensor.fromArray(new double[] {1}, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> plain.registerAccumulateGradHook(g -> null));
        assertEquals("registerAccumulateGradHook: tensor [1] does not require a gradient, so its hook would never run",
                e.getMessage());
    }
}
