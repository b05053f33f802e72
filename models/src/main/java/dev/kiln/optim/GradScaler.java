package dev.kiln.optim;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loss scaling for half-precision training ({@code Precision.F16}), as PyTorch's {@code torch.cuda.amp.GradScaler}:
 * small gradients that would underflow in half are scaled up by multiplying the loss, then divided back before the
 * optimizer sees them; a step whose gradients overflowed (inf or NaN) is skipped and the scale shrinks, and after
 * {@code growthInterval} good steps in a row it grows. One step:
 * <pre>{@code
 * optimizer.zeroGrad();
 * Tensor loss;
 * try (var mixed = Autocast.enable(Precision.F16)) {
 *     loss = lossFunction.compute(model.forward(x), y);
 * }
 * scaler.scale(loss).backward();
 * scaler.unscale(optimizer);                        // optional: to clip or read the true gradients
 * Optimizer.clipGradNorm(model.parameters(), 1.0);
 * scaler.step(optimizer);                           // skipped when a gradient is inf or NaN
 * scaler.update();
 * }</pre>
 * The scale is an F32 value and the rule PyTorch's: after a skipped step {@code scale *= backoffFactor}, after
 * {@code growthInterval} stepped ones in a row {@code scale *= growthFactor} unless that overflows F32. The state
 * dict has PyTorch's keys, so a scaler's state moves between Kiln and PyTorch checkpoints. Not thread-safe.
 */
public final class GradScaler {
    private static final String SCALE = "scale";
    private static final String GROWTH_FACTOR = "growth_factor";
    private static final String BACKOFF_FACTOR = "backoff_factor";
    private static final String GROWTH_INTERVAL = "growth_interval";
    private static final String GROWTH_TRACKER = "_growth_tracker";

    /** Where an optimizer is between two {@link #update()}s, as PyTorch's {@code OptState}. */
    private enum Stage { READY, UNSCALED, STEPPED }

    /**
     * An optimizer's stage and, once unscaled, whether it had gradients to check (PyTorch records no inf check for one
     * without) and whether they held an inf or NaN.
     */
    private static final class OptimizerState {
        private Stage stage = Stage.READY;
        private boolean checked;
        private boolean foundInf;
    }

    private final boolean enabled;
    private double growthFactor;
    private double backoffFactor;
    private int growthInterval;
    /** The scale before the first {@link #scale}: PyTorch keeps the given double until it makes its F32 tensor. */
    private double initScale;
    /** The F32 scale once {@link #scale} has run; null before. */
    private Float scale;
    private int growthTracker;
    private final Map<Optimizer, OptimizerState> optimizers = new IdentityHashMap<>();

    /** PyTorch's defaults: initial scale 2^16, growth factor 2, backoff factor 0.5, growth interval 2000, enabled. */
    public GradScaler() {
        this(65536, 2, 0.5, 2000, true);
    }

