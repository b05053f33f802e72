package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * An {@link LSTM} for int8 inference, PyTorch's {@code torch.nn.quantized.dynamic.LSTM}: W_ih and W_hh of every
 * layer and direction in int8 with one scale per row, the products {@code x W_ih^T + b_ih} (all steps at once) and
 * {@code h W_hh^T + b_hh} (per step) taken in integers from inputs quantised on the fly, the gates and the cell update
 * in F32 (see {@link DynamicQuantizedRecurrent}). The LSTM's forward passes, with the same shapes: input
 * [T, B, inputSize] (or [B, T, inputSize] with batchFirst), lengths or a {@link PackedSequence}, initial h and c
 * [L * D, B, H]; output [T, B, D * H] with h_n and c_n. Made by {@link #from(LSTM)} or
 * {@link Quantization#quantizeDynamic(Module)}; inference only.
 */
public final class DynamicQuantizedLSTM extends DynamicQuantizedRecurrent {

    private DynamicQuantizedLSTM(LSTM source) {
        super("DynamicQuantizedLSTM", source);
    }

    /**
     * {@code lstm}'s weights quantised and its biases copied, in its training mode; {@code lstm} is left as it is.
     *
     * @throws IllegalArgumentException naming the layer when its parameters are not F32 or are computed (weight
     *     norm, spectral norm, a parametrization)
     */
    public static DynamicQuantizedLSTM from(LSTM lstm) {
        checkQuantisable("DynamicQuantizedLSTM", lstm);
        return new DynamicQuantizedLSTM(lstm);
    }

    @Override
    RecurrentState step(Tensor inputGates, Tensor h, Tensor c, DynamicQuantizedLinear hh) {
        F.LstmState next = F.lstmCell(inputGates.add(hh.forward(h)), c);
        return new RecurrentState(next.h(), next.c());
    }
}
