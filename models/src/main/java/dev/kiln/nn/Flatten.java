package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Collapses dimensions {@code startAxis..endAxis} (default 1 and -1, the last) into one, like PyTorch's
 * {@code torch.nn.Flatten(start_dim, end_dim)}: [batch, c, h, w] to [batch, c*h*w]; dimension 0 (the batch) is
 * kept. Negative axes count from the end of each input, as PyTorch's. A view: no copy.
 */
public class Flatten extends Module {
    private final int startAxis;
    private final int endAxis;

    /** Keeps dimension 0 and flattens the rest. */
    public Flatten() {
        this(1);
    }

    /** Flattens dimensions {@code startAxis..} into one. */
    public Flatten(int startAxis) {
        this(startAxis, -1);
        if (startAxis < 0) {
            throw new IllegalArgumentException("Flatten: start axis must be >= 0, got " + startAxis
                    + "; Flatten(startAxis, endAxis) takes axes counted from the end");
        }
    }

    /** Flattens dimensions {@code startAxis..endAxis} (both included; negative ones count from the end) into one. */
    public Flatten(int startAxis, int endAxis) {
        this.startAxis = startAxis;
        this.endAxis = endAxis;
    }

    /** The first axis flattened, as given (negative: counted from the end). */
    public int startAxis() {
        return startAxis;
    }

    /** The last axis flattened, as given (-1, the default: the last). */
    public int endAxis() {
        return endAxis;
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return "start_dim=" + startAxis + ", end_dim=" + endAxis;
    }

    @Override
    public Tensor forward(Tensor x) {
        // A scalar flattens as a [1] vector does, as PyTorch's.
        int rank = Math.max(1, x.rank());
        int start = startAxis < 0 ? startAxis + rank : startAxis;
        int end = endAxis < 0 ? endAxis + rank : endAxis;
        if (start < 0 || start >= rank || end < 0 || end >= rank || start > end) {
            throw new IllegalArgumentException("Flatten(start_dim=" + startAxis + ", end_dim=" + endAxis + "): input "
                    + x.shape() + " has no axes " + startAxis + ".." + endAxis + " in order to flatten");
        }
        if (x.rank() == 0) {
            return x.reshape(1);
        }
        if (end == x.rank() - 1) {
            return x.flatten(start);
        }
        int[] dims = x.shape().dims();
        int[] out = new int[rank - (end - start)];
        for (int d = 0, o = 0; d < dims.length; d++) {
            out[o] = d > start && d <= end ? out[o] * dims[d] : dims[d];
            o += d >= start && d < end ? 0 : 1;
        }
        return x.reshape(out);
    }
}
