package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.OneCycleLR.AnnealStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each schedule's learning rates after every epoch against {@code [g['lr'] for g in opt.param_groups]} that
 * PyTorch 1.13 printed after each {@code scheduler.step()} (one {@code opt.step()} before each), for SGD
 * groups with the same base rates.
 */
class LearningRateSchedulePyTorchTest {
    private static final double TOLERANCE = 1e-10;
    private static final double[] METRICS = {1.0, 0.95, 0.93, 0.92, 0.915, 0.91, 0.7, 0.69, 0.695, 0.7, 0.71, 0.72,
        0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6};

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

    /** SGD with one group per base rate, each holding one parameter. */
    private Optimizer sgd(double... baseRates) {
        List<ParamGroup> groups = new ArrayList<>();
        for (double lr : baseRates) {
            groups.add(new ParamGroup(List.of(Tensor.fromArray(new double[] {0.0}, 1).requiresGrad(true)), lr));
        }
        Optimizer opt = new SGD(groups);
        optimizers.add(opt);
        return opt;
    }

    /**
     * Steps the schedule after epochs 1, 2, ... (with METRICS[e - 1], NaN past its end) and compares every group's
     * rate.
     */
    private static void checkRates(Optimizer opt, LearningRateSchedule schedule, double[][] expected) {
        for (int e = 1; e <= expected.length; e++) {
            schedule.step(e, e <= METRICS.length ? METRICS[e - 1] : Double.NaN);
            for (int g = 0; g < expected[e - 1].length; g++) {
                double lr = opt.groups().get(g).lr();
                assertEquals(expected[e - 1][g], lr, TOLERANCE, "group " + g + " after epoch " + e);
            }
        }
    }

    private void check(double[] baseRates, Function<Optimizer, LearningRateSchedule> make, double[][] expected) {
        Optimizer opt = sgd(baseRates);
        checkRates(opt, make.apply(opt), expected);
    }

    @Test
    void stepLR() {
        // torch.optim.lr_scheduler.StepLR(SGD(lr=0.1), step_size=3, gamma=0.5), 12 epochs, PyTorch 1.13
        check(new double[] {0.1}, opt -> new StepLR(opt, 3, 0.5), new double[][] {
            {0.1}, {0.1}, {0.05}, {0.05}, {0.05}, {0.025}, {0.025}, {0.025}, {0.0125}, {0.0125}, {0.0125}, {0.00625}});
    }

    @Test
    void exponentialLR() {
        // torch.optim.lr_scheduler.ExponentialLR(SGD(lr=0.1), gamma=0.9), 12 epochs, PyTorch 1.13
        check(new double[] {0.1}, opt -> new ExponentialLR(opt, 0.9), new double[][] {
            {0.09000000000000001}, {0.08100000000000002}, {0.07290000000000002}, {0.06561000000000002},
            {0.05904900000000002}, {0.05314410000000002}, {0.04782969000000002}, {0.043046721000000024},
            {0.03874204890000002}, {0.03486784401000002}, {0.03138105960900001}, {0.028242953648100012}});
    }

    @Test
    void cosineAnnealingLRPastTMax() {
        // torch.optim.lr_scheduler.CosineAnnealingLR(SGD(groups lr 0.1 and 0.03), T_max=8, eta_min=0.001),
        // 20 epochs (PyTorch's recursive form), PyTorch 1.13
        check(new double[] {0.1, 0.03}, opt -> new CosineAnnealingLR(opt, 8, 0.001), new double[][] {
            {0.0962320368593087, 0.028896253221413655},
            {0.0855017856687341, 0.025753048327204937},
            {0.06944282990207196, 0.021048909769293803},
            {0.0505, 0.0155},
            {0.03155717009792806, 0.0099510902307062},
            {0.0154982143312659, 0.0052469516727950615},
            {0.004767963140691306, 0.002103746778586342},
            {0.001, 0.001},
            {0.004767963140691307, 0.002103746778586342},
            {0.01549821433126591, 0.005246951672795064},
            {0.03155717009792807, 0.009951090230706203},
            {0.05050000000000005, 0.015500000000000014},
            {0.06944282990207204, 0.021048909769293828},
            {0.08550178566873419, 0.025753048327204965},
            {0.09623203685930878, 0.028896253221413683},
            {0.1000000000000001, 0.03000000000000003},
            {0.0962320368593088, 0.028896253221413686},
            {0.0855017856687342, 0.025753048327204965},
            {0.06944282990207205, 0.02104890976929383},
            {0.050500000000000066, 0.015500000000000017}});
    }

