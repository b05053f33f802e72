package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Gated linear unit, like PyTorch's {@code torch.nn.GLU(dim)}: the input is split along {@code axis} into halves a
 * (first) and b (second), and the output is {@code a * sigmoid(b)}, so that axis halves, e.g. [batch, 2n] to
 * [batch, n]. No parameters.
 */
public class GLU extends Module {
    private final int axis;

    /** Over the last axis, PyTorch's default. */
    public GLU() {
        this(-1);
    }

    /** Over {@code axis} (negative counts from the end). */
    public GLU(int axis) {
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    /**
     * [..., 2n, ...] to [..., n, ...] along {@code axis}.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has no such axis or the axis
     *     has an odd size
     */
    @Override
    public Tensor forward(Tensor x) {
        if (axis >= x.rank() || axis < -x.rank()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " has no axis " + axis);
        }
        int size = x.dim(axis);
        if (size % 2 != 0) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " has size " + size + " on axis " + axis
                    + "; it must be even, to halve");
        }
        return Temporaries.freedWithoutGradients(() -> {
            List<Tensor> halves = x.split(axis, size / 2, size / 2);
            return halves.get(0).mul(halves.get(1).sigmoid());
        });
    }

    /** PyTorch's {@code extra_repr}: {@code dim=1}. */
    @Override
    protected String extraRepr() {
        return "dim=" + axis;
    }
}
