package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationTest {
    private static final double[] X = {-2, -0.5, 0, 0.5, 2};
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void check(Module m, DoubleUnaryOperator reference) {
        double[] expected = new double[X.length];
        for (int i = 0; i < X.length; i++) {
            expected[i] = reference.applyAsDouble(X[i]);
        }
        assertValues(expected, m.forward(Tensor.fromArray(X, X.length)), 1e-12);
    }

    @Test
    void sigmoidIsOneOverOnePlusExpMinusX() {
        check(new Sigmoid(), x -> 1 / (1 + Math.exp(-x)));
    }

    @Test
    void tanhMatchesMathTanh() {
        check(new Tanh(), Math::tanh);
    }

    @Test
    void reluClipsNegativesToZero() {
        check(new ReLU(), x -> Math.max(x, 0));
    }

    @Test
    void leakyReluDefaultSlopeIsPyTorchs001() {
        check(new LeakyReLU(), x -> x > 0 ? x : 0.01 * x);
        check(new LeakyReLU(0.2), x -> x > 0 ? x : 0.2 * x);
    }

    @Test
    void eluDefaultAlphaIsOne() {
        check(new ELU(), x -> x > 0 ? x : Math.exp(x) - 1);
        check(new ELU(0.5), x -> x > 0 ? x : 0.5 * (Math.exp(x) - 1));
    }

    @Test
    void geluIsExactXTimesNormalCdf() {
        // Phi(0.5), Phi(2) from tables; Phi(-x) = 1 - Phi(x).
        double phiHalf = 0.6914624612740131;
        double phiTwo = 0.9772498680518208;
        double[] expected = {-2 * (1 - phiTwo), -0.5 * (1 - phiHalf), 0, 0.5 * phiHalf, 2 * phiTwo};
        assertValues(expected, new GELU().forward(Tensor.fromArray(X, X.length)), 1e-7);
    }

    @Test
    void geluTanhIsPyTorchsApproximation() {
        check(new GELU("tanh"), x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
    }

    @Test
    void geluRefusesAnApproximationPyTorchDoesNotHave() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GELU("erf"));
        assertEquals("GELU: approximate must be 'none' or 'tanh', got 'erf'", e.getMessage());
    }

    @Test
    void geluNamesItsApproximationAsPyTorchDoes() {
        assertEquals("GELU(approximate='none')", new GELU().toString());
        assertEquals("GELU(approximate='none')", new GELU("none").toString());
        assertEquals("GELU(approximate='tanh')", new GELU("tanh").toString());
    }

    @Test
    void siluIsXTimesSigmoid() {
        check(new SiLU(), x -> x / (1 + Math.exp(-x)));
        assertEquals("SiLU()", new SiLU().toString());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void geluTanhAndSiluAreXAboveAndZeroBelowAtPlusMinus1000(DType dtype) {
        for (Module m : new Module[] {new GELU("tanh"), new SiLU()}) {
            Tensor x = Tensor.fromArray(new double[] {-1000, 1000}, 2).to(dtype).requiresGrad(true);
            Tensor y = m.forward(x);
            y.sum().backward();
            assertArrayEquals(new double[] {0, 1000}, y.toDoubleArray(), 0, m + " " + dtype);
            assertArrayEquals(new double[] {0, 1}, x.grad().toDoubleArray(), 0, m + " gradient " + dtype);
        }
    }

    @Test
    void softmaxRowsAreExpOverSumOfExp() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double[] expected = {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z, 1 / 3.0, 1 / 3.0, 1 / 3.0};
        assertValues(expected, new Softmax().forward(x), 1e-12);
        assertValues(expected, new Softmax(1).forward(x), 1e-12);
    }

    @Test
    void softmaxOverAxisZeroNormalisesColumns() {
        Tensor x = Tensor.fromArray(new double[] {1, 5, 1, 5}, 2, 2);
        double[] sums = new Softmax(0).forward(x).sum(0, false).toDoubleArray();
        assertEquals(1, sums[0], 1e-12);
        assertEquals(1, sums[1], 1e-12);
        assertValues(new double[] {0.5, 0.5, 0.5, 0.5}, new Softmax(0).forward(x), 1e-12);
    }

    @Test
    void activationGradientsMatchFiniteDifferences() {
        Tensor x = Tensor.fromArray(new double[] {-1.7, -0.6, 0.3, 0.9, 2.2, -0.1}, 2, 3).requiresGrad(true);
        for (Module m : new Module[] {new Sigmoid(), new Tanh(), new ReLU(), new LeakyReLU(0.1), new ELU(0.7), new GELU(),
                new GELU("tanh"), new SiLU(), new Softmax(1)}) {
            GradCheck.check(m.toString(), in -> m.forward(in[0]), x);
        }
    }

    @Test
    void newActivationGradientsMatchFiniteDifferencesAwayFromTheirKinks() {
        Tensor x = Tensor.fromArray(new double[] {-3.7, -2.1, -0.6, 0.3, 0.9, 2.2, 4.5, 25}, 2, 4).requiresGrad(true);
        for (Module m : new Module[] {new Softplus(), new Softplus(2, 5), new Mish(), new Hardswish(), new Hardsigmoid(),
                new SELU(), new CELU(), new CELU(0.5), new Softsign(), new Hardtanh(), new Hardtanh(-2, 0.5), new ReLU6(),
                new LogSoftmax(), new LogSoftmax(0)}) {
            GradCheck.check(m.toString(), in -> m.forward(in[0]), x);
        }
    }

    @Test
    void celuWithANegativeAlphaIsXAboveZeroAndAlphaTimesExpMinusOneBelowAsPyTorchs() {
        // torch.nn.CELU(-1.0)(x) and its input gradient, PyTorch 1.13
        Tensor x = Tensor.fromArray(new double[] {-2, -1, 0, 1, 2}, 5).requiresGrad(true);
        Tensor y = new CELU(-1).forward(x);
        y.sum().backward();
        assertValues(new double[] {-6.38905609893065, -1.718281828459045, 0, 1, 2}, y, 1e-12);
        assertValues(new double[] {7.38905609893065, 2.718281828459045, 1, 1, 1}, x.grad(), 1e-12);
    }

    @Test
    void preluGradientsOfInputAndSlopesMatchFiniteDifferences() {
        Tensor x = Tensor.fromArray(new double[] {-3.7, -2.1, -0.6, 0.3, 0.9, 2.2, -4.5, 25}, 2, 2, 2).requiresGrad(true);
        for (PReLU m : new PReLU[] {new PReLU(), new PReLU(2, 0.1)}) {
            m.to(DType.F64);
            GradCheck.check(m.toString(), in -> m.forward(in[0]), x, m.weight());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softplusAndMishKeepTheRelativePrecisionOfVeryNegativeInputs(DType dtype) {
        double[] xs = {-20, -40, -80};
        double tolerance = dtype == DType.F32 ? 1e-6 : 1e-14;
        double[] softplus = new Softplus().forward(Tensor.fromArray(xs, xs.length).to(dtype)).toDoubleArray();
        double[] mish = new Mish().forward(Tensor.fromArray(xs, xs.length).to(dtype)).toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            double expected = Math.log1p(Math.exp(xs[i]));
            assertEquals(expected, softplus[i], tolerance * expected, "softplus(" + xs[i] + ") " + dtype);
            assertEquals(xs[i] * Math.tanh(expected), mish[i], tolerance * expected * -xs[i], "mish(" + xs[i] + ") " + dtype);
        }
    }

    @Test
    void preluStartsAtPyTorchsQuarterAndHasOneSlopePerChannel() {
        PReLU shared = new PReLU();
        assertArrayEquals(new int[] {1}, shared.weight().shape().dims());
        assertValues(new double[] {0.25}, shared.weight(), 0);
        assertValues(new double[] {-1, 0, 3}, shared.forward(Tensor.fromArray(new float[] {-4, 0, 3}, 3)), 1e-7);
        PReLU perChannel = new PReLU(2, 0.1);
        Tensors.set(perChannel.weight(), 0.1, 0.5);
        Tensor x = Tensor.fromArray(new double[] {-1, -1, 2, -4}, 2, 2).to(DType.F32);
        assertValues(new double[] {-0.1, -0.5, 2, -2}, perChannel.forward(x), 1e-7);
        assertEquals("PReLU(num_parameters=2)", perChannel.toString());
    }

    @Test
    void preluWithSeveralSlopesNamesTheLayerAndTheExpectedChannels() {
        PReLU prelu = new PReLU(3);
        for (Tensor x : new Tensor[] {Tensor.zeros(2, 4), Tensor.zeros(3), Tensor.zeros(2, 4, 3)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> prelu.forward(x));
            assertEquals("PReLU(num_parameters=3): input " + x.shape() + " must be [batch, 3, ...], one channel per slope",
                    e.getMessage());
        }
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                () -> prelu.forward(Tensor.zeros(DType.F64, 2, 3)));
        assertEquals("PReLU(num_parameters=3): input [2, 3] is F64 but the weight is F32; convert one with to(DType)",
                dtype.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new PReLU(0));
        assertEquals("PReLU: numParameters must be at least 1, got 0", none.getMessage());
    }

    @Test
    void badArgumentsNameTheActivationAndTheValue() {
        assertEquals("Hardtanh: min 1.0 must be below max -1.0",
                assertThrows(IllegalArgumentException.class, () -> new Hardtanh(1, -1)).getMessage());
        assertEquals("Hardtanh: min 0.5 must be below max 0.5",
                assertThrows(IllegalArgumentException.class, () -> new Hardtanh(0.5, 0.5)).getMessage());
        assertEquals("CELU: alpha must be non-zero, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new CELU(0)).getMessage());
        assertEquals("Softplus: beta must be non-zero and threshold a number, got beta 0.0 and threshold 20.0",
                assertThrows(IllegalArgumentException.class, () -> new Softplus(0, 20)).getMessage());
        assertEquals("Softplus: beta must be non-zero and threshold a number, got beta 1.0 and threshold NaN",
                assertThrows(IllegalArgumentException.class, () -> new Softplus(1, Double.NaN)).getMessage());
    }

    @Test
    void logSoftmaxWithoutTheAxisNamesTheLayerAndTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LogSoftmax(2).forward(Tensor.zeros(2, 3)));
        assertEquals("LogSoftmax(dim=2): input [2, 3] has no axis 2", e.getMessage());
    }

    @Test
    void identityHandsOnItsInput() {
        Tensor x = Tensor.zeros(2, 3);
        assertSame(x, new Identity().forward(x));
    }

    @Test
    void newActivationsNameTheirSettingsAsPyTorchDoes() {
        assertEquals("Hardtanh(min_val=-1.0, max_val=1.0)", new Hardtanh().toString());
        assertEquals("ReLU6()", new ReLU6().toString());
        assertEquals("Softplus(beta=1, threshold=20)", new Softplus().toString());
        assertEquals("CELU(alpha=1.0)", new CELU().toString());
        assertEquals("LogSoftmax(dim=-1)", new LogSoftmax().toString());
        assertEquals("Mish()", new Mish().toString());
    }
}
