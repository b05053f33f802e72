package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.AutogradFunctional;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AutogradFunctional's Jacobians, Hessians and Hessian-vector products, as torch.autograd.functional gives them. */
class AutogradFunctionalTest {
    private Scope scope;

    @BeforeEach
    void seedAndOpenScope() {
        Engine.seed(11L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor values(double... v) {
        return Tensor.fromArray(v, v.length);
    }

    @Test
    void theJacobianOfAnElementWiseSquareIsDiagonal() {
        Tensor j = AutogradFunctional.jacobian(Tensor::square, values(1, 2, 3));
        assertEquals(Shape.of(3, 3), j.shape());
        assertArrayEquals(new double[] {2, 0, 0, 0, 4, 0, 0, 0, 6}, j.toDoubleArray(), 0);
        assertFalse(j.requiresGrad(), "no graph, as with PyTorch's create_graph=False");
    }

    @Test
    void theJacobianHasTheOutputsShapeThenTheInputs() {
        Tensor w = Tensor.randn(DType.F64, 3, 4);
        Tensor j = AutogradFunctional.jacobian(x -> x.matmul(w), Tensor.randn(DType.F64, 2, 3));
        assertEquals(Shape.of(2, 4, 2, 3), j.shape());
        double[] jv = j.toDoubleArray();
        double[] wv = w.toDoubleArray();
        for (int i = 0; i < 2; i++) {
            for (int a = 0; a < 4; a++) {
                for (int k = 0; k < 2; k++) {
                    for (int b = 0; b < 3; b++) {
                        double expected = i == k ? wv[b * 4 + a] : 0;
                        assertEquals(expected, jv[((i * 4 + a) * 2 + k) * 3 + b], 1e-15, "d y[i, a] / d x[k, b]");
                    }
                }
            }
        }
    }

    @Test
    void aFunctionThatIgnoresItsInputHasAZeroJacobian() {
        Tensor c = values(5, 6);
        Tensor j = AutogradFunctional.jacobian(x -> c.mul(2.0), values(1, 2, 3));
        assertEquals(Shape.of(2, 3), j.shape());
        assertArrayEquals(new double[6], j.toDoubleArray(), 0);
    }

    @Test
    void theHessianOfASumOfCubesIsSixXOnTheDiagonal() {
        Tensor h = AutogradFunctional.hessian(x -> x.pow(3).sum(), values(1, -2, 0.5));
        assertArrayEquals(new double[] {6, 0, 0, 0, -12, 0, 0, 0, 3}, h.toDoubleArray(), 1e-12);
    }

    @Test
    void theHessianOfAProductOfTwoElementsIsOffDiagonal() {
        Tensor h = AutogradFunctional.hessian(x -> x.narrow(0, 0, 1).mul(x.narrow(0, 1, 1)).sum(), values(3, 4));
        assertEquals(Shape.of(2, 2), h.shape());
        assertArrayEquals(new double[] {0, 1, 1, 0}, h.toDoubleArray(), 0);
    }

    @Test
    void theHessianOfALinearFunctionIsZero() {
        Tensor h = AutogradFunctional.hessian(x -> x.mul(3.0).sum(), values(1, 2));
        assertArrayEquals(new double[4], h.toDoubleArray(), 0);
    }

    @Test
    void theInputsAreLeftAlone() {
        Tensor x = values(1, 2);
        AutogradFunctional.hessian(t -> t.pow(3).sum(), x);
        assertFalse(x.requiresGrad());
        Tensor p = values(1, 2).requiresGrad(true);
        AutogradFunctional.hessian(t -> t.pow(3).sum(), p);
        assertNull(p.grad());
    }

    @Test
    void aHessianVectorProductMatchesFiniteDifferencesOfTheGradient() {
        Tensor a = Tensor.randn(DType.F64, 3, 4);
        Tensor b = Tensor.randn(DType.F64, 4, 2);
        Tensor va = Tensor.randn(DType.F64, 3, 4);
        Tensor vb = Tensor.randn(DType.F64, 4, 2);
        java.util.function.Function<List<Tensor>, Tensor> f = in -> in.get(0).matmul(in.get(1)).tanh().square().sum();
        List<Tensor> hv = AutogradFunctional.hvp(f, List.of(a, b), List.of(va, vb));
        double eps = 1e-6;
        List<Tensor> plus = gradientAt(f, a.add(va.mul(eps)), b.add(vb.mul(eps)));
        List<Tensor> minus = gradientAt(f, a.sub(va.mul(eps)), b.sub(vb.mul(eps)));
        for (int k = 0; k < 2; k++) {
            double[] expected = plus.get(k).sub(minus.get(k)).div(2 * eps).toDoubleArray();
            assertArrayEquals(expected, hv.get(k).toDoubleArray(), 1e-7, "input " + k);
        }
    }

    private static List<Tensor> gradientAt(java.util.function.Function<List<Tensor>, Tensor> f, Tensor a, Tensor b) {
        a.requiresGrad(true);
        b.requiresGrad(true);
        return Autograd.grad(f.apply(List.of(a, b)), List.of(a, b));
    }

    @Test
    void anInputTheFunctionIgnoresHasAZeroHessianVectorProduct() {
        List<Tensor> hv = AutogradFunctional.hvp(in -> in.get(0).pow(3).sum(), List.of(values(1, 2), values(7)),
                List.of(values(1, 1), values(1)));
        assertArrayEquals(new double[] {6, 12}, hv.get(0).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0}, hv.get(1).toDoubleArray(), 0);
    }

    @Test
    void aHessianOfAFunctionOfSeveralElementsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.hessian(Tensor::square, values(1, 2)));
        assertTrue(e.getMessage().contains("hessian: the function must return a one-element tensor, got [2]"),
                e.getMessage());
    }

    @Test
    void aVectorOfAnotherShapeThanItsInputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.hvp(in -> in.get(0).sum(), List.of(values(1, 2)), List.of(values(1))));
        assertTrue(e.getMessage().contains("hvp: vector 0 has shape [1], input 0 has shape [2]"), e.getMessage());
    }
}
