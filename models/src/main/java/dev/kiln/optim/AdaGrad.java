package dev.kiln.optim;

import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AdaGrad (Duchi et al.), as PyTorch's {@code torch.optim.Adagrad}. Per parameter, with {@code g} its
 * gradient and {@code t} its step count from 1:
 * <pre>
 * g = g + weightDecay * p
 * s = s + g * g                              (s starts at initialAccumulatorValue)
 * p = p - lr / (1 + (t - 1) * lrDecay) * g / (sqrt(s) + eps)
 * </pre>
 * Defaults: lrDecay 0, initial accumulator 0, eps 1e-10, weight decay 0. Composed from tensor ops.
 * State: {@code step}, {@code sum} (s).
 *
 * <p>A sparse gradient ({@link Tensor#sparseGrad()}, from an embedding with sparse gradients) is coalesced and moves
 * only its own rows of {@code s} and the parameter, as PyTorch's (one without entries still counts a step); weight
 * decay with it is refused, as in PyTorch.
 */
public final class AdaGrad extends Optimizer {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-2;

    private double lrDecay;
    private double initialAccumulatorValue;
    private double eps = 1e-10;

    /** AdaGrad over one group. */
    public AdaGrad(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** AdaGrad over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public AdaGrad(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the learning-rate decay per step; returns this. */
    public AdaGrad lrDecay(double lrDecay) {
        this.lrDecay = nonNegative("lrDecay", lrDecay);
        return this;
    }

    /** Sets the value the sum of squares starts from (used for parameters not yet stepped); returns this. */
    public AdaGrad initialAccumulatorValue(double value) {
        this.initialAccumulatorValue = nonNegative("initialAccumulatorValue", value);
        return this;
    }

    /** Sets the term added to the denominator after the square root; returns this. */
    public AdaGrad eps(double eps) {
        this.eps = nonNegative("eps", eps);
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public AdaGrad weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    private static double nonNegative(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("AdaGrad: " + what + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", "sum");
    }

    /** Accepts sparse gradients, but not with weight decay, which PyTorch refuses with them too. */
    @Override
    protected void checkGradient(Tensor param, boolean sparse, ParamGroup group) {
        if (sparse && group.weightDecay() != 0) {
            throw new UnsupportedOperationException("AdaGrad: weight decay " + group.weightDecay() + " is not compatible"
                    + " with sparse gradients (parameter " + param.shape() + "), as in PyTorch; set it to 0 for that"
                    + " group");
        }
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor sum = sum(param, state);
        long step = state.nextStep();
        Tensor g = group.weightDecay() != 0 ? grad.add(param.mul(group.weightDecay())) : grad;
        double clr = group.lr() / (1 + (step - 1) * lrDecay);
        sum.addInPlace(g.mul(g), 1);
        Tensor std = sum.sqrt().add(eps);
        param.addInPlace(g.div(std), -clr);
    }

    @Override
    protected void updateSparse(Tensor param, SparseRows grad, ParamGroup group, ParamState state) {
        Tensor sum = sum(param, state);
        long step = state.nextStep();
        double clr = group.lr() / (1 + (step - 1) * lrDecay);
        // The update is not linear in the gradient: each row's entries are summed first, as PyTorch does.
        SparseRows g = grad.coalesce();
        Updates.sparseAdagrad(param, sum, g, clr, eps);
    }

    /** The parameter's sum of squares, made at {@code initialAccumulatorValue} on its first step. */
    private Tensor sum(Tensor param, ParamState state) {
        Tensor sum = state.get("sum");
        if (sum == null) {
            sum = state.getOrZeros("sum", param);
            if (initialAccumulatorValue != 0) {
                sum.assign(Tensor.full(initialAccumulatorValue, param.dtype(), param.shape().dims()));
            }
        }
        return sum;
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("lr_decay", lrDecay);
        s.put("initial_accumulator_value", initialAccumulatorValue);
        s.put("eps", eps);
        return s;
    }
}
