package dev.kiln.engine;

import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * The contract each backend implements (DESIGN.md, "The Backend SPI"). Every method receives tensors
 * whose shapes, dtypes and devices the engine has already checked; outputs are allocated by the engine,
 * contiguous and not aliased with the inputs, except that the element-wise methods ({@link #unary},
 * {@link #affine}, {@link #binary}, {@link #where}) accept an output that is one of their inputs with the
 * same shape (in-place updates). A backend never sees autograd: it computes values only.
 *
 * <p>Tensors are row-major with an element offset into their storage ({@link Tensor#offset()}).
 * Methods that work "over an axis" view a tensor as {@code [outer, n, inner]} around that axis.
 *
 * <p>Fused operations are {@code default} methods composed from the primitives; a backend overrides
 * them when it has something faster, and the test suite checks each override against its composite.
 */
public interface Backend extends AutoCloseable {

    /** Short name used for selection, e.g. "cpu" or "cuda". */
    String name();

    Device device();

    // ---- 1. Memory ------------------------------------------------------------------------------

    /** Allocates room for {@code elements} values of {@code dtype}; contents are undefined. */
    Storage allocate(DType dtype, long elements);

    /** Sets every element of {@code out} to {@code value}. */
    void fill(Tensor out, double value);

    /**
     * Copies host values into {@code dst}. {@code src} is a FloatBuffer, DoubleBuffer, IntBuffer or
     * LongBuffer matching dst's dtype, with exactly dst.size() elements remaining.
     */
    void copyFromHost(Buffer src, Tensor dst);

    /** Copies {@code src} to host memory; the mirror of {@link #copyFromHost}. */
    void copyToHost(Tensor src, Buffer dst);

    /**
     * Starts copying the value of one-element {@code src} to the host and returns without waiting; the result waits
     * only for the work queued before this call ({@link Tensor#itemAsync}). By default the value is read at once,
     * which is all a backend whose operations finish before they return can do.
     */
    default PendingItem itemAsync(Tensor src) {
        double value = src.item();
        return () -> value;
    }

    /** Copies {@code src} into {@code dst} of the same size, converting between dtypes if they differ. */
    void copy(Tensor src, Tensor dst);

    /**
     * Copies {@code length} slices along {@code axis}: with both tensors viewed as
     * {@code [outer, n, inner]} around {@code axis} (same outer and inner),
     * {@code dst[o, dstStart + j, i] = src[o, srcStart + j, i]} for j in [0, length). Concatenation,
     * splitting and narrowing are built from it.
     */
    void copySlices(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length);

    /** {@code out = src} with dimensions reordered: {@code out.shape[i] = src.shape[perm[i]]}. */
    void permute(Tensor src, int[] perm, Tensor out);

    // ---- 2. GEMM --------------------------------------------------------------------------------

    /**
     * {@code C = alpha op(A) op(B) + beta C} for row-major matrices; op(A) is [m, k], op(B) is [k, n],
     * C is [m, n]. A transposed operand is stored as its transpose ([k, m] or [n, k]).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              double alpha, Tensor a, Tensor b, double beta, Tensor c);

    /**
     * {@code batch} independent GEMMs; matrix i of each operand starts {@code i * stride} elements after
     * the tensor's offset. A stride of 0 reuses one matrix for every batch entry (broadcasting). Outputs that
     * overlap ({@code |strideC| < m * n}, 0 for one C shared by the batch) are computed one product at a time in batch
     * order, each reading what the one before wrote: with C's stride 0 and beta 1 the products add up in C.
     */
    void gemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            Tensor a, long strideA, Tensor b, long strideB, double beta,
                            Tensor c, long strideC, int batch);

    /**
     * {@link #gemm} in {@link Precision#BF16}: A and B (F32) rounded to bfloat16, products accumulated in F32,
     * {@code C} F32. By default it multiplies rounded copies ({@link #roundToBfloat16}) with {@link #gemm}; a
     * backend with bf16 hardware overrides it.
     */
    default void gemmBf16(boolean transA, boolean transB, int m, int n, int k,
                          double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        gemmOnRoundedCopies(Precision.BF16, transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    /** {@link #gemmStridedBatched} in {@link Precision#BF16}, as {@link #gemmBf16} is to {@link #gemm}. */
    default void gemmStridedBatchedBf16(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                        Tensor a, long strideA, Tensor b, long strideB, double beta,
                                        Tensor c, long strideC, int batch) {
        gemmStridedBatchedOnRoundedCopies(Precision.BF16, transA, transB, m, n, k, alpha, a, strideA, b, strideB,
                beta, c, strideC, batch);
    }

    /**
     * {@code out = x} (both F32, same shape) with every element rounded to the nearest bfloat16, ties to even
     * ({@link Precision#roundToBfloat16}, exactly); out may be x.
     */
    void roundToBfloat16(Tensor x, Tensor out);


    // ---- 3. Element-wise ------------------------------------------------------------------------

    /** {@code out = op(x)}; {@code param} as documented on {@link UnaryOp}. */
    void unary(UnaryOp op, double param, Tensor x, Tensor out);

    /**
     * {@code gradX = gradY * op'(x)}, given the forward input {@code x} and output {@code y}
     * (a backend may use whichever is cheaper). Where {@link UnaryOp#derivativeFromOutput} holds, y passed
     * for x must give the same result.
     */
    void unaryBackward(UnaryOp op, double param, Tensor x, Tensor y, Tensor gradY, Tensor gradX);

    /**
     * A dense layer's bias and activation in one pass: {@code out = op(x + bias)}, x and out
     * {@code [rows, cols]}, bias {@code [cols]} added to every row; out may be x. {@code op} must satisfy
     * {@link UnaryOp#derivativeFromOutput}, so that {@link #biasActivationBackward} needs only out.
     */
    default void biasActivation(UnaryOp op, double param, Tensor x, Tensor bias, Tensor out) {
        binary(BinaryOp.ADD, x, bias, out);
        unary(op, param, out, out);
    }

    /**
     * Gradient of {@link #biasActivation} from its output {@code y} {@code [rows, cols]}:
     * {@code gradPre = gradY * op'(pre)} {@code [rows, cols]}, the gradient of x, and {@code gradBias}
     * {@code [cols]}, the column sums of gradPre (null when the bias needs none).
     */
    default void biasActivationBackward(UnaryOp op, double param, Tensor y, Tensor gradY, Tensor gradPre,
                                        Tensor gradBias) {
        unaryBackward(op, param, y, y, gradY, gradPre);
        if (gradBias != null) {
            reduce(ReduceOp.SUM, gradPre, 0, gradBias);
        }
    }

    /** {@code out = x * scale + shift}. */
    void affine(Tensor x, double scale, double shift, Tensor out);

    /**
     * {@code out = op(a, b)} with NumPy broadcasting of a and b to out's shape. Integer ADD, SUB and MUL are exact,
     * wrapping at the dtype's width as PyTorch's: integer cumsum and prod are built on them. Integer FLOOR_DIVIDE,
     * REMAINDER and FMOD are exact too; where a divisor is 0 the CPU backend throws an ArithmeticException naming
     * the op and the CUDA backend gives quotient -1 and remainders equal to the dividend.
     */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** {@code out = cond != 0 ? a : b}, all three broadcast to out's shape. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    // ---- 4. Reductions --------------------------------------------------------------------------

    /** Reduces {@code x} viewed as [outer, n, inner] over n into {@code out} of [outer, inner]. */
    void reduce(ReduceOp op, Tensor x, int axis, Tensor out);

    /** Index (I64) of the first maximum over {@code axis}, into {@code out} of [outer, inner]. */
    void argmax(Tensor x, int axis, Tensor out);

    /**
     * Adds to {@code hits} (I64, one element) the number of rows of {@code scores} [rows, classes] whose first
     * maximum, by {@link #argmax}'s rule, is at the row's label in {@code labels} [rows] (I64): a training loop's
     * accuracy counted on the device, with no host read. By default an argmax, a comparison, a sum and an add.
     */
    default void accumulateHits(Tensor scores, Tensor labels, Tensor hits) {
        int rows = scores.dim(0);
        Tensor predicted = Tensor.empty(Shape.of(rows), DType.I64, this);
        Tensor equal = Tensor.empty(Shape.of(rows), DType.I64, this);
        Tensor count = Tensor.empty(hits.shape(), DType.I64, this);
        try {
            argmax(scores, 1, predicted);
            binary(BinaryOp.EQ, predicted, labels, equal);
            reduce(ReduceOp.SUM, equal, 0, count);
            binary(BinaryOp.ADD, hits, count, hits);
        } finally {
            closeAll(predicted, equal, count);
        }
    }

    /**
     * Sorts each row of the last axis of {@code x} {@code [..., n]} (any dtype) and writes the first k of every sorted
     * row: their values into {@code values} (x's dtype) and their positions in the row into {@code indices} (I64),
     * both {@code [..., k]} with {@code k <= n} (k = n sorts, k &lt; n is a top-k). The order is ascending, or
     * descending when {@code descending}, with NaN above every number (last ascending, first descending), -0.0 and
     * 0.0 equal, and equal elements in the order of their positions: PyTorch's {@code sort(stable=True)}.
     */
    void sortLastAxis(Tensor x, boolean descending, Tensor values, Tensor indices);

    // ---- 5. Softmax -----------------------------------------------------------------------------

    /** Softmax (or log-softmax) of each row of the last axis. */
    void softmax(Tensor x, boolean log, Tensor out);

    /** Gradient of {@link #softmax} given its output {@code y}. */
    void softmaxBackward(Tensor y, Tensor gradY, boolean log, Tensor gradX);

    /**
     * Fused, numerically stable softmax cross-entropy. logits [n, c], targets I64 [n] in [0, c);
     * writes per-row losses [n] and the softmax probabilities [n, c] for the backward pass.
     */
    default void crossEntropy(Tensor logits, Tensor targets, Tensor losses, Tensor probs) {
        softmax(logits, true, probs);
        Tensor picked = losses.reshape(losses.shape().dim(0), 1);
        gather(probs, 1, targets.reshape(targets.shape().dim(0), 1), picked);
        affine(losses, -1, 0, losses);
        unary(UnaryOp.EXP, 0, probs, probs);
    }

    /**
     * Gradient of {@link #crossEntropy}: {@code gradLogits[r] = (probs[r] - onehot(targets[r])) * g[r]} with
     * {@code g = gradLosses * scale} rounded to the dtype (as {@link #affine} rounds it); gradLosses [n], or one
     * element shared by every row: the gradient of the losses' mean is that of the mean with scale 1 / n.
     */
    default void crossEntropyBackward(Tensor probs, Tensor targets, Tensor gradLosses, double scale,
                                      Tensor gradLogits) {
        int n = probs.shape().dim(0);
        copy(probs, gradLogits);
        Tensor minusOne = Tensor.empty(Shape.of(n, 1), probs.dtype(), this);
        fill(minusOne, -1);
        scatterAdd(gradLogits, 1, targets.reshape(n, 1), minusOne);
        minusOne.close();
        Tensor scaled = Tensor.empty(gradLosses.shape(), gradLosses.dtype(), this);
        affine(gradLosses, scale, 0, scaled);
        binary(BinaryOp.MUL, gradLogits, scaled.reshape(gradLosses.size() == 1 ? 1 : n, 1), gradLogits);
        scaled.close();
    }

    // ---- 6. Convolution and pooling -------------------------------------------------------------

    /**
     * 2-D cross-correlation (PyTorch's {@code conv2d}, no groups): input {@code [batch, inChannels, height, width]},
     * weight {@code [outChannels, inChannels, kernelH, kernelW]}, bias {@code [outChannels]} or null, into
     * {@code out} of {@code [batch, outChannels, outH, outW]}, with the stride, zero padding and dilation of
     * {@code g}.
     */
    void conv2dForward(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out);

    /**
     * Gradient of {@link #conv2dForward} with respect to its input: from gradOut
     * {@code [batch, outChannels, outH, outW]} and the weight, writes (overwrites) gradInput
     * {@code [batch, inChannels, height, width]}.
     */
    void conv2dBackwardData(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput);

    /**
     * Gradient of {@link #conv2dForward} with respect to its weight and bias, summed over the batch: writes
     * (overwrites) gradWeight {@code [outChannels, inChannels, kernelH, kernelW]} and, when not null, gradBias
     * {@code [outChannels]}.
     */
    void conv2dBackwardFilter(Tensor input, Tensor gradOut, Conv2dGeometry g, Tensor gradWeight, Tensor gradBias);

    /**
     * Both gradients of {@link #conv2dForward} from one gradOut, as {@link #conv2dBackwardData} into gradInput
     * (null: not wanted) and {@link #conv2dBackwardFilter} into gradWeight and gradBias (gradWeight null: neither
     * wanted). Autograd calls this one, so that a backend can share work between the two (the CPU rearranges
     * gradOut once); by default it calls them in turn.
     */
    default void conv2dBackward(Tensor input, Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput,
                                Tensor gradWeight, Tensor gradBias) {
        if (gradInput != null) {
            conv2dBackwardData(gradOut, weight, g, gradInput);
        }
        if (gradWeight != null) {
            conv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
        }
    }

    /**
     * A convolution and its activation: {@code out = op(conv2d(input, weight) + bias)} [batch, outChannels, outH,
     * outW], bias [outChannels] or null, for an {@code op} whose derivative its output determines
     * ({@link UnaryOp#derivativeFromOutput}), so that {@link #conv2dBiasActivationBackward} needs only out. By
     * default {@link #conv2dForward}, then the activation in place.
     */
    default void conv2dBiasActivation(Tensor input, Tensor weight, Tensor bias, UnaryOp op, double param,
                                      Conv2dGeometry g, Tensor out) {
        conv2dForward(input, weight, bias, g, out);
        unary(op, param, out, out);
    }

    /**
     * The gradients of {@link #conv2dBiasActivation} from its output {@code y} and {@code gradY}: into gradInput,
     * gradWeight and gradBias as {@link #conv2dBackward} writes them (same nulls). By default the activation's
     * backward from y into a temporary, then {@link #conv2dBackward}.
     */
    default void conv2dBiasActivationBackward(Tensor input, Tensor weight, UnaryOp op, double param, Tensor y,
                                              Tensor gradY, Conv2dGeometry g, Tensor gradInput, Tensor gradWeight,
                                              Tensor gradBias) {
        Tensor gradPre = Tensor.empty(y.shape(), y.dtype(), this);
        try {
            unaryBackward(op, param, y, y, gradY, gradPre);
            conv2dBackward(input, gradPre, weight, g, gradInput, gradWeight, gradBias);
        } finally {
            gradPre.close();
        }
    }

    /**
     * {@link #conv2dForward} in {@link Precision#BF16}: input and weight (F32) rounded to bfloat16, products
     * accumulated in F32, the F32 bias added to the F32 result. By default it convolves rounded copies.
     */
    default void conv2dForwardBf16(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out) {
        conv2dForwardOnRoundedCopies(Precision.BF16, input, weight, bias, g, out);
    }

    /**
     * {@link #conv2dBackward} in {@link Precision#BF16}: gradOut, and the input and weight where a gradient needs
     * them, rounded to bfloat16 (the bias gradient sums the rounded gradOut in F32). By default on rounded copies.
     */
    default void conv2dBackwardBf16(Tensor input, Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput,
                                    Tensor gradWeight, Tensor gradBias) {
        conv2dBackwardOnRoundedCopies(Precision.BF16, input, gradOut, weight, g, gradInput, gradWeight, gradBias);
    }

    /**
     * Grouped 2-D cross-correlation (PyTorch's {@code conv2d} with {@code groups}; depthwise where each group has one
     * input channel): input {@code [batch, inChannels, height, width]}, weight
     * {@code [outChannels, inChannels / groups, kernelH, kernelW]}, bias {@code [outChannels]} or null, into
     * {@code out} of {@code [batch, outChannels, outH, outW]}, group k's output channels from group k's input
     * channels alone ({@link GroupedConv2dGeometry}). By default each group's {@link #conv2dForward} in turn on
     * copies of its channels.
     */
    default void groupedConv2dForward(Tensor input, Tensor weight, Tensor bias, GroupedConv2dGeometry g, Tensor out) {
        GroupByGroupConvolution.forward(this, input, weight, bias, g, out);
    }

    /**
     * Gradient of {@link #groupedConv2dForward} with respect to its input: from gradOut
     * {@code [batch, outChannels, outH, outW]} and the weight, writes (overwrites) gradInput
     * {@code [batch, inChannels, height, width]}. By default each group's {@link #conv2dBackwardData} in turn.
     */
    default void groupedConv2dBackwardData(Tensor gradOut, Tensor weight, GroupedConv2dGeometry g, Tensor gradInput) {
        GroupByGroupConvolution.backwardData(this, gradOut, weight, g, gradInput);
    }

    /**
     * Gradient of {@link #groupedConv2dForward} with respect to its weight and bias, summed over the batch: writes
     * (overwrites) gradWeight {@code [outChannels, inChannels / groups, kernelH, kernelW]} and, when not null,
     * gradBias {@code [outChannels]}. By default each group's {@link #conv2dBackwardFilter} in turn.
     */
    default void groupedConv2dBackwardFilter(Tensor input, Tensor gradOut, GroupedConv2dGeometry g, Tensor gradWeight,
                                             Tensor gradBias) {
        GroupByGroupConvolution.backwardFilter(this, input, gradOut, g, gradWeight, gradBias);
    }

    /**
     * Max pooling: input {@code [batch, channels, height, width]} into out {@code [batch, channels, outH, outW]};
     * padding, and in ceil mode what the last windows hang over, count as minus infinity. {@code indices} (I64,
     * out's shape) receives where each maximum came from as a flat index {@code h * width + w} within its input
     * plane (PyTorch's {@code return_indices}); the first maximum in row-major window order wins a tie.
     */
    void maxPool2dForward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices);

    /** Gradient of {@link #maxPool2dForward}: writes (overwrites) gradInput, routing each gradOut element to its index. */
    void maxPool2dBackward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput);

    /**
     * Average pooling: input {@code [batch, channels, height, width]} into out {@code [batch, channels, outH, outW]};
     * padding counts as zeros and window (oh, ow) divides by {@link Pool2dGeometry#avgDivisor g.avgDivisor(oh, ow)}:
     * {@code kernelH * kernelW} with PyTorch's defaults, less in ceil mode or without {@code countIncludePad}.
     */
    void avgPool2dForward(Tensor input, Pool2dGeometry g, Tensor out);

    /** Gradient of {@link #avgPool2dForward}: writes (overwrites) gradInput, each window's share by its divisor. */
    void avgPool2dBackward(Tensor gradOut, Pool2dGeometry g, Tensor gradInput);

    /**
     * Batch normalisation (PyTorch's {@code F.batch_norm}) of x {@code [N, C]} or {@code [N, C, H, W]} per
     * channel (axis 1), over the {@code M = N * H * W} values of each channel, into out (x's shape):
     * <pre>
     * out = (x - mean) * invStd * weight + bias        invStd = 1 / sqrt(var + eps)
     * </pre>
     * weight and bias {@code [C]} may be null (no affine: 1 and 0). All tensors share x's dtype.
     * <ul>
     * <li>training: mean and the BIASED variance (divisor M) of the batch normalise; saveMean and saveInvStd
     *     {@code [C]} receive that mean and invStd for {@link #batchNormBackward}; when runningMean and
     *     runningVar {@code [C]} are not null they are updated IN PLACE with the UNBIASED variance
     *     (divisor M - 1): {@code running = (1 - momentum) * running + momentum * batchValue}. Needs M > 1.</li>
     * <li>inference: runningMean and runningVar normalise and are not modified; saveMean and saveInvStd may be
     *     null, and when given receive runningMean and {@code 1 / sqrt(runningVar + eps)} (what F's
     *     inference-mode gradient uses).</li>
     * </ul>
     */
    void batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                          boolean training, double momentum, double eps, Tensor out, Tensor saveMean,
                          Tensor saveInvStd);

    /**
     * {@link #batchNormForward} followed by the activation {@code op} (one whose derivative its output determines,
     * {@link UnaryOp#derivativeFromOutput}) applied to out in place. By default the two in turn.
     */
    default void batchNormActivationForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                            Tensor runningVar, boolean training, double momentum, double eps,
                                            UnaryOp op, double param, Tensor out, Tensor saveMean,
                                            Tensor saveInvStd) {
        batchNormForward(x, weight, bias, runningMean, runningVar, training, momentum, eps, out, saveMean, saveInvStd);
        unary(op, param, out, out);
    }

    /**
     * {@link #batchNormForward}, then {@code residual} (x's shape) added and the activation {@code op} (null: none;
     * else one whose derivative its output determines) applied: {@code out = op(batchNorm(x) + residual)}, a
     * residual block's last normalisation, shortcut and activation. By default the three in turn, in place in out.
     * Its gradient needs no operation of its own: the activation's backward, then {@link #batchNormBackward}.
     */
    default void batchNormAddActivationForward(Tensor x, Tensor residual, Tensor weight, Tensor bias,
                                               Tensor runningMean, Tensor runningVar, boolean training,
                                               double momentum, double eps, UnaryOp op, double param, Tensor out,
                                               Tensor saveMean, Tensor saveInvStd) {
        batchNormForward(x, weight, bias, runningMean, runningVar, training, momentum, eps, out, saveMean, saveInvStd);
        binary(BinaryOp.ADD, out, residual, out);
        if (op != null) {
            unary(op, param, out, out);
        }
    }

    /**
     * Training-mode gradient of {@link #batchNormActivationForward} from its output {@code y} and gradY, into what
     * {@link #batchNormBackward} writes. By default the activation's backward into a temporary, then
     * {@link #batchNormBackward}.
     */
    default void batchNormActivationBackward(Tensor x, Tensor y, Tensor gradY, UnaryOp op, double param,
                                             Tensor weight, Tensor saveMean, Tensor saveInvStd, Tensor gradInput,
                                             Tensor gradWeight, Tensor gradBias) {
        Tensor gradOut = Tensor.empty(y.shape(), y.dtype(), this);
        try {
            unaryBackward(op, param, y, y, gradY, gradOut);
            batchNormBackward(x, gradOut, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
        } finally {
            gradOut.close();
        }
    }

    /**
     * Training-mode gradient of {@link #batchNormForward}, from x, gradOut (x's shape), weight {@code [C]}
     * or null, and the saveMean and saveInvStd that the forward pass wrote. With
     * {@code xhat = (x - mean) * invStd}, per channel over its M values:
     * <pre>
     * gradBias   = sum(gradOut)
     * gradWeight = sum(gradOut * xhat)
     * gradInput  = weight * invStd / M * (M * gradOut - gradBias - xhat * gradWeight)
     * </pre>
     * Writes (overwrites) each of gradInput (x's shape), gradWeight and gradBias {@code [C]} that is not null.
     * In inference mode {@link F#batchNorm} calls it with the running statistics as saveMean and saveInvStd and
     * gradInput null, for the weight's and bias's gradients, the same sums; the input's is a product.
     */
    void batchNormBackward(Tensor x, Tensor gradOut, Tensor weight, Tensor saveMean, Tensor saveInvStd,
                           Tensor gradInput, Tensor gradWeight, Tensor gradBias);

    /**
     * Group normalisation (PyTorch's {@code F.group_norm}) of x {@code [N, C, *]}, viewed as {@code [N, C, S]}: the
     * C channels in {@code groups} groups of {@code C / groups} consecutive channels, each sample's group normalised
     * over its {@code M = C / groups * S} values (M > 1) by their mean and BIASED variance, then each channel c given
     * its own weight and bias, into out (x's shape):
     * <pre>
     * out = (x - mean[n, g]) * invStd[n, g] * weight[c] + bias[c]        invStd = 1 / sqrt(var + eps)
     * </pre>
     * weight and bias {@code [C]} may each be null (1 and 0); saveMean and saveInvStd {@code [N * groups]} receive
     * each group's mean and invStd for {@link #groupNormBackward}. By default a training-mode
     * {@link #batchNormForward} of x viewed as {@code [1, N * groups, M, 1]}, then the weight and bias broadcast
     * along axis 1.
     */
    default void groupNormForward(Tensor x, int groups, Tensor weight, Tensor bias, double eps, Tensor out,
                                  Tensor saveMean, Tensor saveInvStd) {
        GroupNormComposite.forward(this, x, groups, weight, bias, eps, out, saveMean, saveInvStd);
    }

    /**
     * Gradient of {@link #groupNormForward} from x, gradOut (x's shape), weight {@code [C]} or null, and the saveMean
     * and saveInvStd it wrote. With {@code xhat = (x - mean) * invStd} and {@code gxhat = gradOut * weight[c]}, over
     * each sample's group of M values:
     * <pre>
     * gradInput  = invStd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat))
     * gradWeight = sum over samples and positions of gradOut * xhat          gradBias = the same of gradOut
     * </pre>
     * Writes (overwrites) each of gradInput (x's shape), gradWeight and gradBias {@code [C]} that is not null. By
     * default {@link #batchNormBackward} of gxhat on x's {@code [1, N * groups, M, 1]} view, and the two sums from
     * xhat in broadcast products and reductions.
     */
    default void groupNormBackward(Tensor x, Tensor gradOut, int groups, Tensor weight, Tensor saveMean,
                                   Tensor saveInvStd, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        GroupNormComposite.backward(this, x, gradOut, groups, weight, saveMean, saveInvStd, gradInput, gradWeight,
                gradBias);
    }

    /**
     * Layer normalisation (PyTorch's {@code F.layer_norm} over the last axis) of x {@code [..., features]}, viewed as
     * {@code [rows, features]}: each row normalised by its mean and BIASED variance, then each feature j given its
     * own weight and bias, into out (x's shape):
     * <pre>
     * out = (x - mean[r]) * rstd[r] * weight[j] + bias[j]        rstd = 1 / sqrt(var + eps)
     * </pre>
     * weight and bias {@code [features]} may each be null (1 and 0); mean and rstd {@code [rows]}, x's dtype,
     * receive each row's statistics (accumulated in double) for {@link #layerNormBackward}. At least one row. By
     * default a training-mode {@link #batchNormForward} of x viewed as {@code [1, rows, features, 1]}, then the
     * weight and bias broadcast along the rows.
     */
    default void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        LayerNormComposite.forward(this, x, weight, bias, eps, out, mean, rstd);
    }

    /**
     * Gradient of {@link #layerNorm} from gradOut (x's shape), x, the mean and rstd it wrote and weight
     * {@code [features]} or null. With {@code xhat = (x - mean) * rstd} and {@code gxhat = gradOut * weight[j]},
     * over each row's values:
     * <pre>
     * gradX      = rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat))
     * gradWeight = sum over rows of gradOut * xhat          gradBias = the same of gradOut
     * </pre>
     * Writes (overwrites) each of gradX (x's shape), gradWeight and gradBias {@code [features]} that is not null.
     * By default {@link #batchNormBackward} of gxhat on x's {@code [1, rows, features, 1]} view, and the two sums
     * from xhat in broadcast products and reductions.
     */
    default void layerNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, Tensor gradX,
                                   Tensor gradWeight, Tensor gradBias) {
        LayerNormComposite.backward(this, gradOut, x, mean, rstd, weight, gradX, gradWeight, gradBias);
    }

    // ---- 7. Gather and scatter ------------------------------------------------------------------

    /**
     * {@code out[o, j, i] = src[o, index[j], i]} with src viewed as [outer, n, inner] around
     * {@code axis}; {@code index} is I64 or I32 of any shape flattened to [m].
     */
    void indexSelect(Tensor src, int axis, Tensor index, Tensor out);

    /** {@code dst[o, index[j], i] += src[o, j, i]}: the gradient of {@link #indexSelect}. */
    void indexAdd(Tensor dst, int axis, Tensor index, Tensor src);

    /**
     * PyTorch's gather: index has src's rank and {@code out[..., j, ...] = src[..., index[..., j, ...], ...]}
     * along {@code axis}; out has index's shape.
     */
    void gather(Tensor src, int axis, Tensor index, Tensor out);

    /** {@code dst[..., index[..., j, ...], ...] += src[..., j, ...]} along {@code axis}: gather's gradient. */
    void scatterAdd(Tensor dst, int axis, Tensor index, Tensor src);

    /**
     * PyTorch's {@code F.grid_sample} of input {@code [N, C, H, W]} at grid {@code [N, Ho, Wo, 2]} (x, y in [-1, 1]
     * spanning the input, points outside padded as {@code padding} says), {@code mode} bilinear or nearest, into out
     * {@code [N, C, Ho, Wo]}. By default the composition of gathers and arithmetic that {@link F#gridSample} runs
     * for other modes and 5-D inputs.
     */
    default void gridSample2dForward(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                                     boolean alignCorners, Tensor out) {
        GridSampleComposite.forward(input, grid, mode, padding, alignCorners, out);
    }

    /**
     * Gradient of {@link #gridSample2dForward} from gradOut {@code [N, C, Ho, Wo]}: writes (overwrites) gradInput
     * (input's shape) and gradGrid (grid's shape; bilinear only, nearest's is zero), each where not null. By
     * default the composition's own backward pass.
     */
    default void gridSample2dBackward(Tensor input, Tensor grid, Tensor gradOut, GridSampleMode mode,
                                      GridSamplePadding padding, boolean alignCorners, Tensor gradInput,
                                      Tensor gradGrid) {
        GridSampleComposite.backward(input, grid, gradOut, mode, padding, alignCorners, gradInput, gradGrid);
    }

    // ---- 8. Random ------------------------------------------------------------------------------

    /**
     * Fills {@code out} from the counter-based stream {@link CounterRandom} of {@code seed}, starting at
     * {@code counter}: element i uses counter + i, so every backend draws the same numbers.
     */
    void randomUniform(Tensor out, double low, double high, long seed, long counter);

    /** Normal values (Box-Muller over {@link CounterRandom}), same counter rule as {@link #randomUniform}. */
    void randomNormal(Tensor out, double mean, double std, long seed, long counter);

    /** 1 with probability {@code p}, else 0; same counter rule as {@link #randomUniform}. */
    default void bernoulli(Tensor out, double p, long seed, long counter) {
        randomUniform(out, 0, 1, seed, counter);
        Tensor threshold = Tensor.empty(Shape.of(), out.dtype(), this);
        fill(threshold, p);
        binary(BinaryOp.LT, out, threshold, out);
        threshold.close();
    }

    // ---- 9. Fused updates -----------------------------------------------------------------------

    /**
     * One SGD step in place, PyTorch's {@code torch.optim.SGD}:
     * <pre>
     * d = grad + weightDecay * param                   (weightDecay != 0)
     * buf = firstStep ? d : momentum * buf + (1 - dampening) * d
     *                                                  (momentum != 0; momentumBuffer is null otherwise)
     * d = nesterov ? d + momentum * buf : buf           (momentum != 0)
     * param -= lr * d
     * </pre>
     * The first step's buffer is not dampened; {@code dampening} 0 multiplies by nothing. All tensors have one
     * shape and dtype; {@code grad} is not modified.
     */
    default void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
                           double dampening, double weightDecay, boolean nesterov, boolean firstStep) {
        Tensor decayed = null;
        Tensor lookahead = null;
        Tensor delta = Tensor.empty(param.shape(), param.dtype(), this);
        try {
            Tensor d = grad;
            if (weightDecay != 0) {
                decayed = Tensor.empty(param.shape(), param.dtype(), this);
                affine(param, weightDecay, 0, decayed);
                binary(BinaryOp.ADD, grad, decayed, decayed);
                d = decayed;
            }
            if (momentum != 0) {
                if (firstStep) {
                    copy(d, momentumBuffer);
                } else if (dampening != 0) {
                    affine(momentumBuffer, momentum, 0, momentumBuffer);
                    affine(d, 1 - dampening, 0, delta);
                    binary(BinaryOp.ADD, momentumBuffer, delta, momentumBuffer);
                } else {
                    affine(momentumBuffer, momentum, 0, momentumBuffer);
                    binary(BinaryOp.ADD, momentumBuffer, d, momentumBuffer);
                }
                if (nesterov) {
                    lookahead = Tensor.empty(param.shape(), param.dtype(), this);
                    affine(momentumBuffer, momentum, 0, lookahead);
                    binary(BinaryOp.ADD, d, lookahead, lookahead);
                    d = lookahead;
                } else {
                    d = momentumBuffer;
                }
            }
            affine(d, -lr, 0, delta);
            binary(BinaryOp.ADD, param, delta, param);
        } finally {
            delta.close();
            if (decayed != null) {
                decayed.close();
            }
            if (lookahead != null) {
                lookahead.close();
            }
        }
    }

    /**
     * One Adam (or AdamW) step in place, PyTorch's {@code torch.optim.Adam}/{@code AdamW} without amsgrad
     * ({@link #amsgradUpdate} has it); {@code step} counts from 1 and sets the bias corrections:
     * <pre>
     * param *= 1 - lr * weightDecay                     (decoupledWeightDecay: AdamW)
     * g = grad + weightDecay * param                   (otherwise: Adam's L2 penalty)
     * expAvg = beta1 * expAvg + (1 - beta1) * g
     * expAvgSq = beta2 * expAvgSq + (1 - beta2) * g * g
     * denom = sqrt(expAvgSq) / sqrt(1 - beta2^step) + eps     (eps after the square root)
     * param -= lr / (1 - beta1^step) * expAvg / denom
     * </pre>
     * All tensors have one shape and dtype; {@code grad} is not modified.
     */
    default void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                            double beta2, double eps, double weightDecay, boolean decoupledWeightDecay, long step) {
        adamComposite(param, grad, expAvg, expAvgSq, null, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay,
                step);
    }

    /**
     * One AMSGrad step in place, PyTorch's {@code torch.optim.Adam}/{@code AdamW} with {@code amsgrad=True}:
     * {@link #adamUpdate} whose denominator takes the largest second moment seen so far,
     * <pre>
     * maxExpAvgSq = max(maxExpAvgSq, expAvgSq)         (after expAvgSq's update)
     * denom = sqrt(maxExpAvgSq) / sqrt(1 - beta2^step) + eps
     * </pre>
     * All tensors have one shape and dtype; {@code grad} is not modified.
     */
    default void amsgradUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
                               double lr, double beta1, double beta2, double eps, double weightDecay,
                               boolean decoupledWeightDecay, long step) {
        adamComposite(param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, weightDecay,
                decoupledWeightDecay, step);
    }

    /** {@link #adamUpdate}, or {@link #amsgradUpdate} when {@code maxExpAvgSq} is not null, from primitives. */
    private void adamComposite(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
                               double lr, double beta1, double beta2, double eps, double weightDecay,
                               boolean decoupledWeightDecay, long step) {
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double invSqrtCorrection2 = 1 / Math.sqrt(1 - Math.pow(beta2, step));
        Tensor decayed = null;
        Tensor tmp = Tensor.empty(param.shape(), param.dtype(), this);
        try {
            Tensor g = grad;
            if (weightDecay != 0) {
                if (decoupledWeightDecay) {
                    affine(param, 1 - lr * weightDecay, 0, param);
                } else {
                    decayed = Tensor.empty(param.shape(), param.dtype(), this);
                    affine(param, weightDecay, 0, decayed);
                    binary(BinaryOp.ADD, grad, decayed, decayed);
                    g = decayed;
                }
            }
            affine(expAvg, beta1, 0, expAvg);
            affine(g, 1 - beta1, 0, tmp);
            binary(BinaryOp.ADD, expAvg, tmp, expAvg);
            affine(expAvgSq, beta2, 0, expAvgSq);
            binary(BinaryOp.MUL, g, g, tmp);
            affine(tmp, 1 - beta2, 0, tmp);
            binary(BinaryOp.ADD, expAvgSq, tmp, expAvgSq);
            Tensor secondMoment = expAvgSq;
            if (maxExpAvgSq != null) {
                binary(BinaryOp.MAX, maxExpAvgSq, expAvgSq, maxExpAvgSq);
                secondMoment = maxExpAvgSq;
            }
            unary(UnaryOp.SQRT, 0, secondMoment, tmp);
            affine(tmp, invSqrtCorrection2, eps, tmp);
            binary(BinaryOp.DIV, expAvg, tmp, tmp);
            affine(tmp, -stepSize, 0, tmp);
            binary(BinaryOp.ADD, param, tmp, param);
        } finally {
            tmp.close();
            if (decayed != null) {
                decayed.close();
            }
        }
    }

    /**
     * {@link #adamUpdate} of each parameter {@code params[i]} with {@code grads[i]}, {@code expAvgs[i]} and
     * {@code expAvgSqs[i]}, all with the same settings and step and one dtype: a whole model's step, which a
     * device backend runs as one multi-tensor kernel instead of one launch per parameter.
     */
    default void adamUpdates(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs,
                             double lr, double beta1, double beta2, double eps, double weightDecay,
                             boolean decoupledWeightDecay, long step) {
        for (int i = 0; i < params.size(); i++) {
            adamUpdate(params.get(i), grads.get(i), expAvgs.get(i), expAvgSqs.get(i), lr, beta1, beta2, eps,
                    weightDecay, decoupledWeightDecay, step);
        }
    }

    /**
     * {@link #amsgradUpdate} of each parameter {@code params[i]} with {@code grads[i]} and its state, all with the
     * same settings and step and one dtype, as {@link #adamUpdates} is for {@link #adamUpdate}.
     */
    default void amsgradUpdates(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs,
                                List<Tensor> maxExpAvgSqs, double lr, double beta1, double beta2, double eps,
                                double weightDecay, boolean decoupledWeightDecay, long step) {
        for (int i = 0; i < params.size(); i++) {
            amsgradUpdate(params.get(i), grads.get(i), expAvgs.get(i), expAvgSqs.get(i), maxExpAvgSqs.get(i), lr,
                    beta1, beta2, eps, weightDecay, decoupledWeightDecay, step);
        }
    }

    // ---- 10. Fused recurrent cells --------------------------------------------------------------

    /**
     * One LSTM step after its GEMMs (PyTorch's {@code nn.LSTMCell}, gate order i, f, g, o). From the
     * pre-activations {@code gates} [batch, 4H] ({@code x W_ih^T + b_ih + h W_hh^T + b_hh}) and the previous
     * cell state {@code c} [batch, H]:
     * <pre>
     * i = sigmoid(gates[:, 0:H])     f = sigmoid(gates[:, H:2H])
     * g = tanh(gates[:, 2H:3H])      o = sigmoid(gates[:, 3H:4H])
     * cOut = f * c + i * g           hOut = o * tanh(cOut)
     * </pre>
     * Writes hOut and cOut [batch, H] and the activated gates i, f, g, o into {@code activations}
     * [batch, 4H] (gates' layout), which {@link #lstmCellBackward} reads.
     */
    default void lstmCellForward(Tensor gates, Tensor c, Tensor hOut, Tensor cOut, Tensor activations) {
        int hidden = c.dim(1);
        Tensor[] a = gateSlices(gates, 4, hidden);
        try {
            unary(UnaryOp.SIGMOID, 0, a[0], a[0]);
            unary(UnaryOp.SIGMOID, 0, a[1], a[1]);
            unary(UnaryOp.TANH, 0, a[2], a[2]);
            unary(UnaryOp.SIGMOID, 0, a[3], a[3]);
            binary(BinaryOp.MUL, a[1], c, cOut);
            binary(BinaryOp.MUL, a[0], a[2], hOut);
            binary(BinaryOp.ADD, cOut, hOut, cOut);
            unary(UnaryOp.TANH, 0, cOut, hOut);
            binary(BinaryOp.MUL, a[3], hOut, hOut);
            for (int k = 0; k < 4; k++) {
                copySlices(a[k], 1, 0, activations, k * hidden, hidden);
            }
        } finally {
            closeAll(a);
        }
    }

    /**
     * Gradient of {@link #lstmCellForward} from the gradients of its outputs, gradH and gradC [batch, H]
     * (zeros where an output is unused), the activations it saved, the previous cell state {@code c} and
     * its output {@code cOut}. With {@code tc = tanh(cOut)} and {@code dc = gradC + gradH * o * (1 - tc^2)}:
     * <pre>
     * gradGates = [dc * g * i(1 - i),  dc * c * f(1 - f),  dc * i * (1 - g^2),  gradH * tc * o(1 - o)]
     * gradCPrev = dc * f
     * </pre>
     * Writes (overwrites) gradGates [batch, 4H] and gradCPrev [batch, H].
     */
    default void lstmCellBackward(Tensor activations, Tensor c, Tensor cOut, Tensor gradH, Tensor gradC,
                                  Tensor gradGates, Tensor gradCPrev) {
        int hidden = c.dim(1);
        Tensor[] a = gateSlices(activations, 4, hidden);
        Tensor tc = Tensor.empty(c.shape(), c.dtype(), this);
        Tensor dc = Tensor.empty(c.shape(), c.dtype(), this);
        Tensor d = Tensor.empty(c.shape(), c.dtype(), this);
        try {
            unary(UnaryOp.TANH, 0, cOut, tc);
            binary(BinaryOp.MUL, gradH, a[3], d);
            unaryBackward(UnaryOp.TANH, 0, cOut, tc, d, dc);
            binary(BinaryOp.ADD, dc, gradC, dc);
            binary(BinaryOp.MUL, dc, a[1], gradCPrev);
            binary(BinaryOp.MUL, gradH, tc, d);
            activationGradient(UnaryOp.SIGMOID, a[3], d, tc);
            copySlices(tc, 1, 0, gradGates, 3 * hidden, hidden);
            binary(BinaryOp.MUL, dc, a[0], d);
            activationGradient(UnaryOp.TANH, a[2], d, tc);
            copySlices(tc, 1, 0, gradGates, 2 * hidden, hidden);
            binary(BinaryOp.MUL, dc, c, d);
            activationGradient(UnaryOp.SIGMOID, a[1], d, tc);
            copySlices(tc, 1, 0, gradGates, hidden, hidden);
            binary(BinaryOp.MUL, dc, a[2], d);
            activationGradient(UnaryOp.SIGMOID, a[0], d, tc);
            copySlices(tc, 1, 0, gradGates, 0, hidden);
        } finally {
            closeAll(a);
            closeAll(tc, dc, d);
        }
    }

    /**
     * One GRU step after its GEMMs (PyTorch's {@code nn.GRUCell}, gate order r, z, n). From
     * {@code inputGates = x W_ih^T + b_ih} and {@code hiddenGates = h W_hh^T + b_hh}, both [batch, 3H], and
     * the previous hidden state {@code h} [batch, H]:
     * <pre>
     * r = sigmoid(inputGates[:, 0:H] + hiddenGates[:, 0:H])
     * z = sigmoid(inputGates[:, H:2H] + hiddenGates[:, H:2H])
     * n = tanh(inputGates[:, 2H:3H] + r * hiddenGates[:, 2H:3H])
     * hOut = (1 - z) * n + z * h
     * </pre>
     * Writes hOut [batch, H] and r, z, n into {@code activations} [batch, 3H] for {@link #gruCellBackward}.
     */
    default void gruCellForward(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor hOut, Tensor activations) {
        int hidden = h.dim(1);
        Tensor[] a = gateSlices(inputGates, 3, hidden);
        Tensor[] b = gateSlices(hiddenGates, 3, hidden);
        try {
            binary(BinaryOp.ADD, a[0], b[0], a[0]);
            unary(UnaryOp.SIGMOID, 0, a[0], a[0]);
            binary(BinaryOp.ADD, a[1], b[1], a[1]);
            unary(UnaryOp.SIGMOID, 0, a[1], a[1]);
            binary(BinaryOp.MUL, a[0], b[2], b[2]);
            binary(BinaryOp.ADD, a[2], b[2], a[2]);
            unary(UnaryOp.TANH, 0, a[2], a[2]);
            binary(BinaryOp.SUB, h, a[2], hOut);
            binary(BinaryOp.MUL, a[1], hOut, hOut);
            binary(BinaryOp.ADD, a[2], hOut, hOut);
            for (int k = 0; k < 3; k++) {
                copySlices(a[k], 1, 0, activations, k * hidden, hidden);
            }
        } finally {
            closeAll(a);
            closeAll(b);
        }
    }

    /**
     * Gradient of {@link #gruCellForward} from the gradient gradHOut [batch, H] of its output, the
     * activations it saved, its hiddenGates input and the previous hidden state {@code h}. With
     * {@code dn = gradHOut * (1 - z) * (1 - n^2)}, {@code dr = dn * hiddenGates[:, 2H:3H] * r(1 - r)} and
     * {@code dz = gradHOut * (h - n) * z(1 - z)}:
     * <pre>
     * gradInputGates  = [dr, dz, dn]
     * gradHiddenGates = [dr, dz, dn * r]
     * gradH           = gradHOut * z
     * </pre>
     * Writes (overwrites) gradInputGates and gradHiddenGates [batch, 3H] and gradH [batch, H].
     */
    default void gruCellBackward(Tensor activations, Tensor hiddenGates, Tensor h, Tensor gradHOut,
                                 Tensor gradInputGates, Tensor gradHiddenGates, Tensor gradH) {
        int hidden = h.dim(1);
        Tensor[] a = gateSlices(activations, 3, hidden);
        Tensor hn = Tensor.empty(h.shape(), h.dtype(), this);
        Tensor d = Tensor.empty(h.shape(), h.dtype(), this);
        Tensor dn = Tensor.empty(h.shape(), h.dtype(), this);
        Tensor out = Tensor.empty(h.shape(), h.dtype(), this);
        try {
            copySlices(hiddenGates, 1, 2 * hidden, hn, 0, hidden);
            binary(BinaryOp.MUL, gradHOut, a[1], gradH);
            binary(BinaryOp.SUB, gradHOut, gradH, d);
            activationGradient(UnaryOp.TANH, a[2], d, dn);
            copySlices(dn, 1, 0, gradInputGates, 2 * hidden, hidden);
            binary(BinaryOp.MUL, dn, a[0], out);
            copySlices(out, 1, 0, gradHiddenGates, 2 * hidden, hidden);
            binary(BinaryOp.MUL, dn, hn, d);
            activationGradient(UnaryOp.SIGMOID, a[0], d, out);
            copySlices(out, 1, 0, gradInputGates, 0, hidden);
            copySlices(out, 1, 0, gradHiddenGates, 0, hidden);
            binary(BinaryOp.SUB, h, a[2], d);
            binary(BinaryOp.MUL, gradHOut, d, d);
            activationGradient(UnaryOp.SIGMOID, a[1], d, out);
            copySlices(out, 1, 0, gradInputGates, hidden, hidden);
            copySlices(out, 1, 0, gradHiddenGates, hidden, hidden);
        } finally {
            closeAll(a);
            closeAll(hn, d, dn, out);
        }
    }

    /** The {@code count} column blocks of width {@code hidden} of {@code t} [batch, count * hidden], as copies. */
    private Tensor[] gateSlices(Tensor t, int count, int hidden) {
        Tensor[] slices = new Tensor[count];
        for (int k = 0; k < count; k++) {
            slices[k] = Tensor.empty(Shape.of(t.dim(0), hidden), t.dtype(), this);
            copySlices(t, 1, k * hidden, slices[k], 0, hidden);
        }
        return slices;
    }

    /**
     * {@code out = grad * op'(pre)} for the sigmoid or tanh output {@code y = op(pre)}, from y alone:
     * {@code y (1 - y)} or {@code 1 - y^2}.
     */
    private void activationGradient(UnaryOp op, Tensor y, Tensor grad, Tensor out) {
        if (op == UnaryOp.SIGMOID) {
            affine(y, -1, 1, out);
            binary(BinaryOp.MUL, out, y, out);
        } else {
            binary(BinaryOp.MUL, y, y, out);
            affine(out, -1, 1, out);
        }
        binary(BinaryOp.MUL, out, grad, out);
    }

    private static void closeAll(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }

    // ---- 11. Linear algebra ---------------------------------------------------------------------

    /**
     * Cholesky factors of {@code batch} symmetric positive-definite matrices: from the lower triangles of {@code a}
     * {@code [batch, n, n]} (F32 or F64; the strictly upper part is not read), writes {@code lower} (a's shape and
     * dtype) with {@code L L^T = a} and zeros above the diagonal, and {@code info} (I32 {@code [batch]}): 0, or k where
     * the leading minor of order k (from 1) is not positive-definite, and L's values from its column k - 1 on are
     * unspecified (LAPACK's {@code potrf}); a NaN pivot propagates with info 0, as OpenBLAS's and PyTorch's CPU let it.
     * By default on the host, in F64, through {@link LinalgOnHost}.
     */
    default void cholesky(Tensor a, Tensor lower, Tensor info) {
        LinalgOnHost.cholesky(this, a, lower, info);
    }

    /**
     * {@code out = op(a)^-1 b} for {@code batch} triangular matrices {@code a} {@code [batch, n, n]}, upper or lower
     * (the other triangle not read), with ones taken for the diagonal (not read) when {@code unitriangular};
     * {@code op(a)} is a^T when {@code transpose}. b and out {@code [batch, n, k]}, same dtype; a zero on the diagonal
     * gives infinities or NaN, unchecked (BLAS's {@code trsm}). By default on the host, in F64.
     */
    default void solveTriangular(Tensor a, Tensor b, boolean upper, boolean transpose, boolean unitriangular,
                                 Tensor out) {
        LinalgOnHost.solveTriangular(this, a, b, upper, transpose, unitriangular, out);
    }

    /**
     * LU factorisations with partial pivoting, {@code P a = L U}, of {@code a} {@code [batch, m, n]} (square or not,
     * LAPACK's {@code getrf}; k = min(m, n)): writes {@code lu} (a's shape) holding U {@code [k, n]} on and above the
     * diagonal and L's {@code [m, k]} multipliers below it (L's unit diagonal not stored), {@code pivots} (I32
     * {@code [batch, k]}: row i was swapped with row pivots[i] - 1, in turn, LAPACK's 1-based {@code ipiv}) and
     * {@code info} (I32 {@code [batch]}: 0, or j where U's diagonal element j (from 1) is exactly zero). By default on
     * the host, in F64, choosing the first largest magnitude as pivot (LAPACK's {@code getrf} rule).
     */
    default void luFactor(Tensor a, Tensor lu, Tensor pivots, Tensor info) {
        LinalgOnHost.luFactor(this, a, lu, pivots, info);
    }

    /**
     * {@code out = op(a)^-1 b} from {@link #luFactor}'s {@code lu} and {@code pivots} of a, with op(a) = a^T when
     * {@code adjoint}: b and out {@code [batch, n, k]}. By default on the host, in F64.
     */
    default void luSolve(Tensor lu, Tensor pivots, Tensor b, boolean adjoint, Tensor out) {
        LinalgOnHost.luSolve(this, lu, pivots, b, adjoint, out);
    }

    /**
     * QR factorisations {@code a = q r} of {@code a} {@code [batch, m, n]} by Householder reflections (LAPACK's
     * {@code geqrf} and {@code orgqr}): {@code r} {@code [batch, k, n]} upper triangular (zeros below the diagonal),
     * {@code q} {@code [batch, m, k]} with orthonormal columns, where k is m for a complete factorisation or min(m, n);
     * {@code q} null when only R is wanted (then k is min(m, n)). R's diagonal has the signs LAPACK's reflections give
     * (not made positive), as PyTorch's. By default on the host, in F64, with LAPACK's choice of reflections.
     */
    default void qr(Tensor a, Tensor q, Tensor r) {
        QrOnHost.qr(this, a, q, r);
    }

    /**
     * Eigen-decompositions {@code a = v diag(w) v^T} of the symmetric matrices {@code a} {@code [batch, n, n]}, read
     * from the lower triangle, or the upper when {@code upper} (the other not read), as LAPACK's {@code syevd}:
     * {@code eigenvalues} {@code [batch, n]} ascending, {@code eigenvectors} {@code [batch, n, n]} orthonormal columns
     * in the same order, each column's sign unspecified (null when only the values are wanted), {@code info} (I32
     * {@code [batch]}) 0, or the count of values that did not converge. By default on the host, in F64, by cyclic
     * Jacobi rotations.
     */
    default void eigh(Tensor a, boolean upper, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        EighOnHost.eigh(this, a, upper, eigenvalues, eigenvectors, info);
    }

    /**
     * Singular value decompositions {@code a = u diag(s) vh} of {@code a} {@code [batch, m, n]} (LAPACK's
     * {@code gesdd}): {@code s} {@code [batch, k]} descending, k = min(m, n); {@code u} {@code [batch, m, m]} (full)
     * or {@code [batch, m, k]} with orthonormal columns and {@code vh} {@code [batch, n, n]} or {@code [batch, k, n]}
     * with orthonormal rows, both null when only the values are wanted; the signs of each pair of singular vectors,
     * and the columns past k, unspecified. {@code info} (I32 {@code [batch]}) 0, or non-zero where the algorithm did
     * not converge. By default on the host, in F64, by one-sided Jacobi rotations.
     */
    default void svd(Tensor a, Tensor u, Tensor s, Tensor vh, Tensor info) {
        SvdOnHost.svd(this, a, u, s, vh, info);
    }

    // ---- Step graphs ----------------------------------------------------------------------------

    /** Whether {@link #captureStep} records step graphs here (CUDA); the CPU runs work as it is called. */
    default boolean canCaptureSteps() {
        return false;
    }

    /**
     * Records the device work that {@code step} queues, without running it, as a graph to replay (where
     * {@link #canCaptureSteps}). While recording, {@code step} must not read a value back or upload host data (the
     * backend throws), and whatever it allocates stays reserved for the graph until the graph closes, so that every
     * replay finds its tensors where the recording put them.
     *
     * @throws UnsupportedOperationException where the backend records nothing
     */
    default StepGraph captureStep(Runnable step) {
        throw new UnsupportedOperationException("the " + name() + " backend does not record step graphs");
    }

    // ---- Tuning choices -------------------------------------------------------------------------

    /**
     * The kernels this backend chose by timing candidates on an operation's first call (the CPU's OpenBLAS-or-oneDNN
     * per convolution geometry, direction and bias under {@code -Dkiln.cpu.convolutionKernel=timed}, as cuDNN's
     * benchmark mode chooses algorithms), with those {@link #useTuningChoices} gave it that no call has met yet:
     * opaque key/value text that this kind of backend takes back in another process, so that a resumed run repeats the
     * first run's kernels and so its bits. Empty where the backend times nothing.
     */
    default Map<String, String> tuningChoices() {
        return Map.of();
    }

    /**
     * Replaces this backend's tuning choices with {@code choices}, as {@link #tuningChoices} of the same kind of
     * backend gave them: an operation they name runs on its recorded kernel without being timed (or on the fallback
     * where that kernel cannot run here), one they do not name is timed again on its first call, so an empty map starts
     * afresh. Ignored where the backend times nothing.
     *
     * @throws IllegalArgumentException naming a key or value this backend does not read, before any choice changes
     */
    default void useTuningChoices(Map<String, String> choices) {
    }

    // ---- Housekeeping ---------------------------------------------------------------------------

    /** Bytes currently allocated to live tensors. */
    long bytesInUse();

    /**
     * The most bytes allocated to live tensors at any one moment since the backend started: what a step needs at
     * its busiest, without the allocator's cache (PyTorch's {@code torch.cuda.max_memory_allocated}).
     */
    long peakBytesInUse();

    /**
     * Makes the storages this backend allocates from now on name {@code owner} as their backend, so that operations
     * on their tensors go through {@code owner}: a wrapper that counts, times or skips the backend's operations
     * ({@link OperationProfiler}).
     *
     * @throws UnsupportedOperationException where the backend cannot be wrapped
     */
    default void reportStoragesAs(Backend owner) {
        throw new UnsupportedOperationException("the " + name() + " backend cannot be wrapped: its storages always"
                + " name it as their backend");
    }

    /** Waits until all queued work has finished (a no-op on synchronous backends). */
    default void synchronize() {
    }

    /** The device in words for reports, e.g. {@code NVIDIA H200} (default: {@link #device()}, e.g. {@code cpu}). */
    default String deviceName() {
        return device().toString();
    }

    /**
     * Running counts of the backend's events since it started, for benchmarks that report them per step:
     * e.g. {@code kernel_launches}, {@code host_synchronisations}, {@code device_mallocs}. Empty for a backend
     * that counts nothing (the CPU backend).
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /** Releases the backend's caches and threads. */
    @Override
    void close();

    // ---- 12. Fourier transforms -----------------------------------------------------------------

    /**
     * Batched 1-D complex DFTs along the axis before the last of {@code x} {@code [..., n, 2]} (complex values as
     * PyTorch's {@code view_as_real} pairs, F32 or F64) into {@code out} (x's shape and dtype):
     * {@code out_k = scale * sum_j x_j e^{s 2 pi i jk / n}}, s = -1 forward, +1 {@code inverse}. By default an FFT of
     * Tensor ops ({@link FactoredFft}: GEMMs against small DFT matrices, twiddle products and transpositions); a
     * backend overrides it with a native FFT.
     */
    default void fft(Tensor x, boolean inverse, double scale, Tensor out) {
        FactoredFft.transform(x, inverse, scale, out);
    }

    /**
     * The first bins of the forward DFTs of real rows: x {@code [..., n]} (F32 or F64) into out {@code [..., bins, 2]}
     * (x's dtype, bins at most n), {@code out_k = scale * h_k * sum_j x_j e^{-2 pi i jk / n}}, where h_k is 1 unless
     * {@code hermitian}, and then bin k's weight in a one-sided spectrum: 1 for k = 0 and (n even) k = n / 2, 2 for the
     * bins between, which stand for a conjugate pair, 0 past n / 2. By default {@link #fft} of x with zero imaginary
     * parts ({@link FftComposite}).
     */
    default void rfft(Tensor x, boolean hermitian, double scale, Tensor out) {
        FftComposite.rfft(x, hermitian, scale, out);
    }

    /**
     * The real parts of inverse DFTs of n points from m bins: c {@code [..., m, 2]} into out {@code [..., n]} (c's
     * dtype), {@code out_j = scale * Re(sum_k h_k c_k e^{2 pi i jk / n})} over k below min(m, n), h_k as for
     * {@link #rfft}: the adjoint of rfft with the same arguments, and with {@code hermitian} PyTorch's irfft (the
     * imaginary parts of bin 0 and n / 2 contribute nothing). By default {@link #fft} of c trimmed or zero-padded to
     * n bins.
     */
    default void irfft(Tensor c, boolean hermitian, double scale, Tensor out) {
        FftComposite.irfft(c, hermitian, scale, out);
    }

    /**
     * {@link #maxPool2dForward} without the positions, for a forward pass that records no gradient: out
     * {@code [batch, channels, outH, outW]} (input's dtype) = the maximum of each window, NaN if it holds one. By
     * default maxPool2dForward into indices made and freed here; a backend overrides it to skip finding them.
     */
    default void maxPool2dValues(Tensor input, Pool2dGeometry g, Tensor out) {
        try (Tensor indices = input.emptyLike(g.outputShape(), DType.I64)) {
            maxPool2dForward(input, g, out, indices);
        }
    }

    /**
     * {@code weight} [out, in] (F32) quantised for {@link #int8Linear}: symmetric int8, one scale per output row
     * ({@link Int8Quantization#weightScale}), as PyTorch's {@code per_channel_dynamic_qconfig}; the handle holds the
     * backend's memory until closed. By default integer-valued F32 tensors ({@link Int8LinearComposite}); a backend
     * with int8 kernels overrides both methods and packs the weights in its kernel's layout.
     */
    default Int8LinearWeights packInt8Linear(Tensor weight) {
        return Int8LinearComposite.pack(this, weight);
    }

    /**
     * A dynamically quantised linear layer: out [batch, out] (F32) = input [batch, in] (F32) quantised to uint8 over
     * its own minimum and maximum ({@link Int8Quantization#input}), multiplied in integers by {@code weights}'
     * transpose, scaled back to F32, plus {@code bias} [out] (null for none): PyTorch's
     * {@code torch.ops.quantized.linear_dynamic}. By default the quantised integers are multiplied by {@link #gemm}.
     */
    default void int8Linear(Tensor input, Int8LinearWeights weights, Tensor bias, Tensor out) {
        Int8LinearComposite.linear(this, input, weights, bias, out);
    }

    /**
     * {@code weight} [out, in, kernelH, kernelW] (F32) quantised for {@link #staticInt8Conv2d} with the per-channel
     * {@code scales} [out] (F32): {@code clamp(round(w * (1 / scale)), -128, 127)}, as PyTorch's
     * {@code default_per_channel_weight_observer} and {@code quantize_per_channel}; the handle holds the backend's
     * memory until closed. By default integer-valued F64 tensors ({@link StaticInt8ConvComposite}); a backend with int8
     * kernels overrides both methods and packs the weights in its kernel's layout.
     */
    default StaticInt8ConvWeights packStaticInt8Conv(Tensor weight, Tensor scales) {
        return StaticInt8ConvComposite.pack(this, weight, scales);
    }

    /**
     * A statically quantised convolution, PyTorch's {@code quantized::conv2d} / {@code conv2d_relu}: input
     * [batch, in, height, width] (F32) quantised onto {@code inputGrid}, convolved in integers with {@code weights}
     * (int32 sums), then in F32 times the input scale and each channel's weight scale plus {@code bias} [out] (F32,
     * null for none), ReLU where {@code relu}, requantised onto {@code outputGrid} and written to out
     * {@code g.outputShape()} (F32) as grid values. By default the integers are convolved by {@link #conv2dForward} in
     * F64.
     */
    default void staticInt8Conv2d(Tensor input, StaticInt8ConvWeights weights, Tensor bias, Conv2dGeometry g,
                                  Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu, Tensor out) {
        StaticInt8ConvComposite.conv2d(this, input, weights, bias, g, inputGrid, outputGrid, relu, out);
    }

    /**
     * Adds a sparse [n, m] matrix in coordinate form times {@code dense} [m, k] into {@code out} [n, k] (of dense's
     * dtype): {@code out[rows[j], :] += values[j] * dense[cols[j], :]} for each entry j, where rows and cols (I64
     * [nnz]) are in range, in any order, and may repeat a position, and values [nnz] is of dense's dtype
     * ({@code torch.sparse.mm}). By default a row gather, a broadcast product and an index add, through an [nnz, k]
     * temporary.
     */
    default void sparseMatmulAdd(Tensor rows, Tensor cols, Tensor values, Tensor dense, Tensor out) {
        int nnz = values.dim(0);
        Tensor scaled = Tensor.empty(Shape.of(nnz, dense.dim(1)), dense.dtype(), this);
        try (Tensor column = values.view(0, Shape.of(nnz, 1))) {
            indexSelect(dense, 0, cols, scaled);
            binary(BinaryOp.MUL, scaled, column, scaled);
            indexAdd(out, 0, rows, scaled);
        } finally {
            scaled.close();
        }
    }

    /**
     * Per-tensor fake quantisation of {@code x} (floating, any shape) into {@code out}, and its straight-through mask
     * into {@code mask} (both of x's shape and dtype): with {@code q = round(x * (1 / scale))} (the reciprocal in F32,
     * halves to even) and the bounds {@code low = quantMin - zeroPoint}, {@code high = quantMax - zeroPoint} in x's
     * dtype, {@code out = clamp(q, low, high) * scale} (NaN to low) and {@code mask = 1} where
     * {@code low <= q <= high}, else 0 (NaN and infinities included): {@link FakeQuantization#perTensorAffine}'s
     * passes. By default affine maps, a rounding, comparisons and selections, through a few temporaries.
     */
    default void fakeQuantizePerTensor(Tensor x, float scale, int zeroPoint, int quantMin, int quantMax, Tensor out,
                                       Tensor mask) {
        double low = (double) quantMin - zeroPoint;
        double high = (double) quantMax - zeroPoint;
        Tensor lowValue = Tensor.empty(Shape.scalar(), x.dtype(), this);
        Tensor highValue = Tensor.empty(Shape.scalar(), x.dtype(), this);
        Tensor above = Tensor.empty(x.shape(), x.dtype(), this);
        try {
            fill(lowValue, low);
            fill(highValue, high);
            affine(x, 1f / scale, 0, out);
            unary(UnaryOp.ROUND, 0, out, out);
            binary(BinaryOp.GE, out, lowValue, above);
            binary(BinaryOp.LE, out, highValue, mask);
            binary(BinaryOp.MUL, above, mask, mask);
            // NaN fails q >= low, so it takes low, as -infinity does; +infinity exceeds high.
            where(above, out, lowValue, out);
            binary(BinaryOp.GT, out, highValue, above);
            where(above, highValue, out, out);
            affine(out, scale, 0, out);
        } finally {
            closeAll(lowValue, highValue, above);
        }
    }

    /**
     * A residual sum requantised onto a uint8 grid, PyTorch's {@code quantized::add} / {@code add_relu} on values
     * already on their grids: out = {@code scale * clamp(round((a + b) * (1 / scale)), lo, 255 - zeroPoint)} of a, b and
     * out of one shape (F32; out may be a or b), the sum, the reciprocal and the products in F32, rounding half to even,
     * lo 0 where {@code relu} (the ReLU is q >= zeroPoint) else {@code -zeroPoint}; NaN gives lo, and a zero step +0,
     * as {@link FakeQuantization#perTensorAffine} with quantMin zeroPoint or 0. By default an addition, a product, a
     * rounding and clamping ({@link RequantizedAddComposite}) and a product, in place on out.
     */
    default void requantizedAddRelu(Tensor a, Tensor b, Uint8Grid grid, boolean relu, Tensor out) {
        RequantizedAddComposite.addRelu(this, a, b, grid, relu, out);
    }

    /**
     * Static int8 convolutions in a chain, as consecutive {@code quantized::conv2d} calls: {@code input} (F32, the
     * first stage's input shape) quantised onto {@code inputGrid}, each stage convolved as {@link #staticInt8Conv2d}
     * reading the previous stage's output on its output grid, the last stage's output written to {@code out} (F32, its
     * output shape) as grid values. A backend with int8 kernels keeps the stages' outputs in uint8 between them. By
     * default one {@link #staticInt8Conv2d} per stage, through F32 temporaries.
     */
    default void staticInt8Conv2dChain(Tensor input, Uint8Grid inputGrid, List<StaticInt8ConvStage> stages,
                                       Tensor out) {
        StaticInt8ConvComposite.chain(this, input, inputGrid, stages, out);
    }

    /**
     * {@link #sparseMatmulAdd} of a matrix in compressed sparse rows: {@code out[i, :] += values[j] * dense[cols[j], :]}
     * for j from {@code crowIndices[i]} to {@code crowIndices[i + 1] - 1}, crowIndices (I64 [n + 1]) non-decreasing
     * from 0 to nnz, cols (I64 [nnz]) in range; {@code rowIndex} (I64 [nnz]) is the row of each entry, the same
     * matrix entry by entry ({@code torch.sparse.mm} of a CSR tensor). By default {@link #sparseMatmulAdd} of
     * rowIndex and cols, so a backend without a CSR kernel runs it.
     */
    default void sparseCsrMatmulAdd(Tensor crowIndices, Tensor rowIndex, Tensor cols, Tensor values, Tensor dense,
                                    Tensor out) {
        sparseMatmulAdd(rowIndex, cols, values, dense, out);
    }

    /**
     * Eigen-decompositions {@code a v = v diag(w)} of the general real matrices {@code a} {@code [batch, n, n]}, as
     * LAPACK's {@code geev}, complex numbers as pairs (real, imaginary): {@code eigenvalues} {@code [batch, n, 2]} in
     * the solver's order, a complex conjugate pair next to each other; {@code eigenvectors} {@code [batch, n, n, 2]}
     * the right eigenvectors as columns in the same order, each of unit 2-norm, a complex one turned so that its
     * largest component is real (null when only the values are wanted); {@code info} (I32 {@code [batch]}) 0, or
     * non-zero where the QR iterations did not converge. By default on the host, in F64, by Hessenberg reduction and
     * Francis double-shift QR, which refuses infinities and NaN with an IllegalArgumentException.
     */
    default void eig(Tensor a, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        EigOnHost.eig(this, a, eigenvalues, eigenvectors, info);
    }

    /**
     * {@link #staticInt8Conv2dChain} followed by max pooling {@code pool} (its input the last stage's output), the
     * pooled grid values written to {@code out} (F32, {@code pool.outputShape()}): a ResNet's stem with its max
     * pooling, PyTorch's {@code quantized::conv2d_relu} then {@code quantized::max_pool2d}. The maximum of grid values
     * is the grid value of the maximum q (quantising is monotone), so pooling before or after dequantising gives the
     * same values; a backend with int8 kernels pools in uint8. By default the chain into an F32 temporary of the
     * backend, then {@link #maxPool2dValues}.
     */
    default void staticInt8Conv2dChainMaxPool(Tensor input, Uint8Grid inputGrid, List<StaticInt8ConvStage> stages,
                                              Pool2dGeometry pool, Tensor out) {
        Shape convolved = stages.get(stages.size() - 1).geometry().outputShape();
        try (Tensor y = Tensor.empty(convolved, DType.F32, this)) {
            staticInt8Conv2dChain(input, inputGrid, stages, y);
            maxPool2dValues(y, pool, out);
        }
    }

    /**
     * {@link #staticInt8Conv2dChain} into {@code out} and, reading the same input on the same grid, the convolution
     * {@code shortcut} (its geometry's input the first stage's) into {@code shortcutOut} (F32, its output shape) as
     * grid values: a downsampling residual block's conv1 and conv2, and its shortcut convolution, both of which
     * PyTorch runs on the block's one quantised input. A backend with int8 kernels quantises the input once for both.
     * By default the chain, then {@link #staticInt8Conv2d} of the shortcut.
     */
    default void staticInt8Conv2dChainAndShortcut(Tensor input, Uint8Grid inputGrid, List<StaticInt8ConvStage> stages,
                                                  StaticInt8ConvStage shortcut, Tensor out, Tensor shortcutOut) {
        staticInt8Conv2dChain(input, inputGrid, stages, out);
        staticInt8Conv2d(input, shortcut.weights(), shortcut.bias(), shortcut.geometry(), inputGrid,
                shortcut.outputGrid(), shortcut.relu(), shortcutOut);
    }

    /**
     * Global average pooling of {@code input} [batch, channels, height, width] (F32 grid values of {@code inputGrid})
     * onto that grid, then the int8 convolution {@code stage} (its geometry's input [batch, channels, 1, 1]) into
     * {@code out} (F32, its output shape) as grid values: a quantised ResNet's head, PyTorch's quantized
     * {@code adaptive_avg_pool2d(x, 1)} and quantized {@code Linear}. A channel's n = height x width values pool to the
     * q value {@code zeroPoint + round((sum(q) - n zeroPoint) * (1 / n))}, the product in F32, rounding half to even
     * ({@link StaticInt8Conv#globalAvgPoolForward}). By default the q values recovered from the grid values, summed
     * and rounded in SPI operations ({@link StaticInt8ConvComposite}) into an F32 temporary of pooled grid values,
     * then {@link #staticInt8Conv2d}.
     */
    default void staticInt8GlobalAvgPoolConv2d(Tensor input, Uint8Grid inputGrid, StaticInt8ConvStage stage,
                                               Tensor out) {
        StaticInt8ConvComposite.globalAvgPoolConv2d(this, input, inputGrid, stage, out);
    }

    /**
     * {@code out = x} (both F32, same shape) with every element rounded to the nearest IEEE half, ties to even
     * ({@link Precision#roundToHalf}, exactly); out may be x. By default on the host; a backend with a kernel for it
     * overrides it.
     */
    default void roundToHalf(Tensor x, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32 || x.size() != out.size()) {
            throw new IllegalArgumentException("roundToHalf: F32 in and out of one size, got " + x.dtype() + " "
                    + x.shape() + " and " + out.dtype() + " " + out.shape());
        }
        float[] values = x.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] = Precision.roundToHalf(values[i]);
        }
        copyFromHost(FloatBuffer.wrap(values), out);
    }

    /**
     * {@link #gemm} in {@link Precision#F16}: A and B (F32) rounded to half ({@link #roundToHalf}), products
     * accumulated in F32, {@code C} F32. By default it multiplies rounded copies with {@link #gemm}; a backend with
     * fp16 hardware overrides it.
     */
    default void gemmF16(boolean transA, boolean transB, int m, int n, int k,
                         double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        gemmOnRoundedCopies(Precision.F16, transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    /** {@link #gemmStridedBatched} in {@link Precision#F16}, as {@link #gemmF16} is to {@link #gemm}. */
    default void gemmStridedBatchedF16(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                       Tensor a, long strideA, Tensor b, long strideB, double beta,
                                       Tensor c, long strideC, int batch) {
        gemmStridedBatchedOnRoundedCopies(Precision.F16, transA, transB, m, n, k, alpha, a, strideA, b, strideB,
                beta, c, strideC, batch);
    }

    /**
     * {@link #conv2dForward} in {@link Precision#F16}: input and weight (F32) rounded to half, products accumulated
     * in F32, the F32 bias added to the F32 result. By default it convolves rounded copies.
     */
    default void conv2dForwardF16(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out) {
        conv2dForwardOnRoundedCopies(Precision.F16, input, weight, bias, g, out);
    }

    /**
     * {@link #conv2dBackward} in {@link Precision#F16}: gradOut, and the input and weight where a gradient needs
     * them, rounded to half (the bias gradient sums the rounded gradOut in F32). By default on rounded copies.
     */
    default void conv2dBackwardF16(Tensor input, Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput,
                                   Tensor gradWeight, Tensor gradBias) {
        conv2dBackwardOnRoundedCopies(Precision.F16, input, gradOut, weight, g, gradInput, gradWeight, gradBias);
    }

    /**
     * PyTorch's {@code SparseAdam} step of the rows {@code rows} [nnz] (I64, distinct, in range) of {@code param}
     * [n, c] and its moments {@code expAvg}, {@code expAvgSq} (param's shape and dtype), from their gradient rows
     * {@code grad} [nnz, c]; other rows are not touched. For row {@code r = rows[j]} and {@code g = grad[j]}:
     * <pre>
     * mUpdate = (1 - beta1) * (g - m[r])          vUpdate = (1 - beta2) * (g * g - v[r])
     * param[r] += -stepSize * ((mUpdate + m[r]) / (sqrt(vUpdate + v[r]) + eps))
     * m[r] += mUpdate                             v[r] += vUpdate
     * </pre>
     * By default row gathers, element-wise passes and index adds through [nnz, c] temporaries.
     */
    default void sparseAdamUpdate(Tensor param, Tensor expAvg, Tensor expAvgSq, Tensor rows, Tensor grad,
                                  double stepSize, double beta1, double beta2, double eps) {
        SparseRowUpdates.adam(this, param, expAvg, expAvgSq, rows, grad, stepSize, beta1, beta2, eps);
    }

    /**
     * PyTorch's {@code Adagrad} step of a sparse gradient: rows {@code rows} [nnz] (I64, distinct, in range) of
     * {@code param} [n, c] and its sum of squares {@code sum} (param's shape and dtype), from their gradient rows
     * {@code grad} [nnz, c]; other rows are not touched. For row {@code r = rows[j]} and {@code g = grad[j]}:
     * {@code sum[r] += g * g; param[r] += -clr * (g / (sqrt(sum[r]) + eps))}. By default row gathers, element-wise
     * passes and index adds through [nnz, c] temporaries.
     */
    default void sparseAdagradUpdate(Tensor param, Tensor sum, Tensor rows, Tensor grad, double clr, double eps) {
        SparseRowUpdates.adagrad(this, param, sum, rows, grad, clr, eps);
    }

    /** {@link #gemm} of copies of A and B rounded to {@code precision}. */
    private void gemmOnRoundedCopies(Precision precision, boolean transA, boolean transB, int m, int n, int k,
                                     double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        Tensor roundedA = null;
        Tensor roundedB = null;
        try {
            roundedA = AutocastKernels.roundedCopy(this, a, precision);
            roundedB = AutocastKernels.roundedCopy(this, b, precision);
            gemm(transA, transB, m, n, k, alpha, roundedA, roundedB, beta, c);
        } finally {
            closeAll(roundedA, roundedB);
        }
    }

    /** {@link #gemmStridedBatched} of copies of A and B rounded to {@code precision}. */
    private void gemmStridedBatchedOnRoundedCopies(Precision precision, boolean transA, boolean transB, int m, int n,
                                                   int k, double alpha, Tensor a, long strideA, Tensor b,
                                                   long strideB, double beta, Tensor c, long strideC, int batch) {
        Tensor roundedA = null;
        Tensor roundedB = null;
        try {
            roundedA = AutocastKernels.roundedCopy(this, a, precision);
            roundedB = AutocastKernels.roundedCopy(this, b, precision);
            gemmStridedBatched(transA, transB, m, n, k, alpha, roundedA, strideA, roundedB, strideB, beta, c,
                    strideC, batch);
        } finally {
            closeAll(roundedA, roundedB);
        }
    }

    /** {@link #conv2dForward} of copies of the input and weight rounded to {@code precision}. */
    private void conv2dForwardOnRoundedCopies(Precision precision, Tensor input, Tensor weight, Tensor bias,
                                              Conv2dGeometry g, Tensor out) {
        Tensor roundedInput = null;
        Tensor roundedWeight = null;
        try {
            roundedInput = AutocastKernels.roundedCopy(this, input, precision);
            roundedWeight = AutocastKernels.roundedCopy(this, weight, precision);
            conv2dForward(roundedInput, roundedWeight, bias, g, out);
        } finally {
            closeAll(roundedInput, roundedWeight);
        }
    }

    /** {@link #conv2dBackward} of copies rounded to {@code precision} of the operands each wanted gradient reads. */
    private void conv2dBackwardOnRoundedCopies(Precision precision, Tensor input, Tensor gradOut, Tensor weight,
                                               Conv2dGeometry g, Tensor gradInput, Tensor gradWeight,
                                               Tensor gradBias) {
        Tensor roundedGradOut = null;
        Tensor roundedInput = null;
        Tensor roundedWeight = null;
        try {
            roundedGradOut = AutocastKernels.roundedCopy(this, gradOut, precision);
            roundedInput = gradWeight == null ? null : AutocastKernels.roundedCopy(this, input, precision);
            roundedWeight = gradInput == null ? null : AutocastKernels.roundedCopy(this, weight, precision);
            conv2dBackward(roundedInput, roundedGradOut, roundedWeight, g, gradInput, gradWeight, gradBias);
        } finally {
            closeAll(roundedGradOut, roundedInput, roundedWeight);
        }
    }
}
