package dev.kiln.engine;

/**
 * A 2-D convolution (grouped or not, groups 1 being the plain one) and its two gradients as recorded ops, each
 * differentiable to any order: the convolution {@code y = conv(x, w)}, its input gradient {@code data(gy, w)} (a
 * transposed convolution) and its weight gradient {@code filter(x, gy)}, all of one geometry. The three are bilinear
 * and each one's gradients are the other two, so the family is closed under differentiation:
 * <pre>
 * y  = conv(x, w):     x gets data(gy, w),  w gets filter(x, gy)
 * gx = data(gy, w):    gy gets conv(u, w),  w gets filter(u, gy)     (u: gx's gradient)
 * gw = filter(x, gy):  x gets data(gy, v),  gy gets conv(x, v)       (v: gw's gradient)
 * </pre>
 * A backward pass that records its graph ({@link Node#createsGraph()}) runs the convolutions' rules through them;
 * the ordinary backward pass calls the backend's kernels directly, as before. Under {@link Precision#BF16} or
 * {@link Precision#F16} their operands are rounded copies, as {@link GroupedConvolution}'s are.
 */
final class ConvolutionFamily {
    private ConvolutionFamily() {
    }

    /**
     * The convolution of x {@code [batch, inChannels, height, width]} by w {@code [outChannels, inChannels / groups,
     * kernelH, kernelW]}, without bias: {@code [batch, outChannels, outH, outW]}.
     */
    static Tensor conv(Tensor x, Tensor w, GroupedConv2dGeometry g, Precision precision) {
        Tensor y = x.emptyLike(g.outputShape(), x.dtype());
        Tensor xr = GroupedConvolution.operand(x, precision);
        Tensor wr = GroupedConvolution.operand(w, precision);
        try {
            if (g.groups() == 1) {
                x.backend().conv2dForward(xr, wr, null, g.group(), y);
            } else {
                x.backend().groupedConv2dForward(xr, wr, null, g, y);
            }
        } finally {
            GroupedConvolution.release(xr, x);
            GroupedConvolution.release(wr, w);
        }
        y.record("conv2d", new Tensor[] {x, w}, Node.differentiable(gy -> new Tensor[] {
                x.requiresGrad() ? data(gy, w, g, precision) : null,
                w.requiresGrad() ? filter(x, gy, g, precision) : null}));
        return y;
    }

    /**
     * The convolution's input gradient from gy {@code [batch, outChannels, outH, outW]} and w: {@code [batch,
     * inChannels, height, width]}.
     */
    static Tensor data(Tensor gy, Tensor w, GroupedConv2dGeometry g, Precision precision) {
        Tensor gx = gy.emptyLike(g.inputShape(), gy.dtype());
        Tensor gyr = GroupedConvolution.operand(gy, precision);
        Tensor wr = GroupedConvolution.operand(w, precision);
        try {
            if (g.groups() == 1) {
                gy.backend().conv2dBackwardData(gyr, wr, g.group(), gx);
            } else {
                gy.backend().groupedConv2dBackwardData(gyr, wr, g, gx);
            }
        } finally {
            GroupedConvolution.release(gyr, gy);
            GroupedConvolution.release(wr, w);
        }
        gx.record("conv2dBackwardData", new Tensor[] {gy, w}, Node.differentiable(u -> new Tensor[] {
                gy.requiresGrad() ? conv(u, w, g, precision) : null,
                w.requiresGrad() ? filter(u, gy, g, precision) : null}));
        return gx;
    }

    /**
     * The convolution's weight gradient from x and gy, summed over the batch: {@code [outChannels, inChannels /
     * groups, kernelH, kernelW]}.
     */
    static Tensor filter(Tensor x, Tensor gy, GroupedConv2dGeometry g, Precision precision) {
        Tensor gw = gy.emptyLike(g.weightShape(), gy.dtype());
        Tensor xr = GroupedConvolution.operand(x, precision);
        Tensor gyr = GroupedConvolution.operand(gy, precision);
        try {
            if (g.groups() == 1) {
                gy.backend().conv2dBackwardFilter(xr, gyr, g.group(), gw, null);
            } else {
                gy.backend().groupedConv2dBackwardFilter(xr, gyr, g, gw, null);
            }
        } finally {
            GroupedConvolution.release(xr, x);
            GroupedConvolution.release(gyr, gy);
        }
        gw.record("conv2dBackwardFilter", new Tensor[] {x, gy}, Node.differentiable(v -> new Tensor[] {
                x.requiresGrad() ? data(gy, v, g, precision) : null,
                gy.requiresGrad() ? conv(x, v, g, precision) : null}));
        return gw;
    }

    /**
     * The gradients {input, weight, bias} of {@code conv(input, weight) + bias} from its output's gradient gy, in
     * recorded ops, each only where wanted (null otherwise).
     */
    static Tensor[] gradients(Tensor input, Tensor weight, GroupedConv2dGeometry g, Precision precision, Tensor gy,
                              boolean inputWanted, boolean weightWanted, boolean biasWanted) {
        return new Tensor[] {
                inputWanted ? data(gy, weight, g, precision) : null,
                weightWanted ? filter(input, gy, g, precision) : null,
                biasWanted ? channelSums(gy) : null};
    }

    /** Sums of x [batch, channels, height, width] over everything but its channels, in recorded ops: [channels]. */
    static Tensor channelSums(Tensor x) {
        return x.sum(3, false).sum(2, false).sum(0, false);
    }
}
