package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.function.BinaryOperator;

/**
 * The p-norm distance of two inputs along their last axis, like PyTorch's
 * {@code torch.nn.PairwiseDistance(p, eps, keepdim)}: {@code |x1 - x2 + eps|_p}, eps added to every difference
 * (so that the gradient of equal inputs is defined); inputs of one shape (or shapes that broadcast), e.g.
 * [batch, dim] and [batch, dim], output [batch] (or [batch, 1] with keepDim); [dim] inputs give a scalar. Any
 * p &gt; 0 or infinity (see {@link Tensor#norm(double, int[], boolean)}). No parameters. A two-input module: call
 * {@link #forward(Tensor, Tensor)}, or use it as a distance function ({@link #apply}): the default distance of
 * {@link TripletMarginWithDistanceLoss}.
 */
public class PairwiseDistance extends Module implements BinaryOperator<Tensor>, TwoInputForward {
    private final double p;
    private final double eps;
    private final boolean keepDim;

    /** The Euclidean distance, eps 1e-6, without the last axis: PyTorch's defaults. */
    public PairwiseDistance() {
        this(2, 1e-6, false);
    }

    /** @throws IllegalArgumentException naming the layer for a p that is not positive */
    public PairwiseDistance(double p, double eps, boolean keepDim) {
        if (!(p > 0)) {
            throw new IllegalArgumentException("PairwiseDistance: p must be positive (or infinity), got " + p);
        }
        this.p = p;
        this.eps = eps;
        this.keepDim = keepDim;
    }

    public double p() {
        return p;
    }

    /**
     * The distance of {@code x1} and {@code x2} along the last axis of their broadcast shape.
     *
     * @throws IllegalArgumentException naming this layer and both shapes when they do not broadcast or are scalars
     */
    public Tensor forward(Tensor x1, Tensor x2) {
        if (TwoInputs.broadcast(this, x1, x2).rank() == 0) {
            throw new IllegalArgumentException(describe() + ": inputs " + x1.shape() + " and " + x2.shape()
                    + " are scalars; they need an axis to measure along");
        }
        return Temporaries.freedWithoutGradients(() -> x1.sub(x2).add(eps).norm(p, new int[] {-1}, keepDim));
    }

    /** {@link #forward(Tensor, Tensor)}, as a distance function. */
    @Override
    public Tensor apply(Tensor x1, Tensor x2) {
        return forward(x1, x2);
    }

    /** Not available: call {@link #forward(Tensor, Tensor)} with the two inputs. */
    @Override
    public Tensor forward(Tensor x) {
        throw TwoInputs.unsupported(this);
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code PairwiseDistance(p=2.0, eps=1e-06,
     * keepdim=False)}; {@link #toString()} prints PyTorch's repr, which shows no settings.
     */
    @Override
    public String describe() {
        return "PairwiseDistance(p=" + PythonRepr.number(p) + ", eps=" + PythonRepr.number(eps) + ", keepdim="
                + PythonRepr.bool(keepDim) + ")";
    }
}
