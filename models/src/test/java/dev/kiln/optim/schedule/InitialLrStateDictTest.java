package dev.kiln.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The base rate schedules share ({@link ParamGroup#initialLr()}, PyTorch's {@code initial_lr}) travels in the
 * optimizer's state dict as PyTorch's does in its {@code param_groups}: a schedule made after loading a checkpoint
 * takes the run's first rate, not the decayed one the checkpoint left.
 */
class InitialLrStateDictTest {
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

    /** SGD over two groups of rates {@code lr0} and {@code lr1}. */
    private SGD sgd(double lr0, double lr1) {
        SGD opt = new SGD(List.of(new ParamGroup(List.of(param()), lr0), new ParamGroup(List.of(param()), lr1)));
        optimizers.add(opt);
        return opt;
    }

    private static Tensor param() {
        return Tensor.fromArray(new double[] {1.0}, 1).requiresGrad(true);
    }

    private static Map<String, Tensor> copied(Map<String, Tensor> state) {
        Map<String, Tensor> out = new HashMap<>();
        state.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    @Test
    void aScheduleMadeAfterLoadingACheckpointTakesTheRunsFirstRates() {
        SGD first = sgd(0.1, 0.02);
        new StepLR(first, 1, 0.5).step(2, Double.NaN);
        Map<String, Tensor> saved = copied(first.stateDict());
        SGD resumed = sgd(1, 1);
        resumed.loadStateDict(saved);
        assertEquals(0.1 / 4, resumed.groups().get(0).lr(), TOLERANCE, "the checkpoint's decayed rate");
        new StepLR(resumed, 1, 0.5).step(3, Double.NaN);
        assertEquals(0.1 / 8, resumed.groups().get(0).lr(), TOLERANCE);
        assertEquals(0.02 / 8, resumed.groups().get(1).lr(), TOLERANCE);
    }

    @Test
    void theStateDictHoldsEachGroupsInitialRateOnceAScheduleRecordedIt() {
        SGD opt = sgd(0.1, 0.02);
        assertFalse(opt.stateDict().containsKey("group.0.initial_lr"), "no schedule, no initial rate");
        new ExponentialLR(opt, 0.9).step(3, Double.NaN);
        Map<String, Tensor> state = opt.stateDict();
        assertEquals(0.1, state.get("group.0.initial_lr").item(), TOLERANCE);
        assertEquals(0.02, state.get("group.1.initial_lr").item(), TOLERANCE);
        assertEquals(0.1 * 0.9 * 0.9 * 0.9, state.get("group.0.lr").item(), TOLERANCE);
    }

    @Test
    void aNegativeInitialRateIsRefusedNamingItsKey() {
        SGD opt = sgd(0.1, 0.02);
        Map<String, Tensor> state = copied(opt.stateDict());
        state.put("group.1.initial_lr", Tensor.fromArray(new double[] {-0.5}, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(state));
        assertTrue(e.getMessage().contains("group.1.initial_lr: -0.5 is not a finite value >= 0"), e.getMessage());
        assertEquals(0.02, opt.groups().get(1).initialLr(), TOLERANCE, "nothing loaded");
    }
}
