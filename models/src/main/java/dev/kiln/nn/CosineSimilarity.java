package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * Cosine similarity of two inputs along one axis, like PyTorch's {@code torch.nn.CosineSimilarity(dim, eps)}:
 * {@code x1 . x2 / (max(|x1|, eps) max(|x2|, eps))} along {@code axis}; inputs of one shape (or shapes that
 * broadcast), e.g. [batch, dim] and [batch, dim], output that shape without the axis, e.g. [batch]. As PyTorch 1.13
 * does, each squared norm is raised to at least eps^2 without the clamp being recorded: for a vector shorter than eps
 * the gradient still flows through its norm, as if unclamped, at the clamped value. No parameters. A two-input
 * module: call {@link #forward(Tensor, Tensor)}.
 */
public class CosineSimilarity extends Module implements TwoInputForward {
    private final int axis;
    private final double eps;

    /** Over axis 1 with eps 1e-8, PyTorch's defaults. */
    public CosineSimilarity() {
        this(1, 1e-8);
    }

    /** Over {@code axis} (negative counts from the end of the broadcast shape). */
    public CosineSimilarity(int axis, double eps) {
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("CosineSimilarity: eps must be at least 0, got " + eps);
        }
        this.axis = axis;
        this.eps = eps;
    }

    public int axis() {
        return axis;
    }

    public double eps() {
        return eps;
    }

    /**
     * The cosine of {@code x1} and {@code x2} along the axis: their broadcast shape without it.
     *
     * @throws IllegalArgumentException naming this layer and both shapes when they do not broadcast or the broadcast
     *     shape has no such axis
     */
    public Tensor forward(Tensor x1, Tensor x2) {
        Shape shape = TwoInputs.broadcast(this, x1, x2);
        if (axis >= shape.rank() || axis < -shape.rank()) {
            throw new IllegalArgumentException(describe() + ": inputs " + x1.shape() + " and " + x2.shape() + " have no axis "
                    + axis);
        }
        return Temporaries.freedWithoutGradients(() -> {
            Tensor a = TwoInputs.expanded(x1, shape);
            Tensor b = TwoInputs.expanded(x2, shape);
            return a.mul(b).sum(axis, false).div(clampedNorm(a).mul(clampedNorm(b)));
        });
    }

    /** |x| along the axis, at least eps; its gradient passes through the clamp, as PyTorch's. */
    private Tensor clampedNorm(Tensor x) {
        Tensor squared = x.square().sum(axis, false);
        // Adding the clamp's change as a constant raises the value and leaves the gradient of the squared norm.
        Tensor floor = squared.detach();
        return squared.add(floor.clampMin(eps * eps).sub(floor)).sqrt();
    }

    /** Not available: call {@link #forward(Tensor, Tensor)} with the two inputs. */
    @Override
    public Tensor forward(Tensor x) {
        throw TwoInputs.unsupported(this);
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code CosineSimilarity(dim=1, eps=1e-08)};
     * {@link #toString()} prints PyTorch's repr, which shows no settings.
     */
    @Override
    public String describe() {
        return "CosineSimilarity(dim=" + axis + ", eps=" + PythonRepr.number(eps) + ")";
    }
}
