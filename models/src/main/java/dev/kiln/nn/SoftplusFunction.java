package dev.kiln.nn;

import dev.kiln.engine.Function;
import dev.kiln.engine.Tensor;

/**
 * PyTorch's softplus, {@code log(1 + exp(beta x)) / beta}, and x itself where {@code beta x > threshold}; its
 * gradient is {@code sigmoid(beta x)}, and 1 above the threshold. The value is {@code max(z, 0) + log1p(exp(-|z|))}
 * for {@code z = beta x}, which never overflows, with log1p computed to the dtype's precision, so that for very
 * negative inputs it is {@code exp(beta x) / beta} as in PyTorch rather than a rounded-off 0. One instance per call.
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
            Tensor z = x.mul(beta);
            Tensor soft = z.relu().add(log1p(z.abs().neg().exp())).div(beta);
            return Tensor.where(z.gt(threshold), x, soft);
        });
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {Temporaries.freedWithoutGradients(() -> {
            Tensor z = saved()[0].mul(beta);
            return g.mul(z.sigmoid().maskedFill(z.gt(threshold), 1));
        })};
    }

    /**
     * {@code log(1 + u)} for u in [0, 1], accurate also where {@code 1 + u} rounds to 1: Kahan's
     * {@code u log(w) / (w - 1)} with {@code w = 1 + u}, whose rounding errors in w cancel, and u itself where w is 1.
     */
    private static Tensor log1p(Tensor u) {
        Tensor w = u.add(1);
        return Tensor.where(w.eq(1), u, w.log().mul(u).div(w.sub(1)));
    }
}
