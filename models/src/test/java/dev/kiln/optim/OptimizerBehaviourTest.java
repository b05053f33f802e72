package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BytesInUse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Parameter groups, weight decay, gradient clipping, state dicts, frozen parameters and the factory.
 * Expected values are computed here by hand.
 */
class OptimizerBehaviourTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private static final double TOLERANCE = 1e-12;

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
        return Tensor.fromArray(values.clone(), values.length).requiresGrad(true);
    }

    /** Sets {@code p}'s gradient to exactly {@code g} (p must require a gradient). */
    private static void setGrad(Tensor p, double... g) {
        p.clearGrad();
        p.backward(Tensor.fromArray(g.clone(), g.length));
    }

    private static void assertValues(double[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toDoubleArray(), TOLERANCE);
    }

    // ---- Subclasses -------------------------------------------------------------------------------

    @Test
    void anOptimizerThatOverridesNeitherUpdateNorUpdateGroupIsRefusedAtItsFirstStepByName() {
        Tensor p = param(1.0, 2.0);
        Optimizer unfinished = new Optimizer(List.of(new ParamGroup(List.of(p))), 0.1, 0) {
            @Override
            protected Set<String> stateNames() {
                return Set.of();
            }

            @Override
            public String toString() {
                return "Unfinished";
            }
        };
        setGrad(p, 1, 1);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, unfinished::step);
        assertTrue(e.getMessage().endsWith(": an optimizer steps each parameter by overriding update, or a group of"
                + " them by overriding updateGroup; this one overrides neither"), e.getMessage());
        assertValues(new double[] {1.0, 2.0}, p);
    }

    @Test
    void aParameterWithoutElementsIsTakenAndSteppedAsPyTorchTakesIt() {
        Tensor empty = Tensor.zeros(DType.F64, 0, 3).requiresGrad(true);
        Tensor p = param(1.0, 2.0);
        try (Adam adam = new Adam(List.of(empty, p), 0.1)) {
            empty.sum().add(p.sum()).backward();
            adam.step();
            assertArrayEquals(new int[] {0, 3}, empty.shape().dims());
            // Adam's first step: lr * g / (|g| + eps) with g = 1.
            double step = 0.1 / (1 + 1e-8);
            assertValues(new double[] {1 - step, 2 - step}, p);
        }
    }

    // ---- Parameter groups -------------------------------------------------------------------------

    @Test
    void groupsUseTheirOwnLearningRates() {
        Tensor a = param(1.0, 2.0);
        Tensor b = param(3.0);
        Tensor c = param(-1.0);
        try (SGD opt = new SGD(List.of(new ParamGroup(List.of(a, b), 0.1), new ParamGroup(List.of(c), 0.01)))) {
            setGrad(a, 1.0, -2.0);
            setGrad(b, 0.5);
            setGrad(c, 4.0);
            opt.step();
            assertValues(new double[] {1.0 - 0.1 * 1.0, 2.0 + 0.1 * 2.0}, a);
            assertValues(new double[] {3.0 - 0.1 * 0.5}, b);
            assertValues(new double[] {-1.0 - 0.01 * 4.0}, c);
            assertEquals(0.1, opt.learningRate());
            assertEquals(List.of(a, b, c), opt.params());

            opt.setLearningRate(0.5);
            assertEquals(0.5, opt.groups().get(0).lr());
            assertEquals(0.5, opt.groups().get(1).lr());
            opt.groups().get(1).setLr(0.25);
            opt.step();
            assertValues(new double[] {0.9 - 0.5 * 1.0}, a.narrow(0, 0, 1));
            assertValues(new double[] {-1.04 - 0.25 * 4.0}, c);
        }
    }

    @Test
    void groupsWithoutSettingsTakeTheOptimizerDefaults() {
        Tensor a = param(1.0);
        Tensor b = param(1.0);
        try (AdamW opt = new AdamW(List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b), 0.1, 0.0)))) {
            assertEquals(Adam.DEFAULT_LR, opt.groups().get(0).lr());
            assertEquals(AdamW.DEFAULT_WEIGHT_DECAY, opt.groups().get(0).weightDecay());
            assertEquals(0.1, opt.groups().get(1).lr());
            assertEquals(0.0, opt.groups().get(1).weightDecay());
        }
        try (SGD opt = new SGD(List.of(new ParamGroup(List.of(a))))) {
            assertEquals(SGD.DEFAULT_LR, opt.learningRate());
            assertEquals(0.0, opt.groups().get(0).weightDecay());
        }
    }

    @Test
    void groupsWithTheirOwnWeightDecay() {
        Tensor a = param(2.0);
        Tensor b = param(2.0);
        double lr = 0.1;
        try (SGD opt = new SGD(List.of(new ParamGroup(List.of(a), lr, 0.5), new ParamGroup(List.of(b), lr, 0.0)))) {
            setGrad(a, 1.0);
            setGrad(b, 1.0);
            opt.step();
        }
        assertValues(new double[] {2.0 - lr * (1.0 + 0.5 * 2.0)}, a);
        assertValues(new double[] {2.0 - lr * 1.0}, b);
    }

    @Test
    void aParameterInTwoGroupsIsRefused() {
        Tensor a = param(1.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(new ParamGroup(List.of(a), 0.1), new ParamGroup(List.of(a), 0.2))));
        assertTrue(e.getMessage().contains("more than once"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new ParamGroup(List.of(a), -0.1));
    }

    // ---- Weight decay -----------------------------------------------------------------------------

    @Test
    void adamWeightDecayIsL2AndAdamWDecouplesIt() {
        double lr = 0.1;
        double wd = 0.5;
        double eps = 1e-8;
        Tensor pa = param(2.0);
        Tensor pw = param(2.0);
        try (Adam adam = new Adam(List.of(pa), lr).weightDecay(wd); AdamW adamW = new AdamW(List.of(pw), lr, wd)) {
            setGrad(pa, 0.3);
            setGrad(pw, 0.3);
            adam.step();
            adamW.step();
        }
        // Adam: g' = 0.3 + 0.5 * 2 = 1.3; first step moves by lr * g' / (|g'| + eps).
        double gPrime = 0.3 + wd * 2.0;
        assertValues(new double[] {2.0 - lr * gPrime / (Math.abs(gPrime) + eps)}, pa);
        // AdamW: p shrinks to 2 * (1 - 0.1 * 0.5) = 1.9, then moves by lr * 0.3 / (0.3 + eps).
        assertValues(new double[] {2.0 * (1 - lr * wd) - lr * 0.3 / (0.3 + eps)}, pw);
    }

    @Test
    void weightDecayCanBeSetOnEveryGroupAfterCreation() {
        Tensor a = param(1.0);
        try (Optimizer opt = Optimizers.create("sgd", List.of(a), 0.1)) {
            opt.groups().forEach(g -> g.setWeightDecay(0.2));
            setGrad(a, 0.0);
            opt.step();
        }
        assertValues(new double[] {1.0 - 0.1 * 0.2 * 1.0}, a);
    }

    // ---- Clipping ---------------------------------------------------------------------------------

    @Test
    void clipGradNormScalesAllGradientsTogether() {
        Tensor a = param(0.0, 0.0);
        Tensor b = param(0.0);
        Tensor none = param(0.0);
        setGrad(a, 3.0, 4.0);
        setGrad(b, 12.0);
        double norm = Optimizer.clipGradNorm(List.of(a, b, none), 6.5).item();
        assertEquals(13.0, norm, TOLERANCE);
        double coefficient = 6.5 / (13.0 + 1e-6);
        assertValues(new double[] {3.0 * coefficient, 4.0 * coefficient}, a.grad());
        assertValues(new double[] {12.0 * coefficient}, b.grad());
        assertNull(none.grad());
    }

    @Test
    void clipGradNormLeavesSmallGradientsAlone() {
        Tensor a = param(0.0, 0.0);
        setGrad(a, 3.0, 4.0);
        assertEquals(5.0, Optimizer.clipGradNorm(List.of(a), 100).item(), TOLERANCE);
        assertValues(new double[] {3.0, 4.0}, a.grad());
        assertThrows(IllegalArgumentException.class, () -> Optimizer.clipGradNorm(List.of(a), 0));
    }

    @Test
    void clipGradNormWorksOnF32() {
        Tensor a = Tensor.fromArray(new float[] {0, 0}, 2).requiresGrad(true);
        a.backward(Tensor.fromArray(new float[] {6, 8}, 2));
        assertEquals(10.0, Optimizer.clipGradNorm(List.of(a), 1.0).item(), 1e-5);
        float[] g = a.grad().toFloatArray();
        assertEquals(0.6, g[0], 1e-6);
        assertEquals(0.8, g[1], 1e-6);
    }

    @Test
    void clipGradValueClampsEachElement() {
        Tensor a = param(0.0, 0.0, 0.0, 0.0);
        setGrad(a, 0.7, -0.9, 0.2, -0.5);
        Optimizer.clipGradValue(List.of(a, param(1.0)), 0.5);
        assertValues(new double[] {0.5, -0.5, 0.2, -0.5}, a.grad());
        assertThrows(IllegalArgumentException.class, () -> Optimizer.clipGradValue(List.of(a), -1));
    }

    // ---- Frozen parameters ------------------------------------------------------------------------

    @Test
    void frozenParametersAndParametersWithoutGradientAreSkipped() {
        Tensor frozen = Tensor.fromArray(new double[] {1.0, 2.0}, 2);
        Tensor noGrad = param(3.0);
        Tensor frozenLater = param(4.0);
        Tensor live = param(5.0);
        try (Adam opt = new Adam(List.of(frozen, noGrad, frozenLater, live), 0.1)) {
            setGrad(frozenLater, 1.0);
            frozenLater.requiresGrad(false);
            setGrad(live, 1.0);
            opt.step();
            assertValues(new double[] {1.0, 2.0}, frozen);
            assertValues(new double[] {3.0}, noGrad);
            assertValues(new double[] {4.0}, frozenLater);
            assertValues(new double[] {5.0 - 0.1 * 1.0 / (1.0 + 1e-8)}, live);
            Map<String, Tensor> state = opt.stateDict();
            assertTrue(state.containsKey("state.3.exp_avg"), state.keySet().toString());
            assertFalse(state.keySet().stream().anyMatch(k -> k.startsWith("state.0.") || k.startsWith("state.1.")
                    || k.startsWith("state.2.")), state.keySet().toString());
        }
    }

    @Test
    void adamCorrectsEachParameterForItsOwnStepCount() {
        Tensor early = param(1.0);
        Tensor late = param(1.0);
        try (Adam opt = new Adam(List.of(early, late), 0.1)) {
            setGrad(early, 1.0);
            opt.step();
            opt.zeroGrad();
            setGrad(early, 1.0);
            setGrad(late, 1.0);
            opt.step();
        }
        // The same gradient every step: m_hat = 1 and v_hat = 1 at any step count, so each step moves by
        // lr / (1 + eps). A late parameter on its first step must get step 1's corrections, not step 2's:
        // with step 2's, m_hat = 0.1 / 0.19 and v_hat = 0.001 / 0.001999, a move of 0.0744.
        assertValues(new double[] {1.0 - 2 * 0.1 / (1.0 + 1e-8)}, early);
        assertValues(new double[] {1.0 - 0.1 / (1.0 + 1e-8)}, late);
    }

    @Test
    void zeroGradForgetsGradientsSoUntouchedParametersStayPut() {
        Tensor a = param(1.0);
        Tensor b = param(1.0);
        try (SGD opt = new SGD(List.of(a, b), 0.1).momentum(0.9)) {
            setGrad(a, 1.0);
            setGrad(b, 1.0);
            opt.step();
            opt.zeroGrad();
            assertNull(a.grad());
            assertNull(b.grad());
            setGrad(a, 1.0);
            opt.step();
        }
        // a: 1 - 0.1 * 1 = 0.9, then buf = 0.9 * 1 + 1 = 1.9: 0.9 - 0.19 = 0.71. b keeps its first update.
        assertValues(new double[] {0.71}, a);
        assertValues(new double[] {0.9}, b);
    }

    @Test
    void stepRunsUnderNoGradAndReleasesItsTemporaries() {
        Tensor a = param(1.0, 2.0);
        try (RMSProp opt = new RMSProp(List.of(a), 0.1).momentum(0.5)) {
            assertTrue(Autograd.isEnabled());
            setGrad(a, 0.5, 0.5);
            long before = Engine.get().backend().bytesInUse();
            opt.step();
            long firstStep = Engine.get().backend().bytesInUse();
            opt.step();
            opt.step();
            long later = Engine.get().backend().bytesInUse();
            assertTrue(firstStep > before, "state was created");
            assertEquals(firstStep, later, "later steps allocate nothing that outlives them");
            assertTrue(Autograd.isEnabled());
            assertFalse(a.isClosed());
        }
    }

    // ---- State dict -------------------------------------------------------------------------------

    /**
     * Steps {@code make}'s optimizer twice on one parameter, saves its state (copied, as a checkpoint
     * would), loads it into a fresh optimizer over a copy of the parameter, and checks that the third
     * step of both gives bit-identical parameters.
     */
    private static Map<String, Tensor> checkRoundTrip(Function<List<Tensor>, Optimizer> make) {
        return checkRoundTrip(make, 2);
    }

    /** As {@link #checkRoundTrip(Function)} with {@code stepsBeforeSaving} steps before the state is saved. */
    private static Map<String, Tensor> checkRoundTrip(Function<List<Tensor>, Optimizer> make, int stepsBeforeSaving) {
        double[][] grads = {{0.3, -0.1, 0.2, 0.0}, {-0.2, 0.4, 0.1, 0.5}, {0.1, 0.1, -0.3, 0.2}};
        Tensor a = param(0.5, -1.0, 2.0, 0.1);
        Tensor b = Tensor.fromArray(new double[] {-0.5}, 1).requiresGrad(true);
        Map<String, Tensor> saved = new LinkedHashMap<>();
        double[] expectedA;
        double[] expectedB;
        try (Optimizer first = make.apply(List.of(a, b))) {
            first.groups().get(0).setLr(first.learningRate() * 0.5);
            for (int s = 0; s < stepsBeforeSaving; s++) {
                try (Scope step = Scope.open()) {
                    first.zeroGrad();
                    setGrad(a, grads[s % 2]);
                    setGrad(b, 0.25 * (s + 1));
                    first.step();
                }
            }
            try (Autograd.Guard g = Autograd.noGrad()) {
                first.stateDict().forEach((k, v) -> saved.put(k, v.copy()));
            }
            double[] aAfterTwo = a.toDoubleArray();
            double[] bAfterTwo = b.toDoubleArray();
            setGrad(a, grads[2]);
            setGrad(b, -0.75);
            first.step();
            expectedA = a.toDoubleArray();
            expectedB = b.toDoubleArray();

            Tensor a2 = Tensor.fromArray(aAfterTwo, 4).requiresGrad(true);
            Tensor b2 = Tensor.fromArray(bAfterTwo, 1).requiresGrad(true);
            try (Optimizer second = make.apply(List.of(a2, b2))) {
                Map<String, Tensor> loadFrom = new HashMap<>(saved);
                second.loadStateDict(loadFrom);
                assertEquals(first.learningRate(), second.learningRate(), "the learning rate is restored");
                setGrad(a2, grads[2]);
                setGrad(b2, -0.75);
                second.step();
                assertArrayEquals(expectedA, a2.toDoubleArray(), 0.0, "resumed step equals uninterrupted step");
                assertArrayEquals(expectedB, b2.toDoubleArray(), 0.0);
            }
        }
        return saved;
    }

    @Test
    void adamStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new Adam(ps, 0.01).weightDecay(0.01));
        assertEquals(List.of("state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.1.step", "state.1.exp_avg",
                "state.1.exp_avg_sq", "group.0.lr", "group.0.weight_decay", "momentum_or_beta1"), List.copyOf(saved.keySet()));
        assertEquals(DType.I64, saved.get("state.0.step").dtype());
        assertEquals(2L, saved.get("state.0.step").toLongArray()[0]);
        assertEquals(1, saved.get("state.0.step").size());
        assertEquals(0.005, saved.get("group.0.lr").item(), TOLERANCE);
    }

    @Test
    void adamWStateDictRoundTripReproducesTheNextStep() {
        checkRoundTrip(ps -> new AdamW(ps, 0.01, 0.1));
    }

    @Test
    void sgdMomentumStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new SGD(ps, 0.1).momentum(0.9).nesterov(true));
        assertTrue(saved.containsKey("state.0.momentum_buffer"));
        assertFalse(saved.containsKey("state.0.step"), "SGD counts no steps");
    }

    @Test
    void rmsPropStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new RMSProp(ps, 0.01).momentum(0.9));
        assertTrue(saved.containsKey("state.1.square_avg"));
        assertTrue(saved.containsKey("state.1.momentum_buffer"));
    }

    @Test
    void adaGradStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new AdaGrad(ps, 0.1).lrDecay(0.1));
        assertEquals(2L, saved.get("state.0.step").toLongArray()[0]);
        assertTrue(saved.containsKey("state.0.sum"));
    }

    @Test
    void adamAmsgradStateDictRoundTripReproducesTheNextStep() {
        // betas (0.8, 0.9): the second moment of a's first element falls on the third step, below its maximum.
        Map<String, Tensor> saved = checkRoundTrip(ps -> new Adam(ps, 0.01).betas(0.8, 0.9).amsgrad(true));
        assertEquals(List.of("state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                "state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq", "group.0.lr",
                "group.0.weight_decay", "momentum_or_beta1"), List.copyOf(saved.keySet()));
    }

    @Test
    void adamWAmsgradStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new AdamW(ps, 0.01, 0.1).betas(0.8, 0.9).amsgrad(true));
        assertTrue(saved.containsKey("state.1.max_exp_avg_sq"));
    }

    @Test
    void rmsPropCenteredStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new RMSProp(ps, 0.01).momentum(0.9).centered(true));
        assertTrue(saved.containsKey("state.0.grad_avg"));
        assertTrue(saved.containsKey("state.1.momentum_buffer"));
    }

    @Test
    void sgdDampeningStateDictRoundTripReproducesTheNextStep() {
        checkRoundTrip(ps -> new SGD(ps, 0.1).momentum(0.9).dampening(0.3));
    }

    @Test
    void nAdamStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new NAdam(ps, 0.01).weightDecay(0.01));
        assertEquals(List.of("state.0.step", "state.0.mu_product", "state.0.exp_avg", "state.0.exp_avg_sq", "state.1.step",
                "state.1.mu_product", "state.1.exp_avg", "state.1.exp_avg_sq", "group.0.lr", "group.0.weight_decay", "momentum_or_beta1"),
                List.copyOf(saved.keySet()));
        Tensor muProduct = saved.get("state.0.mu_product");
        assertEquals(DType.F64, muProduct.dtype());
        assertEquals(1, muProduct.size());
        double mu1 = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.004));
        double mu2 = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.008));
        assertEquals(mu1 * mu2, muProduct.item(), 0.0, "the product of the first two steps' momentum coefficients");
    }

    @Test
    void rAdamStateDictRoundTripReproducesARectifiedStep() {
        // With beta2 0.9 the seventh step is past the five-step threshold: the adaptive, rectified update.
        Map<String, Tensor> saved = checkRoundTrip(ps -> new RAdam(ps, 0.01).betas(0.8, 0.9).weightDecay(0.01), 6);
        assertEquals(6L, saved.get("state.0.step").toLongArray()[0]);
    }

    @Test
    void adamaxStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new Adamax(ps, 0.01).weightDecay(0.01));
        assertTrue(saved.containsKey("state.0.exp_inf"));
        assertEquals(2L, saved.get("state.1.step").toLongArray()[0]);
    }

    @Test
    void adadeltaStateDictRoundTripReproducesTheNextStep() {
        Map<String, Tensor> saved = checkRoundTrip(ps -> new Adadelta(ps, 1.0).weightDecay(0.01));
        assertTrue(saved.containsKey("state.0.square_avg"));
        assertTrue(saved.containsKey("state.1.acc_delta"));
    }

    /** The state dict of {@code from} after one step on a two-element parameter. */
    private static Map<String, Tensor> stateAfterOneStep(Optimizer from) {
        setGrad(from.params().get(0), 1.0, -1.0);
        from.step();
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (Autograd.Guard g = Autograd.noGrad()) {
            from.stateDict().forEach((k, v) -> state.put(k, v.copy()));
        }
        return state;
    }

    @Test
    void anAmsgradCheckpointIsRefusedByAdamWithoutAmsgradAndTheOtherWayRound() {
        try (Adam amsgrad = new Adam(List.of(param(1.0, 2.0)), 0.1).amsgrad(true);
             Adam plain = new Adam(List.of(param(1.0, 2.0)), 0.1)) {
            Map<String, Tensor> withMaximum = stateAfterOneStep(amsgrad);
            Map<String, Tensor> withoutMaximum = stateAfterOneStep(plain);
            assertMessage(() -> plain.checkStateDict(withMaximum), "state.0.max_exp_avg_sq", "not 'max_exp_avg_sq'");
            assertMessage(() -> amsgrad.loadStateDict(withoutMaximum), "state.0", "missing [max_exp_avg_sq]");
        }
    }

    @Test
    void aCenteredCheckpointIsRefusedByRmsPropNotCenteredAndTheOtherWayRound() {
        try (RMSProp centered = new RMSProp(List.of(param(1.0, 2.0)), 0.1).centered(true);
             RMSProp plain = new RMSProp(List.of(param(1.0, 2.0)), 0.1)) {
            Map<String, Tensor> withGradAvg = stateAfterOneStep(centered);
            Map<String, Tensor> withoutGradAvg = stateAfterOneStep(plain);
            assertMessage(() -> plain.checkStateDict(withGradAvg), "state.0.grad_avg", "not 'grad_avg'");
            assertMessage(() -> centered.loadStateDict(withoutGradAvg), "state.0", "missing [grad_avg]");
        }
    }

    @Test
    void anAdamCheckpointIsRefusedByNAdamAndTheOtherWayRound() {
        try (NAdam nAdam = new NAdam(List.of(param(1.0, 2.0)), 0.1);
             Adam adam = new Adam(List.of(param(1.0, 2.0)), 0.1)) {
            Map<String, Tensor> fromNAdam = stateAfterOneStep(nAdam);
            Map<String, Tensor> fromAdam = stateAfterOneStep(adam);
            assertMessage(() -> nAdam.loadStateDict(fromAdam), "NAdam cannot load this state", "state.0: missing [mu_product]");
            assertMessage(() -> adam.loadStateDict(fromNAdam), "state.0.mu_product: Adam keeps", "not 'mu_product'");
        }
    }

    @Test
    void anAdamCheckpointIsRefusedByAdamax() {
        try (Adamax adamax = new Adamax(List.of(param(1.0, 2.0)), 0.1);
             Adam adam = new Adam(List.of(param(1.0, 2.0)), 0.1)) {
            Map<String, Tensor> fromAdam = stateAfterOneStep(adam);
            assertMessage(() -> adamax.loadStateDict(fromAdam), "state.0.exp_avg_sq: Adamax keeps [exp_avg, exp_inf, step]",
                    "not 'exp_avg_sq'", "state.0: missing [exp_inf]");
        }
    }

    @Test
    void anRmsPropCheckpointIsRefusedByAdadelta() {
        try (Adadelta adadelta = new Adadelta(List.of(param(1.0, 2.0)), 1.0);
             RMSProp rmsProp = new RMSProp(List.of(param(1.0, 2.0)), 0.1)) {
            Map<String, Tensor> fromRmsProp = stateAfterOneStep(rmsProp);
            assertMessage(() -> adadelta.loadStateDict(fromRmsProp), "Adadelta cannot load this state",
                    "state.0: missing [acc_delta]");
        }
    }

    @Test
    void aMomentumProductOfTheParametersShapeIsRefused() {
        try (NAdam nAdam = new NAdam(List.of(param(1.0, 2.0)), 0.1)) {
            Map<String, Tensor> state = stateAfterOneStep(nAdam);
            state.put("state.0.mu_product", Tensor.fromArray(new double[] {0.5, 0.5}, 2));
            assertMessage(() -> nAdam.loadStateDict(state), "state.0.mu_product: shape [2], expected one element");
        }
    }

    @Test
    void aMomentumProductThatIsNotFiniteIsRefused() {
        try (NAdam nAdam = new NAdam(List.of(param(1.0, 2.0)), 0.1)) {
            Map<String, Tensor> state = stateAfterOneStep(nAdam);
            state.put("state.0.mu_product", Tensor.fromArray(new double[] {Double.NaN}, 1));
            assertMessage(() -> nAdam.loadStateDict(state), "state.0.mu_product: NaN is not a finite number");
        }
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void loadStateDictCopiesSoTheSourceCanBeClosed() {
        Tensor a = param(1.0, 2.0);
        Tensor a2 = param(1.0, 2.0);
        try (Adam first = new Adam(List.of(a), 0.1); Adam second = new Adam(List.of(a2), 0.1)) {
            setGrad(a, 1.0, -1.0);
            first.step();
            Map<String, Tensor> state = new LinkedHashMap<>();
            first.stateDict().forEach((k, v) -> state.put(k, v.copy()));
            second.loadStateDict(state);
            state.values().forEach(Tensor::close);
            assertArrayEquals(first.stateDict().get("state.0.exp_avg").toDoubleArray(),
                    second.stateDict().get("state.0.exp_avg").toDoubleArray(), 0.0);
        }
    }

    @Test
    void loadingItsOwnStateDictKeepsTheStateAsItWas() {
        Tensor a = param(1.0, 2.0);
        Tensor twin = param(1.0, 2.0);
        try (Adam reloaded = new Adam(List.of(a), 0.1); Adam untouched = new Adam(List.of(twin), 0.1)) {
            double[][] grads = {{1.0, -1.0}, {0.5, 2.0}, {-0.25, 0.75}};
            for (int s = 0; s < 2; s++) {
                setGrad(a, grads[s]);
                reloaded.step();
                setGrad(twin, grads[s]);
                untouched.step();
            }
            reloaded.loadStateDict(reloaded.stateDict());
            assertEquals(2L, reloaded.stateDict().get("state.0.step").toLongArray()[0]);
            setGrad(a, grads[2]);
            reloaded.step();
            setGrad(twin, grads[2]);
            untouched.step();
            assertArrayEquals(twin.toDoubleArray(), a.toDoubleArray(), 0.0, "the next step is the uninterrupted one");
        }
    }

    @Test
    void loadStateDictReportsEveryProblemAndLoadsNothing() {
        Tensor a = param(1.0, 2.0);
        try (Adam opt = new Adam(List.of(a), 0.1)) {
            Map<String, Tensor> bad = new LinkedHashMap<>();
            bad.put("state.0.exp_avg", Tensor.zeros(DType.F64, 3));
            bad.put("state.0.momentum_buffer", Tensor.zeros(DType.F64, 2));
            bad.put("state.5.step", Tensor.fromArray(new long[] {1}, 1));
            bad.put("group.0.lr", Tensor.fromArray(new double[] {0.5}, 1));
            bad.put("nonsense", Tensor.zeros(DType.F64, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
            String m = e.getMessage();
            for (String part : new String[] {"state.0.exp_avg", "[3]", "[2]", "momentum_buffer", "state.5.step",
                    "out of range", "nonsense"}) {
                assertTrue(m.contains(part), "message should contain '" + part + "': " + m);
            }
            assertEquals(0.1, opt.learningRate(), "nothing was loaded");

            Map<String, Tensor> incomplete = new LinkedHashMap<>();
            incomplete.put("state.0.exp_avg", Tensor.zeros(DType.F64, 2));
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> opt.loadStateDict(incomplete));
            assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
        }
    }

    @Test
    void loadStateDictConvertsTheDtypeToTheParameters() {
        Tensor a = Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true);
        try (SGD opt = new SGD(List.of(a), 0.1).momentum(0.5)) {
            opt.loadStateDict(Map.of("state.0.momentum_buffer", Tensor.fromArray(new double[] {1.0, -1.0}, 2)));
            Tensor buf = opt.stateDict().get("state.0.momentum_buffer");
            assertEquals(DType.F32, buf.dtype());
            a.backward(Tensor.fromArray(new float[] {0, 0}, 2));
            opt.step();
        }
        // Not a first step: buf = 0.5 * buf + 0 = (0.5, -0.5); p = p - 0.1 * buf.
        assertArrayEquals(new float[] {0.95f, 2.05f}, a.toFloatArray(), 1e-6f);
    }

    @Test
    void aClosedOptimizerRefusesToStep() {
        Tensor a = param(1.0);
        Adam opt = new Adam(List.of(a), 0.1);
        setGrad(a, 1.0);
        opt.step();
        opt.close();
        assertThrows(IllegalStateException.class, opt::step);
    }

    // ---- Factory ----------------------------------------------------------------------------------

    @Test
    void factoryKnowsEveryName() {
        List<Tensor> ps = List.of(param(1.0));
        assertInstanceOf(SGD.class, Optimizers.create("sgd", ps, 0.1));
        SGD momentum = (SGD) Optimizers.create("momentum", ps, 0.1);
        assertEquals(0.9, momentum.momentum());
        assertFalse(momentum.nesterov());
        SGD nesterov = (SGD) Optimizers.create("Nesterov", ps, 0.1);
        assertEquals(0.9, nesterov.momentum());
        assertTrue(nesterov.nesterov());
        assertInstanceOf(AdaGrad.class, Optimizers.create("adagrad", ps, 0.1));
        assertInstanceOf(RMSProp.class, Optimizers.create("rmsprop", ps, 0.1));
        Optimizer adam = Optimizers.create("adam", ps, 0.1);
        assertEquals(Adam.class, adam.getClass());
        assertEquals(0.0, adam.groups().get(0).weightDecay());
        Optimizer adamW = Optimizers.create("ADAMW", ps, 0.1);
        assertInstanceOf(AdamW.class, adamW);
        assertEquals(0.01, adamW.groups().get(0).weightDecay());
        assertEquals(0.1, adamW.learningRate());
    }

    @Test
    void factoryKnowsTheOptimizersAddedLaterWithPyTorchsDefaultLearningRates() {
        List<Tensor> ps = List.of(param(1.0));
        assertInstanceOf(NAdam.class, Optimizers.create("nadam", ps, 0.1));
        assertInstanceOf(RAdam.class, Optimizers.create("RAdam", ps, 0.1));
        assertInstanceOf(Adamax.class, Optimizers.create("adamax", ps, 0.1));
        assertInstanceOf(Adadelta.class, Optimizers.create("adadelta", ps, 0.1));
        assertEquals(2e-3, Optimizers.createForGroups("nadam", groupWithoutSettings()).learningRate());
        assertEquals(1e-3, Optimizers.createForGroups("radam", groupWithoutSettings()).learningRate());
        assertEquals(2e-3, Optimizers.createForGroups("adamax", groupWithoutSettings()).learningRate());
        assertEquals(1.0, Optimizers.createForGroups("adadelta", groupWithoutSettings()).learningRate());
    }

    private static List<ParamGroup> groupWithoutSettings() {
        return List.of(new ParamGroup(List.of(param(1.0))));
    }

    @Test
    void theOptimizersAddedLaterRefuseBadSettingsNamingThem() {
        List<Tensor> ps = List.of(param(1.0));
        assertRefused(() -> new NAdam(ps, 0.1).betas(1.0, 0.999), "NAdam: betas must be in [0, 1), got (1.0, 0.999)");
        assertRefused(() -> new NAdam(ps, 0.1).eps(-1), "NAdam: eps must be finite and >= 0, got -1.0");
        assertRefused(() -> new NAdam(ps, 0.1).momentumDecay(-0.1),
                "NAdam: momentumDecay must be finite and >= 0, got -0.1");
        assertRefused(() -> new RAdam(ps, 0.1).betas(0.9, -0.5), "RAdam: betas must be in [0, 1), got (0.9, -0.5)");
        assertRefused(() -> new RAdam(ps, 0.1).eps(Double.NaN), "RAdam: eps must be finite and >= 0, got NaN");
        assertRefused(() -> new Adamax(ps, 0.1).betas(0.9, 1.5), "Adamax: betas must be in [0, 1), got (0.9, 1.5)");
        assertRefused(() -> new Adamax(ps, 0.1).eps(Double.POSITIVE_INFINITY),
                "Adamax: eps must be finite and >= 0, got Infinity");
        assertRefused(() -> new Adadelta(ps, 1.0).rho(1.1), "Adadelta: rho must be in [0, 1], got 1.1");
        assertRefused(() -> new Adadelta(ps, 1.0).eps(-1e-6), "Adadelta: eps must be finite and >= 0, got -1.0E-6");
        assertRefused(() -> new Adadelta(ps, -1.0), "ParamGroup: learning rate must be finite and >= 0, got -1.0");
        assertRefused(() -> new NAdam(ps, 0.1).weightDecay(-0.1), "ParamGroup: weight decay must be finite and >= 0, got -0.1");
    }

    private static void assertRefused(Executable call, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void factoryListsValidNamesForAnUnknownOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("lbfgsb", List.of(param(1.0)), 0.1));
        assertTrue(e.getMessage().contains("lbfgsb"), e.getMessage());
        assertTrue(e.getMessage().contains("sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, nadam, radam, adamax,"
                + " adadelta, lbfgs"), e.getMessage());
    }

    @Test
    void nesterovWithoutMomentumIsRefused() {
        SGD opt = new SGD(List.of(param(1.0)), 0.1).nesterov(true);
        assertThrows(IllegalArgumentException.class, opt::step);
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(param(1.0)), 0.1, 0.0, true, 0.0));
    }

    @Test
    void nesterovWithDampeningIsRefusedAsInPyTorch() {
        SGD opt = new SGD(List.of(param(1.0)), 0.1).momentum(0.9).nesterov(true).dampening(0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, opt::step);
        assertTrue(e.getMessage().contains("Nesterov momentum needs dampening 0, got 0.1"), e.getMessage());
    }

    @Test
    void dampeningMustBeFinite() {
        SGD opt = new SGD(List.of(param(1.0)), 0.1).momentum(0.9);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.dampening(bad));
            assertTrue(e.getMessage().contains("SGD: dampening must be finite, got " + bad), e.getMessage());
        }
    }

    @Test
    void dampeningOutsideZeroToOneIsAcceptedAsInPyTorch() {
        Tensor p = param(1.0);
        try (SGD opt = new SGD(List.of(p), 0.1).momentum(0.9).dampening(1.5)) {
            setGrad(p, 1.0);
            opt.step();
            setGrad(p, 1.0);
            opt.step();
        }
        // Step 1: buf = g = 1 (undampened), p = 0.9. Step 2: buf = 0.9 * 1 + (1 - 1.5) * 1 = 0.4, p = 0.86.
        assertValues(new double[] {0.86}, p);
    }

    @Test
    void theFirstStepOfSgdWithDampeningIsNotDampened() {
        Tensor p = param(1.0);
        try (SGD opt = new SGD(List.of(p), 0.1).momentum(0.9).dampening(0.5)) {
            setGrad(p, 2.0);
            opt.step();
            assertEquals(2.0, opt.stateDict().get("state.0.momentum_buffer").item(), 0.0);
        }
        assertValues(new double[] {0.8}, p);
    }

    @Test
    void theStateDictKeepsTheMomentumOrBeta1AScheduleMovedAndLoadingRestoresIt() {
        try (Scope s = Scope.open()) {
            Adam moved = new Adam(List.of(Tensor.zeros(DType.F64, 2).requiresGrad(true)), 0.1).betas(0.8, 0.99);
            Adam fresh = new Adam(List.of(Tensor.zeros(DType.F64, 2).requiresGrad(true)), 0.1);
            fresh.loadStateDict(moved.stateDict());
            assertEquals(0.8, fresh.beta1());
            assertEquals(0.999, fresh.beta2(), "beta2 stays the loading optimizer's own: no schedule moves it");
        }
    }

    @Test
    void aMomentumEntryForAnOptimizerWithoutMomentumIsRefused() {
        try (Scope s = Scope.open()) {
            AdaGrad adagrad = new AdaGrad(List.of(Tensor.zeros(DType.F64, 2).requiresGrad(true)), 0.1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adagrad.loadStateDict(
                    Map.of("momentum_or_beta1", Tensor.fromArray(new double[] {0.9}, 1))));
            assertTrue(e.getMessage().contains("momentum_or_beta1: AdaGrad has no momentum or beta1"), e.getMessage());
        }
    }

    @Test
    void checkStateDictRefusesABeta1ThatLoadStateDictWouldRefuseAndLoadsNothing() {
        try (Scope s = Scope.open()) {
            Adam adam = new Adam(List.of(Tensor.zeros(DType.F64, 2).requiresGrad(true)), 0.1).betas(0.8, 0.99);
            Map<String, Tensor> state = Map.of("momentum_or_beta1", Tensor.fromArray(new double[] {1.0}, 1));
            IllegalArgumentException checked = assertThrows(IllegalArgumentException.class,
                    () -> adam.checkStateDict(state), "a checkpoint checked before anything is loaded");
            assertTrue(checked.getMessage().contains("momentum_or_beta1"), checked.getMessage());
            assertTrue(checked.getMessage().contains("[0, 1)"), checked.getMessage());
            assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(state));
            assertEquals(0.8, adam.beta1(), "refused: nothing loaded, the check leaves beta1 as it was");
            assertEquals(0.99, adam.beta2());
        }
    }
}
