package dev.kiln.distributions;

import dev.kiln.distributions.transforms.CorrCholeskyTransform;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of {@link LKJCholesky} and {@link Wishart} against central finite differences in F64
 * ({@link GradCheck}): log-probabilities with respect to the parameters and the values (unvalidated, since the steps
 * leave the support's symmetric or unit-row matrices), Wishart's entropy and moments, and its reparameterised
 * Bartlett draws with respect to the scale, the noise fixed by reseeding the engine before each evaluation.
 */
class MatrixDistributionsGradientCheckTest extends DistributionGradientCheck {
    private static final double[] COVARIANCE = {2.0, 0.3, -0.4, 0.3, 1.5, 0.2, -0.4, 0.2, 1.0};
    private static final double[] VALUE = {3.0, 0.5, 0.2, 0.5, 2.0, -0.3, 0.2, -0.3, 1.5};

    @Test
    void lkjLogProbOfConcentrationAndValue() {
        Tensor concentration = leaf(0.5, 2.0);
        Tensor y = new CorrCholeskyTransform().forward(leaf(0.3, -1.2, 2.0, -0.5, 0.0, 1.1).reshape(2, 3)).detach()
                .requiresGrad(true);
        GradCheck.check("logProb", in -> new LKJCholesky(3, in[0], false).logProb(in[1]), concentration, y);
    }

    @Test
    void wishartLogProbOfDfCovarianceAndValue() {
        Tensor df = leaf(4.5);
        Tensor covariance = leaf(COVARIANCE);
        Tensor x = leaf(VALUE);
        GradCheck.check("covariance logProb", in -> Wishart.ofCovarianceMatrix(in[0], in[1].reshape(3, 3), false)
                .logProb(in[2].reshape(3, 3)), df, covariance, x);
        Tensor precision = leaf(COVARIANCE);
        GradCheck.check("precision logProb", in -> Wishart.ofPrecisionMatrix(in[0], in[1].reshape(3, 3), false)
                .logProb(in[2].reshape(3, 3)), df, precision, x);
    }

    @Test
    void wishartEntropyAndMomentsOfDfAndScaleTril() {
        Tensor df = leaf(4.5);
        Tensor tril = leaf(1.2, 0, 0, 0.3, 0.9, 0, -0.4, 0.2, 1.1);
        GradCheck.check("entropy", in -> Wishart.ofScaleTril(in[0], in[1].reshape(3, 3), false).entropy(), df, tril);
        GradCheck.check("variance", in -> Wishart.ofScaleTril(in[0], in[1].reshape(3, 3), false).variance(), df,
                tril);
        GradCheck.check("mode", in -> Wishart.ofScaleTril(in[0], in[1].reshape(3, 3), false).mode(), df, tril);
    }

    /**
     * The draws' gradient with respect to df is the Chi2 draws' implicit one, not the derivative of the rejection
     * sampler's transform that finite differences see: it is judged in {@link MatrixDistributionsSamplingTest} by the
     * mean of its gradients, and rsample here through the scale alone: through its lower triangle, since the
     * log-density's Cholesky solve reads no more and gives the upper one PyTorch's symmetric gradient, not 0.
     */
    @Test
    void wishartRsampleOfTheScaleTril() {
        Tensor df = Tensor.fromArray(new double[] {4.5, 6.0}, 2);
        Tensor tril = leaf(1.2, 0, 0, 0.3, 0.9, 0, -0.4, 0.2, 1.1);
        GradCheck.check("rsample", seeded(in -> Wishart.ofScaleTril(df, in[0].reshape(3, 3), false).rsample(3)), tril);
        GradCheck.check("logProb of rsample", seeded(in -> {
            Wishart w = Wishart.ofScaleTril(df, in[0].reshape(3, 3).tril(0), false);
            return w.logProb(w.rsample(2));
        }), tril);
    }
}
