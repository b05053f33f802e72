package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Optimizer#clipGradNorm} and {@link Optimizer#clipGradValue} against PyTorch 1.13's
 * {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_} on parameters a [2, 2] with gradient
 * [[1, -2], [0.5, 3]], b [3] with gradient [-1.5, 0.25, 2] and c [1] without one (F64 unless named).
 */
class GradientClippingPyTorchTest {
    private static final double TOLERANCE = 1e-10;

    private Scope scope;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @BeforeEach
    void setUp() {
        scope = Scope.open();
        a = Tensor.zeros(DType.F64, 2, 2).requiresGrad(true);
        b = Tensor.zeros(DType.F64, 3).requiresGrad(true);
        c = Tensor.zeros(DType.F64, 1).requiresGrad(true);
        a.backward(Tensor.fromArray(new double[] {1.0, -2.0, 0.5, 3.0}, 2, 2));
        b.backward(Tensor.fromArray(new double[] {-1.5, 0.25, 2.0}, 3));
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    private static void assertValues(double[] expected, Tensor actual, double tolerance) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tolerance, "element " + i);
        }
    }

    private void assertGrads(double[] expectedA, double[] expectedB) {
        assertValues(expectedA, a.grad(), TOLERANCE);
        assertValues(expectedB, b.grad(), TOLERANCE);
        assertNull(c.grad());
    }

    @Test
    void clipGradNormAboveTheMaximum() {
        // torch.nn.utils.clip_grad_norm_([a, b, c], max_norm=2.0), PyTorch 1.13
        assertEquals(4.534589286804263, Optimizer.clipGradNorm(List.of(a, b, c), 2.0).item(), TOLERANCE);
        assertGrads(new double[] {0.44105417987156076, -0.8821083597431215, 0.22052708993578038, 1.3231625396146822},
                new double[] {-0.6615812698073411, 0.11026354496789019, 0.8821083597431215});
    }

    @Test
    void clipGradNormBelowTheMaximumLeavesGradientsUntouched() {
        // torch.nn.utils.clip_grad_norm_([a, b, c], max_norm=10.0), PyTorch 1.13
        assertEquals(4.534589286804263, Optimizer.clipGradNorm(List.of(a, b, c), 10.0).item(), TOLERANCE);
        assertGrads(new double[] {1.0, -2.0, 0.5, 3.0}, new double[] {-1.5, 0.25, 2.0});
    }

    @Test
    void clipGradNormAtExactlyTheNormScalesByMaxOverNormPlus1e6() {
        // torch.nn.utils.clip_grad_norm_([a, b, c], max_norm=4.534589286804263) (the norm itself), PyTorch 1.13
        assertEquals(4.534589286804263, Optimizer.clipGradNorm(List.of(a, b, c), 4.534589286804263).item(), TOLERANCE);
        assertGrads(new double[] {0.99999977947291, -1.99999955894582, 0.499999889736455, 2.99999933841873},
                new double[] {-1.499999669209365, 0.2499999448682275, 1.99999955894582});
    }

    @Test
    void clipGradNormWithTheMaxNorm() {
        // torch.nn.utils.clip_grad_norm_([a, b, c], max_norm=2.0, norm_type=float('inf')), PyTorch 1.13
        Tensor norm = Optimizer.clipGradNorm(List.of(a, b, c), 2.0, Double.POSITIVE_INFINITY);
        assertEquals(3.0, norm.item(), TOLERANCE);
        assertGrads(new double[] {0.6666664444445185, -1.333332888889037, 0.33333322222225925, 1.9999993333335555},
                new double[] {-0.9999996666667778, 0.16666661111112963, 1.333332888889037});
    }

    @Test
    void clipGradNormWithTheL1Norm() {
        // torch.nn.utils.clip_grad_norm_([a, b, c], max_norm=2.0, norm_type=1.0), PyTorch 1.13
        assertEquals(10.25, Optimizer.clipGradNorm(List.of(a, b, c), 2.0, 1.0).item(), TOLERANCE);
        assertGrads(new double[] {0.19512193218322615, -0.3902438643664523, 0.09756096609161308, 0.5853657965496785},
                new double[] {-0.29268289827483923, 0.04878048304580654, 0.3902438643664523});
    }

    @Test
    void clipGradNormWithAThirdPowerNorm() {
        // torch.nn.utils.clip_grad_norm_([a, b, c], max_norm=2.0, norm_type=3.0), PyTorch 1.13
        assertEquals(3.621975281062032, Optimizer.clipGradNorm(List.of(a, b, c), 2.0, 3.0).item(), TOLERANCE);
        assertGrads(new double[] {0.5521847314288768, -1.1043694628577536, 0.2760923657144384, 1.6565541942866304},
                new double[] {-0.8282770971433152, 0.1380461828572192, 1.1043694628577536});
    }

    @Test
    void clipGradNormRefusesANormTypeThatIsNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizer.clipGradNorm(List.of(a, b, c), 2.0, 0));
        assertEquals("clipGradNorm: normType must be > 0 or infinity, got 0.0", e.getMessage());
    }

    @Test
    void clipGradNormF32() {
        // torch.nn.utils.clip_grad_norm_([p], max_norm=0.1), p.grad = [0.1, -0.2, 0.3] float32, PyTorch 1.13
        Tensor p = Tensor.zeros(DType.F32, 3).requiresGrad(true);
        p.backward(Tensor.fromArray(new float[] {0.1f, -0.2f, 0.3f}, 3));
        assertEquals(0.37416574358940125, Optimizer.clipGradNorm(List.of(p), 0.1).item(), 1e-6);
        assertValues(new double[] {0.026726052165031433, -0.053452104330062866, 0.0801781564950943}, p.grad(), 1e-6);
    }

    @Test
    void clipGradValue() {
        // torch.nn.utils.clip_grad_value_([a, b, c], 1.2), PyTorch 1.13
        Optimizer.clipGradValue(List.of(a, b, c), 1.2);
        assertGrads(new double[] {1.0, -1.2, 0.5, 1.2}, new double[] {-1.2, 0.25, 1.2});
    }
}
