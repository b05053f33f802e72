package dev.kiln.transfer;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.ParamGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Transfer learning on {@link Sequential} models: keep the first layers of a trained network, put a new head
 * on them, freeze what should not move, and give each layer its own learning rate (discriminative
 * fine-tuning, Howard and Ruder 2018).
 * <pre>{@code
 * Sequential model = Transfer.withNewHead(trainedLenet, 9, new Linear(500, 10)); // copied features, new head
 * Transfer.freezeAllButTop(model, 1);              // only the head trains
 * Optimizer opt = Optimizers.createForGroups("adam", Transfer.layerGroups(model, 1e-3, 0.5));
 * ...
 * Transfer.unfreezeTop(model, 2);                  // gradual unfreezing; the optimizer holds every layer already
 * }</pre>
 * Frozen parameters ({@link Module#freeze()}) get no gradient: autograd records no graph through a layer
 * whose inputs and parameters all need none, and optimizers skip them. A frozen batch norm keeps its running
 * statistics even in training mode (see {@link dev.kiln.nn.BatchNorm}).
 *
 * <p>"Layers" in freezing and learning-rate groups are the direct children of the Sequential that hold
 * parameters ({@link #weightedLayers}); activations and pooling have nothing to freeze or train.
 */
public final class Transfer {
    /** Whether a new model gets copies of the trained layers or the layers themselves. */
    public enum Weights {
        /** Copies ({@link Module#copy()}): training the new model leaves the trained one as it was. */
        COPY,
        /**
         * The same modules: both models see every update, and closing either one closes the shared tensors.
         */
        SHARE
    }

    private Transfer() {
    }

    /** The first {@code n} modules of {@code source}, copied; see {@link #firstLayers(Sequential, int, Weights)}. */
    public static Sequential firstLayers(Sequential source, int n) {
        return firstLayers(source, n, Weights.COPY);
    }

    /**
     * A new Sequential of the first {@code n} modules of {@code source} (named {@code 0 .. n-1}, as there), with
     * the same weights, buffers, training mode and frozen state. With {@link Weights#COPY} sharing between
     * those modules (a tensor used by two of them) is kept in the copy.
     *
     * @param n in [0, source.size()]
     */
    public static Sequential firstLayers(Sequential source, int n, Weights weights) {
        if (n < 0 || n > source.size()) {
            throw new IllegalArgumentException("Transfer.firstLayers: n must be in [0, " + source.size()
                    + "] (the source has " + source.size() + " modules), got " + n);
        }
        Sequential shared = new Sequential();
        for (int i = 0; i < n; i++) {
            shared.add(source.get(i));
        }
        return weights == Weights.SHARE ? shared : shared.copy();
    }

    /**
     * Copies of the first {@code n} modules of {@code source} followed by {@code head} (PyTorch users replace
     * {@code model.fc}); e.g. LeNet's first 9 modules end in 500 features, so {@code new Linear(500, 10)} gives
     * a 10-class classifier on them.
     */
    public static Sequential withNewHead(Sequential source, int n, Module head) {
        return firstLayers(source, n).add(head);
    }

    /** The direct children of {@code model} that hold parameters, bottom to top. */
    public static List<Module> weightedLayers(Sequential model) {
        List<Module> out = new ArrayList<>();
        for (int i = 0; i < model.size(); i++) {
            if (!model.get(i).namedParameters().isEmpty()) {
                out.add(model.get(i));
            }
        }
        return out;
    }

    /**
     * Freezes every weighted layer of {@code model} but the top {@code k}, which become trainable: 0 freezes
     * everything, {@code weightedLayers(model).size()} nothing.
     */
    public static void freezeAllButTop(Sequential model, int k) {
        List<Module> layers = weightedLayers(model);
        checkK("freezeAllButTop", layers, k);
        for (int i = 0; i < layers.size(); i++) {
            if (i < layers.size() - k) {
                layers.get(i).freeze();
            } else {
                layers.get(i).unfreeze();
            }
        }
    }

    /** Makes the top {@code k} weighted layers trainable (gradual unfreezing) and leaves the others as they are. */
    public static void unfreezeTop(Sequential model, int k) {
        List<Module> layers = weightedLayers(model);
        checkK("unfreezeTop", layers, k);
        for (Module m : layers.subList(layers.size() - k, layers.size())) {
            m.unfreeze();
        }
    }

    private static void checkK(String op, List<Module> layers, int k) {
        if (k < 0 || k > layers.size()) {
            throw new IllegalArgumentException("Transfer." + op + ": k must be in [0, " + layers.size()
                    + "] (the model has " + layers.size() + " layers with parameters), got " + k);
        }
    }

    /**
     * One parameter group per weighted layer, bottom to top, for discriminative fine-tuning: the top layer
     * learns at {@code topLr} and each layer below at {@code decay} times the rate of the layer above it
     * (ULMFiT uses {@code decay = 1 / 2.6}; 1 gives every layer the same rate). Frozen layers are included, so
     * that unfreezing them later trains them without a new optimizer; until then the optimizer skips them. A
     * tensor shared by two layers goes to the lower one's group only.
     *
     * @param decay in (0, 1]
     */
    public static List<ParamGroup> layerGroups(Sequential model, double topLr, double decay) {
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("Transfer.layerGroups: decay must be in (0, 1], got " + decay);
        }
        List<Module> layers = weightedLayers(model);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("Transfer.layerGroups: the model has no layer with parameters");
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<ParamGroup> groups = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            List<Tensor> params = new ArrayList<>();
            for (Tensor p : layers.get(i).parameters()) {
                if (seen.add(p)) {
                    params.add(p);
                }
            }
            if (!params.isEmpty()) {
                groups.add(new ParamGroup(params, topLr * Math.pow(decay, layers.size() - 1 - i)));
            }
        }
        return groups;
    }
}
