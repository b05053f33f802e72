package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Each schedule's learning rates, epoch after epoch, against PyTorch's closed forms written out here, on an
 * optimizer with two groups of different base rates (0.1 and 0.02).
 */
class LearningRateScheduleTest {
    private static final double BASE0 = 0.1;
    private static final double BASE1 = 0.02;
    private static final double TOLERANCE = 1e-15;

    private Scope scope;
    private Optimizer optimizer;

    @BeforeEach
    void setUp() {
        scope = Scope.open();
        Tensor a = Tensor.fromArray(new double[] {1.0}, 1).requiresGrad(true);
        Tensor b = Tensor.fromArray(new double[] {1.0}, 1).requiresGrad(true);
        optimizer = new SGD(List.of(new ParamGroup(List.of(a), BASE0), new ParamGroup(List.of(b), BASE1)));
    }

    @AfterEach
    void tearDown() {
        optimizer.close();
        scope.close();
    }

    private double lr(int group) {
        return optimizer.groups().get(group).lr();
    }

    /** Steps {@code schedule} after epochs 1..epochs and compares both groups with factor(e) * base. */
    private void checkFactors(LearningRateSchedule schedule, int epochs, IntToDoubleFunction factor) {
        assertEquals(BASE0 * factor.applyAsDouble(0), lr(0), TOLERANCE, "first epoch");
        for (int e = 1; e <= epochs; e++) {
            schedule.step(e, Double.NaN);
            assertEquals(BASE0 * factor.applyAsDouble(e), lr(0), TOLERANCE, "group 0 after epoch " + e);
            assertEquals(BASE1 * factor.applyAsDouble(e), lr(1), TOLERANCE, "group 1 after epoch " + e);
            assertEquals(lr(0), optimizer.learningRate());
        }
    }

    @Test
    void stepLR() {
        checkFactors(new StepLR(optimizer, 3, 0.5), 10, e -> Math.pow(0.5, e / 3));
    }

    @Test
    void stepLRWrittenOut() {
        StepLR s = new StepLR(optimizer, 2, 0.1);
        double[] expected = {0.1, 0.01, 0.01, 0.001, 0.001};
        for (int e = 1; e <= expected.length; e++) {
            s.step(e, 0);
            assertEquals(expected[e - 1], lr(0), 1e-15, "after epoch " + e);
        }
    }

    @Test
    void exponentialLR() {
        checkFactors(new ExponentialLR(optimizer, 0.9), 10, e -> Math.pow(0.9, e));
    }

    @Test
    void cosineAnnealingLR() {
        int tMax = 5;
        double minLr = 0.001;
        CosineAnnealingLR s = new CosineAnnealingLR(optimizer, tMax, minLr);
        for (int e = 1; e <= 8; e++) {
            s.step(e, Double.NaN);
            double c = (1 + Math.cos(Math.PI * e / tMax)) / 2;
            assertEquals(minLr + (BASE0 - minLr) * c, lr(0), TOLERANCE, "group 0 after epoch " + e);
            assertEquals(minLr + (BASE1 - minLr) * c, lr(1), TOLERANCE, "group 1 after epoch " + e);
        }
    }

    @Test
    void cosineAnnealingReachesMinLrAtTMax() {
        CosineAnnealingLR s = new CosineAnnealingLR(optimizer, 4, 0.0);
        s.step(2, Double.NaN);
        assertEquals(0.05, lr(0), 1e-15);
        s.step(4, Double.NaN);
        assertEquals(0.0, lr(0), 1e-17);
    }

    @Test
    void linearWarmupAloneRampsThenHolds() {
        LinearWarmup s = new LinearWarmup(optimizer, 4, null);
        // Epochs 1..4 train at 1/4, 2/4, 3/4, 4/4 of the base; the rate set after epoch e is for epoch e + 1.
        checkFactors(s, 8, e -> e < 4 ? (e + 1) / 4.0 : 1.0);
    }

    @Test
    void linearWarmupThenCosine() {
        int warmup = 3;
        int tMax = 4;
        CosineAnnealingLR cosine = new CosineAnnealingLR(optimizer, tMax, 0.0);
        LinearWarmup s = new LinearWarmup(optimizer, warmup, cosine);
        checkFactors(s, 9, e -> e < warmup ? (e + 1) / (double) warmup
                : (1 + Math.cos(Math.PI * (e - warmup) / tMax)) / 2);
    }

