package dev.kiln.engine;

/**
 * Softmax cross-entropy of logits [n, c] against class indices [n] ({@link F#crossEntropy}): the fused mean of every
 * training step, and the per-row op under PyTorch's other reductions and its ignore index.
 */
final class CrossEntropy {
    private CrossEntropy() {
    }

    /** The mean over the rows, with the mean inside the op's node. */
    static Tensor mean(Tensor logits, Tensor targets) {
        check(logits, targets, null);
        int n = logits.dim(0);
        Tensor index = targets.dtype() == DType.I64 ? targets : targets.to(DType.I64);
        Backend backend = logits.backend();
        Tensor losses = logits.emptyLike(Shape.of(n), logits.dtype());
        Tensor probs = logits.emptyLike(logits.shape(), logits.dtype());
        backend.crossEntropy(logits, index, losses, probs);
        // The mean is part of this op's node, so that its backward pass gives every row one shared gradient
        // instead of spreading the mean's over [n] first: two kernels on a GPU where the mean's own node took four.
        Tensor mean = logits.emptyLike(Shape.of(), logits.dtype());
        backend.reduce(ReduceOp.SUM, losses, 0, mean);
        backend.affine(mean, 1.0 / n, 0, mean);
        losses.close();
        mean.recordWithSaved("crossEntropy", new Tensor[] {logits, index}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {recordedGradient(logits, index, g.mul(1.0 / n)), null};
            }
            Tensor gl = g.emptyLike(logits.shape(), logits.dtype());
            g.backend().crossEntropyBackward(probs, index, g, 1.0 / n, gl);
            return new Tensor[] {gl, null};
        }), probs, index != targets ? index : null);
        return mean;
    }

    /**
     * The rows' losses under {@code reduction}; with an {@code ignoreIndex} (null: none), the rows whose target it
     * is weigh 0, and the mean divides by the rows that count.
     */
    static Tensor reduced(Tensor logits, Tensor targets, Reduction reduction, Long ignoreIndex) {
        if (ignoreIndex != null && !targets.mayContain(ignoreIndex)) {
            // No row is ignored: the same values without the mask, and the mean as the fused op of every step.
            return reduction == Reduction.MEAN ? mean(logits, targets) : reduced(logits, targets, reduction, null);
        }
        check(logits, targets, ignoreIndex);
        Tensor weights = null;
        Tensor index;
        if (ignoreIndex == null) {
            index = targets.dtype() == DType.I64 ? targets : targets.to(DType.I64);
        } else {
            Tensor counted = ElementwiseOps.compareScalar(BinaryOp.NE, targets, ignoreIndex);
            index = Tensor.consume(countedTargets(counted, targets), targets, t -> t.to(DType.I64));
            weights = Tensor.consume(counted, targets, t -> t.to(logits.dtype()));
        }
        Tensor losses = rows(logits, index);
        if (weights != null) {
            Tensor w = weights;
            losses = Tensor.consume(losses, logits, r -> countedOnly(r, w));
        }
        Tensor result = switch (reduction) {
            case NONE -> losses;
            case SUM -> Tensor.consume(losses, logits, Tensor::sum);
            case MEAN -> weights == null ? Tensor.consume(losses, logits, Tensor::mean)
                    : meanOverCounted(Tensor.consume(losses, logits, Tensor::sum), weights, logits);
        };
        if (weights != null) {
            Tensor.releaseIntermediate(weights, logits, result);
        }
        Tensor.releaseIntermediate(index, targets, result);
        return result;
    }

    /**
     * Checks logits [n, classes] (floating) and targets [n] (I64 or I32) on one backend, every target in
     * [0, classes) or {@code ignoreIndex} (null: none).
     */
    private static void check(Tensor logits, Tensor targets, Long ignoreIndex) {
        Checks.open("crossEntropy", logits, targets);
        Checks.floating("crossEntropy", logits);
        Checks.index("crossEntropy", targets);
        Checks.sameBackend("crossEntropy", logits, targets);
        if (logits.rank() != 2 || targets.rank() != 1 || targets.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("crossEntropy: logits " + logits.shape() + " and targets " + targets.shape()
                    + ": expected [n, classes] and [n]");
        }
        int classes = logits.dim(1);
        Long outside = Checks.firstOutside(targets, classes, ignoreIndex);
        if (outside != null) {
            throw new IllegalArgumentException("crossEntropy: target " + outside + " is out of range [0, " + classes + ")"
                    + (ignoreIndex == null ? "" : " and not the ignore index " + ignoreIndex));
        }
    }

    /** Each row's cross-entropy [n] of logits [n, c] against index [n] (I64, in range), with its gradient. */
    private static Tensor rows(Tensor logits, Tensor index) {
        Tensor losses = logits.emptyLike(Shape.of(logits.dim(0)), logits.dtype());
        Tensor probs = logits.emptyLike(logits.shape(), logits.dtype());
        logits.backend().crossEntropy(logits, index, losses, probs);
        losses.recordWithSaved("crossEntropy", new Tensor[] {logits, index}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {recordedGradient(logits, index, g.reshape(g.dim(0), 1)), null};
            }
            Tensor gl = g.emptyLike(logits.shape(), logits.dtype());
            g.backend().crossEntropyBackward(probs, index, g, 1.0, gl);
            return new Tensor[] {gl, null};
        }), probs);
        return losses;
    }

    /**
     * The gradient of the rows' cross-entropy with respect to logits [n, c] in recorded ops, {@code (softmax(logits) -
     * onehot(index)) * rowGradient}, rowGradient [n, 1] or a scalar: differentiable again, through a softmax
     * recomputed from the logits.
     */
    private static Tensor recordedGradient(Tensor logits, Tensor index, Tensor rowGradient) {
        Tensor oneHot = logits.fullLike(0);
        try (Tensor column = index.reshape(index.dim(0), 1); Tensor ones = logits.emptyLike(Shape.of(index.dim(0), 1),
                logits.dtype())) {
            logits.backend().fill(ones, 1);
            logits.backend().scatterAdd(oneHot, 1, column, ones);
        }
        return F.softmax(logits, -1).sub(oneHot).mul(rowGradient);
    }

    /**
     * rows where weights is 1, 0 where it is 0. Picked, not multiplied: an ignored row (padding) may hold infinite
     * or NaN logits, whose loss times 0 would be NaN, where PyTorch never reads those rows.
     */
    private static Tensor countedOnly(Tensor rows, Tensor weights) {
        return Tensor.consume(ElementwiseOps.scalarLike(rows, 0), rows, zero -> ElementwiseOps.where(weights, rows, zero));
    }

    /** targets where counted is 1, 0 where it is 0 (ignored rows): indices in range for the fused op. */
    private static Tensor countedTargets(Tensor counted, Tensor targets) {
        Tensor product = targets.emptyLike(targets.shape(), targets.dtype());
        targets.backend().binary(BinaryOp.MUL, counted, targets, product);
        return product;
    }

    /** {@code sum / sum(weights)}, both intermediates of an op on {@code input} released unless recorded. */
    private static Tensor meanOverCounted(Tensor sum, Tensor weights, Tensor input) {
        Tensor count = weights.sum();
        Tensor mean = Tensor.consume(sum, input, t -> t.div(count));
        Tensor.releaseIntermediate(count, input, mean);
        return mean;
    }
}
