package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * An {@link LSTMCell} for int8 inference, PyTorch's {@code torch.nn.quantized.dynamic.LSTMCell}: the gates
 * {@code x W_ih^T + b_ih + h W_hh^T + b_hh} with both products in int8 (see {@link DynamicQuantizedCell}), then the
 * fused {@link F#lstmCell} in F32. x [batch, inputSize], h and c [batch, H]. Made by {@link #from(LSTMCell)} or
 * {@link Quantization#quantizeDynamic(Module)}; inference only.
 */
public final class DynamicQuantizedLSTMCell extends DynamicQuantizedCell {

    private DynamicQuantizedLSTMCell(LSTMCell source) {
        super("DynamicQuantizedLSTMCell", source);
    }

    /**
     * {@code cell}'s weights quantised and its biases copied, in its training mode; {@code cell} is left as it is.
     *
     * @throws IllegalArgumentException naming the cell when its parameters are not F32 or are computed
     */
    public static DynamicQuantizedLSTMCell from(LSTMCell cell) {
        return new DynamicQuantizedLSTMCell(cell);
    }

    /** h' [batch, H] after one step from zero states. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor zeros = x.fullLike(0, Shape.of(x.rank() == 2 ? x.dim(0) : 1, hiddenSize()));
        return forward(x, zeros, zeros).h();
    }

    /**
     * The states h', c' [batch, H] after reading x [batch, inputSize] from h, c [batch, H].
     *
     * @throws IllegalArgumentException naming the cell and the expected and actual shapes
     * @throws IllegalStateException when gradients are on and x, h or c needs one
     */
    public F.LstmState forward(Tensor x, Tensor h, Tensor c) {
        check(x, "h", h);
        check(x, "c", c);
        return F.lstmCell(inputGates(x).add(hiddenGates(h)), c);
    }
}
