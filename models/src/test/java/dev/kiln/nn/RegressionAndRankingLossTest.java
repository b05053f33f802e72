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

    // ---- GaussianNLLLoss and PoissonNLLLoss ---------------------------------------------------------------------

    @Test
    void gaussianNllGradientsMatchFiniteDifferences() {
        Tensor input = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        Tensor target = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        Tensor var = Tensor.uniform(0.2, 2, DType.F64, 3, 4).requiresGrad(true);
        GradCheck.check("GaussianNLLLoss(full)", in -> new GaussianNLLLoss(true, 1e-6, Reduction.NONE)
                .compute(in[0], in[1], in[2]), input, target, var);
    }

    @Test
    void gaussianNllGradientsOfOneVarianceARowMatchFiniteDifferences() {
        Tensor input = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        Tensor target = Tensor.randn(DType.F64, 3, 4);
        Tensor var = Tensor.uniform(0.2, 2, DType.F64, 3).requiresGrad(true);
        GradCheck.check("GaussianNLLLoss var [3]", in -> new GaussianNLLLoss().compute(in[0], in[1], in[2]), input,
                target, var);
    }

    @Test
    void poissonNllGradientsMatchFiniteDifferences() {
        Tensor logRates = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        Tensor counts = Tensor.uniform(0, 5, DType.F64, 3, 4).requiresGrad(true);
        GradCheck.check("PoissonNLLLoss(full)", in -> new PoissonNLLLoss(true, true, 1e-8, Reduction.NONE)
                .compute(in[0], in[1]), logRates, counts);
    }

    @Test
    void poissonNllOfRatesGradientsMatchFiniteDifferences() {
        Tensor rates = Tensor.uniform(0.1, 3, DType.F64, 3, 4).requiresGrad(true);
        Tensor counts = Tensor.uniform(0, 5, DType.F64, 3, 4).requiresGrad(true);
        GradCheck.check("PoissonNLLLoss(rates)", in -> new PoissonNLLLoss(false, false).compute(in[0], in[1]),
                rates, counts);
    }

    @Test
    void gaussianNllRefusesAVarianceThatDoesNotFitTheInputNamingBoth() {
        Tensor input = Tensor.zeros(DType.F64, 3, 4);
        assertRefused(() -> new GaussianNLLLoss().compute(input, input, Tensor.ones(DType.F64, 4)),
                "GaussianNLLLoss: var [4] does not fit input [3, 4]");
        assertRefused(() -> new GaussianNLLLoss().compute(input, input, Tensor.ones(DType.F64, 3, 2)),
                "GaussianNLLLoss: var [3, 2] does not fit input [3, 4]");
        assertRefused(() -> new GaussianNLLLoss().compute(input, input, Tensor.ones(DType.F32, 3, 4)),
                "GaussianNLLLoss: var is F32, input F64");
        assertRefused(() -> new GaussianNLLLoss().compute(input, Tensor.zeros(DType.F64, 3), Tensor.ones(DType.F64, 3)),
                "GaussianNLLLoss: input [3, 4] and target [3]");
    }

    @Test
    void aNegativeEpsIsRefused() {
        assertRefused(() -> new GaussianNLLLoss(false, -1e-6, Reduction.MEAN), "GaussianNLLLoss: eps must be 0 or more",
                "got -1.0E-6");
        assertRefused(() -> new PoissonNLLLoss(true, false, Double.NaN, Reduction.MEAN),
                "PoissonNLLLoss: eps must be 0 or more", "got NaN");
    }

    @Test
    void poissonNllRefusesMismatchedShapesNamingBoth() {
        assertRefused(() -> new PoissonNLLLoss().compute(Tensor.zeros(DType.F64, 2, 3), Tensor.zeros(DType.F64, 3)),
                "PoissonNLLLoss: output [2, 3] and target [3]");
    }

    // ---- MarginRankingLoss, CosineEmbeddingLoss and TripletMarginLoss -------------------------------------------

    @Test
    void marginRankingGradientsMatchFiniteDifferences() {
        Tensor x1 = Tensor.randn(DType.F64, 8).requiresGrad(true);
        Tensor x2 = Tensor.randn(DType.F64, 8).requiresGrad(true);
        Tensor y = Tensor.fromArray(new double[] {1, -1, 1, 1, -1, -1, 1, -1}, 8);
        GradCheck.check("MarginRankingLoss(0.2)", in -> new MarginRankingLoss(0.2).compute(in[0], in[1], in[2]), x1,
                x2, y);
    }

    @Test
    void cosineEmbeddingGradientsMatchFiniteDifferences() {
        Tensor x1 = Tensor.randn(DType.F64, 5, 3).requiresGrad(true);
        Tensor x2 = Tensor.randn(DType.F64, 5, 3).requiresGrad(true);
        Tensor y = Tensor.fromArray(new long[] {1, -1, 1, -1, -1}, 5);
        GradCheck.check("CosineEmbeddingLoss(-0.5)",
                in -> new CosineEmbeddingLoss(-0.5, Reduction.NONE).compute(in[0], in[1], in[2]), x1, x2, y);
    }

    @Test
    void tripletMarginGradientsMatchFiniteDifferences() {
        Tensor anchor = Tensor.randn(DType.F64, 4, 3).requiresGrad(true);
        Tensor positive = Tensor.randn(DType.F64, 4, 3).requiresGrad(true);
        Tensor negative = Tensor.randn(DType.F64, 4, 3).requiresGrad(true);
        GradCheck.check("TripletMarginLoss(3, p=2, swap)",
                in -> new TripletMarginLoss(3, 2, 1e-6, true, Reduction.NONE).compute(in[0], in[1], in[2]), anchor,
                positive, negative);
        GradCheck.check("TripletMarginLoss(3, p=3)",
                in -> new TripletMarginLoss(3, 3, 1e-6, false, Reduction.MEAN).compute(in[0], in[1], in[2]), anchor,
                positive, negative);
    }

    @Test
    void marginRankingRefusesInputsOfDifferentShapesNamingThem() {
        Tensor x = Tensor.zeros(DType.F64, 4);
        assertRefused(() -> new MarginRankingLoss().compute(x, Tensor.zeros(DType.F64, 3), x),
                "MarginRankingLoss: input1 [4] and input2 [3]");
        assertRefused(() -> new MarginRankingLoss().compute(x, x, Tensor.fromArray(new long[4], 4)),
                "MarginRankingLoss: input1 (F64) and target (I64)");
    }

    @Test
    void cosineEmbeddingRefusesATargetThatDoesNotFitTheInputs() {
        Tensor x = Tensor.zeros(DType.F64, 4, 3);
        assertRefused(() -> new CosineEmbeddingLoss().compute(x, x, Tensor.zeros(DType.F64, 3)),
                "CosineEmbeddingLoss: inputs [4, 3] and target [3]", "expected [batch, dim] and [batch]");
        assertRefused(() -> new CosineEmbeddingLoss().compute(x, Tensor.zeros(DType.F64, 4, 2), Tensor.zeros(4)),
                "CosineEmbeddingLoss: input1 [4, 3] and input2 [4, 2]");
    }

    @Test
    void tripletMarginRefusesBadShapesAndANonPositiveP() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3, 4);
        assertRefused(() -> new TripletMarginLoss().compute(x, x, x), "TripletMarginLoss: anchor, positive and"
                + " negative are [2, 3, 4]", "expected [batch, dim] or [dim]");
        Tensor a = Tensor.zeros(DType.F64, 2, 3);
        assertRefused(() -> new TripletMarginLoss().compute(a, a, Tensor.zeros(DType.F64, 2, 4)),
                "TripletMarginLoss: anchor [2, 3] and negative [2, 4]");
        assertRefused(() -> new TripletMarginLoss(1, 0, 1e-6, false, Reduction.MEAN),
                "TripletMarginLoss: p must be positive", "got 0.0");
    }

    @Test
    void aNullReductionIsRefusedNamingTheLoss() {
        assertRefused(() -> new HuberLoss(1, null), "HuberLoss: reduction", "got null");
        assertRefused(() -> new SmoothL1Loss(1, null), "SmoothL1Loss: reduction", "got null");
        assertRefused(() -> new GaussianNLLLoss(false, 1e-6, null), "GaussianNLLLoss: reduction", "got null");
        assertRefused(() -> new PoissonNLLLoss(true, false, 1e-8, null), "PoissonNLLLoss: reduction", "got null");
        assertRefused(() -> new MarginRankingLoss(0, null), "MarginRankingLoss: reduction", "got null");
        assertRefused(() -> new CosineEmbeddingLoss(0, null), "CosineEmbeddingLoss: reduction", "got null");
        assertRefused(() -> new TripletMarginLoss(1, 2, 1e-6, false, null), "TripletMarginLoss: reduction",
                "got null");
    }
}
