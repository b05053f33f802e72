package dev.kiln.engine;

/**
 * The {@link Backend}'s default grouped convolution: each group's convolution in turn through the backend's
 * ungrouped ones ({@link Backend#conv2dForward}, {@link Backend#conv2dBackwardData},
 * {@link Backend#conv2dBackwardFilter}), so that every backend runs grouped convolutions once it runs plain ones.
 * A group's input, output and output-gradient channels are copied out of and into the whole tensors (channels are
 * not the leading axis); its weight, bias and their gradients are views, as output channels lead. The copies are
 * the price of a backend that has no grouped kernel: one pass over each tensor more, and for a depthwise
 * convolution {@code groups} small convolutions, which is why a backend overrides it.
 */
final class GroupByGroupConvolution {
    private GroupByGroupConvolution() {
    }

    /** See {@link Backend#groupedConv2dForward}. */
    static void forward(Backend backend, Tensor input, Tensor weight, Tensor bias, GroupedConv2dGeometry g,
                        Tensor out) {
        Conv2dGeometry one = g.group();
        try (Tensor groupInput = Tensor.empty(one.inputShape(), input.dtype(), backend);
             Tensor groupOut = Tensor.empty(one.outputShape(), out.dtype(), backend)) {
            for (int k = 0; k < g.groups(); k++) {
                backend.copySlices(input, 1, k * one.inChannels(), groupInput, 0, one.inChannels());
                try (Tensor groupWeight = weightOf(weight, one, k);
                     Tensor groupBias = bias == null ? null : channelsOf(bias, one, k)) {
                    backend.conv2dForward(groupInput, groupWeight, groupBias, one, groupOut);
                }
                backend.copySlices(groupOut, 1, 0, out, k * one.outChannels(), one.outChannels());
            }
        }
    }

    /** See {@link Backend#groupedConv2dBackwardData}. */
    static void backwardData(Backend backend, Tensor gradOut, Tensor weight, GroupedConv2dGeometry g,
                             Tensor gradInput) {
        Conv2dGeometry one = g.group();
        try (Tensor groupGradOut = Tensor.empty(one.outputShape(), gradOut.dtype(), backend);
             Tensor groupGradInput = Tensor.empty(one.inputShape(), gradInput.dtype(), backend)) {
            for (int k = 0; k < g.groups(); k++) {
                backend.copySlices(gradOut, 1, k * one.outChannels(), groupGradOut, 0, one.outChannels());
                try (Tensor groupWeight = weightOf(weight, one, k)) {
                    backend.conv2dBackwardData(groupGradOut, groupWeight, one, groupGradInput);
                }
                backend.copySlices(groupGradInput, 1, 0, gradInput, k * one.inChannels(), one.inChannels());
            }
        }
    }

    /** See {@link Backend#groupedConv2dBackwardFilter}. */
    static void backwardFilter(Backend backend, Tensor input, Tensor gradOut, GroupedConv2dGeometry g,
                               Tensor gradWeight, Tensor gradBias) {
        Conv2dGeometry one = g.group();
        try (Tensor groupInput = Tensor.empty(one.inputShape(), input.dtype(), backend);
             Tensor groupGradOut = Tensor.empty(one.outputShape(), gradOut.dtype(), backend)) {
            for (int k = 0; k < g.groups(); k++) {
                backend.copySlices(input, 1, k * one.inChannels(), groupInput, 0, one.inChannels());
                backend.copySlices(gradOut, 1, k * one.outChannels(), groupGradOut, 0, one.outChannels());
                try (Tensor groupGradWeight = weightOf(gradWeight, one, k);
                     Tensor groupGradBias = gradBias == null ? null : channelsOf(gradBias, one, k)) {
                    backend.conv2dBackwardFilter(groupInput, groupGradOut, one, groupGradWeight, groupGradBias);
                }
            }
        }
    }

    /** Group k's filters of a weight (or weight gradient) [outChannels, inChannels / groups, kh, kw]: a view. */
    private static Tensor weightOf(Tensor weight, Conv2dGeometry one, int k) {
        Shape shape = one.weightShape();
        return weight.view(k * shape.size(), shape);
    }

    /** Group k's entries of a bias (or bias gradient) [outChannels]: a view. */
    private static Tensor channelsOf(Tensor bias, Conv2dGeometry one, int k) {
        return bias.view((long) k * one.outChannels(), Shape.of(one.outChannels()));
    }
}
