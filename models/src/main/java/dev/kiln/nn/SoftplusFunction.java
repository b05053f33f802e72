package dev.kiln.nn;

import dev.kiln.engine.Function;
import dev.kiln.engine.Tensor;

/**
 * PyTorch's softplus, {@code log(1 + exp(beta x)) / beta}, and x itself where {@code beta x > threshold}; its
 * gradient is {@code sigmoid(beta x)}, and 1 above the threshold. The value is {@code max(z, 0) + log1p(exp(-|z|))}
 * for {@code z = beta x}, which never overflows, with log1p to the dtype's precision, so that for very negative
 * inputs it is {@code exp(beta x) / beta} as in PyTorch rather than a rounded-off 0. Beta 1 and an infinite threshold
 * (Mish's, LogSigmoid's) skip their operations. One instance per call.
 */
final class SoftplusFunction extends Function {
    private final double beta;
    private final double threshold;

    SoftplusFunction(double beta, double threshold) {
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x = in[0];
        save(x);
        return Temporaries.freedWithoutGradients(() -> {
            Tensor z = scaled(x);
            Tensor soft = z.relu().add(z.abs().neg().exp().log1p());
            soft = beta == 1 ? soft : soft.div(beta);
            return hasThreshold() ? Tensor.where(z.gt(threshold), x, soft) : soft;
        });
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {Temporaries.freedWithoutGradients(() -> {
            Tensor z = scaled(saved()[0]);
            Tensor slope = hasThreshold() ? z.sigmoid().maskedFill(z.gt(threshold), 1) : z.sigmoid();
            return g.mul(slope);
        })};
    }

    /** beta x, or x itself for beta 1. */
    private Tensor scaled(Tensor x) {
        return beta == 1 ? x : x.mul(beta);
    }

    private boolean hasThreshold() {
        return threshold != Double.POSITIVE_INFINITY;
    }
}
