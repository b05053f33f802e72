package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The regression and ranking losses: gradients against finite differences and the errors for bad arguments. */
class RegressionAndRankingLossTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(17);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertRefused(Executable call, String start, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }

    /** [rows, columns] F64 values, none within 0.05 of a kink at +-kink, spread over both sides of it. */
    private static Tensor awayFromKinks(double kink, int rows, int columns) {
        Tensor t = Tensor.uniform(-3, 3, DType.F64, rows, columns);
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (Math.abs(Math.abs(v[i]) - kink) < 0.05 || Math.abs(v[i]) < 0.05) {
                v[i] += 0.1;
            }
        }
        return Tensor.fromArray(v, rows, columns);
    }

    // ---- HuberLoss and SmoothL1Loss -----------------------------------------------------------------------------

    @Test
    void huberGradientsMatchFiniteDifferences() {
        Tensor output = awayFromKinks(0.7, 4, 5).requiresGrad(true);
        Tensor target = Tensor.zeros(DType.F64, 4, 5).requiresGrad(true);
        GradCheck.check("HuberLoss(0.7)", in -> new HuberLoss(0.7).compute(in[0], in[1]), output, target);
    }

    @Test
    void smoothL1GradientsMatchFiniteDifferences() {
        Tensor output = awayFromKinks(1.3, 4, 5).requiresGrad(true);
        Tensor target = Tensor.zeros(DType.F64, 4, 5).requiresGrad(true);
        GradCheck.check("SmoothL1Loss(1.3, NONE)",
                in -> new SmoothL1Loss(1.3, Reduction.NONE).compute(in[0], in[1]), output, target);
    }

    @Test
    void smoothL1WithBetaZeroGradientsMatchFiniteDifferences() {
        Tensor output = awayFromKinks(0, 4, 5).requiresGrad(true);
        Tensor target = Tensor.zeros(DType.F64, 4, 5);
        GradCheck.check("SmoothL1Loss(0)", in -> new SmoothL1Loss(0).compute(in[0], in[1]), output, target);
    }

    @Test
    void smoothL1IsHuberDividedByBeta() {
        Tensor output = Tensor.randn(DType.F64, 3, 4);
        Tensor target = Tensor.randn(DType.F64, 3, 4);
        double huber = new HuberLoss(0.4, Reduction.SUM).compute(output, target).item();
        assertEquals(huber / 0.4, new SmoothL1Loss(0.4, Reduction.SUM).compute(output, target).item(), 1e-12);
    }

    @Test
    void huberRefusesADeltaThatIsNotPositive() {
        assertRefused(() -> new HuberLoss(0), "HuberLoss: delta must be positive", "got 0.0");
        assertRefused(() -> new HuberLoss(Double.NaN), "HuberLoss: delta must be positive", "got NaN");
    }

    @Test
    void smoothL1RefusesANegativeBeta() {
        assertRefused(() -> new SmoothL1Loss(-0.5), "SmoothL1Loss: beta must be 0 or more", "got -0.5");
    }

    @Test
    void huberAndSmoothL1RefuseMismatchedShapesNamingBoth() {
        assertRefused(() -> new HuberLoss().compute(Tensor.zeros(4, 3), Tensor.zeros(4)), "HuberLoss: output [4, 3]",
                "target [4]");
        assertRefused(() -> new SmoothL1Loss().compute(Tensor.zeros(DType.F64, 2), Tensor.zeros(DType.F32, 2)),
                "SmoothL1Loss: output (F64) and target (F32)");
    }

    @Test
    void aNullReductionIsRefusedNamingTheLoss() {
        assertRefused(() -> new HuberLoss(1, null), "HuberLoss: reduction", "got null");
        assertRefused(() -> new SmoothL1Loss(1, null), "SmoothL1Loss: reduction", "got null");
    }
}
