package dev.kiln.optim;

import dev.kiln.engine.SparseCoo;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, as
 * PyTorch's {@code torch.optim.SGD}. Per parameter, with {@code g} its gradient:
 * <pre>
 * g = g + weightDecay * p
 * v = momentum * v + (1 - dampening) * g      (the first step sets v = g, undampened)
 * g = nesterov ? g + momentum * v : v
 * p = p - lr * g
 * </pre>
 * Runs as one fused pass per parameter ({@link Updates#sgd}). State: {@code momentum_buffer} when
 * momentum is non-zero.
 *
 * <p>A sparse gradient ({@link Tensor#sparseGrad()}, from an embedding with sparse gradients) is stepped as PyTorch 1.13
 * steps it: without momentum only its rows move; with momentum the buffer is dense here (PyTorch's sparse buffer holds
 * the same values, zero elsewhere), so every row the buffer has reached moves. Weight decay with a sparse gradient is
 * refused, as in PyTorch.
 * <pre>{@code
 * Optimizer opt = new SGD(model.trainableParameters(), 0.1).momentum(0.9).nesterov(true).weightDecay(5e-4);
 * }</pre>
 */
public final class SGD extends Optimizer {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-3;

    private double momentum;
    private double dampening;
    private boolean nesterov;

    /** Plain SGD over one group. */
    public SGD(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** SGD over one group with momentum (0 for none), Nesterov momentum, and weight decay. */
    public SGD(List<Tensor> params, double lr, double momentum, boolean nesterov, double weightDecay) {
        this(params, lr);
        momentum(momentum);
        nesterov(nesterov);
        weightDecay(weightDecay);
        checkSettings();
    }

    /** SGD over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public SGD(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the momentum factor (0 turns momentum off); returns this. */
    public SGD momentum(double momentum) {
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("SGD: momentum must be finite and >= 0, got " + momentum);
        }
        this.momentum = momentum;
        return this;
    }

    /**
     * Sets the dampening of the gradient added to the momentum buffer (0, no dampening, by default; any finite
     * value, as PyTorch accepts; Nesterov momentum needs 0); returns this.
     */
    public SGD dampening(double dampening) {
        if (!Double.isFinite(dampening)) {
            throw new IllegalArgumentException("SGD: dampening must be finite, got " + dampening);
        }
        this.dampening = dampening;
        return this;
    }

    /** Turns Nesterov momentum on or off (it needs momentum > 0 and dampening 0); returns this. */
    public SGD nesterov(boolean nesterov) {
        this.nesterov = nesterov;
        return this;
    }

    /** Climbs the objective instead of descending it (PyTorch's {@code maximize}); returns this. */
    public SGD maximize(boolean maximize) {
        setMaximize(maximize);
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public SGD weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    public double momentum() {
        return momentum;
    }

    public double dampening() {
        return dampening;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    protected void checkSettings() {
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0, got " + momentum);
        }
        if (nesterov && dampening != 0) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs dampening 0, got " + dampening);
        }
    }

    @Override
    protected Set<String> stateNames() {
        return momentum != 0 ? Set.of("momentum_buffer") : Set.of();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor buffer = null;
        boolean firstStep = false;
        if (momentum != 0) {
            buffer = state.get("momentum_buffer");
            firstStep = buffer == null;
            if (firstStep) {
                buffer = state.getOrZeros("momentum_buffer", param);
            }
        }
        Updates.sgd(param, grad, buffer, group.lr(), momentum, dampening, group.weightDecay(), nesterov, firstStep);
    }

    /** Accepts sparse gradients, but not with weight decay, which PyTorch refuses with them too. */
    @Override
    protected void checkGradient(Tensor param, boolean sparse, ParamGroup group) {
        if (sparse && group.weightDecay() != 0) {
            throw new UnsupportedOperationException("SGD: weight decay " + group.weightDecay() + " is not compatible with"
                    + " sparse gradients (parameter " + param.shape() + "), as in PyTorch; set it to 0 for that group");
        }
    }

    @Override
    protected void updateSparse(Tensor param, SparseCoo grad, ParamGroup group, ParamState state) {
        if (momentum == 0) {
            Updates.addSparse(param, grad, -group.lr());
            return;
        }
        update(param, grad.toDense(), group, state);
    }

    /** Its momentum, which {@code OneCycleLR} cycles. */
    @Override
    public OptionalDouble momentumOrBeta1() {
        return OptionalDouble.of(momentum);
    }

    @Override
    public void setMomentumOrBeta1(double value) {
        momentum(value);
    }
}
