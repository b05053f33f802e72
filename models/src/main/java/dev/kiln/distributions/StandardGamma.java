package dev.kiln.distributions;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Function;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * Draws from Gamma(alpha, 1), one per element of alpha, with PyTorch's implicit reparameterisation gradient
 * ({@code torch._standard_gamma} and its backward {@code _standard_gamma_grad}): the draw x is a function of alpha
 * through the cumulative distribution function F held fixed, {@code dx/dalpha = -(dF/dalpha) / (dF/dx)}, which
 * depends on alpha and x alone. The gradient is PyTorch's approximation of it, branch for branch: a Taylor series for
 * x below 0.8, Rice's saddle-point expansion for alpha above 8, a bivariate rational fit in log x/alpha and log alpha
 * otherwise.
 *
 * <p>Sampling is Marsaglia and Tsang's rejection method (PyTorch's {@code sample_gamma}), alpha below 1 boosted to
 * alpha + 1 and scaled by {@code u^(1/alpha)}, run with tensor operations on alpha's backend: each round proposes a
 * candidate, from the engine's seeded stream drawn on that backend, for only the elements still waiting, and reads
 * back which of them it accepted ({@link PendingRounds}). Acceptance is above 95% for every alpha, so an element still
 * waits after k rounds with probability below 0.05^k: a few rounds for millions of draws, each after the first on a
 * twentieth of the elements or fewer. Elements whose alpha is NaN, or below -2/3 (refused by validation), give NaN. Draws are clamped from below to the dtype's smallest normal number, as PyTorch's Gamma
 * clamps them, so that logarithms and quotients of them stay finite. One instance records one call.
 */
final class StandardGamma extends Function {
    /*
     * PyTorch writes these constants as float literals (0.8f, 0.9f, ...) compared with and multiplied by doubles, so
     * they act as the floats nearest to them: 0.8f is 0.800000011920929, and x = 0.8 takes the Taylor branch.
     */
    private static final double TAYLOR_BELOW = 0.8f;
    private static final double NEAR_MEAN_LOW = 0.9f;
    private static final double NEAR_MEAN_HIGH = 1.1f;
    private static final double ONE_THIRD = 1.0f / 3.0f;
    private static final double SQUEEZE = 0.0331f;

    /** Rows of PyTorch's bivariate rational fit: coefficients of 1, u, u^2 for the 8 coefficients in v. */
    private static final double[][] RATIONAL = {
        {0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084},
        {0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915,
            -0.00058392623},
        {0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
            -1.5247877e-07},
    };

    /** Differentiable draws of Gamma(alpha, 1), of alpha's shape, dtype and backend. */
    static Tensor sample(Tensor alpha) {
        return new StandardGamma().apply(alpha);
    }

    @Override
    protected Tensor forward(Tensor... inputs) {
        Tensor alpha = inputs[0];
        try (Scope scope = Scope.open()) {
            Tensor x = draw(alpha).clampMin(Finfo.tiny(alpha.dtype()));
            save(alpha, x);
            return scope.keep(x);
        }
    }

    /**
     * gradOutput dx/dalpha. The factor is computed with gradients off, in a scope that frees its two hundred or so
     * intermediates of the draws' size. Like PyTorch's {@code _standard_gamma_grad} it has no derivative: in a
     * backward pass that records its graph, it enters as a node of alpha that refuses to be differentiated again,
     * rather than as a constant that would make a second derivative silently wrong.
     */
    @Override
    protected Tensor[] backward(Tensor gradOutput) {
        Tensor dxdalpha;
        try (Scope scope = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            dxdalpha = scope.keep(gradient(saved()[0], saved()[1]));
        }
        if (Autograd.isEnabled()) {
            dxdalpha = new NotDifferentiable(dxdalpha).apply(saved()[0]);
        }
        return new Tensor[] {gradOutput.mul(dxdalpha)};
    }

    /** A value computed from alpha whose own derivative is refused, as PyTorch refuses _standard_gamma_grad's. */
    private static final class NotDifferentiable extends Function {
        private final Tensor value;

        NotDifferentiable(Tensor value) {
            this.value = value;
        }

        @Override
        protected Tensor forward(Tensor... inputs) {
            return value;
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            throw new UnsupportedOperationException("double backward through Gamma.rsample (and Beta's, Dirichlet's,"
                    + " Chi2's and StudentT's) is not supported: the derivative of its reparameterisation gradient,"
                    + " PyTorch's _standard_gamma_grad, is not implemented, in PyTorch either");
        }
    }

    /** Marsaglia-Tsang draws for every element of alpha (see the class comment). */
    private static Tensor draw(Tensor alpha) {
        Tensor boosted = alpha.lt(1);
        // Drawn first, as PyTorch draws it, for the elements whose alpha is boosted; 1 - u lies in (0, 1].
        Tensor boost = Tensor.where(boosted, alpha.uniformLike(0, 1).neg().add(1).log().div(alpha).exp(),
                alpha.fullLike(1));
        Tensor d = alpha.add(boosted).sub(ONE_THIRD).reshape((int) alpha.size());
        Tensor valid = d.gt(0);
        Tensor draws = PendingRounds.sum(valid, StandardGamma::round, () -> new Tensor[] {d, d.mul(9).rsqrt()});
        return draws.maskedFill(valid.eq(0), Double.NaN).reshape(alpha.shape().dims()).mul(boost)
                .maskedFill(alpha.eq(0), 0);
    }