    @Test
    void reduceLROnPlateauWithThresholdCooldownAndMinLr() {
        // torch.optim.lr_scheduler.ReduceLROnPlateau(SGD(lr=0.1), mode='min', factor=0.5, patience=1, threshold=0.05,
        // threshold_mode='rel', cooldown=1, min_lr=0.02), step(METRICS[e]) for 20 epochs, PyTorch 1.13
        check(new double[] {0.1}, opt -> new ReduceLROnPlateau(opt, 0.5, 1, 0.02, 0.05, 1), new double[][] {
            {0.1}, {0.1}, {0.1}, {0.1}, {0.05}, {0.05}, {0.05}, {0.05}, {0.025}, {0.025},
            {0.025}, {0.02}, {0.02}, {0.02}, {0.02}, {0.02}, {0.02}, {0.02}, {0.02}, {0.02}});
    }

    @Test
    void reduceLROnPlateauDefaultThreshold() {
        // torch.optim.lr_scheduler.ReduceLROnPlateau(SGD(lr=0.1), factor=0.1, patience=2, min_lr=0.0),
        // step(METRICS[e]) for 20 epochs, PyTorch 1.13
        check(new double[] {0.1}, opt -> new ReduceLROnPlateau(opt, 0.1, 2, 0.0), new double[][] {
            {0.1}, {0.1}, {0.1}, {0.1}, {0.1}, {0.1}, {0.1}, {0.1}, {0.1}, {0.1},
            {0.010000000000000002}, {0.010000000000000002}, {0.010000000000000002}, {0.010000000000000002},
            {0.010000000000000002}, {0.0010000000000000002}, {0.0010000000000000002}, {0.0010000000000000002},
            {0.00010000000000000003}, {0.00010000000000000003}});
    }

