package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.CyclicLR.Mode;
import dev.kiln.optim.schedule.CyclicLR.ScaleMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LambdaLR, MultiplicativeLR, SequentialLR, ChainedScheduler and CyclicLR against the rates PyTorch 1.13 printed
 * ({@code models/src/test/pytorch/sched_more.py}): every group's rate when the schedules are made, then after each
 * {@code scheduler.step()} (with SGD's momentum where CyclicLR cycles it), for SGD groups with the same base rates.
 */
class MoreSchedulesPyTorchTest {
    private static final double TOLERANCE = 1e-12;

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

    /** SGD with the given momentum and one group per base rate, each holding one parameter. */
    private SGD sgd(double momentum, double... baseRates) {
        List<ParamGroup> groups = new ArrayList<>();
        for (double lr : baseRates) {
            groups.add(new ParamGroup(List.of(Tensor.fromArray(new double[] {0.0}, 1).requiresGrad(true)), lr));
        }
        SGD opt = new SGD(groups).momentum(momentum);
        optimizers.add(opt);
        return opt;
    }

    private static void checkInitial(Optimizer opt, double... expected) {
        for (int g = 0; g < expected.length; g++) {
            assertEquals(expected[g], opt.groups().get(g).lr(), TOLERANCE, "group " + g + " before the first step");
        }
    }

    /** Steps the schedule with 1, 2, ... and compares every group's rate after each. */
    private static void checkRates(Optimizer opt, LearningRateSchedule schedule, double[][] expected) {
        for (int e = 1; e <= expected.length; e++) {
            schedule.step(e, Double.NaN);
            for (int g = 0; g < expected[e - 1].length; g++) {
                double lr = opt.groups().get(g).lr();
                assertEquals(expected[e - 1][g], lr, TOLERANCE, "group " + g + " after step " + e);
            }
        }
    }

    /** As {@link #checkRates}, also comparing the momentum after each step. */
    private static void checkRatesAndMomenta(Optimizer opt, LearningRateSchedule schedule, double[][] rates,
                                             double[] momenta) {
        for (int e = 1; e <= rates.length; e++) {
            checkRates(opt, stepOnly(schedule, e), new double[][] {rates[e - 1]});
            assertEquals(momenta[e - 1], opt.momentumOrBeta1().getAsDouble(), TOLERANCE, "momentum after step " + e);
        }
    }

    /** The schedule with its step {@code e} taken when asked for step 1 (so that checkRates compares one step). */
    private static LearningRateSchedule stepOnly(LearningRateSchedule schedule, int e) {
        return (epoch, loss) -> schedule.step(e, loss);
    }

    @Test
    void lambdaLROneFunctionForEveryGroup() {
        // LambdaLR(SGD(groups lr 0.1 and 0.03), lambda e: 0.95 ** e), 8 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        LearningRateSchedule s = new LambdaLR(opt, e -> Math.pow(0.95, e));
        checkInitial(opt, 0.1, 0.03);
        checkRates(opt, s, new double[][] {
            {0.095, 0.028499999999999998},
            {0.09025, 0.027075},
            {0.0857375, 0.025721249999999994},
            {0.081450625, 0.024435187499999997},
            {0.07737809374999999, 0.02321342812499999},
            {0.07350918906249998, 0.022052756718749993},
            {0.06983372960937498, 0.02095011888281249},
            {0.06634204312890622, 0.019902612938671866}});
    }

    @Test
    void lambdaLROneFunctionPerGroup() {
        // LambdaLR(SGD(groups lr 0.1 and 0.03), [lambda e: 1 / (e + 1), lambda e: 0.5 if e < 3 else 2.0]), 6 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        List<IntToDoubleFunction> lambdas = List.of(e -> 1.0 / (e + 1), e -> e < 3 ? 0.5 : 2.0);
        LearningRateSchedule s = new LambdaLR(opt, lambdas);
        checkInitial(opt, 0.1, 0.015);
        checkRates(opt, s, new double[][] {
            {0.05, 0.015},
            {0.03333333333333333, 0.015},
            {0.025, 0.06},
            {0.020000000000000004, 0.06},
            {0.016666666666666666, 0.06},
            {0.014285714285714285, 0.06}});
    }

    @Test
    void multiplicativeLROneFunctionForEveryGroup() {
        // MultiplicativeLR(SGD(groups lr 0.1 and 0.03), lambda e: 0.9), 8 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        LearningRateSchedule s = new MultiplicativeLR(opt, e -> 0.9);
        checkInitial(opt, 0.1, 0.03);
        checkRates(opt, s, new double[][] {
            {0.09000000000000001, 0.027},
            {0.08100000000000002, 0.0243},
            {0.07290000000000002, 0.02187},
            {0.06561000000000002, 0.019683000000000003},
            {0.05904900000000002, 0.017714700000000003},
            {0.05314410000000002, 0.015943230000000003},
            {0.04782969000000002, 0.014348907000000003},
            {0.043046721000000024, 0.012914016300000003}});
    }

    @Test
    void multiplicativeLROneFunctionPerGroupOfTheEpoch() {
        // MultiplicativeLR(SGD(groups lr 0.1 and 0.03), [lambda e: 0.95, lambda e: 1 - 0.05 * e]), 8 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        LearningRateSchedule s = new MultiplicativeLR(opt, List.<IntToDoubleFunction>of(e -> 0.95, e -> 1 - 0.05 * e));
        checkRates(opt, s, new double[][] {
            {0.095, 0.028499999999999998},
            {0.09025, 0.02565},
            {0.0857375, 0.0218025},
            {0.08145062499999998, 0.017442},
            {0.07737809374999999, 0.0130815},
            {0.07350918906249998, 0.009157049999999998},
            {0.06983372960937498, 0.005952082499999998},
            {0.06634204312890622, 0.0035712494999999987}});
    }

    @Test
    void sequentialLRWarmUpThenCosineStartsTheCosineAtTheMilestone() {
        // SequentialLR(SGD(groups lr 0.1 and 0.03), [LinearLR(start_factor=0.1, total_iters=4),
        // CosineAnnealingLR(T_max=6, eta_min=0.001)], milestones=[4]), 12 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        LearningRateSchedule warmup = new LinearLR(opt, 0.1, 1.0, 4);
        LearningRateSchedule cosine = new CosineAnnealingLR(opt, 6, 0.001);
        LearningRateSchedule s = new SequentialLR(opt, List.of(warmup, cosine), List.of(4));
        checkInitial(opt, 0.010000000000000002, 0.003);
        checkRates(opt, s, new double[][] {
            {0.03250000000000001, 0.00975},
            {0.055000000000000014, 0.0165},
            {0.07750000000000003, 0.023250000000000003},
            {0.1, 0.03},
            {0.09336825748732973, 0.02805736835487436},
            {0.07525000000000001, 0.02275},
            {0.0505, 0.0155},
            {0.025750000000000012, 0.008250000000000004},
            {0.007631742512670284, 0.002942631645125639},
            {0.001, 0.001},
            {0.007631742512670284, 0.002942631645125639},
            {0.025750000000000002, 0.00825}});
    }

    @Test
    void sequentialLRThreeSchedulesWithMultiplicativeGoingOnFromThePreviousRate() {
        // SequentialLR(SGD(groups lr 0.1 and 0.03), [ConstantLR(factor=0.5, total_iters=2), ExponentialLR(0.9),
        // MultiplicativeLR(lambda e: 0.8)], milestones=[3, 6]), 9 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        LearningRateSchedule constant = new ConstantLR(opt, 0.5, 2);
        LearningRateSchedule exponential = new ExponentialLR(opt, 0.9);
        LearningRateSchedule multiplicative = new MultiplicativeLR(opt, e -> 0.8);
        LearningRateSchedule s = new SequentialLR(opt, List.of(constant, exponential, multiplicative), List.of(3, 6));
        checkInitial(opt, 0.05, 0.015);
        checkRates(opt, s, new double[][] {
            {0.05, 0.015},
            {0.1, 0.03},
            {0.1, 0.03},
            {0.09000000000000001, 0.027},
            {0.08100000000000002, 0.0243},
            {0.08100000000000002, 0.0243},
            {0.06480000000000001, 0.01944},
            {0.05184000000000001, 0.015552},
            {0.04147200000000001, 0.0124416}});
    }

    @Test
    void chainedSchedulerConstantThenExponential() {
        // ChainedScheduler([ConstantLR(SGD(lr 1), factor=0.1, total_iters=2), ExponentialLR(gamma=0.9)]), 6 steps
        Optimizer opt = sgd(0, 1.0);
        LearningRateSchedule constant = new ConstantLR(opt, 0.1, 2);
        LearningRateSchedule exponential = new ExponentialLR(opt, 0.9);
        LearningRateSchedule s = new ChainedScheduler(List.of(constant, exponential));
        checkInitial(opt, 0.1);
        checkRates(opt, s, new double[][] {
            {0.09000000000000001}, {0.8100000000000002}, {0.7290000000000002}, {0.6561000000000002},
            {0.5904900000000002}, {0.5314410000000002}});
    }

    @Test
    void chainedSchedulerOfFourWithPerGroupFactors() {
        // ChainedScheduler([LinearLR(0.5, 1.0, 3), MultiStepLR([2, 5], 0.5), PolynomialLR(8, 2.0),
        // MultiplicativeLR([lambda e: 0.95, lambda e: 0.9])]) on SGD(groups lr 0.1 and 0.03), 10 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        List<LearningRateSchedule> chain = List.of(new LinearLR(opt, 0.5, 1.0, 3),
                new MultiStepLR(opt, List.of(2, 5), 0.5), new PolynomialLR(opt, 8, 2.0),
                new MultiplicativeLR(opt, List.<IntToDoubleFunction>of(e -> 0.95, e -> 0.9)));
        LearningRateSchedule s = new ChainedScheduler(chain);
        checkInitial(opt, 0.05, 0.015);
        checkRates(opt, s, new double[][] {
            {0.04848958333333333, 0.013781249999999998},
            {0.021152343749999997, 0.005695312499999999},
            {0.016745605468749997, 0.004271484375},
            {0.010181328125, 0.0024603750000000003},
            {0.0027203236083984373, 0.0006227824218750001},
            {0.0011485810791015622, 0.00024911296875000004},
            {0.000272788006286621, 5.605041796875001e-05},
            {0.0, 0.0},
            {0.0, 0.0},
            {0.0, 0.0}});
    }

    @Test
    void cyclicLRTriangularPerGroupRatesCyclesSgdMomentum() {
        // CyclicLR(SGD(groups lr 0.1 and 0.03, momentum 0.9), base_lr=[0.01, 0.001], max_lr=[0.1, 0.05],
        // step_size_up=3, step_size_down=5), 20 steps; momentum cycled between 0.8 and 0.9
        SGD opt = sgd(0.9, 0.1, 0.03);
        LearningRateSchedule s = new CyclicLR(opt, new double[] {0.01, 0.001}, new double[] {0.1, 0.05}, 3, 5,
                Mode.TRIANGULAR, 1, true, 0.8, 0.9);
        checkInitial(opt, 0.01, 0.001);
        assertEquals(0.9, opt.momentum(), TOLERANCE);
        double[][] cycle = {
            {0.04, 0.017333333333333333},
            {0.07, 0.033666666666666664},
            {0.1, 0.05},
            {0.082, 0.04020000000000001},
            {0.064, 0.0304},
            {0.046000000000000006, 0.020600000000000004},
            {0.028000000000000004, 0.0108},
            {0.01, 0.001}};
        double[] momenta = {0.8666666666666667, 0.8333333333333334, 0.8, 0.8200000000000001, 0.8400000000000001, 0.86,
            0.88, 0.9};
        double[][] rates = new double[20][];
        double[] allMomenta = new double[20];
        for (int t = 0; t < 20; t++) {
            rates[t] = cycle[t % 8];
            allMomenta[t] = momenta[t % 8];
        }
        checkRatesAndMomenta(opt, s, rates, allMomenta);
    }

    @Test
    void cyclicLRTriangular2HalvesEachCycle() {
        // CyclicLR(SGD(groups lr 0.1 and 0.03, momentum 0.9), base_lr=0.01, max_lr=0.1, step_size_up=2,
        // mode='triangular2', base_momentum=0.7, max_momentum=0.95), 16 steps
        SGD opt = sgd(0.9, 0.1, 0.03);
        LearningRateSchedule s = new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 2, 2, Mode.TRIANGULAR2, 1,
                true, 0.7, 0.95);
        checkInitial(opt, 0.01, 0.01);
        assertEquals(0.95, opt.momentum(), TOLERANCE);
        double[] r = {0.05500000000000001, 0.1, 0.05500000000000001, 0.01, 0.0325, 0.05500000000000001, 0.0325, 0.01,
            0.02125, 0.0325, 0.02125, 0.01, 0.015625, 0.02125, 0.015625, 0.01};
        checkRatesAndMomenta(opt, s, bothGroups(r), new double[] {0.825, 0.7, 0.825, 0.95, 0.8875, 0.825, 0.8875, 0.95,
            0.91875, 0.8875, 0.91875, 0.95, 0.934375, 0.91875, 0.934375, 0.95});
    }

    @Test
    void cyclicLRExpRangeScalesByGammaPerStep() {
        // CyclicLR(SGD(groups lr 0.1 and 0.03), base_lr=0.01, max_lr=0.1, step_size_up=3, mode='exp_range',
        // gamma=0.9, cycle_momentum=False), 14 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        LearningRateSchedule s = new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 3, 3, Mode.EXP_RANGE, 0.9,
                false, 0.8, 0.9);
        checkInitial(opt, 0.01, 0.01);
        checkRates(opt, s, bothGroups(new double[] {0.03700000000000001, 0.0586, 0.07561000000000001,
            0.04936600000000002, 0.027714699999999988, 0.01, 0.02434890700000003, 0.03582803259999999,
            0.04486784401000001, 0.03092070640599999, 0.019414317882700018, 0.01, 0.017625597484986995,
            0.023726075472976615}));
    }

    @Test
    void cyclicLRCustomScaleOfTheCycleWithMomentum() {
        // CyclicLR(SGD(groups lr 0.1 and 0.03, momentum 0.9), base_lr=0.01, max_lr=0.1, step_size_up=2,
        // step_size_down=3, scale_fn=lambda x: 1 / (1 + 0.5 * x), scale_mode='cycle'), 12 steps
        SGD opt = sgd(0.9, 0.1, 0.03);
        LearningRateSchedule s = new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 2, 3,
                x -> 1 / (1 + 0.5 * x), ScaleMode.CYCLE, true, 0.8, 0.9);
        checkRatesAndMomenta(opt, s, bothGroups(new double[] {0.04, 0.06999999999999999, 0.049999999999999996, 0.03,
            0.01, 0.03250000000000002, 0.055, 0.039999999999999994, 0.025000000000000015, 0.01, 0.028000000000000018,
            0.046}), new double[] {0.8666666666666667, 0.8333333333333334, 0.8555555555555556, 0.8777777777777778, 0.9,
            0.875, 0.8500000000000001, 0.8666666666666667, 0.8833333333333333, 0.9, 0.88, 0.8600000000000001});
    }

    @Test
    void cyclicLRCustomScaleOfTheStep() {
        // CyclicLR(SGD(groups lr 0.1 and 0.03), base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3,
        // scale_fn=lambda x: 1 / (1 + 0.5 * x), scale_mode='iterations', cycle_momentum=False), 12 steps
        Optimizer opt = sgd(0, 0.1, 0.03);
        LearningRateSchedule s = new CyclicLR(opt, new double[] {0.01}, new double[] {0.1}, 2, 3,
                x -> 1 / (1 + 0.5 * x), ScaleMode.ITERATIONS, false, 0.8, 0.9);
        checkRates(opt, s, bothGroups(new double[] {0.04, 0.055, 0.033999999999999996, 0.019999999999999997, 0.01,
            0.021250000000000012, 0.03, 0.022, 0.01545454545454546, 0.01, 0.01692307692307693, 0.022857142857142854}));
    }

    /** Each rate for both groups, as a CyclicLR with one base and one maximum rate gives them. */
    private static double[][] bothGroups(double[] rates) {
        double[][] out = new double[rates.length][];
        for (int t = 0; t < rates.length; t++) {
            out[t] = new double[] {rates[t], rates[t]};
        }
        return out;
    }
}
