package dev.kiln.nn;

import dev.kiln.engine.Function;
import dev.kiln.engine.Tensor;

/**
 * Binary cross-entropy on logits, like PyTorch's {@code torch.nn.BCEWithLogitsLoss()}: logits x and
 * targets y in [0, 1] of one shape, e.g. [batch, 1];
 * {@code mean(max(x, 0) - x * y + log(1 + exp(-|x|)))}, which equals
 * {@code mean(-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))))} but never overflows. The gradient is
 * {@code sigmoid(x) - y}, exact also at x = 0 (where the formula's max and |x| have kinks).
 */
public class BCEWithLogitsLoss implements Loss {
    @Override
    public Tensor compute(Tensor output, Tensor target) {
        Losses.sameShape("BCEWithLogitsLoss", output, target);
        return new ElementWise().apply(output, target).mean();
    }

    private static final class ElementWise extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            Tensor y = in[1];
            save(x, y);
            return x.relu().sub(x.mul(y)).add(x.abs().neg().exp().add(1).log());
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor y = saved()[1];
            Tensor gx = x.requiresGrad() ? g.mul(x.sigmoid().sub(y)) : null;
            Tensor gy = y.requiresGrad() ? g.mul(x).neg() : null;
            return new Tensor[] {gx, gy};
        }
    }
}
