package dev.kiln.nn;

import dev.kiln.engine.Function;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binary cross-entropy on logits, like PyTorch's
 * {@code torch.nn.BCEWithLogitsLoss(weight=..., reduction=..., pos_weight=...)}:
 * logits x and targets y in [0, 1] of one shape, e.g. [batch, 1];
 * {@code mean(max(x, 0) - x * y + log(1 + exp(-|x|)))}, which equals
 * {@code mean(-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))))} but never overflows. The gradient is
 * {@code sigmoid(x) - y}, exact also at x = 0 (where the formula's max and |x| have kinks).
 * <p>
 * A positive weight w [classes] (PyTorch's {@code pos_weight}), broadcast over the last axis, weighs the positive
 * term: {@code -(w y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))}, computed as
 * {@code (1 - y) x + ((w - 1) y + 1) (log(1 + exp(-|x|)) + max(-x, 0))} as PyTorch does, stable too; its gradient
 * is {@code (w y + 1 - y) sigmoid(x) - w y}. w gets no gradient (nor does it in PyTorch).
 * <p>
 * A weight (PyTorch's {@code weight}) that broadcasts to the output's shape, e.g. [classes] over the last axis or
 * [batch, 1] per sample, multiplies each term before the reduction; the mean still divides by the number of terms, as
 * PyTorch's does.
 */
public class BCEWithLogitsLoss implements WeightedLoss {
    private final Tensor weight;
    private final Tensor posWeight;
    private final Reduction reduction;

    /** The mean, unweighted: PyTorch's defaults. */
    public BCEWithLogitsLoss() {
        this(null, Reduction.MEAN);
    }

    /** MEAN or SUM of the terms (a scalar), or NONE: each term, in the output's shape, for the caller to reduce. */
    public BCEWithLogitsLoss(Reduction reduction) {
        this(null, reduction);
    }

    /** The mean with positive weight {@code posWeight}, as {@link #BCEWithLogitsLoss(Tensor, Reduction)}. */
    public BCEWithLogitsLoss(Tensor posWeight) {
        this(posWeight, Reduction.MEAN);
    }

    /**
     * The terms weighted by {@code posWeight} and reduced by {@code reduction} (NONE: each term, in the output's
     * shape, for the caller to reduce). {@code posWeight} is [classes], the length of the output's last axis, or
     * holds one value for all ([1] or a scalar), in the output's dtype; null for none. It is kept, not copied: it
     * must stay open while the loss is used.
     */
    public BCEWithLogitsLoss(Tensor posWeight, Reduction reduction) {
        this(null, posWeight, reduction);
    }

    /**
     * The terms multiplied by {@code weight}, weighted by {@code posWeight} (as
     * {@link #BCEWithLogitsLoss(Tensor, Reduction)}) and reduced by {@code reduction}, PyTorch's
     * {@code BCEWithLogitsLoss(weight, reduction=..., pos_weight=...)}. {@code weight} broadcasts to the output's shape
     * (e.g. [classes] or [batch, 1]) in the output's dtype; null for none. Both are kept, not copied: they must stay
     * open while the loss is used.
     */
    public BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) {
        if (weight != null && !weight.dtype().isFloating()) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: weight must be floating, got " + weight.dtype() + " "
                    + weight.shape());
        }
        if (posWeight != null && (posWeight.rank() > 1 || !posWeight.dtype().isFloating())) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: pos_weight must be a floating [classes] vector or"
                    + " hold one value, got " + posWeight.dtype() + " " + posWeight.shape());
        }
        this.weight = weight;
        this.posWeight = posWeight;
        this.reduction = Losses.checked("BCEWithLogitsLoss", reduction);
    }

    /** {@code weight} and {@code pos_weight}, PyTorch's buffer names, where given. */
    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> out = new LinkedHashMap<>(WeightedLoss.named("weight", weight));
        out.putAll(WeightedLoss.named("pos_weight", posWeight));
        return out;
    }

    @Override
    public Loss withBuffers(Map<String, Tensor> buffers) {
        return new BCEWithLogitsLoss(buffers.get("weight"), buffers.get("pos_weight"), reduction);
    }

    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("BCEWithLogitsLoss", output, target);
        Function terms = posWeight == null ? new ElementWise() : new Weighted(broadcastPosWeight(output));
        Tensor losses = terms.apply(output, target);
        return Losses.reduce(weight == null ? losses : losses.mul(checkedWeight(output)), reduction);
    }

    /** The weight, checked to broadcast to the output's shape without enlarging it. */
    private Tensor checkedWeight(Tensor output) {
        if (weight.dtype() != output.dtype()) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: weight is " + weight.dtype() + ", output "
                    + output.dtype() + ": they must match");
        }
        if (weight.rank() > output.rank() || !broadcastsTo(weight.shape().dims(), output.shape().dims())) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: weight " + weight.shape() + " does not broadcast to"
                    + " the output's shape " + output.shape());
        }
        return weight;
    }

    /** Whether {@code from}, aligned from the right, has each axis equal to {@code to}'s or 1. */
    private static boolean broadcastsTo(int[] from, int[] to) {
        for (int i = 1; i <= from.length; i++) {
            int axis = from[from.length - i];
            if (axis != 1 && axis != to[to.length - i]) {
                return false;
            }
        }
        return true;
    }

    /** pos_weight shaped to broadcast over the output's last axis without enlarging the output. */
    private Tensor broadcastPosWeight(Tensor output) {
        if (posWeight.dtype() != output.dtype()) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: pos_weight is " + posWeight.dtype() + ", output "
                    + output.dtype() + ": they must match");
        }
        if (posWeight.size() == 1) {
            return posWeight.reshape();
        }
        if (output.rank() == 0 || posWeight.dim(0) != output.dim(output.rank() - 1)) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: pos_weight " + posWeight.shape() + " does not fit"
                    + " the last axis of output " + output.shape() + ": expected [" + (output.rank() == 0 ? 1
                    : output.dim(output.rank() - 1)) + "] or one value");
        }
        return posWeight;
    }

    /** {@code log(1 + exp(-|x|))}: the part of both log-sigmoids that cannot overflow. */
    private static Tensor softplusOfMinusAbs(Tensor x) {
        return x.abs().neg().exp().add(1).log();
    }

    private static final class ElementWise extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            Tensor y = in[1];
            save(x, y);
            return x.relu().sub(x.mul(y)).add(softplusOfMinusAbs(x));
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor y = saved()[1];
            Tensor gx = x.requiresGrad() ? g.mul(x.sigmoid().sub(y)) : null;
            Tensor gy = y.requiresGrad() ? g.mul(x).neg() : null;
            return new Tensor[] {gx, gy};
        }
    }

    /** The terms with positive weight w, which broadcasts against x and y. */
    private static final class Weighted extends Function {
        private final Tensor w;

        Weighted(Tensor w) {
            this.w = w;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            Tensor y = in[1];
            save(x, y);
            Tensor logWeight = w.sub(1).mul(y).add(1);
            Tensor minusLogSigmoid = softplusOfMinusAbs(x).add(x.neg().relu());
            return y.neg().add(1).mul(x).add(logWeight.mul(minusLogSigmoid));
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor y = saved()[1];
            Tensor wy = w.mul(y);
            Tensor gx = x.requiresGrad() ? g.mul(wy.add(1).sub(y).mul(x.sigmoid()).sub(wy)) : null;
            Tensor gy = null;
            if (y.requiresGrad()) {
                Tensor softplus = softplusOfMinusAbs(x);
                Tensor minusLogSigmoid = softplus.add(x.neg().relu());
                Tensor minusLogSigmoidOfMinusX = softplus.add(x.relu());
                gy = g.mul(w.mul(minusLogSigmoid).sub(minusLogSigmoidOfMinusX));
            }
            return new Tensor[] {gx, gy};
        }
    }
}
