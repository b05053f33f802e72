package dev.kiln.engine;

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
        Conv2dGeometry g = Conv2dGeometry.of(op, input.shape(), weights.shape(), stride, padding, dilation);
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
        Tensor out = input.emptyLike(g.outputShape(), DType.F32);
        input.backend().staticInt8Conv2d(input, weights, bias, g, inputGrid, outputGrid, relu, out);
        return out;
    }

    /** {@link #forward} with one value for each of stride, padding and dilation on both axes. */
    public static Tensor forward(Tensor input, StaticInt8ConvWeights weights, Tensor bias, int stride, int padding,
                                 Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu) {
        return forward(input, weights, bias, new int[] {stride}, new int[] {padding}, new int[] {1}, inputGrid,
                outputGrid, relu);
    }
}
