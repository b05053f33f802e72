package dev.kiln.engine;

/**
 * Layer normalisation with its gradients ({@link F#layerNorm}): one recorded op on the backend's
 * {@link Backend#layerNorm} and {@link Backend#layerNormBackward}, which keeps the rows' mean and rstd.
 */
final class LayerNormOps {
    private static final String OP = "layerNorm";

    private LayerNormOps() {
    }

    static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        checkArguments(x, weight, bias, eps);
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        Shape statistics = Shape.of(rows(x));
        Tensor mean = x.emptyLike(statistics, x.dtype());
        Tensor rstd = x.emptyLike(statistics, x.dtype());
        if (x.size() > 0) {
            // No rows (PyTorch gives an empty output) ask nothing of the backend, whose kernels need a row.
            x.backend().layerNorm(x, weight, bias, eps, out, mean, rstd);
        }
        out.recordWithSaved(OP, new Tensor[] {x, weight, bias}, Node.differentiable(g -> Node.createsGraph()
                ? recordedGrads(x, weight, bias, eps, g)
                : grads(x, weight, bias, mean, rstd, g)), mean, rstd);
        return out;
    }

    /** The gradients {x, weight, bias} from the backend's backward pass, null where none is needed. */
    private static Tensor[] grads(Tensor x, Tensor weight, Tensor bias, Tensor mean, Tensor rstd, Tensor gradOut) {
        Tensor gradX = x.requiresGrad() ? gradOut.emptyLike(x.shape(), x.dtype()) : null;
        Tensor gradWeight = weight != null && weight.requiresGrad()
                ? gradOut.emptyLike(weight.shape(), weight.dtype()) : null;
        Tensor gradBias = bias != null && bias.requiresGrad() ? gradOut.emptyLike(bias.shape(), bias.dtype()) : null;
        if (x.size() == 0) {
            // Sums over no row: zero.
            for (Tensor sum : new Tensor[] {gradWeight, gradBias}) {
                if (sum != null) {
                    sum.backend().fill(sum, 0);
                }
            }
        } else if (gradX != null || gradWeight != null || gradBias != null) {
            gradOut.backend().layerNormBackward(gradOut, x, mean, rstd, weight, gradX, gradWeight, gradBias);
        }
        return new Tensor[] {gradX, gradWeight, gradBias};
    }

    /**
     * The gradients in recorded ops, for a backward pass that records its graph: the statistics recomputed from x
     * in recorded ops, so that the input's gradient depends on x as they do. With {@code xhat = (x - mean) rstd} and
     * {@code gxhat = gradOut * weight} per row: {@code gradX = rstd (gxhat - mean(gxhat) - xhat mean(gxhat xhat))},
     * {@code gradWeight = sum(gradOut xhat)}, {@code gradBias = sum(gradOut)}, the sums over rows.
     */
    private static Tensor[] recordedGrads(Tensor x, Tensor weight, Tensor bias, double eps, Tensor gradOut) {
        Tensor centred = x.sub(x.mean(-1, true));
        Tensor rstd = centred.square().mean(-1, true).add(eps).rsqrt();
        Tensor xhat = centred.mul(rstd);
        Tensor gradX = null;
        if (x.requiresGrad()) {
            Tensor gradXhat = weight == null ? gradOut : gradOut.mul(weight);
            gradX = gradXhat.sub(gradXhat.mean(-1, true)).sub(xhat.mul(gradXhat.mul(xhat).mean(-1, true))).mul(rstd);
        }
        // Sizes given, not inferred: no rows leave -1 undetermined.
        int features = x.dim(-1);
        int rows = rows(x);
        return new Tensor[] {
                gradX,
                weight != null && weight.requiresGrad()
                        ? gradOut.mul(xhat).reshape(rows, features).sum(0, false) : null,
                bias != null && bias.requiresGrad() ? gradOut.reshape(rows, features).sum(0, false) : null};
    }

    /** x {@code [..., features]}'s number of rows: the product of its leading dimensions. */
    private static int rows(Tensor x) {
        long rows = 1;
        for (int axis = 0; axis < x.rank() - 1; axis++) {
            rows *= x.dim(axis);
        }
        return Math.toIntExact(rows);
    }

    private static void checkArguments(Tensor x, Tensor weight, Tensor bias, double eps) {
        Checks.open(OP, x);
        Checks.floating(OP, x);
        if (x.rank() == 0) {
            throw new IllegalArgumentException(OP + ": input " + x.shape() + ": expected [..., features], at least 1-D");
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException(OP + ": eps " + eps + " must be 0 or more");
        }
        int features = x.dim(-1);
        String[] names = {"weight", "bias"};
        Tensor[] parameters = {weight, bias};
        for (int k = 0; k < 2; k++) {
            Tensor t = parameters[k];
            if (t == null) {
                continue;
            }
            Checks.compatible(OP, x, t);
            if (t.rank() != 1 || t.dim(0) != features) {
                throw new IllegalArgumentException(OP + ": " + names[k] + " " + t.shape() + " and input " + x.shape()
                        + ": " + names[k] + " must be [" + features + "], one value per feature (last axis)");
            }
        }
    }
}
