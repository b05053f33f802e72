package dev.kiln.distributions;

import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_COVARIANCE_PRECISION_MATRIX;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_COVARIANCE_PRECISION_MATRIX_D_COVARIANCE;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_ENTROPY;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_ENTROPY_D_PRECISION;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_LOG_PROB;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_LOG_PROB_D_LOC;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_LOG_PROB_D_PRECISION;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_LOG_PROB_D_X;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_SCALE_TRIL;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.MVN_PRECISION_SCALE_TRIL_D_PRECISION;
import static dev.kiln.distributions.MultivariateNormalPrecisionValues.PRECISION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link MultivariateNormal#ofPrecisionMatrix} and {@link MultivariateNormal#precisionMatrix} against PyTorch 1.13's
 * {@code MultivariateNormal(loc, precision_matrix=...)} and {@code .precision_matrix} (values printed by
 * {@code models/src/test/pytorch/mvn_precision.py}), the log-probability's gradients against
 * finite differences, and the Cholesky factorisation's refusal of a matrix that is not positive-definite when nothing
 * validated it first.
 */
class MultivariateNormalPrecisionTest extends DistributionParity {
    private static final double[] LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] X = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0};
    @Test
    void logProbScaleTrilAndEntropyFromAPrecisionMatchPyTorch() {
        Tensor loc = leaf(LOC);
        Tensor precision = leaf(PRECISION, 2, 3, 3);
        Tensor x = leaf(X);
        check("log_prob", MultivariateNormal.ofPrecisionMatrix(loc, precision).logProb(x), MVN_PRECISION_LOG_PROB,
                grad(loc, MVN_PRECISION_LOG_PROB_D_LOC), grad(precision, MVN_PRECISION_LOG_PROB_D_PRECISION),
                grad(x, MVN_PRECISION_LOG_PROB_D_X));
        check("scale_tril", MultivariateNormal.ofPrecisionMatrix(constant(LOC), precision).scaleTril(),
                MVN_PRECISION_SCALE_TRIL, grad(precision, MVN_PRECISION_SCALE_TRIL_D_PRECISION));
        check("entropy", MultivariateNormal.ofPrecisionMatrix(constant(LOC), precision).entropy(),
                MVN_PRECISION_ENTROPY, grad(precision, MVN_PRECISION_ENTROPY_D_PRECISION));
    }

    @Test
    void thePrecisionOfADistributionGivenItsCovarianceMatchesPyTorch() {
        Tensor covariance = leaf(PRECISION, 2, 3, 3);
        check("precision_matrix", MultivariateNormal.ofCovarianceMatrix(constant(LOC), covariance).precisionMatrix(),
                MVN_COVARIANCE_PRECISION_MATRIX, grad(covariance, MVN_COVARIANCE_PRECISION_MATRIX_D_COVARIANCE));
    }

    @Test
    void logProbFromAPrecisionHasTheGradientsOfFiniteDifferences() {
        Tensor loc = leaf(LOC);
        Tensor precision = leaf(PRECISION, 2, 3, 3);
        Tensor x = leaf(X);
        GradCheck.check("MultivariateNormal(precision).logProb",
                in -> MultivariateNormal.ofPrecisionMatrix(in[0], in[1], false).logProb(in[2]), loc, precision, x);
    }

    @Test
    void aPrecisionThatIsNotPositiveDefiniteIsRefusedByTheCheckOrByTheFactorisation() {
        Tensor loc = Tensor.zeros(DType.F64, 2);
        Tensor indefinite = Tensor.fromArray(new double[] {1, 2, 2, 1}, 2, 2);
        assertEquals("MultivariateNormal(loc: [2], precisionMatrix: [2, 2]): parameter precisionMatrix [2, 2] must be"
                + " symmetric positive-definite, found [1.0, 2.0, 2.0, 1.0] at []",
                assertThrows(IllegalArgumentException.class,
                        () -> MultivariateNormal.ofPrecisionMatrix(loc, indefinite, true)).getMessage());
        String unchecked = assertThrows(IllegalArgumentException.class,
                () -> MultivariateNormal.ofCovarianceMatrix(loc, indefinite, false)).getMessage();
        assertTrue(unchecked.startsWith("linalg.cholesky: The factorization could not be completed"), unchecked);
    }

    @Test
    void theDistributionNamesItsPrecisionParameter() {
        assertEquals("MultivariateNormal(loc: [2, 3], precisionMatrix: [2, 3, 3])",
                MultivariateNormal.ofPrecisionMatrix(constant(LOC), constant(PRECISION, 2, 3, 3)).toString());
    }
}
