package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Weight penalties to <em>add to the loss</em> before {@code backward()}:
 * {@code loss.add(Penalties.l2(model.trainableParameters(), 1e-4))}. Parameters may have any shape
 * ([out, in], [features], ...); each method returns a scalar of their dtype (F32 zero for an empty list).
 *
 * <p>Note the factor: {@code l2} is {@code lambda * sum(p^2)}, whose gradient is {@code 2 lambda p};
 * PyTorch's {@code weight_decay = wd} in SGD corresponds to {@code lambda = wd / 2}.
 */
public final class Penalties {
    private Penalties() {
    }

    /** {@code lambda * sum over parameters of sum |p|} (lasso); gradient {@code lambda * sign(p)}. */
    public static Tensor l1(List<Tensor> params, double lambda) {
        Tensor total = null;
        for (Tensor p : params) {
            Tensor term = p.abs().sum();
            total = total == null ? term : total.add(term);
        }
        return total == null ? Tensor.zeros(DType.F32) : total.mul(lambda);
    }

    /** {@code lambda * sum over parameters of sum p^2} (ridge, weight decay); gradient {@code 2 lambda p}. */
    public static Tensor l2(List<Tensor> params, double lambda) {
        Tensor total = null;
        for (Tensor p : params) {
            Tensor term = p.square().sum();
            total = total == null ? term : total.add(term);
        }
        return total == null ? Tensor.zeros(DType.F32) : total.mul(lambda);
    }
}
