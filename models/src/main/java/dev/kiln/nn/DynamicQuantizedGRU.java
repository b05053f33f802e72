package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * A {@link GRU} for int8 inference, PyTorch's {@code torch.nn.quantized.dynamic.GRU}: W_ih and W_hh of every layer
 * and direction in int8 with one scale per row, the products {@code x W_ih^T + b_ih} (all steps at once) and
 * {@code h W_hh^T + b_hh} (per step) taken in integers from inputs quantised on the fly, the gates and the state
 * update in F32 (see {@link DynamicQuantizedRecurrent}). The GRU's forward passes, with the same shapes: input
 * [T, B, inputSize] (or [B, T, inputSize] with batchFirst), lengths or a {@link PackedSequence}, initial h
 * [L * D, B, H]; output [T, B, D * H] with h_n. Made by {@link #from(GRU)} or
 * {@link Quantization#quantizeDynamic(Module)}; inference only.
 */
public final class DynamicQuantizedGRU extends DynamicQuantizedRecurrent {

    private DynamicQuantizedGRU(GRU source) {
        super("DynamicQuantizedGRU", source);
    }

    /**
     * {@code gru}'s weights quantised and its biases copied, in its training mode; {@code gru} is left as it is.
     *
     * @throws IllegalArgumentException naming the layer when its parameters are not F32 or are computed (weight
     *     norm, spectral norm, a parametrization)
     */
    public static DynamicQuantizedGRU from(GRU gru) {
        checkQuantisable("DynamicQuantizedGRU", gru);
        return new DynamicQuantizedGRU(gru);
    }

    @Override
    RecurrentState step(Tensor inputGates, Tensor h, Tensor c, DynamicQuantizedLinear hh) {
        return RecurrentState.of(F.gruCell(inputGates, hh.forward(h), h));
    }
}
