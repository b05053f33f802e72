package dev.kiln.learning;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A multilayer perceptron whose layers the training methods of this package address one by one: input
 * [batch, ...] flattened to [batch, sizes[0]], ReLU after every hidden layer, logits [batch, sizes[last]].
 * Layers are registered as {@code layers.0}, {@code layers.1}, ...
 */
public class LayeredMlp extends Module {
    private final List<Linear> layers = new ArrayList<>();

    /**
     * @param sizes  widths from input to output, e.g. {784, 256, 256, 10}
     * @param layer  makes the layer from in to out features: {@code Linear::new} for backpropagation,
     *               {@code FeedbackAlignmentLinear::new} for feedback alignment
     */
    public LayeredMlp(int[] sizes, BiFunction<Integer, Integer, ? extends Linear> layer) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("LayeredMlp: needs at least an input and an output size, got "
                    + java.util.Arrays.toString(sizes));
        }
        for (int i = 0; i + 1 < sizes.length; i++) {
            layers.add(layer.apply(sizes[i], sizes[i + 1]));
        }
        registerModule("layers", new Sequential(layers));
    }

    /** Number of weighted layers (hidden layers + 1). */
    public int depth() {
        return layers.size();
    }

    public Linear layer(int i) {
        return layers.get(i);
    }

    /** x [batch, ...] flattened to [batch, in]. */
    public Tensor flattenInput(Tensor x) {
        return x.rank() == 2 ? x : x.flatten(1);
    }

    /** Logits [batch, classes], each layer by its own forward (and so its own backward rule). */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = flattenInput(x);
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).call(h);
            if (i + 1 < layers.size()) {
                h = h.relu();
            }
        }
        return h;
    }

    /**
     * Logits [batch, classes] through plain {@link F#linear} with the same weights, whatever the layer
     * class: the backpropagation reference against which other learning rules are measured.
     */
    public Tensor forwardBackprop(Tensor x) {
        Tensor h = flattenInput(x);
        for (int i = 0; i < layers.size(); i++) {
            h = F.linear(h, layers.get(i).weight(), layers.get(i).bias());
            if (i + 1 < layers.size()) {
                h = h.relu();
            }
        }
        return h;
    }
}
