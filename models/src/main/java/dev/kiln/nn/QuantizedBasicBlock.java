package dev.kiln.nn;

import dev.kiln.engine.FakeQuantization;
import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.RequantizedAdd;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.List;
import java.util.Map;

/**
 * A {@link BasicBlock} after post-training static quantisation, as torchvision's {@code QuantizableBasicBlock} after
 * PyTorch's {@code convert}: {@code conv1} a {@link QuantizedConv2d} with bn1 folded and the ReLU fused
 * ({@code ConvReLU2d}), {@code conv2} one with bn2 folded, {@code downsample.0} (when the block has a shortcut
 * convolution) one with {@code downsample.1} folded, and the residual sum requantised with its ReLU onto the block's
 * own grid, as {@code FloatFunctional.add_relu}'s {@code torch.ops.quantized.add_relu}. Input [batch, in, height,
 * width] (F32; conv1 and the shortcut read it on {@link #inputGrid()}, an identity shortcut rounding it onto that
 * grid, as PyTorch's quint8 input is, where it may lie off it), output [batch, out, height / stride, width / stride] (F32 values on
 * {@link #outputGrid()}). conv1 and conv2 run as one chain ({@link StaticInt8Conv#chain}), and a shortcut convolution
 * beside it on the same quantised input ({@link StaticInt8Conv#chainAndShortcut}), unless a hook or a summary must see
 * one of their calls. The sum is taken in F32 of the two inputs' grid values, as PyTorch dequantises both before
 * adding, and requantised with its ReLU in one pass ({@link RequantizedAdd}). Made by
 * {@link StaticQuantization#convert}; state-dict names are those of the fused block (biases only, as
 * {@link QuantizedLayer}). Inference only: a forward pass with gradients in training mode is refused.
 */
public final class QuantizedBasicBlock extends Module {
    private final String path;
    private final Uint8Grid outputGrid;
    private final boolean roundsInput;

    private QuantizedBasicBlock(String path, Module conv1, Module conv2, Module downsample, Uint8Grid outputGrid,
                                boolean roundsInput) {
        this.path = path;
        this.outputGrid = outputGrid;
        this.roundsInput = roundsInput;
        registerModule("conv1", conv1);
        registerModule("conv2", conv2);
        if (downsample != null) {
            registerModule("downsample", downsample);
        }
    }

    /**
     * The block at {@code path} around the quantised convolutions that have replaced {@code block}'s (and the
     * Sequential around its shortcut's), writing onto {@code outputGrid}; an identity shortcut rounds the input onto
     * the input grid where {@code roundsInput} (an input that may lie off it: the model's, or an average pooling's
     * mean), else takes it as it is. It takes block's training mode.
     */
    static QuantizedBasicBlock from(String path, Module block, Uint8Grid outputGrid, boolean roundsInput) {
        QuantizedBasicBlock q = new QuantizedBasicBlock(path, block.module("conv1"), block.module("conv2"),
                block.module("downsample"), outputGrid, roundsInput);
        q.train(block.isTraining());
        return q;
    }

    /** The grid conv1 and the shortcut read the input on. */
    public Uint8Grid inputGrid() {
        return conv1().inputGrid();
    }

    /** The grid of its output, that of {@code add_relu} ({@code scale} and {@code zero_point}). */
    public Uint8Grid outputGrid() {
        return outputGrid;
    }

    /**
     * Whether an identity shortcut rounds the input onto {@link #inputGrid()} (an input that may lie off it), or takes
     * it as it is (an input already on it); a block with a shortcut convolution reads its input on that grid either
     * way.
     */
    public boolean roundsInput() {
        return roundsInput;
    }

    private QuantizedConv2d conv1() {
        return (QuantizedConv2d) module("conv1");
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException naming the block's path in training mode with gradients on (it cannot be
     *     trained), or when x needs a gradient
     */
    @Override
    public Tensor forward(Tensor x) {
        StaticQuantization.refuseTraining(path, this);
        Module downsample = module("downsample");
        Tensor convolved;
        Tensor shortcut;
        if (downsample != null && chainable() && unobserved(downsample)) {
            QuantizedConv2d conv1 = conv1();
            List<Tensor> both = StaticQuantization.naming(path, this, () -> StaticInt8Conv.chainAndShortcut(x,
                    conv1.inputGrid(), List.of(conv1.chainLayer(), conv2().chainLayer()),
                    ((QuantizedConv2d) downsample.module("0")).chainLayer()));
            convolved = both.get(0);
            shortcut = both.get(1);
        } else {
            convolved = convolved(x);
            Uint8Grid in = inputGrid();
            shortcut = downsample != null ? downsample.call(x) : !roundsInput ? x
                    : FakeQuantization.perTensorAffine(x, in.scale(), in.zeroPoint(), 0, 255);
        }
        Tensor out = RequantizedAdd.forward(convolved, shortcut, outputGrid, true);
        releaseConsumed(convolved, out);
        releaseConsumed(shortcut, out, x);
        return out;
    }

