package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * An {@link RNNCell} for int8 inference, PyTorch's {@code torch.nn.quantized.dynamic.RNNCell}:
 * {@code h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)} with both products in int8 (see {@link DynamicQuantizedCell})
 * and act, tanh or ReLU as the cell's, in F32. x [batch, inputSize], h [batch, H] to h' [batch, H] (batched only).
 * Made by {@link #from(RNNCell)} or {@link Quantization#quantizeDynamic(Module)}; inference only.
 */
public final class DynamicQuantizedRNNCell extends DynamicQuantizedCell implements TwoInputForward {
    private final boolean relu;

    private DynamicQuantizedRNNCell(RNNCell source) {
        super("DynamicQuantizedRNNCell", source);
        this.relu = source.nonlinearity().equals("relu");
    }

    /**
     * {@code cell}'s weights quantised and its biases copied, in its training mode; {@code cell} is left as it is.
     *
     * @throws IllegalArgumentException naming the cell when its parameters are not F32 or are computed
     */
    public static DynamicQuantizedRNNCell from(RNNCell cell) {
        return new DynamicQuantizedRNNCell(cell);
    }

    /** "tanh" or "relu". */
    public String nonlinearity() {
        return relu ? "relu" : "tanh";
    }

    /** h' [batch, H] after one step from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x.fullLike(0, Shape.of(x.rank() == 2 ? x.dim(0) : 1, hiddenSize())));
    }

    /**
     * h' [batch, H] after reading x [batch, inputSize] from h [batch, H].
     *
     * @throws IllegalArgumentException naming the cell and the expected and actual shapes
     * @throws IllegalStateException when gradients are on and x or h needs one
     */
    @Override
    public Tensor forward(Tensor x, Tensor h) {
        check(x, "h", h);
        Tensor sum = inputGates(x).add(hiddenGates(h));
        return relu ? sum.relu() : sum.tanh();
    }

    @Override
    String extraDescription() {
        return relu ? ", nonlinearity=relu" : "";
    }
}
