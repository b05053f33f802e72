package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link GLU}, {@link LogSigmoid}, {@link Softmin}, {@link Softshrink}, {@link Hardshrink}, {@link Tanhshrink},
 * {@link Threshold} and {@link RReLU}: gradients against finite differences, PyTorch's behaviour at NaN and at the
 * far tails, and the errors for bad settings and inputs. Their parity with PyTorch's numbers, ties included, is in
 * {@link MoreLayersPyTorchParityTest}.
 */
class ShrinkGateActivationTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void gradientsMatchFiniteDifferencesAwayFromTheirKinks() {
        // Nothing within 1e-6 of the shrinks' +-0.5 and +-1.2 or of the thresholds 0.1 and 0.25.
        Tensor x = Tensor.fromArray(new double[] {-3.7, -1.3, -0.6, -0.3, 0.2, 0.9, 1.5, 4.5}, 2, 4).requiresGrad(true);
        for (Module m : new Module[] {new GLU(), new GLU(0), new LogSigmoid(), new Softmin(), new Softmin(0),
                new Softshrink(), new Softshrink(1.2), new Hardshrink(), new Hardshrink(1.2), new Tanhshrink(),
                new Threshold(0.1, 20), new Threshold(0.25, -7), new RReLU().eval(), new RReLU(0.1, 0.3).eval()}) {
            GradCheck.check(m.toString(), in -> m.forward(in[0]), x);
        }
    }

    @Test
    void rreluInTrainingHasTheGradientOfItsDrawnSlopes() {
        RReLU rrelu = new RReLU();
        Tensor x = Tensor.fromArray(new double[] {-3.7, -1.3, -0.6, -0.3, 0.2, 0.9, 1.5, 4.5}, 2, 4).requiresGrad(true);
        GradCheck.check("RReLU in training", in -> {
            Engine.seed(3);
            return rrelu.forward(in[0]);
        }, x);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void logSigmoidKeepsTheRelativePrecisionOfItsTinyValuesForLargeInputs(DType dtype) {
        double[] xs = {20, 40, 80};
        double tolerance = dtype == DType.F32 ? 1e-6 : 1e-14;
        double[] y = new LogSigmoid().forward(Tensor.fromArray(xs, xs.length).to(dtype)).toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            double expected = -Math.log1p(Math.exp(-xs[i]));
            assertEquals(expected, y[i], -tolerance * expected, "logSigmoid(" + xs[i] + ") " + dtype);
        }
    }

    @Test
    void softshrinkGivesZeroWithAZeroGradientForNaNAsPyTorch() {
        // torch.nn.Softshrink()(nan) is 0, its gradient 0, PyTorch 1.13; Hardshrink and Threshold keep the NaN.
        Tensor x = Tensor.fromArray(new double[] {Double.NaN, 2}, 2).requiresGrad(true);
        Tensor y = new Softshrink().forward(x);
        y.sum().backward();
        assertValues(new double[] {0, 1.5}, y, 0);
        assertValues(new double[] {0, 1}, x.grad(), 0);
        assertEquals(Double.NaN, new Hardshrink().forward(x).toDoubleArray()[0]);
        assertEquals(Double.NaN, new Threshold(0, 1).forward(x).toDoubleArray()[0]);
    }

    @Test
    void gluOnAnAxisOfOddSizeNamesTheLayerTheShapeAndTheSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GLU(1).forward(Tensor.zeros(2, 5)));
        assertEquals("GLU(dim=1): input [2, 5] has size 5 on axis 1; it must be even, to halve", e.getMessage());
    }

    @Test
    void gluAndSoftminWithoutTheAxisNameTheLayerAndTheShape() {
        assertEquals("GLU(dim=2): input [2, 4] has no axis 2", assertThrows(IllegalArgumentException.class,
                () -> new GLU(2).forward(Tensor.zeros(2, 4))).getMessage());
        assertEquals("Softmin(dim=-3): input [2, 4] has no axis -3", assertThrows(IllegalArgumentException.class,
                () -> new Softmin(-3).forward(Tensor.zeros(2, 4))).getMessage());
    }

    @Test
    void badSettingsNameTheActivationAndTheValue() {
        assertEquals("Softshrink: lambda must be at least 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> new Softshrink(-1)).getMessage());
        assertEquals("Hardshrink: lambda must be a number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> new Hardshrink(Double.NaN)).getMessage());
        assertEquals("Threshold: threshold must be a number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> new Threshold(Double.NaN, 0)).getMessage());
        assertEquals("RReLU: needs finite bounds with lower <= upper, got lower 0.5 and upper 0.1",
                assertThrows(IllegalArgumentException.class, () -> new RReLU(0.5, 0.1)).getMessage());
    }

    @Test
    void activationsNameTheirSettings() {
        assertEquals("GLU(dim=-1)", new GLU().toString());
        assertEquals("LogSigmoid()", new LogSigmoid().toString());
        assertEquals("Softmin(dim=1)", new Softmin(1).toString());
        assertEquals("Softshrink(0.5)", new Softshrink().toString());
        assertEquals("Hardshrink(0.5)", new Hardshrink().toString());
        assertEquals("Tanhshrink()", new Tanhshrink().toString());
        assertEquals("Threshold(threshold=0.1, value=20)", new Threshold(0.1, 20).toString());
        assertEquals("RReLU(lower=0.125, upper=0.3333333333333333)", new RReLU().toString());
    }
}
