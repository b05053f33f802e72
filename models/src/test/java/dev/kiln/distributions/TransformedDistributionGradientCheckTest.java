package dev.kiln.distributions;

import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.ComposeTransform;
import dev.kiln.distributions.transforms.ExpTransform;
import dev.kiln.distributions.transforms.PowerTransform;
import dev.kiln.distributions.transforms.SigmoidTransform;
import dev.kiln.distributions.transforms.TanhTransform;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of the transforms and of {@link TransformedDistribution} against central finite differences in
 * F64 ({@link GradCheck}): log |det Jacobian| of each transform, logProb, cdf and icdf with respect to the base's and
 * the transforms' parameters and to values, and reparameterised samples pushed through the transforms (the noise fixed
 * by reseeding the engine before each evaluation).
 */
class TransformedDistributionGradientCheckTest extends DistributionGradientCheck {
    @Test
    void eachTransformsLogDetJacobian() {
        Tensor x = leaf(0.2, -1.5, 3.0);
        Tensor positive = leaf(0.2, 1.5, 3.0);
        Tensor parameter = leaf(0.7, -1.2, 2.0);
        GradCheck.check("Tanh", in -> new TanhTransform().logAbsDetJacobian(in[0], in[0].tanh()), x);
        GradCheck.check("Sigmoid", in -> new SigmoidTransform().logAbsDetJacobian(in[0], in[0].sigmoid()), x);
        GradCheck.check("Affine", in -> new AffineTransform(in[0], in[0]).logAbsDetJacobian(x, x), parameter);
        GradCheck.check("Power", in -> {
            PowerTransform power = new PowerTransform(in[1]);
            return power.logAbsDetJacobian(in[0], power.forward(in[0]));
        }, positive, parameter);
        GradCheck.check("Compose", in -> {
            ComposeTransform composed = new ComposeTransform(new AffineTransform(in[1], in[1]), new TanhTransform());
            return composed.logAbsDetJacobian(in[0], composed.forward(in[0]));
        }, x, parameter);
    }

    @Test
    void tanhSquashedNormalLogProbCdfIcdfAndRsample() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor y = leaf(0.2, -0.7, 0.99);
        Tensor p = leaf(0.1, 0.3, 0.8);
        GradCheck.check("logProb", in -> squashed(in[0], in[1]).logProb(in[2]), loc, scale, y);
        GradCheck.check("cdf", in -> squashed(in[0], in[1]).cdf(in[2]), loc, scale, y);
        GradCheck.check("icdf", in -> squashed(in[0], in[1]).icdf(in[2]), loc, scale, p);
        GradCheck.check("rsample", seeded(in -> squashed(in[0], in[1]).rsample(4)), loc, scale);
        GradCheck.check("logProb of rsample", seeded(in -> {
            TransformedDistribution d = squashed(in[0], in[1]);
            return d.logProb(d.rsample(4));
        }), loc, scale);
    }

    private static TransformedDistribution squashed(Tensor loc, Tensor scale) {
        return new TransformedDistribution(new Normal(loc, scale), new TanhTransform());
    }

    @Test
    void affineEventAndComposedTransformsOfANormal() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor shift = leaf(1.0, -2.0, 0.5);
        Tensor factor = leaf(2.0, -0.5, 1.5);
        Tensor y = leaf(0.2, 0.4, 2.5);
        GradCheck.check("event affine logProb", in -> new TransformedDistribution(new Normal(in[0], in[1]),
                new AffineTransform(in[2], in[3], 1)).logProb(in[4]), loc, scale, shift, factor, y);
        GradCheck.check("affine cdf", in -> new TransformedDistribution(new Normal(in[0], in[1]),
                new AffineTransform(in[2], in[3])).cdf(in[4]), loc, scale, shift, factor, y);
        GradCheck.check("affine rsample", seeded(in -> new TransformedDistribution(new Normal(in[0], in[1]),
                new AffineTransform(in[2], in[3])).rsample(3)), loc, scale, shift, factor);
        GradCheck.check("exp then power logProb", in -> new TransformedDistribution(new Normal(in[0], in[1]),
                new ExpTransform(), new PowerTransform(in[2])).logProb(in[3]), loc, scale, leaf(2.0, 0.5, 1.5), y);
    }
}
