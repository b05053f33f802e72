package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.OneCycleLR.AnnealStrategy;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OneCycleLR with the linear strategy at its last three steps against PyTorch 1.13
 * (models/src/test/pytorch/one_cycle_last_step.py): two and three phases, several divFactor, finalDivFactor,
 * totalSteps and pctStart. After step totalSteps PyTorch's formula has run past the last phase: its rate goes
 * negative and its momentum past maxMomentum (Adam's beta1 past 1, which Adam cannot take). Kiln takes PyTorch's
 * values there floored at 0 for the rate and held within [baseMomentum, maxMomentum] for the momentum.
 */
class OneCycleLastStepPyTorchTest {
    /** Per setting: rate and momentum after each of the last three steps, as PyTorch 1.13 gives them. */
    private static final double[][] PYTORCH = {
        // three_phase=False, div_factor=25.0, final_div_factor=10000.0, total_steps=10, pct_start=0.3
        {0.14286057142857145, 0.9357142857142857, 4.000000000004e-06, 0.95, -0.14285257142857133, 0.9642857142857142},
        // three_phase=False, div_factor=25.0, final_div_factor=10000.0, total_steps=7, pct_start=0.25
        {0.19047942857142852, 0.930952380952381, 4.000000000004e-06, 0.95, -0.19047142857142862, 0.9690476190476189},
        // three_phase=False, div_factor=10.0, final_div_factor=100.0, total_steps=10, pct_start=0.3
        {0.1437142857142858, 0.9357142857142857, 0.0010000000000000009, 0.95, -0.14171428571428568, 0.9642857142857142},
        // three_phase=False, div_factor=10.0, final_div_factor=100.0, total_steps=7, pct_start=0.25
        {0.19128571428571428, 0.930952380952381, 0.0010000000000000009, 0.95, -0.18928571428571428, 0.9690476190476189},
        // three_phase=False, div_factor=4.0, final_div_factor=2.0, total_steps=10, pct_start=0.3
        {0.25, 0.9357142857142857, 0.125, 0.95, 0.0, 0.9642857142857142},
        // three_phase=False, div_factor=4.0, final_div_factor=2.0, total_steps=7, pct_start=0.25
        {0.29166666666666663, 0.930952380952381, 0.125, 0.95, -0.04166666666666674, 0.9690476190476189},
        // three_phase=True, div_factor=25.0, final_div_factor=10000.0, total_steps=10, pct_start=0.3
        {0.008003199999999995, 0.95, 3.9999999999970615e-06, 0.95, -0.007995200000000001, 0.95},
        // three_phase=True, div_factor=25.0, final_div_factor=10000.0, total_steps=7, pct_start=0.25
        {0.008891999999999997, 0.95, 3.9999999999970615e-06, 0.95, -0.00888400000000001, 0.95},
        // three_phase=True, div_factor=10.0, final_div_factor=100.0, total_steps=10, pct_start=0.3
        {0.0208, 0.95, 0.0010000000000000009, 0.95, -0.018799999999999997, 0.95},
        // three_phase=True, div_factor=10.0, final_div_factor=100.0, total_steps=7, pct_start=0.25
        {0.023000000000000007, 0.95, 0.0010000000000000009, 0.95, -0.021000000000000005, 0.95},
        // three_phase=True, div_factor=4.0, final_div_factor=2.0, total_steps=10, pct_start=0.3
        {0.15, 0.95, 0.125, 0.95, 0.1, 0.95},
        // three_phase=True, div_factor=4.0, final_div_factor=2.0, total_steps=7, pct_start=0.25
        {0.1527777777777778, 0.95, 0.125, 0.95, 0.09722222222222221, 0.95},
        // Adam, total_steps=3, pct_start=0.3, base_momentum=0.85, max_momentum=0.99
        {0.4761925714285714, 0.9233333333333333, 4.000000000004e-06, 0.99, -0.4761845714285715, 1.0566666666666666},
    };

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @Test
    void theLastStepsGivePyTorchsRateAndMomentumWithinTheirRanges() {
        double[][] factors = {{25, 1e4}, {10, 100}, {4, 2}};
        int[] totals = {10, 7};
        double[] starts = {0.3, 0.25};
        int row = 0;
        for (boolean threePhase : new boolean[] {false, true}) {
            for (double[] f : factors) {
                for (int t = 0; t < totals.length; t++) {
                    SGD sgd = new SGD(List.of(Tensor.zeros(DType.F64, 1).requiresGrad(true)), 0.1).momentum(0.9);
                    OneCycleLR schedule = new OneCycleLR(sgd, 1.0, totals[t], starts[t], AnnealStrategy.LINEAR, f[0],
                            f[1], threePhase);
                    checkLastSteps("SGD, threePhase " + threePhase + ", divFactor " + f[0] + ", finalDivFactor " + f[1]
                            + ", totalSteps " + totals[t], sgd, schedule, totals[t], PYTORCH[row++], 0.95);
                }
            }
        }
        Adam adam = new Adam(List.of(Tensor.zeros(DType.F64, 1).requiresGrad(true)), 0.1);
        OneCycleLR schedule = new OneCycleLR(adam, 1.0, 3, 0.3, AnnealStrategy.LINEAR, 25, 1e4, false, true, 0.85,
                0.99);
        checkLastSteps("Adam", adam, schedule, 3, PYTORCH[row], 0.99);
    }

    /** Steps the schedule to {@code total}, checking the last three steps against PyTorch's within the ranges. */
    private static void checkLastSteps(String what, Optimizer optimizer, OneCycleLR schedule, int total,
                                       double[] pytorch, double maxMomentum) {
        for (int s = 1; s <= total; s++) {
            schedule.step(s, Double.NaN);
            int k = s - (total - 2);
            if (k >= 0) {
                double rate = Math.max(0, pytorch[2 * k]);
                double momentum = Math.min(maxMomentum, pytorch[2 * k + 1]);
                assertEquals(rate, optimizer.groups().get(0).lr(), 1e-15, what + ": rate after step " + s);
                assertEquals(momentum, optimizer.momentumOrBeta1().orElseThrow(), 1e-15,
                        what + ": momentum after step " + s);
            }
        }
    }
}