    /** One rejection round over {d, c} of the elements still waiting: d v where a candidate is accepted. */
    private static PendingRounds.Outcome round(Tensor[] dc) {
        Tensor d = dc[0];
        Tensor x = d.normalLike(0, 1);
        Tensor y = dc[1].mul(x).add(1);
        Tensor v = y.square().mul(y);
        Tensor u = d.uniformLike(0, 1).neg().add(1);
        Tensor xx = x.square();
        // The squeeze test accepts most candidates without a logarithm; NaN (v <= 0) fails both comparisons.
        Tensor squeeze = u.lt(xx.square().mul(-SQUEEZE).add(1));
        Tensor exact = u.log().lt(xx.mul(0.5).add(d.mul(v.neg().add(1).add(v.log()))));
        Tensor accepted = y.gt(0).mul(squeeze.add(exact).gt(0));
        return new PendingRounds.Outcome(accepted.neg().add(1), Tensor.where(accepted, d.mul(v), d.fullLike(0)), dc);
    }

    /** PyTorch's {@code standard_gamma_grad_one}: dx/dalpha at the draw x, element-wise. */
    static Tensor gradient(Tensor alpha, Tensor x) {
        Tensor nearMean = alpha.mul(NEAR_MEAN_LOW).le(x).mul(x.le(alpha.mul(NEAR_MEAN_HIGH)));
        Tensor large = Tensor.where(nearMean, riceNearMean(alpha, x), riceTails(alpha, x));
        return Tensor.where(x.lt(TAYLOR_BELOW), smallX(alpha, x), Tensor.where(alpha.gt(8), large, rational(alpha, x)));
    }

    /**
     * The Taylor series for x below 0.8: {@code -(dF/dalpha) / pdf} with the incomplete gamma function's series to
     * order 5, whose ratio {@code x^alpha / pdf = x e^x}; 0 where that is NaN (x = 0), as in PyTorch.
     */
    private static Tensor smallX(Tensor alpha, Tensor x) {
        Tensor numer = x.fullLike(1);
        Tensor series1 = alpha.reciprocal();
        Tensor series2 = series1.square();
        for (int i = 1; i <= 5; i++) {
            numer = numer.mul(x.neg().div(i));
            Tensor denom = alpha.add(i);
            series1 = series1.add(numer.div(denom));
            series2 = series2.add(numer.div(denom.square()));
        }
        Tensor cdfAlphaOverPow = x.log().sub(alpha.digamma()).mul(series1).sub(series2);
        Tensor result = cdfAlphaOverPow.mul(x).mul(x.exp()).neg();
        return result.maskedFill(result.isnan(), 0);
    }

    /** Rice's expansion within 10% of the mean alpha, where the general one is singular. */
    private static Tensor riceNearMean(Tensor alpha, Tensor x) {
        Tensor alpha2 = alpha.square();
        Tensor numer1 = alpha.mul(12).add(1).mul(alpha).mul(24).add(1);
        Tensor numer2 = alpha2.mul(1440).add(x.mul(-120).add(53).mul(x).mul(6)).sub(x.square().mul(65).div(alpha))
                .add(alpha.mul(x.mul(3600).add(107)));
        return numer1.mul(numer2).div(alpha2.square().mul(1244160));
    }

    /** Rice's saddle-point expansion for alpha above 8, away from the mean. */
    private static Tensor riceTails(Tensor alpha, Tensor x) {
        Tensor denom = alpha.mul(8).sqrt();
        Tensor logRatio = x.div(alpha).log();
        Tensor term2 = denom.div(alpha.sub(x));
        Tensor term3 = x.sub(alpha).sub(alpha.mul(logRatio)).pow(-1.5);
        Tensor term23 = Tensor.where(x.lt(alpha), term2.sub(term3), term2.add(term3));
        Tensor term1 = logRatio.mul(term23).sub(alpha.reciprocal().mul(2).sqrt().mul(alpha.add(x))
                .div(alpha.sub(x).square()));
        Tensor inverse12 = alpha.mul(12).reciprocal();
        Tensor stirling = inverse12.mul(inverse12.mul(0.5).add(1)).add(1);
        return stirling.mul(x).mul(term1).div(denom).neg();
    }

    /** PyTorch's rational fit {@code exp(p(u, v) / q(u, v))}, u = log(x / alpha), v = log(alpha). */
    private static Tensor rational(Tensor alpha, Tensor x) {
        Tensor u = x.div(alpha).log();
        Tensor v = alpha.log();
        Tensor[] coefficient = new Tensor[8];
        for (int i = 0; i < 8; i++) {
            coefficient[i] = u.mul(RATIONAL[2][i]).add(RATIONAL[1][i]).mul(u).add(RATIONAL[0][i]);
        }
        Tensor p = cubic(v, coefficient, 0);
        Tensor q = cubic(v, coefficient, 4);
        return p.div(q).exp();
    }

    /** {@code c[from] + v (c[from + 1] + v (c[from + 2] + v c[from + 3]))}. */
    private static Tensor cubic(Tensor v, Tensor[] c, int from) {
        return v.mul(c[from + 3]).add(c[from + 2]).mul(v).add(c[from + 1]).mul(v).add(c[from]);
    }
}
