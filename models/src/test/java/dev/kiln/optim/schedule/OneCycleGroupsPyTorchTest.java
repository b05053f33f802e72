package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.OneCycleLR.AnnealStrategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What OneCycleLR leaves in the optimizer's groups, against PyTorch 1.13 ({@code models/src/test/pytorch/
 * onecycle_groups.py}): the starting rate {@code max_lr / div_factor} as each group's {@code initial_lr}, which a
 * schedule made after it takes as its base and the state dict carries; and a run resumed from the state dict after
 * step 4 going on with the uninterrupted run's rates and momenta (cos with two phases on SGD's momentum, linear with
 * three phases on Adam's beta1); and a max_lr for each group. Two groups of rates 0.1 and 0.03 throughout.
 */
class OneCycleGroupsPyTorchTest {
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

    private static List<ParamGroup> groups() {
        return List.of(new ParamGroup(List.of(Tensor.zeros(DType.F64, 2).requiresGrad(true)), 0.1),
                new ParamGroup(List.of(Tensor.zeros(DType.F64, 3).requiresGrad(true)), 0.03));
    }

    private SGD sgd() {
        SGD sgd = new SGD(groups()).momentum(0.9);
        optimizers.add(sgd);
        return sgd;
    }

    private Adam adam() {
        Adam adam = new Adam(groups());
        optimizers.add(adam);
        return adam;
    }

    /** OneCycleLR(max_lr=0.5, total_steps=10), PyTorch's defaults otherwise. */
    private static OneCycleLR cosine(Optimizer optimizer) {
        return new OneCycleLR(optimizer, 0.5, 10);
    }

    /**
     * OneCycleLR(max_lr=0.4, total_steps=12, pct_start=0.25, anneal_strategy='linear', div_factor=10,
     * final_div_factor=100, three_phase=True, base_momentum=0.8, max_momentum=0.9).
     */
    private static OneCycleLR linearThreePhase(Optimizer optimizer) {
        return new OneCycleLR(optimizer, 0.4, 12, 0.25, AnnealStrategy.LINEAR, 10, 100, true, true, 0.8, 0.9);
    }

    private static double[] initialRates(Optimizer optimizer) {
        return optimizer.groups().stream().mapToDouble(ParamGroup::initialLr).toArray();
    }

    /** Group 0's rate and momentum after each step from {@code from} to {@code to}, then checks both groups agree. */
    private static double[][] trajectory(Optimizer optimizer, OneCycleLR schedule, int from, int to) {
        double[][] out = new double[2][to - from + 1];
        for (int s = from; s <= to; s++) {
            schedule.step(s, Double.NaN);
            out[0][s - from] = optimizer.groups().get(0).lr();
            out[1][s - from] = optimizer.momentumOrBeta1().orElseThrow();
            assertEquals(out[0][s - from], optimizer.groups().get(1).lr(), 0, "every group gets the same rate");
        }
        return out;
    }

