package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * One step of an Elman RNN, PyTorch's {@code torch.nn.RNNCell}:
 * {@code h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)} with act tanh (default) or ReLU, for a step's input x
 * [batch, inputSize] and state h [batch, H], giving h' [batch, H]; unbatched, x [inputSize] and h [H] give [H].
 * Parameters {@code weight_ih} [H, inputSize], {@code weight_hh} [H, H], {@code bias_ih} and {@code bias_hh} [H]
 * (none with {@code bias = false}), drawn uniformly from +-1/sqrt(H) as in PyTorch.
 */
public class RNNCell extends Module implements TwoInputForward {
    private final int inputSize;
    private final int hiddenSize;
    private final boolean relu;

    /** A tanh cell with biases. */
    public RNNCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, "tanh");
    }

    /**
     * @param nonlinearity "tanh" or "relu", PyTorch's {@code nonlinearity}
     * @throws IllegalArgumentException when a size is not positive or the nonlinearity is neither
     */
    public RNNCell(int inputSize, int hiddenSize, boolean bias, String nonlinearity) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException("RNNCell: sizes must be positive, got input " + inputSize + ", hidden " + hiddenSize);
        }
        relu = switch (nonlinearity) {
            case "tanh" -> false;
            case "relu" -> true;
            default -> throw new IllegalArgumentException("RNNCell: nonlinearity must be \"tanh\" or \"relu\", got \""
                    + nonlinearity + "\"");
        };
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        registerParameter("weight_ih", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, hiddenSize, inputSize)));
        registerParameter("weight_hh", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, hiddenSize, hiddenSize)));
        if (bias) {
            registerParameter("bias_ih", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, hiddenSize)));
            registerParameter("bias_hh", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, hiddenSize)));
        }
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** "tanh" or "relu". */
    public String nonlinearity() {
        return relu ? "relu" : "tanh";
    }

    /** h' [batch, H] (or [H]) after one step from a zero state, made in x's dtype and on its backend. */
    @Override
    public Tensor forward(Tensor x) {
        Shape state = x.rank() == 1 ? Shape.of(hiddenSize) : Shape.of(x.rank() == 2 ? x.dim(0) : 1, hiddenSize);
        Tensor zeros = x.fullLike(0, state);
        Tensor next = forward(x, zeros);
        releaseConsumed(zeros, next);
        return next;
    }

    /**
     * h' after reading x [batch, inputSize] from h [batch, H], or unbatched x [inputSize] from h [H].
     *
     * @throws IllegalArgumentException naming the cell and the expected and actual shapes
     */
    @Override
    public Tensor forward(Tensor x, Tensor h) {
        boolean unbatched = x.rank() == 1;
        if (!(unbatched || x.rank() == 2) || x.dim(-1) != inputSize) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inputSize + "] or ["
                    + inputSize + "]");
        }
        Shape state = unbatched ? Shape.of(hiddenSize) : Shape.of(x.dim(0), hiddenSize);
        if (h == null || !h.shape().equals(state)) {
            throw new IllegalArgumentException(describe() + ": state h " + (h == null ? "null" : h.shape()) + " must be "
                    + state + " for input " + x.shape());
        }
        Tensor input = unbatched ? x.unsqueeze(0) : x;
        Tensor pre = F.linear(input, param("weight_ih"), param("bias_ih"));
        releaseConsumed(input, pre, x);
        Tensor previous = unbatched ? h.unsqueeze(0) : h;
        Tensor hidden = F.linear(previous, param("weight_hh"), param("bias_hh"));
        releaseConsumed(previous, hidden, h);
        Tensor sum = consume(pre, t -> t.add(hidden));
        releaseConsumed(hidden, sum);
        Tensor next = consume(sum, t -> relu ? t.relu() : t.tanh());
        return unbatched ? consume(next, t -> t.squeeze(0)) : next;
    }

    /** PyTorch's {@code extra_repr}: {@code 3, 4}, then {@code bias=False} and {@code nonlinearity=relu} where set. */
    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (namedParameters().containsKey("bias_ih") ? "" : ", bias=False")
                + (relu ? ", nonlinearity=relu" : "");
    }
}
