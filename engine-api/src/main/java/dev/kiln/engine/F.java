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
}
