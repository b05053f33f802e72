package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where {@link StaticQuantization} finds a layer to quantise: its parent and name, the ReLU it fuses (the next module
 * of its {@link Sequential} but Identities, or none) and the site whose output grid its input lies on (none: it observes its own
 * input). {@link #find} walks a model the same way for {@code prepare} and for {@code convert}.
 */
final class QuantisedSite {
    static final String OUTPUT_OBSERVER = "activation_post_process";
    static final String INPUT_OBSERVER = "input_activation_post_process";

    private final Module parent;
    private final String name;
    private final String path;
    private final Module layer;
    private final String reluName;
    private final QuantisedSite source;

    private QuantisedSite(Module parent, String name, String path, Module layer, String reluName,
                          QuantisedSite source) {
        this.parent = parent;
        this.name = name;
        this.path = path;
        this.layer = layer;
        this.reluName = reluName;
        this.source = source;
    }

    /** The plain Conv2d and Linear classes, not subclasses, which may compute otherwise. */
    static boolean quantisable(Module m) {
        return m.getClass() == Conv2d.class || m.getClass() == Linear.class;
    }

    /** Modules that map grid values to grid values of the same grid (in eval mode), as PyTorch's quantized ones. */
    private static boolean keepsGrid(Module m) {
        Class<?> c = m.getClass();
        return c == MaxPool2d.class || c == Flatten.class || c == ReLU.class || c == Dropout.class
                || c == Identity.class;
    }

    /** The layers to quantise in {@code root}, in the order they run within each Sequential. */
    static List<QuantisedSite> find(Module root) {
        List<QuantisedSite> sites = new ArrayList<>();
        walk(root, "", null, sites);
        return sites;
    }

    /** Adds m's sites; returns the site whose grid m's output lies on, or null. */
    private static QuantisedSite walk(Module m, String path, QuantisedSite current, List<QuantisedSite> sites) {
        if (m.getClass() != Sequential.class) {
            for (Map.Entry<String, Module> child : m.namedChildren().entrySet()) {
                String p = join(path, child.getKey());
                if (quantisable(child.getValue())) {
                    sites.add(new QuantisedSite(m, child.getKey(), p, child.getValue(), null, null));
                } else {
                    walk(child.getValue(), p, null, sites);
                }
            }
            return null;
        }
        Sequential seq = (Sequential) m;
        for (int i = 0; i < seq.size(); i++) {
            Module child = seq.get(i);
            String p = join(path, Integer.toString(i));
            if (quantisable(child)) {
                int next = i + 1;
                while (next < seq.size() && seq.get(next).getClass() == Identity.class) {
                    next++; // a batch norm folded into the convolution (ConvBatchNormFolding)
                }
                boolean fuses = next < seq.size() && seq.get(next).getClass() == ReLU.class;
                current = new QuantisedSite(seq, Integer.toString(i), p, child,
                        fuses ? Integer.toString(next) : null, current);
                sites.add(current);
                i = fuses ? next : i;
            } else if (!keepsGrid(child)) {
                current = walk(child, p, current, sites);
            }
        }
        return current;
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** The layer's module path in its model. */
    String path() {
        return path;
    }

    Module layer() {
        return layer;
    }

    /** Whether the ReLU after it fuses into it. */
    boolean fusesRelu() {
        return reluName != null;
    }

    /** The site whose output grid its input lies on, or null when it observes its own input. */
    QuantisedSite source() {
        return source;
    }

    /**
     * Refuses a layer without an int8 kernel.
     *
     * @throws IllegalArgumentException naming the path: a grouped convolution, a padding mode other than zeros, a
     *     computed weight or bias, or a weight that is not F32
     */
    void checkQuantisable() {
        String where = "StaticQuantization: '" + path + "' (" + layer + ") cannot be quantised: ";
        if (layer instanceof Conv2d conv && (conv.groups() != 1 || conv.paddingMode() != PaddingMode.ZEROS)) {
            throw new IllegalArgumentException(where + "only convolutions without groups and with zero padding have"
                    + " an int8 kernel");
        }
        if (layer.computedParameter("weight") != null || layer.computedParameter("bias") != null) {
            throw new IllegalArgumentException(where + "its weight or bias is computed (weight norm, spectral norm or"
                    + " a parametrization); remove that first");
        }
        DType dtype = layer.getParameter("weight").dtype();
        if (dtype != DType.F32) {
            throw new IllegalArgumentException(where + "its weight is " + dtype + "; quantise an F32 model");
        }
    }

    /** Registers the observers and the hooks that feed them, as PyTorch's prepare does. */
    void attachObservers() {
        MinMaxObserver output = layer.registerModule(OUTPUT_OBSERVER, new MinMaxObserver());
        Module observed = reluName == null ? layer : parent.module(reluName);
        observed.registerForwardHook((m, in, y) -> {
            output.forward(y);
            return null;
        });
        if (source == null) {
            MinMaxObserver input = layer.registerModule(INPUT_OBSERVER, new MinMaxObserver());
            layer.registerForwardPreHook((m, x) -> {
                input.forward(x);
                return null;
            });
        }
    }

    /**
     * The int8 layer its observers describe.
     *
     * @throws IllegalStateException naming the path when an observer is missing or saw nothing
     */
    Module quantised() {
        checkQuantisable();
        Uint8Grid out = grid(OUTPUT_OBSERVER);
        Uint8Grid in = source == null ? grid(INPUT_OBSERVER) : source.grid(OUTPUT_OBSERVER);
        if (layer instanceof Conv2d conv) {
            return QuantizedConv2d.from(path, conv, in, out, reluName != null);
        }
        return QuantizedLinear.from(path, (Linear) layer, in, out, reluName != null);
    }

    /** Puts {@code quantised} in the layer's place and an Identity in its ReLU's; returns the layer's tensors. */
    List<Tensor> replaceWith(Module quantised) {
        parent.replaceModule(name, quantised);
        if (reluName != null) {
            parent.replaceModule(reluName, new Identity());
        }
        List<Tensor> replaced = new ArrayList<>(layer.parameters());
        replaced.addAll(layer.namedBuffers().values());
        return replaced;
    }

    private Uint8Grid grid(String observerName) {
        Module observer = layer.namedChildren().get(observerName);
        if (!(observer instanceof MinMaxObserver minMax)) {
            throw new IllegalStateException("StaticQuantization.convert: '" + path + "' (" + layer + ") has no "
                    + observerName + ": pass the model StaticQuantization.prepare returned");
        }
        if (!minMax.hasObserved()) {
            throw new IllegalStateException("StaticQuantization.convert: the observer " + observerName + " of '"
                    + path + "' (" + layer + ") has seen nothing; run calibration batches through the prepared"
                    + " model before converting it");
        }
        try {
            return minMax.calculateQParams();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("StaticQuantization.convert: the observer " + observerName + " of '" + path
                    + "' (" + layer + "): " + e.getMessage(), e);
        }
    }
}
