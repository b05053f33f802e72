package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link F#crossEntropy(Tensor, Tensor, Reduction, long)} and {@link CrossEntropyLoss} with an ignore index: values
 * and gradients against PyTorch 1.13's {@code F.cross_entropy(x, t, ignore_index=-100, reduction=...)} on one batch
 * whose second row is padding, finite differences, and the reductions without an ignore index.
 */
class CrossEntropyReductionTest {
    private static final double[] LOGITS = {0.5, -1.25, 2.0, 1.5, 0.25, -0.75, -2.0, 0.75, 1.0, 0.0, 1.75, -0.5};
    private static final long[] TARGETS = {2, -100, 0, 1};

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(7);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor logits() {
        return Tensor.fromArray(LOGITS, 4, 3).requiresGrad(true);
    }

    private static Tensor targets() {
        return Tensor.fromArray(TARGETS, 4);
    }

    @Test
    void noneGivesEachRowsLossAndZeroForTheIgnoredRowAsPyTorch() {
        Tensor x = logits();
        Tensor losses = F.crossEntropy(x, targets(), Reduction.NONE, -100);
        assertArrayEquals(new double[] {0.23262198310203266, 0.0, 3.6035440030857773, 0.246213906717483},
                losses.toDoubleArray(), 1e-12);
        losses.mul(Tensor.fromArray(new double[] {1, 2, 3, 4}, 4)).sum().backward();
        assertArrayEquals(new double[] {0.1768201821074443, 0.030726740326436432, -0.20754692243388073, 0, 0, 0,
                -2.918318824558508, 1.2777085592990507, 1.6406102652594572, 0.543394585802547, -0.8729800624136383,
                0.329585476611092}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void sumAddsTheRowsThatCountAsPyTorch() {
        Tensor x = logits();
        Tensor loss = F.crossEntropy(x, targets(), Reduction.SUM, -100);
        assertEquals(4.082379892905293, loss.item(), 1e-12);
        loss.backward();
        assertArrayEquals(new double[] {0.1768201821074443, 0.030726740326436432, -0.20754692243388073, 0, 0, 0,
                -0.9727729415195027, 0.42590285309968356, 0.5468700884198191, 0.13584864645063674, -0.2182450156034096,
                0.082396369152773}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void meanDividesByTheRowsThatCountAsPyTorch() {
        Tensor x = logits();
        Tensor loss = F.crossEntropy(x, targets(), Reduction.MEAN, -100);
        assertEquals(1.3607932976350978, loss.item(), 1e-12);
        loss.backward();
        assertArrayEquals(new double[] {0.05894006070248143, 0.01024224677547881, -0.06918230747796024, 0, 0, 0,
                -0.3242576471731675, 0.14196761769989452, 0.18229002947327302, 0.04528288215021224, -0.07274833853446985,
                0.027465456384257667}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void theLossLayerWithLabelSmoothingAveragesBothTermsOverTheRowsThatCountAsPyTorch() {
        Tensor x = logits();
        Tensor loss = new CrossEntropyLoss(0.2, -100).compute(x, targets());
        assertEquals(1.4274599643017645, loss.item(), 1e-12);
        loss.backward();
        assertArrayEquals(new double[] {0.0367178384802592, -0.011979975446743413, -0.024737863033515786, 0, 0, 0,
                -0.27981320272872306, 0.11974539547767227, 0.16006780725105077, 0.023060659927990012,
                -0.02830389409002545, 0.005243234162035437}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void gradientsOfEveryReductionMatchFiniteDifferences() {
        Tensor t = Tensor.fromArray(new long[] {1, 4, -1, 0, -1, 2}, 6);
        for (Reduction r : Reduction.values()) {
            Tensor x = Tensor.randn(DType.F64, 6, 5).requiresGrad(true);
            GradCheck.check("crossEntropy " + r + " ignoring -1", in -> F.crossEntropy(in[0], t, r, -1), x);
        }
    }

    @Test
    void withoutAnIgnoreIndexSumIsNTimesTheMeanAndNoneHoldsEachRow() {
        Tensor x = Tensor.randn(DType.F64, 5, 4);
        Tensor t = Tensor.fromArray(new long[] {0, 3, 1, 1, 2}, 5);
        double mean = F.crossEntropy(x, t).item();
        assertEquals(5 * mean, F.crossEntropy(x, t, Reduction.SUM).item(), 1e-12);
        assertEquals(mean, F.crossEntropy(x, t, Reduction.MEAN).item(), 0);
        double[] rows = F.crossEntropy(x, t, Reduction.NONE).toDoubleArray();
        for (int r = 0; r < 5; r++) {
            double[] row = x.toDoubleArray();
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 4; c++) {
                max = Math.max(max, row[r * 4 + c]);
            }
            double sum = 0;
            for (int c = 0; c < 4; c++) {
                sum += Math.exp(row[r * 4 + c] - max);
            }
            assertEquals(max + Math.log(sum) - row[r * 4 + (int) t.toLongArray()[r]], rows[r], 1e-12, "row " + r);
        }
    }

    @Test
    void theDefaultLossIgnoresRowsOfTargetMinus100AsPyTorchsDefault() {
        Tensor x = logits();
        assertEquals(new CrossEntropyLoss(0, -100).compute(x, targets()).item(),
                new CrossEntropyLoss().compute(x, targets()).item(), 0.0);
    }

    @Test
    void targetsKnownToLeaveOutTheIgnoreIndexGiveTheFusedMeanBitForBit() {
        Tensor x = logits();
        Tensor inRange = Tensor.fromArray(new long[] {2, 1, 0, 1}, 4);
        assertEquals(false, inRange.mayContain(-100));
        assertEquals(F.crossEntropy(x, inRange).item(), F.crossEntropy(x, inRange, Reduction.MEAN, -100).item(), 0.0);
        assertEquals(F.crossEntropy(x, inRange).item(), new CrossEntropyLoss().compute(x, inRange).item(), 0.0);
    }

    @Test
    void targetsConvertedFromFloatsMayHoldAnyValueAndStillCountTheIgnoredRows() {
        Tensor converted = Tensor.fromArray(new double[] {2, -100, 0, 1}, 4).to(DType.I64);
        assertTrue(converted.mayContain(-100));
        assertTrue(converted.mayContain(7), "nothing is known of a conversion's values");
        Tensor x = logits();
        assertEquals(new CrossEntropyLoss(0, -100).compute(x, targets()).item(),
                new CrossEntropyLoss().compute(x, converted).item(), 0.0);
    }

    @Test
    void aBatchOfPaddingAloneHasANanMeanAsInPyTorch() {
        Tensor x = logits();
        Tensor padding = Tensor.fromArray(new long[] {-100, -100, -100, -100}, 4);
        assertTrue(Double.isNaN(F.crossEntropy(x, padding, Reduction.MEAN, -100).item()));
        assertEquals(0, F.crossEntropy(x, padding, Reduction.SUM, -100).item(), 0);
    }

    @Test
    void aTargetOutsideTheClassesThatIsNotTheIgnoreIndexIsNamed() {
        Tensor x = logits();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Tensor.fromArray(new long[] {2, -100, -1, 1}, 4), Reduction.MEAN, -100));
        assertTrue(e.getMessage().contains("target -1") && e.getMessage().contains("[0, 3)")
                && e.getMessage().contains("ignore index -100"), e.getMessage());
    }

    @Test
    void i32TargetsGiveTheSameLossAsI64() {
        Tensor x = logits();
        Tensor i32 = Tensor.fromArray(TARGETS, 4).to(DType.I32);
        assertEquals(F.crossEntropy(x, targets(), Reduction.MEAN, -100).item(),
                F.crossEntropy(x, i32, Reduction.MEAN, -100).item(), 0);
    }

    /**
     * An ignored row adds nothing even when its logits are infinite or NaN (padding), as in PyTorch, which never reads
     * its loss: values and gradient as PyTorch 1.13's {@code cross_entropy(x, t, ignore_index=-100)}, whose gradient
     * is 0 for the row with -inf and NaN for the row holding a NaN (its softmax's backward multiplies NaN by 0).
     */
    @Test
    void anIgnoredRowWithInfiniteOrNanLogitsAddsNothingAsInPyTorch() {
        double inf = Double.POSITIVE_INFINITY;
        Tensor x = Tensor.fromArray(new double[] {-inf, 0, 1, 0, 1, 2, Double.NaN, inf, 0}, 3, 3).requiresGrad(true);
        Tensor t = Tensor.fromArray(new long[] {-100, 2, -100}, 3);
        double row = Math.log(1 + Math.E + Math.E * Math.E) - 2;
        assertArrayEquals(new double[] {0, row, 0}, F.crossEntropy(x, t, Reduction.NONE, -100).toDoubleArray(), 1e-12);
        assertEquals(row, F.crossEntropy(x, t, Reduction.SUM, -100).item(), 1e-12);
        Tensor mean = F.crossEntropy(x, t, Reduction.MEAN, -100);
        assertEquals(row, mean.item(), 1e-12);
        mean.backward();
        double[] g = x.grad().toDoubleArray();
        assertArrayEquals(new double[] {0, 0, 0}, java.util.Arrays.copyOfRange(g, 0, 3), 0, "the row with -inf");
        assertArrayEquals(new double[] {0.09003057317038043, 0.24472847105479764, -0.3347590442251782},
                java.util.Arrays.copyOfRange(g, 3, 6), 1e-12, "the row that counts");
        // torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)(x, t), PyTorch 1.13
        assertEquals(0.5076059644443804, new CrossEntropyLoss(0.1, -100).compute(x, t).item(), 1e-12);
    }
}
