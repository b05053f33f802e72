package dev.kiln.engine;

/**
 * PyTorch's {@code F.gumbel_softmax}: a softmax over {@code dim} of {@code (logits + g) / tau} with g standard Gumbel
 * noise, and its straight-through hard form. Composed of public ops, so its gradient is theirs.
 */
final class GumbelSoftmaxOps {
    private GumbelSoftmaxOps() {
    }

    /** {@link F#gumbelSoftmax}: draws the noise, then {@link #withNoise}. */
    static Tensor gumbelSoftmax(Tensor logits, double tau, boolean hard, int dim) {
        check(logits, tau, dim);
        // -log(-log(u)) is standard Gumbel; u from the dtype's smallest normal number keeps both logs finite.
        double tiny = logits.dtype() == DType.F64 ? Double.MIN_NORMAL : Float.MIN_NORMAL;
        Tensor gumbels = Composite.untracked(() -> logits.uniformLike(tiny, 1).log().neg().log().neg());
        Tensor out = withNoise(logits, gumbels, tau, hard, dim);
        Tensor.releaseIntermediate(gumbels, logits, out);
        return out;
    }

    /**
     * {@code softmax((logits + gumbels) / tau, dim)}; when {@code hard}, the one-hot of its argmax in the forward
     * pass with the soft sample's gradient: {@code y_hard - y_soft.detach() + y_soft}, as PyTorch writes it.
     */
    static Tensor withNoise(Tensor logits, Tensor gumbels, double tau, boolean hard, int dim) {
        check(logits, tau, dim);
        if (!gumbels.shape().equals(logits.shape())) {
            throw new IllegalArgumentException("gumbelSoftmax: noise " + gumbels.shape() + " must have the logits' shape "
                    + logits.shape());
        }
        // Without a graph the soft sample and the one-hot are freed on the way out; with one they live as long as it.
        return Composite.composed(() -> {
            Tensor soft = F.softmax(logits.add(gumbels).div(tau), dim);
            if (!hard) {
                return soft;
            }
            Tensor index = soft.argmax(dim, true);
            Tensor oneHot = soft.fullLike(0).scatterAdd(dim, index, soft.fullLike(1, index.shape()));
            return oneHot.sub(soft.detach()).add(soft);
        }, logits, gumbels);
    }

    private static void check(Tensor logits, double tau, int dim) {
        Checks.floating("gumbelSoftmax", logits);
        if (!(tau > 0)) {
            throw new IllegalArgumentException("gumbelSoftmax: tau must be positive, got " + tau);
        }
        if (dim < -logits.rank() || dim >= logits.rank()) {
            throw new IllegalArgumentException("gumbelSoftmax: dim " + dim + " is out of range for logits " + logits.shape());
        }
    }
}
