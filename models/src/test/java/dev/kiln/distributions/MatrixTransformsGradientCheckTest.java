package dev.kiln.distributions;

import dev.kiln.distributions.transforms.CorrCholeskyTransform;
import dev.kiln.distributions.transforms.LowerCholeskyTransform;
import dev.kiln.distributions.transforms.SoftmaxTransform;
import dev.kiln.distributions.transforms.StickBreakingTransform;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradients of the simplex and matrix transforms and {@link LogisticNormal} against central finite
 * differences in F64 ({@link GradCheck}), the noise of reparameterised samples fixed by reseeding the engine before
 * each evaluation. (The straight-through estimator is by design not the derivative of its piecewise-constant draws:
 * its gradient is held to PyTorch's in {@link MatrixDistributionsPyTorchParityTest}.)
 */
class MatrixTransformsGradientCheckTest extends DistributionGradientCheck {
    @Test
    void stickBreakingForwardInverseAndLogDet() {
        StickBreakingTransform stick = new StickBreakingTransform();
        Tensor x = leaf(0.3, -1.2, 2.0);
        Tensor y = leaf(0.1, 0.2, 0.3, 0.4);
        GradCheck.check("forward", in -> stick.forward(in[0]), x);
        GradCheck.check("inverse", in -> stick.inverse(in[0]), y);
        GradCheck.check("log det", in -> stick.logAbsDetJacobian(in[0], stick.forward(in[0])), x);
    }

    @Test
    void softmaxAndLowerCholeskyForward() {
        Tensor x = leaf(0.3, -1.2, 2.0);
        Tensor m = leaf(0.3, 1.0, -2.0, -1.2, 0.5, 0.7, 2.0, -0.4, -1.1);
        GradCheck.check("softmax", in -> new SoftmaxTransform().forward(in[0]), x);
        GradCheck.check("lower Cholesky", in -> new LowerCholeskyTransform().forward(in[0].reshape(3, 3)), m);
    }

    @Test
    void corrCholeskyForwardInverseAndLogDet() {
        CorrCholeskyTransform corr = new CorrCholeskyTransform();
        Tensor x = leaf(0.3, -1.2, 2.0, -0.5, 0.0, 1.1);
        GradCheck.check("forward", in -> corr.forward(in[0]), x);
        GradCheck.check("log det", in -> corr.logAbsDetJacobian(in[0], corr.forward(in[0])), x);
        Tensor y = corr.forward(leaf(0.3, -1.2, 2.0)).detach().requiresGrad(true);
        GradCheck.check("inverse", in -> corr.inverse(in[0]), y);
    }

    @Test
    void logisticNormalLogProbAndRsample() {
        Tensor loc = leaf(0.5, -1.0, 2.0);
        Tensor scale = leaf(0.5, 1.2, 2.0);
        Tensor y = leaf(0.1, 0.2, 0.3, 0.4);
        // Finite differences step off the simplex, which validation would refuse.
        GradCheck.check("logProb", in -> new LogisticNormal(in[0], in[1], false).logProb(in[2]), loc, scale, y);
        GradCheck.check("rsample", seeded(in -> new LogisticNormal(in[0], in[1]).rsample(5)), loc, scale);
        GradCheck.check("logProb of rsample", seeded(in -> {
            LogisticNormal d = new LogisticNormal(in[0], in[1], false);
            return d.logProb(d.rsample(5));
        }), loc, scale);
    }
}
