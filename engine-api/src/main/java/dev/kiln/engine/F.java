package dev.kiln.engine;

/** Network operations (PyTorch's {@code torch.nn.functional}), each with its gradient. */
public final class F {
    private F() {
    }

    /** Softmax over {@code axis}. */
    public static Tensor softmax(Tensor x, int axis) {
        return softmax(x, axis, false);
    }

    /** Log-softmax over {@code axis}, computed stably (never log of a softmax). */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return softmax(x, axis, true);
    }

    private static Tensor softmax(Tensor x, int axis, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        Checks.open(op, x);
        Checks.floating(op, x);
        int a = x.shape().axis(axis);
        if (a != x.rank() - 1) {
            return softmax(x.transpose(a, -1), -1, log).transpose(a, -1);
        }
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        x.backend().softmax(x, log, out);
        out.record(op, new Tensor[] {x}, g -> {
            Tensor gx = g.emptyLike(x.shape(), x.dtype());
            g.backend().softmaxBackward(out, g, log, gx);
            return new Tensor[] {gx};
        });
        return out;
    }

    /**
     * Mean cross-entropy of {@code logits} [n, c] against class indices {@code targets} [n] (I64 or I32),
     * fused with the softmax and stable for large logits.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        Checks.open("crossEntropy", logits, targets);
        Checks.floating("crossEntropy", logits);
        Checks.index("crossEntropy", targets);
        Checks.sameBackend("crossEntropy", logits, targets);
        if (logits.rank() != 2 || targets.rank() != 1 || targets.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("crossEntropy: logits " + logits.shape() + " and targets " + targets.shape()
                    + ": expected [n, classes] and [n]");
        }
        int n = logits.dim(0);
        int classes = logits.dim(1);
        for (long t : targets.toLongArray()) {
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("crossEntropy: target " + t + " is out of range [0, " + classes + ")");
            }
        }
        Tensor index = targets.dtype() == DType.I64 ? targets : targets.to(DType.I64);
        Tensor losses = logits.emptyLike(Shape.of(n), logits.dtype());
        Tensor probs = logits.emptyLike(logits.shape(), logits.dtype());
        logits.backend().crossEntropy(logits, index, losses, probs);
        losses.record("crossEntropy", new Tensor[] {logits}, g -> {
            Tensor gl = g.emptyLike(logits.shape(), logits.dtype());
            g.backend().crossEntropyBackward(probs, index, g, gl);
            return new Tensor[] {gl};
        });
        return losses.mean();
    }

    /** {@code x W^T + b}: x [n, in], weight [out, in] (PyTorch's layout), bias [out] or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Checks.compatible("linear", x, weight);
        if (x.rank() != 2 || weight.rank() != 2 || x.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException("linear: input " + x.shape() + " and weight " + weight.shape()
                    + ": expected [n, in] and [out, in] with the same in");
        }
        Tensor y = MatmulOps.product(x, false, weight, true);
        y.record("linear", new Tensor[] {x, weight}, g -> new Tensor[] {
                x.requiresGrad() ? MatmulOps.product(g, false, weight, false) : null,
                weight.requiresGrad() ? MatmulOps.product(g, true, x, false) : null});
        if (bias == null) {
            return y;
        }
        if (bias.rank() != 1 || bias.dim(0) != weight.dim(0)) {
            throw new IllegalArgumentException("linear: bias " + bias.shape() + " must be [" + weight.dim(0) + "]");
        }
        return y.add(bias);
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability {@code p} and scales the rest
     * by 1/(1-p); identity otherwise.
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: probability must be in [0, 1), got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        Tensor keep = x.bernoulliLike(1 - p);
        return x.mul(keep).mul(1 / (1 - p));
    }

    // ---- Convolution and pooling (tensors are [batch, channels, height, width]) -----------------

    /**
     * 2-D convolution (PyTorch's {@code F.conv2d} without groups; strictly a cross-correlation, as in every
     * framework): input {@code [batch, inChannels, height, width]}, weight
     * {@code [outChannels, inChannels, kernelH, kernelW]}, bias {@code [outChannels]} or null; returns
     * {@code [batch, outChannels, outH, outW]} with {@code outH = (height + 2 padH - dilationH (kernelH - 1) - 1) / strideH + 1}
     * (likewise outW). {@code stride}, {@code padding} (zeros) and {@code dilation} hold one value for both
     * axes or two (height, width); null means 1, 0 and 1. Records gradients for input, weight and bias.
     *
     * @throws IllegalArgumentException naming the op and both shapes when input and weight are not 4-D,
     *     their channels differ, or the kernel is larger than the padded input
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        Checks.compatible("conv2d", input, weight);
        Checks.floating("conv2d", input);
        Conv2dGeometry g = Conv2dGeometry.of("conv2d", input.shape(), weight.shape(), stride, padding, dilation);
        if (bias != null) {
            Checks.compatible("conv2d", input, bias);
            if (bias.rank() != 1 || bias.dim(0) != g.outChannels()) {
                throw new IllegalArgumentException("conv2d: bias " + bias.shape() + " and weight " + weight.shape()
                        + ": the bias must be [" + g.outChannels() + "]");
            }
        }
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        input.backend().conv2dForward(input, weight, bias, g, out);
        out.record("conv2d", new Tensor[] {input, weight, bias}, gradOut -> conv2dGrads(input, weight, bias, g, gradOut));
        return out;
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])} with one stride and padding for both axes, no dilation. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(input, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {1});
    }

    /** Gradients of conv2d for {input, weight, bias}; null where one is not needed. */
    private static Tensor[] conv2dGrads(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor gradOut) {
        Backend backend = gradOut.backend();
        Tensor gradInput = null;
        if (input.requiresGrad()) {
            gradInput = gradOut.emptyLike(g.inputShape(), input.dtype());
            backend.conv2dBackwardData(gradOut, weight, g, gradInput);
        }
        Tensor gradWeight = null;
        Tensor gradBias = null;
        boolean biasNeeded = bias != null && bias.requiresGrad();
        if (weight.requiresGrad() || biasNeeded) {
            gradWeight = gradOut.emptyLike(g.weightShape(), weight.dtype());
            gradBias = biasNeeded ? gradOut.emptyLike(Shape.of(g.outChannels()), bias.dtype()) : null;
            backend.conv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
        }
        return new Tensor[] {gradInput, weight.requiresGrad() ? gradWeight : null, gradBias};
    }

    /**
     * The padding that keeps height and width unchanged ("same") for a stride-1 convolution with this
     * square kernel and dilation: {@code {p, p}} with {@code p = dilation (kernel - 1) / 2}. Only an odd
     * effective kernel {@code dilation (kernel - 1) + 1} can be padded evenly; with a stride above 1 no
     * padding keeps the size, so do not use it there.
     *
     * @throws IllegalArgumentException for a kernel or dilation below 1 or an even effective kernel
     */
    public static int[] samePadding(int kernel, int dilation) {
        if (kernel < 1 || dilation < 1) {
            throw new IllegalArgumentException("samePadding: kernel and dilation must be at least 1, got kernel "
                    + kernel + " and dilation " + dilation);
        }
        int effective = dilation * (kernel - 1) + 1;
        if (effective % 2 == 0) {
            throw new IllegalArgumentException("samePadding: kernel " + kernel + " with dilation " + dilation
                    + " spans " + effective + " pixels, an even number, which zero padding cannot centre;"
                    + " use an odd kernel size");
        }
        int p = (effective - 1) / 2;
        return new int[] {p, p};
    }

    /**
     * Max pooling (PyTorch's {@code F.max_pool2d}): input {@code [batch, channels, height, width]} to
     * {@code [batch, channels, outH, outW]}, {@code outH = (height + 2 padH - kernelH) / strideH + 1}.
     * {@code kernel}, {@code stride} and {@code padding} hold one value or two (height, width); a null stride
     * means the kernel. Padding never wins a maximum. The gradient goes to the first maximum of each window.
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding) {
        Pool2dGeometry g = poolGeometry("maxPool2d", input, kernel, stride, padding);
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        Tensor indices = input.emptyLike(g.outputShape(), DType.I64);
        input.backend().maxPool2dForward(input, g, out, indices);
        out.record("maxPool2d", new Tensor[] {input}, gradOut -> {
            Tensor gradInput = gradOut.emptyLike(g.inputShape(), input.dtype());
            gradOut.backend().maxPool2dBackward(gradOut, indices, g, gradInput);
            return new Tensor[] {gradInput};
        });
        return out;
    }

    /** {@link #maxPool2d(Tensor, int[], int[], int[])} with square kernel, stride and padding. */
    public static Tensor maxPool2d(Tensor input, int kernel, int stride, int padding) {
        return maxPool2d(input, new int[] {kernel}, new int[] {stride}, new int[] {padding});
    }

    /**
     * Average pooling (PyTorch's {@code F.avg_pool2d} with {@code count_include_pad = true}): input
     * {@code [batch, channels, height, width]} to {@code [batch, channels, outH, outW]}; padding counts as
     * zeros and every window divides by {@code kernelH * kernelW}. Arguments as for {@link #maxPool2d}.
     */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding) {
        Pool2dGeometry g = poolGeometry("avgPool2d", input, kernel, stride, padding);
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        input.backend().avgPool2dForward(input, g, out);
        out.record("avgPool2d", new Tensor[] {input}, gradOut -> {
            Tensor gradInput = gradOut.emptyLike(g.inputShape(), input.dtype());
            gradOut.backend().avgPool2dBackward(gradOut, g, gradInput);
            return new Tensor[] {gradInput};
        });
        return out;
    }

    /** {@link #avgPool2d(Tensor, int[], int[], int[])} with square kernel, stride and padding. */
    public static Tensor avgPool2d(Tensor input, int kernel, int stride, int padding) {
        return avgPool2d(input, new int[] {kernel}, new int[] {stride}, new int[] {padding});
    }

    /**
     * Global average pooling: the mean over height and width of {@code [batch, channels, height, width]},
     * returned as {@code [batch, channels, 1, 1]} like PyTorch's {@code AdaptiveAvgPool2d(1)} (flatten it
     * for a linear layer). Composed from {@code mean}, so its gradient comes with it.
     */
    public static Tensor globalAvgPool2d(Tensor input) {
        Checks.open("globalAvgPool2d", input);
        Checks.floating("globalAvgPool2d", input);
        if (input.rank() != 4) {
            throw new IllegalArgumentException("globalAvgPool2d: input " + input.shape()
                    + ": expected a 4-D input [batch, channels, height, width]");
        }
        return input.mean(3, true).mean(2, true);
    }

    private static Pool2dGeometry poolGeometry(String op, Tensor input, int[] kernel, int[] stride, int[] padding) {
        Checks.open(op, input);
        Checks.floating(op, input);
        return Pool2dGeometry.of(op, input.shape(), kernel, stride, padding);
    }
}
