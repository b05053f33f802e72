package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * One GRU step, PyTorch's {@code torch.nn.GRUCell}: for a step's input x [batch, inputSize] and the state h
 * [batch, hidden], {@code x W_ih^T + b_ih} and {@code h W_hh^T + b_hh} (gate order r, z, n) go through the
 * fused {@link F#gruCell}. Parameters {@code weight_ih} [3H, inputSize], {@code weight_hh} [3H, H],
 * {@code bias_ih}, {@code bias_hh} [3H], drawn uniformly from +-1/sqrt(H) as in PyTorch.
 */
public class GRUCell extends Module implements TwoInputForward {
    private final int inputSize;
    private final int hiddenSize;

    public GRUCell(int inputSize, int hiddenSize) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException("GRUCell: sizes must be positive, got input " + inputSize + ", hidden " + hiddenSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        registerParameter("weight_ih", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 3 * hiddenSize, inputSize)));
        registerParameter("weight_hh", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 3 * hiddenSize, hiddenSize)));
        registerParameter("bias_ih", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 3 * hiddenSize)));
        registerParameter("bias_hh", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 3 * hiddenSize)));
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** h' [batch, H] after one step from a zero state, made in x's dtype and on its backend. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor zeros = x.fullLike(0, Shape.of(x.dim(0), hiddenSize));
        Tensor next = forward(x, zeros);
        releaseConsumed(zeros, next);
        return next;
    }

    /** h' [batch, H] after reading x [batch, inputSize] from h [batch, H]. */
    @Override
    public Tensor forward(Tensor x, Tensor h) {
        if (x.rank() != 2 || x.dim(1) != inputSize) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inputSize + "]");
        }
        if (h == null || h.rank() != 2 || h.dim(1) != hiddenSize || h.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException(describe() + ": state h " + (h == null ? "null" : h.shape()) + " must be ["
                    + x.dim(0) + ", " + hiddenSize + "]");
        }
        Tensor inputGates = F.linear(x, param("weight_ih"), param("bias_ih"));
        Tensor hiddenGates = F.linear(h, param("weight_hh"), param("bias_hh"));
        Tensor next = F.gruCell(inputGates, hiddenGates, h);
        releaseConsumed(inputGates, next);
        releaseConsumed(hiddenGates, next);
        return next;
    }

    /** PyTorch's {@code extra_repr}: the input and hidden sizes, {@code 3, 4}. */
    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize;
    }
}
