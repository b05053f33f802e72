package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.AutogradFunctional;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Linalg;
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

    /** The script's pattern: ((a i + b) mod 11 - 5) / 4 over the flat index, F64. */
    private static Tensor pattern(int a, int b, int... shape) {
        int n = (int) Shape.of(shape).size();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((a * i + b) % 11 - 5) / 4.0;
        }
        return Tensor.fromArray(v, shape);
    }

    /** The function of autograd_functional_products.py (models/src/test/pytorch): tanh(x w)^2 + (x w) * x.sum(1, keepdim=True). */
    private static Tensor f(List<Tensor> in) {
        Tensor z = in.get(0).matmul(in.get(1));
        return z.tanh().square().add(z.mul(in.get(0).sum(1, true)));
    }

    @Test
    void aVectorJacobianProductIsPyTorchs() {
        // torch.autograd.functional.vjp(f, (x, w), v) in F64
        AutogradFunctional.VectorJacobianProduct r = AutogradFunctional.vjp(AutogradFunctionalTest::f,
                List.of(pattern(3, 1, 2, 4), pattern(5, 2, 4, 3)), pattern(7, 3, 2, 3));
        assertArrayEquals(new double[] {0.6994114176749529, 0.6200808520300118, 0.5411766021188924,
            -1.711713365750536, 2.6942933610763515, -2.0769543067305176}, r.output().toDoubleArray(), 1e-14);
        assertArrayEquals(new double[] {1.5326884019702276, -1.5617399578607585, -0.29731198059857933,
            1.8487953962857724, -4.5248000483779975, -0.9081730034791571, -1.628660601121073, -4.704921947788478},
                r.vjp().get(0).toDoubleArray(), 1e-14);
        assertArrayEquals(new double[] {-0.008217258460581328, -0.4021892200682171, -0.3136558005019436,
            0.1585666228184107, -0.39625966700846954, -0.0784139501254859, 0.32535050409740274, -0.39033011394872197,
            0.1568279002509718, -1.8636393636490935, 3.9527140816517825, 0.3920697506274295},
                r.vjp().get(1).toDoubleArray(), 1e-14);
        assertFalse(r.vjp().get(0).requiresGrad(), "no graph, as with PyTorch's create_graph=False");
    }

    @Test
    void aJacobianVectorProductIsPyTorchs() {
        // torch.autograd.functional.jvp(f, (x, w), (vx, vw)) in F64
        AutogradFunctional.JacobianVectorProduct r = AutogradFunctional.jvp(AutogradFunctionalTest::f,
                List.of(pattern(3, 1, 2, 4), pattern(5, 2, 4, 3)), List.of(pattern(2, 5, 2, 4), pattern(4, 0, 4, 3)));
        assertArrayEquals(new double[] {3.343207456368214, -0.8740251342220207, 0.140625, -1.6419029159874614,
            -0.29571236199141526, -2.8280385155905785}, r.jvp().toDoubleArray(), 1e-14);
        assertEquals(Shape.of(2, 3), r.output().shape());
    }

    @Test
    void aJacobianVectorProductIsTheJacobianTimesTheVector() {
        Tensor x = Tensor.randn(DType.F64, 5);
        Tensor v = Tensor.randn(DType.F64, 5);
        java.util.function.UnaryOperator<Tensor> g = t -> t.sin().mul(t.sum()).narrow(0, 1, 3);
        Tensor expected = AutogradFunctional.jacobian(g, x).matmul(v.reshape(5, 1));
        Tensor jv = AutogradFunctional.jvp(in -> g.apply(in.get(0)), List.of(x), List.of(v)).jvp();
        assertArrayEquals(expected.toDoubleArray(), jv.toDoubleArray(), 1e-14);
    }

    @Test
    void aVectorHessianProductIsPyTorchs() {
        // torch.autograd.functional.vhp(lambda x, w: f(x, w).sum(), (x, w), (vx, vw)) in F64
        List<Tensor> vh = AutogradFunctional.vhp(in -> f(in).sum(), List.of(pattern(3, 1, 2, 4), pattern(5, 2, 4, 3)),
                List.of(pattern(2, 5, 2, 4), pattern(4, 0, 4, 3)));
        assertArrayEquals(new double[] {0.5316811511277098, 1.47830031731472, 2.873365786984037, 0.03667485732389639,
            5.37171061718978, 4.001836245017065, 2.3602804939942352, 5.547713287048873},
                vh.get(0).toDoubleArray(), 1e-13);
        assertArrayEquals(new double[] {1.0417343862724484, 1.0938729863857626, 0.8477101821913733,
            0.9112654977790281, 0.9875307707643194, 0.8624998658028955, 0.7807966092856078, 0.8811885551428763,
            0.8772895494144177, -2.034086771837083, -2.4405573513029832, -1.8077681505828287},
                vh.get(1).toDoubleArray(), 1e-13);
    }

    @Test
    void productsOfAnInputTheFunctionIgnoresAreZero() {
        List<Tensor> inputs = List.of(values(1, 2), values(7));
        AutogradFunctional.VectorJacobianProduct vj = AutogradFunctional.vjp(in -> in.get(0).square(), inputs,
                values(1, 1));
        assertArrayEquals(new double[] {2, 4}, vj.vjp().get(0).toDoubleArray(), 0);
        assertArrayEquals(new double[] {0}, vj.vjp().get(1).toDoubleArray(), 0);
        Tensor jv = AutogradFunctional.jvp(in -> in.get(0).square(), inputs, List.of(values(0, 0), values(1))).jvp();
        assertArrayEquals(new double[] {0, 0}, jv.toDoubleArray(), 0);
        Tensor constant = AutogradFunctional.jvp(in -> values(3, 4, 5), inputs, List.of(values(1, 1), values(1)))
                .jvp();
        assertArrayEquals(new double[] {0, 0, 0}, constant.toDoubleArray(), 0);
    }

    @Test
    void aCotangentOfAnotherShapeThanTheFunctionsValueIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.vjp(in -> in.get(0).square(), List.of(values(1, 2)), values(1)));
        assertEquals("vjp: v has shape [1], the function's value has shape [2]; they must be equal", e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.vjp(in -> values(1), List.of(), values(1)));
        assertEquals("vjp: needs at least one input, got none", none.getMessage());
        IllegalArgumentException vectors = assertThrows(IllegalArgumentException.class,
                () -> AutogradFunctional.jvp(in -> in.get(0), List.of(values(1, 2)), List.of(values(1, 2), values(1))));
        assertEquals("jvp: needs one vector per input, at least one of each; got 1 inputs and 2 vectors",
                vectors.getMessage());
    }

    /**
     * Through eigenvectors: eigh's and eig's backward keep eigvalsh and eigvals finite at repeated values by zeroing
     * terms whose numerator is exactly 0; the double backward trick runs them at a zero cotangent, so they must zero
     * only where the eigenvalues' gap is 0 too, or every term is zeroed with its derivative and the product is 0.
     */
    @Test
    void aJacobianVectorProductThroughEigenvectorsIsPyTorchs() {
        Tensor a = Tensor.fromArray(new double[] {2, 1, 0.5, 1, -1, 0.2, 0.5, 0.2, 3}, 3, 3);
        Tensor d = Tensor.fromArray(new double[] {0.3, -0.1, 0.2, -0.1, 0.1, -0.4, 0.2, -0.4, -0.3}, 3, 3);
        // torch.autograd.functional.jvp(lambda a: torch.linalg.eigh(a)[1] ** 2, a, d) in F64
        Tensor jv = AutogradFunctional.jvp(in -> Linalg.eigh(in.get(0)).eigenvectors().square(),
                List.of(a), List.of(d)).jvp();
        assertArrayEquals(new double[] {-0.013099136076439324, -0.17163862017414797, 0.1847377562505873,
            0.015261544793367634, -0.0029492908739810236, -0.012312253919386612, -0.002162408716928344,
            0.17458791104812904, -0.1724255023312007}, jv.toDoubleArray(), 1e-12);
        Tensor general = Tensor.fromArray(new double[] {1, 2, 0.5, 3, -1, 0.2, 0.7, 0.1, 2}, 3, 3);
        Tensor e = Tensor.fromArray(new double[] {0.3, -0.1, 0.2, 0.5, 0.1, -0.4, 0.2, 0.6, -0.3}, 3, 3);
        // torch.autograd.functional.jvp(lambda a: torch.linalg.eig(a)[1].abs() ** 2, general, e) in F64
        Tensor squares = AutogradFunctional.jvp(in -> Linalg.eig(in.get(0)).eigenvectors().square().sum(-1, false),
                List.of(general), List.of(e)).jvp();
        assertArrayEquals(new double[] {-0.05053567560021085, -0.031197346476887572, -0.19790389860957497,
            0.060996644181610625, -0.027263288232446566, -0.04563588779049364, -0.010460968581399775,
            0.05846063470933405, 0.24353978640006868}, squares.toDoubleArray(), 1e-12);
    }

    /**
     * Of the identity, PyTorch 1.13's vjp and jvp return a new tensor holding v's values (sharing its memory), not v:
     * closing the result leaves the caller's v open.
     */
    @Test
    void theProductsOfTheIdentityAreNewTensorsNotTheCallersVector() {
        Tensor x = values(1, 2, 3);
        Tensor v = values(0.5, -1, 2);
        AutogradFunctional.VectorJacobianProduct back = AutogradFunctional.vjp(in -> in.get(0), List.of(x), v);
        Tensor product = back.vjp().get(0);
        assertNotSame(v, product, "vjp");
        assertArrayEquals(new double[] {0.5, -1, 2}, product.toDoubleArray(), 0);
        product.close();
        assertArrayEquals(new double[] {0.5, -1, 2}, v.toDoubleArray(), 0, "v stays open");
        AutogradFunctional.JacobianVectorProduct forward = AutogradFunctional.jvp(in -> in.get(0), List.of(x),
                List.of(v));
        assertNotSame(v, forward.jvp(), "jvp");
        forward.jvp().close();
        assertArrayEquals(new double[] {0.5, -1, 2}, v.toDoubleArray(), 0, "v stays open");
    }
}
