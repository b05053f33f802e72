package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * RMSProp (Hinton), as PyTorch's {@code torch.optim.RMSprop}. Per parameter, with {@code g} its gradient:
 * <pre>
 * g = g + weightDecay * p
 * s = alpha * s + (1 - alpha) * g * g
 * a = alpha * a + (1 - alpha) * g            (centered only)
 * d = g / (sqrt(s) + eps)                    (eps after the square root; centered: sqrt(s - a * a))
 * b = momentum * b + d; d = b                (momentum &gt; 0 only)
 * p = p - lr * d
 * </pre>
 * Defaults: alpha 0.99, eps 1e-8, momentum 0, weight decay 0, not centered. Composed from tensor ops. State:
 * {@code step}, {@code square_avg} (s), {@code momentum_buffer} (b) with momentum, and {@code grad_avg} (a)
 * when centered.
 */
public final class RMSProp extends Optimizer {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-2;

    private double alpha = 0.99;
    private double eps = 1e-8;
    private double momentum;
    private boolean centered;

    /** RMSProp over one group. */
    public RMSProp(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** RMSProp over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public RMSProp(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the smoothing constant of the average of squares, in [0, 1]; returns this. */
    public RMSProp alpha(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("RMSProp: alpha must be in [0, 1], got " + alpha);
        }
        this.alpha = alpha;
        return this;
    }

    /** Sets the term added to the denominator after the square root; returns this. */
    public RMSProp eps(double eps) {
        this.eps = nonNegative("eps", eps);
        return this;
    }

    /** Sets the momentum factor (0 turns momentum off); returns this. */
    public RMSProp momentum(double momentum) {
        this.momentum = nonNegative("momentum", momentum);
        return this;
    }

    /**
     * Turns centered RMSProp (PyTorch's {@code centered}) on or off: the average of squares is centered by the
     * square of the gradient's running average, an estimate of its variance; returns this.
     */
    public RMSProp centered(boolean centered) {
        this.centered = centered;
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public RMSProp weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    private static double nonNegative(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("RMSProp: " + what + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    @Override
    protected Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>(List.of("step", "square_avg"));
        if (momentum > 0) {
            names.add("momentum_buffer");
        }
        if (centered) {
            names.add("grad_avg");
        }
        return names;
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor squareAvg = state.getOrZeros("square_avg", param);
        state.nextStep();
        Tensor g = group.weightDecay() != 0 ? grad.add(param.mul(group.weightDecay())) : grad;
        squareAvg.assign(squareAvg.mul(alpha).add(g.mul(g).mul(1 - alpha)));
        Tensor direction = g.div(rootMeanSquare(squareAvg, g, state, param).add(eps));
        if (momentum > 0) {
            Tensor buffer = state.getOrZeros("momentum_buffer", param);
            buffer.assign(buffer.mul(momentum).add(direction));
            direction = buffer;
        }
        param.addInPlace(direction, -group.lr());
    }

    /** sqrt(s), or when centered sqrt(s - a * a) after updating the gradient's running average a. */
    private Tensor rootMeanSquare(Tensor squareAvg, Tensor g, ParamState state, Tensor param) {
        if (!centered) {
            return squareAvg.sqrt();
        }
        Tensor gradAvg = state.getOrZeros("grad_avg", param);
        gradAvg.assign(gradAvg.mul(alpha).add(g.mul(1 - alpha)));
        return squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
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

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("alpha", alpha);
        s.put("eps", eps);
        s.put("centered", centered);
        return s;
    }
}
