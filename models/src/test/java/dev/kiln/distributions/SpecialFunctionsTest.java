package dev.kiln.distributions;

import static dev.kiln.distributions.ContinuousDistributionsPyTorchValues.DIGAMMA;
import static dev.kiln.distributions.ContinuousDistributionsPyTorchValues.DIGAMMA_D_X;
import static dev.kiln.distributions.ContinuousDistributionsPyTorchValues.LGAMMA;
import static dev.kiln.distributions.ContinuousDistributionsPyTorchValues.LGAMMA_D_X;
import static dev.kiln.distributions.ContinuousDistributionsPyTorchValues.TRIGAMMA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#lgamma} and {@link Tensor#digamma}, which the distributions use, against {@code torch.lgamma} and
 * {@code torch.digamma} (PyTorch 1.13, {@code distributions_continuous.py}) from 1e-8 to 1e6, with their gradients
 * (digamma and trigamma), to 1e-12 relative above 1 in F64 and 1e-5 in F32, and against finite differences.
 * Digamma's gradient is held to mpmath's trigamma: PyTorch's (its gradient of digamma) sums its asymptotic series from
 * x + 6 only, and is off by up to about 1e-9 relative, 9e-12 at x = 0.1.
 */
class SpecialFunctionsTest {
    private static final double[] X = {1e-8, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 9.99, 10.0, 25.5, 100.0, 1234.5, 1e6};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertClose(String what, double[] expected, Tensor actual, double tolerance) {
        double[] got = actual.to(DType.F64).toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tolerance * Math.max(1, Math.abs(expected[i])), what + " at " + X[i]);
        }
    }

    private static Tensor weights(DType dtype) {
        return Tensor.arange(1, X.length + 1, 1, dtype);
    }

    @Test
    void lgammaAndItsGradientMatchPyTorch() {
        Tensor x = Tensor.fromArray(X.clone(), X.length).requiresGrad(true);
        Tensor y = x.lgamma();
        assertClose("lgamma", LGAMMA, y, 1e-12);
        y.backward(weights(DType.F64));
        assertClose("d lgamma", LGAMMA_D_X, x.grad(), 1e-12);
    }

    @Test
    void digammaAndItsGradientMatchPyTorch() {
        Tensor x = Tensor.fromArray(X.clone(), X.length).requiresGrad(true);
        Tensor y = x.digamma();
        assertClose("digamma", DIGAMMA, y, 1e-12);
        y.backward(Tensor.ones(DType.F64, X.length));
        assertClose("d digamma", TRIGAMMA, x.grad(), 1e-12);
        assertClose("d digamma against PyTorch's", DIGAMMA_D_X, x.grad().mul(weights(DType.F64)), 1e-8);
    }

    @Test
    void inF32BothMatchPyTorchToSinglePrecision() {
        Tensor x = Tensor.fromArray(X.clone(), X.length).to(DType.F32);
        assertClose("lgamma F32", LGAMMA, x.lgamma(), 1e-5);
        assertClose("digamma F32", DIGAMMA, x.digamma(), 1e-5);
    }

    @Test
    void bothPassTheFiniteDifferenceGradientCheck() {
        Tensor x = Tensor.fromArray(new double[] {0.05, 0.7, 1.0, 2.3, 14.0}, 5).requiresGrad(true);
        GradCheck.check("lgamma", in -> in[0].lgamma(), x);
        GradCheck.check("digamma", in -> in[0].digamma(), x);
    }
}
