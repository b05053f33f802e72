package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Function;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How the autograd machinery behaves: accumulation, detaching, no-grad, custom functions, misuse. */
class AutogradBehaviourTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

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
    void aPowerOfZeroHasAZeroGradientAlsoAtZero() {
        Tensor x = leaf(0, 2, -1);
        x.pow(0).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, x.grad().toDoubleArray(), 0, "PyTorch's gradient of x^0: 0, not 0 * inf");
    }

    @Test
    void gradientsAccumulateAcrossTwoBackwardCalls() {
        Tensor x = leaf(1, -2, 3);
        assertNull(x.grad(), "no gradient before the first backward");
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray());
        x.mul(x).sum().backward();
        // 3 + d(x^2)/dx = 3 + 2x
        assertArrayEquals(new double[] {5, -1, 9}, x.grad().toDoubleArray());
    }

    @Test
    void zeroGradResetsTheAccumulatedGradient() {
        Tensor x = leaf(1, 2);
        x.mul(5).sum().backward();
        assertArrayEquals(new double[] {5, 5}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNotNull(x.grad(), "zeroGrad keeps the gradient tensor");
        assertEquals(Shape.of(2), x.grad().shape());
        assertArrayEquals(new double[] {0, 0}, x.grad().toDoubleArray());
        x.mul(2).sum().backward();
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray(), "after zeroGrad, only the new gradient");
    }

    @Test
    void detachedTensorSharesValuesButCarriesNoGradient() {
        Tensor x = leaf(1, -2, 3);
        Tensor d = x.mul(1).detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertNull(d.gradFnName());
        assertArrayEquals(new double[] {1, -2, 3}, d.toDoubleArray());
        // x * detach(x): only the non-detached factor carries the gradient, so d/dx = x, not 2x.
        x.mul(x.detach()).sum().backward();
        assertArrayEquals(new double[] {1, -2, 3}, x.grad().toDoubleArray());
    }

    @Test
    void resultsUnderNoGradRecordNoGraph() {
        Tensor x = leaf(1, 2, 3);
        Tensor y;
        try (Autograd.Guard g = Autograd.noGrad()) {
            assertFalse(Autograd.isEnabled());
            y = x.mul(2).add(1).sum();
        }
        assertTrue(Autograd.isEnabled(), "the guard restores recording");
        assertFalse(y.requiresGrad());
        assertTrue(y.isLeaf());
        assertNull(y.gradFnName());
        assertEquals(15, y.item(), "sum of 2x + 1 = 3 + 5 + 7");
        assertThrows(IllegalStateException.class, y::backward);
        assertNull(x.grad());
        Tensor z = x.mul(2).sum();
        assertTrue(z.requiresGrad(), "recording resumes after the guard");
        assertNotNull(z.gradFnName());
    }

    @Test
    void nestedNoGradGuardsRestoreThePreviousState() {
        try (Autograd.Guard outer = Autograd.noGrad()) {
            try (Autograd.Guard inner = Autograd.noGrad()) {
                assertFalse(Autograd.isEnabled());
            }
            assertFalse(Autograd.isEnabled(), "the inner guard restores the outer's off state");
        }
        assertTrue(Autograd.isEnabled());
    }

    @Test
    void backwardWithExplicitGradientOnNonScalar() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x);
        y.backward(Tensor.fromArray(new double[] {1, 10, 100}, 3));
        // dy/dx = 2x, weighted by the gradient: [2*1*1, 2*2*10, 2*3*100]
        assertArrayEquals(new double[] {2, 40, 600}, x.grad().toDoubleArray());
    }

    @Test
    void implicitBackwardOnNonScalarThrowsIllegalArgument() {
        Tensor y = leaf(1, 2, 3).mul(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void backwardWithoutGraphSaysTheTensorDoesNotRequireAGradient() {
        Tensor plain = Tensor.fromArray(new double[] {1, 2}, 2).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, plain::backward);
        assertTrue(e.getMessage().contains("does not require a gradient"), e.getMessage());
    }

    @Test
    void backwardClosesEachIntermediateGradientOnceItIsHandedOn() {
        Backend backend = Engine.get().backend();
        Tensor x = Tensor.randn(DType.F64, 1000).requiresGrad(true);
        Tensor h = x;
        for (int i = 0; i < 20; i++) {
            h = h.tanh();
        }
        Tensor loss = h.sum();
        long afterForward = backend.bytesInUse();
        loss.backward();
        long added = backend.bytesInUse() - afterForward;
        // x's gradient (8,000 bytes) stays; the twenty [1000] gradients of the chain do not.
        assertTrue(added <= 2 * 8_000, "bytes added by backward: " + added);
        assertEquals(1000, x.grad().size());
        assertFalse(h.isClosed(), "forward values stay: the caller may read them after backward");
    }

    @Test
    void aLeafGradientOutlivesTheScopeItsBackwardPassRanIn() {
        Tensor x = leaf(1, -2, 3);
        try (Scope step = Scope.open()) {
            x.mul(3).sum().backward();
        }
        assertFalse(x.grad().isClosed(), "the gradient the pass made and handed to x stays with x");
        assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray());
    }

    @Test
    void leavesThatReceiveOneGradientTensorGetIndependentGradients() {
        Tensor a = leaf(1, 2);
        Tensor b = leaf(3, 4);
        a.add(b).sum().backward();
        a.grad().addInPlace(Tensor.fromArray(new double[] {10, 20}, 2), 1);
        assertArrayEquals(new double[] {11, 21}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 1}, b.grad().toDoubleArray(), "b's gradient is not a's");
    }

    @Test
    void tensorUsedTwiceGetsTheSumOfBothPaths() {
        Tensor x = leaf(1.5, -2, 3);
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {3, -4, 6}, x.grad().toDoubleArray(), "d(x*x)/dx = 2x");
        Tensor w = leaf(4, 5);
        w.add(w).add(w).sum().backward();
        assertArrayEquals(new double[] {3, 3}, w.grad().toDoubleArray(), "d(w+w+w)/dw = 3");
    }

    /**
     * Sums of gradients are formed in place where the pass owns the gradient alone: not in one that the op being
     * handed on still passes to another input. Here batch norm's rule returns the gradient it received, which x's
     * pending also holds, to the residual r after it added x's own part: summed into in place, r would get that too.
     */
    @Test
    void aGradientAnOpStillHandsOnIsNotSummedIntoInPlace() {
        Tensor x = Tensor.randn(4, 3).requiresGrad(true);
        Tensor r = Tensor.randn(4, 3).requiresGrad(true);
        Tensor upstream = Tensor.randn(4, 3);
        Tensor y = F.batchNormResidual(x, r, null, null, null, null, true, 0.1, 1e-5, null, 0);
        y.add(x).mul(2).backward(upstream);
        double[] fusedX = x.grad().toDoubleArray();
        x.clearGrad();
        F.batchNorm(x, null, null, null, null, true, 0.1, 1e-5).add(x).mul(2).backward(upstream);

        assertArrayEquals(upstream.mul(2).toDoubleArray(), r.grad().toDoubleArray(), 0, "d/dr of 2 (bn(x) + r + x)");
        assertArrayEquals(x.grad().toDoubleArray(), fusedX, 0, "d/dx of 2 (bn(x) + r + x)");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void broadcastInputGetsAGradientOfItsOwnShape(DType dt) {
        Tensor a = Tensor.ones(dt, 3, 1).requiresGrad(true);
        Tensor b = Tensor.ones(dt, 1, 4).requiresGrad(true);
        a.add(b).sum().backward();
        assertEquals(Shape.of(3, 1), a.grad().shape());
        assertEquals(Shape.of(1, 4), b.grad().shape());
        assertArrayEquals(new double[] {4, 4, 4}, a.grad().toDoubleArray(), "each a[i] is used 4 times");
        assertArrayEquals(new double[] {3, 3, 3, 3}, b.grad().toDoubleArray(), "each b[j] is used 3 times");

        // [2,3,4] * [4]: d/dv[k] = sum over i, j of m[i][j][k]
        double[] mv = new double[24];
        for (int i = 0; i < 24; i++) {
            mv[i] = i;
        }
        Tensor m = Tensor.fromArray(mv, 2, 3, 4).to(dt);
        Tensor v = Tensor.ones(dt, 4).requiresGrad(true);
        m.mul(v).sum().backward();
        assertEquals(Shape.of(4), v.grad().shape());
        double[] expected = new double[4];
        for (int i = 0; i < 24; i++) {
            expected[i % 4] += mv[i];
        }
        assertArrayEquals(expected, v.grad().toDoubleArray(), 1e-4);
    }

    /** Forward: sign(x). Backward: ignores the incoming gradient and returns the constant 7. */
    private static final class SignWithConstantGradient extends Function {
        Tensor seenGradient;

        @Override
        protected Tensor forward(Tensor... inputs) {
            save(inputs[0]);
            return inputs[0].sign();
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            seenGradient = gradOutput;
            Tensor x = saved()[0];
            return new Tensor[] {Tensor.full(7, x.dtype(), x.shape().dims())};
        }
    }

    /** Straight-through: forward returns the input itself, backward passes the gradient on doubled. */
    private static final class DoublingIdentity extends Function {
        @Override
        protected Tensor forward(Tensor... inputs) {
            return inputs[0];
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            return new Tensor[] {gradOutput.mul(2)};
        }
    }

    @Test
    void customFunctionBackwardIsUsed() {
        Tensor x = leaf(-1.5, 0.25, 3);
        SignWithConstantGradient f = new SignWithConstantGradient();
        Tensor y = f.apply(x);
        assertArrayEquals(new double[] {-1, 1, 1}, y.toDoubleArray(), "forward is sign(x)");
        assertTrue(y.requiresGrad());
        assertEquals("SignWithConstantGradient", y.gradFnName());
        y.sum().backward();
        assertArrayEquals(new double[] {1, 1, 1}, f.seenGradient.toDoubleArray(), "backward receives d sum / d y = 1");
        assertArrayEquals(new double[] {7, 7, 7}, x.grad().toDoubleArray(), "the custom backward's constant reaches x");
    }

    @Test
    void customFunctionReturningItsInputStillRecordsItsBackward() {
        Tensor x = leaf(1, 2);
        Tensor y = new DoublingIdentity().apply(x);
        assertArrayEquals(new double[] {1, 2}, y.toDoubleArray());
        y.mul(3).sum().backward();
        assertArrayEquals(new double[] {6, 6}, x.grad().toDoubleArray());
    }

    /** Returns its second input as it is; backward gives both inputs the gradient. */
    private static final class SecondInput extends Function {
        @Override
        protected Tensor forward(Tensor... inputs) {
            return inputs[1];
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            return new Tensor[] {gradOutput, gradOutput};
        }
    }

    @Test
    void customFunctionReturningAnotherInputLeavesThatInputALeaf() {
        Tensor x = leaf(1, 2);
        Tensor p = leaf(3, 4);
        Tensor y = new SecondInput().apply(x, p);
        assertTrue(p.isLeaf(), "the parameter keeps being a leaf");
        assertNull(p.gradFnName());
        y.mul(2).sum().backward();
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 2}, p.grad().toDoubleArray(), "the parameter gets its gradient");
    }

    /** Identity whose backward answers in F32 for an F64 input. */
    private static final class GradientOfAnotherDtype extends Function {
        @Override
        protected Tensor forward(Tensor... inputs) {
            return inputs[0].mul(1);
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            return new Tensor[] {gradOutput.to(DType.F32)};
        }
    }

    @Test
    void customFunctionGradientOfAnotherDtypeIsRefused() {
        Tensor x = leaf(1, 2);
        Tensor y = new GradientOfAnotherDtype().apply(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("F32") && e.getMessage().contains("F64"), e.getMessage());
    }

    @Test
    void functionInstanceRecordsOnlyOneCall() {
        DoublingIdentity f = new DoublingIdentity();
        f.apply(leaf(1));
        assertThrows(IllegalStateException.class, () -> f.apply(leaf(2)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void requiresGradOnIntegerTensorThrows(DType dt) {
        Tensor t = Tensor.zeros(dt, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.requiresGrad(true));
        assertTrue(e.getMessage().contains(dt.name()), e.getMessage());
        assertFalse(t.requiresGrad());
    }

    @Test
    void requiresGradOnNonLeafThrows() {
        Tensor y = leaf(1, 2).mul(2);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(true));
    }
}
