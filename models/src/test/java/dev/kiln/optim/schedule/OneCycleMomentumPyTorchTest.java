package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.optim.AdaGrad;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.OneCycleLR.AnnealStrategy;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OneCycleLR's momentum cycling (PyTorch's default {@code cycle_momentum=True}) against the values PyTorch 1.13 printed
 * (models/src/test/pytorch/onecycle_momentum.py).
 */
class OneCycleMomentumPyTorchTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor weights(int n) {
        return Tensor.zeros(DType.F64, n).requiresGrad(true);
    }

    /** The momentum when the schedule is made, then after each of {@code steps} steps. */
    private static double[] momenta(Optimizer optimizer, LearningRateSchedule schedule, int steps) {
        double[] values = new double[steps + 1];
        values[0] = optimizer.momentumOrBeta1().orElseThrow();
        for (int s = 1; s <= steps; s++) {
            schedule.step(s, Double.NaN);
            values[s] = optimizer.momentumOrBeta1().orElseThrow();
        }
        return values;
    }

    @Test
    void sgdsMomentumFallsWhileTheRateRisesAndRisesWhileItFalls() {
        // SGD(lr=0.1, momentum=0.9), OneCycleLR(max_lr=0.5, total_steps=10): momentum before and after each step
        double[] expected = {0.95, 0.8999999999999999, 0.85, 0.854951556604879, 0.8688255099070633, 0.8888739533021842,
                0.9111260466978157, 0.9311744900929366, 0.945048443395121, 0.95, 0.945048443395121};
        SGD sgd = new SGD(List.of(weights(2)), 0.1).momentum(0.9);
        assertArrayEquals(expected, momenta(sgd, new OneCycleLR(sgd, 0.5, 10), 10), 1e-15);
    }

    @Test
    void adamsBeta1FollowsThreeLinearPhasesAndKeepsItsBeta2() {
        // Adam(lr=0.1, betas=(0.9, 0.99)), OneCycleLR(max_lr=0.5, total_steps=12, pct_start=0.25,
        // anneal_strategy='linear', three_phase=True, base_momentum=0.8, max_momentum=0.9): beta1 before and after
        // each step
        double[] expected = {0.9, 0.8500000000000001, 0.8, 0.8500000000000001, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9,
                0.9};
        Adam adam = new Adam(List.of(weights(2)), 0.1).betas(0.9, 0.99);
        OneCycleLR schedule = new OneCycleLR(adam, 0.5, 12, 0.25, AnnealStrategy.LINEAR, 25, 1e4, true, true, 0.8, 0.9);
        assertArrayEquals(expected, momenta(adam, schedule, 12), 1e-15);
        assertEquals(0.99, adam.beta2());
    }

    @Test
    void adamTrainsAsPyTorchsUnderTheCycledBeta1() {
        // Adam(lr=0.01) on sum((w - target)^2 * [1..5]), w = pattern(5, 1), target = pattern(5, 2),
        // OneCycleLR(max_lr=0.1, total_steps=8): w after 8 steps
        double[] expected = {0.2038429657742422, 0.12317091071229677, -0.14135650327011745, -0.4706712684360594,
                -0.296444806791437};
        Tensor w = Tensor.fromArray(PyTorchParity.pattern(5, 1), 5).requiresGrad(true);
        Tensor target = Tensor.fromArray(PyTorchParity.pattern(5, 2), 5);
        Tensor scale = Tensor.fromArray(new double[] {1, 2, 3, 4, 5}, 5);
        Adam adam = new Adam(List.of(w), 0.01);
        OneCycleLR schedule = new OneCycleLR(adam, 0.1, 8);
        for (int s = 1; s <= 8; s++) {
            adam.zeroGrad();
            w.sub(target).square().mul(scale).sum().backward();
            adam.step();
            schedule.step(s, Double.NaN);
        }
        assertArrayEquals(expected, w.toDoubleArray(), 1e-14);
    }

    @Test
    void anOptimizerWithoutMomentumIsRefusedUnlessCyclingIsOff() {
        AdaGrad adagrad = new AdaGrad(List.of(weights(1)), 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OneCycleLR(adagrad, 0.5, 10));
        assertEquals("OneCycleLR: AdaGrad has no momentum or beta1 to cycle; give cycleMomentum false (PyTorch's"
                + " cycle_momentum=False)", e.getMessage());
        new OneCycleLR(adagrad, 0.5, 10, 0.3, AnnealStrategy.COS, 25, 1e4, false, false, 0.85, 0.95)
                .step(1, Double.NaN);
    }

    @Test
    void aBaseMomentumTheOptimizerRefusesIsRefusedWhenTheScheduleIsMade() {
        Adam adam = new Adam(List.of(weights(1)), 0.01);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OneCycleLR(adam, 0.5, 10, 0.3, AnnealStrategy.COS, 25, 1e4, false, true, 1.5, 0.95));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        assertEquals(0.9, adam.momentumOrBeta1().getAsDouble());
    }
}
