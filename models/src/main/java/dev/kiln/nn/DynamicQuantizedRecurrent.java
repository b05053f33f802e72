package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link DynamicQuantizedLSTM} and {@link DynamicQuantizedGRU} share, after PyTorch's
 * {@code torch.nn.quantized.dynamic.RNNBase}: a trained {@link Recurrent} layer's W_ih and W_hh of every layer and
 * direction quantised once to int8 with one scale per row ({@link DynamicQuantizedLinear}, as
 * {@code per_channel_dynamic_qconfig}), the same shapes, options, lengths, packed sequences and initial and final
 * states as the F32 layer ({@link Recurrent}). Each layer and direction projects the inputs of all steps in one int8
 * product, quantising them over their joint range; each step then takes {@code h W_hh^T + b_hh} in int8, quantising
 * the running sequences' h over its range, and updates the gates and states in F32, as PyTorch does.
 *
 * <p>Inference only, as {@link DynamicQuantizedLinear}: no parameters, no backward pass (an input or initial state
 * that needs a gradient is refused; run it under {@link Autograd#noGrad()}), and no {@link #copy()}. Its state dict
 * holds the biases alone, {@code ih_l0.bias}, {@code hh_l0.bias}, ... (its int8 layers {@code ih_l0},
 * {@code hh_l0}, {@code ih_l0_reverse}, ...); the packed weights live in the backend's memory until {@link #close()}.
 */
public abstract class DynamicQuantizedRecurrent extends Recurrent {

    DynamicQuantizedRecurrent(String kind, Recurrent source) {
        super(kind, source);
        for (int layer = 0; layer < layers(); layer++) {
            for (int d = 0; d < directions(); d++) {
                String suffix = suffix(layer, d);
                for (String matrix : new String[] {"ih", "hh"}) {
                    registerModule(matrix + suffix, DynamicQuantizedLinear.of(source.param("weight_" + matrix + suffix),
                            source.param("bias_" + matrix + suffix)));
                }
            }
        }
        train(source.isTraining());
    }

    /**
     * Refuses a layer whose parameters are not F32 or are computed (weight norm, spectral norm, a parametrization),
     * whose source would change without the packed copy.
     */
    static void checkQuantisable(String kind, Recurrent source) {
        for (int layer = 0; layer < source.layers(); layer++) {
            for (int d = 0; d < source.directions(); d++) {
                for (String name : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
                    if (source.computedParameter(name + suffix(layer, d)) != null) {
                        throw new IllegalArgumentException(kind + ".from(" + source.describe() + "): parameter '" + name
                                + suffix(layer, d) + "' is computed (weight norm, spectral norm or a parametrization);"
                                + " remove that first");
                    }
                }
            }
        }
        if (source.dtype() != DType.F32) {
            throw new IllegalArgumentException(kind + ".from(" + source.describe() + "): the parameters are "
                    + source.dtype()
                    + ", expected F32; convert the layer with to(DType.F32) first");
        }
    }

    /**
     * The quantised weight of a parameter by PyTorch's name, e.g. {@code weight_ih_l0} [gates * H, in] or
     * {@code weight_hh_l1_reverse} [gates * H, H]: int8 values and per-row scales, held until this layer closes.
     *
     * @throws IllegalArgumentException for a name the layer has not
     */
    public Int8LinearWeights packedWeight(String name) {
        Module m = name.startsWith("weight_") ? module(name.substring("weight_".length())) : null;
        if (m == null) {
            throw new IllegalArgumentException(describe() + ": no weight '" + name + "'; it has weight_ih_lK and weight_hh_lK"
                    + " for layers K in [0, " + layers() + ")" + (directions() == 2 ? ", and the same with _reverse" : ""));
        }
        return ((DynamicQuantizedLinear) m).packedWeight();
    }

    @Override
    DType dtype() {
        return DType.F32;
    }

    @Override
    final F.SequenceOutput direction(Tensor input, int steps, int batch, Tensor h0, Tensor c0, String suffix,
                                     int[] lengths, boolean reverse) {
        refuseGradients(input, h0, c0);
        DynamicQuantizedLinear hh = (DynamicQuantizedLinear) module("hh" + suffix);
        Shape state = Shape.of(batch, hiddenSize());
        Tensor[] outputs = new Tensor[steps];
        // What the steps make along the way goes with their scopes; the outputs and final states are kept.
        try (Scope sequence = Scope.open()) {
            Tensor gates = ((DynamicQuantizedLinear) module("ih" + suffix)).forward(realSteps(input, batch, lengths))
                    .reshape(steps, batch, -1);
            Tensor h = h0 == null ? gates.fullLike(0, state) : h0;
            Tensor c = !hasCellState() ? null : c0 == null ? gates.fullLike(0, state) : c0;
            for (int k = 0; k < steps; k++) {
                int t = reverse ? steps - 1 - k : k;
                int running = running(lengths, t, batch);
                try (Scope step = Scope.open()) {
                    if (running == 0) {
                        outputs[t] = step.keep(gates.fullLike(0, state));
                        continue;
                    }
                    RecurrentState next = stepRunning(gates.narrow(0, t, 1).reshape(batch, -1), h, c, hh, running);
                    h = step.keep(next.h());
                    c = next.c() == null ? null : step.keep(next.c());
                    outputs[t] = running == batch ? h : step.keep(padRows(h, running));
                }
            }
            Tensor output = sequence.keep(Tensor.stack(Arrays.asList(outputs), 0));
            return new F.SequenceOutput(output, sequence.keep(h), c == null ? null : sequence.keep(c));
        }
    }

    /**
     * One step of the {@code running} sequences (the first rows: the batch is sorted longest first) from h and c
     * [batch, H]; the rest keep their states (finished, or in the reverse direction not yet started).
     */
    private RecurrentState stepRunning(Tensor inputGates, Tensor h, Tensor c, DynamicQuantizedLinear hh, int running) {
        int batch = h.dim(0);
        if (running == batch) {
            return step(inputGates, h, c, hh);
        }
        RecurrentState next = step(inputGates.narrow(0, 0, running), h.narrow(0, 0, running),
                c == null ? null : c.narrow(0, 0, running), hh);
        Tensor newH = Tensor.cat(List.of(next.h(), h.narrow(0, running, batch - running)), 0);
        Tensor newC = c == null ? null : Tensor.cat(List.of(next.c(), c.narrow(0, running, batch - running)), 0);
        return new RecurrentState(newH, newC);
    }

    /**
     * {@code input} [steps * batch, in] (time-major rows) with the rows of padded steps zeroed, so that padding does
     * not widen the range the input is quantised over: PyTorch quantises a packed sequence's data alone, and every
     * range includes 0.
     */
    private static Tensor realSteps(Tensor input, int batch, int[] lengths) {
        if (lengths == null) {
            return input;
        }
        float[] padded = new float[input.dim(0)];
        for (int row = 0; row < padded.length; row++) {
            padded[row] = row / batch < lengths[row % batch] ? 0 : 1;
        }
        // A fill rather than a product: padding may hold anything, NaN and infinities too.
        return input.maskedFill(Tensor.fromArray(padded, padded.length, 1), 0);
    }

    /** The first {@code running} rows of h [batch, H] with zeros below: a step's output. */
    private static Tensor padRows(Tensor h, int running) {
        Tensor zeros = h.fullLike(0, Shape.of(h.dim(0) - running, h.dim(1)));
        return Tensor.cat(List.of(h.narrow(0, 0, running), zeros), 0);
    }

    /** How many sequences (a prefix of the sorted batch) have step t. */
    private static int running(int[] lengths, int t, int batch) {
        if (lengths == null) {
            return batch;
        }
        int n = 0;
        while (n < batch && lengths[n] > t) {
            n++;
        }
        return n;
    }

    /**
     * One step of the cell for the sequences that have it: {@code inputGates} [n, gates * H] (the int8 input
     * projection with b_ih), h and c [n, H] (c null without a cell state); {@code hh} gives {@code h W_hh^T + b_hh}.
     * Returns h' and c'.
     */
    abstract RecurrentState step(Tensor inputGates, Tensor h, Tensor c, DynamicQuantizedLinear hh);

    private void refuseGradients(Tensor input, Tensor h0, Tensor c0) {
        if (!Autograd.isEnabled()) {
            return;
        }
        String needs = input.requiresGrad() ? "input" : h0 != null && h0.requiresGrad() ? "initial h"
                : c0 != null && c0.requiresGrad() ? "initial c" : null;
        if (needs != null) {
            throw new IllegalStateException(describe() + ": int8 recurrent layers have no backward pass (as PyTorch's"
                    + " quantized ones), but the " + needs + " requires a gradient; run inference under"
                    + " Autograd.noGrad()");
        }
    }

    /**
     * PyTorch's repr, its settings alone ({@code DynamicQuantizedLSTM(3, 4)}): the int8 products it holds as
     * sub-modules are PyTorch's packed weights, which its repr leaves out.
     */
    @Override
    public String toString() {
        return typeName() + "(" + extraRepr() + ")";
    }
}
