package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * One LSTM step, PyTorch's {@code torch.nn.LSTMCell}: for a step's input x [batch, inputSize] and the states
 * h, c [batch, hidden], the gates {@code x W_ih^T + b_ih + h W_hh^T + b_hh} (order i, f, g, o) go through
 * the fused {@link F#lstmCell}. Parameters {@code weight_ih} [4H, inputSize], {@code weight_hh} [4H, H],
 * {@code bias_ih}, {@code bias_hh} [4H], drawn uniformly from +-1/sqrt(H) as in PyTorch. For decoders that
 * must run step by step (their input depends on the step before); a whole known sequence runs faster
 * through {@link LSTM}.
 */
public class LSTMCell extends Module {
    private final int inputSize;
    private final int hiddenSize;

    public LSTMCell(int inputSize, int hiddenSize) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException("LSTMCell: sizes must be positive, got input " + inputSize + ", hidden " + hiddenSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        registerParameter("weight_ih", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 4 * hiddenSize, inputSize)));
        registerParameter("weight_hh", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 4 * hiddenSize, hiddenSize)));
        registerParameter("bias_ih", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 4 * hiddenSize)));
        registerParameter("bias_hh", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, 4 * hiddenSize)));
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /**
     * h' [batch, H] after one step from zero states, made in x's dtype and on its backend; c', which shares h''s
     * memory, is not handed back.
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor zeros = x.fullLike(0, Shape.of(x.dim(0), hiddenSize));
        F.LstmState next = forward(x, zeros, zeros);
        releaseConsumed(zeros, next.h());
        return next.h();
    }

    /** The states h', c' [batch, H] after reading x [batch, inputSize] from h, c [batch, H]. */
    public F.LstmState forward(Tensor x, Tensor h, Tensor c) {
        if (x.rank() != 2 || x.dim(1) != inputSize) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inputSize + "]");
        }
        if (h == null || c == null || h.rank() != 2 || h.dim(1) != hiddenSize || h.dim(0) != x.dim(0)
                || !h.shape().equals(c.shape())) {
            throw new IllegalArgumentException(describe() + ": states h " + (h == null ? "null" : h.shape()) + " and c "
                    + (c == null ? "null" : c.shape()) + " must be [" + x.dim(0) + ", " + hiddenSize + "]");
        }
        Tensor inputGates = F.linear(x, param("weight_ih"), param("bias_ih"));
        Tensor hiddenGates = F.linear(h, param("weight_hh"), param("bias_hh"));
        Tensor gates = inputGates.add(hiddenGates);
        releaseConsumed(inputGates, gates);
        releaseConsumed(hiddenGates, gates);
        F.LstmState next = F.lstmCell(gates, c);
        releaseConsumed(gates, next.h());
        return next;
    }

    /** PyTorch's {@code extra_repr}: the input and hidden sizes, {@code 3, 4}. */
    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize;
    }
}
