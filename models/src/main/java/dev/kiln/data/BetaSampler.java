package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * Draws of Beta(a, b) on the host from a {@link SplittableRandom}, for batch augmentations whose one draw per batch
 * must come from the loader's seeded stream ({@link MixUp}, {@link CutMix}), and of a symmetric Dirichlet, Beta's
 * generalisation, for {@link AugMix}'s weights; {@code dev.kiln.distributions.Beta} draws
 * tensors from the engine's stream instead. A Beta draw is {@code X / (X + Y)} of independent gamma draws
 * {@code X ~ Gamma(a)}, {@code Y ~ Gamma(b)}, computed from their logarithms so that tiny concentrations, whose gamma
 * draws underflow to 0, still give a draw in [0, 1] rather than 0 / 0.
 */
final class BetaSampler {
    private BetaSampler() {
    }

    /**
     * One draw of Beta(a, b).
     *
     * @throws IllegalArgumentException unless both concentrations are positive and finite
     */
    static double beta(double a, double b, SplittableRandom random) {
        if (!(a > 0 && b > 0 && a < Double.POSITIVE_INFINITY && b < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("Beta: the concentrations must be positive and finite, got " + a
                    + " and " + b);
        }
        double logX = logGamma(a, random);
        double logY = logGamma(b, random);
        return 1 / (1 + Math.exp(logY - logX));
    }

    /**
     * The logarithm of one draw of Gamma(shape, 1), shape positive: Marsaglia and Tsang's rejection method, a shape
     * below 1 drawn at shape + 1 and scaled by {@code u^(1/shape)} (whose logarithm, unlike the power, never
     * underflows).
     */
    static double logGamma(double shape, SplittableRandom random) {
        if (shape < 1) {
            double u = 1 - random.nextDouble();
            return marsagliaTsang(shape + 1, random) + Math.log(u) / shape;
        }
        return marsagliaTsang(shape, random);
    }

    /**
     * One draw of the symmetric Dirichlet(alpha, ..., alpha) of {@code size} components: Gamma(alpha) draws over their
     * sum, taken from their logarithms as {@link #beta} does, so that tiny alphas, whose gamma draws underflow to 0,
     * still give weights that sum to 1 in the right proportions. The draws are {@link #logGamma}'s, in order.
     */
    static double[] dirichlet(double alpha, int size, SplittableRandom random) {
        // alpha * log G where alpha < 1 (log G itself where not): finite even where 1/alpha overflows, so the
        // largest draw weighs exp(0) and no weight is 0 / 0.
        double scale = Math.min(alpha, 1);
        double[] weights = new double[size];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            weights[i] = scaledLogGamma(alpha, random);
            max = Math.max(max, weights[i]);
        }
        double total = 0;
        for (int i = 0; i < size; i++) {
            weights[i] = Math.exp((weights[i] - max) / scale);
            total += weights[i];
        }
        for (int i = 0; i < size; i++) {
            weights[i] /= total;
        }
        return weights;
    }

    /** {@code min(shape, 1)} times {@link #logGamma}, from the same draws, computed without dividing by shape. */
    private static double scaledLogGamma(double shape, SplittableRandom random) {
        if (shape < 1) {
            double u = 1 - random.nextDouble();
            return shape * marsagliaTsang(shape + 1, random) + Math.log(u);
        }
        return marsagliaTsang(shape, random);
    }

    /** log of a Gamma(shape, 1) draw for shape at least 1; over 95% of the candidates are accepted. */
    private static double marsagliaTsang(double shape, SplittableRandom random) {
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian();
            double y = 1 + c * x;
            if (y <= 0) {
                continue;
            }
            double v = y * y * y;
            double u = 1 - random.nextDouble();
            double xx = x * x;
            // The squeeze accepts most candidates without a logarithm.
            if (u < 1 - 0.0331 * xx * xx || Math.log(u) < 0.5 * xx + d * (1 - v + Math.log(v))) {
                return Math.log(d * v);
            }
        }
    }
}
