package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * The sinusoidal positional encoding of the Transformer (Vaswani et al. 2017, section 3.5), added to the
 * input: {@code forward(x) = x + PE[:T]} for x [batch, T, dim] (or any [..., T, dim]), output the same
 * shape and dtype, with
 * <pre>
 * PE[pos, 2i]     = sin(pos / 10000^(2i / dim))
 * PE[pos, 2i + 1] = cos(pos / 10000^(2i / dim))
 * </pre>
 * (an odd {@code dim} ends with a sine column). Positions 0 .. maxLength - 1 are available.
 *
 * <p>No parameters and no buffers: the table is fixed, so it is not trained and not saved in the state dict
 * (PyTorch's tutorial registers it as a non-persistent buffer). It is computed once, in double precision,
 * when the layer is built and kept as a plain array; each call converts the first T rows to the input's
 * dtype. No dropout here; the model adds its own after the encoding.
 */
public class PositionalEncoding extends Module {
    private final int dim;
    private final int maxLength;
    /** [maxLength, dim], row-major; never modified after construction (so a {@link #copy()} may share it). */
    private final double[] table;

    /**
     * @param dim width of the vectors the encoding is added to
     * @param maxLength the longest sequence T it accepts
     */
    public PositionalEncoding(int dim, int maxLength) {
        if (dim <= 0 || maxLength <= 0) {
            throw new IllegalArgumentException("PositionalEncoding: dim and maxLength must be positive, got " + dim + " and "
                    + maxLength);
        }
        this.dim = dim;
        this.maxLength = maxLength;
        this.table = new double[Math.multiplyExact(dim, maxLength)];
        for (int pos = 0; pos < maxLength; pos++) {
            for (int c = 0; c < dim; c++) {
                double angle = pos / Math.pow(10000, (double) (c - c % 2) / dim);
                table[pos * dim + c] = c % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
            }
        }
    }

    public int dim() {
        return dim;
    }

    public int maxLength() {
        return maxLength;
    }

    /** {@code x + PE[:T]} for {@code x} [..., T, dim]. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /**
     * {@code x + PE[offset : offset + T]} for {@code x} [..., T, dim]: the encoding of positions that start at
     * {@code offset}, for a decoder that reads one position at a time.
     */
    public Tensor forward(Tensor x, int offset) {
        if (x.rank() < 2 || x.dim(-1) != dim) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, T, " + dim + "]");
        }
        int steps = x.dim(-2);
        if (offset < 0 || offset + steps > maxLength) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " at offset " + offset + " reaches position "
                    + (offset + steps) + ", beyond maxLength " + maxLength);
        }
        Tensor encoding = Tensor.fromArray(Arrays.copyOfRange(table, offset * dim, (offset + steps) * dim), steps, dim);
        return x.add(encoding.to(x.dtype()));
    }

    /** The sizes in PyTorch's style (its tutorial's names): {@code 8, max_len=5000}. */
    @Override
    protected String extraRepr() {
        return dim + ", max_len=" + maxLength;
    }
}