    private static Map<String, Tensor> copied(Map<String, Tensor> state) {
        Map<String, Tensor> out = new HashMap<>();
        state.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    @Test
    void everyGroupKeepsTheStartingRateAsItsInitialRateWhileTheRateMoves() {
        SGD sgd = sgd();
        trajectory(sgd, cosine(sgd), 1, 4);
        // initial_lr: [0.02, 0.02]
        assertArrayEquals(new double[] {0.02, 0.02}, initialRates(sgd), TOLERANCE);
        Adam adam = adam();
        trajectory(adam, linearThreePhase(adam), 1, 2);
        // initial_lr: [0.04, 0.04]
        assertArrayEquals(new double[] {0.04, 0.04}, initialRates(adam), TOLERANCE);
    }

    @Test
    void aScheduleMadeAfterItTakesTheStartingRateAsItsBase() {
        SGD sgd = sgd();
        OneCycleLR schedule = cosine(sgd);
        trajectory(sgd, schedule, 1, 4);
        // ExponentialLR(gamma=0.5) made after it: base_lrs [0.02, 0.02]
        new ExponentialLR(sgd, 0.5).step(1, Double.NaN);
        assertEquals(0.02 * 0.5, sgd.groups().get(0).lr(), TOLERANCE);
        assertEquals(0.02 * 0.5, sgd.groups().get(1).lr(), TOLERANCE);
    }

    @Test
    void cosineOnSgdGoesOnAfterAResumeAsPyTorchs() {
        double[] rates = {0.020000000000000018, 0.26, 0.5, 0.47524231600673683, 0.40587282697488153,
                0.30563101096814466, 0.19437098903185537, 0.09412917302511849, 0.024759683993263143, 2e-06,
                0.024759683993263115};
        double[] momenta = {0.95, 0.8999999999999999, 0.85, 0.854951556604879, 0.8688255099070633, 0.8888739533021842,
                0.9111260466978157, 0.9311744900929366, 0.945048443395121, 0.95, 0.945048443395121};
        assertResumedAsPyTorch(this::sgd, OneCycleGroupsPyTorchTest::cosine, 10, rates, momenta, 0.02);
    }

    @Test
    void linearThreePhasesOnAdamGoOnAfterAResumeAsPyTorchs() {
        double[] rates = {0.04, 0.22000000000000003, 0.4, 0.22, 0.03999999999999998, 0.03434285714285715,
                0.028685714285714287, 0.02302857142857143, 0.017371428571428572, 0.011714285714285712,
                0.006057142857142858, 0.0003999999999999976,
                // PyTorch's -0.005257142857142856 one past the last step that trains, which Kiln sets to 0
                0};
        double[] momenta = {0.9, 0.8500000000000001, 0.8, 0.8500000000000001, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9,
                0.9};
        assertResumedAsPyTorch(this::adam, OneCycleGroupsPyTorchTest::linearThreePhase, 12, rates, momenta,
                0.04);
    }

    @Test
    void aMaxLrForEachGroupGivesEachItsOwnRatesAsPyTorchsList() {
        // OneCycleLR(max_lr=[0.5, 0.2], total_steps=10, pct_start=0.4): each group's lr when made and after each step
        double[] first = {0.020000000000000018, 0.14, 0.37999999999999995, 0.5, 0.4665064849207059, 0.3750005, 0.250001,
                0.12500150000000004, 0.03349551507929411, 2e-06, 0.03349551507929414};
        double[] second = {0.008000000000000007, 0.055999999999999994, 0.152, 0.2, 0.18660259396828238, 0.1500002,
                0.1000004, 0.05000060000000003, 0.013398206031717645, 8e-07, 0.013398206031717656};
        SGD sgd = sgd();
        OneCycleLR schedule = new OneCycleLR(sgd, new double[] {0.5, 0.2}, 10, 0.4, AnnealStrategy.COS, 25, 1e4, false,
                true, 0.85, 0.95);
        // initial_lr: [0.02, 0.008]
        assertArrayEquals(new double[] {0.02, 0.008}, initialRates(sgd), TOLERANCE);
        double[][] rates = new double[2][11];
        for (int s = 0; s <= 10; s++) {
            if (s > 0) {
                schedule.step(s, Double.NaN);
            }
            rates[0][s] = sgd.groups().get(0).lr();
            rates[1][s] = sgd.groups().get(1).lr();
        }
        assertArrayEquals(first, rates[0], TOLERANCE);
        assertArrayEquals(second, rates[1], TOLERANCE);
    }

    @Test
    void maxLrsOfAnotherCountThanTheGroupsAreRefused() {
        SGD sgd = sgd();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OneCycleLR(sgd, new double[] {0.5}, 10, 0.3, AnnealStrategy.COS, 25, 1e4, false, true, 0.85,
                        0.95));
        assertEquals("OneCycleLR: maxLrs needs one rate for each of the optimizer's 2 groups, got 1", e.getMessage());
    }

    /**
     * The uninterrupted run's rates and momenta, the state dict after 4 steps (initial_lr included), and a fresh
     * optimizer that loads it, under a schedule made again, going on with the run's values from step 4.
     */
    private void assertResumedAsPyTorch(Supplier<Optimizer> make, Function<Optimizer, OneCycleLR> schedule,
                                        int steps, double[] rates, double[] momenta, double initialLr) {
        Optimizer run = make.get();
        OneCycleLR uninterrupted = schedule.apply(run);
        double[][] made = {{run.groups().get(0).lr()}, {run.momentumOrBeta1().orElseThrow()}};
        double[][] stepped = trajectory(run, uninterrupted, 1, steps);
        assertEquals(rates[0], made[0][0], TOLERANCE);
        assertEquals(momenta[0], made[1][0], TOLERANCE);
        assertArrayEquals(Arrays.copyOfRange(rates, 1, steps + 1), stepped[0], TOLERANCE);
        assertArrayEquals(Arrays.copyOfRange(momenta, 1, steps + 1), stepped[1], TOLERANCE);

        Optimizer first = make.get();
        trajectory(first, schedule.apply(first), 1, 4);
        Map<String, Tensor> saved = copied(first.stateDict());
        // state_dict after 4 steps: initial_lr [s, s] with s the starting rate, lr the rate after step 4
        assertEquals(initialLr, saved.get("group.0.initial_lr").item(), TOLERANCE);
        assertEquals(initialLr, saved.get("group.1.initial_lr").item(), TOLERANCE);
        assertEquals(rates[4], saved.get("group.1.lr").item(), TOLERANCE);
        Optimizer resumed = make.get();
        resumed.loadStateDict(saved);
        double[][] goneOn = trajectory(resumed, schedule.apply(resumed), 4, steps);
        assertArrayEquals(Arrays.copyOfRange(rates, 4, steps + 1), goneOn[0], TOLERANCE);
        assertArrayEquals(Arrays.copyOfRange(momenta, 4, steps + 1), goneOn[1], TOLERANCE);
        assertArrayEquals(new double[] {initialLr, initialLr}, initialRates(resumed), TOLERANCE);
    }
}
