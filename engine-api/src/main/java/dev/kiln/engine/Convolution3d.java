package dev.kiln.engine;

/**
 * 3-D convolution ({@link F#conv3d}) as one 2-D convolution of depth slices, on every backend's
 * {@link F#conv2d} (cuDNN on a GPU). Output depth o reads, through tap t of the kernel, input depth
 * {@code o * strideD + t * dilationD - padD}; the kernel's depth taps become channels: the input's slices are
 * selected ({@link DepthTaps}, one {@code indexSelect} of whole [height, width] planes, after a row of zeros where a
 * tap meets the padding) into images [batch * outD, inChannels * kernelD, height, width], which the weight
 * [outChannels, inChannels / groups, kernelD, kernelH, kernelW], read as [outChannels, inChannels / groups * kernelD,
 * kernelH, kernelW] without a copy, convolves in height and width with the same groups: one GEMM as deep as the 3-D
 * convolution's, where a convolution per tap would take kernelD shallower ones and their sum.
 *
 * <p>The selected images are kernelD / strideD times the input; they are not kept for the backward pass, which
 * selects them again (a copy, cheap beside the convolution), so that a step keeps only the input, as PyTorch's does.
 * The backward pass runs the 2-D convolution's gradients and adds the input images' gradient back into the input's
 * slices ({@code indexAdd}, whose rows are the selection's). The index of rows is uploaded with each call and saved
 * for the backward pass: not for a step recorded as a {@link StepGraph}.
 */
final class Convolution3d {
    private static final String OP = "conv3d";

    private Convolution3d() {
    }

    /** See {@link F#conv3d}: input [batch, inChannels, depth, height, width], 5-D. */
    static Tensor apply(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                        int groups) {
        Checks.compatible(OP, input, weight);
        Checks.floating(OP, input);
        VolumeGeometry g = VolumeGeometry.convolution(OP, input.shape(), weight.shape(), stride, padding, dilation,
                groups);
        g.checkBias(weight, bias);
        DepthTaps taps = g.taps(false);
        long[] rows = taps.rows(OP, g.batch(), g.inChannels());
        Tensor index = HostValues.longs(input, rows, rows.length);
        Precision precision = Autocast.forOperand(input);
        Tensor out = Composite.untracked(() -> {
            Tensor planes = F.conv2d(images(input, g, taps, index), planeWeight(weight), bias,
                    VolumeGeometry.plane(g.stride()), VolumeGeometry.plane(g.padding()),
                    VolumeGeometry.plane(g.dilation()), groups);
            return volume(planes, g);
        });
        out.recordWithSaved(OP, new Tensor[] {input, weight, bias}, Node.differentiable(gradOut -> Composite.gradients(
                () -> gradients(input, weight, bias, g, groups, taps, index, precision, gradOut))), index);
        return out;
    }

    /** The input's depth slices that the taps read: [batch * outD, inChannels * kernelD, height, width]. */
    private static Tensor images(Tensor input, VolumeGeometry g, DepthTaps taps, Tensor index) {
        int height = g.inSize()[1];
        int width = g.inSize()[2];
        Tensor slices = input.reshape(g.batch() * g.inChannels() * g.inSize()[0], height * width);
        if (taps.reachesPadding()) {
            slices = F.pad(slices, 0, 0, 0, 1);
        }
        return slices.indexSelect(0, index).reshape(g.batch() * g.outSize()[0], g.inChannels() * g.kernel()[0],
                height, width);
    }

    /**
     * The weight [outChannels, inChannels / groups, kernelD, kernelH, kernelW] read as [outChannels,
     * inChannels / groups * kernelD, kernelH, kernelW].
     */
    private static Tensor planeWeight(Tensor weight) {
        return weight.reshape(weight.dim(0), weight.dim(1) * weight.dim(2), weight.dim(3), weight.dim(4));
    }

    /**
     * The 2-D convolution's output [batch * outD, outChannels, outH, outW] reordered to [batch, outChannels, outD,
     * outH, outW].
     */
    private static Tensor volume(Tensor planes, VolumeGeometry g) {
        int[] out = g.outSize();
        return planes.reshape(g.batch(), out[0], g.outChannels(), out[1] * out[2]).permute(0, 2, 1, 3)
                .reshape(g.batch(), g.outChannels(), out[0], out[1], out[2]);
    }

    /** {input, weight, bias} gradients from the 2-D convolution's, each null where not wanted. */
    private static Tensor[] gradients(Tensor input, Tensor weight, Tensor bias, VolumeGeometry g, int groups,
                                      DepthTaps taps, Tensor index, Precision precision, Tensor gradOut) {
        boolean inputWanted = input.requiresGrad();
        boolean weightWanted = weight.requiresGrad();
        boolean biasWanted = bias != null && bias.requiresGrad();
        int[] out = g.outSize();
        Tensor planeGrad = gradOut.reshape(g.batch(), g.outChannels(), out[0], out[1] * out[2])
                .permute(0, 2, 1, 3).reshape(g.batch() * out[0], g.outChannels(), out[1], out[2]);
        Tensor[] plane = F.conv2dGradients(images(input, g, taps, index), planeWeight(weight), bias,
                VolumeGeometry.plane(g.stride()), VolumeGeometry.plane(g.padding()),
                VolumeGeometry.plane(g.dilation()), groups, precision, planeGrad, inputWanted, weightWanted,
                biasWanted);
        return new Tensor[] {
                inputWanted ? slicesGradient(plane[0], input.shape(), g, taps, index) : null,
                weightWanted ? plane[1].reshape(weight.shape().dims()) : null,
                biasWanted ? plane[2] : null};
    }

    /**
     * The input's gradient: each image channel's gradient added into the slice it was selected from, what fell on
     * the padding's row of zeros dropped; recorded in a backward pass that records its graph.
     */
    private static Tensor slicesGradient(Tensor imagesGrad, Shape inputShape, VolumeGeometry g, DepthTaps taps,
                                         Tensor index) {
        int plane = g.inSize()[1] * g.inSize()[2];
        int slices = g.batch() * g.inChannels() * g.inSize()[0];
        Tensor canvas = imagesGrad.emptyLike(Shape.of(slices + (taps.reachesPadding() ? 1 : 0), plane),
                imagesGrad.dtype());
        Backend backend = imagesGrad.backend();
        backend.fill(canvas, 0);
        Tensor rows = imagesGrad.reshape((int) index.size(), plane);
        if (Node.createsGraph()) {
            canvas = canvas.indexAdd(0, index, rows);
        } else {
            // Added in place: the canvas is this op's own, and Tensor.indexAdd would copy it first.
            backend.indexAdd(canvas, 0, index, rows);
        }
        return canvas.narrow(0, 0, slices).reshape(inputShape.dims());
    }
}
