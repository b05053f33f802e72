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
 * of its {@link Sequential} but Identities, or the one a {@link BasicBlock} applies after bn1), for static
 * quantisation the max pooling a convolution fuses (the next module after it and its ReLU but Identities, a ResNet's
 * stem) and the global average pooling and Flatten a Linear fuses (the modules before it but Identities, a ResNet's
 * head), and the site whose output grid its input lies on (none: it observes its own input). For static quantisation a residual
 * {@link BasicBlock} whose batch norms are folded is a site too, after the sites of its convolutions: its output
 * (after the addition and ReLU) gets its own grid, as torchvision's {@code QuantizableBasicBlock}'s
 * {@code add_relu}, which the next layers read. For quantisation-aware training a BasicBlock whose batch norms fold in
 * training ({@link #qatBlock}) is one site as a whole. {@link #find} and {@link #findStatic} walk a model the same way
 * for {@code prepare} and for {@code convert}.
 */
final class QuantisedSite {
    static final String OUTPUT_OBSERVER = "activation_post_process";
    static final String INPUT_OBSERVER = "input_activation_post_process";

    private final Module parent;
    private final String name;
    private final String path;
    private final Module layer;
    private final String reluName;
    private final boolean relu;
    private final QuantisedSite source;
    /** The name of the max pooling a convolution fuses in parent, or of the global average pooling a Linear does. */
    private final String poolName;
    /** The name of the Flatten a Linear fuses with its global average pooling, or null. */
    private final String flattenName;
    /** Whether an average pooling lies between its source and it (a QAT block's), so its input is off that grid. */
    private final boolean pooledInput;
    /**
     * For a layer without source, the name in parent of the first of the grid-keeping modules and average poolings
     * right before it, whose input its input observer or fake quantisation sees (PyTorch's QuantStub before them), or
     * null.
     */
    private final String stubName;

    private QuantisedSite(Module parent, String name, String path, Module layer, String reluName, boolean relu,
                          QuantisedSite source) {
        this(parent, name, path, layer, reluName, relu, source, null);
    }

    private QuantisedSite(Module parent, String name, String path, Module layer, String reluName, boolean relu,
                          QuantisedSite source, String poolName) {
        this(parent, name, path, layer, reluName, relu, source, poolName, null, false, null);
    }

    private QuantisedSite(Module parent, String name, String path, Module layer, String reluName, boolean relu,
                          QuantisedSite source, String poolName, String flattenName, boolean pooledInput,
                          String stubName) {
        this.parent = parent;
        this.name = name;
        this.path = path;
        this.layer = layer;
        this.reluName = reluName;
        this.relu = relu;
        this.source = source;
        this.poolName = poolName;
        this.flattenName = flattenName;
        this.pooledInput = pooledInput;
        this.stubName = stubName;
    }

    /** The plain Conv2d and Linear classes, not subclasses, which may compute otherwise. */
    static boolean quantisable(Module m) {
        return m.getClass() == Conv2d.class || m.getClass() == Linear.class;
    }

    /** Modules that map grid values to grid values of the same grid (in eval mode), as PyTorch's quantized ones. */
    static boolean keepsGrid(Module m) {
        Class<?> c = m.getClass();
        return c == MaxPool2d.class || c == Flatten.class || c == ReLU.class || c == Dropout.class
                || c == Identity.class;
    }

    /**
     * Adaptive, global and windowed average pooling (a ResNet's head), whose quantized forms in PyTorch write onto
     * their input's grid, as they do in a converted model here ({@link StaticQuantization#poolOnGrids}); 1.13's
     * {@code prepare} and {@code prepare_qat} observe none of them.
     */
    static boolean averagesOnGrid(Module m) {
        return m.getClass() == GlobalAvgPool2d.class || m.getClass() == AdaptiveAvgPool2d.class
                || m.getClass() == AvgPool2d.class;
    }

    /** Average pooling to 1 x 1: GlobalAvgPool2d, or AdaptiveAvgPool2d(1). */
    private static boolean globalAverage(Module m) {
        return m.getClass() == GlobalAvgPool2d.class
                || m.getClass() == AdaptiveAvgPool2d.class && ((AdaptiveAvgPool2d) m).global();
    }

    /**
     * The layers to quantise in {@code root}, in the order they run, as quantisation-aware training takes them: each
     * {@link BasicBlock} whose norms fold ({@link #qatBlock}) one site as a whole, its convolutions none of their own;
     * the children of a {@link ChildrenInSequence} module in order, as a Sequential's, so that a layer reads the grid
     * of the one before it across them (a zoo ResNet's stages, as PyTorch's prepared QuantizableResNet).
     */
    static List<QuantisedSite> find(Module root) {
        List<QuantisedSite> sites = new ArrayList<>();
        new Walk(false, sites).walk(null, null, root, "", null);
        return sites;
    }

    /**
     * The layers and residual blocks to quantise in {@code root} for static quantisation: as {@link #find}, but each
     * folded {@link BasicBlock} after its convolutions.
     */
    static List<QuantisedSite> findStatic(Module root) {
        List<QuantisedSite> sites = new ArrayList<>();
        new Walk(true, sites).walk(null, null, root, "", null);
        return sites;
    }

    /** A BasicBlock whose batch norms are folded into its plain convolutions ({@link ConvBatchNormFolding}). */
    static boolean foldedBlock(Module m) {
        if (m.getClass() != BasicBlock.class) {
            return false;
        }
        Map<String, Module> children = m.namedChildren();
        Module downsample = children.get("downsample");
        return !children.containsKey("bn1") && !children.containsKey("bn2") && quantisable(children.get("conv1"))
                && quantisable(children.get("conv2")) && (downsample == null || downsample.getClass() == Sequential.class
                && ((Sequential) downsample).size() == 2 && quantisable(((Sequential) downsample).get(0))
                && ((Sequential) downsample).get(1).getClass() == Identity.class);
    }

    /**
     * A BasicBlock whose batch norms quantisation-aware training folds into its plain convolutions: bn1, bn2 and
     * the shortcut's norm BatchNorm2d of their convolutions' output channels (the shortcut's may already be taken out
     * of its slot, an Identity there).
     */
    static boolean qatBlock(Module m) {
        if (m.getClass() != BasicBlock.class) {
            return false;
        }
        Map<String, Module> children = m.namedChildren();
        Module downsample = children.get("downsample");
        return foldableNorm(children.get("conv1"), children.get("bn1"))
                && foldableNorm(children.get("conv2"), children.get("bn2"))
                && (downsample == null || downsample.getClass() == Sequential.class
                && ((Sequential) downsample).size() == 2 && quantisable(((Sequential) downsample).get(0))
                && (((Sequential) downsample).get(1).getClass() == Identity.class
                || foldableNorm(((Sequential) downsample).get(0), ((Sequential) downsample).get(1))));
    }

    /** Whether {@code conv} is a plain Conv2d and {@code norm} a BatchNorm2d of its output channels. */
    private static boolean foldableNorm(Module conv, Module norm) {
        return conv != null && conv.getClass() == Conv2d.class && norm != null
                && norm.getClass() == BatchNorm2d.class && ((Conv2d) conv).outChannels() == ((BatchNorm2d) norm)
                .channels();
    }

    /**
     * One walk over a model, static (with folded blocks) or for quantisation-aware training (with blocks whose norms
     * fold in training); both pass average pooling and walk ChildrenInSequence modules in order.
     */
    private record Walk(boolean statically, List<QuantisedSite> sites) {
        /** Adds the sites of m (child {@code name} of parent); returns the site whose grid m's output lies on, or null. */
        QuantisedSite walk(Module parent, String name, Module m, String path, QuantisedSite current) {
            if (statically && foldedBlock(m)) {
                return block(parent, name, m, path, current, false);
            }
            if (!statically && qatBlock(m)) {
                return wholeBlock(parent, name, m, path, current, false);
            }
            if (m.getClass() == Sequential.class || m instanceof ChildrenInSequence) {
                return inSequence(m, path, current);
            }
            for (Map.Entry<String, Module> child : m.namedChildren().entrySet()) {
                String p = join(path, child.getKey());
                if (quantisable(child.getValue())) {
                    sites.add(new QuantisedSite(m, child.getKey(), p, child.getValue(), null, false, null));
                } else {
                    walk(m, child.getKey(), child.getValue(), p, null);
                }
            }
            return null;
        }

        private QuantisedSite inSequence(Module m, String path, QuantisedSite current) {
            List<Map.Entry<String, Module>> children = new ArrayList<>(m.namedChildren().entrySet());
            boolean pooled = false; // whether an average pooling lies between current and the module at i
            int run = 0; // where the grid-keeping modules and average poolings before the module at i begin
            for (int i = 0; i < children.size(); i++) {
                Module child = children.get(i).getValue();
                String p = join(path, children.get(i).getKey());
                if (quantisable(child)) {
                    int next = i + 1;
                    while (next < children.size() && children.get(next).getValue().getClass() == Identity.class) {
                        next++; // a batch norm folded into the convolution (ConvBatchNormFolding)
                    }
                    boolean fuses = next < children.size() && children.get(next).getValue().getClass() == ReLU.class;
                    String pool = statically && child instanceof Conv2d ? pooling(children, fuses ? next : i) : null;
                    String[] head = statically && child instanceof Linear && pooled && current != null
                            ? head(children, i) : null;
                    String stub = current == null && run < i ? children.get(run).getKey() : null;
                    current = new QuantisedSite(m, children.get(i).getKey(), p, child,
                            fuses ? children.get(next).getKey() : null, fuses, current,
                            head != null ? head[0] : pool, head != null ? head[1] : null, false, stub);
                    sites.add(current);
                    i = fuses ? next : i;
                    pooled = false;
                    run = i + 1;
                } else if (statically && foldedBlock(child)) {
                    current = block(m, children.get(i).getKey(), child, p, current, pooled);
                    pooled = false;
                    run = i + 1;
                } else if (!statically && qatBlock(child)) {
                    current = wholeBlock(m, children.get(i).getKey(), child, p, current, pooled);
                    pooled = false;
                    run = i + 1;
                } else if (averagesOnGrid(child)) {
                    pooled = true;
                } else if (!keepsGrid(child)) {
                    current = walk(m, children.get(i).getKey(), child, p, current);
                    pooled = false;
                    run = i + 1;
                }
            }
            return current;
        }

        /**
         * The name of the max pooling that fuses into the convolution ending at {@code last} (the convolution or its
         * ReLU), the next child but Identities, or null. It stays a child of its own here, which keeps the grid.
         */
        private static String pooling(List<Map.Entry<String, Module>> children, int last) {
            int next = last + 1;
            while (next < children.size() && children.get(next).getValue().getClass() == Identity.class) {
                next++;
            }
            return next < children.size() && QuantizedConv2d.fusesWith(children.get(next).getValue())
                    ? children.get(next).getKey() : null;
        }

        /**
         * The names of the global average pooling and the Flatten (from axis 1) right before the Linear at
         * {@code linear} but Identities, which fuse into it (a ResNet's head: the pooling runs on its input's grid,
         * in the Linear's call), or null where other modules lie between them.
         */
        private static String[] head(List<Map.Entry<String, Module>> children, int linear) {
            int flatten = before(children, linear);
            if (flatten < 0 || children.get(flatten).getValue().getClass() != Flatten.class
                    || ((Flatten) children.get(flatten).getValue()).startAxis() != 1
                    || ((Flatten) children.get(flatten).getValue()).endAxis() != -1) {
                return null;
            }
            int pool = before(children, flatten);
            if (pool < 0 || !globalAverage(children.get(pool).getValue())) {
                return null;
            }
            return new String[] {children.get(pool).getKey(), children.get(flatten).getKey()};
        }

        /** The index of the last child before {@code i} that is not an Identity, or -1. */
        private static int before(List<Map.Entry<String, Module>> children, int i) {
            int k = i - 1;
            while (k >= 0 && children.get(k).getValue().getClass() == Identity.class) {
                k--;
            }
            return k;
        }

        /**
         * conv1 (ReLU fused) and the shortcut's convolution read the block's input grid, conv2 conv1's; then the block
         * itself, whose output grid the next layers read. The block's own source is current when its input holds
         * current's grid values exactly, null when an identity shortcut must round it onto conv1's input grid (the
         * model's input, or a mean of {@code pooled} grid values).
         */
        private QuantisedSite block(Module parent, String name, Module block, String path, QuantisedSite current,
                                    boolean pooled) {
            Module conv1 = block.module("conv1");
            QuantisedSite first = new QuantisedSite(block, "conv1", join(path, "conv1"), conv1, null, true, current);
            sites.add(first);
            sites.add(new QuantisedSite(block, "conv2", join(path, "conv2"), block.module("conv2"), null, false,
                    first));
            Module downsample = block.module("downsample");
            if (downsample != null) {
                sites.add(new QuantisedSite(downsample, "0", join(path, "downsample.0"),
                        ((Sequential) downsample).get(0), null, false, current));
            }
            QuantisedSite whole = new QuantisedSite(parent, name, path, block, null, true, pooled ? null : current);
            sites.add(whole);
            return whole;
        }

        /**
         * For quantisation-aware training the block is one site, which becomes a {@link QatBasicBlock} as a whole; its
         * source is current also after an average pooling ({@code pooled}: its input a mean of current's grid values,
         * read as it is), as PyTorch's prepare_qat puts no fake quantisation on a pooling or a block's input.
         */
        private QuantisedSite wholeBlock(Module parent, String name, Module block, String path, QuantisedSite current,
                                         boolean pooled) {
            QuantisedSite whole = new QuantisedSite(parent, name, path, block, null, true, current, null, null,
                    pooled, null);
            sites.add(whole);
            return whole;
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /**
     * Whether grid-keeping modules and average poolings come right before this layer, which has no source: its input's
     * fake quantisation then runs before them ({@link #fakeQuantizeBefore}), as 1.13's {@code QuantStub}'s.
     */
    boolean stubbed() {
        return source == null && stubName != null;
    }

    /**
     * Registers the input fake quantisation on {@code qat}, the QAT form of this {@link #stubbed} layer (made with its
     * own {@code input_fake_quant} as input source, so that it does not fake-quantise its input itself), and applies it
     * to the input of the first module before the layer, a copy of its own, as 1.13's {@code prepare_qat}
     * fake-quantises the model input at the QuantStub: the layer trains on the poolings' F32 means of grid values.
     */
    void fakeQuantizeBefore(Module qat) {
        FakeQuantize input = qat.registerModule(QatLayer.INPUT_FAKE_QUANT, FakeQuantize.perTensorActivation());
        Module own = parent.module(stubName).copy();
        parent.replaceModule(stubName, own);
        own.registerForwardPreHook((m, x) -> input.forward(x));
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
        return relu;
    }

    /** Whether it is a residual block (its convolutions are sites of their own) rather than a layer. */
    private boolean block() {
        return layer.getClass() == BasicBlock.class;
    }

    /** The site whose output grid its input lies on, or null when it observes its own input. */
    QuantisedSite source() {
        return source;
    }

    /**
     * Whether an average pooling lies between {@link #source()} and this QAT block: its input is a mean of the
     * source's grid values, which its quantised form rounds onto that grid.
     */
    boolean inputPooled() {
        return pooledInput;
    }

    /**
     * Refuses a layer without an int8 kernel, or a QAT block with such a convolution.
     *
     * @throws IllegalArgumentException naming the path: a grouped convolution, a padding mode other than zeros, a
     *     computed weight or bias, or a weight that is not F32
     */
    void checkQuantisable() {
        if (!block()) {
            check(path, layer);
            return;
        }
        if (!qatBlock(layer)) {
            return; // a static block's convolutions are sites of their own, quantised before the block's site
        }
        check(join(path, "conv1"), layer.module("conv1"));
        check(join(path, "conv2"), layer.module("conv2"));
        Module downsample = layer.module("downsample");
        if (downsample != null) {
            check(join(path, "downsample.0"), ((Sequential) downsample).get(0));
        }
    }

    private static void check(String path, Module layer) {
        String where = "StaticQuantization: '" + path + "' (" + layer.describe() + ") cannot be quantised: ";
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

    /**
     * Registers the observers and the hooks that feed them, as PyTorch's prepare does. The output observer sees the
     * output after the fused ReLU: that of the ReLU module, or of the layer with the ReLU a block applies to it taken
     * here too; a block's, the block's output (after its addition and ReLU).
     */
    void attachObservers() {
        MinMaxObserver output = layer.registerModule(OUTPUT_OBSERVER, new MinMaxObserver());
        Module observed = reluName == null ? layer : parent.module(reluName);
        boolean reluHere = relu && reluName == null && !block();
        observed.registerForwardHook((m, in, y) -> {
            if (reluHere) {
                try (Tensor activated = y.relu()) {
                    output.forward(activated);
                }
            } else {
                output.forward(y);
            }
            return null;
        });
        if (source == null && !block()) {
            MinMaxObserver input = layer.registerModule(INPUT_OBSERVER, new MinMaxObserver());
            observedInput().registerForwardPreHook((m, x) -> {
                input.forward(x);
                return null;
            });
        }
    }

    /**
     * The module whose input the input observer sees: the layer, or the first of the grid-keeping modules and average
     * poolings right before it, as PyTorch's QuantStub sees the model input before they run on its grid. That one is
     * put in its place as a copy of its own (they hold no tensors), so that a module shared with other places feeds
     * the observer from this place alone.
     */
    private Module observedInput() {
        if (stubName == null) {
            return layer;
        }
        Module own = parent.module(stubName).copy();
        parent.replaceModule(stubName, own);
        return own;
    }

    /**
     * The int8 layer its observers describe.
     *
     * @throws IllegalStateException naming the path when an observer is missing or saw nothing
     */
    Module quantised() {
        checkQuantisable();
        Uint8Grid out = grid(OUTPUT_OBSERVER);
        if (block()) {
            return QuantizedBasicBlock.from(path, layer, out, source == null);
        }
        Uint8Grid in = inputGrid();
        if (layer instanceof Conv2d conv) {
            MaxPool2d pool = poolName == null ? null : (MaxPool2d) parent.module(poolName);
            return QuantizedConv2d.from(path, conv, in, out, relu, null, pool);
        }
        return QuantizedLinear.from(path, (Linear) layer, in, out, relu, null, flattenName != null);
    }

    /**
     * Refuses a site whose observers cannot give grids, before anything is converted.
     *
     * @throws IllegalStateException as {@link #quantised()}
     */
    void checkCalibrated() {
        grid(OUTPUT_OBSERVER);
        if (!block()) {
            inputGrid();
        }
    }

    private Uint8Grid inputGrid() {
        return source == null ? grid(INPUT_OBSERVER) : source.grid(OUTPUT_OBSERVER);
    }

    /**
     * Puts {@code quantised} in the site's place and an Identity in its ReLU module's, its pooling's and its
     * Flatten's; returns the layer's tensors (none for a block, whose convolutions the quantised block took over).
     */
    List<Tensor> replaceWith(Module quantised) {
        parent.replaceModule(name, quantised);
        if (block()) {
            return List.of();
        }
        if (reluName != null) {
            parent.replaceModule(reluName, new Identity());
        }
        if (poolName != null) {
            parent.replaceModule(poolName, new Identity());
        }
        if (flattenName != null) {
            parent.replaceModule(flattenName, new Identity());
        }
        List<Tensor> replaced = new ArrayList<>(layer.parameters());
        replaced.addAll(layer.namedBuffers().values());
        return replaced;
    }

    private Uint8Grid grid(String observerName) {
        Module observer = layer.namedChildren().get(observerName);
        if (!(observer instanceof MinMaxObserver minMax)) {
            throw new IllegalStateException("StaticQuantization.convert: '" + path + "' (" + layer.describe()
                    + ") has no " + observerName + ": pass the model StaticQuantization.prepare returned");
        }
        if (!minMax.hasObserved()) {
            throw new IllegalStateException("StaticQuantization.convert: the observer " + observerName + " of '"
                    + path + "' (" + layer.describe() + ") has seen nothing; run calibration batches through the"
                    + " prepared model before converting it");
        }
        try {
            return minMax.calculateQParams();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("StaticQuantization.convert: the observer " + observerName + " of '" + path
                    + "' (" + layer.describe() + "): " + e.getMessage(), e);
        }
    }
}
