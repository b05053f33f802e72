package dev.kiln.engine;

/**
 * 2-D transposed convolution ({@link F#convTranspose2d}) through the convolution's own backend operations, which
 * compute it on every backend: its forward pass is the convolution's input gradient, its input gradient the
 * convolution, its weight gradient the convolution's filter gradient with input and output gradient exchanged. An
 * output padding at or above the stride (below the dilation) goes through {@link OutputPaddingBeyondStride}.
 */
final class TransposedConvolution {
    private TransposedConvolution() {
    }

    /** See {@link F#convTranspose2d(Tensor, Tensor, Tensor, int[], int[], int[], int[])}. */
    static Tensor apply(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                        int[] dilation) {
        String op = "convTranspose2d";
        Checks.compatible(op, input, weight);
        Checks.floating(op, input);
        Conv2dGeometry.transposedOutput(op, input.shape(), weight.shape(), stride, padding, outputPadding, dilation);
        int[] s = Conv2dGeometry.pair(op, "stride", stride, 1);
        int[] extra = Conv2dGeometry.pair(op, "output padding", outputPadding, 0);
        if (OutputPaddingBeyondStride.applies(extra, s)) {
            checkBias(op, input, weight, bias, weight.dim(1));
            return OutputPaddingBeyondStride.apply(input, bias, s, Conv2dGeometry.pair(op, "padding", padding, 0), extra,
                    (p, e) -> apply(input, weight, null, s, p, e, dilation));
        }
        Conv2dGeometry g = Conv2dGeometry.transposed(op, input.shape(), weight.shape(), stride, padding, outputPadding,
                dilation);
        int channels = g.inChannels();
        checkBias(op, input, weight, bias, channels);
        Backend backend = input.backend();
        Precision precision = Autocast.forOperand(input);
        Tensor out = input.emptyLike(g.inputShape(), input.dtype());
        if (precision == Precision.FP32) {
            backend.conv2dBackwardData(input, weight, g, out);
        } else {
            AutocastKernels.conv2dBackward(backend, precision, null, input, weight, g, out, null, null);
        }
        if (bias != null) {
            try (Tensor perChannel = bias.view(0, Shape.of(channels, 1, 1))) {
                backend.binary(BinaryOp.ADD, out, perChannel, out);
            }
        }
        out.record(op, new Tensor[] {input, weight, bias}, Node.differentiable(gradOut -> new Tensor[] {
                input.requiresGrad() ? inputGradient(gradOut, weight, g, precision) : null,
                weight.requiresGrad() ? weightGradient(input, gradOut, weight, g, precision) : null,
                bias != null && bias.requiresGrad() ? biasGradient(gradOut, precision) : null}));
        return out;
    }

    /** Refuses a bias other than null or [channels] on the input's backend, of its dtype. */
    private static void checkBias(String op, Tensor input, Tensor weight, Tensor bias, int channels) {
        if (bias != null) {
            Checks.compatible(op, input, bias);
            if (bias.rank() != 1 || bias.dim(0) != channels) {
                throw new IllegalArgumentException(op + ": bias " + bias.shape() + " and weight " + weight.shape()
                        + ": the bias must be [" + channels + "]");
            }
        }
    }

    /**
     * The input gradient of a transposed convolution: the convolution of gradOut by its weight (recorded in a backward
     * pass that records its graph, as are the other two gradients).
     */
    static Tensor inputGradient(Tensor gradOut, Tensor weight, Conv2dGeometry g, Precision precision) {
        if (Node.createsGraph()) {
            return ConvolutionFamily.conv(gradOut, weight, new GroupedConv2dGeometry(g, 1), precision);
        }
        Tensor gradInput = gradOut.emptyLike(g.outputShape(), gradOut.dtype());
        AutocastKernels.conv2dForward(gradOut.backend(), precision, gradOut, weight, null, g, gradInput);
        return gradInput;
    }

    /**
     * The weight gradient of a transposed convolution: the convolution's filter gradient with gradOut as the
     * convolution's input and the transposed convolution's input as its output gradient.
     */
    static Tensor weightGradient(Tensor input, Tensor gradOut, Tensor weight, Conv2dGeometry g,
                                 Precision precision) {
        if (Node.createsGraph()) {
            return ConvolutionFamily.filter(gradOut, input, new GroupedConv2dGeometry(g, 1), precision);
        }
        Tensor gradWeight = gradOut.emptyLike(g.weightShape(), weight.dtype());
        if (precision == Precision.FP32) {
            gradOut.backend().conv2dBackwardFilter(gradOut, input, g, gradWeight, null);
        } else {
            AutocastKernels.conv2dBackward(gradOut.backend(), precision, gradOut, input, null, g, null, gradWeight,
                    null);
        }
        return gradWeight;
    }

    /**
     * The bias gradient of a transposed convolution: gradOut summed over all but its channels, rounded to
     * bfloat16 or half first under {@link Precision#BF16} or {@link Precision#F16}, as
     * {@link Backend#conv2dBackwardBf16} sums a convolution's.
     */
    static Tensor biasGradient(Tensor gradOut, Precision precision) {
        if (Node.createsGraph()) {
            return ConvolutionFamily.channelSums(gradOut);
        }
        if (precision == Precision.FP32) {
            return channelSums(gradOut);
        }
        try (Tensor rounded = AutocastKernels.rounded(gradOut, precision)) {
            return channelSums(rounded);
        }
    }

    /** Sums of x [batch, channels, height, width] over everything but its channels: [channels]. */
    private static Tensor channelSums(Tensor x) {
        Backend backend = x.backend();
        Tensor sums = x.emptyLike(Shape.of(x.dim(1)), x.dtype());
        try (Tensor planes = x.view(0, Shape.of(x.dim(0), x.dim(1), x.dim(2) * x.dim(3)));
             Tensor perImage = x.emptyLike(Shape.of(x.dim(0), x.dim(1)), x.dtype())) {
            backend.reduce(ReduceOp.SUM, planes, 2, perImage);
            backend.reduce(ReduceOp.SUM, perImage, 0, sums);
        }
        return sums;
    }
}
