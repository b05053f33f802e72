package dev.kiln.nn;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CTCLossTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(7);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor logProbs(int steps, int batch, int classes) {
        return F.logSoftmax(Tensor.randn(DType.F64, steps, batch, classes), 2).detach().requiresGrad(true);
    }

    private static Tensor targets(long[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }

    private static double loss(Tensor logProbs, long[] target, int inputLength) {
        return new CTCLoss(0, Reduction.SUM, false).compute(logProbs, targets(target, 1, target.length),
                new int[] {inputLength}, new int[] {target.length}).item();
    }

    /** log p[t][c] of a [T, 1, C] tensor. */
    private static double p(double[] logProbs, int classes, int t, int c) {
        return Math.exp(logProbs[t * classes + c]);
    }

    @Test
    void aSingleLabelSumsItsThreeAlignmentsOfTwoSteps() {
        Tensor lp = logProbs(2, 1, 3);
        double[] v = lp.toDoubleArray();
        // "2 2", "- 2" and "2 -" all read as the target (2).
        double expected = p(v, 3, 0, 2) * p(v, 3, 1, 2) + p(v, 3, 0, 0) * p(v, 3, 1, 2) + p(v, 3, 0, 2) * p(v, 3, 1, 0);
        assertEquals(-Math.log(expected), loss(lp, new long[] {2}, 2), 1e-12);
    }

    @Test
    void aRepeatedLabelNeedsABlankBetweenItsTwoSteps() {
        Tensor lp = logProbs(3, 1, 3);
        double[] v = lp.toDoubleArray();
        // Only "1 - 1" reads as (1, 1) in three steps; "1 1 -" would read as (1).
        assertEquals(-Math.log(p(v, 3, 0, 1) * p(v, 3, 1, 0) * p(v, 3, 2, 1)), loss(lp, new long[] {1, 1}, 3), 1e-12);
    }

    @Test
    void anEmptyTargetIsTheBlankAtEveryStepOfItsInput() {
        Tensor lp = logProbs(4, 1, 3);
        double[] v = lp.toDoubleArray();
        double expected = -(v[0] + v[3] + v[6]);
        assertEquals(expected, loss(lp, new long[] {}, 3), 1e-12);
    }

    @Test
    void paddedAndConcatenatedTargetsGiveTheSameLosses() {
        Tensor lp = logProbs(6, 3, 5);
        CTCLoss ctc = new CTCLoss(0, Reduction.NONE, false);
        int[] inputLengths = {6, 4, 5};
        int[] targetLengths = {2, 0, 3};
        double[] padded = ctc.compute(lp, targets(new long[] {1, 2, 9, 9, 9, 9, 3, 3, 4}, 3, 3), inputLengths,
                targetLengths).toDoubleArray();
        double[] concatenated = ctc.compute(lp, targets(new long[] {1, 2, 3, 3, 4}, 5), inputLengths, targetLengths)
                .toDoubleArray();
        for (int n = 0; n < 3; n++) {
            assertEquals(padded[n], concatenated[n], 1e-12, "sample " + n);
        }
    }

    @Test
    void targetsGivenOnTheHostGiveTheSameLossesAndGradientsAsATargetsTensor() {
        Tensor fromTensor = logProbs(6, 3, 5);
        Tensor fromHost = fromTensor.detach().copy().requiresGrad(true);
        CTCLoss ctc = new CTCLoss(0, Reduction.MEAN, false);
        int[] inputLengths = {6, 4, 5};
        Tensor expected = ctc.compute(fromTensor, targets(new long[] {1, 2, 3, 3, 4}, 5), inputLengths,
                new int[] {2, 0, 3});
        Tensor actual = ctc.compute(fromHost, new long[][] {{1, 2}, {}, {3, 3, 4}}, inputLengths);
        expected.backward();
        actual.backward();
        assertEquals(expected.item(), actual.item(), 0);
        assertArrayEquals(fromTensor.grad().toDoubleArray(), fromHost.grad().toDoubleArray(), 0);
    }

    @Test
    void hostTargetsForAnotherBatchSizeAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CTCLoss().compute(logProbs(4, 2, 3), new long[][] {{1}}, new int[] {4, 4}));
        assertEquals("CTCLoss: 1 targets for a batch of 2: expected one per sample", e.getMessage());
    }

    @Test
    void targetsMayBeI32() {
        Tensor lp = logProbs(5, 2, 4);
        CTCLoss ctc = new CTCLoss();
        long[] labels = {1, 3, 2, 2};
        int[] inputLengths = {5, 5};
        int[] targetLengths = {2, 2};
        double asI64 = ctc.compute(lp, targets(labels, 2, 2), inputLengths, targetLengths).item();
        double asI32 = ctc.compute(lp, targets(labels, 2, 2).to(DType.I32), inputLengths, targetLengths).item();
        assertEquals(asI64, asI32, 0);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithMixedLengthsRepeatsAndBlankLast() {
        Tensor lp = logProbs(6, 3, 4);
        Tensor target = targets(new long[] {1, 1, 2, 0, 2, 1, 0, 0, 1}, 3, 3);
        CTCLoss ctc = new CTCLoss(3, Reduction.NONE, false);
        GradCheck.check("CTCLoss none", in -> ctc.compute(in[0], target, new int[] {6, 4, 2}, new int[] {3, 3, 1}), lp);
    }

    @Test
    void gradientsOfTheMeanMatchFiniteDifferences() {
        Tensor lp = logProbs(5, 2, 3);
        Tensor target = targets(new long[] {1, 2, 2, 0}, 2, 2);
        GradCheck.check("CTCLoss mean", in -> new CTCLoss().compute(in[0], target, new int[] {5, 3},
                new int[] {2, 1}), lp);
    }

    @Test
    void gradientsWithZeroInfinityMatchFiniteDifferences() {
        Tensor lp = logProbs(3, 2, 3);
        Tensor target = targets(new long[] {1, 1, 2, 0}, 2, 2);
        CTCLoss ctc = new CTCLoss(0, Reduction.SUM, true);
        GradCheck.check("CTCLoss zero infinity", in -> ctc.compute(in[0], target, new int[] {2, 3},
                new int[] {2, 1}), lp);
    }

    /** Target (2, 4) in 4 of 5 steps: no alignment starts with 4, ends with 2, or reads class 1, 3 or 5. */
    @Test
    void whatNoAlignmentUsesGetsExactlyZeroGradient() {
        Tensor lp = logProbs(5, 1, 6);
        new CTCLoss().compute(lp, targets(new long[] {2, 4}, 1, 2), new int[] {4}, new int[] {2}).backward();
        double[] grad = lp.grad().toDoubleArray();
        for (int t = 0; t < 5; t++) {
            for (int c = 0; c < 6; c++) {
                boolean used = t < 4 && (c == 0 || c == 2 && t < 3 || c == 4 && t > 0);
                double g = grad[t * 6 + c];
                assertTrue(used ? g < 0 : g == 0.0, "gradient at step " + t + ", class " + c + ": " + g);
            }
        }
    }

    @Test
    void logProbabilitiesOfMinusInfinityLeaveTheLossAndGradientFinite() {
        double[] values = logProbs(4, 1, 3).toDoubleArray();
        values[1] = Double.NEGATIVE_INFINITY;
        values[4] = Double.NEGATIVE_INFINITY;
        Tensor lp = Tensor.fromArray(values, 4, 1, 3).requiresGrad(true);
        Tensor loss = new CTCLoss().compute(lp, targets(new long[] {1}, 1, 1), new int[] {4}, new int[] {1});
        loss.backward();
        assertTrue(Double.isFinite(loss.item()), "loss " + loss.item());
        for (double g : lp.grad().toDoubleArray()) {
            assertTrue(Double.isFinite(g), "gradient " + g);
        }
    }

    @Test
    void anF32LossMatchesTheF64One() {
        Tensor lp = logProbs(8, 2, 5);
        Tensor target = targets(new long[] {1, 2, 2, 3, 4, 4, 1, 0}, 2, 4);
        int[] inputLengths = {8, 7};
        int[] targetLengths = {4, 3};
        double f64 = new CTCLoss().compute(lp, target, inputLengths, targetLengths).item();
        double f32 = new CTCLoss().compute(lp.to(DType.F32), target, inputLengths, targetLengths).item();
        assertEquals(f64, f32, 1e-5);
    }

    private static void assertRefused(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void refusesABlankOutsideTheClasses() {
        Tensor lp = logProbs(3, 1, 4);
        assertRefused("blank must be a class index, 0 or more, got -1",
                () -> new CTCLoss(-1, Reduction.MEAN, false));
        assertRefused("blank 4 is not one of the 4 classes of log-probabilities [3, 1, 4]: expected 0 <= blank < 4",
                () -> new CTCLoss(4, Reduction.MEAN, false).compute(lp, targets(new long[] {1}, 1, 1), new int[] {3},
                        new int[] {1}));
    }

    @Test
    void refusesATargetThatHoldsTheBlankOrAClassOutOfRange() {
        Tensor lp = logProbs(3, 2, 4);
        assertRefused("target 0 of sample 1 at position 1 must be a class in [0, 4) other than the blank 0",
                () -> new CTCLoss().compute(lp, targets(new long[] {1, 2, 3, 0}, 2, 2), new int[] {3, 3},
                        new int[] {2, 2}));
        assertRefused("target 4 of sample 0 at position 0 must be a class in [0, 4) other than the blank 0",
                () -> new CTCLoss().compute(lp, targets(new long[] {4, 2, 3, 1}, 2, 2), new int[] {3, 3},
                        new int[] {2, 2}));
    }

    @Test
    void refusesTargetLengthsLongerThanTheTargetsOrNotOnePerSample() {
        Tensor lp = logProbs(5, 2, 4);
        Tensor target = targets(new long[] {1, 2, 3, 1}, 2, 2);
        assertRefused("target length 3 of sample 1 must be in [0, 2], the width S of targets [2, 2]",
                () -> new CTCLoss().compute(lp, target, new int[] {5, 5}, new int[] {2, 3}));
        assertRefused("target lengths has 1 entries, expected one per sample: 2",
                () -> new CTCLoss().compute(lp, target, new int[] {5, 5}, new int[] {2}));
        assertRefused("concatenated targets [4] must hold the sum of the target lengths, 3 labels",
                () -> new CTCLoss().compute(lp, targets(new long[] {1, 2, 3, 1}, 4), new int[] {5, 5},
                        new int[] {2, 1}));
    }

    @Test
    void refusesInputLengthsOutsideOneToTOrNotOnePerSample() {
        Tensor lp = logProbs(5, 2, 4);
        Tensor target = targets(new long[] {1, 2, 3, 1}, 2, 2);
        assertRefused("input length 6 of sample 0 must be in [1, 5], T of log-probabilities [5, 2, 4]",
                () -> new CTCLoss().compute(lp, target, new int[] {6, 5}, new int[] {2, 2}));
        assertRefused("input length 0 of sample 1 must be in [1, 5]",
                () -> new CTCLoss().compute(lp, target, new int[] {5, 0}, new int[] {2, 2}));
        assertRefused("input lengths has 3 entries, expected one per sample: 2",
                () -> new CTCLoss().compute(lp, target, new int[] {5, 5, 5}, new int[] {2, 2}));
    }

    @Test
    void refusesShapesAndDtypesThatDoNotFit() {
        Tensor lp = logProbs(5, 2, 4);
        assertRefused("log-probabilities F64 [10, 4]: expected [T, batch, classes], F32 or F64",
                () -> new CTCLoss().compute(lp.reshape(10, 4), targets(new long[] {1, 2}, 2, 1), new int[] {5, 5},
                        new int[] {1, 1}));
        assertRefused("targets [3, 1] for a batch of 2: expected [2, S]",
                () -> new CTCLoss().compute(lp, targets(new long[] {1, 2, 3}, 3, 1), new int[] {5, 5},
                        new int[] {1, 1}));
        assertRefused("targets must hold class indices (I64 or I32), got F64",
                () -> new CTCLoss().compute(lp, Tensor.fromArray(new double[] {1, 2}, 2, 1), new int[] {5, 5},
                        new int[] {1, 1}));
        assertRefused("targets [2, 1, 1]: expected [batch, S] padded or [sum(target lengths)] concatenated",
                () -> new CTCLoss().compute(lp, targets(new long[] {1, 2}, 2, 1, 1), new int[] {5, 5},
                        new int[] {1, 1}));
    }

    @Test
    void refusesANullReduction() {
        assertRefused("reduction must be MEAN, SUM or NONE, got null", () -> new CTCLoss(0, null, false));
    }
}
