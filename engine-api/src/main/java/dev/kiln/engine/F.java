package dev.kiln.engine;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/** Network operations (PyTorch's {@code torch.nn.functional}), each with its gradient. */
public final class F {
    private F() {
    }

    /** {@code max(x, 0)} element-wise, same shape and dtype (PyTorch's {@code F.relu}): {@link Tensor#relu()}. */
    public static Tensor relu(Tensor x) {
        return x.relu();
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
            // The transposed copies are steps, freed on the way out where no graph reads them.
            return Composite.composed(() -> softmax(x.transpose(a, -1), -1, log).transpose(a, -1), x);
        }
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        x.backend().softmax(x, log, out);
        out.record(op, new Tensor[] {x}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {softmaxGradient(out, g, log)};
            }
            Tensor gx = g.emptyLike(x.shape(), x.dtype());
            g.backend().softmaxBackward(out, g, log, gx);
            return new Tensor[] {gx};
        }));
        return out;
    }

    /**
     * The gradient of softmax over the last axis in recorded ops, from its output y: {@code y (g - sum(g y))}, or
     * for log-softmax {@code g - exp(y) sum(g)}.
     */
    private static Tensor softmaxGradient(Tensor y, Tensor g, boolean log) {
        if (log) {
            return g.sub(y.exp().mul(g.sum(-1, true)));
        }
        return y.mul(g.sub(g.mul(y).sum(-1, true)));
    }

    /**
     * Mean cross-entropy of {@code logits} [n, c] against class indices {@code targets} [n] (I64 or I32),
     * fused with the softmax and stable for large logits.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return CrossEntropy.mean(logits, targets);
    }

    /**
     * Cross-entropy of {@code logits} [n, c] against class indices {@code targets} [n] (I64 or I32), as PyTorch's
     * {@code F.cross_entropy(logits, targets, reduction=...)}: {@link Reduction#MEAN} the scalar mean over the rows,
     * {@link Reduction#SUM} their sum, {@link Reduction#NONE} each row's loss [n].
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction) {
        return reduction == Reduction.MEAN ? CrossEntropy.mean(logits, targets)
                : CrossEntropy.reduced(logits, targets, reduction, null);
    }

    /**
     * {@link #crossEntropy(Tensor, Tensor, Reduction)} where rows whose target is {@code ignoreIndex} (PyTorch's
     * {@code ignore_index}, -100 there by default; padding in a batch of sequences) count for nothing: their loss
     * is 0 and their logits get no gradient, and {@link Reduction#MEAN} divides by the rows that count (NaN when
     * none does, as in PyTorch). Every other target must be in [0, c): targets holding the ignore index are read
     * back to the host to check that (a wait for the device on a GPU), those without it as by
     * {@link #crossEntropy(Tensor, Tensor)}.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, long ignoreIndex) {
        return CrossEntropy.reduced(logits, targets, reduction, ignoreIndex);
    }

    /**
     * Einstein summation, as PyTorch's {@code torch.einsum(equation, *operands)}: {@code "bij,bjk->bik"} multiplies
     * batches of matrices, {@code "bhqd,bhkd->bhqk"} gives attention scores, {@code "ii->"} a trace. The equation
     * names each operand's axes with letters (a-z, A-Z; spaces ignored), comma-separated, then {@code ->} and the
     * output's; an index summed over is one missing from the output; without {@code ->} the output holds the indices
     * that appear once, in alphabetical order (upper case first). An index repeated in one operand takes its
     * diagonal. An ellipsis {@code ...} stands for leading axes that broadcast between operands (NumPy rules), as do
     * indices of size 1 against another operand's size. Operands are F32 or F64 tensors of one dtype on one backend,
     * one for each operand's subscripts; the result has one axis per output index, of that index's size, and is a new
     * tensor. Operands are multiplied left to right, each pair as one GEMM (batched over shared indices the result
     * keeps), so matrix products run on the backend's GEMM, under {@link Autocast} as {@link Tensor#matmul} does.
     *
     * @throws IllegalArgumentException naming the equation and what is wrong with it or with the operands
     */
    public static Tensor einsum(String equation, Tensor... operands) {
        return EinsumOps.einsum(equation, operands);
    }

    /** {@code x W^T + b}: x [n, in], weight [out, in] (PyTorch's layout), bias [out] or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        checkLinear("linear", x, weight, bias);
        Precision precision = Autocast.forOperand(x);
        Tensor y = MatmulOps.product(x, false, weight, true, precision);
        if (bias != null) {
            y.backend().binary(BinaryOp.ADD, y, bias, y);
        }
        y.record("linear", new Tensor[] {x, weight, bias}, Node.differentiable(g -> Node.createsGraph()
                ? linearGradients(x, weight, bias, g)
                : new Tensor[] {
                        x.requiresGrad() ? MatmulOps.product(g, false, weight, false, precision) : null,
                        weight.requiresGrad() ? MatmulOps.product(g, true, x, false, precision) : null,
                        bias != null && bias.requiresGrad() ? ElementwiseOps.unbroadcast(g, bias.shape()) : null}));
        return y;
    }

    /** The gradients of {@code x W^T + b} (bias null: none) in recorded ops, from the output's gradient g. */
    private static Tensor[] linearGradients(Tensor x, Tensor weight, Tensor bias, Tensor g) {
        return new Tensor[] {
                x.requiresGrad() ? MatmulOps.matmul(g, false, weight, false) : null,
                weight.requiresGrad() ? MatmulOps.matmul(g, true, x, false) : null,
                bias != null && bias.requiresGrad() ? ElementwiseOps.unbroadcast(g, bias.shape()) : null};
    }

    /**
     * {@code op(x W^T + b)}: a dense layer and its activation, with the bias and the activation in one pass
     * after the GEMM ({@link Backend#biasActivation}) and the pre-activation never kept; the same values and
     * gradients as {@link #linear(Tensor, Tensor, Tensor)} followed by the activation. x [n, in], weight
     * [out, in], bias [out] or null; {@code activation} one for which {@link UnaryOp#derivativeFromOutput}
     * holds (tanh, sigmoid, ReLU, leaky ReLU with slope >= 0, ELU with alpha > 0), {@code param} its slope
     * or alpha.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias, UnaryOp activation, double param) {
        String name = Checks.fused("linear", activation, param);
        checkLinear(name, x, weight, bias);
        if (bias == null) {
            return ElementwiseOps.unary(activation, param, linear(x, weight, null));
        }
        Precision precision = Autocast.forOperand(x);
        Tensor y = MatmulOps.product(x, false, weight, true, precision);
        y.backend().biasActivation(activation, param, y, bias, y);
        y.record(name, new Tensor[] {x, weight, bias}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return linearGradients(x, weight, bias, UnaryDerivatives.gradient(activation, param, y, y, g));
            }
            Tensor gradPre = g.emptyLike(y.shape(), y.dtype());
            Tensor gradBias = bias.requiresGrad() ? g.emptyLike(bias.shape(), bias.dtype()) : null;
            g.backend().biasActivationBackward(activation, param, y, g, gradPre, gradBias);
            Tensor[] grads = {x.requiresGrad() ? MatmulOps.product(gradPre, false, weight, false, precision) : null,
                    weight.requiresGrad() ? MatmulOps.product(gradPre, true, x, false, precision) : null, gradBias};
            gradPre.close();
            return grads;
        }));
        return y;
    }

    private static void checkLinear(String name, Tensor x, Tensor weight, Tensor bias) {
        Checks.compatible(name, x, weight);
        if (x.rank() != 2 || weight.rank() != 2 || x.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException(name + ": input " + x.shape() + " and weight " + weight.shape()
                    + ": expected [n, in] and [out, in] with the same in");
        }
        if (bias == null) {
            return;
        }
        Checks.compatible(name, x, bias);
        if (bias.rank() != 1 || bias.dim(0) != weight.dim(0)) {
            throw new IllegalArgumentException(name + ": bias " + bias.shape() + " must be [" + weight.dim(0) + "]");
        }
    }

    /**
     * {@code log(1 + e^x)} elementwise, computed as {@code max(x, 0) + log1p(e^-|x|)} so that it never overflows nor
     * rounds e^x to 0 far left (softplus(-40) is 4.2e-18); no threshold: PyTorch's default 20 returns x above it, up
     * to 2e-9 below this. Its gradient is {@code sigmoid(x)}, exact also at x = 0, where composing the formula's max
     * and |x| would give 0 instead of 1/2 (and stall anything that starts there, such as word2vec's zero output
     * vectors).
     */
    public static Tensor softplus(Tensor x) {
        Checks.open("softplus", x);
        Checks.floating("softplus", x);
        Tensor y;
        try (Autograd.Guard g = Autograd.noGrad()) {
            y = x.relu().add(x.abs().neg().exp().log1p());
        }
        y.record("softplus", new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {g.mul(x.sigmoid())}));
        return y;
    }

    /** PyTorch's {@code F.dropout(x, training=training)}: {@link #dropout(Tensor, double, boolean)} with its p, 0.5. */
    public static Tensor dropout(Tensor x, boolean training) {
        return dropout(x, 0.5, training);
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
     * 2-D convolution (PyTorch's {@code F.conv2d} with groups 1, see the overload with groups; strictly a
     * cross-correlation, as in every framework): input {@code [batch, inChannels, height, width]}, weight
     * {@code [outChannels, inChannels, kernelH, kernelW]}, bias {@code [outChannels]} or null; returns
     * {@code [batch, outChannels, outH, outW]} with {@code outH = (height + 2 padH - dilationH (kernelH - 1) - 1) / strideH + 1}
     * (likewise outW). {@code stride}, {@code padding} (zeros) and {@code dilation} hold one value for both
     * axes or two (height, width); null means 1, 0 and 1. Records gradients for input, weight and bias.
     *
     * @throws IllegalArgumentException naming the op and both shapes when input and weight are not 4-D,
     *     their channels differ, or the kernel is larger than the padded input
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        Conv2dGeometry g = conv2dGeometry("conv2d", input, weight, bias, stride, padding, dilation);
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        Precision precision = Autocast.forOperand(input);
        AutocastKernels.conv2dForward(input.backend(), precision, input, weight, bias, g, out);
        out.record("conv2d", new Tensor[] {input, weight, bias}, Node.differentiable(gradOut -> conv2dGradients(input,
                weight, bias, g, precision, gradOut, input.requiresGrad(), weight.requiresGrad(),
                bias != null && bias.requiresGrad())));
        return out;
    }

    /**
     * The gradients {input, weight, bias} of a convolution of groups 1 with geometry g, each null where not wanted:
     * the backward pass of {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])}, run under the precision
     * its forward pass ran under; in a backward pass that records its graph, recorded ({@link ConvolutionFamily}).
     */
    private static Tensor[] conv2dGradients(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g,
                                            Precision precision, Tensor gradOut, boolean inputWanted,
                                            boolean weightWanted, boolean biasWanted) {
        if (Node.createsGraph()) {
            return ConvolutionFamily.gradients(input, weight, new GroupedConv2dGeometry(g, 1), precision, gradOut,
                    inputWanted, weightWanted, biasWanted);
        }
        ConvGradients grads = new ConvGradients(input, weight, bias, g, gradOut, inputWanted, weightWanted,
                biasWanted);
        AutocastKernels.conv2dBackward(gradOut.backend(), precision, input, gradOut, weight, g, grads.input,
                grads.weight, grads.bias);
        return grads.returned();
    }

    /**
     * The gradients {input, weight, bias} of {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} for
     * gradOut, computed without its forward pass (each null where not wanted), under the precision the forward pass
     * ran under: for an op that runs a convolution as one of its steps and recomputes that step's input in its own
     * backward pass rather than keeping it ({@link Convolution3d}).
     */
    static Tensor[] conv2dGradients(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                    int[] dilation, int groups, Precision precision, Tensor gradOut,
                                    boolean inputWanted, boolean weightWanted, boolean biasWanted) {
        if (groups == 1) {
            Conv2dGeometry g = Conv2dGeometry.of("conv2d", input.shape(), weight.shape(), stride, padding, dilation);
            return conv2dGradients(input, weight, bias, g, precision, gradOut, inputWanted, weightWanted, biasWanted);
        }
        GroupedConv2dGeometry g = GroupedConv2dGeometry.of("conv2d", input.shape(), weight.shape(), stride, padding,
                dilation, groups);
        return GroupedConvolution.gradients(input, weight, bias, g, gradOut, precision, inputWanted, weightWanted,
                biasWanted);
    }

    /**
     * Grouped 2-D convolution (PyTorch's {@code F.conv2d(input, weight, bias, stride, padding, dilation, groups)}):
     * input {@code [batch, inChannels, height, width]}, weight {@code [outChannels, inChannels / groups, kernelH,
     * kernelW]}, bias {@code [outChannels]} or null; returns {@code [batch, outChannels, outH, outW]} (sizes as in
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])}), where the channels fall into {@code groups}
     * groups and output group k sees input group k alone: {@code groups == inChannels} is a depthwise convolution
     * (MobileNet's), each input channel convolved with its own {@code outChannels / inChannels} filters. Groups 1 is
     * the plain convolution. It runs on the backend's grouped operations ({@link Backend#groupedConv2dForward}), by
     * default each group's convolution in turn; the CPU has a kernel of its own for depthwise convolutions. Records
     * gradients for input, weight and bias.
     *
     * @throws IllegalArgumentException naming the op, both shapes and the groups when groups is below 1, the output
     *     channels are not divisible by the groups, the input has other than {@code weight.dim(1) * groups} channels,
     *     or as for the plain convolution
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        if (groups == 1) {
            return conv2d(input, weight, bias, stride, padding, dilation);
        }
        return GroupedConvolution.apply(input, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * {@code op(conv2d(input, weight, bias))}: a convolution and its activation as one op
     * ({@link Backend#conv2dBiasActivation}), the pre-activation never kept; the same values and gradients as
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])} followed by the activation. Shapes and
     * geometry as there; {@code activation} one for which {@link UnaryOp#derivativeFromOutput} holds, {@code param}
     * its slope or alpha.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                UnaryOp activation, double param) {
        String name = Checks.fused("conv2d", activation, param);
        Conv2dGeometry g = conv2dGeometry(name, input, weight, bias, stride, padding, dilation);
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        Backend backend = input.backend();
        Precision precision = Autocast.forOperand(input);
        if (precision == Precision.FP32) {
            backend.conv2dBiasActivation(input, weight, bias, activation, param, g, out);
        } else {
            AutocastKernels.conv2dForward(backend, precision, input, weight, bias, g, out);
            backend.unary(activation, param, out, out);
        }
        out.record(name, new Tensor[] {input, weight, bias}, Node.differentiable(gradOut -> {
            if (Node.createsGraph()) {
                return conv2dGradients(input, weight, bias, g, precision,
                        UnaryDerivatives.gradient(activation, param, out, out, gradOut), input.requiresGrad(),
                        weight.requiresGrad(), bias != null && bias.requiresGrad());
            }
            ConvGradients grads = new ConvGradients(input, weight, bias, g, gradOut, input.requiresGrad(),
                    weight.requiresGrad(), bias != null && bias.requiresGrad());
            Backend be = gradOut.backend();
            if (precision == Precision.FP32) {
                be.conv2dBiasActivationBackward(input, weight, activation, param, out, gradOut, g, grads.input,
                        grads.weight, grads.bias);
            } else {
                try (Tensor gradPre = gradOut.emptyLike(out.shape(), out.dtype())) {
                    be.unaryBackward(activation, param, out, out, gradOut, gradPre);
                    AutocastKernels.conv2dBackward(be, precision, input, gradPre, weight, g, grads.input,
                            grads.weight, grads.bias);
                }
            }
            return grads.returned();
        }));
        return out;
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])} with one stride and padding for both axes, no dilation. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(input, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {1});
    }

    /**
     * 2-D transposed convolution (PyTorch's {@code F.conv_transpose2d} without groups), the gradient of
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[])} with respect to its input used as a layer:
     * input {@code [batch, inChannels, height, width]}, weight {@code [inChannels, outChannels, kernelH, kernelW]}
     * (PyTorch's layout), bias {@code [outChannels]} or null; returns {@code [batch, outChannels, outH, outW]} with
     * {@code outH = (height - 1) strideH - 2 padH + dilationH (kernelH - 1) + outputPaddingH + 1} (likewise outW).
     * {@code stride}, {@code padding}, {@code outputPadding} and {@code dilation} hold one value for both axes or
     * two (height, width); null means 1, 0, 0 and 1; output padding must be below the stride or the dilation on each
     * axis, as PyTorch's. It runs on every backend through the convolution's own operations: the forward pass is
     * {@link Backend#conv2dBackwardData}, the input's gradient {@link Backend#conv2dForward}, the weight's
     * {@link Backend#conv2dBackwardFilter} with the roles of input and output gradient exchanged (an output padding
     * at or above the stride crops and extends the output of a smaller padding). Records gradients for input, weight
     * and bias.
     *
     * @throws IllegalArgumentException naming the op and both shapes when input and weight do not fit together
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int[] dilation) {
        return TransposedConvolution.apply(input, weight, bias, stride, padding, outputPadding, dilation);
    }

    /**
     * {@link #convTranspose2d(Tensor, Tensor, Tensor, int[], int[], int[], int[])} with one stride, padding and
     * output padding for both axes, no dilation.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding,
                                         int outputPadding) {
        return convTranspose2d(input, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {outputPadding},
                new int[] {1});
    }

    /**
     * 3-D convolution (PyTorch's {@code F.conv3d(input, weight, bias, stride, padding, dilation, groups)}): input
     * {@code [batch, inChannels, depth, height, width]} (or unbatched {@code [inChannels, depth, height, width]}),
     * weight {@code [outChannels, inChannels / groups, kernelD, kernelH, kernelW]}, bias {@code [outChannels]} or
     * null; returns {@code [batch, outChannels, outD, outH, outW]} (unbatched: without the batch axis) with
     * {@code outD = (depth + 2 padD - dilationD (kernelD - 1) - 1) / strideD + 1} (likewise outH, outW).
     * {@code stride}, {@code padding} (zeros) and {@code dilation} hold one value for all three axes or three
     * (depth, height, width); null means 1, 0 and 1. Groups as for
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)}. It runs as one 2-D convolution of the
     * input's depth slices, each kernel depth tap a channel ({@link Convolution3d}), on every backend's
     * {@link #conv2d} (cuDNN's on a GPU) plus a selection of the slices; the backward pass selects them again rather
     * than keeping them. Records gradients for input, weight and bias.
     *
     * @throws IllegalArgumentException naming the op and both shapes when the input is not 4-D or 5-D, the weight not
     *     5-D, their channels do not fit the groups, or the kernel is larger than the padded input
     */
    public static Tensor conv3d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return batched("conv3d", input, x -> Convolution3d.apply(x, weight, bias, stride, padding, dilation, groups));
    }

    /**
     * 3-D transposed convolution (PyTorch's {@code F.conv_transpose3d} without groups), the gradient of
     * {@link #conv3d} with respect to its input used as a layer: input {@code [batch, inChannels, depth, height,
     * width]} (or unbatched without the batch axis), weight {@code [inChannels, outChannels, kernelD, kernelH,
     * kernelW]} (PyTorch's layout), bias {@code [outChannels]} or null; returns {@code [batch, outChannels, outD,
     * outH, outW]} with {@code outD = (depth - 1) strideD - 2 padD + dilationD (kernelD - 1) + outputPaddingD + 1}
     * (likewise outH, outW). Each parameter holds one value for all three axes or three (depth, height, width); null
     * means stride 1, padding 0, output padding 0, dilation 1; output padding must be below the stride or the
     * dilation on each axis, as PyTorch's. It runs as one 2-D transposed convolution of the input's depth slices whose
     * taps are summed into the output's depth ({@link TransposedConvolution3d}). Records gradients for input, weight
     * and bias.
     *
     * @throws IllegalArgumentException naming the op and both shapes when input and weight do not fit together
     */
    public static Tensor convTranspose3d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int[] dilation) {
        return batched("convTranspose3d", input, x -> TransposedConvolution3d.apply(x, weight, bias, stride, padding,
                outputPadding, dilation));
    }

    /** {@code op} of a 5-D input, or of a 4-D unbatched one as a batch of one, the batch axis then dropped again. */
    private static Tensor batched(String name, Tensor input, UnaryOperator<Tensor> op) {
        Checks.open(name, input);
        if (input.rank() != 4) {
            return op.apply(input);
        }
        Tensor batch = input.unsqueeze(0);
        Tensor y = Tensor.consume(batch, input, op);
        return Tensor.consume(y, input, t -> t.squeeze(0));
    }

    private static Conv2dGeometry conv2dGeometry(String op, Tensor input, Tensor weight, Tensor bias, int[] stride,
                                                 int[] padding, int[] dilation) {
        Checks.compatible(op, input, weight);
        Checks.floating(op, input);
        Conv2dGeometry g = Conv2dGeometry.of(op, input.shape(), weight.shape(), stride, padding, dilation);
        if (bias != null) {
            Checks.compatible(op, input, bias);
            if (bias.rank() != 1 || bias.dim(0) != g.outChannels()) {
                throw new IllegalArgumentException(op + ": bias " + bias.shape() + " and weight " + weight.shape()
                        + ": the bias must be [" + g.outChannels() + "]");
            }
        }
        return g;
    }

    /**
     * The gradient tensors a convolution's backward pass writes, allocated for the inputs that need them: the
     * weight's also when only the bias needs one, since the backend computes both together.
     */
    private static final class ConvGradients {
        final Tensor input;
        final Tensor weight;
        final Tensor bias;
        private final boolean weightWanted;

        ConvGradients(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor gradOut, boolean inputWanted,
                      boolean weightWanted, boolean biasWanted) {
            this.input = inputWanted ? gradOut.emptyLike(g.inputShape(), input.dtype()) : null;
            this.weightWanted = weightWanted;
            boolean filter = weightWanted || biasWanted;
            this.weight = filter ? gradOut.emptyLike(g.weightShape(), weight.dtype()) : null;
            this.bias = filter && biasWanted ? gradOut.emptyLike(Shape.of(g.outChannels()), bias.dtype()) : null;
        }

        /** {input, weight, bias} for the autograd rule: null where a gradient was not asked for. */
        Tensor[] returned() {
            return new Tensor[] {input, weightWanted ? weight : null, bias};
        }
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
        return maxPool2d(input, kernel, stride, padding, false);
    }

    /**
     * {@link #maxPool2d(Tensor, int[], int[], int[])} with PyTorch's {@code ceil_mode}: with {@code ceilMode} the
     * output size rounds up, so the last window may hang over the input (it never starts in the bottom or right
     * padding), and the part that hangs over is ignored; as in PyTorch, the kernel may then exceed the padded input by
     * less than the stride ({@link PoolOutputSize}), one window along that axis (SqueezeNet's 3x3 window at stride 2
     * on a 2x2 input).
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        Pool2dGeometry g = poolGeometry("maxPool2d", input, kernel, stride, padding, ceilMode, true);
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        if (!Tensor.recordsFrom(input)) {
            // Only the backward pass reads the positions; finding them is most of the forward pass's time.
            input.backend().maxPool2dValues(input, g, out);
            return out;
        }
        Tensor indices = input.emptyLike(g.outputShape(), DType.I64);
        input.backend().maxPool2dForward(input, g, out, indices);
        out.record("maxPool2d", new Tensor[] {input}, maxPoolGradient(input, g, indices));
        return out;
    }

    /**
     * A max pooling's output and, for each of its elements, where in its input plane (or volume) the maximum came
     * from.
     */
    public record MaxPoolOutput(Tensor output, Tensor indices) {
    }

    /**
     * {@link #maxPool2d(Tensor, int[], int[], int[], boolean)} that also returns where each maximum came from
     * (PyTorch's {@code return_indices=True}): indices (I64, the output's shape
     * {@code [batch, channels, outH, outW]}) hold {@code h * width + w}, the maximum's flat position within its
     * channel's unpadded {@code height x width} plane, the first maximum in row-major window order where several tie,
     * as PyTorch's. They are what {@link #maxUnpool2d} takes. The output's gradient is the same as without indices.
     */
    public static MaxPoolOutput maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                     boolean ceilMode) {
        Pool2dGeometry g = poolGeometry("maxPool2d", input, kernel, stride, padding, ceilMode, true);
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        Tensor indices = input.emptyLike(g.outputShape(), DType.I64);
        input.backend().maxPool2dForward(input, g, out, indices);
        // Every window covers a pixel of the input, so the backend names one; the range spares unpooling a read.
        indices.withValueRange(0, (long) g.height() * g.width() - 1);
        out.record("maxPool2d", new Tensor[] {input}, maxPoolGradient(input, g, indices));
        return new MaxPoolOutput(out, indices);
    }

    /**
     * {@link #maxPool2d(Tensor, int[], int[], int[], boolean)} with PyTorch's {@code dilation} (one value or two,
     * height and width; null means 1): window (oh, ow) reads the pixels {@code (oh strideH - padH + i dilationH,
     * ow strideW - padW + j dilationW)} for i, j below the kernel, and {@code outH = (height + 2 padH - dilationH
     * (kernelH - 1) - 1) / strideH + 1} (likewise outW), rounded up in ceil mode less a last window that would start in
     * the bottom or right padding. Without dilation (or with it only along an axis whose kernel is 1) this is the
     * backend's pooling; dilated, it is composed of gathers of each window's taps and undilated poolings, one axis at
     * a time (as {@link #maxPool3d}), a few times slower than the backend's pooling of as many windows, whose tap
     * tables are uploaded with each call: not for a step recorded as a {@link StepGraph}.
     *
     * @throws IllegalArgumentException naming the op and the input shape when the input is not 4-D, a kernel, stride
     *     or dilation is below 1, a padding exceeds half its kernel, a kernel's span {@code dilation (kernel - 1) + 1}
     *     exceeds the padded input (in ceil mode by the stride or more, PyTorch's rule, {@link PoolOutputSize}); a
     *     dilated window of padding alone gives minus infinity and no gradient, as PyTorch's
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        if (dilates(kernel, dilation)) {
            return MaxPool3dOps.maxPool2d(input, kernel, stride, padding, dilation, ceilMode);
        }
        return maxPool2d(input, kernel, stride, padding, ceilMode);
    }

    /**
     * {@link #maxPool2dWithIndices(Tensor, int[], int[], int[], boolean)} with PyTorch's {@code dilation}, as
     * {@link #maxPool2d(Tensor, int[], int[], int[], int[], boolean)}: indices {@code h * width + w} of each window's
     * first maximum in row-major order of its taps, as PyTorch's. To unpool them as PyTorch does, give
     * {@link #maxUnpool2d} the pooling's input size as its output size, and where PyTorch's range for that size asks
     * it, the window's span {@code dilation (kernel - 1) + 1} as its kernel.
     *
     * @throws IllegalArgumentException as {@link #maxPool2d(Tensor, int[], int[], int[], int[], boolean)}
     */
    public static MaxPoolOutput maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                     int[] dilation, boolean ceilMode) {
        if (dilates(kernel, dilation)) {
            return MaxPool3dOps.maxPool2dWithIndices(input, kernel, stride, padding, dilation, ceilMode);
        }
        return maxPool2dWithIndices(input, kernel, stride, padding, ceilMode);
    }

    /**
     * Whether a 2-D max pooling's dilation spreads its windows: above 1 along an axis whose kernel is above 1. Only
     * those take the composed path; the rest keep the backend's pooling, whose checks see the kernel again.
     */
    private static boolean dilates(int[] kernel, int[] dilation) {
        int[] d = Conv2dGeometry.pair("maxPool2d", "dilation", dilation, 1);
        if (kernel == null || kernel.length == 0) {
            return false;
        }
        int[] k = Conv2dGeometry.pair("maxPool2d", "kernel", kernel, 1);
        return d[0] > 1 && k[0] > 1 || d[1] > 1 && k[1] > 1;
    }

    /** Max pooling's backward rule: each output's gradient routed to the input element its index names. */
    private static Node.Rule maxPoolGradient(Tensor input, Pool2dGeometry g, Tensor indices) {
        return Node.differentiable(gradOut -> {
            if (Node.createsGraph()) {
                return new Tensor[] {maxPoolGradientRecorded(gradOut, indices, g)};
            }
            Tensor gradInput = gradOut.emptyLike(g.inputShape(), input.dtype());
            gradOut.backend().maxPool2dBackward(gradOut, indices, g, gradInput);
            return new Tensor[] {gradInput};
        });
    }

    /**
     * Max unpooling (PyTorch's {@code F.max_unpool2d}), the partial inverse of
     * {@link #maxPool2dWithIndices}: input {@code [batch, channels, height, width]} and its indices (I64, the same
     * shape) to {@code [batch, channels, outH, outW]}, zero except that each input element goes to the flat position
     * {@code oh * outW + ow} its index names in its channel's plane. The output size is
     * {@code (height - 1) strideH + kernelH - 2 padH} (likewise outW), or {@code outputSize} (height, width), which
     * must lie strictly within one stride of it, as PyTorch asks (to undo a pooling that rounded down). Kernel, stride
     * and padding hold one value or two (height, width), as the pooling's; a null stride means the kernel, a null
     * padding 0. Where several inputs of a plane name one position (the windows of a pooling with a stride below its
     * kernel overlap), the last in row-major order wins, as on PyTorch's CPU, among those whose windows overlap:
     * what indices from a max pooling with this kernel and stride can hold, or from a dilated one (not in ceil mode)
     * of an input of the output size, whose wider windows that size tells (repeats farther apart are not looked for).
     * Looking for them uploads each plane's start, so an unpooling of overlapping windows is not for a step recorded as
     * a {@link StepGraph}. The gradient is PyTorch's: each input element receives the output gradient at its index (a
     * gather), repeated indices included.
     *
     * @throws IllegalArgumentException naming the op and the shapes when the input is not 4-D, the indices are not
     *     I64 of its shape, the output size is out of range, or an index lies outside the output plane
     */
    public static Tensor maxUnpool2d(Tensor input, Tensor indices, int[] kernel, int[] stride, int[] padding,
                                     int[] outputSize) {
        return UnpoolOps.maxUnpool2d(input, indices, kernel, stride, padding, outputSize);
    }

    /**
     * 3-D max unpooling (PyTorch's {@code F.max_unpool3d}), the partial inverse of {@link #maxPool3dWithIndices}:
     * input {@code [batch, channels, depth, height, width]} and its indices (I64, the same shape) to
     * {@code [batch, channels, outD, outH, outW]}, zero except that each input element goes to the flat position
     * {@code (od * outH + oh) * outW + ow} its index names in its channel's volume. The output size is
     * {@code (depth - 1) strideD + kernelD - 2 padD} (likewise outH, outW), or {@code outputSize} (depth, height,
     * width), each strictly within one stride of it, as PyTorch asks. Kernel, stride and padding hold one value or
     * three (depth, height, width), as the pooling's; a null stride means the kernel, a null padding 0. Repeated
     * indices are handled as by {@link #maxUnpool2d}: the last in (depth, height, width) order wins among inputs whose
     * windows overlap, as wide as the kernel or as a dilated pooling (not in ceil mode) of an input of the output size
     * has them; a dilated one in ceil mode may reach farther, and repeats beyond are not looked for. The gradient is
     * PyTorch's: each input element receives the output gradient at its index.
     *
     * @throws IllegalArgumentException naming the op and the shapes when the input is not 5-D, the indices are not
     *     I64 of its shape, the output size is out of range, or an index lies outside the output volume
     */
    public static Tensor maxUnpool3d(Tensor input, Tensor indices, int[] kernel, int[] stride, int[] padding,
                                     int[] outputSize) {
        return UnpoolOps.maxUnpool3d(input, indices, kernel, stride, padding, outputSize);
    }

    /**
     * Max pooling's gradient as a recorded scatter-add of gradOut into each input plane at the maxima's flat
     * {@code indices}: differentiable again (its gradient gathers from there).
     */
    private static Tensor maxPoolGradientRecorded(Tensor gradOut, Tensor indices, Pool2dGeometry g) {
        Shape in = g.inputShape();
        int batch = in.dim(0);
        int channels = in.dim(1);
        int pooled = Math.toIntExact(g.outputShape().size() / ((long) batch * channels));
        Tensor planes = gradOut.emptyLike(Shape.of(batch, channels, in.dim(2) * in.dim(3)), gradOut.dtype());
        gradOut.backend().fill(planes, 0);
        return planes.scatterAdd(2, indices.reshape(batch, channels, pooled), gradOut.reshape(batch, channels, pooled))
                .reshape(in.dims());
    }

    /**
     * PyTorch's {@code F.max_pool2d(input, kernel)}: {@link #maxPool2d(Tensor, int, int, int)} with a stride of the
     * kernel and no padding, so that {@code [batch, channels, h, w]} becomes {@code [batch, channels, h / kernel,
     * w / kernel]} (rounded down).
     */
    public static Tensor maxPool2d(Tensor input, int kernel) {
        return maxPool2d(input, kernel, kernel, 0);
    }

    /** {@link #maxPool2d(Tensor, int[], int[], int[])} with square kernel, stride and padding. */
    public static Tensor maxPool2d(Tensor input, int kernel, int stride, int padding) {
        return maxPool2d(input, kernel, stride, padding, false);
    }

    /** {@link #maxPool2d(Tensor, int[], int[], int[], boolean)} with square kernel, stride and padding. */
    public static Tensor maxPool2d(Tensor input, int kernel, int stride, int padding, boolean ceilMode) {
        return maxPool2d(input, new int[] {kernel}, new int[] {stride}, new int[] {padding}, ceilMode);
    }

    /**
     * 3-D max pooling (PyTorch's {@code F.max_pool3d}): input {@code [batch, channels, depth, height, width]} to
     * {@code [batch, channels, outD, outH, outW]}, {@code outD = (depth + 2 padD - dilationD (kernelD - 1) - 1) /
     * strideD + 1} (likewise outH, outW), rounded up in ceil mode less a last window that would start in the far
     * padding. Kernel, stride, padding and dilation hold one value or three (depth, height, width); a null stride
     * means the kernel, a null padding 0, a null dilation 1. Window o of an axis reads the elements
     * {@code o * stride - padding + t * dilation} for t below the kernel; padding never wins a maximum. The gradient
     * goes to the first maximum of each window in (depth, height, width) order, as PyTorch's. Composed of 2-D max
     * poolings, one axis at a time.
     *
     * @throws IllegalArgumentException naming the op and the input shape when the input is not 5-D, a setting is out
     *     of range, a padding exceeds half its kernel, a kernel's span exceeds the padded input (in ceil mode by the
     *     stride or more, {@link PoolOutputSize}); a dilated window of padding alone gives minus infinity and no
     *     gradient, as PyTorch's
     */
    public static Tensor maxPool3d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return MaxPool3dOps.maxPool3d(input, kernel, stride, padding, dilation, ceilMode);
    }

    /**
     * {@link #maxPool3d} that also returns where each maximum came from (PyTorch's {@code return_indices=True}):
     * indices (I64, the output's shape) hold {@code (d * height + h) * width + w}, the maximum's flat position within
     * its channel's unpadded {@code depth x height x width} volume, the first maximum in (depth, height, width) order
     * where several tie, as PyTorch's. They are what {@link #maxUnpool3d} takes. The output's gradient is the same as
     * without indices.
     *
     * @throws IllegalArgumentException as {@link #maxPool3d}
     */
    public static MaxPoolOutput maxPool3dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                     int[] dilation, boolean ceilMode) {
        return MaxPool3dOps.maxPool3dWithIndices(input, kernel, stride, padding, dilation, ceilMode);
    }

    /**
     * Average pooling (PyTorch's {@code F.avg_pool2d} with {@code count_include_pad = true}): input
     * {@code [batch, channels, height, width]} to {@code [batch, channels, outH, outW]}; padding counts as
     * zeros and every window divides by {@code kernelH * kernelW}. Arguments as for {@link #maxPool2d}.
     */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding) {
        return avgPool2d(input, kernel, stride, padding, false, true);
    }

    /**
     * {@link #avgPool2d(Tensor, int[], int[], int[])} with PyTorch's {@code ceil_mode} and
     * {@code count_include_pad}. With {@code ceilMode} the output size rounds up as for
     * {@link #maxPool2d(Tensor, int[], int[], int[], boolean)}. Each window's sum is divided by its size clipped
     * to the padded input (what hangs over it never counts), and with {@code countIncludePad} false clipped to
     * the input itself: the mean of the input elements in the window.
     */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return avgPooled(input, poolGeometry("avgPool2d", input, kernel, stride, padding, ceilMode, countIncludePad));
    }

    private static Tensor avgPooled(Tensor input, Pool2dGeometry g) {
        Tensor out = input.emptyLike(g.outputShape(), input.dtype());
        input.backend().avgPool2dForward(input, g, out);
        out.record("avgPool2d", new Tensor[] {input},
                Node.differentiable(gradOut -> new Tensor[] {avgPoolGradient(gradOut, g)}));
        return out;
    }

    /**
     * Average pooling's gradient; in a backward pass that records its graph, recorded with average pooling as its own
     * gradient (the two maps are each other's transpose).
     */
    private static Tensor avgPoolGradient(Tensor gradOut, Pool2dGeometry g) {
        Tensor gradInput = gradOut.emptyLike(g.inputShape(), gradOut.dtype());
        gradOut.backend().avgPool2dBackward(gradOut, g, gradInput);
        if (Node.createsGraph()) {
            gradInput.record("avgPool2dBackward", new Tensor[] {gradOut},
                    Node.differentiable(gg -> new Tensor[] {avgPooled(gg, g)}));
        }
        return gradInput;
    }

    /** {@link #avgPool2d(Tensor, int[], int[], int[])} with square kernel, stride and padding. */
    public static Tensor avgPool2d(Tensor input, int kernel, int stride, int padding) {
        return avgPool2d(input, kernel, stride, padding, false, true);
    }

    /**
     * {@link #avgPool2d(Tensor, int[], int[], int[])} with PyTorch's defaults, {@code F.avg_pool2d(input, kernel)}:
     * non-overlapping {@code kernel x kernel} windows (stride {@code kernel}), no padding: {@code [batch, channels,
     * h, w]} to {@code [batch, channels, h / kernel, w / kernel]}, rounded down.
     */
    public static Tensor avgPool2d(Tensor input, int kernel) {
        return avgPool2d(input, kernel, kernel, 0);
    }

    /** {@link #avgPool2d(Tensor, int[], int[], int[], boolean, boolean)} with square kernel, stride and padding. */
    public static Tensor avgPool2d(Tensor input, int kernel, int stride, int padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return avgPool2d(input, new int[] {kernel}, new int[] {stride}, new int[] {padding}, ceilMode, countIncludePad);
    }

    /**
     * 1-D max pooling (PyTorch's {@code F.max_pool1d}): input {@code [batch, channels, length]} (or unbatched
     * {@code [channels, length]}) to {@code [batch, channels, outLength]} with {@code outLength = (length + 2 padding
     * - dilation (kernel - 1) - 1) / stride + 1}, rounded up in ceil mode less a last window that would start in the
     * right padding. Window o reads {@code o stride - padding + t dilation}, t below the kernel; padding never wins a
     * maximum. The 2-D pooling ({@link #maxPool2d(Tensor, int[], int[], int[], int[], boolean)}) of a height-1 view.
     * Where no window fits (outLength 0) and the input records no gradient, the output is empty, as PyTorch 1.13's
     * {@code max_pool1d}.
     *
     * @throws IllegalArgumentException naming {@code maxPool1d}, the input shape, kernel, stride, padding and dilation
     *     when the input is not 3-D or 2-D, a kernel, stride or dilation is below 1, the padding is negative or exceeds
     *     half the kernel, or no window fits the padded length ({@link PoolOutputSize} below 1: the kernel's span
     *     exceeds it, in ceil mode by the stride or more), save for the empty output above
     */
    public static Tensor maxPool1d(Tensor input, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return Pool1dOps.maxPool1d(input, kernel, stride, padding, dilation, ceilMode);
    }

    /** {@link #maxPool1d(Tensor, int, int, int, int, boolean)} with PyTorch's defaults: stride {@code kernel}. */
    public static Tensor maxPool1d(Tensor input, int kernel) {
        return maxPool1d(input, kernel, kernel, 0, 1, false);
    }

    /**
     * {@link #maxPool1d(Tensor, int, int, int, int, boolean)} that also returns where each maximum came from
     * (PyTorch's {@code return_indices=True}): indices (I64, the output's shape) hold the maximum's position in its
     * channel's unpadded input, the first maximum where several tie. The output's gradient is the same as without.
     *
     * @throws IllegalArgumentException as {@link #maxPool1d(Tensor, int, int, int, int, boolean)}
     */
    public static MaxPoolOutput maxPool1dWithIndices(Tensor input, int kernel, int stride, int padding, int dilation,
                                                     boolean ceilMode) {
        return Pool1dOps.maxPool1dWithIndices(input, kernel, stride, padding, dilation, ceilMode);
    }

    /** {@link #maxPool1dWithIndices(Tensor, int, int, int, int, boolean)} with stride {@code kernel}. */
    public static MaxPoolOutput maxPool1dWithIndices(Tensor input, int kernel) {
        return maxPool1dWithIndices(input, kernel, kernel, 0, 1, false);
    }

    /**
     * 1-D average pooling (PyTorch's {@code F.avg_pool1d}): input {@code [batch, channels, length]} (or unbatched
     * {@code [channels, length]}) to {@code [batch, channels, outLength]} with {@code outLength = (length + 2 padding
     * - kernel) / stride + 1}, rounded up in ceil mode as {@link #maxPool1d(Tensor, int, int, int, int, boolean)}.
     * Padding counts as zeros; with {@code countIncludePad} it counts in the divisor too, without it each window
     * divides by the input elements it covers. What hangs over the padded input in ceil mode never counts.
     *
     * @throws IllegalArgumentException naming {@code avgPool1d} and the input shape when the input is not 3-D or 2-D,
     *     the kernel or stride is below 1, the padding is negative or exceeds half the kernel, or the kernel exceeds
     *     the padded length (in ceil mode by the stride or more, {@link PoolOutputSize})
     */
    public static Tensor avgPool1d(Tensor input, int kernel, int stride, int padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return Pool1dOps.avgPool1d(input, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** {@link #avgPool1d(Tensor, int, int, int, boolean, boolean)} with PyTorch's defaults: stride {@code kernel}. */
    public static Tensor avgPool1d(Tensor input, int kernel) {
        return avgPool1d(input, kernel, kernel, 0, false, true);
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

    // ---- Sliding blocks and sub-pixel rearrangements --------------------------------------------

    /**
     * The sliding local blocks of an image as columns (im2col; PyTorch's {@code F.unfold(input, kernel_size, dilation,
     * padding, stride)}, in that order): input {@code [batch, channels, height, width]} to {@code [batch, channels *
     * kernelH * kernelW, L]}, where {@code L = blocksH * blocksW} counts the positions of a {@code kernelH x kernelW}
     * window with taps {@code dilation} apart, slid {@code stride} apart over the input padded with {@code padding}
     * zeros, {@code blocksH = (height + 2 padH - dilationH (kernelH - 1) - 1) / strideH + 1} (likewise blocksW). Row
     * {@code (c kernelH + ki) kernelW + kj} holds tap (ki, kj) of channel c in every block, blocks in row-major order:
     * the weight of a convolution reshaped to [outChannels, channels * kernelH * kernelW] times the columns is the
     * convolution. Each parameter holds one value for both axes or two (height, width); null means dilation 1,
     * padding 0, stride 1. Any dtype; the gradient is {@link #fold} of the output's gradient. Built of
     * {@code pad} and one {@code indexSelect} with an index uploaded from the host, so it runs on every backend, but
     * not inside a step recorded as a {@link StepGraph}.
     *
     * @throws IllegalArgumentException naming the op for an input that is not 4-D (or 3-D, PyTorch's unbatched
     *     [channels, height, width], which gives [channels * kernelH * kernelW, L]), a parameter out of range, or a
     *     kernel larger than the padded input
     */
    public static Tensor unfold(Tensor input, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        return UnfoldOps.unfold(input, kernel, dilation, padding, stride);
    }

    /**
     * {@link #unfold(Tensor, int[], int[], int[], int[])} with one kernel size, dilation, padding and stride for both
     * axes.
     */
    public static Tensor unfold(Tensor input, int kernel, int dilation, int padding, int stride) {
        return unfold(input, new int[] {kernel}, new int[] {dilation}, new int[] {padding}, new int[] {stride});
    }

    /**
     * Columns of sliding local blocks summed back into an image (col2im; PyTorch's {@code F.fold(input, output_size,
     * kernel_size, dilation, padding, stride)}), the adjoint of {@link #unfold(Tensor, int[], int[], int[], int[])}:
     * input {@code [batch, channels * kernelH * kernelW, L]} to {@code [batch, channels, outputH, outputW]}, each
     * column added at the pixels its block covers, so overlapping blocks add up and the padding is cropped. L must be
     * the number of blocks that unfold finds in an image of {@code outputSize} with these parameters. {@code
     * outputSize} and each parameter hold one value for both axes or two (height, width); null means dilation 1,
     * padding 0, stride 1. Any dtype; the gradient is {@link #unfold} of the output's gradient. Built of zeros, one
     * {@code indexAdd} with an index uploaded from the host (on CUDA an atomic addition, so F32 overlaps sum in no
     * fixed order) and {@code pad}, so it runs on every backend, but not inside a step recorded as a {@link StepGraph}.
     *
     * @throws IllegalArgumentException naming the op for an input that is not 3-D (or 2-D, PyTorch's unbatched
     *     [channels * kernelH * kernelW, L], which gives [channels, outputH, outputW]), rows that are not a multiple of
     *     {@code kernelH * kernelW}, an L other than the number of blocks, a parameter out of range, or a kernel larger
     *     than the padded output
     */
    public static Tensor fold(Tensor input, int[] outputSize, int[] kernel, int[] dilation, int[] padding,
                              int[] stride) {
        return UnfoldOps.fold(input, outputSize, kernel, dilation, padding, stride);
    }

    /**
     * {@link #fold(Tensor, int[], int[], int[], int[], int[])} into a square image with one kernel size, dilation,
     * padding and stride for both axes.
     */
    public static Tensor fold(Tensor input, int outputSize, int kernel, int dilation, int padding, int stride) {
        return fold(input, new int[] {outputSize}, new int[] {kernel}, new int[] {dilation}, new int[] {padding},
                new int[] {stride});
    }

    /**
     * Sub-pixel upscaling (PyTorch's {@code F.pixel_shuffle}): {@code [..., channels * r * r, height, width]} to
     * {@code [..., channels, height * r, width * r]}, input channel {@code (c r + i) r + j} at (y, x) becoming pixel
     * {@code (y r + i, x r + j)} of channel c. Any dtype, any number of leading axes; the result is contiguous, and
     * the gradient is {@link #pixelUnshuffle} of the output's gradient.
     *
     * @throws IllegalArgumentException naming the op for a factor below 1, fewer than 3 dimensions, or channels that
     *     are not a multiple of {@code r * r}
     */
    public static Tensor pixelShuffle(Tensor input, int upscaleFactor) {
        return PixelShuffleOps.pixelShuffle(input, upscaleFactor);
    }

    /**
     * The inverse of {@link #pixelShuffle} (PyTorch's {@code F.pixel_unshuffle}): {@code [..., channels, height * r,
     * width * r]} to {@code [..., channels * r * r, height, width]}.
     *
     * @throws IllegalArgumentException naming the op for a factor below 1, fewer than 3 dimensions, or a height or
     *     width that is not a multiple of {@code r}
     */
    public static Tensor pixelUnshuffle(Tensor input, int downscaleFactor) {
        return PixelShuffleOps.pixelUnshuffle(input, downscaleFactor);
    }

    // ---- Normalisation ----------------------------------------------------------------------------

    /**
     * Group normalisation (PyTorch's {@code F.group_norm}): x {@code [N, C, *]}, its C channels in {@code groups}
     * groups of {@code C / groups} consecutive channels, each sample's group normalised by the mean and biased
     * variance of its values, then each channel c given its weight and bias:
     * {@code (x - mean) / sqrt(var + eps) * weight[c] + bias[c]}, the same shape. weight and bias {@code [C]}, each
     * may be null (1 and 0). One recorded op (gradients for x, weight and bias) on the backend's fused kernels, which
     * keeps only the groups' statistics. An empty batch gives an empty output and zero weight and bias gradients.
     *
     * @throws IllegalArgumentException naming the op and the shapes for a rank below 2, groups that do not divide C,
     *     a single value per sample's group, or a weight or bias that is not {@code [C]} or differs in dtype or device
     */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        return GroupNormOps.groupNorm(x, groups, weight, bias, eps);
    }

    /**
     * Batch normalisation (PyTorch's {@code F.batch_norm}) of x {@code [N, C]} or {@code [N, C, H, W]} per
     * channel (axis 1): {@code (x - mean) / sqrt(var + eps) * weight + bias}, weight and bias {@code [C]} or
     * null (no affine).
     * <ul>
     * <li>training: the batch's mean and biased variance normalise; runningMean and runningVar {@code [C]}
     *     (buffers: never given a gradient; may be null in training, then nothing is tracked) are updated IN
     *     PLACE, {@code running = (1 - momentum) * running + momentum * batchValue}, with the unbiased variance
     *     for runningVar. Needs more than one value per channel ({@code N * H * W > 1}).</li>
     * <li>inference: runningMean and runningVar (required) normalise and are left alone; the gradient is the
     *     affine map's this makes: the input's a product, the weight's and bias's sums from the backend's
     *     batch-norm backward (recorded ops when the backward pass records its graph).</li>
     * </ul>
     * Records gradients for x, weight and bias.
     *
     * @throws IllegalArgumentException naming the op and the shapes for a rank other than 2 or 4, a weight,
     *     bias or running statistic that is not {@code [C]}, differing dtypes or devices, a missing running
     *     statistic in inference, or a single value per channel in training
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return BatchNormOps.batchNorm("batchNorm", x, null, runningMean, runningVar, weight, bias, training, momentum,
                eps, null, 0);
    }

    /**
     * {@code op(batchNorm(...))}: batch normalisation and its activation as one op, the activation applied to
     * the normalised values in place, so that the pre-activation is never kept (a ResNet keeps one tensor fewer
     * per block); the same values and gradients as {@link #batchNorm(Tensor, Tensor, Tensor, Tensor, Tensor,
     * boolean, double, double)} followed by the activation. {@code activation} one for which
     * {@link UnaryOp#derivativeFromOutput} holds, {@code param} its slope or alpha.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps, UnaryOp activation, double param) {
        String op = Checks.fused("batchNorm", activation, param);
        return BatchNormOps.batchNorm(op, x, null, runningMean, runningVar, weight, bias, training, momentum, eps,
                activation, param);
    }

    /**
     * {@code activation(batchNorm(x, ...) + residual)}: a residual block's last normalisation, shortcut and
     * activation as one op that keeps only its output (a ResNet basic block keeps two tensors of its output's size
     * fewer than with the three ops). The same values and gradients as {@link #batchNorm(Tensor, Tensor, Tensor,
     * Tensor, Tensor, boolean, double, double)}, then {@code add(residual)}, then the activation; residual (x's
     * shape, dtype and device) receives the gradient of the sum. {@code activation} null (none) or one for which
     * {@link UnaryOp#derivativeFromOutput} holds, {@code param} its slope or alpha.
     *
     * @throws IllegalArgumentException as batchNorm does, and for a residual of another shape, dtype or device
     */
    public static Tensor batchNormResidual(Tensor x, Tensor residual, Tensor runningMean, Tensor runningVar,
                                           Tensor weight, Tensor bias, boolean training, double momentum, double eps,
                                           UnaryOp activation, double param) {
        if (residual == null) {
            throw new IllegalArgumentException("batchNormResidual: residual is null; without one, use batchNorm");
        }
        String op = activation == null ? "batchNormResidual" : Checks.fused("batchNormResidual", activation, param);
        return BatchNormOps.batchNorm(op, x, residual, runningMean, runningVar, weight, bias, training, momentum, eps,
                activation, param);
    }

    /**
     * Layer normalisation (PyTorch's {@code F.layer_norm} over the last axis): x {@code [..., features]}, each row
     * normalised by the mean and biased variance of its values, then each feature j given its weight and bias:
     * {@code (x - mean) / sqrt(var + eps) * weight[j] + bias[j]}, the same shape. weight and bias {@code [features]},
     * each may be null (1 and 0). One recorded op (gradients for x, weight and bias) on the backend's fused kernels,
     * which keeps only the rows' mean and reciprocal standard deviation. As PyTorch: a row of one value gives the
     * bias, a row holding NaN or an infinity gives NaN, no rows give an empty output and zero parameter gradients.
     *
     * @throws IllegalArgumentException naming the op and the shapes for a scalar input, a negative or NaN eps, or a
     *     weight or bias that is not {@code [features]} or differs in dtype or device
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return LayerNormOps.layerNorm(x, weight, bias, eps);
    }

    // ---- Embedding ----------------------------------------------------------------------------------

    /**
     * Looks up rows of {@code weight} [rows, dim] (PyTorch's {@code F.embedding}): {@code indices} (I64 or
     * I32, any shape, each in [0, rows)) gives [...indices, dim]. The gradient adds into the rows looked up.
     *
     * @throws IllegalArgumentException for a weight that is not 2-D, indices that are not integers, or an
     *     index out of range (naming it)
     */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        return IndexOps.embedding(indices, weight, -1);
    }

    /**
     * {@link #embedding(Tensor, Tensor)} where row {@code paddingIdx} (in [0, rows)) receives no gradient,
     * as with PyTorch's {@code padding_idx}: padding tokens look it up without training it.
     */
    public static Tensor embedding(Tensor indices, Tensor weight, int paddingIdx) {
        if (paddingIdx < 0) {
            throw new IllegalArgumentException("embedding: padding index must be in [0, rows), got " + paddingIdx);
        }
        return IndexOps.embedding(indices, weight, paddingIdx);
    }

    /**
     * {@link #embedding(Tensor, Tensor)} whose weight gradient is sparse (PyTorch's {@code F.embedding(...,
     * sparse=True)}): a backward pass that fills {@code grad()} ({@link Tensor#backward()}, not {@link Autograd#grad})
     * adds the looked-up rows' gradients to {@code weight.sparseGrad()} [rows, dim] and leaves {@code weight.grad()}
     * alone, so that a step of a large table costs the rows looked up. The indices are read on the host. The weight,
     * when it requires a gradient, must be a leaf (a parameter).
     *
     * @throws IllegalArgumentException as {@link #embedding(Tensor, Tensor)}, and for a weight made by an op
     */
    public static Tensor sparseEmbedding(Tensor indices, Tensor weight) {
        return SparseEmbedding.lookup(indices, weight, -1);
    }

    /**
     * {@link #sparseEmbedding(Tensor, Tensor)} whose row {@code paddingIdx} (in [0, rows)) gets no gradient entries,
     * as with PyTorch's {@code padding_idx}.
     */
    public static Tensor sparseEmbedding(Tensor indices, Tensor weight, int paddingIdx) {
        if (paddingIdx < 0) {
            throw new IllegalArgumentException("sparseEmbedding: padding index must be in [0, rows), got " + paddingIdx);
        }
        return SparseEmbedding.lookup(indices, weight, paddingIdx);
    }

    // ---- Recurrent cells ----------------------------------------------------------------------------

    /** The new hidden state {@code h} and cell state {@code c} of an LSTM step, each [batch, hidden]. */
    public record LstmState(Tensor h, Tensor c) {
    }

    /**
     * One LSTM step after its matrix products, fused (PyTorch's {@code nn.LSTMCell}, gate order i, f, g, o):
     * {@code gates} [batch, 4 * hidden] is {@code x W_ih^T + b_ih + h W_hh^T + b_hh} and {@code c}
     * [batch, hidden] the previous cell state;
     * <pre>
     * i, f, o = sigmoid of gate blocks 0, 1, 3;   g = tanh of block 2
     * c' = f * c + i * g;                        h' = o * tanh(c')
     * </pre>
     * Returns h' and c' [batch, hidden], with gradients for gates and c.
     *
     * @throws IllegalArgumentException naming the op and both shapes when they are not
     *     [batch, 4 * hidden] and [batch, hidden], or their dtypes or devices differ
     */
    public static LstmState lstmCell(Tensor gates, Tensor c) {
        return RecurrentOps.lstmCell(gates, c);
    }

    /**
     * One GRU step after its matrix products, fused (PyTorch's {@code nn.GRUCell}, gate order r, z, n):
     * {@code inputGates = x W_ih^T + b_ih} and {@code hiddenGates = h W_hh^T + b_hh} [batch, 3 * hidden]
     * are kept apart because the reset gate scales only the hidden part of n; {@code h} [batch, hidden] is
     * the previous hidden state.
     * <pre>
     * r = sigmoid(i_r + h_r);   z = sigmoid(i_z + h_z);   n = tanh(i_n + r * h_n)
     * h' = (1 - z) * n + z * h
     * </pre>
     * Returns h' [batch, hidden], with gradients for all three inputs.
     *
     * @throws IllegalArgumentException naming the op and the shapes when they are not [batch, 3 * hidden]
     *     twice and [batch, hidden], or their dtypes or devices differ
     */
    public static Tensor gruCell(Tensor inputGates, Tensor hiddenGates, Tensor h) {
        return RecurrentOps.gruCell(inputGates, hiddenGates, h);
    }

    /**
     * What a recurrence over a whole sequence returns: {@code output} [steps, batch, hidden] holds the hidden
     * state after every step (zero at steps past a sequence's length), {@code h} and {@code c} [batch, hidden]
     * the final states, each taken at its sequence's last real step ({@code c} is null for GRU and RNN).
     */
    public record SequenceOutput(Tensor output, Tensor h, Tensor c) {
    }

    /**
     * A whole LSTM layer in one direction over a sequence, given its input projection for every step:
     * {@code inputGates} [steps, batch, 4 * hidden] is {@code x_t W_ih^T + b_ih + b_hh} (one GEMM over all
     * steps), {@code h0} and {@code c0} [batch, hidden] the initial states, or both null to start from zeros
     * (PyTorch's {@code hx = None}; the first step then needs no GEMM), {@code weightHh} [4 * hidden, hidden].
     * Each step adds {@code h W_hh^T} and runs {@link #lstmCell}; with {@code reverse} the steps run from last
     * to first. {@code lengths} (null: every sequence is {@code steps} long) must be
     * non-increasing, each in [0, steps]: a sequence's state stops at its last real step and its later
     * output rows are zero. One graph node with back-propagation through time; gradients for inputGates,
     * h0, c0 and weightHh.
     *
     * @throws IllegalArgumentException naming the op and all shapes when they do not fit together, or for
     *     lengths that are out of range, unsorted or not one per sequence
     */
    public static SequenceOutput lstmSequence(Tensor inputGates, Tensor h0, Tensor c0, Tensor weightHh, int[] lengths,
                                              boolean reverse) {
        return RecurrentOps.sequence(RecurrentOps.Kind.LSTM, inputGates, h0, c0, weightHh, null, lengths, reverse);
    }

    /**
     * A whole GRU layer in one direction, like {@link #lstmSequence}: {@code inputGates} [steps, batch,
     * 3 * hidden] is {@code x_t W_ih^T + b_ih}; each step computes {@code h W_hh^T + biasHh} (biasHh
     * [3 * hidden] or null) and runs {@link #gruCell}; {@code h0} null starts from zeros. Gradients for inputGates,
     * h0, weightHh and biasHh.
     */
    public static SequenceOutput gruSequence(Tensor inputGates, Tensor h0, Tensor weightHh, Tensor biasHh, int[] lengths,
                                             boolean reverse) {
        return RecurrentOps.sequence(RecurrentOps.Kind.GRU, inputGates, h0, null, weightHh, biasHh, lengths, reverse);
    }

    /**
     * A whole Elman RNN layer in one direction, like {@link #lstmSequence}: {@code inputGates} [steps, batch,
     * hidden] is {@code x_t W_ih^T + b_ih + b_hh}; each step is {@code h = act(inputGates_t + h W_hh^T)} with
     * act tanh, or ReLU when {@code relu}; {@code h0} null starts from zeros. Gradients for inputGates, h0 and
     * weightHh.
     */
    public static SequenceOutput rnnSequence(Tensor inputGates, Tensor h0, Tensor weightHh, boolean relu, int[] lengths,
                                             boolean reverse) {
        return RecurrentOps.sequence(relu ? RecurrentOps.Kind.RNN_RELU : RecurrentOps.Kind.RNN_TANH, inputGates, h0, null,
                weightHh, null, lengths, reverse);
    }

    private static Pool2dGeometry poolGeometry(String op, Tensor input, int[] kernel, int[] stride, int[] padding,
                                               boolean ceilMode, boolean countIncludePad) {
        Checks.open(op, input);
        Checks.floating(op, input);
        return Pool2dGeometry.of(op, input.shape(), kernel, stride, padding, ceilMode, countIncludePad);
    }

    /**
     * {@code x} padded with {@code value} (PyTorch's {@code F.pad(x, pads, value=value)}, constant mode): {@code pads}
     * holds (before, after) pairs for the last axis, then the one before it, and so on, at most one pair per axis; a
     * negative amount crops. [..., n] with pair (a, b) gives [..., a + n + b]. Any dtype (an integer tensor takes the
     * value truncated, as PyTorch's).
     */
    public static Tensor pad(Tensor x, int[] pads, double value) {
        return PadOps.pad(x, pads, value);
    }

    /** {@link #pad(Tensor, int[], double)} with zeros. */
    public static Tensor pad(Tensor x, int... pads) {
        return PadOps.pad(x, pads, 0);
    }

    /**
     * {@code x} padded in {@code mode} (PyTorch's {@code F.pad(x, pads, mode=...)}), {@code pads} as for
     * {@link #pad(Tensor, int[], double)}: (before, after) pairs, the last axis first; a negative amount crops.
     * {@link PaddingMode#ZEROS} is that method with 0. {@code REFLECT}, {@code REPLICATE} and {@code CIRCULAR} pad
     * the last 1, 2 or 3 axes (2, 4 or 6 amounts) of an unbatched [channels, ...] or batched [batch, channels, ...]
     * input, of 2 or 3, 3 or 4, 4 or 5 dimensions: [n, c, h, w] with (left, right, top, bottom) gives [n, c, top + h +
     * bottom, left + w + right]. Reflect adds less than the axis's size on each side; circular crops first and adds at
     * most what is left of the axis (PyTorch 1.13 pads batched inputs alone in this mode, 2.x both). Any dtype; the
     * gradient adds each output element's gradient to the input element it copies. Built of one {@code indexSelect}
     * with an index uploaded from the host, so it runs on every backend, but not inside a step recorded as a
     * {@link StepGraph}.
     *
     * @throws IllegalArgumentException naming the padding, the axis and the shape for an odd number of amounts, a
     *     number of pairs or a rank the mode does not take, a reflection as large as its axis, a circular padding
     *     that wraps around more than once, or a reflection or replication that leaves an axis empty
     */
    public static Tensor pad(Tensor x, int[] pads, PaddingMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("pad: mode must be one of " + Arrays.toString(PaddingMode.values())
                    + ", got null");
        }
        return mode == PaddingMode.ZEROS ? PadOps.pad(x, pads, 0) : BorderPadOps.pad(x, pads, mode);
    }

    /**
     * {@code x} resampled to {@code size} or by {@code scaleFactor} (exactly one given; one entry for every spatial
     * axis, or one per axis), PyTorch's {@code F.interpolate(x, size, scale_factor, mode, align_corners,
     * recompute_scale_factor)}: [batch, channels, d1, ..., dk] (k = 1, 2 or 3, as {@code mode} takes) to
     * [batch, channels, o1, ..., ok], with {@code oi = floor(di * scaleFactor_i)} for a factor. A factor is used as
     * given (source position {@code (o + 0.5) / scaleFactor - 0.5}, not {@code (o + 0.5) di / oi - 0.5}) unless
     * {@code recomputeScaleFactor} or mode {@link InterpolationMode#AREA}; {@code alignCorners} lines up the corner
     * elements' centres instead of their edges (the interpolating modes alone). Values and gradients follow PyTorch
     * 1.13's CPU kernels, except where PyTorch's own nearest gradient by a factor is not that of its forward pass:
     * here it is. No antialiasing (see the overload with {@code antialias}). F32 or F64. The interpolating modes and
     * area are one matrix product per resized axis (bicubic too), the nearest modes one gather.
     *
     * @throws IllegalArgumentException naming the argument and its value for a null mode, an input rank the mode does
     *     not take, {@code alignCorners} with a nearest mode or area, both or neither of size and scaleFactor,
     *     {@code recomputeScaleFactor} with a size, entries neither 1 nor one per spatial axis, a size below 1, a
     *     factor that is not positive and finite or leaves an axis empty, or an integer input
     */
    public static Tensor interpolate(Tensor x, int[] size, double[] scaleFactor, InterpolationMode mode,
            boolean alignCorners, boolean recomputeScaleFactor) {
        return InterpolateOps.interpolate(x, size, scaleFactor, mode, alignCorners, recomputeScaleFactor, false);
    }

    /**
     * {@link #interpolate(Tensor, int[], double[], InterpolationMode, boolean, boolean)} with PyTorch's
     * {@code antialias}: for {@link InterpolationMode#BILINEAR} and {@link InterpolationMode#BICUBIC}, where the
     * image shrinks, each output pixel averages every input pixel under a filter widened by the ratio of sizes (a
     * triangle, or Keys's cubic with A = -0.5), as Pillow resizes; where it grows the same filters, their weights
     * renormalised at the edges (so bicubic differs from {@code antialias=false} there too). As PyTorch 1.13's
     * {@code _upsample_bilinear2d_aa} and {@code _upsample_bicubic2d_aa}, values and gradients.
     *
     * @throws IllegalArgumentException as the overload without it does, or for {@code antialias} with another mode
     */
    public static Tensor interpolate(Tensor x, int[] size, double[] scaleFactor, InterpolationMode mode,
            boolean alignCorners, boolean recomputeScaleFactor, boolean antialias) {
        return InterpolateOps.interpolate(x, size, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias);
    }

    /** {@link #interpolate(Tensor, int[], double[], InterpolationMode, boolean, boolean)} to {@code size}. */
    public static Tensor interpolate(Tensor x, int[] size, InterpolationMode mode, boolean alignCorners) {
        return InterpolateOps.interpolate(x, size, null, mode, alignCorners, false, false);
    }

    /**
     * {@link #interpolate(Tensor, int[], double[], InterpolationMode, boolean, boolean)} by {@code scaleFactor}, used
     * as given.
     */
    public static Tensor interpolate(Tensor x, double[] scaleFactor, InterpolationMode mode, boolean alignCorners) {
        return InterpolateOps.interpolate(x, null, scaleFactor, mode, alignCorners, false, false);
    }

    /**
     * PyTorch's {@code F.affine_grid}: the sampling grid of a batch of affine transforms, for {@link #gridSample}.
     * {@code theta} [N, 2, 3] with {@code size} (N, C, H, W) gives [N, H, W, 2], each output position's normalised
     * (x, y) mapped through its theta; theta [N, 3, 4] with (N, C, D, H, W) gives [N, D, H, W, 3] (x, y, z). The
     * positions span [-1, 1] from the outer pixels' centres with {@code alignCorners}, from their outer edges without.
     * Differentiable in theta; the base grid is uploaded from the host, so not inside a {@link StepGraph}.
     *
     * @throws IllegalArgumentException for a size of other than 4 or 5 positive entries, or theta not [N, 2, 3] or
     *     [N, 3, 4] to match it
     */
    public static Tensor affineGrid(Tensor theta, int[] size, boolean alignCorners) {
        return AffineGridOps.affineGrid(theta, size, alignCorners);
    }

    /**
     * PyTorch's {@code F.affine_grid(theta, size)}: {@link #affineGrid(Tensor, int[], boolean)} with PyTorch's
     * default, {@code align_corners=False} (1.13 warns where it is left out).
     */
    public static Tensor affineGrid(Tensor theta, int[] size) {
        return affineGrid(theta, size, false);
    }

    /**
     * PyTorch 1.13's {@code F.grid_sample}: {@code input} [N, C, H, W] read at {@code grid} [N, Ho, Wo, 2]'s points,
     * normalised (x, y) with (-1, -1) the top left, gives [N, C, Ho, Wo]; volumetric input [N, C, D, H, W] with grid
     * [N, Do, Ho, Wo, 3] gives [N, C, Do, Ho, Wo] (bicubic takes 4-D input only). {@code alignCorners} as
     * {@link #affineGrid}. Composed of Tensor ops: differentiable in the input and (bilinear, bicubic) the grid, on
     * every backend, and again in a backward pass that records its graph.
     *
     * @throws IllegalArgumentException for a null mode or padding, input of another rank than 4 or 5 (4 for bicubic)
     *     or with an empty spatial axis, a grid not of the input's rank and batch ending in 2 (3 for volumetric input),
     *     or a dtype or backend that differs
     */
    public static Tensor gridSample(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                                    boolean alignCorners) {
        return GridSampleOps.gridSample(input, grid, mode, padding, alignCorners);
    }

    /**
     * PyTorch's {@code F.grid_sample(input, grid)}: {@link #gridSample(Tensor, Tensor, GridSampleMode,
     * GridSamplePadding, boolean)} with PyTorch's defaults, bilinear, zeros padding and {@code align_corners=False}.
     */
    public static Tensor gridSample(Tensor input, Tensor grid) {
        return gridSample(input, grid, GridSampleMode.BILINEAR, GridSamplePadding.ZEROS, false);
    }

    // ---- Contractions and grids of whole tensors (see TensordotOps, GridOps) -------------------------------------

    /**
     * PyTorch's {@code tensordot(a, b, dims)}: a's last {@code dims} axes summed against b's first {@code dims}, in
     * order; the result is a's other axes then b's. One matrix product; F32 or F64.
     *
     * @throws IllegalArgumentException naming dims and both shapes when dims is out of range or the sizes differ
     */
    public static Tensor tensordot(Tensor a, Tensor b, int dims) {
        return TensordotOps.tensordot(a, b, dims);
    }

    /**
     * PyTorch's {@code tensordot(a, b, dims=(dimsA, dimsB))}: axis {@code dimsA[i]} of a summed against
     * {@code dimsB[i]} of b (equal sizes); the result is a's other axes then b's, each in order.
     */
    public static Tensor tensordot(Tensor a, Tensor b, int[] dimsA, int[] dimsB) {
        return TensordotOps.tensordot(a, b, dimsA, dimsB);
    }

    /**
     * PyTorch's {@code meshgrid(*tensors, indexing)}: for vectors [n0], [n1], ... one grid each of shape
     * [n0, n1, ...] holding vector i along axis i ({@code "ij"}), or with the first two axes swapped ({@code "xy"},
     * NumPy's and Matplotlib's). Differentiable; any dtype.
     */
    public static List<Tensor> meshgrid(List<Tensor> tensors, String indexing) {
        return GridOps.meshgrid(tensors, indexing);
    }

    /**
     * PyTorch's {@code cartesian_prod}: vectors [n0], [n1], ..., [n(k-1)] to [n0 n1 ..., k], every combination in
     * row-major order (the last vector fastest); a single vector is returned as it is.
     */
    public static Tensor cartesianProd(List<Tensor> tensors) {
        return GridOps.cartesianProd(tensors);
    }

    // ---- Element-wise math (see PointwiseMathOps) ----------------------------------------------------------------

    /**
     * {@code log(sigmoid(x))} element-wise, same shape (PyTorch's {@code F.logsigmoid}), as
     * {@code min(x, 0) - log1p(exp(-|x|))}: no overflow, and the tiny values of large x kept; the gradient is
     * {@code sigmoid(-x)}.
     */
    public static Tensor logSigmoid(Tensor x) {
        return PointwiseMathOps.logSigmoid(x);
    }


    // ---- Gumbel-softmax and scaled dot-product attention (see GumbelSoftmaxOps, ScaledDotProductAttention) --------

    /**
     * PyTorch's {@code F.gumbel_softmax(logits, tau, hard, dim)}: a sample, the shape of {@code logits}, of
     * {@code softmax((logits + g) / tau, dim)} with g standard Gumbel noise from the engine's seeded stream; when
     * {@code hard}, the one-hot of its argmax over {@code dim} in the forward pass with the soft sample's gradient
     * (straight-through). The argmax is distributed as {@code softmax(logits, dim)}.
     *
     * @throws IllegalArgumentException when tau is not positive or dim is out of range for the logits' shape
     */
    public static Tensor gumbelSoftmax(Tensor logits, double tau, boolean hard, int dim) {
        return GumbelSoftmaxOps.gumbelSoftmax(logits, tau, hard, dim);
    }

    /**
     * {@link #gumbelSoftmax(Tensor, double, boolean, int)} with the Gumbel noise given: {@code gumbels}, of the
     * logits' shape, holds samples of {@code -log(Exponential(1))}; for reusing a draw or comparing with another
     * framework's numbers.
     */
    public static Tensor gumbelSoftmax(Tensor logits, Tensor gumbels, double tau, boolean hard, int dim) {
        return GumbelSoftmaxOps.withNoise(logits, gumbels, tau, hard, dim);
    }

    /**
     * PyTorch 2's {@code F.scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal)}:
     * {@code dropout(softmax(q k^T / sqrt(E) + bias), dropoutP) v} for query [..., L, E], key [..., S, E] and value
     * [..., S, Ev] (the same leading axes, such as [batch, heads]), giving [..., L, Ev]. {@code attnMask} (or
     * null) broadcasts to [..., L, S]: an integer mask says which keys a query may attend to (non-zero: it may, as
     * PyTorch's boolean {@code True}), a floating one is added to the scores. {@code isCausal} lets query i attend to
     * keys 0..i only. Dropout, when {@code dropoutP > 0}, applies whatever the mode (pass 0 in evaluation, as in
     * PyTorch). A query with no key to attend to gives NaN, as in PyTorch.
     *
     * @throws IllegalArgumentException naming the shapes when E or S differ, the mask does not broadcast, or both a
     *     mask and {@code isCausal} are given
     */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor attnMask,
                                                   double dropoutP, boolean isCausal) {
        return ScaledDotProductAttention.apply(query, key, value, attnMask, dropoutP, isCausal);
    }

    // ---- Distances between rows (see DistanceOps) ------------------------------------------------------------------

    /**
     * PyTorch's {@code cdist(x1, x2, p)}: the p-norm distance between each row of x1 [B..., P, M] and each row of x2
     * [B..., R, M], [B..., P, R] (batch axes broadcast). p = 2 with more than 25 rows on either side goes through a
     * matrix product, as PyTorch's default compute mode; the gradient is 0 at zero distance, as PyTorch's. p = 0
     * counts differing coordinates (a zero gradient); at p = infinity each tied largest difference gets all of the
     * gradient, as in PyTorch. Other cases hold the [B..., P, R, M] differences. F32 or F64.
     *
     * @throws IllegalArgumentException naming p below 0 or NaN, inputs below 2-D, rows of different lengths, batch
     *     axes that do not broadcast, or a dtype or backend that differs
     */
    public static Tensor cdist(Tensor x1, Tensor x2, double p) {
        return DistanceOps.cdist(x1, x2, p);
    }

    /** {@link #cdist(Tensor, Tensor, double)} with p = 2, the Euclidean distance. */
    public static Tensor cdist(Tensor x1, Tensor x2) {
        return DistanceOps.cdist(x1, x2, 2);
    }

    /**
     * PyTorch's {@code pdist(x, p)}: the p-norm distances between the rows of x [N, M], each pair i &lt; j once in
     * row-major order, [N (N - 1) / 2]; gradients as {@link #cdist}'s direct path.
     *
     * @throws IllegalArgumentException naming p below 0 or NaN, or input that is not 2-D
     */
    public static Tensor pdist(Tensor x, double p) {
        return DistanceOps.pdist(x, p);
    }

    /** {@link #pdist(Tensor, double)} with p = 2. */
    public static Tensor pdist(Tensor x) {
        return DistanceOps.pdist(x, 2);
    }

    // ---- Index grids, block matrices, integrals, spacings and histograms (see each op's *Ops class) ---------------

    /**
     * PyTorch's {@code triu_indices(n, m, offset)}: the (row, column) pairs of an n x m matrix's upper triangle,
     * {@code column - row >= offset}, as I64 [2, k] (rows, then columns), in row-major order.
     *
     * @throws IllegalArgumentException naming a negative n or m
     */
    public static Tensor triuIndices(int n, int m, int offset) {
        return TriangleIndexOps.indices("triuIndices", n, m, offset, false);
    }

    /** PyTorch's {@code tril_indices(n, m, offset)}: the lower triangle's pairs, {@code column - row <= offset}. */
    public static Tensor trilIndices(int n, int m, int offset) {
        return TriangleIndexOps.indices("trilIndices", n, m, offset, true);
    }

    /**
     * PyTorch's {@code block_diag}: the matrices (a vector [n] counts as [1, n], a scalar as [1, 1]) corner to corner
     * on the diagonal of one [sum of rows, sum of columns] matrix, zeros elsewhere; differentiable. One dtype (PyTorch
     * promotes).
     *
     * @throws IllegalArgumentException naming none given, a tensor above 2-D, or a dtype or backend that differs
     */
    public static Tensor blockDiag(Tensor... tensors) {
        return BlockDiagOps.blockDiag(tensors);
    }

    /**
     * PyTorch's {@code vander(x, N, increasing)}: for x [m] the [m, n] matrix of its powers, x^(n-1) down to x^0, or
     * up from x^0 when {@code increasing}; integer x gives I64. Differentiable (through cumprod, exact at zeros).
     *
     * @throws IllegalArgumentException naming x unless 1-D, or a negative n
     */
    public static Tensor vander(Tensor x, int n, boolean increasing) {
        return VanderOps.vander(x, n, increasing);
    }

    /**
     * PyTorch's {@code trapezoid(y, x, dim)}: the trapezoidal rule along {@code axis} of y at sample points x (a [n]
     * vector along the axis, or a tensor whose differences along it broadcast with y's): y's shape without the axis.
     *
     * @throws IllegalArgumentException naming a vector x of another length than y's axis, or the axis
     */
    public static Tensor trapezoid(Tensor y, Tensor x, int axis) {
        return TrapezoidOps.trapezoid(y, x, axis);
    }

    /** PyTorch's {@code trapezoid(y, dx=dx, dim)}: the rule with samples {@code dx} apart. */
    public static Tensor trapezoid(Tensor y, double dx, int axis) {
        return TrapezoidOps.trapezoid(y, dx, axis);
    }

    /**
     * PyTorch's {@code cumulative_trapezoid(y, x, dim)}: the running integrals along {@code axis}, one fewer than y
     * has there (none for fewer than 2 samples).
     */
    public static Tensor cumulativeTrapezoid(Tensor y, Tensor x, int axis) {
        return TrapezoidOps.cumulativeTrapezoid(y, x, axis);
    }

    /** PyTorch's {@code cumulative_trapezoid(y, dx=dx, dim)}. */
    public static Tensor cumulativeTrapezoid(Tensor y, double dx, int axis) {
        return TrapezoidOps.cumulativeTrapezoid(y, dx, axis);
    }

    /**
     * PyTorch 2's {@code unravel_index(indices, shape)} (PyTorch 1.13 has none): the coordinates of flat indices
     * (I32 or I64) in {@code shape}, one I64 tensor of the indices' shape per axis; negative indices count from the
     * end and indices past the end wrap round, as PyTorch 2's {@code floor(index / stride) mod size}.
     *
     * @throws IllegalArgumentException naming floating indices or a size that is not positive
     */
    public static List<Tensor> unravelIndex(Tensor indices, int... shape) {
        return UnravelIndexOps.unravelIndex(indices, shape);
    }

    /**
     * PyTorch's {@code linspace(start, end, steps, dtype)}: [steps] evenly spaced from start to end, both included
     * (start alone for one step), with PyTorch's formula (its rounding, not always that of PyTorch's CPU build, which
     * fuses multiply-adds and runs SIMD loops), on the default backend.
     *
     * @throws IllegalArgumentException naming negative steps
     */
    public static Tensor linspace(double start, double end, int steps, DType dtype) {
        return SpacingOps.linspace(start, end, steps, dtype);
    }

    /** {@link #linspace(double, double, int, DType)} in F32, PyTorch's default dtype. */
    public static Tensor linspace(double start, double end, int steps) {
        return SpacingOps.linspace(start, end, steps, DType.F32);
    }

    /** PyTorch's {@code logspace(start, end, steps, base, dtype)}: base raised to each point of linspace. */
    public static Tensor logspace(double start, double end, int steps, double base, DType dtype) {
        return SpacingOps.logspace(start, end, steps, base, dtype);
    }

    /**
     * PyTorch's {@code histogram(x, bins, range=(min, max), weight, density)}: {@code bins} equal bins over [min, max]
     * ([min - 0.5, max + 0.5] where they are equal), each with its left edge and the last with its right one;
     * elements outside and NaN are left out (PyTorch 1.13 counts NaN in a bin). {@code weights} (x's shape, or null)
     * are summed instead of ones; {@code density} divides by the total and the bins' widths. hist [bins], binEdges
     * [bins + 1], of x's dtype; no gradient.
     *
     * @throws IllegalArgumentException naming bins below 1, a range that is not finite with min &lt;= max, or weights
     *     of another shape, dtype or backend
     */
    public static Histogram histogram(Tensor x, int bins, double min, double max, Tensor weights, boolean density) {
        return HistogramBinsOps.histogram(x, bins, min, max, false, weights, density);
    }

    /** {@link #histogram(Tensor, int, double, double, Tensor, boolean)} over the data's smallest to largest element. */
    public static Histogram histogram(Tensor x, int bins, Tensor weights, boolean density) {
        return HistogramBinsOps.histogram(x, bins, 0, 0, true, weights, density);
    }

    /** PyTorch's {@code histogram(x, bins=edges, weight, density)}: bins between the 1-D non-decreasing edges. */
    public static Histogram histogram(Tensor x, Tensor edges, Tensor weights, boolean density) {
        return HistogramBinsOps.histogram(x, edges, weights, density);
    }
}
