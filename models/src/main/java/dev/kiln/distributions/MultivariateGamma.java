package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The multivariate gamma function's logarithm and its derivative of order p, element by element, for the Wishart and
 * LKJ normalisers: PyTorch's {@code torch.mvlgamma(a, p)} and the distributions' {@code _mvdigamma(a, p)}.
 * <pre>
 * mvlgamma(a, p) = p (p - 1) / 4 log(pi) + sum_{i<p} lgamma(a - i / 2)
 * mvdigamma(a, p) = sum_{i<p} digamma(a - i / 2)
 * </pre>
 * Both need a > (p - 1) / 2 (lgamma of a negative argument is not the multivariate gamma's).
 */
final class MultivariateGamma {
    private static final double LOG_PI = Math.log(Math.PI);

    private MultivariateGamma() {
    }

    /** log Gamma_p(a), [a's shape]. */
    static Tensor logGamma(Tensor a, int p) {
        return shifted(a, p).lgamma().sum(-1, false).add(p * (p - 1) / 4.0 * LOG_PI);
    }

    /** d/da log Gamma_p(a), [a's shape]. */
    static Tensor digamma(Tensor a, int p) {
        return shifted(a, p).digamma().sum(-1, false);
    }

    /** a - i / 2 for i = 0 .. p - 1 along a new last axis: [a's shape..., p]. */
    private static Tensor shifted(Tensor a, int p) {
        Tensor halves = a.fullLike(0.5, Shape.of(p)).cumsum(0).sub(0.5);
        return a.unsqueeze(-1).sub(halves);
    }
}
