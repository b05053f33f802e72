package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.AdaGrad;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.CyclicLR.Mode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What LambdaLR, MultiplicativeLR, SequentialLR, ChainedScheduler and CyclicLR refuse, how they resume, and what
 * they share; their values against PyTorch's are in {@link MoreSchedulesPyTorchTest}.
 */
class MoreSchedulesTest {
    private static final double TOLERANCE = 1e-15;

    private Scope scope;
    private final List<Optimizer> optimizers = new ArrayList<>();

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        optimizers.forEach(Optimizer::close);
        scope.close();
    }

    /** SGD with momentum 0.9 and two groups, base rates 0.1 and 0.02. */
    private SGD sgd() {
        SGD opt = new SGD(List.of(new ParamGroup(List.of(param()), 0.1), new ParamGroup(List.of(param()), 0.02)))
                .momentum(0.9);
        optimizers.add(opt);
        return opt;
    }

    private static Tensor param() {
        return Tensor.fromArray(new double[] {1.0}, 1).requiresGrad(true);
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void lambdaLRRefusesAFunctionCountOtherThanTheGroups() {
        SGD opt = sgd();
        assertMessage(() -> new LambdaLR(opt, List.<IntToDoubleFunction>of(e -> 1)), "LambdaLR", "expected 2",
                "got 1");
        assertMessage(() -> new MultiplicativeLR(opt, List.<IntToDoubleFunction>of(e -> 1, e -> 1, e -> 1)),
                "MultiplicativeLR", "expected 2", "got 3");
    }

    @Test
    void lambdaLRRefusesANegativeFactorNamingTheGroupAndEpochSettingNoRate() {
        SGD opt = sgd();
        LambdaLR s = new LambdaLR(opt, List.<IntToDoubleFunction>of(e -> 1.0 / (1 + e), e -> 1 - e));
        assertMessage(() -> s.step(2, Double.NaN), "LambdaLR", "group 1", "gave -1.0 at epoch 2");
        assertEquals(0.1, opt.groups().get(0).lr(), TOLERANCE, "no group's rate was set");
    }

    @Test
    void multiplicativeLRIsClosedFormWhateverOrderTheEpochsCome() {
        SGD opt = sgd();
        MultiplicativeLR s = new MultiplicativeLR(opt, e -> 1.0 / (e + 1));
        s.step(5, Double.NaN);
        s.step(2, Double.NaN);
        assertEquals(0.1 / 2 / 3, opt.groups().get(0).lr(), TOLERANCE);
        s.step(3, Double.NaN);
        assertEquals(0.02 / 2 / 3 / 4, opt.groups().get(1).lr(), TOLERANCE);
    }

    @Test
    void multiplicativeLRLeavesTheRatesAsTheyAreWhenMade() {
        SGD opt = sgd();
        new ConstantLR(opt, 0.5, 2);
        new MultiplicativeLR(opt, e -> 0.9);
        assertEquals(0.05, opt.groups().get(0).lr(), TOLERANCE);
    }

    @Test
    void multiplicativeLRLeavesItsProductsWhenAFactorIsRefused() {
        SGD opt = sgd();
        MultiplicativeLR s = new MultiplicativeLR(opt, List.<IntToDoubleFunction>of(e -> 0.5, e -> e < 3 ? 0.5 : -1));
        s.step(2, Double.NaN);
        assertMessage(() -> s.step(3, Double.NaN), "group 1", "at epoch 3");
        s.step(2, Double.NaN);
        assertEquals(0.1 * 0.25, opt.groups().get(0).lr(), TOLERANCE);
        assertEquals(0.02 * 0.25, opt.groups().get(1).lr(), TOLERANCE);
    }

    @Test
    void aScheduleMadeAfterAnotherTakesTheRateBeforeEitherAsItsBase() {
        SGD opt = sgd();
        new ConstantLR(opt, 0.5, 3);
        assertEquals(0.05, opt.groups().get(0).lr(), TOLERANCE);
        new ExponentialLR(opt, 0.9).step(1, Double.NaN);
        assertEquals(0.1 * 0.9, opt.groups().get(0).lr(), TOLERANCE);
        assertEquals(0.1, opt.groups().get(0).initialLr(), TOLERANCE);
    }

    @Test
    void chainedSchedulerRefusesAScheduleThatDoesNotMultiply() {
        SGD opt = sgd();
        LearningRateSchedule lambda = new LambdaLR(opt, e -> 1);
        LearningRateSchedule cosine = new CosineAnnealingLR(opt, 5, 0);
        assertMessage(() -> new ChainedScheduler(List.of(new ExponentialLR(opt, 0.9), lambda)), "schedule 1",
                "LambdaLR", "not chainable");
        assertMessage(() -> new ChainedScheduler(List.of(cosine)), "schedule 0", "CosineAnnealingLR");
        assertMessage(() -> new ChainedScheduler(List.of()), "at least one");
    }

    @Test
    void chainedSchedulerRefusesSchedulesOfTwoOptimizers() {
        LearningRateSchedule a = new ExponentialLR(sgd(), 0.9);
        LearningRateSchedule b = new StepLR(sgd(), 2, 0.5);
        assertMessage(() -> new ChainedScheduler(List.of(a, b)), "schedules 0 and 1", "different optimizers");
    }

    @Test
    void sequentialLRRefusesMilestonesThatDoNotFitItsSchedules() {
        SGD opt = sgd();
        List<LearningRateSchedule> two = List.of(new ConstantLR(opt, 0.5, 2), new ExponentialLR(opt, 0.9));
        assertMessage(() -> new SequentialLR(opt, two, List.of()), "expected 1 milestones for 2 schedules", "got []");
        assertMessage(() -> new SequentialLR(opt, two, List.of(0)), "increasing epochs >= 1", "[0]");
        List<LearningRateSchedule> three = List.of(two.get(0), two.get(1), new StepLR(opt, 2, 0.5));
        assertMessage(() -> new SequentialLR(opt, three, List.of(4, 4)), "increasing", "[4, 4]");
    }

    @Test
    void sequentialLRRefusesAScheduleThatWatchesLosses() {
        SGD opt = sgd();
        LearningRateSchedule plateau = new ReduceLROnPlateau(opt, 0.5, 1, 0);
        assertMessage(() -> new SequentialLR(opt, List.of(new ConstantLR(opt, 0.5, 2), plateau), List.of(2)),
                "schedule 1 (ReduceLROnPlateau)", "follows epochs alone");
    }

    @Test
    void cyclicLRCyclesAdamsBeta1AsSgdsMomentum() {
        Adam adam = new Adam(List.of(param()), 0.1);
        optimizers.add(adam);
        SGD sgd = sgd();
        Function<Optimizer, CyclicLR> make = opt -> new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 2, 2,
                Mode.TRIANGULAR2, 1, true, 0.7, 0.95);
        CyclicLR onAdam = make.apply(adam);
        CyclicLR onSgd = make.apply(sgd);
        assertEquals(0.95, adam.beta1(), TOLERANCE);
        for (int t = 1; t <= 9; t++) {
            onAdam.step(t, Double.NaN);
            onSgd.step(t, Double.NaN);
            assertEquals(sgd.momentum(), adam.beta1(), TOLERANCE, "after step " + t);
            assertEquals(sgd.learningRate(), adam.learningRate(), TOLERANCE, "after step " + t);
        }
    }

    @Test
    void cyclicLRRefusesAnOptimizerWithoutMomentumUnlessTold() {
        AdaGrad adaGrad = new AdaGrad(List.of(param()), 0.1);
        optimizers.add(adaGrad);
        assertMessage(() -> new CyclicLR(adaGrad, 0.01, 0.1, 4), "AdaGrad has no momentum or beta1",
                "cycleMomentum false");
        new CyclicLR(adaGrad, new double[] {0.01}, new double[] {0.1}, 4, 4, Mode.TRIANGULAR, 1, false, 0.8, 0.9)
                .step(2, Double.NaN);
        assertEquals(0.055, adaGrad.learningRate(), TOLERANCE);
    }

    @Test
    void cyclicLRRefusesBadSettings() {
        SGD opt = sgd();
        assertMessage(() -> new CyclicLR(opt, 0.01, 0.1, 0), "stepSizeUp and stepSizeDown must be >= 1", "got 0");
        assertMessage(() -> new CyclicLR(opt, new double[] {0.01, 0.02, 0.03}, new double[] {0.1}, 2, 2,
                Mode.TRIANGULAR, 1, true, 0.8, 0.9), "baseLrs needs one value or one per group (2)", "got 3");
        assertMessage(() -> new CyclicLR(opt, -0.01, 0.1, 2), "baseLrs must be finite and >= 0", "-0.01");
        assertMessage(() -> new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 2, 2, Mode.EXP_RANGE, 0, false,
                0.8, 0.9), "gamma must be finite and > 0");
        assertMessage(() -> new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 2, 2, Mode.TRIANGULAR, 1, true,
                -0.5, 0.9), "momentum");
    }

    @Test
    void cyclicLRRefusesAScaleFunctionThatMakesARateNegative() {
        SGD opt = sgd();
        CyclicLR s = new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 2, 2, x -> -1,
                CyclicLR.ScaleMode.CYCLE, false, 0.8, 0.9);
        assertMessage(() -> s.step(1, Double.NaN), "step 1 gives group 0 the rate", "scale -1.0");
    }

    /**
     * The rates and momentum after steps 1..10 uninterrupted, and resumed after step 4 into a new optimizer (with the
     * same base rates) and a new schedule made before loading the first optimizer's state.
     */
    private void checkResumesIdentically(Function<SGD, LearningRateSchedule> make) {
        SGD straight = sgd();
        LearningRateSchedule s = make.apply(straight);
        SGD first = sgd();
        LearningRateSchedule beforeStop = make.apply(first);
        for (int e = 1; e <= 4; e++) {
            s.step(e, Double.NaN);
            beforeStop.step(e, Double.NaN);
        }
        Map<String, Tensor> saved = new HashMap<>();
        first.stateDict().forEach((k, v) -> saved.put(k, v.copy()));
        assertTrue(beforeStop.stateDict().isEmpty(), "closed form in the epoch, nothing to save");
        SGD resumed = sgd();
        LearningRateSchedule afterStop = make.apply(resumed);
        resumed.loadStateDict(saved);
        for (int e = 5; e <= 10; e++) {
            s.step(e, Double.NaN);
            afterStop.step(e, Double.NaN);
            assertArrayEquals(rates(straight), rates(resumed), TOLERANCE, "after epoch " + e);
            assertEquals(straight.momentum(), resumed.momentum(), TOLERANCE, "after epoch " + e);
        }
    }

    private static double[] rates(Optimizer opt) {
        return opt.groups().stream().mapToDouble(ParamGroup::lr).toArray();
    }

    @Test
    void sequentialLRResumesIdentically() {
        checkResumesIdentically(opt -> {
            LearningRateSchedule warmup = new LinearLR(opt, 0.1, 1, 3);
            LearningRateSchedule cosine = new CosineAnnealingLR(opt, 4, 0.001);
            LearningRateSchedule decay = new MultiplicativeLR(opt, e -> 0.9);
            return new SequentialLR(opt, List.of(warmup, cosine, decay), List.of(3, 6));
        });
    }

    @Test
    void chainedSchedulerResumesIdentically() {
        checkResumesIdentically(opt -> new ChainedScheduler(List.of(new ConstantLR(opt, 0.1, 2),
                new MultiplicativeLR(opt, e -> 0.95), new StepLR(opt, 3, 0.5))));
    }

    @Test
    void cyclicLRResumesIdenticallyWithItsMomentum() {
        checkResumesIdentically(opt -> new CyclicLR(opt, new double[] {0.01, 0.002}, new double[] {0.1}, 3, 2,
                Mode.TRIANGULAR2, 1, true, 0.8, 0.9));
    }

    @Test
    void lambdaLRResumesIdentically() {
        checkResumesIdentically(opt -> new LambdaLR(opt, e -> 1.0 / (1 + e)));
    }
}
