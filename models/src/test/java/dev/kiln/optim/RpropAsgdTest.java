package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Rprop's and ASGD's checkpoints, refusals, ASGD's average and the factory's names; their trajectories against
 * PyTorch's are in {@link RpropAsgdPyTorchTest}.
 */
class RpropAsgdTest {
    private static final double[][] GRADS = RpropAsgdPyTorchTest.GRADS;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor param(double... values) {
        return Tensor.fromArray(values, values.length).requiresGrad(true);
    }

    private static void step(Optimizer opt, Tensor param, double[] grad) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            param.backward(Tensor.fromArray(grad.clone(), grad.length));
            opt.step();
        }
    }

    /**
     * Eight steps uninterrupted, against four, a state dict copied as a checkpoint would be, a new optimizer over a
     * copy of the parameter loading it, and four more: the parameters must be bit-identical.
     */
    private static void checkResumesIdentically(Function<List<Tensor>, Optimizer> make) {
        Tensor straight = param(RpropAsgdPyTorchTest.START.clone());
        Tensor first = param(RpropAsgdPyTorchTest.START.clone());
        try (Optimizer a = make.apply(List.of(straight)); Optimizer b = make.apply(List.of(first))) {
            for (int t = 0; t < 4; t++) {
                step(a, straight, GRADS[t]);
                step(b, first, GRADS[t]);
            }
            Map<String, Tensor> saved = new HashMap<>();
            b.stateDict().forEach((k, v) -> saved.put(k, v.copy()));
            Tensor resumed = param(first.toDoubleArray());
            try (Optimizer c = make.apply(List.of(resumed))) {
                c.loadStateDict(saved);
                for (int t = 4; t < GRADS.length; t++) {
                    step(a, straight, GRADS[t]);
                    step(c, resumed, GRADS[t]);
                    assertArrayEquals(straight.toDoubleArray(), resumed.toDoubleArray(), 0.0, "after step " + (t + 1));
                }
            }
        }
    }

    @Test
    void rpropResumedFromItsStateDictMidRunStepsAsUninterrupted() {
        checkResumesIdentically(ps -> new Rprop(ps, 0.05).etas(0.3, 1.5).stepSizes(0.01, 0.08));
    }

    @Test
    void asgdResumedFromItsStateDictMidRunStepsAsUninterrupted() {
        checkResumesIdentically(ps -> new ASGD(ps, 0.1).lambd(0.01).alpha(0.5).t0(2).weightDecay(0.05));
    }

    private static void assertRefused(Executable call, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void rpropRefusesEtasAndStepSizesOutOfOrder() {
        List<Tensor> ps = List.of(param(1.0));
        assertRefused(() -> new Rprop(ps, 0.1).etas(0.5, 0.9),
                "Rprop: etas must satisfy 0 < etaMinus < 1 < etaPlus (finite), got (0.5, 0.9)");
        assertRefused(() -> new Rprop(ps, 0.1).etas(0, 1.2),
                "Rprop: etas must satisfy 0 < etaMinus < 1 < etaPlus (finite), got (0.0, 1.2)");
        assertRefused(() -> new Rprop(ps, 0.1).stepSizes(0.1, 0.01),
                "Rprop: step sizes must satisfy 0 <= min <= max (finite), got (0.1, 0.01)");
        assertRefused(() -> new Rprop(ps, 0.1).stepSizes(-1, 1),
                "Rprop: step sizes must satisfy 0 <= min <= max (finite), got (-1.0, 1.0)");
    }

    @Test
    void rpropRefusesWeightDecayItWouldIgnore() {
        ParamGroup decayed = new ParamGroup(List.of(param(1.0)), 0.1, 0.01);
        assertRefused(() -> new Rprop(List.of(decayed)), "Rprop: has no weight decay (nor has PyTorch's), got 0.01"
                + " for group 0");
    }

    @Test
    void asgdRefusesNegativeOrInfiniteSettings() {
        List<Tensor> ps = List.of(param(1.0));
        assertRefused(() -> new ASGD(ps, 0.1).lambd(-1e-4), "ASGD: lambd must be finite and >= 0, got -1.0E-4");
        assertRefused(() -> new ASGD(ps, 0.1).alpha(Double.NaN), "ASGD: alpha must be finite and >= 0, got NaN");
        assertRefused(() -> new ASGD(ps, 0.1).t0(Double.POSITIVE_INFINITY),
                "ASGD: t0 must be finite and >= 0, got Infinity");
        assertRefused(() -> new ASGD(ps, 0.1).weightDecay(-0.1),
                "ParamGroup: weight decay must be finite and >= 0, got -0.1");
    }

    @Test
    void asgdAverageIsTheMeanOfTheParametersFromStepT0PlusTwo() {
        // PyTorch's mu for step t is computed after step t - 1, as 1 / max(1, t - 1 - t0): with t0 = 1 the average
        // starts at step 3.
        Tensor p = param(1.0, -2.0);
        try (ASGD asgd = new ASGD(List.of(p), 0.1).lambd(0).t0(1)) {
            double[] sum = new double[2];
            for (int t = 1; t <= 5; t++) {
                step(asgd, p, new double[] {0.5 * t, -0.25});
                if (t >= 3) {
                    double[] now = p.toDoubleArray();
                    sum[0] += now[0];
                    sum[1] += now[1];
                }
            }
            assertArrayEquals(new double[] {sum[0] / 3, sum[1] / 3}, asgd.average(p).toDoubleArray(), 1e-15);
        }
    }

    @Test
    void asgdAverageRefusesAParameterNotSteppedOrNotItsOwn() {
        Tensor p = param(1.0);
        try (ASGD asgd = new ASGD(List.of(p), 0.1)) {
            IllegalArgumentException before = assertThrows(IllegalArgumentException.class, () -> asgd.average(p));
            assertTrue(before.getMessage().contains("has not been stepped yet"), before.getMessage());
            IllegalArgumentException stranger = assertThrows(IllegalArgumentException.class,
                    () -> asgd.average(param(1.0)));
            assertTrue(stranger.getMessage().contains("is not one of this optimizer's parameters"),
                    stranger.getMessage());
        }
    }

    @Test
    void factoryKnowsRpropAndAsgd() {
        List<Tensor> ps = List.of(param(1.0));
        assertInstanceOf(Rprop.class, Optimizers.create("Rprop", ps, 0.1));
        assertInstanceOf(ASGD.class, Optimizers.create("asgd", ps, 0.1));
        assertEquals(Rprop.DEFAULT_LR, Optimizers.createForGroups("rprop", List.of(new ParamGroup(ps))).learningRate());
        assertTrue(Optimizers.NAMES.containsAll(List.of("rprop", "asgd")));
    }
}