    @Test
    void reduceOnPlateauWrittenOut() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(optimizer, 0.5, 2, 0.01);
        double[] losses = {1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
        // Patience 2: the third epoch in a row without improvement halves the rate, down to 0.01.
        double[] group0 = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125,
                0.01, 0.01};
        double[] group1 = {0.02, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
                0.01};
        for (int e = 1; e <= losses.length; e++) {
            s.step(e, losses[e - 1]);
            assertEquals(group0[e - 1], lr(0), TOLERANCE, "group 0 after epoch " + e);
            assertEquals(group1[e - 1], lr(1), TOLERANCE, "group 1 after epoch " + e);
        }
        assertEquals(0.8, s.best());
    }

    @Test
    void reduceOnPlateauNeedsARelativeImprovementAboveTheThreshold() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(optimizer, 0.1, 0, 0.0);
        s.step(1, 1.0);
        assertEquals(0.1, lr(0));
        // 0.99995 is not below 1.0 * (1 - 1e-4) = 0.9999: no improvement, and patience 0 reduces at once.
        s.step(2, 0.99995);
        assertEquals(0.01, lr(0), TOLERANCE);
        s.step(3, 0.5);
        assertEquals(0.01, lr(0), TOLERANCE);
        s.step(4, Double.NaN);
        assertEquals(0.001, lr(0), TOLERANCE);
    }

    @Test
    void reduceOnPlateauCooldownWaitsBeforeCountingAgain() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(optimizer, 0.5, 0, 0.0, 1e-4, 2);
        double[] losses = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
        double[] expected = {0.1, 0.05, 0.05, 0.05, 0.025, 0.025};
        for (int e = 1; e <= losses.length; e++) {
            s.step(e, losses[e - 1]);
            assertEquals(expected[e - 1], lr(0), TOLERANCE, "after epoch " + e);
        }
    }

    @Test
    void reduceOnPlateauLoadedFromAStateDictGoesOnAsTheOriginal() {
        ReduceLROnPlateau original = new ReduceLROnPlateau(optimizer, 0.5, 1, 0.0, 1e-4, 1);
        original.step(1, 1.0);
        original.step(2, 1.0);
        ReduceLROnPlateau loaded = new ReduceLROnPlateau(optimizer, 0.5, 1, 0.0, 1e-4, 1);
        loaded.loadStateDict(original.stateDict());
        assertEquals(Map.of("best", 1.0, "num_bad_epochs", 1.0, "cooldown_counter", 0.0), loaded.stateDict());
        loaded.step(3, 1.0);
        assertEquals(0.05, lr(0), TOLERANCE, "the third bad epoch in a row reduces, as it would have");
    }

    @Test
    void reduceOnPlateauRefusesAStateThatIsNotItsOwn() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(optimizer, 0.5, 1, 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.loadStateDict(Map.of("best", 1.0, "num_bad_epochs", 0.5, "cooldown_counter", 0.0)));
        assertTrue(e.getMessage().contains("num_bad_epochs") && e.getMessage().contains("0.5"), e.getMessage());
        IllegalArgumentException keys = assertThrows(IllegalArgumentException.class,
                () -> new CosineAnnealingLR(optimizer, 5, 0).loadStateDict(Map.of("best", 1.0)));
        assertTrue(keys.getMessage().contains("CosineAnnealingLR keeps no state"), keys.getMessage());
        assertEquals(Double.POSITIVE_INFINITY, s.best(), "nothing was loaded");
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StepLR(optimizer, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(optimizer, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(optimizer, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau(optimizer, 1.5, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(null, 0.9));
    }

    private static void assertRefused(Executable make, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
        assertEquals(message, e.getMessage());
    }

    @Test
    void multiStepLRRefusesMilestonesBeforeTheFirstEpochAndANegativeGamma() {
        assertRefused(() -> new MultiStepLR(optimizer, List.of(3, 0), 0.1),
                "MultiStepLR: milestones must be epochs >= 1, got 0 in [3, 0]");
        assertRefused(() -> new MultiStepLR(optimizer, List.of(3), -0.1),
                "MultiStepLR: gamma must be finite and >= 0, got -0.1");
    }

    @Test
    void constantLRRefusesAFactorOutsideZeroToOneAndNoEpochs() {
        assertRefused(() -> new ConstantLR(optimizer, 1.5, 3), "ConstantLR: factor must be in [0, 1], got 1.5");
        assertRefused(() -> new ConstantLR(optimizer, 0.5, 0), "ConstantLR: totalIters must be >= 1, got 0");
    }

    @Test
    void linearLRRefusesFactorsOutsideZeroToOneAndNoEpochs() {
        assertRefused(() -> new LinearLR(optimizer, -0.1, 1, 3), "LinearLR: startFactor must be in [0, 1], got -0.1");
        assertRefused(() -> new LinearLR(optimizer, 0.5, 2, 3), "LinearLR: endFactor must be in [0, 1], got 2.0");
        assertRefused(() -> new LinearLR(optimizer, 0.5, 1, 0), "LinearLR: totalIters must be >= 1, got 0");
    }

    @Test
    void polynomialLRRefusesNoEpochsAndANegativePower() {
        assertRefused(() -> new PolynomialLR(optimizer, 0, 1), "PolynomialLR: totalIters must be >= 1, got 0");
        assertRefused(() -> new PolynomialLR(optimizer, 5, -1), "PolynomialLR: power must be finite and >= 0, got -1.0");
    }

    @Test
    void cosineAnnealingWarmRestartsRefusesCyclesShorterThanAnEpochOrShrinking() {
        assertRefused(() -> new CosineAnnealingWarmRestarts(optimizer, 0, 1, 0),
                "CosineAnnealingWarmRestarts: t0 must be >= 1, got 0");
        assertRefused(() -> new CosineAnnealingWarmRestarts(optimizer, 3, 0, 0),
                "CosineAnnealingWarmRestarts: tMult must be >= 1, got 0");
        assertRefused(() -> new CosineAnnealingWarmRestarts(optimizer, 3, 1, Double.NaN),
                "CosineAnnealingWarmRestarts: etaMin must be finite and >= 0, got NaN");
    }

    @Test
    void oneCycleLRRefusesBadSettings() {
        assertRefused(() -> new OneCycleLR(optimizer, -1, 10), "OneCycleLR: maxLr must be finite and >= 0, got -1.0");
        assertRefused(() -> new OneCycleLR(optimizer, 0.1, 0), "OneCycleLR: totalSteps must be >= 1, got 0");
        assertRefused(() -> new OneCycleLR(optimizer, 0.1, 10, 1.2, OneCycleLR.AnnealStrategy.COS, 25, 1e4, false),
                "OneCycleLR: pctStart must be in [0, 1], got 1.2");
        assertRefused(() -> new OneCycleLR(optimizer, 0.1, 10, 0.3, null, 25, 1e4, false),
                "OneCycleLR: strategy must be COS or LINEAR, got null");
        assertRefused(() -> new OneCycleLR(optimizer, 0.1, 10, 0.3, OneCycleLR.AnnealStrategy.COS, 0, 1e4, false),
                "OneCycleLR: divFactor must be finite and > 0, got 0.0");
        assertRefused(() -> new OneCycleLR(optimizer, 0.1, 10, 0.3, OneCycleLR.AnnealStrategy.COS, 25, -1, false),
                "OneCycleLR: finalDivFactor must be finite and > 0, got -1.0");
    }

    @Test
    void oneCycleLRRefusesAStepPastTotalSteps() {
        OneCycleLR schedule = new OneCycleLR(optimizer, 0.1, 4);
        schedule.step(4, Double.NaN);
        assertRefused(() -> schedule.step(5, Double.NaN), "OneCycleLR: stepped 5 times, past totalSteps 4");
    }

    @Test
    void oneCycleLRRefusesAFirstPhaseOfNoSteps() {
        // pctStart 0.1 of 10 steps ends the rise at step 0, where PyTorch divides by zero.
        assertRefused(() -> new OneCycleLR(optimizer, 0.1, 10, 0.1, OneCycleLR.AnnealStrategy.COS, 25, 1e4, false),
                "OneCycleLR: step 0 falls in phase 1, which pctStart 0.1 of totalSteps 10 makes 0 steps long");
    }
}
