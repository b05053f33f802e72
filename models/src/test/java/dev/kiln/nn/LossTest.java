package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LossTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor f64(double[] v, int... dims) {
        return Tensor.fromArray(v, dims);
    }

    // ---- Forward values against hand computation ------------------------------------------------------

    @Test
    void mseIsMeanOfSquaredDifferences() {
        // differences 1, 0, -2, 3 -> squares 1, 0, 4, 9 -> mean 3.5
        Tensor loss = new MSELoss().compute(f64(new double[] {1, 2, 3, 4}, 2, 2), f64(new double[] {0, 2, 5, 1}, 2, 2));
        assertEquals(0, loss.rank());
        assertEquals(3.5, loss.item(), 1e-12);
    }

    @Test
    void l1IsMeanOfAbsoluteDifferences() {
        Tensor loss = new L1Loss().compute(f64(new double[] {1, 2, 3, 4}, 2, 2), f64(new double[] {0, 2, 5, 1}, 2, 2));
        assertEquals(1.5, loss.item(), 1e-12);
    }

    @Test
    void hingeMatchesMultiMarginLossByHand() {
        // PyTorch's documented example row: ((1-0.8+0.1) + (1-0.8+0.2) + (1-0.8+0.4)) / 4 = 0.325;
        // second row, target 0: max(0, 1-1-1) + (1-1+0.5) + (1-1+3) = 3.5, / 4 = 0.875.
        Tensor x = f64(new double[] {0.1, 0.2, 0.4, 0.8, 1.0, -1.0, 0.5, 3.0}, 2, 4);
        Tensor y = Tensor.fromArray(new long[] {3, 0}, 2);
        assertEquals((0.325 + 0.875) / 2, new HingeLoss().compute(x, y).item(), 1e-12);
    }

    @Test
    void hingeAcceptsI32Targets() {
        Tensor x = f64(new double[] {0.1, 0.2, 0.4, 0.8}, 1, 4);
        assertEquals(0.325, new HingeLoss().compute(x, Tensor.fromArray(new int[] {3}, 1)).item(), 1e-12);
    }

    @Test
    void hingeNamesItselfTheTargetAndTheRangeForATargetOutsideTheClasses() {
        Tensor x = f64(new double[] {0.1, 0.2, 0.4, 0.8}, 1, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HingeLoss().compute(x, Tensor.fromArray(new long[] {4}, 1)));
        assertEquals("HingeLoss: target 4 is out of range [0, 4)", e.getMessage());
    }

    @Test
    void bceIsMeanNegativeLogLikelihoodWithLogClampedAtMinus100() {
        // p = 0 with y = 1 gives log(0) clamped to -100; p = 1 with y = 1 gives 0 (not 0 * -inf).
        Tensor p = f64(new double[] {0.9, 0.2, 0.0, 1.0}, 4, 1);
        Tensor y = f64(new double[] {1, 0, 1, 1}, 4, 1);
        double expected = (-Math.log(0.9) - Math.log(0.8) + 100 + 0) / 4;
        assertEquals(expected, new BCELoss().compute(p, y).item(), 1e-12);
    }

    @Test
    void bceWithLogitsEqualsBceOfSigmoid() {
        double[] x = {-3, -0.5, 0, 0.7, 4};
        double[] y = {0, 1, 1, 0.3, 1};
        double expected = 0;
        for (int i = 0; i < x.length; i++) {
            double s = 1 / (1 + Math.exp(-x[i]));
            expected -= (y[i] * Math.log(s) + (1 - y[i]) * Math.log(1 - s)) / x.length;
        }
        assertEquals(expected, new BCEWithLogitsLoss().compute(f64(x, 5), f64(y, 5)).item(), 1e-12);
    }

    @Test
    void bceWithLogitsIsStableForHugeLogits() {
        // y = 0, x = 1000: loss = 1000 (naive log(1 - sigmoid) would be -inf); y = 1, x = -1000 likewise.
        Tensor loss = new BCEWithLogitsLoss().compute(f64(new double[] {1000, -1000}, 2), f64(new double[] {0, 1}, 2));
        assertEquals(1000, loss.item(), 1e-9);
    }

    @Test
    void bceWithLogitsGradientAtZeroIsSigmoidMinusTarget() {
        Tensor x = f64(new double[] {0, 0}, 2).requiresGrad(true);
        new BCEWithLogitsLoss().compute(x, f64(new double[] {1, 0}, 2)).backward();
        assertValues(new double[] {(0.5 - 1) / 2, (0.5 - 0) / 2}, x.grad(), 1e-12);
    }

    @Test
    void crossEntropyIsMeanNegativeLogSoftmaxAtTarget() {
        Tensor logits = f64(new double[] {1, 2, 3, 1, 1, 1}, 2, 3);
        Tensor y = Tensor.fromArray(new long[] {2, 0}, 2);
        double row0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
        double row1 = Math.log(3);
        assertEquals((row0 + row1) / 2, new CrossEntropyLoss().compute(logits, y).item(), 1e-12);
    }

    @Test
    void smoothedCrossEntropyIsCrossEntropyAgainstTheSmoothedTargetDistribution() {
        double[] x = {1, 2, 3, 0, 0, 0};
        long[] y = {2, 0};
        double eps = 0.1;
        double expected = 0;
        for (int row = 0; row < 2; row++) {
            double logSum = Math.log(Math.exp(x[3 * row]) + Math.exp(x[3 * row + 1]) + Math.exp(x[3 * row + 2]));
            for (int k = 0; k < 3; k++) {
                double target = (k == y[row] ? 1 - eps : 0) + eps / 3;
                expected -= target * (x[3 * row + k] - logSum) / 2;
            }
        }
        Tensor loss = new CrossEntropyLoss(eps).compute(f64(x, 2, 3), Tensor.fromArray(y, 2));
        assertEquals(expected, loss.item(), 1e-12);
    }

    @Test
    void labelSmoothingOutsideZeroToOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(1.5));
        assertTrue(e.getMessage().contains("label smoothing") && e.getMessage().contains("1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(-0.1));
    }

    @Test
    void klDivIsBatchMeanOfTargetTimesLogRatioWithZeroTermsDropped() {
        double[] p = {0.5, 0.5, 0, 0.1, 0.2, 0.7};
        double[] q = {0.25, 0.25, 0.5, 0.3, 0.3, 0.4};
        double[] logQ = new double[6];
        double expected = 0;
        for (int i = 0; i < 6; i++) {
            logQ[i] = Math.log(q[i]);
            if (p[i] > 0) {
                expected += p[i] * Math.log(p[i] / q[i]) / 2;
            }
        }
        assertEquals(expected, new KLDivLoss().compute(f64(logQ, 2, 3), f64(p, 2, 3)).item(), 1e-12);
    }

    @Test
    void klDivOfANegativeTargetIsNanAndOfAZeroTargetZeroAsPyTorchs() {
        // torch.nn.KLDivLoss(reduction='none')(input, target) and its input gradient, PyTorch 1.13
        Tensor input = f64(new double[] {-1.0, -2.0, -0.5, -0.3}, 1, 4).requiresGrad(true);
        Tensor target = f64(new double[] {0.5, -0.25, 0.0, 0.75}, 1, 4);
        Tensor loss = new KLDivLoss(KLDivReduction.NONE, false).compute(input, target);
        double[] terms = loss.toDoubleArray();
        assertEquals(0.15342640972002736, terms[0], 1e-15);
        assertTrue(Double.isNaN(terms[1]), "a negative target gives NaN, got " + terms[1]);
        assertEquals(0.0, terms[2]);
        assertEquals(0.009238445661164302, terms[3], 1e-15);
        loss.sum().backward();
        assertValues(new double[] {-0.5, 0.25, 0.0, -0.75}, input.grad(), 1e-15);
    }

    @Test
    void klDivOfADistributionWithItselfIsZero() {
        Tensor logits = Tensor.randn(DType.F64, 3, 4);
        Tensor loss = new KLDivLoss().compute(F.logSoftmax(logits, 1), F.softmax(logits, 1));
        assertEquals(0, loss.item(), 1e-12);
    }

    @Test
    void mismatchedShapesAreRefusedWithBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MSELoss().compute(Tensor.zeros(4, 3), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().compute(Tensor.zeros(4, 3), Tensor.zeros(4)));
    }

    @Test
    void aNullReductionIsRefusedNamingTheLoss() {
        Map<String, Executable> constructors = new LinkedHashMap<>();
        constructors.put("MSELoss", () -> new MSELoss(null));
        constructors.put("L1Loss", () -> new L1Loss(null));
        constructors.put("BCELoss", () -> new BCELoss(null));
        constructors.put("BCEWithLogitsLoss", () -> new BCEWithLogitsLoss((Reduction) null));
        constructors.put("HingeLoss", () -> new HingeLoss(1, null));
        constructors.put("CrossEntropyLoss", () -> new CrossEntropyLoss(0.1, -100, null));
        constructors.put("KLDivLoss", () -> new KLDivLoss(null, false));
        constructors.forEach((loss, constructor) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, constructor, loss);
            assertTrue(e.getMessage().startsWith(loss + ": reduction") && e.getMessage().contains("got null"),
                    e.getMessage());
        });
    }

    @Test
    void posWeightOfTheWrongLengthIsRefusedNamingBothShapes() {
        BCEWithLogitsLoss loss = new BCEWithLogitsLoss(Tensor.ones(DType.F64, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(Tensor.zeros(DType.F64, 2, 4), Tensor.zeros(DType.F64, 2, 4)));
        assertTrue(e.getMessage().startsWith("BCEWithLogitsLoss: pos_weight [3]") && e.getMessage().contains("[2, 4]")
                && e.getMessage().contains("expected [4]"), e.getMessage());
    }

    @Test
    void aWeightThatDoesNotBroadcastToTheOutputIsRefusedNamingBothShapes() {
        for (int[] dims : new int[][] {{3}, {2, 2, 4}, {4, 1, 1}}) {
            BCEWithLogitsLoss loss = new BCEWithLogitsLoss(Tensor.ones(DType.F64, dims), null, Reduction.MEAN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loss.compute(Tensor.zeros(DType.F64, 2, 4), Tensor.zeros(DType.F64, 2, 4)));
            assertEquals("BCEWithLogitsLoss: weight " + Shape.of(dims) + " does not broadcast to the output's shape"
                    + " [2, 4]", e.getMessage());
        }
    }

    @Test
    void aWeightOfAnotherDtypeThanTheOutputIsRefused() {
        BCEWithLogitsLoss loss = new BCEWithLogitsLoss(Tensor.ones(DType.F32, 4), null, Reduction.MEAN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(Tensor.zeros(DType.F64, 2, 4), Tensor.zeros(DType.F64, 2, 4)));
        assertEquals("BCEWithLogitsLoss: weight is F32, output F64: they must match", e.getMessage());
    }

    @Test
    void posWeightOfRankTwoIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BCEWithLogitsLoss(Tensor.ones(DType.F64, 1, 4)));
        assertTrue(e.getMessage().startsWith("BCEWithLogitsLoss: pos_weight") && e.getMessage().contains("[1, 4]"),
                e.getMessage());
    }

    @Test
    void posWeightOfAnotherDtypeThanTheOutputIsRefused() {
        BCEWithLogitsLoss loss = new BCEWithLogitsLoss(Tensor.ones(DType.F32, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(Tensor.zeros(DType.F64, 2, 4), Tensor.zeros(DType.F64, 2, 4)));
        assertTrue(e.getMessage().contains("pos_weight is F32, output F64"), e.getMessage());
    }

    @Test
    void posWeightOfOneKeepsTheUnweightedLoss() {
        Tensor x = Tensor.randn(DType.F64, 3, 4);
        Tensor y = Tensor.rand(DType.F64, 3, 4);
        double weighted = new BCEWithLogitsLoss(Tensor.ones(DType.F64, 4)).compute(x, y).item();
        assertEquals(new BCEWithLogitsLoss().compute(x, y).item(), weighted, 1e-12);
    }

    @Test
    void klDivBatchMeanOfAScalarIsRefusedButItsSumIsNot() {
        Tensor scalar = Tensor.full(-0.5, DType.F64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KLDivLoss().compute(scalar, Tensor.full(0.5, DType.F64)));
        assertTrue(e.getMessage().startsWith("KLDivLoss: BATCH_MEAN"), e.getMessage());
        double sum = new KLDivLoss(KLDivReduction.SUM, false).compute(scalar, Tensor.full(0.5, DType.F64)).item();
        assertEquals(0.5 * Math.log(0.5) + 0.25, sum, 1e-12);
    }

    // ---- Gradients against finite differences (F64) ---------------------------------------------------

    @Test
    void mseGradientsMatchFiniteDifferences() {
        Tensor out = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        Tensor target = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        GradCheck.check("MSELoss", in -> new MSELoss().compute(in[0], in[1]), out, target);
    }

    @Test
    void l1GradientsMatchFiniteDifferences() {
        Tensor out = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        Tensor target = Tensor.randn(DType.F64, 3, 4);
        GradCheck.check("L1Loss", in -> new L1Loss().compute(in[0], in[1]), out, target);
    }

    @Test
    void hingeGradientsMatchFiniteDifferences() {
        Tensor out = Tensor.randn(DType.F64, 5, 4).requiresGrad(true);
        Tensor target = Tensor.fromArray(new long[] {0, 3, 1, 2, 3}, 5);
        GradCheck.check("HingeLoss", in -> new HingeLoss().compute(in[0], in[1]), out, target);
    }

    @Test
    void bceGradientsMatchFiniteDifferences() {
        Tensor p = Tensor.uniform(0.05, 0.95, DType.F64, 4, 3).requiresGrad(true);
        Tensor y = Tensor.uniform(0, 1, DType.F64, 4, 3).requiresGrad(true);
        GradCheck.check("BCELoss", in -> new BCELoss().compute(in[0], in[1]), p, y);
    }

    @Test
    void bceWithLogitsGradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 4, 3).mul(3).detach().requiresGrad(true);
        Tensor y = Tensor.uniform(0, 1, DType.F64, 4, 3).requiresGrad(true);
        GradCheck.check("BCEWithLogitsLoss", in -> new BCEWithLogitsLoss().compute(in[0], in[1]), x, y);
    }

    @Test
    void bceWithLogitsWeightAndPosWeightGradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 4, 3).mul(3).detach().requiresGrad(true);
        Tensor y = Tensor.uniform(0, 1, DType.F64, 4, 3).requiresGrad(true);
        Tensor weight = Tensor.uniform(0.5, 2, DType.F64, 4, 1);
        Tensor posWeight = Tensor.uniform(0.5, 3, DType.F64, 3);
        GradCheck.check("BCEWithLogitsLoss(weight, pos_weight)",
                in -> new BCEWithLogitsLoss(weight, posWeight, Reduction.MEAN).compute(in[0], in[1]), x, y);
    }

    @Test
    void crossEntropyGradientsMatchFiniteDifferences() {
        Tensor logits = Tensor.randn(DType.F64, 4, 5).requiresGrad(true);
        Tensor y = Tensor.fromArray(new long[] {4, 0, 2, 2}, 4);
        GradCheck.check("CrossEntropyLoss", in -> new CrossEntropyLoss().compute(in[0], in[1]), logits, y);
    }

    @Test
    void smoothedCrossEntropyGradientsMatchFiniteDifferences() {
        Tensor logits = Tensor.randn(DType.F64, 4, 5).requiresGrad(true);
        Tensor y = Tensor.fromArray(new long[] {4, 0, 2, 2}, 4);
        GradCheck.check("CrossEntropyLoss(0.2)", in -> new CrossEntropyLoss(0.2).compute(in[0], in[1]), logits, y);
    }

    @Test
    void klDivGradientsMatchFiniteDifferences() {
        Tensor input = F.logSoftmax(Tensor.randn(DType.F64, 3, 4), 1).detach().requiresGrad(true);
        Tensor target = Tensor.uniform(0.05, 1, DType.F64, 3, 4).requiresGrad(true);
        GradCheck.check("KLDivLoss", in -> new KLDivLoss().compute(in[0], in[1]), input, target);
    }
}
