package dev.kiln.distributions;

import static dev.kiln.distributions.TransformedDistributionsPyTorchValues.*;

import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.ComposeTransform;
import dev.kiln.distributions.transforms.ExpTransform;
import dev.kiln.distributions.transforms.PowerTransform;
import dev.kiln.distributions.transforms.SigmoidTransform;
import dev.kiln.distributions.transforms.TanhTransform;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The transforms and {@link TransformedDistribution} against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/distributions_transformed.py}, whose output is
 * {@link TransformedDistributionsPyTorchValues}): each result and its inputs' gradients for the upstream gradient 1,
 * 2, 3, ... in the result's shape, to 1e-10 (relative above 1). The comment on each test names the torch calls.
 */
class TransformedDistributionsPyTorchParityTest extends DistributionParity {
    private static final double[] LOC = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3};
    private static final double[] SCALE = {0.5, 1.2, 2.0, 0.3, 1.0, 0.8};
    private static final double[] X = {0.2, 0.4, 2.5, -1.0, 1.0, 1.0};
    /** Far beyond where tanh(x) rounds to 1 (about 19). */
    private static final double[] WIDE = {0.2, -3.0, 20.0, -40.0, 1.0, 400.0};
    private static final double[] POSITIVE = {0.2, 0.4, 2.5, 1.5, 1.0, 3.0};
    private static final double[] SQUASHED = {0.2, -0.7, 0.999999, -0.999, 0.5, 0.0};
    private static final double[] UNIT = {0.1, 0.3, 0.5, 0.75, 0.9, 0.02};
    private static final double[] EXPONENT = {0.5, 2.0, 3.0};
    private static final double[] AFFINE_LOC = {1.0, -2.0, 0.5};
    /** Negative entries among them, which flip a transformed cdf. */
    private static final double[] AFFINE_SCALE = {2.0, -0.5, 1.5, -3.0, 0.25, 4.0};

    private static Tensor scalar(double value) {
        return Tensor.full(value, DType.F64);
    }

    @Test
    void tanhLogDetIsTheStableFormulaFarIntoTheTails() {
        // TanhTransform().log_abs_det_jacobian(x, x.tanh()), .inv(y)
        Tensor x = leaf(WIDE);
        Tensor y = leaf(SQUASHED);
        TanhTransform tanh = new TanhTransform();
        check("log det", tanh.logAbsDetJacobian(x, x.tanh()), TANH_LOG_DET, grad(x, TANH_LOG_DET_D_X));
        check("inverse", tanh.inverse(y), TANH_INVERSE, grad(y, TANH_INVERSE_D_Y));
    }

    @Test
    void sigmoidClampsItsOutputAndInverse() {
        // SigmoidTransform().log_abs_det_jacobian(x, x.sigmoid()), .inv(y), SigmoidTransform()(x)
        Tensor x = leaf(WIDE);
        Tensor y = leaf(UNIT);
        SigmoidTransform sigmoid = new SigmoidTransform();
        check("log det", sigmoid.logAbsDetJacobian(x, x.sigmoid()), SIGMOID_LOG_DET, grad(x, SIGMOID_LOG_DET_D_X));
        check("inverse", sigmoid.inverse(y), SIGMOID_INVERSE, grad(y, SIGMOID_INVERSE_D_Y));
        assertClose("forward", SIGMOID_FORWARD_WIDE, sigmoid.forward(constant(WIDE)));
    }

    @Test
    void affineBroadcastsItsParametersAndSumsTheLogDetOverItsEvent() {
        // AffineTransform(loc, scale)(x), .inv(y), .log_abs_det_jacobian(x, x); event_dim=1's log_abs_det_jacobian
        Tensor loc = leaf(AFFINE_LOC, 3);
        Tensor scale = leaf(AFFINE_SCALE);
        Tensor x = leaf(X);
        check("forward", new AffineTransform(loc, scale).forward(x), AFFINE_FORWARD, grad(loc, AFFINE_FORWARD_D_LOC),
                grad(scale, AFFINE_FORWARD_D_SCALE), grad(x, AFFINE_FORWARD_D_X));
        check("inverse", new AffineTransform(loc, scale).inverse(x), AFFINE_INVERSE, grad(loc, AFFINE_INVERSE_D_LOC),
                grad(scale, AFFINE_INVERSE_D_SCALE), grad(x, AFFINE_INVERSE_D_Y));
        Tensor fixed = constant(X);
        check("log det", new AffineTransform(loc, scale).logAbsDetJacobian(fixed, fixed), AFFINE_LOG_DET,
                grad(scale, AFFINE_LOG_DET_D_SCALE));
        check("event log det", new AffineTransform(loc, scale, 1).logAbsDetJacobian(fixed, fixed),
                AFFINE_EVENT_LOG_DET, grad(scale, AFFINE_EVENT_LOG_DET_D_SCALE));
    }

    @Test
    void powerRaisesToATensorExponent() {
        // PowerTransform(exponent)(x), .inv(y), .log_abs_det_jacobian(x, x.pow(exponent))
        Tensor exponent = leaf(EXPONENT, 3);
        Tensor x = leaf(POSITIVE);
        PowerTransform power = new PowerTransform(exponent);
        check("forward", power.forward(x), POWER_FORWARD, grad(exponent, POWER_FORWARD_D_EXPONENT),
                grad(x, POWER_FORWARD_D_X));
        check("inverse", power.inverse(x), POWER_INVERSE, grad(exponent, POWER_INVERSE_D_EXPONENT),
                grad(x, POWER_INVERSE_D_Y));
        check("log det", power.logAbsDetJacobian(x, power.forward(x)), POWER_LOG_DET,
                grad(exponent, POWER_LOG_DET_D_EXPONENT), grad(x, POWER_LOG_DET_D_X));
    }

    @Test
    void aCompositionAddsItsPartsLogDets() {
        // ComposeTransform([AffineTransform(0.5, scale), TanhTransform(), ExpTransform()]).log_abs_det_jacobian(x, y)
        Tensor scale = leaf(SCALE);
        Tensor x = leaf(X);
        ComposeTransform composed = new ComposeTransform(new AffineTransform(scalar(0.5), scale), new TanhTransform(),
                new ExpTransform());
        check("log det", composed.logAbsDetJacobian(x, composed.forward(x)), COMPOSE_LOG_DET,
                grad(scale, COMPOSE_LOG_DET_D_SCALE), grad(x, COMPOSE_LOG_DET_D_X));
    }

    @Test
    void tanhSquashedNormalMatchesPyTorch() {
        // TransformedDistribution(Normal(loc, scale), [TanhTransform()]).log_prob(y), .cdf(y), .icdf(p); and over an
        // Independent(Normal(loc, scale), 1) action vector
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor y = leaf(SQUASHED);
        Tensor p = leaf(UNIT);
        check("log_prob", squashed(loc, scale).logProb(y), TANH_NORMAL_LOG_PROB, grad(loc, TANH_NORMAL_LOG_PROB_D_LOC),
                grad(scale, TANH_NORMAL_LOG_PROB_D_SCALE), grad(y, TANH_NORMAL_LOG_PROB_D_Y));
        TransformedDistribution action = new TransformedDistribution(new Independent(new Normal(loc, scale), 1),
                new TanhTransform());
        check("action log_prob", action.logProb(y), TANH_NORMAL_ACTION_LOG_PROB,
                grad(loc, TANH_NORMAL_ACTION_LOG_PROB_D_LOC), grad(scale, TANH_NORMAL_ACTION_LOG_PROB_D_SCALE),
                grad(y, TANH_NORMAL_ACTION_LOG_PROB_D_Y));
        check("cdf", squashed(loc, scale).cdf(y), TANH_NORMAL_CDF, grad(loc, TANH_NORMAL_CDF_D_LOC),
                grad(scale, TANH_NORMAL_CDF_D_SCALE), grad(y, TANH_NORMAL_CDF_D_Y));
        check("icdf", squashed(loc, scale).icdf(p), TANH_NORMAL_ICDF, grad(loc, TANH_NORMAL_ICDF_D_LOC),
                grad(scale, TANH_NORMAL_ICDF_D_SCALE), grad(p, TANH_NORMAL_ICDF_D_P));
    }

    private static TransformedDistribution squashed(Tensor loc, Tensor scale) {
        return new TransformedDistribution(new Normal(loc, scale), new TanhTransform());
    }

    @Test
    void expAndSigmoidOfANormalMatchPyTorch() {
        // TransformedDistribution(Normal(loc, scale), [ExpTransform()]).log_prob(y), .cdf(y);
        // TransformedDistribution(Normal(loc, scale), [SigmoidTransform()]).log_prob(y), .icdf(p)
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor y = leaf(POSITIVE);
        Tensor u = leaf(UNIT);
        TransformedDistribution exp = new TransformedDistribution(new Normal(loc, scale), new ExpTransform());
        check("exp log_prob", exp.logProb(y), EXP_NORMAL_LOG_PROB, grad(loc, EXP_NORMAL_LOG_PROB_D_LOC),
                grad(scale, EXP_NORMAL_LOG_PROB_D_SCALE), grad(y, EXP_NORMAL_LOG_PROB_D_Y));
        check("exp cdf", exp.cdf(y), EXP_NORMAL_CDF, grad(loc, EXP_NORMAL_CDF_D_LOC),
                grad(scale, EXP_NORMAL_CDF_D_SCALE), grad(y, EXP_NORMAL_CDF_D_Y));
        TransformedDistribution sigmoid = new TransformedDistribution(new Normal(loc, scale), new SigmoidTransform());
        check("sigmoid log_prob", sigmoid.logProb(u), SIGMOID_NORMAL_LOG_PROB,
                grad(loc, SIGMOID_NORMAL_LOG_PROB_D_LOC), grad(scale, SIGMOID_NORMAL_LOG_PROB_D_SCALE),
                grad(u, SIGMOID_NORMAL_LOG_PROB_D_Y));
        check("sigmoid icdf", sigmoid.icdf(u), SIGMOID_NORMAL_ICDF, grad(loc, SIGMOID_NORMAL_ICDF_D_LOC),
                grad(scale, SIGMOID_NORMAL_ICDF_D_SCALE), grad(u, SIGMOID_NORMAL_ICDF_D_P));
    }

    @Test
    void anAffineMapBroadcastsAScalarBaseAndFlipsTheCdfWhereItsScaleIsNegative() {
        // TransformedDistribution(Normal(0.3, 1.5), [AffineTransform(loc, scale)]).log_prob(y), .cdf(y), .icdf(p)
        Tensor loc = leaf(AFFINE_LOC, 3);
        Tensor scale = leaf(AFFINE_SCALE);
        Tensor y = leaf(X);
        Tensor p = leaf(UNIT);
        check("log_prob", affine(loc, scale).logProb(y), AFFINE_NORMAL_LOG_PROB,
                grad(loc, AFFINE_NORMAL_LOG_PROB_D_LOC), grad(scale, AFFINE_NORMAL_LOG_PROB_D_SCALE),
                grad(y, AFFINE_NORMAL_LOG_PROB_D_Y));
        check("cdf", affine(loc, scale).cdf(y), AFFINE_NORMAL_CDF, grad(loc, AFFINE_NORMAL_CDF_D_LOC),
                grad(scale, AFFINE_NORMAL_CDF_D_SCALE), grad(y, AFFINE_NORMAL_CDF_D_Y));
        check("icdf", affine(loc, scale).icdf(p), AFFINE_NORMAL_ICDF, grad(loc, AFFINE_NORMAL_ICDF_D_LOC),
                grad(scale, AFFINE_NORMAL_ICDF_D_SCALE), grad(p, AFFINE_NORMAL_ICDF_D_P));
    }

    private static TransformedDistribution affine(Tensor loc, Tensor scale) {
        return new TransformedDistribution(new Normal(scalar(0.3), scalar(1.5)),
                new AffineTransform(loc, scale));
    }

    @Test
    void anAffineMapOfOneEventAxisMakesTheBasesLastBatchAxisTheEvent() {
        // TransformedDistribution(Normal(loc, scale), [AffineTransform(AFFINE_LOC, AFFINE_SCALE[0], 1)]).log_prob(y)
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor y = leaf(X);
        AffineTransform affine = new AffineTransform(constant(AFFINE_LOC, 3),
                constant(new double[] {AFFINE_SCALE[0], AFFINE_SCALE[1], AFFINE_SCALE[2]}, 3), 1);
        check("log_prob", new TransformedDistribution(new Normal(loc, scale), affine).logProb(y),
                AFFINE_EVENT_NORMAL_LOG_PROB, grad(loc, AFFINE_EVENT_NORMAL_LOG_PROB_D_LOC),
                grad(scale, AFFINE_EVENT_NORMAL_LOG_PROB_D_SCALE), grad(y, AFFINE_EVENT_NORMAL_LOG_PROB_D_Y));
    }

    @Test
    void aPowerOfAnExponentialAndAComposedSquashingMatchPyTorch() {
        // TransformedDistribution(Exponential(rate), [PowerTransform(exponent)]).log_prob(y), .cdf(y);
        // TransformedDistribution(Normal(loc, scale), [Affine(0, 2), Sigmoid(), Affine(-1, 2)]).log_prob(y)
        Tensor rate = leaf(SCALE);
        Tensor exponent = leaf(EXPONENT, 3);
        Tensor y = leaf(POSITIVE);
        TransformedDistribution power = new TransformedDistribution(new Exponential(rate),
                new PowerTransform(exponent));
        check("power log_prob", power.logProb(y), POWER_EXPONENTIAL_LOG_PROB,
                grad(rate, POWER_EXPONENTIAL_LOG_PROB_D_RATE), grad(exponent, POWER_EXPONENTIAL_LOG_PROB_D_EXPONENT),
                grad(y, POWER_EXPONENTIAL_LOG_PROB_D_Y));
        check("power cdf", power.cdf(y), POWER_EXPONENTIAL_CDF, grad(rate, POWER_EXPONENTIAL_CDF_D_RATE),
                grad(exponent, POWER_EXPONENTIAL_CDF_D_EXPONENT), grad(y, POWER_EXPONENTIAL_CDF_D_Y));
        Tensor loc = leaf(LOC);
        Tensor scale = leaf(SCALE);
        Tensor squashedValue = leaf(SQUASHED);
        TransformedDistribution composed = new TransformedDistribution(new Normal(loc, scale),
                new AffineTransform(scalar(0.0), scalar(2.0)), new SigmoidTransform(),
                new AffineTransform(scalar(-1.0), scalar(2.0)));
        check("composed log_prob", composed.logProb(squashedValue), COMPOSED_NORMAL_LOG_PROB,
                grad(loc, COMPOSED_NORMAL_LOG_PROB_D_LOC), grad(scale, COMPOSED_NORMAL_LOG_PROB_D_SCALE),
                grad(squashedValue, COMPOSED_NORMAL_LOG_PROB_D_Y));
    }

    @Test
    void theDivergenceOfEquallyTransformedDistributionsIsTheirBases() {
        // kl_divergence(TransformedDistribution(Normal(pl, ps), [Tanh]),
        //               TransformedDistribution(Normal(ql, qs), [Tanh]))
        Tensor pl = leaf(LOC);
        Tensor ps = leaf(SCALE);
        Tensor ql = leaf(X);
        Tensor qs = leaf(POSITIVE);
        check("kl", KL.divergence(squashed(pl, ps), squashed(ql, qs)), KL_TANH_NORMAL, grad(pl, KL_TANH_NORMAL_D_PL),
                grad(ps, KL_TANH_NORMAL_D_PS), grad(ql, KL_TANH_NORMAL_D_QL), grad(qs, KL_TANH_NORMAL_D_QS));
    }
}
