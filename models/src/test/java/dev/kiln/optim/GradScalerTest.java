package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autocast;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GradScaler} against PyTorch 1.13's {@code torch.cuda.amp.GradScaler} ({@link GradScalerValues}, from
 * {@code grad_scaler.py}, which runs GradScaler's own code on the CPU with its two CUDA kernels restated): scales,
 * growth trackers, skipped steps and weights through a run with inf and NaN gradients and clipping after unscaling,
 * the update rule with other factors and at F32's limit, the state dict, and the stage checks.
 */
class GradScalerTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static float[] pattern(int n, int seed) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (0.5 * Math.sin(0.7 * k + 1.3 * seed + 0.1));
        }
        return v;
    }

    private static float[] slice(double[] values, int step, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) values[step * size + i];
        }
        return v;
    }

    @Test
    void trainingMatchesPyTorchThroughSkippedStepsClippingAndGrowth() {
        Tensor w = Tensor.fromArray(pattern(12, 1), 3, 4).requiresGrad(true);
        Tensor b = Tensor.fromArray(pattern(3, 2), 3).requiresGrad(true);
        SGD optimizer = new SGD(List.of(w, b), 0.05);
        GradScaler scaler = new GradScaler(65536, 2, 0.5, 2, true);
        for (int t = 1; t <= 10; t++) {
            float[] x = pattern(8, 10 + t);
            for (int i = 0; i < x.length && t == 3; i++) {
                x[i] *= 1e25f;
            }
            if (t == 6) {
                x[6] = Float.NaN;
            }
            try (Scope step = Scope.open()) {
                optimizer.zeroGrad();
                Tensor loss = F.linear(Tensor.fromArray(x, 2, 4), w, b).square().mean();
                scaler.scale(loss).backward();
                if (t % 2 == 0) {
                    scaler.unscale(optimizer);
                    Optimizer.clipGradNorm(List.of(w, b), 0.5);
                }
                boolean stepped = scaler.step(optimizer);
                scaler.update();
                String what = "step " + t;
                assertEquals(GradScalerValues.TRAINING_STEPPED[t - 1], stepped, what + ": stepped");
                assertEquals(GradScalerValues.TRAINING_SCALES[t - 1], scaler.getScale(), 0, what + ": scale");
                assertEquals((double) GradScalerValues.TRAINING_TRACKERS[t - 1],
                        scaler.stateDict().get("_growth_tracker"), 0, what + ": growth tracker");
                assertArrayEquals(slice(GradScalerValues.TRAINING_WEIGHTS, t - 1, 12), w.toFloatArray(), 1e-6f,
                        what + ": weight");
                assertArrayEquals(slice(GradScalerValues.TRAINING_BIASES, t - 1, 3), b.toFloatArray(), 1e-6f,
                        what + ": bias");
            }
        }
        Map<String, Double> state = scaler.stateDict();
        assertEquals(List.of(GradScalerValues.STATE_KEYS), new ArrayList<>(state.keySet()), "PyTorch's keys in order");
        double[] values = state.values().stream().mapToDouble(Double::doubleValue).toArray();
        assertArrayEquals(GradScalerValues.STATE_VALUES, values, 0);
        GradScaler restored = new GradScaler();
        restored.loadStateDict(state);
        assertEquals(GradScalerValues.RESTORED_SCALE, restored.getScale(), 0);
        assertEquals(state, restored.stateDict(), "a loaded state reads back the same");
    }

    @Test
    void updateRuleMatchesPyTorchWithOtherFactorsAndNeverGrowsToInfinity() {
        assertRule(GradScalerValues.RULE0_SETTINGS, GradScalerValues.RULE0_INF, GradScalerValues.RULE0_SCALES);
        assertRule(GradScalerValues.RULE1_SETTINGS, GradScalerValues.RULE1_INF, GradScalerValues.RULE1_SCALES);
    }

    private static void assertRule(double[] settings, boolean[] inf, double[] expected) {
        GradScaler scaler = new GradScaler(settings[0], settings[1], settings[2], (int) settings[3], true);
        Tensor p = Tensor.ones(DType.F32, 2).requiresGrad(true);
        SGD optimizer = new SGD(List.of(p), 0.1);
        for (int i = 0; i < inf.length; i++) {
            try (Scope step = Scope.open()) {
                optimizer.zeroGrad();
                scaler.scale(p.mul(inf[i] ? Double.POSITIVE_INFINITY : 1).sum()).backward();
                assertEquals(!inf[i], scaler.step(optimizer), "step " + i + " skipped exactly when its gradient is inf");
                scaler.update();
                assertEquals(expected[i], scaler.getScale(), 0, "scale after update " + i);
            }
        }
    }

    /** A huge loss scale overflows half's range in the backward pass: the step is skipped and the scale halves. */
    @Test
    void f16OverflowAtAHugeScaleSkipsTheStepAndHalvesTheScale() {
        Tensor w = Tensor.fromArray(pattern(12, 3), 3, 4).requiresGrad(true);
        float[] before = w.toFloatArray();
        SGD optimizer = new SGD(List.of(w), 0.1);
        GradScaler scaler = new GradScaler(0x1p40, 2, 0.5, 2000, true);
        Tensor loss;
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            loss = F.linear(Tensor.fromArray(pattern(8, 4), 2, 4), w, null).square().mean();
        }
        scaler.scale(loss).backward();
        assertFalse(scaler.step(optimizer), "the scaled gradient 2^40 / 6 is beyond half's 65504: inf, no step");
        scaler.update();
        assertArrayEquals(before, w.toFloatArray(), 0f, "the weights are untouched");
        assertEquals(0x1p39, scaler.getScale(), 0, "backoff 0.5 halves the scale");
        assertEquals(0.0, scaler.stateDict().get("_growth_tracker"), 0);

        optimizer.zeroGrad();
        GradScaler moderate = new GradScaler();
        try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
            loss = F.linear(Tensor.fromArray(pattern(8, 4), 2, 4), w, null).square().mean();
        }
        moderate.scale(loss).backward();
        assertTrue(moderate.step(optimizer), "PyTorch's default 65536 stays within half's range here");
    }

    @Test
    void stagesAreCheckedAsPyTorchChecksThem() {
        Tensor p = Tensor.ones(DType.F32, 2).requiresGrad(true);
        SGD optimizer = new SGD(List.of(p), 0.1);
        GradScaler scaler = new GradScaler();
        assertMessage(IllegalStateException.class, () -> scaler.unscale(optimizer), "scale(loss)");
        scaler.scale(p.sum()).backward();
        assertMessage(IllegalStateException.class, scaler::update, "No inf checks were recorded prior to update()");
        scaler.unscale(optimizer);
        assertMessage(IllegalStateException.class, () -> scaler.unscale(optimizer),
                "unscale() has already been called on this optimizer since the last update()");
        scaler.step(optimizer);
        assertMessage(IllegalStateException.class, () -> scaler.unscale(optimizer),
                "unscale() is being called after step()");
        assertMessage(IllegalStateException.class, () -> scaler.step(optimizer),
                "step() has already been called since the last update()");
        scaler.update();
        assertArrayEquals(new float[] {0.9f, 0.9f}, p.toFloatArray(), 0f, "one step of the unscaled gradient 1");
        Tensor q = Tensor.ones(DType.F64, 1).requiresGrad(true);
        LBFGS lbfgs = new LBFGS(List.of(q), 1);
        scaler.scale(q.sum()).backward();
        assertMessage(UnsupportedOperationException.class, () -> scaler.step(lbfgs), "closure");
    }

    @Test
    void aDisabledScalerPassesEverythingThrough() {
        Tensor p = Tensor.ones(DType.F32, 2).requiresGrad(true);
        SGD optimizer = new SGD(List.of(p), 0.1);
        GradScaler scaler = new GradScaler(65536, 2, 0.5, 2000, false);
        Tensor loss = p.sum();
        assertSame(loss, scaler.scale(loss));
        loss.backward();
        scaler.unscale(optimizer);
        assertTrue(scaler.step(optimizer));
        scaler.update();
        assertArrayEquals(new float[] {0.9f, 0.9f}, p.toFloatArray(), 0f);
        assertEquals(1.0, scaler.getScale(), 0, "PyTorch's get_scale() of a disabled scaler");
        assertFalse(scaler.isEnabled());
        assertEquals(Map.of(), scaler.stateDict());
        scaler.loadStateDict(Map.of());
    }

    @Test
    void badSettingsAndStatesAreRefusedByName() {
        assertMessage(IllegalArgumentException.class, () -> new GradScaler(65536, 1, 0.5, 2000, true),
                "growthFactor must be > 1");
        assertMessage(IllegalArgumentException.class, () -> new GradScaler(65536, 2, 1, 2000, true),
                "backoffFactor must be < 1");
        assertMessage(IllegalArgumentException.class, () -> new GradScaler(65536, 2, 0.5, 0, true),
                "growthInterval must be >= 1");
        assertMessage(IllegalArgumentException.class, () -> new GradScaler(Double.NaN, 2, 0.5, 2000, true),
                "initScale");
        GradScaler scaler = new GradScaler();
        assertMessage(IllegalArgumentException.class, () -> scaler.loadStateDict(Map.of()),
                "saved from a disabled GradScaler");
        Map<String, Double> partial = new LinkedHashMap<>(scaler.stateDict());
        partial.remove("_growth_tracker");
        assertMessage(IllegalArgumentException.class, () -> scaler.loadStateDict(partial), "_growth_tracker");
    }

    /** A sparse gradient (an Embedding's) is unscaled and checked for inf and NaN too, as PyTorch does its values. */
    @Test
    void sparseGradientsAreUnscaledAndCheckedAsPyTorch() {
        Tensor weight = Tensor.fromArray(pattern(15, 7), 5, 3).requiresGrad(true);
        SGD optimizer = new SGD(List.of(weight), 0.1);
        GradScaler scaler = new GradScaler();
        Tensor indices = Tensor.fromArray(new long[] {0, 2, 2, 4}, 2, 2);
        for (int t = 1; t <= 3; t++) {
            float[] x = pattern(12, 20 + t);
            if (t == 2) {
                x[7] = Float.POSITIVE_INFINITY;
            }
            try (Scope step = Scope.open()) {
                optimizer.zeroGrad();
                Tensor loss = F.sparseEmbedding(indices, weight).mul(Tensor.fromArray(x, 2, 2, 3)).sum();
                scaler.scale(loss).backward();
                boolean stepped = scaler.step(optimizer);
                scaler.update();
                String what = "step " + t;
                assertEquals(GradScalerValues.SPARSE_STEPPED[t - 1], stepped, what + ": stepped");
                assertEquals(GradScalerValues.SPARSE_SCALES[t - 1], scaler.getScale(), 0, what + ": scale");
                assertArrayEquals(slice(GradScalerValues.SPARSE_WEIGHTS, t - 1, 15), weight.toFloatArray(), 1e-6f,
                        what + ": weight");
            }
        }
    }

    /**
     * An optimizer none of whose parameters has a gradient records no inf check: PyTorch's step() refuses it ("No inf
     * checks were recorded for this optimizer"), and update() after only such optimizers ("prior to update").
     */
    @Test
    void anOptimizerWithoutGradientsIsRefusedAsPyTorchRefusesIt() {
        Tensor p = Tensor.ones(DType.F32, 2).requiresGrad(true);
        SGD optimizer = new SGD(List.of(p), 0.1);
        GradScaler scaler = new GradScaler();
        scaler.scale(p.sum());
        assertMessage(IllegalStateException.class, () -> scaler.step(optimizer),
                "No inf checks were recorded for this optimizer");
        assertMessage(IllegalStateException.class, scaler::update, "No inf checks were recorded prior to update()");
        assertEquals(0.0, scaler.stateDict().get("_growth_tracker"), 0, "no good step counted");
    }

    /**
     * Backoffs can take the F32 scale down to 0 (PyTorch's too, as a run whose gradients stay NaN does); that state
     * loads back, as PyTorch's load_state_dict takes it, so that such a run's checkpoint resumes.
     */
    @Test
    void aScaleThatUnderflowedToZeroLoadsBack() {
        Tensor p = Tensor.ones(DType.F32, 2).requiresGrad(true);
        SGD optimizer = new SGD(List.of(p), 0.1);
        GradScaler scaler = new GradScaler(65536, 2, 1e-30, 2000, true);
        for (int i = 0; i < 2; i++) {
            optimizer.zeroGrad();
            scaler.scale(p.mul(Double.POSITIVE_INFINITY).sum()).backward();
            scaler.step(optimizer);
            scaler.update();
        }
        assertEquals(0.0, scaler.getScale(), 0, "65536 * 1e-30 * 1e-30 underflows F32");
        GradScaler restored = new GradScaler();
        restored.loadStateDict(scaler.stateDict());
        assertEquals(scaler.stateDict(), restored.stateDict());
        Map<String, Double> negative = new LinkedHashMap<>(scaler.stateDict());
        negative.put("scale", -1.0);
        assertMessage(IllegalArgumentException.class, () -> restored.loadStateDict(negative), "scale");
    }

    private static void assertMessage(Class<? extends RuntimeException> type, Runnable action, String part) {
        RuntimeException e = assertThrows(type, action::run);
        assertTrue(e.getMessage().contains(part), "expected \"" + part + "\" in: " + e.getMessage());
    }
}
