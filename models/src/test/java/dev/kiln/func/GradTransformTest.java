package dev.kiln.func;

import static dev.kiln.func.Func.dims;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Func#grad}, {@link Func#gradAndValue}, {@link Func#jacrev}, {@link Func#jacfwd} and {@link Func#hessian},
 * PyTorch's {@code torch.func} transforms, against analytic derivatives, F64.
 */
class GradTransformTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** f(x) = sum(x sin x): f' = sin x + x cos x, f'' = 2 cos x - x sin x. */
    private static final Fn X_SIN_X = a -> ((Tensor) a[0]).mul(((Tensor) a[0]).sin()).sum();

    @Test
    void gradOfAScalarFunctionIsItsAnalyticDerivative() {
        Tensor x = Tensor.fromArray(new double[] {0.7}, 1);

        Tensor g = (Tensor) Func.grad(X_SIN_X).apply(x);

        assertEquals(Math.sin(0.7) + 0.7 * Math.cos(0.7), g.item(), 1e-15);
    }

    @Test
    void gradOfGradIsTheAnalyticSecondDerivative() {
        Tensor x = Tensor.fromArray(new double[] {0.7}, 1);

        Tensor g2 = (Tensor) Func.grad(Func.grad(X_SIN_X)).apply(x);

        assertEquals(2 * Math.cos(0.7) - 0.7 * Math.sin(0.7), g2.item(), 1e-15);
    }

    @Test
    void gradLeavesTheCallersTensorsAndTheirGradientsAlone() {
        Tensor x = PyTorchParity.values(1, 3).requiresGrad(true);

        Tensor g = (Tensor) Func.grad(a -> ((Tensor) a[0]).square().sum()).apply(x);

        assertArrayEquals(x.detach().mul(2).toDoubleArray(), g.toDoubleArray(), 1e-15);
        assertNull(x.grad(), "x.grad() untouched");
    }

    @Test
    void aLossOfTheGradientBackpropagatesToTheArgument() {
        Tensor x = PyTorchParity.values(1, 3).requiresGrad(true);

        // d/dx sum(grad(sum(x^3))) = d/dx sum(3 x^2) = 6 x
        ((Tensor) Func.grad(a -> ((Tensor) a[0]).pow(3).sum()).apply(x)).sum().backward();

        assertArrayEquals(x.detach().mul(6).toDoubleArray(), x.grad().toDoubleArray(), 1e-14);
    }

    @Test
    void aFunctionOfMoreThanOneElementIsRefusedAsPyTorchDoes() {
        Tensor x = PyTorchParity.values(1, 3);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Func.grad(a -> ((Tensor) a[0]).square()).apply(x));

        assertTrue(e.getMessage().contains("Expected f(*args) to return a scalar Tensor, got tensor of shape [3]"),
                e.getMessage());
    }

    @Test
    void gradOfAMapArgumentHasItsNamesAndShapes() {
        Map<String, Tensor> params = Map.of("w", PyTorchParity.values(1, 2, 3), "b", PyTorchParity.values(2, 2));
        Tensor x = PyTorchParity.values(3, 3);
        Fn loss = a -> {
            @SuppressWarnings("unchecked")
            Map<String, Tensor> p = (Map<String, Tensor>) a[0];
            return p.get("w").matmul(((Tensor) a[1]).unsqueeze(1)).squeeze(1).add(p.get("b")).sum();
        };

        @SuppressWarnings("unchecked")
        Map<String, Tensor> g = (Map<String, Tensor>) Func.grad(loss).apply(params, x);

        // sum(W x + b): d/dW = 1 x^T (each row x), d/db = 1
        assertArrayEquals(Tensor.stack(List.of(x, x), 0).toDoubleArray(), g.get("w").toDoubleArray());
        assertArrayEquals(new double[] {1, 1}, g.get("b").toDoubleArray());
    }

    @Test
    void gradAndValueWithAuxReturnsAllThree() {
        Tensor x = PyTorchParity.values(1, 3);
        Fn withAux = a -> List.of(((Tensor) a[0]).square().sum(), ((Tensor) a[0]).mul(10));

        GradAndValue r = (GradAndValue) Func.gradAndValue(withAux, 0, true).apply(x);
        GradAndAux ga = (GradAndAux) Func.grad(withAux, 0, true).apply(x);

        assertArrayEquals(x.mul(2).toDoubleArray(), ((Tensor) r.grad()).toDoubleArray(), 1e-15);
        assertEquals(x.square().sum().item(), ((Tensor) r.value()).item(), 1e-15);
        assertArrayEquals(x.mul(10).toDoubleArray(), ((Tensor) r.aux()).toDoubleArray());
        assertArrayEquals(x.mul(2).toDoubleArray(), ((Tensor) ga.grad()).toDoubleArray(), 1e-15);
        assertArrayEquals(x.mul(10).toDoubleArray(), ((Tensor) ga.aux()).toDoubleArray());
    }

    @Test
    void vmapOfGradGivesEachSliceItsOwnGradient() {
        Tensor w = PyTorchParity.values(1, 3);
        Tensor x = PyTorchParity.values(2, 4, 3);
        // loss(w, x_i) = (w . x_i)^2: d/dw = 2 (w . x_i) x_i
        Fn loss = a -> ((Tensor) a[0]).mul((Tensor) a[1]).sum().square();

        Tensor perSample = (Tensor) Func.vmap(Func.grad(loss), dims(null, 0), dims(0)).apply(w, x);

        Tensor expected = x.mul(x.mul(w).sum(1, true)).mul(2);
        assertArrayEquals(new int[] {4, 3}, perSample.shape().dims());
        assertArrayEquals(expected.toDoubleArray(), perSample.toDoubleArray(), 1e-15);
    }

    /** f(x) = tanh(A x), A [2, 3]. */
    private static Fn tanhAx(Tensor a) {
        return args -> a.matmul(((Tensor) args[0]).unsqueeze(1)).squeeze(1).tanh();
    }

    @Test
    void jacrevIsTheAnalyticJacobian() {
        Tensor a = PyTorchParity.values(1, 2, 3);
        Tensor x = PyTorchParity.values(2, 3);

        Tensor j = (Tensor) Func.jacrev(tanhAx(a), 0).apply(x);

        // d tanh(A x)_i / d x_k = (1 - tanh(A x)_i^2) A_ik
        Tensor y = (Tensor) tanhAx(a).apply(x);
        Tensor expected = a.mul(y.square().neg().add(1).unsqueeze(1));
        assertArrayEquals(new int[] {2, 3}, j.shape().dims());
        assertArrayEquals(expected.toDoubleArray(), j.toDoubleArray(), 1e-15);
    }

    @Test
    void jacfwdIsTheAnalyticJacobian() {
        Tensor a = PyTorchParity.values(1, 2, 3);
        Tensor x = PyTorchParity.values(2, 3);

        Tensor j = (Tensor) Func.jacfwd(tanhAx(a), 0).apply(x);

        // d tanh(A x)_i / d x_k = (1 - tanh(A x)_i^2) A_ik
        Tensor y = (Tensor) tanhAx(a).apply(x);
        Tensor expected = a.mul(y.square().neg().add(1).unsqueeze(1));
        assertArrayEquals(new int[] {2, 3}, j.shape().dims());
        assertArrayEquals(expected.toDoubleArray(), j.toDoubleArray(), 1e-15);
    }

    @Test
    void hessianIsTheAnalyticHessian() {
        Tensor x = PyTorchParity.values(3, 3);
        // f(x) = (x . x)^2: H = 4 (x . x) I + 8 x x^T
        Fn f = args -> ((Tensor) args[0]).square().sum().square();

        Tensor h = (Tensor) Func.hessian(f, 0).apply(x);

        double[] v = x.toDoubleArray();
        double xx = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
        double[] expected = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 3; k++) {
                expected[i * 3 + k] = (i == k ? 4 * xx : 0) + 8 * v[i] * v[k];
            }
        }
        assertArrayEquals(new int[] {3, 3}, h.shape().dims());
        assertArrayEquals(expected, h.toDoubleArray(), 1e-14);
    }
    @Test
    void vmapOfGradAndValueStacksTheGradientsAndTheValues() {
        Tensor w = PyTorchParity.values(1, 3);
        Tensor x = PyTorchParity.values(2, 4, 3);
        Fn loss = a -> ((Tensor) a[0]).mul((Tensor) a[1]).sum().square();

        GradAndValue r = (GradAndValue) Func.vmap(Func.gradAndValue(loss), dims(null, 0), dims(0)).apply(w, x);

        Tensor dots = x.mul(w).sum(1, false);
        assertArrayEquals(x.mul(dots.unsqueeze(1)).mul(2).toDoubleArray(), ((Tensor) r.grad()).toDoubleArray(), 1e-15);
        assertArrayEquals(dots.square().toDoubleArray(), ((Tensor) r.value()).reshape(-1).toDoubleArray(), 1e-15);
        assertNull(r.aux(), "no aux without hasAux");
    }

    @Test
    void repeatedArgnumsAreRefusedAsPyTorchDoes() {
        Tensor x = PyTorchParity.values(1, 3);
        Tensor y = PyTorchParity.values(2, 3);
        Fn dot = a -> ((Tensor) a[0]).mul((Tensor) a[1]).sum();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Func.grad(dot, new int[] {0, -2}, false).apply(x, y));

        assertTrue(e.getMessage().contains("argnums elements must be unique, got [0, -2]"), e.getMessage());
    }

    @Test
    void aValueThatIsNoTensorInADifferentiatedArgumentIsRefusedAsPyTorchDoes() {
        Map<String, Object> params = Map.of("w", PyTorchParity.values(1, 3), "scale", 2.0);
        Fn f = a -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) a[0];
            return ((Tensor) p.get("w")).mul((Double) p.get("scale")).sum();
        };

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Func.grad(f).apply(params));

        assertTrue(e.getMessage().contains("Thing passed to transform API must be Tensor, got java.lang.Double"),
                e.getMessage());
    }

    @Test
    void theGradientIsADifferentiableFunctionOfATensorFCapturesThatRequiresGrad() {
        Tensor w = PyTorchParity.values(1, 3).requiresGrad(true);
        Tensor x = PyTorchParity.values(2, 3);
        // f(x) = sum(tanh(w x)): g = grad f = w (1 - t^2), t = tanh(w x); d sum(g) / dw = 1 - t^2 - 2 w x t (1 - t^2)
        Fn f = a -> ((Tensor) a[0]).mul(w).tanh().sum();

        ((Tensor) Func.grad(f).apply(x)).sum().backward();

        double[] wv = w.detach().toDoubleArray();
        double[] xv = x.toDoubleArray();
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            double t = Math.tanh(wv[i] * xv[i]);
            expected[i] = 1 - t * t - 2 * wv[i] * xv[i] * t * (1 - t * t);
        }
        assertArrayEquals(expected, w.grad().toDoubleArray(), 1e-14);
    }

    /** f(x, A) = tanh(A x), x [3], A [2, 3]. */
    private static final Fn TANH_AX = args -> ((Tensor) args[1]).matmul(((Tensor) args[0]).unsqueeze(1)).squeeze(1)
            .tanh();

    /** d tanh(A x)_i / d A_jm = (1 - tanh(A x)_i^2) [i == j] x_m, shape [2, 2, 3]. */
    private static double[] jacobianOfTanhAxInA(Tensor x, Tensor a) {
        double[] t = ((Tensor) TANH_AX.apply(x, a)).toDoubleArray();
        double[] xv = x.toDoubleArray();
        double[] expected = new double[12];
        for (int i = 0; i < 2; i++) {
            for (int m = 0; m < 3; m++) {
                expected[i * 6 + i * 3 + m] = (1 - t[i] * t[i]) * xv[m];
            }
        }
        return expected;
    }

    @Test
    void jacrevWithSeveralArgnumsGivesEachArgumentsAnalyticJacobian() {
        Tensor x = PyTorchParity.values(2, 3);
        Tensor a = PyTorchParity.values(1, 2, 3);

        List<?> j = (List<?>) Func.jacrev(TANH_AX, new int[] {0, -1}).apply(x, a);

        Tensor y = (Tensor) TANH_AX.apply(x, a);
        assertArrayEquals(a.mul(y.square().neg().add(1).unsqueeze(1)).toDoubleArray(),
                ((Tensor) j.get(0)).toDoubleArray(), 1e-15);
        assertArrayEquals(new int[] {2, 2, 3}, ((Tensor) j.get(1)).shape().dims());
        assertArrayEquals(jacobianOfTanhAxInA(x, a), ((Tensor) j.get(1)).toDoubleArray(), 1e-15);
    }

    @Test
    void jacfwdWithSeveralArgnumsGivesEachArgumentsAnalyticJacobian() {
        Tensor x = PyTorchParity.values(2, 3);
        Tensor a = PyTorchParity.values(1, 2, 3);

        List<?> j = (List<?>) Func.jacfwd(TANH_AX, new int[] {1}).apply(x, a);

        assertEquals(1, j.size());
        assertArrayEquals(jacobianOfTanhAxInA(x, a), ((Tensor) j.get(0)).toDoubleArray(), 1e-15);
    }

    @Test
    void hessianWithSeveralArgnumsGivesEveryAnalyticBlock() {
        Tensor x = PyTorchParity.values(1, 2);
        Tensor y = PyTorchParity.values(2, 2);
        // f = sum(x^2 y): d2f/dx2 = diag(2 y), d2f/dxdy = d2f/dydx = diag(2 x), d2f/dy2 = 0
        Fn f = args -> ((Tensor) args[0]).square().mul((Tensor) args[1]).sum();

        List<?> h = (List<?>) Func.hessian(f, new int[] {0, 1}).apply(x, y);

        double[] xv = x.toDoubleArray();
        double[] yv = y.toDoubleArray();
        assertArrayEquals(new double[] {2 * yv[0], 0, 0, 2 * yv[1]}, block(h, 0, 0), 1e-15);
        assertArrayEquals(new double[] {2 * xv[0], 0, 0, 2 * xv[1]}, block(h, 0, 1), 1e-15);
        assertArrayEquals(new double[] {2 * xv[0], 0, 0, 2 * xv[1]}, block(h, 1, 0), 1e-15);
        assertArrayEquals(new double[] {0, 0, 0, 0}, block(h, 1, 1));
    }

    private static double[] block(List<?> h, int k, int l) {
        Tensor b = (Tensor) ((List<?>) h.get(k)).get(l);
        assertArrayEquals(new int[] {2, 2}, b.shape().dims(), "block " + k + ", " + l);
        return b.toDoubleArray();
    }

    @Test
    void gradOfJacrevIsTheAnalyticMixedDerivative() {
        Tensor x = PyTorchParity.values(1, 3);
        Tensor y = PyTorchParity.values(2, 3);
        // f = sin(x y) elementwise: jacrev in x = diag(y cos(x y)); d/dy_i sum(that) = cos(x_i y_i) - x_i y_i sin(x_i y_i)
        Fn f = args -> ((Tensor) args[0]).mul((Tensor) args[1]).sin();
        Fn sumOfJacobian = args -> ((Tensor) Func.jacrev(f, 0).apply(args)).sum();

        Tensor mixed = (Tensor) Func.grad(sumOfJacobian, 1, false).apply(x, y);

        double[] xv = x.toDoubleArray();
        double[] yv = y.toDoubleArray();
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            double p = xv[i] * yv[i];
            expected[i] = Math.cos(p) - p * Math.sin(p);
        }
        assertArrayEquals(expected, mixed.toDoubleArray(), 1e-15);
    }

    @Test
    void jacrevOfAOneElementFunctionIsItsGradientInF32AsInF64() {
        Tensor x = PyTorchParity.values(1, 3);

        Tensor j64 = (Tensor) Func.jacrev(X_SIN_X, 0).apply(x);
        Tensor j32 = (Tensor) Func.jacrev(X_SIN_X, 0).apply(x.to(DType.F32));

        double[] v = x.toDoubleArray();
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            expected[i] = Math.sin(v[i]) + v[i] * Math.cos(v[i]);
        }
        assertArrayEquals(new int[] {3}, j64.shape().dims());
        assertArrayEquals(expected, j64.toDoubleArray(), 1e-15);
        assertEquals(DType.F32, j32.dtype());
        assertArrayEquals(expected, j32.toDoubleArray(), 1e-6);
    }

    @Test
    void gradUnderNoGradStillDifferentiatesAndRecordsNothing() {
        Tensor x = PyTorchParity.values(1, 3).requiresGrad(true);

        Tensor g;
        try (Autograd.Guard off = Autograd.noGrad()) {
            g = (Tensor) Func.grad(X_SIN_X).apply(x);
        }

        double[] v = x.detach().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(Math.sin(v[i]) + v[i] * Math.cos(v[i]), g.toDoubleArray()[i], 1e-15);
        }
        assertFalse(g.requiresGrad(), "PyTorch's grad ignores an outer no_grad for its own pass, and records nothing");
    }
}
