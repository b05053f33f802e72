package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * What {@link DynamicQuantizedLSTMCell}, {@link DynamicQuantizedGRUCell} and {@link DynamicQuantizedRNNCell} share,
 * after PyTorch's {@code torch.nn.quantized.dynamic.RNNCellBase}: a trained cell's W_ih and W_hh quantised once to
 * int8 with one scale per row ({@link DynamicQuantizedLinear} layers {@code ih} and {@code hh}, as
 * {@code per_channel_dynamic_qconfig}), so that each step takes {@code x W_ih^T + b_ih} and {@code h W_hh^T + b_hh} in
 * integers from x and h quantised over their own ranges, and the gates in F32.
 *
 * <p>Inference only, as {@link DynamicQuantizedLinear}: no parameters, no backward pass (an input or state that needs a
 * gradient is refused; run it under {@link Autograd#noGrad()}), and no {@link #copy()}. Its state dict holds the
 * biases alone, {@code ih.bias} and {@code hh.bias}.
 */
public abstract class DynamicQuantizedCell extends Module {
    private final String kind;
    private final int inputSize;
    private final int hiddenSize;

    DynamicQuantizedCell(String kind, Module source) {
        for (String name : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
            if (source.computedParameter(name) != null) {
                throw new IllegalArgumentException(kind + ".from(" + source.describe() + "): parameter '" + name
                        + "' is computed"
                        + " (weight norm, spectral norm or a parametrization); remove that first");
            }
        }
        Tensor weightIh = source.param("weight_ih");
        if (weightIh.dtype() != DType.F32) {
            throw new IllegalArgumentException(kind + ".from(" + source.describe() + "): the parameters are "
                    + weightIh.dtype()
                    + ", expected F32; convert the cell with to(DType.F32) first");
        }
        this.kind = kind;
        this.inputSize = weightIh.dim(1);
        this.hiddenSize = source.param("weight_hh").dim(1);
        registerModule("ih", DynamicQuantizedLinear.of(weightIh, source.param("bias_ih")));
        registerModule("hh", DynamicQuantizedLinear.of(source.param("weight_hh"), source.param("bias_hh")));
        train(source.isTraining());
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** {@code x W_ih^T + b_ih} [batch, gates * H] in int8, x quantised over its range. */
    Tensor inputGates(Tensor x) {
        return ((DynamicQuantizedLinear) module("ih")).forward(x);
    }

    /** {@code h W_hh^T + b_hh} [batch, gates * H] in int8, h quantised over its range. */
    Tensor hiddenGates(Tensor h) {
        return ((DynamicQuantizedLinear) module("hh")).forward(h);
    }

    /**
     * Refuses x not [batch, inputSize] or a state not [batch, H], naming the cell and both shapes, and tensors that need
     * a gradient while gradients are on.
     */
    void check(Tensor x, String stateName, Tensor state) {
        if (x.rank() != 2 || x.dim(1) != inputSize) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inputSize + "]");
        }
        if (state == null || state.rank() != 2 || state.dim(1) != hiddenSize || state.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException(describe() + ": state " + stateName + " " + (state == null ? "null" : state.shape())
                    + " must be [" + x.dim(0) + ", " + hiddenSize + "]");
        }
        if (Autograd.isEnabled() && (x.requiresGrad() || state.requiresGrad())) {
            throw new IllegalStateException(describe() + ": int8 cells have no backward pass (as PyTorch's quantized ones),"
                    + " but the " + (x.requiresGrad() ? "input" : "state " + stateName) + " requires a gradient; run"
                    + " inference under Autograd.noGrad()");
        }
    }

    /** PyTorch's name of the quantized cell, e.g. {@code DynamicQuantizedLSTMCell}. */
    @Override
    protected String typeName() {
        return kind;
    }

    /** PyTorch's {@code extra_repr}: the input and hidden sizes, {@code 3, 4}, then the subclass's options. */
    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + extraDescription();
    }

    /** Subclass options for {@link #extraRepr()}, each starting with ", ". */
    String extraDescription() {
        return "";
    }

    /**
     * PyTorch's repr, its settings alone ({@code DynamicQuantizedLSTMCell(3, 4)}): the int8 products it holds as
     * sub-modules are PyTorch's packed weights, which its repr leaves out.
     */
    @Override
    public String toString() {
        return typeName() + "(" + extraRepr() + ")";
    }
}
