package dev.kiln.engine;

/**
 * 3-D transposed convolution ({@link F#convTranspose3d}) as one 2-D transposed convolution of depth slices, the
 * mirror of {@link Convolution3d}: each input slice [inChannels, height, width] is transposed-convolved by the weight
 * [inChannels, outChannels, kernelD, kernelH, kernelW] read as [inChannels, outChannels * kernelD, kernelH, kernelW]
 * (no copy), which gives every depth tap's contribution at once, images [batch * depth, outChannels * kernelD, outH,
 * outW]; tap t of input depth i belongs to output depth {@code i * strideD + t * dilationD - padD}, and one
 * {@code indexAdd} of whole planes ({@link DepthTaps}) sums them there, what falls on the padding into a row that
 * is dropped. The backward pass selects the output gradient's planes by the same rows (a zero row where the padding
 * was) and runs the 2-D transposed convolution's gradients on them; nothing but the input is kept for it. The index
 * of rows is uploaded with each call and saved for the backward pass: not for a step recorded as a
 * {@link StepGraph}. An output padding at or above the stride (below the dilation) goes through
 * {@link OutputPaddingBeyondStride}.
 */
final class TransposedConvolution3d {
    private static final String OP = "convTranspose3d";

    private TransposedConvolution3d() {
    }

    /** See {@link F#convTranspose3d}: input [batch, inChannels, depth, height, width], 5-D. */
    static Tensor apply(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                        int[] dilation) {
        Checks.compatible(OP, input, weight);
        Checks.floating(OP, input);
        VolumeGeometry g = VolumeGeometry.transposed(OP, input.shape(), weight.shape(), stride, padding, outputPadding,
                dilation);
        g.checkBias(weight, bias);
        if (OutputPaddingBeyondStride.applies(g.outputPadding(), g.stride())) {
            return OutputPaddingBeyondStride.apply(input, bias, g.stride(), g.padding(), g.outputPadding(),
                    (p, e) -> apply(input, weight, null, g.stride(), p, e, g.dilation()));
        }
        DepthTaps taps = g.taps(true);
        long[] rows = taps.rows(OP, g.batch(), g.outChannels());
        Tensor index = HostValues.longs(input, rows, rows.length);
        Precision precision = Autocast.forOperand(input);
        Conv2dGeometry plane = planeGeometry(g);
        Tensor out = Composite.untracked(() -> {
            Tensor images = F.convTranspose2d(slices(input, g), planeWeight(weight), null,
                    VolumeGeometry.plane(g.stride()), VolumeGeometry.plane(g.padding()),
                    VolumeGeometry.plane(g.outputPadding()), VolumeGeometry.plane(g.dilation()));
            return summedIntoDepth(images, g, taps, index, bias);
        });
        out.recordWithSaved(OP, new Tensor[] {input, weight, bias}, Node.differentiable(gradOut -> Composite.gradients(
                () -> gradients(input, weight, bias, g, plane, taps, index, precision, gradOut))), index);
        return out;
    }

    /**
     * The 2-D transposed convolution of the input's slices [batch * depth, inChannels, height, width], as the
     * convolution whose input gradient it is: from images [batch * depth, outChannels * kernelD, outH, outW] to the
     * slices.
     */
    private static Conv2dGeometry planeGeometry(VolumeGeometry g) {
        int[] in = g.inSize();
        Shape slices = Shape.of(g.batch() * in[0], g.inChannels(), in[1], in[2]);
        Shape weight = Shape.of(g.inChannels(), g.outChannels() * g.kernel()[0], g.kernel()[1], g.kernel()[2]);
        return Conv2dGeometry.transposed(OP, slices, weight, VolumeGeometry.plane(g.stride()),
                VolumeGeometry.plane(g.padding()), VolumeGeometry.plane(g.outputPadding()),
                VolumeGeometry.plane(g.dilation()));
    }

    /** The input [batch, inChannels, depth, height, width] as slices [batch * depth, inChannels, height, width]. */
    private static Tensor slices(Tensor input, VolumeGeometry g) {
        int[] in = g.inSize();
        return input.reshape(g.batch(), g.inChannels(), in[0], in[1] * in[2]).permute(0, 2, 1, 3)
                .reshape(g.batch() * in[0], g.inChannels(), in[1], in[2]);
    }

    /**
     * The weight [inChannels, outChannels, kernelD, kernelH, kernelW] read as [inChannels, outChannels * kernelD,
     * kernelH, kernelW].
     */
    private static Tensor planeWeight(Tensor weight) {
        return weight.reshape(weight.dim(0), weight.dim(1) * weight.dim(2), weight.dim(3), weight.dim(4));
    }

    /**
     * Each image channel (an output channel's tap) added into the output depth it belongs to, then the bias:
     * [batch, outChannels, outD, outH, outW].
     */
    private static Tensor summedIntoDepth(Tensor images, VolumeGeometry g, DepthTaps taps, Tensor index, Tensor bias) {
        int[] out = g.outSize();
        int plane = out[1] * out[2];
        int slices = g.batch() * g.outChannels() * out[0];
        Tensor canvas = images.emptyLike(Shape.of(slices + (taps.reachesPadding() ? 1 : 0), plane), images.dtype());
        Backend backend = images.backend();
        backend.fill(canvas, 0);
        try (Tensor rows = images.view(0, Shape.of((int) index.size(), plane))) {
            backend.indexAdd(canvas, 0, index, rows);
        }
        Tensor volume = canvas.narrow(0, 0, slices).reshape(g.batch(), g.outChannels(), out[0], out[1], out[2]);
        if (bias != null) {
            try (Tensor perChannel = bias.view(0, Shape.of(g.outChannels(), 1, 1, 1))) {
                backend.binary(BinaryOp.ADD, volume, perChannel, volume);
            }
        }
        return volume;
    }

    /** {input, weight, bias} gradients, each null where not wanted. */
    private static Tensor[] gradients(Tensor input, Tensor weight, Tensor bias, VolumeGeometry g, Conv2dGeometry plane,
                                      DepthTaps taps, Tensor index, Precision precision, Tensor gradOut) {
        Tensor images = images(gradOut, g, plane, taps, index);
        int[] in = g.inSize();
        return new Tensor[] {
                input.requiresGrad()
                        ? TransposedConvolution.inputGradient(images, planeWeight(weight), plane, precision)
                                .reshape(g.batch(), in[0], g.inChannels(), in[1] * in[2]).permute(0, 2, 1, 3)
                                .reshape(input.shape().dims())
                        : null,
                weight.requiresGrad()
                        ? TransposedConvolution.weightGradient(slices(input, g), images, planeWeight(weight), plane,
                                precision).reshape(weight.shape().dims())
                        : null,
                bias != null && bias.requiresGrad()
                        ? TransposedConvolution.biasGradient(gradOut.reshape(g.batch(), g.outChannels(),
                                g.outSize()[0], g.outSize()[1] * g.outSize()[2]), precision)
                        : null};
    }

    /** The output gradient's planes that each tap wrote: [batch * depth, outChannels * kernelD, outH, outW]. */
    private static Tensor images(Tensor gradOut, VolumeGeometry g, Conv2dGeometry plane, DepthTaps taps,
                                 Tensor index) {
        int[] out = g.outSize();
        Tensor slices = gradOut.reshape(g.batch() * g.outChannels() * out[0], out[1] * out[2]);
        if (taps.reachesPadding()) {
            slices = F.pad(slices, 0, 0, 0, 1);
        }
        return slices.indexSelect(0, index).reshape(plane.inputShape().dims());
    }
}
