package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Post-training static quantisation for CPU inference, PyTorch's eager-mode recipe {@code fuse_modules} (Conv2d or
 * Linear + ReLU), {@code prepare}, calibration, {@code convert}, with the qconfig
 * {@code QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8), weight=default_per_channel_weight_observer)}
 * and a {@code QuantStub}/{@code DeQuantStub} around the model:
 *
 * <pre>{@code
 * Module prepared = StaticQuantization.prepare(model);   // a copy, in eval mode, with observers
 * try (var g = Autograd.noGrad()) {
 *     for (Tensor x : calibrationBatches) prepared.forward(x);
 * }
 * Module quantised = StaticQuantization.convert(prepared); // Conv2d / Linear (+ ReLU) now int8
 * }</pre>
 *
 * <p>Every plain {@link Conv2d} and {@link Linear} (the classes themselves) becomes a {@link QuantizedConv2d} or
 * {@link QuantizedLinear}. Within a {@link Sequential}, a {@link BatchNorm2d} right after a Conv2d is folded into it
 * ({@link ConvBatchNormFolding}) and a {@link ReLU} right after the layer (or the folded pair) is fused into it; their
 * slots become {@link Identity}, as after {@code fuse_modules(model, [["0", "1", "2"]])}. A
 * {@link ConvBatchNormBlock} folds the pairs it names (its norms are removed), so a module that runs its children in
 * order ({@link ChildrenInSequence}: {@link dev.kiln.zoo.ResNet}) fuses its stem as torchvision's
 * {@code QuantizableResNet.fuse_model} does. A {@link MaxPool2d} (without dilation) right after a quantised Conv2d
 * (or its fused ReLU) is fused into it too, its slot an {@link Identity}: the output is pooled before it leaves uint8
 * (a ResNet's stem), the values of PyTorch's {@code quantized::max_pool2d}, which Kiln has no module for. Weights are
 * int8 per output channel, symmetric
 * ({@link PerChannelMinMaxObserver}); each layer's output is requantised onto the uint8 grid its
 * {@link MinMaxObserver} gave ({@code activation_post_process}). Tensors between layers stay F32 holding grid values
 * (the outputs PyTorch's {@code DeQuantStub} would give), so the model takes and returns F32 as before;
 * {@link #forward(Module, QuantizedTensor)} runs it on quantised tensors instead, as PyTorch's model without stubs.
 *
 * <p>A {@link BasicBlock} (the class itself) becomes a {@link QuantizedBasicBlock}, as torchvision's
 * {@code QuantizableBasicBlock}: bn1 folded into conv1 with the ReLU after it fused, bn2 into conv2, the shortcut's
 * norm into its convolution, and the block's output (after the addition and ReLU) observed on the block
 * ({@code activation_post_process}, PyTorch's {@code add_relu} observer), the sum requantised onto that grid.
 *
 * <p>A layer's input grid is the output grid of the quantised layer or block before it in the same Sequential (or
 * {@link ChildrenInSequence} module) when only {@link MaxPool2d}, {@link Flatten}, {@link ReLU}, {@link Dropout},
 * {@link Identity} or average pooling ({@link GlobalAvgPool2d}, {@link AdaptiveAvgPool2d}: a ResNet's head;
 * {@link AvgPool2d}) lie between them; a block's conv1 and shortcut read the grid of what is before the block so.
 * PyTorch's quantized max pooling, ReLU and flattening keep grid values exact; its quantized average poolings write
 * the mean rounded onto their input's grid. A global average pooling and a {@link Flatten} right before a Linear (a
 * ResNet's head, but Identities between them) fuse into its {@link QuantizedLinear}, which pools on the grid as
 * PyTorch's kernel for channels-last tensors rounds (their slots become Identities). Any other
 * {@link AdaptiveAvgPool2d}, {@link GlobalAvgPool2d} or {@link AvgPool2d} that reads a quantised layer's output pools
 * on that grid as PyTorch's kernels for channels-last tensors round ({@link GridAveragePooling}; padding counts as the
 * zero point), so a layer or block after it reads PyTorch's values; ONNX export requantises its output onto that
 * grid. Any other layer observes its input ({@code input_activation_post_process}): the first layer, as PyTorch's
 * {@code QuantStub} observes the model input, and one behind a module that changes values (a
 * batch norm not after a convolution, a {@link Residual} or a {@link BasicBlock} subclass, which stay F32 here).
 * Where grid-keeping modules and average poolings come right before such a layer in its Sequential, its observer sees
 * their input, as the {@code QuantStub} sees the raw input, and those poolings pool it on that grid as 1.13 pools the
 * stub's contiguous output ({@link GridAveragePooling#channelsLast}). PyTorch instead runs those
 * on quantized tensors, needing {@code FloatFunctional} or another {@code QuantStub} with its own observer, so there
 * its grids and roundings differ from Kiln's.
 */
public final class StaticQuantization {
    private StaticQuantization() {
    }

    /**
     * A deep copy of {@code model} ({@link Module#copy()}) in eval mode, each Conv2d + BatchNorm2d pair of a Sequential
     * or named by a {@link ConvBatchNormBlock} folded into one Conv2d, with observers attached by forward hooks: a
     * {@link MinMaxObserver} child {@code activation_post_process} on every layer it will quantise (fed the output
     * after a fused ReLU) and on every {@link BasicBlock} (fed its output), and one named
     * {@code input_activation_post_process} on each layer that observes its own input.
     * Run calibration batches through the copy's {@link Module#forward} (values as without observers); {@code model} is
     * left as it is. The hooks are not copied: copying the prepared model leaves a copy that observes nothing.
     *
     * @throws IllegalArgumentException naming the module path of a layer it cannot quantise (a grouped convolution,
     *     another padding mode, a computed weight), when {@code model} is itself a Conv2d, Linear or BasicBlock, or
     *     when it holds none
     */
    public static Module prepare(Module model) {
        if (QuantisedSite.quantisable(model) || model.getClass() == BasicBlock.class) {
            throw new IllegalArgumentException("StaticQuantization.prepare: the model is itself " + model.describe()
                    + "; wrap it in a Sequential so that its observers run");
        }
        List<QuantisedSite> sites = QuantisedSite.findStatic(model);
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("StaticQuantization.prepare: " + model.describe() + " holds no Conv2d,"
                    + " Linear or BasicBlock to quantise, so it would stay F32, where PyTorch's QuantStub quantises the"
                    + " input");
        }
        for (QuantisedSite site : sites) {
            site.checkQuantisable();
        }
        Module copy = model.copy();
        copy.eval();
        ConvBatchNormFolding.foldInside(copy);
        for (QuantisedSite site : QuantisedSite.findStatic(copy)) {
            site.attachObservers();
        }
        return copy;
    }

    /**
     * A copy of {@code prepared} with its observed layers quantised as the class comment says and its observers
     * gone; {@code prepared} is left as it is. The quantised model is for inference under
     * {@link Autograd#noGrad()}: its int8 layers have no parameters and no backward pass.
     *
     * @throws IllegalStateException naming the module path of a layer whose observer saw nothing (no calibration) or
     *     which was not prepared
     */
    public static Module convert(Module prepared) {
        Module copy = prepared.copy();
        List<QuantisedSite> sites = QuantisedSite.findStatic(copy);
        Set<Tensor> replacedTensors = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            sites.forEach(QuantisedSite::checkCalibrated);
            // In order, so that a block's convolutions are quantised before the block takes them.
            for (QuantisedSite site : sites) {
                replacedTensors.addAll(site.replaceWith(site.quantised()));
            }
        } catch (RuntimeException | Error e) {
            copy.close();
            replacedTensors.forEach(Tensor::close);
            throw e;
        }
        // The replaced layers' F32 tensors are the copy's own; those another module shares (tied weights) stay.
        Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(copy.parameters());
        kept.addAll(copy.namedBuffers().values());
        replacedTensors.stream().filter(t -> !kept.contains(t)).forEach(Tensor::close);
        poolOnGrids(copy, null);
        return copy;
    }

    /**
     * Sets each {@link AdaptiveAvgPool2d}, {@link GlobalAvgPool2d} and {@link AvgPool2d} of a converted model that
     * reads a quantised layer's or block's output (through modules that keep the grid, in a Sequential or
     * {@link ChildrenInSequence} module) to pool on that grid, as PyTorch's quantized pooling rounds; returns the grid
     * m's output lies on, or null. {@code grid}: the grid m's input lies on, or null. The poolings among the grid-keeping
     * modules right before a quantised layer that reads no other layer's grid pool the input on that layer's input
     * grid (which {@link QuantisedSite} observed or fake-quantised there), as 1.13's poolings run on the
     * {@code QuantStub}'s output. A pooling registered at several places gets a copy of its own at each place after
     * the first: one instance holds one grid, where PyTorch's quantized pooling reads each input's own qparams.
     */
    static Uint8Grid poolOnGrids(Module m, Uint8Grid grid) {
        return poolOnGrids(m, grid, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /** As above, {@code placed} holding the poolings already given the grid of a place. */
    private static Uint8Grid poolOnGrids(Module m, Uint8Grid grid, Set<Module> placed) {
        if (m instanceof QuantizedLayer layer) {
            return layer.outputGrid();
        }
        if (m instanceof QuantizedBasicBlock block) {
            return block.outputGrid();
        }
        if (m.getClass() != Sequential.class && !(m instanceof ChildrenInSequence)) {
            for (Module child : m.namedChildren().values()) {
                poolOnGrids(child, null, placed);
            }
            return null;
        }
        Uint8Grid current = grid;
        boolean stub = false; // whether current is the grid of a QuantStub's output, the input of the layer ahead
        List<Map.Entry<String, Module>> children = List.copyOf(m.namedChildren().entrySet());
        for (int i = 0; i < children.size(); i++) {
            Module child = children.get(i).getValue();
            if (QuantisedSite.averagesOnGrid(child)) {
                if (current == null) {
                    current = stubGrid(children, i);
                    stub = current != null;
                }
                if (!placed.add(child)) {
                    child = child.copy();
                    m.replaceModule(children.get(i).getKey(), child);
                    placed.add(child);
                }
                poolOnGrid(child, current, stub);
            } else if (!QuantisedSite.keepsGrid(child)) {
                current = poolOnGrids(child, current, placed);
                stub = false;
            }
        }
        return current;
    }

    /**
     * The input grid of the quantised layer after the grid-keeping modules and poolings from {@code from} on, which
     * observed the input of the first of them (the QuantStub's grid), or null where another module comes first.
     */
    private static Uint8Grid stubGrid(List<Map.Entry<String, Module>> children, int from) {
        for (int i = from; i < children.size(); i++) {
            Module child = children.get(i).getValue();
            if (!QuantisedSite.averagesOnGrid(child) && !QuantisedSite.keepsGrid(child)) {
                return child instanceof QuantizedLayer layer ? layer.inputGrid() : null;
            }
        }
        return null;
    }

    /**
     * Sets an average pooling of {@link #poolOnGrids} to pool on {@code grid} (null: the F32 mean), the QuantStub's
     * output where {@code stub}.
     */
    private static void poolOnGrid(Module pooling, Uint8Grid grid, boolean stub) {
        if (pooling instanceof AdaptiveAvgPool2d adaptive) {
            adaptive.poolOnGrid(grid, stub);
        } else if (pooling instanceof GlobalAvgPool2d global) {
            global.poolOnGrid(grid, stub);
        } else {
            ((AvgPool2d) pooling).poolOnGrid(grid, stub);
        }
    }

    /** Whether a pooling of {@link #poolOnGrids} pools the QuantStub's output. */
    private static boolean poolsStubOutput(Module pooling) {
        return pooling instanceof AdaptiveAvgPool2d adaptive ? adaptive.poolsStubOutput()
                : pooling instanceof GlobalAvgPool2d global ? global.poolsStubOutput()
                : ((AvgPool2d) pooling).poolsStubOutput();
    }

    /** {@code weight} [out, ...] packed with the scales of PyTorch's {@code default_per_channel_weight_observer}. */
    static StaticInt8ConvWeights packPerChannel(Tensor weight) {
        PerChannelMinMaxObserver observer = new PerChannelMinMaxObserver();
        try (Tensor w = weight.detach()) {
            observer.forward(w);
        }
        return pack(weight, observer.calculateScales());
    }

    /** {@code weight} [out, ...] packed with the given per-channel {@code scales} [out]. */
    static StaticInt8ConvWeights pack(Tensor weight, float[] scales) {
        try (Tensor host = Tensor.fromArray(scales, scales.length);
             Tensor onDevice = host.backend() == weight.backend() ? host.copy() : host.to(weight.backend())) {
            return StaticInt8Conv.pack(weight, onDevice);
        }
    }

    /** {@code op}'s result, a refusal of its arguments prefixed with the layer's path in its model. */
    static <T> T naming(String path, Module layer, Supplier<T> op) {
        try {
            return op.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + path + "' " + layer.describe() + ": " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("'" + path + "' " + layer.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a forward pass of {@code layer} in training mode with gradients on: int8 layers cannot be trained. */
    static void refuseTraining(String path, Module layer) {
        if (layer.isTraining() && Autograd.isEnabled()) {
            throw new IllegalStateException("'" + path + "' " + layer.describe() + " is an int8 inference layer without"
                    + " parameters or backward pass, so it cannot be trained; evaluate it in eval mode under"
                    + " Autograd.noGrad(), or train the F32 model and quantise it again");
        }
    }

    /** An int8 layer runs in F32 only: any other dtype is refused, naming the layer. */
    static void refuseConversion(String path, Module layer, DType dtype) {
        if (dtype != DType.F32) {
            throw new IllegalArgumentException("to(" + dtype + "): " + (path.isEmpty() ? "" : "'" + path + "' is ")
                    + layer.describe()
                    + ", an int8 layer that runs in F32 only; convert the F32 model before quantising it");
        }
    }

    /**
     * The grid of a quantised input {@code x} to {@code layer}: PyTorch's quantised layers read quint8 tensors with
     * one scale and zero point; any other is refused, naming the layer.
     */
    static Uint8Grid gridOf(String path, Module layer, QuantizedTensor x) {
        if (x.dtype() != QuantizedDType.QUINT8 || x.isPerChannel()) {
            throw new IllegalArgumentException("'" + path + "' " + layer.describe()
                    + ": a quantised input must be QUINT8 per"
                    + " tensor, got " + x.dtype() + (x.isPerChannel() ? " per channel" : " per tensor"));
        }
        return new Uint8Grid((float) x.qScale(), x.qZeroPoint());
    }

    /**
     * A converted model run on a quantised input to a quantised output, as PyTorch's converted model without
     * {@code QuantStub} and {@code DeQuantStub} ({@code x} QUINT8 per tensor, on the first layer's input grid for
     * the model's values): each {@link QuantizedLayer} and {@link QuantizedBasicBlock} takes and returns
     * {@link QuantizedTensor}s; {@link MaxPool2d}, {@link ReLU}, {@link Flatten}, {@link Identity} and {@link Dropout}
     * keep their input's grid (their values on it, exactly); average pooling keeps its input's grid too, to 1 x 1,
     * to other sizes or by an {@link AvgPool2d}'s windows, each window's integers summed exactly and rounded as PyTorch
     * 1.13's quantized {@code adaptive_avg_pool2d} and {@code avg_pool2d} on a channels-last tensor
     * ({@link GridAveragePooling}); a {@link Sequential} runs its
     * children so. The output holds the values {@code model.forward(x.dequantize())} gives, requantised. Hooks are
     * not run.
     *
     * @throws IllegalArgumentException naming the module path and type of any other module (one that stays F32
     *     after convert, where PyTorch would need a DeQuantStub), and as the layers' own calls
     */
    public static QuantizedTensor forward(Module model, QuantizedTensor x) {
        return forward("", model, x);
    }

    private static QuantizedTensor forward(String path, Module m, QuantizedTensor x) {
        if (m instanceof QuantizedLayer layer) {
            return layer.forward(x);
        }
        if (m instanceof QuantizedBasicBlock block) {
            return block.forward(x);
        }
        if (m.getClass() == Sequential.class) {
            QuantizedTensor q = x;
            for (Map.Entry<String, Module> child : m.namedChildren().entrySet()) {
                q = forward(path.isEmpty() ? child.getKey() : path + "." + child.getKey(), child.getValue(), q);
            }
            return q;
        }
        boolean average = m instanceof GlobalAvgPool2d || m instanceof AdaptiveAvgPool2d;
        boolean unbatched = m instanceof AdaptiveAvgPool2d && x.shape().rank() == 3;
        if (average && (x.shape().rank() == 4 || unbatched) && x.shape().dim(-2) * x.shape().dim(-1) > 0) {
            return meanOnGrid(path, m, x);
        }
        if (m.getClass() == AvgPool2d.class && (x.shape().rank() == 4 || x.shape().rank() == 3)) {
            return windowsOnGrid(path, (AvgPool2d) m, x);
        }
        if (m instanceof Identity || m instanceof Dropout || m instanceof MaxPool2d || m instanceof ReLU
                || m instanceof Flatten || m instanceof GlobalAvgPool2d || m instanceof AdaptiveAvgPool2d) {
            gridOf(path, m, x);
            try (Tensor values = x.dequantize(); Tensor y = m.forward(values)) {
                return onInputsQParams(y, x);
            }
        }
        throw new IllegalArgumentException("StaticQuantization.forward: '" + path + "' " + m.describe() + " ("
                + m.getClass().getSimpleName() + ") has no quantised form; run the model on F32 (as with PyTorch's"
                + " DeQuantStub before it)");
    }

    /**
     * x [batch, channels, height, width] pooled by {@code pool}'s windows on its own grid as PyTorch 1.13's quantized
     * {@code avg_pool2d} on a channels-last tensor ({@link GridAveragePooling}); x unbatched [channels, height, width]
     * as 1.13 pools that, with its kernel for contiguous tensors.
     *
     * @throws IllegalArgumentException naming the path where the input is smaller than the window
     */
    private static QuantizedTensor windowsOnGrid(String path, AvgPool2d pool, QuantizedTensor x) {
        Uint8Grid grid = gridOf(path, pool, x);
        int[] dims = x.shape().dims();
        int[] out = GridAveragePooling.outputShape(dims, pool);
        int height = dims[dims.length - 2];
        int width = dims[dims.length - 1];
        if (out[out.length - 2] < 1 || out[out.length - 1] < 1) {
            throw new IllegalArgumentException("StaticQuantization.forward: '" + path + "' " + pool + ": input "
                    + x.shape() + " is smaller than the window");
        }
        int planes = dims.length == 4 ? dims[0] * dims[1] : dims[0];
        int[] q = GridAveragePooling.pool(x.values(), planes, height, width, pool, grid.zeroPoint(),
                GridAveragePooling.channelsLast(dims, pool.poolsStubOutput()));
        return onGrid(q, out, grid, x);
    }

    /**
     * x [batch, channels, height, width] pooled on its own grid as PyTorch 1.13's quantized {@code adaptive_avg_pool2d}
     * on a channels-last tensor ({@link GridAveragePooling}): to 1 x 1 by a {@link GlobalAvgPool2d}, else to the
     * {@link AdaptiveAvgPool2d}'s output size; x unbatched [channels, height, width] (an AdaptiveAvgPool2d's) as 1.13
     * pools that, with its kernel for contiguous tensors.
     */
    private static QuantizedTensor meanOnGrid(String path, Module m, QuantizedTensor x) {
        Uint8Grid grid = gridOf(path, m, x);
        int[] dims = x.shape().dims();
        int outH = m instanceof AdaptiveAvgPool2d pool ? pool.outH() : 1;
        int outW = m instanceof AdaptiveAvgPool2d pool ? pool.outW() : 1;
        boolean batched = dims.length == 4;
        int planes = batched ? dims[0] * dims[1] : dims[0];
        int[] q = GridAveragePooling.pool(x.values(), planes, dims[dims.length - 2], dims[dims.length - 1], outH, outW,
                grid.zeroPoint(), GridAveragePooling.channelsLast(dims, poolsStubOutput(m)));
        int[] out = batched ? new int[] {dims[0], dims[1], outH, outW} : new int[] {dims[0], outH, outW};
        return onGrid(q, out, grid, x);
    }

    /** The integers {@code q} on {@code grid}, x's, as a QUINT8 tensor of {@code dims} with x's own qparams. */
    private static QuantizedTensor onGrid(int[] q, int[] dims, Uint8Grid grid, QuantizedTensor x) {
        float[] pooled = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            // Grid values, which quantising gives back exactly.
            pooled[i] = grid.dequantize(q[i]);
        }
        try (Tensor values = Tensor.fromArray(pooled, dims)) {
            return onInputsQParams(values, x);
        }
    }

    /**
     * {@code y}, values on {@code x}'s grid, quantised with {@code x}'s own scale and zero point, as PyTorch's modules
     * that keep a grid return them: the scale as given, not narrowed to the F32 one the values are computed with
     * (the same reciprocal, so the same integers).
     */
    private static QuantizedTensor onInputsQParams(Tensor y, QuantizedTensor x) {
        return Quantize.perTensor(y, x.qScale(), x.qZeroPoint(), QuantizedDType.QUINT8);
    }
}