    @Test
    void linearWarmupThenCosineIsSequentialLinearLRAndCosine() {
        // torch.optim.lr_scheduler.SequentialLR(SGD(groups lr 0.1 and 0.03), [LinearLR(start_factor=0.25,
        // end_factor=1.0, total_iters=3), CosineAnnealingLR(T_max=6, eta_min=0.001)], milestones=[4]), 12 epochs,
        // PyTorch 1.13; the rates before the first epoch are [0.025, 0.0075]
        Optimizer opt = sgd(0.1, 0.03);
        LearningRateSchedule cosine = new CosineAnnealingLR(opt, 6, 0.001);
        LearningRateSchedule warmup = new LinearWarmup(opt, 4, cosine);
        assertEquals(0.025, opt.groups().get(0).lr(), TOLERANCE);
        assertEquals(0.0075, opt.groups().get(1).lr(), TOLERANCE);
        checkRates(opt, warmup, new double[][] {
            {0.05, 0.015},
            {0.07500000000000001, 0.0225},
            {0.1, 0.03},
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

    /** Checks every group's rate as the schedule left it when it was made, before the first epoch. */
    private static void checkInitialRates(Optimizer opt, double... expected) {
        for (int g = 0; g < expected.length; g++) {
            assertEquals(expected[g], opt.groups().get(g).lr(), TOLERANCE, "group " + g + " before the first epoch");
        }
    }

    @Test
    void multiStepLRWithUnsortedAndRepeatedMilestones() {
        // torch.optim.lr_scheduler.MultiStepLR(SGD(groups lr 0.1 and 0.03), milestones=[5, 2, 5, 9], gamma=0.5),
        // 12 epochs, PyTorch 1.13: the repeated 5 halves the rate twice
        check(new double[] {0.1, 0.03}, opt -> new MultiStepLR(opt, List.of(5, 2, 5, 9), 0.5), new double[][] {
            {0.1, 0.03}, {0.05, 0.015}, {0.05, 0.015}, {0.05, 0.015}, {0.0125, 0.00375}, {0.0125, 0.00375},
            {0.0125, 0.00375}, {0.0125, 0.00375}, {0.00625, 0.001875}, {0.00625, 0.001875}, {0.00625, 0.001875},
            {0.00625, 0.001875}});
    }

    @Test
    void constantLR() {
        // torch.optim.lr_scheduler.ConstantLR(SGD(groups lr 0.1 and 0.03), factor=0.25, total_iters=3), 6 epochs,
        // PyTorch 1.13; the rates before the first epoch are [0.025, 0.0075]
        Optimizer opt = sgd(0.1, 0.03);
        LearningRateSchedule schedule = new ConstantLR(opt, 0.25, 3);
        checkInitialRates(opt, 0.025, 0.0075);
        checkRates(opt, schedule, new double[][] {
            {0.025, 0.0075}, {0.025, 0.0075}, {0.1, 0.03}, {0.1, 0.03}, {0.1, 0.03}, {0.1, 0.03}});
    }

    @Test
    void linearLR() {
        // torch.optim.lr_scheduler.LinearLR(SGD(groups lr 0.1 and 0.03), start_factor=0.2, end_factor=0.9,
        // total_iters=4), 7 epochs, PyTorch 1.13; the rates before the first epoch are [0.02, 0.006]
        Optimizer opt = sgd(0.1, 0.03);
        LearningRateSchedule schedule = new LinearLR(opt, 0.2, 0.9, 4);
        checkInitialRates(opt, 0.020000000000000004, 0.006);
        checkRates(opt, schedule, new double[][] {
            {0.037500000000000006, 0.01125}, {0.05500000000000001, 0.016499999999999997},
            {0.07250000000000001, 0.021749999999999995}, {0.09000000000000001, 0.026999999999999996},
            {0.09000000000000001, 0.026999999999999996}, {0.09000000000000001, 0.026999999999999996},
            {0.09000000000000001, 0.026999999999999996}});
    }

    @Test
    void polynomialLRSquaredHoldsZeroAfterTotalIters() {
        // torch.optim.lr_scheduler.PolynomialLR(SGD(groups lr 0.1 and 0.03), total_iters=6, power=2.0), 9 epochs,
        // PyTorch 1.13
        check(new double[] {0.1, 0.03}, opt -> new PolynomialLR(opt, 6, 2.0), new double[][] {
            {0.06944444444444446, 0.020833333333333336}, {0.04444444444444447, 0.013333333333333338},
            {0.02500000000000001, 0.007500000000000001}, {0.011111111111111117, 0.0033333333333333344},
            {0.0027777777777777775, 0.0008333333333333331}, {0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}});
    }

    @Test
    void polynomialLRSquareRoot() {
        // torch.optim.lr_scheduler.PolynomialLR(SGD(lr=0.1), total_iters=4, power=0.5), 6 epochs, PyTorch 1.13
        check(new double[] {0.1}, opt -> new PolynomialLR(opt, 4, 0.5), new double[][] {
            {0.08660254037844387}, {0.07071067811865475}, {0.05}, {0.0}, {0.0}, {0.0}});
    }

    @Test
    void cosineAnnealingWarmRestartsWithCyclesDoubling() {
        // torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(SGD(groups lr 0.1 and 0.03), T_0=3, T_mult=2,
        // eta_min=0.001), 24 epochs, PyTorch 1.13: restarts after epochs 3, 9 and 21
        check(new double[] {0.1, 0.03}, opt -> new CosineAnnealingWarmRestarts(opt, 3, 2, 0.001), new double[][] {
            {0.07525000000000001, 0.02275}, {0.025750000000000012, 0.008250000000000004}, {0.1, 0.03},
            {0.09336825748732973, 0.02805736835487436}, {0.07525000000000001, 0.02275}, {0.0505, 0.0155},
            {0.025750000000000012, 0.008250000000000004}, {0.007631742512670284, 0.002942631645125639}, {0.1, 0.03},
            {0.09831332840130888, 0.02950592448119149}, {0.09336825748732973, 0.02805736835487436},
            {0.0855017856687341, 0.025753048327204937}, {0.07525000000000001, 0.02275},
            {0.06331154273257478, 0.01925287615398655}, {0.0505, 0.0155},
            {0.03768845726742523, 0.011747123846013448}, {0.025750000000000012, 0.008250000000000004},
            {0.0154982143312659, 0.0052469516727950615}, {0.007631742512670284, 0.002942631645125639},
            {0.0026866715986911243, 0.001494075518808511}, {0.1, 0.03}, {0.09957652063800362, 0.029875950489920252},
            {0.09831332840130888, 0.02950592448119149}, {0.0962320368593087, 0.028896253221413655}});
    }

    @Test
    void cosineAnnealingWarmRestartsWithEqualCycles() {
        // torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(SGD(lr=0.1), T_0=4), 10 epochs, PyTorch 1.13
        check(new double[] {0.1}, opt -> new CosineAnnealingWarmRestarts(opt, 4, 1, 0), new double[][] {
            {0.08535533905932738}, {0.05}, {0.014644660940672627}, {0.1}, {0.08535533905932738}, {0.05},
            {0.014644660940672627}, {0.1}, {0.08535533905932738}, {0.05}});
    }

    @Test
    void oneCycleLRDefaultsSetEveryGroupToTheSameRates() {
        // torch.optim.lr_scheduler.OneCycleLR(SGD(groups lr 0.1 and 0.03), max_lr=0.5, total_steps=10,
        // cycle_momentum=False), 10 steps, PyTorch 1.13; the rates before the first step are [0.02, 0.02]
        Optimizer opt = sgd(0.1, 0.03);
        LearningRateSchedule schedule = new OneCycleLR(opt, 0.5, 10);
        checkInitialRates(opt, 0.020000000000000018, 0.020000000000000018);
        checkRates(opt, schedule, new double[][] {
            {0.26, 0.26}, {0.5, 0.5}, {0.47524231600673683, 0.47524231600673683},
            {0.40587282697488153, 0.40587282697488153}, {0.30563101096814466, 0.30563101096814466},
            {0.19437098903185537, 0.19437098903185537}, {0.09412917302511849, 0.09412917302511849},
            {0.024759683993263143, 0.024759683993263143}, {2e-06, 2e-06},
            {0.024759683993263115, 0.024759683993263115}});
    }

    @Test
    void oneCycleLRThreePhasesCosine() {
        // torch.optim.lr_scheduler.OneCycleLR(SGD(lr=0.1), max_lr=0.5, total_steps=20, pct_start=0.4,
        // three_phase=True, cycle_momentum=False), 20 steps, PyTorch 1.13; the rate before the first step is 0.02
        Optimizer opt = sgd(0.1);
        LearningRateSchedule schedule = new OneCycleLR(opt, 0.5, 20, 0.4, AnnealStrategy.COS, 25, 1e4, true);
        checkInitialRates(opt, 0.020000000000000018);
        checkRates(opt, schedule, new double[][] {
            {0.043767471703419436}, {0.11036244755390395}, {0.20659497585048459}, {0.31340502414951543},
            {0.409637552446096}, {0.4762325282965806}, {0.5}, {0.4762325282965806}, {0.40963755244609606},
            {0.31340502414951543}, {0.20659497585048453}, {0.11036244755390397}, {0.043767471703419436}, {0.02},
            {0.0180903609267551}, {0.0130908609267551}, {0.0069111390732449025}, {0.0019116390732449018}, {2e-06},
            {0.0019116390732448996}});
    }

    @Test
    void oneCycleLRThreePhasesLinearStopsAtZeroWherePyTorchGoesNegative() {
        // torch.optim.lr_scheduler.OneCycleLR(SGD(lr=0.1), max_lr=0.5, total_steps=12, pct_start=0.25,
        // anneal_strategy='linear', div_factor=10, final_div_factor=100, three_phase=True, cycle_momentum=False),
        // 12 steps, PyTorch 1.13; the rate before the first step is 0.05. After step 12 PyTorch sets
        // -0.006571428571428568, a rate Kiln cannot take: 0 instead.
        Optimizer opt = sgd(0.1);
        LearningRateSchedule schedule = new OneCycleLR(opt, 0.5, 12, 0.25, AnnealStrategy.LINEAR, 10, 100, true);
        checkInitialRates(opt, 0.05);
        checkRates(opt, schedule, new double[][] {
            {0.275}, {0.5}, {0.275}, {0.04999999999999999}, {0.042928571428571434}, {0.03585714285714286},
            {0.02878571428571429}, {0.021714285714285717}, {0.014642857142857145}, {0.007571428571428576},
            {0.0005000000000000004}, {0.0}});
    }
}