    /**
     * The block on a quantised input, as PyTorch's {@code QuantizableBasicBlock} after {@code convert} on a quint8
     * tensor: {@code x} (QUINT8 per tensor on {@link #inputGrid()}, [batch, in, height, width]) to the quantised
     * output on {@link #outputGrid()}, the values {@link #forward(Tensor)} gives. Between two such calls no F32
     * tensor is handed over.
     *
     * @throws IllegalArgumentException for an input that is not QUINT8 per tensor or lies on another grid than the
     *     block's input grid (its convolutions and shortcut were fixed to that grid at convert), naming both
     */
    public QuantizedTensor forward(QuantizedTensor x) {
        Uint8Grid grid = StaticQuantization.gridOf(path, this, x);
        if (!grid.equals(inputGrid())) {
            throw new IllegalArgumentException("'" + path + "' " + describe() + ": the input is on " + grid
                    + " but the block reads " + inputGrid() + "; quantise it onto that grid");
        }
        try (Tensor values = x.dequantize(); Tensor y = forward(values)) {
            return Quantize.perTensor(y, outputGrid.scale(), outputGrid.zeroPoint(), QuantizedDType.QUINT8);
        }
    }

    /**
     * conv2 of conv1 of x: in one chain ({@link StaticInt8Conv#chain}: conv1's output stays uint8 on its grid, which
     * conv2 reads) unless a hook or a summary must see conv1's or conv2's call, or conv2 reads another grid than
     * conv1 writes, then by their calls.
     */
    private Tensor convolved(Tensor x) {
        QuantizedConv2d conv1 = conv1();
        QuantizedConv2d conv2 = conv2();
        if (!chainable()) {
            Tensor y = conv1.call(x);
            Tensor convolved = conv2.call(y);
            releaseConsumed(y, convolved);
            return convolved;
        }
        return StaticQuantization.naming(path, this, () -> StaticInt8Conv.chain(x, conv1.inputGrid(),
                List.of(conv1.chainLayer(), conv2.chainLayer())));
    }

    private QuantizedConv2d conv2() {
        return (QuantizedConv2d) module("conv2");
    }

    /** Whether conv1 and conv2 may run as one chain: no hook or summary sees either, conv2 reads conv1's grid. */
    private boolean chainable() {
        QuantizedConv2d conv1 = conv1();
        QuantizedConv2d conv2 = conv2();
        return !conv1.hasHooks() && !conv2.hasHooks() && !conv1.recordShapes && !conv2.recordShapes
                && conv2.inputGrid().equals(conv1.outputGrid());
    }

    /**
     * Whether the shortcut {@code downsample} (a Sequential of the quantised convolution and the Identity its folded
     * norm left) may run beside the chain: no hook or summary sees it or its convolution.
     */
    private static boolean unobserved(Module downsample) {
        if (!(downsample.module("0") instanceof QuantizedConv2d) || downsample.hasHooks() || downsample.recordShapes) {
            return false;
        }
        for (Map.Entry<String, Module> child : downsample.namedChildren().entrySet()) {
            Module m = child.getValue();
            if (m.hasHooks() || m.recordShapes || !child.getKey().equals("0") && m.getClass() != Identity.class) {
                return false;
            }
        }
        return true;
    }

    /** The output's grid, as PyTorch's quantized {@code add_relu} prints it: {@code scale=0.05, zero_point=0}. */
    @Override
    protected String extraRepr() {
        return "scale=" + PythonRepr.number(outputGrid.scale()) + ", zero_point=" + outputGrid.zeroPoint();
    }

    /** One line naming the block in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        QuantizedConv2d conv1 = conv1();
        int[] shape = conv1.packedWeight().shape().dims();
        return "QuantizedBasicBlock(" + shape[1] + " -> " + shape[0] + ", stride=" + conv1.stride()[0] + ", scale="
                + outputGrid.scale() + ", zero_point=" + outputGrid.zeroPoint() + ")";
    }
}
