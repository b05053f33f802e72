package dev.kiln.distributions;

import static dev.kiln.distributions.ContinuousDistributionsPyTorchValues.*;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gamma, Chi2, Beta, Dirichlet and StudentT (modes included), their divergences and Gamma's reparameterisation
 * gradient against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/distributions_continuous.py}, whose output is
 * {@link ContinuousDistributionsPyTorchValues}): each result and its inputs' gradients for the upstream
 * gradient 1, 2, 3, ... in the result's shape, to 1e-10 (relative above 1). Gradients through digamma (entropies,
 * divergences) are held to 1e-8: PyTorch differentiates digamma with its trigamma, good to about 1e-9 relative (see
 * {@link SpecialFunctionsTest}). The comment on each test names the torch call.
 */
class ContinuousDistributionsPyTorchParityTest extends DistributionParity {
    /** For gradients through digamma, which PyTorch's trigamma gives to about 1e-9. */
    private static final double TRIGAMMA_TOLERANCE = 1e-8;
    /**
     * For Beta-Normal's gradient at the concentrations (0.3, 0.4), where trigamma's terms of about 10 cancel to 0.47:
     * PyTorch's is 2.5e-8 relative off the derivative mpmath gives, which Kiln's meets to 2e-14.
     */
    private static final double CANCELLING_TRIGAMMA_TOLERANCE = 5e-8;
    private static final double[] CONCENTRATION = {0.5, 1.0, 2.5, 4.0, 0.3, 12.0};
    private static final double[] RATE = {1.0, 2.0, 0.5, 1.5, 0.7, 3.0};
    private static final double[] POSITIVE = {0.2, 0.4, 2.5, 1.5, 1.0, 3.0};
    /** Degrees of freedom on both sides of 1 and 2. */
    private static final double[] DF = {0.8, 1.0, 1.5, 2.0, 3.0, 7.5};
    private static final double[] C0 = {2.0, 0.7, 1.0, 3.0, 0.4, 5.0};
    private static final double[] UNIT = {0.1, 0.4, 0.95, 0.5, 0.02, 0.7};
    /** Two points of the simplex of 3 categories. */
    private static final double[] SIMPLEX = {0.2, 0.3, 0.5, 0.25, 0.05, 0.7};
    private static final double[] LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] SCALE = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8};
    private static final double[] X = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0};
    private static final double[] CONCENTRATION_Q = {1.0, 0.7, 0.4, 0.9, 2.0, 5.0};
    private static final double[] RATE_Q = {0.5, 1.0, 2.0, 1.0, 0.3, 4.0};
    /** Uniform q's bounds: leaving out part of [0, 1] at the third and fourth. */
    private static final double[] U_LOW = {0.0, -1.0, 0.0, 0.2, -0.5, 0.0};
    private static final double[] U_HIGH = {1.0, 2.0, 0.9, 1.0, 1.0, 1.5};
    /** Uniform p's bounds: above 1 at the fourth, below 0 at the fifth. */
    private static final double[] P_LOW = {0.1, 0.2, 0.05, 0.3, -0.1, 0.5};
    private static final double[] P_HIGH = {0.5, 0.9, 0.6, 1.2, 0.4, 0.7};
    /** Points (alpha, x) in each branch of PyTorch's gradient: Taylor, Rice near the mean and beyond, rational. */
    private static final double[] GRAD_ALPHA = {0.3, 1.0, 2.5, 50.0, 0.5, 1.0, 2.5, 7.9, 9.0, 20.0, 20.0, 20.0, 100.0,
        100.0, 3.0, 0.05};
    private static final double[] GRAD_X = {0.01, 0.5, 0.79, 0.3, 0.8, 1.7, 6.0, 4.0, 9.5, 19.0, 12.0, 30.0, 108.0,
        80.0, 0.8, 2.0};

    /** {@link #check} of a result whose gradients pass through digamma, to {@link #TRIGAMMA_TOLERANCE}. */
    private static void checkThroughDigamma(String what, Tensor result, double[] expected, Gradient... gradients) {
        check(what, result, expected, TRIGAMMA_TOLERANCE, gradients);
    }

    @Test
    void gammaMatchesPyTorch() {
        // Gamma(a, r).log_prob(x), .entropy(), .mean, .variance
        Tensor a = leaf(CONCENTRATION);
        Tensor r = leaf(RATE);
        Tensor x = leaf(POSITIVE);
        check("log_prob", new Gamma(a, r).logProb(x), GAMMA_LOG_PROB, grad(a, GAMMA_LOG_PROB_D_A),
                grad(r, GAMMA_LOG_PROB_D_R), grad(x, GAMMA_LOG_PROB_D_X));
        checkThroughDigamma("entropy", new Gamma(a, r).entropy(), GAMMA_ENTROPY, grad(a, GAMMA_ENTROPY_D_A),
                grad(r, GAMMA_ENTROPY_D_R));
        check("mean", new Gamma(a, r).mean(), GAMMA_MEAN, grad(a, GAMMA_MEAN_D_A), grad(r, GAMMA_MEAN_D_R));
        check("variance", new Gamma(a, r).variance(), GAMMA_VARIANCE, grad(a, GAMMA_VARIANCE_D_A),
                grad(r, GAMMA_VARIANCE_D_R));
    }

    @Test
    void gammaAtZeroIsFiniteForConcentrationOneAndInfiniteBelow() {
        // Gamma(a, r).log_prob(0): xlogy(a - 1, 0) is 0 where a is 1
        assertClose("log_prob at 0", GAMMA_LOG_PROB_AT_ZERO,
                new Gamma(constant(CONCENTRATION), constant(RATE)).logProb(Tensor.zeros(DType.F64, 2, 3)));
    }

    @Test
    void chi2IsTheGammaOfHalfItsDegreesOfFreedomAndRateOneHalf() {
        // Chi2(df).log_prob(x), .entropy()
        Tensor df = leaf(DF);
        Tensor x = leaf(POSITIVE);
        check("log_prob", new Chi2(df).logProb(x), CHI2_LOG_PROB, grad(df, CHI2_LOG_PROB_D_DF),
                grad(x, CHI2_LOG_PROB_D_X));
        checkThroughDigamma("entropy", new Chi2(df).entropy(), CHI2_ENTROPY, grad(df, CHI2_ENTROPY_D_DF));
    }

    @Test
    void betaMatchesPyTorch() {
        // Beta(c1, c0).log_prob(x), .entropy(), .mean, .variance
        Tensor c1 = leaf(CONCENTRATION);
        Tensor c0 = leaf(C0);
        Tensor x = leaf(UNIT);
        check("log_prob", new Beta(c1, c0).logProb(x), BETA_LOG_PROB, grad(c1, BETA_LOG_PROB_D_C1),
                grad(c0, BETA_LOG_PROB_D_C0), grad(x, BETA_LOG_PROB_D_X));
        checkThroughDigamma("entropy", new Beta(c1, c0).entropy(), BETA_ENTROPY, grad(c1, BETA_ENTROPY_D_C1),
                grad(c0, BETA_ENTROPY_D_C0));
        check("mean", new Beta(c1, c0).mean(), BETA_MEAN, grad(c1, BETA_MEAN_D_C1), grad(c0, BETA_MEAN_D_C0));
        check("variance", new Beta(c1, c0).variance(), BETA_VARIANCE, grad(c1, BETA_VARIANCE_D_C1),
                grad(c0, BETA_VARIANCE_D_C0));
    }

    @Test
    void dirichletMatchesPyTorch() {
        // Dirichlet(a [2, 3]).log_prob(x [2, 3]), .entropy(), .mean, .variance
        Tensor a = leaf(CONCENTRATION);
        Tensor x = leaf(SIMPLEX);
        check("log_prob", new Dirichlet(a).logProb(x), DIRICHLET_LOG_PROB, grad(a, DIRICHLET_LOG_PROB_D_A),
                grad(x, DIRICHLET_LOG_PROB_D_X));
        checkThroughDigamma("entropy", new Dirichlet(a).entropy(), DIRICHLET_ENTROPY, grad(a, DIRICHLET_ENTROPY_D_A));
        check("mean", new Dirichlet(a).mean(), DIRICHLET_MEAN, grad(a, DIRICHLET_MEAN_D_A));
        check("variance", new Dirichlet(a).variance(), DIRICHLET_VARIANCE, grad(a, DIRICHLET_VARIANCE_D_A));
    }

    @Test
    void studentTMatchesPyTorch() {
        // StudentT(df, loc, scale).log_prob(x), StudentT(df, LOC, scale).entropy()
        Tensor df = leaf(DF);
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor x = leaf(X);
        check("log_prob", new StudentT(df, loc, scale).logProb(x), STUDENT_T_LOG_PROB,
                grad(df, STUDENT_T_LOG_PROB_D_DF), grad(loc, STUDENT_T_LOG_PROB_D_LOC),
                grad(scale, STUDENT_T_LOG_PROB_D_SCALE), grad(x, STUDENT_T_LOG_PROB_D_X));
        checkThroughDigamma("entropy", new StudentT(df, constant(LOC), scale).entropy(), STUDENT_T_ENTROPY,
                grad(df, STUDENT_T_ENTROPY_D_DF), grad(scale, STUDENT_T_ENTROPY_D_SCALE));
    }

    @Test
    void studentTHasNoMeanAtOrBelowOneDegreeOfFreedomAndAnInfiniteVarianceUpToTwo() {
        // StudentT(df, loc, scale).mean, .variance: NaN where df <= 1, infinity where 1 < df <= 2
        StudentT t = new StudentT(constant(DF), constant(LOC), constant(SCALE));
        assertClose("mean", STUDENT_T_MEAN, t.mean());
        assertClose("variance", STUDENT_T_VARIANCE, t.variance());
        Tensor df = leaf(new double[] {2.5, 3.0, 10.0}, 3);
        Tensor scale = leaf(new double[] {0.5, 1.2, 2.0}, 3);
        check("finite variance", new StudentT(df, constant(new double[] {0.5, -1.0, 2.0}, 3), scale).variance(),
                STUDENT_T_FINITE_VARIANCE, grad(df, STUDENT_T_FINITE_VARIANCE_D_DF),
                grad(scale, STUDENT_T_FINITE_VARIANCE_D_SCALE));
    }

    @Test
    void gammaAndChi2ModesClampAtZeroAndPassTheGradientOnTheClamp() {
        // Gamma(a, r).mode, Chi2(df).mode: a = 1 and df = 2 sit on the clamp
        Tensor a = leaf(CONCENTRATION);
        Tensor r = leaf(RATE);
        check("Gamma", new Gamma(a, r).mode(), GAMMA_MODE, grad(a, GAMMA_MODE_D_A), grad(r, GAMMA_MODE_D_R));
        Tensor df = leaf(DF);
        check("Chi2", new Chi2(df).mode(), CHI2_MODE, grad(df, CHI2_MODE_D_DF));
    }

    @Test
    void betaModeIsTheDirichletsFirstCoordinateNaNWithoutAnExcessOverOne() {
        // Beta(c1, c0).mode: 0, NaN at (1, 0.7), 1 at (2.5, 1) and at (0.3, 0.4), both below 1
        Tensor c1 = leaf(CONCENTRATION);
        Tensor c0 = leaf(C0);
        check("mode", new Beta(c1, c0).mode(), BETA_MODE, grad(c1, BETA_MODE_D_C1), grad(c0, BETA_MODE_D_C0));
    }

    @Test
    void dirichletModeNormalisesTheExcessOverOne() {
        // Dirichlet(a [2, 3]).mode
        Tensor a = leaf(CONCENTRATION);
        check("mode", new Dirichlet(a).mode(), DIRICHLET_MODE, grad(a, DIRICHLET_MODE_D_A));
    }

    @Test
    void dirichletModeIsNaNWithoutAnExcessAndTheFirstVertexWhereEveryConcentrationIsBelowOne() {
        // Dirichlet(a [5, 3]).mode: all below 1 (twice, the largest last), all 1, 1 and below, 2 and below
        Tensor a = constant(new double[] {0.2, 0.5, 0.3, 0.9, 0.1, 0.99, 1, 1, 1, 1, 0.5, 0.5, 2, 0.5, 0.5}, 5, 3);
        assertClose("mode", DIRICHLET_MODE_EDGES, new Dirichlet(a).mode());
    }

    @Test
    void studentTModeIsItsLocation() {
        // StudentT(DF, loc, SCALE).mode
        Tensor loc = leaf(LOC);
        check("mode", new StudentT(constant(DF), loc, constant(SCALE)).mode(), STUDENT_T_MODE,
                grad(loc, STUDENT_T_MODE_D_LOC));
    }

    @Test
    void klOfGammaBetaAndDirichletPairsMatchesPyTorch() {
        // kl_divergence(Gamma(pa, pr), Gamma(qa, qr)), of Beta(p1, p0) and Beta(q1, q0), of Dirichlet(p) and Dirichlet(q)
        Tensor p1 = leaf(CONCENTRATION);
        Tensor p0 = leaf(RATE);
        Tensor q1 = leaf(CONCENTRATION_Q);
        Tensor q0 = leaf(RATE_Q);
        checkThroughDigamma("Gamma", KL.divergence(new Gamma(p1, p0), new Gamma(q1, q0)), KL_GAMMA, grad(p1, KL_GAMMA_D_PA),
                grad(p0, KL_GAMMA_D_PR), grad(q1, KL_GAMMA_D_QA), grad(q0, KL_GAMMA_D_QR));
        Tensor c0 = leaf(C0);
        checkThroughDigamma("Beta", KL.divergence(new Beta(p1, c0), new Beta(q1, q0)), KL_BETA, grad(p1, KL_BETA_D_P1),
                grad(c0, KL_BETA_D_P0), grad(q1, KL_BETA_D_Q1), grad(q0, KL_BETA_D_Q0));
        checkThroughDigamma("Dirichlet", KL.divergence(new Dirichlet(p1), new Dirichlet(q1)), KL_DIRICHLET,
                grad(p1, KL_DIRICHLET_D_P), grad(q1, KL_DIRICHLET_D_Q));
    }

    @Test
    void klOfBetaAgainstOtherKindsMatchesPyTorch() {
        // kl_divergence of Beta(p1, p0) and Exponential, Gamma, Normal, Uniform (infinite where q leaves out [0, 1])
        Tensor p1 = leaf(CONCENTRATION);
        Tensor p0 = leaf(C0);
        Tensor qa = leaf(CONCENTRATION_Q);
        Tensor qr = leaf(RATE_Q);
        checkThroughDigamma("Beta-Exponential", KL.divergence(new Beta(p1, p0), new Exponential(qr)),
                KL_BETA_EXPONENTIAL, grad(p1, KL_BETA_EXPONENTIAL_D_P1), grad(p0, KL_BETA_EXPONENTIAL_D_P0),
                grad(qr, KL_BETA_EXPONENTIAL_D_Q));
        checkThroughDigamma("Beta-Gamma", KL.divergence(new Beta(p1, p0), new Gamma(qa, qr)), KL_BETA_GAMMA,
                grad(p1, KL_BETA_GAMMA_D_P1), grad(p0, KL_BETA_GAMMA_D_P0), grad(qa, KL_BETA_GAMMA_D_QA),
                grad(qr, KL_BETA_GAMMA_D_QR));
        Tensor ql = leaf(LOC);
        Tensor qs = leaf(SCALE);
        check("Beta-Normal", KL.divergence(new Beta(p1, p0), new Normal(ql, qs)), KL_BETA_NORMAL,
                CANCELLING_TRIGAMMA_TOLERANCE, grad(p1, KL_BETA_NORMAL_D_P1), grad(p0, KL_BETA_NORMAL_D_P0),
                grad(ql, KL_BETA_NORMAL_D_QL), grad(qs, KL_BETA_NORMAL_D_QS));
        Tensor low = leaf(U_LOW);
        Tensor high = leaf(U_HIGH);
        checkThroughDigamma("Beta-Uniform", KL.divergence(new Beta(p1, p0), new Uniform(low, high)), KL_BETA_UNIFORM,
                grad(p1, KL_BETA_UNIFORM_D_P1), grad(p0, KL_BETA_UNIFORM_D_P0), grad(low, KL_BETA_UNIFORM_D_QL),
                grad(high, KL_BETA_UNIFORM_D_QH));
    }

    @Test
    void klOfGammaAgainstOtherKindsMatchesPyTorch() {
        // kl_divergence of Exponential-Gamma, of Gamma(pa, pr) and Exponential, Gumbel, Normal, of Chi2(df)-Normal
        Tensor pa = leaf(CONCENTRATION);
        Tensor pr = leaf(RATE);
        Tensor qa = leaf(CONCENTRATION_Q);
        Tensor qr = leaf(RATE_Q);
        check("Exponential-Gamma", KL.divergence(new Exponential(pr), new Gamma(qa, qr)), KL_EXPONENTIAL_GAMMA,
                grad(pr, KL_EXPONENTIAL_GAMMA_D_P), grad(qa, KL_EXPONENTIAL_GAMMA_D_QA),
                grad(qr, KL_EXPONENTIAL_GAMMA_D_QR));
        checkThroughDigamma("Gamma-Exponential", KL.divergence(new Gamma(pa, pr), new Exponential(qr)),
                KL_GAMMA_EXPONENTIAL, grad(pa, KL_GAMMA_EXPONENTIAL_D_PA), grad(pr, KL_GAMMA_EXPONENTIAL_D_PR),
                grad(qr, KL_GAMMA_EXPONENTIAL_D_Q));
        Tensor ql = leaf(LOC);
        Tensor qs = leaf(SCALE);
        checkThroughDigamma("Gamma-Gumbel", KL.divergence(new Gamma(pa, pr), new Gumbel(ql, qs)), KL_GAMMA_GUMBEL,
                grad(pa, KL_GAMMA_GUMBEL_D_PA), grad(pr, KL_GAMMA_GUMBEL_D_PR), grad(ql, KL_GAMMA_GUMBEL_D_QL),
                grad(qs, KL_GAMMA_GUMBEL_D_QS));
        checkThroughDigamma("Gamma-Normal", KL.divergence(new Gamma(pa, pr), new Normal(ql, qs)), KL_GAMMA_NORMAL,
                grad(pa, KL_GAMMA_NORMAL_D_PA), grad(pr, KL_GAMMA_NORMAL_D_PR), grad(ql, KL_GAMMA_NORMAL_D_QL),
                grad(qs, KL_GAMMA_NORMAL_D_QS));
        Tensor df = leaf(DF);
        checkThroughDigamma("Chi2-Normal", KL.divergence(new Chi2(df), new Normal(ql, qs)), KL_CHI2_NORMAL,
                grad(df, KL_CHI2_NORMAL_D_DF), grad(ql, KL_CHI2_NORMAL_D_QL), grad(qs, KL_CHI2_NORMAL_D_QS));
    }

    @Test
    void klOfUniformAgainstBetaAndGammaMatchesPyTorch() {
        // kl_divergence of Uniform(pl, ph) and Beta (infinite where p leaves [0, 1]), and Gamma (where pl < 0)
        Tensor pl = leaf(P_LOW);
        Tensor ph = leaf(P_HIGH);
        Tensor q1 = leaf(CONCENTRATION);
        Tensor q0 = leaf(C0);
        check("Uniform-Beta", KL.divergence(new Uniform(pl, ph), new Beta(q1, q0)), KL_UNIFORM_BETA,
                grad(pl, KL_UNIFORM_BETA_D_PL), grad(ph, KL_UNIFORM_BETA_D_PH), grad(q1, KL_UNIFORM_BETA_D_Q1),
                grad(q0, KL_UNIFORM_BETA_D_Q0));
        Tensor qa = leaf(CONCENTRATION_Q);
        Tensor qr = leaf(RATE_Q);
        check("Uniform-Gamma", KL.divergence(new Uniform(pl, ph), new Gamma(qa, qr)), KL_UNIFORM_GAMMA,
                grad(pl, KL_UNIFORM_GAMMA_D_PL), grad(ph, KL_UNIFORM_GAMMA_D_PH), grad(qa, KL_UNIFORM_GAMMA_D_QA),
                grad(qr, KL_UNIFORM_GAMMA_D_QR));
    }

    @Test
    void klOfPairsWhereGammaOrBetaRulesOutWhatP_DrawsIsInfinite() {
        // Exponential-Beta, Gamma-Beta, Gamma-Uniform, Gumbel-Beta, Gumbel-Gamma, Laplace-Beta, Laplace-Gamma,
        // Normal-Beta, Normal-Gamma
        Beta beta = new Beta(constant(CONCENTRATION), constant(C0));
        Gamma gamma = new Gamma(constant(CONCENTRATION), constant(RATE));
        Tensor loc = constant(LOC);
        Tensor scale = constant(SCALE);
        Tensor all = Tensor.stack(List.of(KL.divergence(new Exponential(constant(RATE)), beta),
                KL.divergence(gamma, beta), KL.divergence(gamma, new Uniform(constant(U_LOW), constant(U_HIGH))),
                KL.divergence(new Gumbel(loc, scale), beta), KL.divergence(new Gumbel(loc, scale), gamma),
                KL.divergence(new Laplace(loc, scale), beta), KL.divergence(new Laplace(loc, scale), gamma),
                KL.divergence(new Normal(loc, scale), beta), KL.divergence(new Normal(loc, scale), gamma)), 0);
        assertClose("infinite", KL_GAMMA_BETA_INFINITE_PAIRS, all);
    }

    @Test
    void theGammaSampleGradientIsPyTorchsInEachOfItsBranches() {
        // torch._standard_gamma_grad(alpha, x): d(sample)/d(alpha) at the sample x
        assertClose("d sample / d alpha", STANDARD_GAMMA_GRAD,
                StandardGamma.gradient(constant(GRAD_ALPHA, 16), constant(GRAD_X, 16)));
    }

    @Test
    void gammaRsampleBackpropagatesThatGradientAtItsDrawsDividedByTheRate() {
        // Gamma(a, r).rsample() = _standard_gamma(a) / r: d/da = _standard_gamma_grad(a, r x) / r, d/dr = -x / r
        Tensor a = leaf(new double[] {0.3, 2.5, 20.0}, 3);
        Tensor r = leaf(new double[] {1.5, 0.5, 2.0}, 3);
        Engine.seed(11);
        Tensor x = new Gamma(a, r).rsample(400);
        x.sum().backward();
        Tensor draws = x.detach();
        Tensor standard = draws.mul(r.detach());
        Tensor expectedA = StandardGamma.gradient(a.detach().expand(400, 3), standard).div(r.detach()).sum(0, false);
        Tensor expectedR = draws.div(r.detach()).neg().sum(0, false);
        assertClose("d/d concentration", expectedA.toDoubleArray(), a.grad());
        assertClose("d/d rate", expectedR.toDoubleArray(), r.grad());
    }
}