    /**
     * @param initScale      the first scale, finite and &gt; 0
     * @param growthFactor   what the scale is multiplied by after {@code growthInterval} steps without inf or NaN,
     *                       &gt; 1
     * @param backoffFactor  what the scale is multiplied by after a skipped step, &lt; 1 (and &gt; 0)
     * @param growthInterval good steps in a row before the scale grows, &gt;= 1
     * @param enabled        false: {@link #scale} returns the loss as it is, {@link #step} always steps, the rest does
     *                       nothing ({@code GradScaler(enabled=False)})
     */
    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval,
                      boolean enabled) {
        this.enabled = enabled;
        checkScale(initScale);
        this.initScale = initScale;
        setGrowthFactor(growthFactor);
        setBackoffFactor(backoffFactor);
        setGrowthInterval(growthInterval);
    }

    /**
     * {@code loss} times the scale (a new tensor on the graph; {@code loss} itself when disabled): backpropagate this
     * instead of the loss.
     */
    public Tensor scale(Tensor loss) {
        if (!enabled) {
            return loss;
        }
        if (scale == null) {
            scale = (float) initScale;
        }
        return loss.mul(scale.doubleValue());
    }

    /**
     * Divides the gradients of {@code optimizer}'s parameters (a sparse gradient's values too) by the scale in place
     * and notes whether any held an inf or NaN (before dividing): PyTorch's {@code unscale_}. Optional before
     * {@link #step}, which unscales otherwise; call it to clip or inspect the gradients, at most once per optimizer
     * between two {@link #update}s.
     *
     * @throws IllegalStateException before any {@link #scale}, a second time, or after {@link #step}
     */
    public void unscale(Optimizer optimizer) {
        if (!enabled) {
            return;
        }
        checkScaled("unscale");
        OptimizerState state = optimizers.computeIfAbsent(Objects.requireNonNull(optimizer, "optimizer"),
                o -> new OptimizerState());
        if (state.stage == Stage.UNSCALED) {
            throw new IllegalStateException(
                    "GradScaler: unscale() has already been called on this optimizer since the last update()");
        }
        if (state.stage == Stage.STEPPED) {
            throw new IllegalStateException("GradScaler: unscale() is being called after step()");
        }
        List<Tensor> grads = gradients(optimizer.params());
        state.checked = !grads.isEmpty();
        state.foundInf = unscaleGradients(grads);
        state.stage = Stage.UNSCALED;
    }

    /**
     * Every one of {@code grads} times F32 {@code 1 / scale} (the reciprocal taken in F64, as PyTorch's); whether one
     * held an inf or NaN, counted on the device and read once.
     */
    private boolean unscaleGradients(List<Tensor> grads) {
        double inverse = (float) (1.0 / scale);
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor nonFinite = null;
            for (Tensor grad : grads) {
                Tensor count = grad.isfinite().eq(0).sum().to(DType.F64);
                nonFinite = nonFinite == null ? count : nonFinite.add(count);
                grad.assign(grad.mul(inverse));
            }
            return nonFinite != null && nonFinite.item() > 0;
        }
    }

    /**
     * The gradient tensors of {@code params} that unscaling divides: each dense gradient, and each sparse one's values
     * as they are (not coalesced), as PyTorch unscales {@code grad._values()} of an Embedding's sparse gradient.
     */
    private static List<Tensor> gradients(List<Tensor> params) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            if (p.grad() != null) {
                grads.add(p.grad());
            }
            if (p.sparseGrad() != null) {
                grads.add(p.sparseGrad().values());
            }
        }
        return grads;
    }

    /**
     * Unscales {@code optimizer}'s gradients unless {@link #unscale} did, then runs {@code optimizer.step()} unless a
     * gradient held an inf or NaN: PyTorch's {@code step}. Returns whether it stepped (always, when disabled).
     *
     * @throws UnsupportedOperationException for an optimizer that steps with a closure (LBFGS), as PyTorch refuses
     * @throws IllegalStateException         before any {@link #scale}, a second time before {@link #update}, or when
     *                                       none of the optimizer's parameters has a gradient (as PyTorch's "No inf
     *                                       checks were recorded for this optimizer")
     */
    public boolean step(Optimizer optimizer) {
        if (!enabled) {
            optimizer.step();
            return true;
        }
        if (optimizer.needsClosure()) {
            throw new UnsupportedOperationException("GradScaler.step: " + optimizer.getClass().getSimpleName()
                    + " steps with a closure, which a GradScaler does not support (as PyTorch's does not)");
        }
        checkScaled("step");
        OptimizerState state = optimizers.get(optimizer);
        if (state != null && state.stage == Stage.STEPPED) {
            throw new IllegalStateException("GradScaler: step() has already been called since the last update()");
        }
        if (state == null || state.stage == Stage.READY) {
            unscale(optimizer);
            state = optimizers.get(optimizer);
        }
        if (!state.checked) {
            throw new IllegalStateException("GradScaler.step: No inf checks were recorded for this optimizer: none of"
                    + " its " + optimizer.params().size() + " parameters has a gradient; backpropagate scale(loss)"
                    + " first");
        }
        if (!state.foundInf) {
            optimizer.step();
        }
        state.stage = Stage.STEPPED;
        return !state.foundInf;
    }

    /**
     * Moves the scale by what this iteration's {@link #unscale}s found, over every optimizer: times
     * {@code backoffFactor} if any gradient held an inf or NaN (the growth tracker back to 0), else the tracker up
     * by one and, when it reaches {@code growthInterval}, times {@code growthFactor} (kept when that overflows F32)
     * and the tracker back to 0. Then every optimizer is ready for the next iteration.
     *
     * @throws IllegalStateException before any {@link #scale}, or when no optimizer with gradients was unscaled since
     *                               the last one
     */
    public void update() {
        if (!enabled) {
            return;
        }
        checkScaled("update");
        if (optimizers.values().stream().noneMatch(s -> s.checked)) {
            throw new IllegalStateException("GradScaler: No inf checks were recorded prior to update(); call step() (or"
                    + " unscale()) for an optimizer with gradients first");
        }
        boolean foundInf = optimizers.values().stream().anyMatch(s -> s.foundInf);
        if (foundInf) {
            scale = (float) (scale * backoffFactor);
            growthTracker = 0;
        } else if (growthTracker + 1 == growthInterval) {
            float grown = (float) (scale * growthFactor);
            if (Float.isFinite(grown)) {
                scale = grown;
            }
            growthTracker = 0;
        } else {
            growthTracker++;
        }
        optimizers.clear();
    }

    /** Sets the scale to {@code newScale} (as F32), the growth tracker kept: PyTorch's {@code update(new_scale)}. */
    public void update(double newScale) {
        if (!enabled) {
            return;
        }
        checkScaled("update");
        checkScale(newScale);
        scale = (float) newScale;
        optimizers.clear();
    }

    /** The current scale; before the first {@link #scale}, the initial one; 1 when disabled. */
    public double getScale() {
        if (!enabled) {
            return 1;
        }
        return scale == null ? initScale : scale;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public double getGrowthFactor() {
        return growthFactor;
    }

    /** @param growthFactor &gt; 1 */
    public void setGrowthFactor(double growthFactor) {
        if (!(growthFactor > 1) || Double.isInfinite(growthFactor)) {
            throw new IllegalArgumentException("GradScaler: growthFactor must be > 1 and finite, got " + growthFactor);
        }
        this.growthFactor = growthFactor;
    }

    public double getBackoffFactor() {
        return backoffFactor;
    }

    /** @param backoffFactor &lt; 1 and &gt; 0 */
    public void setBackoffFactor(double backoffFactor) {
        if (!(backoffFactor < 1 && backoffFactor > 0)) {
            throw new IllegalArgumentException("GradScaler: backoffFactor must be < 1 and > 0, got " + backoffFactor);
        }
        this.backoffFactor = backoffFactor;
    }

    public int getGrowthInterval() {
        return growthInterval;
    }

    /** @param growthInterval &gt;= 1 */
    public void setGrowthInterval(int growthInterval) {
        if (growthInterval < 1) {
            throw new IllegalArgumentException("GradScaler: growthInterval must be >= 1, got " + growthInterval);
        }
        this.growthInterval = growthInterval;
    }

    /**
     * PyTorch's {@code state_dict()}: {@code scale}, {@code growth_factor}, {@code backoff_factor},
     * {@code growth_interval} and {@code _growth_tracker}, in that order; empty when disabled.
     */
    public Map<String, Double> stateDict() {
        if (!enabled) {
            return Map.of();
        }
        Map<String, Double> state = new LinkedHashMap<>();
        state.put(SCALE, getScale());
        state.put(GROWTH_FACTOR, growthFactor);
        state.put(BACKOFF_FACTOR, backoffFactor);
        state.put(GROWTH_INTERVAL, (double) growthInterval);
        state.put(GROWTH_TRACKER, (double) growthTracker);
        return state;
    }

    /**
     * Restores a {@link #stateDict()}, Kiln's or PyTorch's; ignored when disabled.
     *
     * @throws IllegalArgumentException for an empty state (saved from a disabled scaler), a missing key or a value
     *                                  out of range (a scale of 0, to which backoffs can take it, loads); the scaler
     *                                  is left as it was
     */
    public void loadStateDict(Map<String, Double> state) {
        if (!enabled) {
            return;
        }
        if (state.isEmpty()) {
            throw new IllegalArgumentException("GradScaler.loadStateDict: the state is empty, possibly because it was"
                    + " saved from a disabled GradScaler");
        }
        for (String key : List.of(SCALE, GROWTH_FACTOR, BACKOFF_FACTOR, GROWTH_INTERVAL, GROWTH_TRACKER)) {
            if (state.get(key) == null) {
                throw new IllegalArgumentException("GradScaler.loadStateDict: the state has no " + key + "; it has "
                        + state.keySet());
            }
        }
        double loadedScale = state.get(SCALE);
        // Backoffs can take a scale down to 0 (PyTorch's too, whose load_state_dict takes any): such a run resumes.
        if (!(loadedScale >= 0) || Double.isInfinite(loadedScale)) {
            throw new IllegalArgumentException("GradScaler.loadStateDict: scale must be finite and >= 0, got "
                    + loadedScale);
        }
        int interval = whole(state, GROWTH_INTERVAL);
        int tracker = whole(state, GROWTH_TRACKER);
        GradScaler check = new GradScaler(1, state.get(GROWTH_FACTOR), state.get(BACKOFF_FACTOR), interval, true);
        growthFactor = check.growthFactor;
        backoffFactor = check.backoffFactor;
        growthInterval = interval;
        growthTracker = tracker;
        initScale = loadedScale;
        if (scale != null) {
            scale = (float) loadedScale;
        }
    }

    private static int whole(Map<String, Double> state, String key) {
        double v = state.get(key);
        if (!(v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v))) {
            throw new IllegalArgumentException("GradScaler.loadStateDict: " + key + " must be a whole number >= 0, got "
                    + v);
        }
        return (int) v;
    }

    private static void checkScale(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("GradScaler: the scale (initScale) must be finite and > 0, got " + value);
        }
    }

    private void checkScaled(String method) {
        if (scale == null) {
            throw new IllegalStateException("GradScaler: " + method + "() before any scale(loss); scale the loss and"
                    + " backpropagate it earlier in the iteration");
        }
    }
}
