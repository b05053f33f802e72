package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * A {@link GRUCell} for int8 inference, PyTorch's {@code torch.nn.quantized.dynamic.GRUCell}:
 * {@code x W_ih^T + b_ih} and {@code h W_hh^T + b_hh} in int8 (see {@link DynamicQuantizedCell}), then the fused
 * {@link F#gruCell} in F32. x [batch, inputSize], h [batch, H] to h' [batch, H]. Made by {@link #from(GRUCell)} or
 * {@link Quantization#quantizeDynamic(Module)}; inference only.
 */
public final class DynamicQuantizedGRUCell extends DynamicQuantizedCell implements TwoInputForward {

    private DynamicQuantizedGRUCell(GRUCell source) {
        super("DynamicQuantizedGRUCell", source);
    }

    /**
     * {@code cell}'s weights quantised and its biases copied, in its training mode; {@code cell} is left as it is.
     *
     * @throws IllegalArgumentException naming the cell when its parameters are not F32 or are computed
     */
    public static DynamicQuantizedGRUCell from(GRUCell cell) {
        return new DynamicQuantizedGRUCell(cell);
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
        return F.gruCell(inputGates(x), hiddenGates(h), h);
    }
}
