package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Post-training dynamic quantisation, PyTorch's {@code torch.quantization.quantize_dynamic(model, {nn.Linear:
 * per_channel_dynamic_qconfig, nn.LSTM: ..., nn.GRU: ..., nn.LSTMCell: ..., nn.GRUCell: ..., nn.RNNCell: ...},
 * dtype=torch.qint8)} (PyTorch's default set of layers, each with {@code per_channel_dynamic_qconfig}): every
 * {@link Linear}, {@link LSTM}, {@link GRU}, {@link LSTMCell}, {@link GRUCell} and {@link RNNCell} of a model becomes
 * its {@link DynamicQuantizedLinear}, {@link DynamicQuantizedLSTM}, {@link DynamicQuantizedGRU},
 * {@link DynamicQuantizedLSTMCell}, {@link DynamicQuantizedGRUCell} or {@link DynamicQuantizedRNNCell}, whose weight
 * matrices are int8 with one scale per output row and whose inputs are quantised to uint8 at each call. For CPU
 * inference: the int8 layers have no backward pass.
 */
public final class Quantization {
    private Quantization() {
    }

    /**
     * A deep copy of {@code model} ({@link Module#copy()}, as PyTorch's {@code inplace=False}) with every plain
     * {@link Linear} (the class itself, not subclasses such as {@link LazyLinear} that compute otherwise), {@link LSTM},
     * {@link GRU}, {@link LSTMCell}, {@link GRUCell} and {@link RNNCell}, at every depth, replaced by its quantised
     * layer ({@link DynamicQuantizedLinear} and its siblings); {@code model} itself when it is one of those becomes its
     * quantised layer directly. The other modules ({@link RNN} among them, which PyTorch leaves in F32 too) keep their
     * parameters, buffers and state-dict names; a quantised layer's state dict holds its biases alone. {@code model}
     * is left as it is.
     *
     * @throws IllegalArgumentException as {@link DynamicQuantizedLinear#from(Linear)} and its siblings for a layer it
     *     cannot quantise
     * @throws IllegalStateException where {@code model} cannot be copied (it holds a quantised layer already)
     */
    public static Module quantizeDynamic(Module model) {
        if (quantisable(model)) {
            return quantised(model);
        }
        Module copy = model.copy();
        Map<Module, Module> done = new IdentityHashMap<>();
        try {
            quantiseInside(copy, done);
        } catch (RuntimeException | Error e) {
            // The copy is the caller's nowhere: its tensors, the layers quantised so far and those they replaced go.
            copy.close();
            done.forEach((m, replacement) -> {
                if (replacement != m) {
                    m.close();
                }
            });
            throw e;
        }
        // The replaced layers' F32 tensors are the copy's own; those another module shares (tied weights) stay.
        Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(copy.parameters());
        kept.addAll(copy.namedBuffers().values());
        done.forEach((m, replacement) -> {
            if (replacement != m) {
                m.parameters().stream().filter(t -> !kept.contains(t)).forEach(Tensor::close);
            }
        });
        return copy;
    }

    /**
     * Replaces {@code parent}'s quantisable children by their quantised layers and recurses into the rest,
     * recording in {@code done} each module seen and what replaced it: a layer registered twice is quantised once and
     * shared as the original was.
     */
    private static void quantiseInside(Module parent, Map<Module, Module> done) {
        for (Map.Entry<String, Module> child : new ArrayList<>(parent.namedChildren().entrySet())) {
            Module m = child.getValue();
            if (quantisable(m)) {
                Module quantised = done.get(m);
                if (quantised == null) {
                    quantised = quantised(m);
                    done.put(m, quantised);
                }
                parent.replaceModule(child.getKey(), quantised);
            } else if (done.put(m, m) == null) {
                quantiseInside(m, done);
            }
        }
    }

    /** The classes themselves, not subclasses, which may compute otherwise. */
    private static boolean quantisable(Module m) {
        Class<?> c = m.getClass();
        return c == Linear.class || c == LSTM.class || c == GRU.class || c == LSTMCell.class || c == GRUCell.class
                || c == RNNCell.class;
    }

    private static Module quantised(Module m) {
        if (m instanceof LSTM lstm) {
            return DynamicQuantizedLSTM.from(lstm);
        } else if (m instanceof GRU gru) {
            return DynamicQuantizedGRU.from(gru);
        } else if (m instanceof LSTMCell cell) {
            return DynamicQuantizedLSTMCell.from(cell);
        } else if (m instanceof GRUCell cell) {
            return DynamicQuantizedGRUCell.from(cell);
        } else if (m instanceof RNNCell cell) {
            return DynamicQuantizedRNNCell.from(cell);
        }
        return DynamicQuantizedLinear.from((Linear) m);
    }
}
