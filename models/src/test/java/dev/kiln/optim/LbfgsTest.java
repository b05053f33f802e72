package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BytesInUse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** LBFGS's settings, refusals, state dict and memory; {@link LbfgsPyTorchTest} compares its steps with PyTorch's. */
class LbfgsTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor rosenbrockStart(DType dtype) {
        return Tensor.fromArray(new double[] {-1.2, 1.0}, 2).to(dtype).requiresGrad(true);
    }

    /** The closure of the Rosenbrock function (1 - x)^2 + 100 (y - x^2)^2 of p = (x, y). */
    private static LossClosure rosenbrock(Optimizer opt, Tensor p) {
        return () -> {
            opt.zeroGrad();
            Tensor loss = LbfgsPyTorchTest.rosenbrock(List.of(p));
            loss.backward();
            return loss;
        };
    }

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    // ---- Settings and refusals ----------------------------------------------------------------------

    @Test
    void defaultsArePyTorchs() {
        try (LBFGS lbfgs = new LBFGS(List.of(rosenbrockStart(DType.F64)), LBFGS.DEFAULT_LR)) {
            assertEquals(1.0, lbfgs.learningRate());
            assertEquals(20, lbfgs.maxIter());
            assertEquals(25, lbfgs.maxEval(), "maxIter * 5 / 4");
            assertEquals(1e-7, lbfgs.toleranceGrad());
            assertEquals(1e-9, lbfgs.toleranceChange());
            assertEquals(100, lbfgs.historySize());
            assertEquals("none", lbfgs.lineSearch());
            assertEquals(12, lbfgs.maxIter(10).maxEval(), "maxEval follows maxIter until it is set");
            assertEquals(7, lbfgs.maxEval(7).maxIter(40).maxEval());
            assertTrue(lbfgs.needsClosure());
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheSettingAndTheValue() {
        List<Tensor> ps = List.of(rosenbrockStart(DType.F64));
        assertEquals("ParamGroup: learning rate must be finite and >= 0, got -1.0", refusal(() -> new LBFGS(ps, -1)));
        LBFGS lbfgs = new LBFGS(ps, 1);
        assertEquals("LBFGS: historySize must be at least 1, got 0", refusal(() -> lbfgs.historySize(0)));
        assertEquals("LBFGS: maxIter must be at least 1, got 0", refusal(() -> lbfgs.maxIter(0)));
        assertEquals("LBFGS: maxEval must be at least 1, got -3", refusal(() -> lbfgs.maxEval(-3)));
        assertEquals("LBFGS: toleranceGrad must be finite and >= 0, got -1.0E-7",
                refusal(() -> lbfgs.toleranceGrad(-1e-7)));
        assertEquals("LBFGS: toleranceChange must be finite and >= 0, got NaN",
                refusal(() -> lbfgs.toleranceChange(Double.NaN)));
        assertEquals("LBFGS: line search must be \"strong_wolfe\", \"none\" or null, got \"wolfe\"",
                refusal(() -> lbfgs.lineSearch("wolfe")));
        assertEquals("strong_wolfe", lbfgs.lineSearch("strong_wolfe").lineSearch());
        assertEquals("none", lbfgs.lineSearch(null).lineSearch());
        lbfgs.close();
    }

    @Test
    void moreThanOneParameterGroupIsRefused() {
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(rosenbrockStart(DType.F64)), 1),
                new ParamGroup(List.of(rosenbrockStart(DType.F64)), 0.1));
        assertEquals("LBFGS: takes one parameter group (PyTorch's has no per-group options), got 2",
                refusal(() -> new LBFGS(groups)));
    }

    @Test
    void weightDecayIsRefusedWhenMadeAndWhenSetLater() {
        Tensor p = rosenbrockStart(DType.F64);
        assertEquals("LBFGS: has no weight decay (PyTorch's has none), got 0.01 for its parameter group",
                refusal(() -> new LBFGS(List.of(new ParamGroup(List.of(p), 1, 0.01)))));
        try (LBFGS lbfgs = new LBFGS(List.of(p), 1)) {
            lbfgs.groups().get(0).setWeightDecay(0.5);
            assertEquals("LBFGS: has no weight decay (PyTorch's has none), got 0.5 for its parameter group",
                    refusal(() -> lbfgs.step(rosenbrock(lbfgs, p))));
        }
    }

    @Test
    void parametersOfTwoDtypesAreRefused() {
        Tensor a = rosenbrockStart(DType.F64);
        Tensor b = rosenbrockStart(DType.F32);
        assertEquals("LBFGS: all parameters must have one dtype, got F64 and F32 (for [2])",
                refusal(() -> new LBFGS(List.of(a, b), 1)));
    }

    @Test
    void stepWithoutAClosureIsRefusedSayingWhatToPass() {
        try (LBFGS lbfgs = new LBFGS(List.of(rosenbrockStart(DType.F64)), 1)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, lbfgs::step);
            assertEquals("LBFGS.step(): LBFGS re-evaluates the loss during a step; call step(LossClosure) with a"
                    + " closure that clears the gradients, computes the loss, backpropagates it and returns it",
                    e.getMessage());
            assertEquals("LBFGS.step: the closure must not be null", refusal(() -> lbfgs.step(null)));
        }
    }

    @Test
    void aClosureThatReturnsNoScalarIsRefusedNamingTheShape() {
        Tensor p = rosenbrockStart(DType.F64);
        try (LBFGS lbfgs = new LBFGS(List.of(p), 1)) {
            assertEquals("LBFGS.step: the closure must return the loss, one element; got shape [2]",
                    refusal(() -> lbfgs.step(() -> p.square())));
            assertEquals("LBFGS.step: the closure must return the loss, one element; got null",
                    refusal(() -> lbfgs.step(() -> null)));
        }
    }

    // ---- Steps ----------------------------------------------------------------------------------------

    @Test
    void withStrongWolfeRosenbrockReachesItsMinimumInF32() {
        Tensor p = rosenbrockStart(DType.F32);
        try (LBFGS lbfgs = new LBFGS(List.of(p), 1).lineSearch("strong_wolfe")) {
            double first = lbfgs.step(rosenbrock(lbfgs, p));
            for (int i = 0; i < 4; i++) {
                lbfgs.step(rosenbrock(lbfgs, p));
            }
            assertEquals(24.2, first, 1e-5, "the loss at the start");
            assertArrayEquals(new double[] {1, 1}, p.toDoubleArray(), 1e-3, "the minimum (1, 1)");
        }
    }

    @Test
    void theClosureRunsWithGradientsOnAlsoInsideNoGradAsPyTorchs() {
        Tensor p = rosenbrockStart(DType.F64);
        try (LBFGS lbfgs = new LBFGS(List.of(p), 1).lineSearch("strong_wolfe");
             Autograd.Guard off = Autograd.noGrad()) {
            lbfgs.step(rosenbrock(lbfgs, p));
            assertFalse(Autograd.isEnabled(), "the caller's mode is back after the step");
        }
        assertNotEquals(-1.2, p.toDoubleArray()[0], "the step moved the parameters");
    }

    @Test
    void aParameterWithoutAGradientStaysWhereItIs() {
        Tensor p = rosenbrockStart(DType.F64);
        Tensor unused = Tensor.fromArray(new double[] {3, -4, 5}, 3).requiresGrad(true);
        try (LBFGS lbfgs = new LBFGS(List.of(unused, p), 1).lineSearch("strong_wolfe")) {
            lbfgs.step(rosenbrock(lbfgs, p));
            assertArrayEquals(new double[] {3, -4, 5}, unused.toDoubleArray());
            assertFalse(p.toDoubleArray()[0] == -1.2, "the other parameter moved");
        }
    }

    @Test
    void anyOptimizerStepsWithAClosureEvaluatingItOnce() {
        Tensor p = rosenbrockStart(DType.F64);
        try (SGD sgd = new SGD(List.of(p), 0.001)) {
            int[] calls = {0};
            LossClosure rosenbrock = rosenbrock(sgd, p);
            double loss = sgd.step(() -> {
                calls[0]++;
                return rosenbrock.evaluate();
            });
            assertEquals(24.2, loss, 1e-12);
            assertEquals(1, calls[0]);
            // The gradient at (-1.2, 1) is (-215.6, -88).
            assertArrayEquals(new double[] {-1.2 + 0.2156, 1 + 0.088}, p.toDoubleArray(), 1e-12);
            assertFalse(sgd.needsClosure());
        }
    }

    @Test
    void memoryStaysFlatOnceTheHistoryIsFullAndCloseReleasesTheState() {
        Tensor p = rosenbrockStart(DType.F64);
        long before = Engine.get().backend().bytesInUse();
        LBFGS lbfgs = new LBFGS(List.of(p), 0.5).maxIter(6).historySize(2);
        lbfgs.step(rosenbrock(lbfgs, p));
        lbfgs.step(rosenbrock(lbfgs, p));
        p.clearGrad();
        long full = Engine.get().backend().bytesInUse();
        for (int i = 0; i < 5; i++) {
            lbfgs.step(rosenbrock(lbfgs, p));
        }
        p.clearGrad();
        assertEquals(full, Engine.get().backend().bytesInUse(), "bytes in use after 2 steps and after 7");
        lbfgs.stateDict();
        lbfgs.close();
        assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after close");
    }

    // ---- State dict -----------------------------------------------------------------------------------

    @Test
    void theStateHoldsPyTorchsNamesUnderParameterZero() {
        Tensor w = Tensor.fromArray(new double[] {0.5, -0.5}, 2).requiresGrad(true);
        Tensor p = rosenbrockStart(DType.F64);
        try (LBFGS lbfgs = new LBFGS(List.of(p, w), 0.5).maxIter(5).historySize(3)) {
            assertEquals(List.of("group.0.lr", "group.0.weight_decay"), List.copyOf(lbfgs.stateDict().keySet()),
                    "before the first step");
            lbfgs.step(rosenbrock(lbfgs, p));
            Map<String, Tensor> state = lbfgs.stateDict();
            assertEquals(List.of("state.0.func_evals", "state.0.n_iter", "state.0.d", "state.0.t", "state.0.old_dirs",
                    "state.0.old_stps", "state.0.ro", "state.0.H_diag", "state.0.prev_flat_grad", "state.0.prev_loss",
                    "group.0.lr", "group.0.weight_decay"), List.copyOf(state.keySet()));
            assertEquals(5, state.get("state.0.n_iter").toLongArray()[0]);
            assertEquals("[3, 4]", state.get("state.0.old_dirs").shape().toString(), "a full history of [n] vectors");
            assertEquals("[3]", state.get("state.0.ro").shape().toString());
            assertEquals("[4]", state.get("state.0.d").shape().toString());
            assertEquals(DType.I64, state.get("state.0.func_evals").dtype());
        }
    }

    @Test
    void aLoadedStateResumesBitForBit() {
        double[] resumed = resumeAfter(5);
        double[] straight = straightRun(5);
        assertArrayEquals(straight, resumed);
    }

    @Test
    void aStateWithAnEmptyHistoryResumesBitForBit() {
        // One iteration in the first step: no curvature pair yet, so old_dirs is [0, 2].
        assertArrayEquals(straightRun(1), resumeAfter(1));
    }

    /** Rosenbrock's parameters after a step of {@code firstIterations} iterations and three of 4. */
    private static double[] straightRun(int firstIterations) {
        Tensor p = rosenbrockStart(DType.F64);
        try (LBFGS lbfgs = new LBFGS(List.of(p), 0.5).maxIter(firstIterations).historySize(3)) {
            lbfgs.step(rosenbrock(lbfgs, p));
            lbfgs.maxIter(4);
            for (int i = 0; i < 3; i++) {
                lbfgs.step(rosenbrock(lbfgs, p));
            }
        }
        return p.toDoubleArray();
    }

    /** As {@link #straightRun}, but the last three steps by a new optimizer that loaded the first one's state. */
    private static double[] resumeAfter(int firstIterations) {
        Tensor p = rosenbrockStart(DType.F64);
        Map<String, Tensor> saved = new LinkedHashMap<>();
        try (LBFGS first = new LBFGS(List.of(p), 0.5).maxIter(firstIterations).historySize(3)) {
            first.step(rosenbrock(first, p));
            first.stateDict().forEach((k, v) -> saved.put(k, v.copy()));
        }
        try (LBFGS second = new LBFGS(List.of(p), 0.1).maxIter(4).historySize(3)) {
            second.loadStateDict(saved);
            assertEquals(0.5, second.learningRate(), "the group's learning rate comes with the state");
            for (int i = 0; i < 3; i++) {
                second.step(rosenbrock(second, p));
            }
        }
        return p.toDoubleArray();
    }

    @Test
    void loadingItsOwnStateDictChangesNothing() {
        Tensor p = rosenbrockStart(DType.F64);
        Tensor q = rosenbrockStart(DType.F64);
        try (LBFGS a = new LBFGS(List.of(p), 0.5).maxIter(4); LBFGS b = new LBFGS(List.of(q), 0.5).maxIter(4)) {
            a.step(rosenbrock(a, p));
            b.step(rosenbrock(b, q));
            a.loadStateDict(a.stateDict());
            a.step(rosenbrock(a, p));
            b.step(rosenbrock(b, q));
            assertArrayEquals(q.toDoubleArray(), p.toDoubleArray());
        }
    }

    @Test
    void aStateThatDoesNotFitIsRefusedListingEveryProblemAndNothingIsLoaded() {
        Tensor p = rosenbrockStart(DType.F64);
        try (LBFGS lbfgs = new LBFGS(List.of(p), 0.5).maxIter(4).historySize(3)) {
            lbfgs.step(rosenbrock(lbfgs, p));
            Map<String, Tensor> state = new LinkedHashMap<>(lbfgs.stateDict());
            state.put("state.0.d", Tensor.zeros(DType.F64, 3));
            state.remove("state.0.prev_loss");
            state.put("state.1.d", Tensor.zeros(DType.F64, 2));
            state.put("state.0.al", Tensor.zeros(DType.F64, 2));
            state.put("group.1.lr", Tensor.fromArray(new double[] {0.1}, 1));
            assertEquals("loadStateDict: LBFGS cannot load this state:\n"
                    + "  state.1.d: LBFGS keeps its state under parameter 0 (state.0.<name>), as PyTorch does\n"
                    + "  state.0.al: LBFGS keeps [func_evals, n_iter, d, t, old_dirs, old_stps, ro, H_diag,"
                    + " prev_flat_grad, prev_loss], not 'al'\n"
                    + "  state.0: missing [prev_loss]\n"
                    + "  state.0.d: F64 [3], expected F32 or F64 [2] (the parameters' elements)\n"
                    + "  group.1.lr: group index out of range [0, 1)", refusal(() -> lbfgs.loadStateDict(state)));
            assertEquals(4, lbfgs.stateDict().get("state.0.n_iter").toLongArray()[0], "the state is as it was");
        }
    }

    @Test
    void aHistoryWhosePartsDisagreeOrOverflowIsRefused() {
        Tensor p = rosenbrockStart(DType.F64);
        try (LBFGS lbfgs = new LBFGS(List.of(p), 0.5).maxIter(4).historySize(3)) {
            lbfgs.step(rosenbrock(lbfgs, p));
            Map<String, Tensor> state = new LinkedHashMap<>(lbfgs.stateDict());
            state.put("state.0.old_dirs", Tensor.zeros(DType.F64, 2, 2));
            assertEquals("loadStateDict: LBFGS cannot load this state:\n"
                    + "  state.0: old_dirs [2, 2], old_stps [3, 2] and ro [3] must hold the same number of pairs",
                    refusal(() -> lbfgs.checkStateDict(state)));
            lbfgs.historySize(2);
            assertEquals("loadStateDict: LBFGS cannot load this state:\n"
                    + "  state.0.old_dirs: 3 pairs, more than the history size 2",
                    refusal(() -> lbfgs.checkStateDict(lbfgs.stateDict())));
        }
    }
}
