package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Static int8 convolution for inference, PyTorch's {@code torch.ops.quantized.conv2d} (and {@code conv2d_relu}) after
 * post-training static quantisation: weights quantised once per output channel ({@link #pack}), the input quantised
 * onto a grid fixed at calibration, the products summed in integers and the result requantised onto the layer's own
 * output grid. Tensors stay F32 (Kiln has no uint8 dtype): input and output hold grid values. A linear layer is the
 * 1 x 1 case on [batch, in, 1, 1]. There is no backward pass, as PyTorch's quantized operators have none.
 */
public final class StaticInt8Conv {
    private StaticInt8Conv() {
    }

    /**
     * {@code weight} [out, in, kernelH, kernelW] (F32) quantised on its backend ({@link Backend#packStaticInt8Conv}):
     * {@code clamp(round(w * (1 / scale)), -128, 127)} with {@code scales} [out] (F32, positive). The caller closes
     * the result.
     *
     * @throws IllegalArgumentException naming the shapes or dtypes when weight is not F32 4-D or scales not F32 [out],
     *     or naming the channel of a scale that is not positive and finite
     */
    public static StaticInt8ConvWeights pack(Tensor weight, Tensor scales) {
        String op = "StaticInt8Conv.pack";
        Checks.open(op, weight, scales);
        if (weight.rank() != 4 || weight.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": weight must be F32 [out, in, kernelH, kernelW], got "
                    + weight.shape() + " " + weight.dtype());
        }
        Checks.compatible(op, weight, scales);
        if (scales.rank() != 1 || scales.dim(0) != weight.dim(0) || scales.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": scales must be F32 [" + weight.dim(0) + "], got "
                    + scales.shape() + " " + scales.dtype());
        }
        checkPositive(op, scales.toFloatArray());
        return weight.backend().packStaticInt8Conv(weight, scales);
    }

    /**
     * A scale of 0, below 0 or not finite quantises differently on each backend (and in PyTorch, which takes it):
     * refused, naming the channel.
     */
    private static void checkPositive(String op, float[] scales) {
        for (int c = 0; c < scales.length; c++) {
            if (!(scales[c] > 0) || !Float.isFinite(scales[c])) {
                throw new IllegalArgumentException(op + ": scales must be positive and finite, got " + scales[c]
                        + " for output channel " + c);
            }
        }
    }

    /**
     * The int8 convolution of {@code input} [batch, in, height, width] (F32), quantised onto {@code inputGrid}, with
     * the packed weights, plus {@code bias} [out] (F32, null for none), ReLU where {@code relu}, requantised onto
     * {@code outputGrid}: F32 [batch, out, outH, outW] of grid values ({@link Backend#staticInt8Conv2d}).
     * {@code stride}, {@code padding} and {@code dilation} each hold one value or two (height, width), as
     * {@link Conv2dGeometry#of}. Records no gradient.
     *
     * @throws IllegalArgumentException naming the shapes when they do not fit, or when the weights are closed or on
     *     another device
     * @throws IllegalStateException when gradients are enabled and input or bias needs one: run under
     *     {@link Autograd#noGrad()}
     */
    public static Tensor forward(Tensor input, StaticInt8ConvWeights weights, Tensor bias, int[] stride, int[] padding,
                                 int[] dilation, Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu) {
        String op = "StaticInt8Conv.forward";
        Checks.open(op, input);
        Conv2dGeometry g = checked(op, input, input.shape(), weights, bias, stride, padding, dilation);
        Tensor out = input.emptyLike(g.outputShape(), DType.F32);
        input.backend().staticInt8Conv2d(input, weights, bias, g, inputGrid, outputGrid, relu, out);
        return out;
    }

    /**
     * The geometry of {@code weights} on an input of {@code shape} (input's, or a chain's earlier layer's output),
     * refusing closed weights, weights on another device than input, a non-F32 input, a bias that is not F32 [out]
     * and an input or bias that needs a gradient.
     */
    private static Conv2dGeometry checked(String op, Tensor input, Shape shape, StaticInt8ConvWeights weights,
                                          Tensor bias, int[] stride, int[] padding, int[] dilation) {
        if (weights.isClosed()) {
            throw new IllegalArgumentException(op + ": the packed weights " + weights.shape() + " are closed");
        }
        if (input.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": input must be F32, got " + input.dtype());
        }
        if (!input.device().equals(weights.backend().device())) {
            throw new IllegalArgumentException(op + ": input is on " + input.device() + " but the weights were packed"
                    + " on " + weights.backend().device());
        }
        Conv2dGeometry g = Conv2dGeometry.of(op, shape, weights.shape(), stride, padding, dilation);
        if (bias != null) {
            Checks.compatible(op, input, bias);
            if (bias.rank() != 1 || bias.dim(0) != g.outChannels() || bias.dtype() != DType.F32) {
                throw new IllegalArgumentException(op + ": bias must be F32 [" + g.outChannels() + "], got "
                        + bias.shape() + " " + bias.dtype());
            }
        }
        if (Autograd.isEnabled() && (input.requiresGrad() || (bias != null && bias.requiresGrad()))) {
            throw new IllegalStateException(op + ": int8 convolutions have no backward pass (as PyTorch's quantized"
                    + " ones), but the " + (input.requiresGrad() ? "input" : "bias") + " requires a gradient; run"
                    + " inference under Autograd.noGrad()");
        }
        return g;
    }

    /**
     * Int8 convolutions in a chain, as consecutive {@link #forward} calls where each reads the previous one's output
     * on its output grid: {@code input} [batch, in, height, width] (F32) quantised onto {@code inputGrid}, then each
     * layer's convolution; F32 of the last layer's output grid values ({@link Backend#staticInt8Conv2dChain}). The
     * values are those of the separate calls; a backend with int8 kernels keeps the layers' outputs in uint8 between
     * them instead of converting them to F32 and back. Records no gradient.
     *
     * @throws IllegalArgumentException as {@link #forward} for each layer, naming its index, or for no layers
     * @throws IllegalStateException as {@link #forward}
     */
    public static Tensor chain(Tensor input, Uint8Grid inputGrid, List<Layer> layers) {
        List<StaticInt8ConvStage> stages = stages("StaticInt8Conv.chain", input, layers);
        Tensor out = input.emptyLike(stages.get(stages.size() - 1).geometry().outputShape(), DType.F32);
        input.backend().staticInt8Conv2dChain(input, inputGrid, stages, out);
        return out;
    }

    /**
     * {@link #chain} followed by max pooling (PyTorch's {@code MaxPool2d} without dilation, as
     * {@code quantized::max_pool2d} on the last layer's uint8 output): F32 [batch, out, pooledH, pooledW] of the last
     * layer's output grid values ({@link Backend#staticInt8Conv2dChainMaxPool}), the values of {@link #chain} then
     * {@code F.maxPool2d}; a backend with int8 kernels pools in uint8 before converting to F32. {@code kernel},
     * {@code stride} and {@code padding} each hold one value or two, as {@link Pool2dGeometry#of}. Records no
     * gradient.
     *
     * @throws IllegalArgumentException as {@link #chain}, or naming the shapes when the pooling does not fit the last
     *     layer's output
     * @throws IllegalStateException as {@link #forward}
     */
    public static Tensor chainMaxPool(Tensor input, Uint8Grid inputGrid, List<Layer> layers, int[] kernel,
                                      int[] stride, int[] padding, boolean ceilMode) {
        String op = "StaticInt8Conv.chainMaxPool";
        List<StaticInt8ConvStage> stages = stages(op, input, layers);
        Pool2dGeometry pool = Pool2dGeometry.of(op, stages.get(stages.size() - 1).geometry().outputShape(), kernel,
                stride, padding, ceilMode, true);
        Tensor out = input.emptyLike(pool.outputShape(), DType.F32);
        input.backend().staticInt8Conv2dChainMaxPool(input, inputGrid, stages, pool, out);
        return out;
    }

    /**
     * {@link #chain} of {@code layers} and {@link #forward} of the {@code shortcut} layer on the same input and grid
     * (a downsampling residual block's conv1 and conv2, and its shortcut convolution): F32 of the chain's last output
     * grid values, then of the shortcut's ({@link Backend#staticInt8Conv2dChainAndShortcut}), the values of the
     * separate calls; a backend with int8 kernels quantises the input once for both. Records no gradient.
     *
     * @throws IllegalArgumentException as {@link #chain}, or as {@link #forward} for the shortcut, naming it
     * @throws IllegalStateException as {@link #forward}
     */
    public static List<Tensor> chainAndShortcut(Tensor input, Uint8Grid inputGrid, List<Layer> layers,
                                                Layer shortcut) {
        String op = "StaticInt8Conv.chainAndShortcut";
        List<StaticInt8ConvStage> stages = stages(op, input, layers);
        StaticInt8ConvStage beside = stages(op + " shortcut", input, List.of(shortcut)).get(0);
        Tensor out = input.emptyLike(stages.get(stages.size() - 1).geometry().outputShape(), DType.F32);
        Tensor shortcutOut = input.emptyLike(beside.geometry().outputShape(), DType.F32);
        input.backend().staticInt8Conv2dChainAndShortcut(input, inputGrid, stages, beside, out, shortcutOut);
        return List.of(out, shortcutOut);
    }

    /**
     * Global average pooling onto the input's grid, then the int8 convolution {@code layer} (a quantised ResNet's
     * head: PyTorch's quantized {@code adaptive_avg_pool2d(x, 1)}, {@code flatten} and quantized {@code Linear}, the
     * linear layer as a 1 x 1 convolution): {@code input} [batch, channels, height, width] (F32 grid values of
     * {@code inputGrid}) pooled to [batch, channels, 1, 1] of q values {@code zeroPoint + round((sum(q) - n zeroPoint)
     * * (1 / n))} over the n = height x width values of each channel, the product in F32 and rounded half to even, as
     * PyTorch 1.13's kernel for channels-last tensors (those its quantized convolutions write) rounds; then
     * {@code layer} on them as {@link #forward}: F32 [batch, out, outH, outW] of its output grid values
     * ({@link Backend#staticInt8GlobalAvgPoolConv2d}). Records no gradient.
     *
     * @throws IllegalArgumentException naming the shapes when input is not 4-D or the layer does not fit the pooled
     *     [batch, channels, 1, 1], as {@link #forward} otherwise
     * @throws IllegalStateException as {@link #forward}
     */
    public static Tensor globalAvgPoolForward(Tensor input, Uint8Grid inputGrid, Layer layer) {
        String op = "StaticInt8Conv.globalAvgPoolForward";
        Checks.open(op, input);
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be [batch, channels, height, width], got "
                    + input.shape());
        }
        Shape pooled = Shape.of(input.dim(0), input.dim(1), 1, 1);
        Conv2dGeometry g = checked(op, input, pooled, layer.weights(), layer.bias(), layer.stride(), layer.padding(),
                layer.dilation());
        Tensor out = input.emptyLike(g.outputShape(), DType.F32);
        input.backend().staticInt8GlobalAvgPoolConv2d(input, inputGrid,
                new StaticInt8ConvStage(layer.weights(), layer.bias(), g, layer.outputGrid(), layer.relu()), out);
        return out;
    }

    /** The checked stages of {@code layers} on input, each reading the previous one's output. */
    private static List<StaticInt8ConvStage> stages(String op, Tensor input, List<Layer> layers) {
        Checks.open(op, input);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException(op + ": no layers");
        }
        List<StaticInt8ConvStage> stages = new ArrayList<>();
        Shape shape = input.shape();
        for (int k = 0; k < layers.size(); k++) {
            Layer l = layers.get(k);
            Conv2dGeometry g = checked(op + " layer " + k, input, shape, l.weights(), l.bias(), l.stride(),
                    l.padding(), l.dilation());
            stages.add(new StaticInt8ConvStage(l.weights(), l.bias(), g, l.outputGrid(), l.relu()));
            shape = g.outputShape();
        }
        return stages;
    }

    /**
     * One layer of {@link #chain}: {@link #forward}'s arguments but the input and its grid.
     *
     * @param weights the packed weights [out, in, kernelH, kernelW]
     * @param bias F32 [out], or null
     * @param stride one value or two (height, width)
     * @param padding one value or two
     * @param dilation one value or two
     * @param outputGrid the grid of its output, which the next layer reads
     * @param relu whether ReLU is fused
     */
    public record Layer(StaticInt8ConvWeights weights, Tensor bias, int[] stride, int[] padding, int[] dilation,
                        Uint8Grid outputGrid, boolean relu) {
    }

    /** {@link #forward} with one value for each of stride, padding and dilation on both axes. */
    public static Tensor forward(Tensor input, StaticInt8ConvWeights weights, Tensor bias, int stride, int padding,
                                 Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu) {
        return forward(input, weights, bias, new int[] {stride}, new int[] {padding}, new int[] {1}, inputGrid,
                outputGrid, relu);
    }
}
