package dev.kiln.train;

import dev.kiln.optim.Optimizer;

/**
 * Clipping of the gradients' joint norm before every optimizer step of a {@link Trainer}: PyTorch's
 * {@code clip_grad_norm_(model.parameters(), maxNorm, normType)} between {@code backward()} and {@code step()}.
 *
 * @param maxNorm  the largest joint norm let through, finite and &gt; 0
 * @param normType p &gt; 0 of the p-norm, or {@link Double#POSITIVE_INFINITY} for the largest |gradient|
 */
record GradientClipping(double maxNorm, double normType) {
    GradientClipping {
        Optimizer.checkClipGradNorm("Trainer.clipGradNorm", maxNorm, normType);
    }

    /** Clips the gradients of {@code optimizer}'s parameters in place; the norm stays on the device, unread. */
    void clip(Optimizer optimizer) {
        Optimizer.clipGradNorm(optimizer.params(), maxNorm, normType).close();
    }
}
