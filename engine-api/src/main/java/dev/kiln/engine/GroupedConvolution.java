package dev.kiln.engine;

/**
 * Grouped 2-D convolution ({@link F#conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} with groups above 1)
 * through the backend's grouped operations ({@link Backend#groupedConv2dForward} and its two gradients). Under
 * {@link Precision#BF16} or {@link Precision#F16} their operands are rounded copies, as
 * {@link Backend#conv2dForwardBf16} and {@link Backend#conv2dBackwardBf16} round a plain convolution's: bfloat16
 * (or half) products summed in F32, the bias gradient the sums of the rounded output gradient.
 */
final class GroupedConvolution {
    private static final String OP = "conv2d";

    private GroupedConvolution() {
    }

    /** See {@link F#conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)}. */
    static Tensor apply(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                        int groups) {
        Checks.compatible(OP, input, weight);
        Checks.floating(OP, input);
        GroupedConv2dGeometry g = GroupedConv2dGeometry.of(OP, input.shape(), weight.shape(), stride, padding,
                dilation, groups);
        checkBias(bias, weight, g);
        Precision precision = Autocast.forOperand(input);
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        Tensor x = operand(input, precision);
        Tensor w = operand(weight, precision);
        try {
            input.backend().groupedConv2dForward(x, w, bias, g, out);
        } finally {
            release(x, input);
            release(w, weight);
        }
        out.record(OP, new Tensor[] {input, weight, bias}, Node.differentiable(gradOut -> gradients(input, weight,
                bias, g, gradOut, precision, input.requiresGrad(), weight.requiresGrad(),
                bias != null && bias.requiresGrad())));
        return out;
    }

    private static void checkBias(Tensor bias, Tensor weight, GroupedConv2dGeometry g) {
        if (bias == null) {
            return;
        }
        Checks.compatible(OP, weight, bias);
        if (bias.rank() != 1 || bias.dim(0) != g.outChannels()) {
            throw new IllegalArgumentException(OP + ": bias " + bias.shape() + " and weight " + weight.shape()
                    + ": the bias must be [" + g.outChannels() + "]");
        }
    }

    /**
     * {input, weight, bias} gradients, each only where wanted; the weight's is computed (and dropped) also when
     * only the bias wants one, as the backend computes both together. In a backward pass that records its graph,
     * recorded ({@link ConvolutionFamily}).
     */
    static Tensor[] gradients(Tensor input, Tensor weight, Tensor bias, GroupedConv2dGeometry g, Tensor gradOut,
                              Precision precision, boolean inputWanted, boolean weightWanted, boolean biasWanted) {
        if (Node.createsGraph()) {
            return ConvolutionFamily.gradients(input, weight, g, precision, gradOut, inputWanted, weightWanted,
                    biasWanted);
        }
        Backend backend = gradOut.backend();
        Tensor gradInput = null;
        Tensor gradWeight = null;
        Tensor gradBias = null;
        Tensor go = operand(gradOut, precision);
        try {
            if (inputWanted) {
                gradInput = gradOut.emptyLike(g.inputShape(), input.dtype());
                Tensor w = operand(weight, precision);
                try {
                    backend.groupedConv2dBackwardData(go, w, g, gradInput);
                } finally {
                    release(w, weight);
                }
            }
            if (weightWanted || biasWanted) {
                gradWeight = gradOut.emptyLike(g.weightShape(), weight.dtype());
                gradBias = biasWanted ? gradOut.emptyLike(Shape.of(g.outChannels()), bias.dtype()) : null;
                Tensor x = operand(input, precision);
                try {
                    backend.groupedConv2dBackwardFilter(x, go, g, gradWeight, gradBias);
                } finally {
                    release(x, input);
                }
                if (!weightWanted) {
                    gradWeight.close();
                    gradWeight = null;
                }
            }
        } finally {
            release(go, gradOut);
        }
        return new Tensor[] {gradInput, gradWeight, gradBias};
    }

    /**
     * {@code t} itself, or under {@link Precision#BF16} or {@link Precision#F16} a copy rounded to bfloat16 or half,
     * which {@link #release} frees.
     */
    static Tensor operand(Tensor t, Precision precision) {
        return AutocastKernels.rounded(t, precision);
    }

    /** Frees what {@link #operand} made from {@code original}. */
    static void release(Tensor operand, Tensor original) {
        if (operand != original) {
            operand.close();
        }
    }
}
