package dev.kiln.engine;

/**
 * Group normalisation with its gradients ({@link F#groupNorm}): one recorded op on the backend's
 * {@link Backend#groupNormForward} and {@link Backend#groupNormBackward}, which keeps the groups' mean and invStd.
 */
final class GroupNormOps {
    private static final String OP = "groupNorm";

    private GroupNormOps() {
    }

    static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        checkArguments(x, groups, weight, bias);
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        Tensor saveMean = x.emptyLike(Shape.of(x.dim(0) * groups), x.dtype());
        Tensor saveInvStd = x.emptyLike(Shape.of(x.dim(0) * groups), x.dtype());
        if (x.size() > 0) {
            // An empty batch (PyTorch gives an empty output) asks nothing of the backend, whose kernels need a group.
            x.backend().groupNormForward(x, groups, weight, bias, eps, out, saveMean, saveInvStd);
        }
        out.recordWithSaved(OP, new Tensor[] {x, weight, bias}, Node.differentiable(g -> Node.createsGraph()
                ? recordedGrads(x, groups, weight, bias, eps, g)
                : grads(x, groups, weight, bias, saveMean, saveInvStd, g)), saveMean, saveInvStd);
        return out;
    }

    /** The gradients {x, weight, bias} from the backend's backward pass, null where none is needed. */
    private static Tensor[] grads(Tensor x, int groups, Tensor weight, Tensor bias, Tensor saveMean,
                                  Tensor saveInvStd, Tensor gradOut) {
        int channels = x.dim(1);
        Tensor gradInput = x.requiresGrad() ? gradOut.emptyLike(x.shape(), x.dtype()) : null;
        Tensor gradWeight = weight != null && weight.requiresGrad()
                ? gradOut.emptyLike(Shape.of(channels), weight.dtype()) : null;
        Tensor gradBias = bias != null && bias.requiresGrad()
                ? gradOut.emptyLike(Shape.of(channels), bias.dtype()) : null;
        if (x.size() == 0) {
            // Sums over no sample: zero.
            for (Tensor sum : new Tensor[] {gradWeight, gradBias}) {
                if (sum != null) {
                    sum.backend().fill(sum, 0);
                }
            }
        } else if (gradInput != null || gradWeight != null || gradBias != null) {
            gradOut.backend().groupNormBackward(x, gradOut, groups, weight, saveMean, saveInvStd, gradInput,
                    gradWeight, gradBias);
        }
        return new Tensor[] {gradInput, gradWeight, gradBias};
    }

    /**
     * The gradients in recorded ops, for a backward pass that records its graph: the statistics recomputed from x
     * in recorded ops, so that the input's gradient depends on x as they do. With x as [N, groups, M],
     * {@code xhat = (x - mean) invStd} and {@code gxhat = gradOut * weight} per channel:
     * {@code gradInput = invStd (gxhat - mean(gxhat) - xhat mean(gxhat xhat))}, {@code gradWeight = sum(gradOut xhat)},
     * {@code gradBias = sum(gradOut)}, the sums over samples and positions.
     */
    private static Tensor[] recordedGrads(Tensor x, int groups, Tensor weight, Tensor bias, double eps,
                                          Tensor gradOut) {
        int n = x.dim(0);
        int channels = x.dim(1);
        // Sizes given, not inferred: an empty batch leaves -1 undetermined.
        int positions = Math.toIntExact(x.shape().inner(1));
        int perGroup = channels / groups * positions;
        Tensor byGroup = x.reshape(n, groups, perGroup);
        Tensor centred = byGroup.sub(byGroup.mean(2, true));
        Tensor invStd = centred.square().mean(2, true).add(eps).rsqrt();
        Tensor xhat = centred.mul(invStd);
        Tensor byChannel = gradOut.reshape(n, channels, positions);
        Tensor gradInput = null;
        if (x.requiresGrad()) {
            Tensor gradXhat = (weight == null ? byChannel : byChannel.mul(weight.reshape(1, channels, 1)))
                    .reshape(n, groups, perGroup);
            gradInput = gradXhat.sub(gradXhat.mean(2, true)).sub(xhat.mul(gradXhat.mul(xhat).mean(2, true)))
                    .mul(invStd).reshape(x.shape().dims());
        }
        return new Tensor[] {
                gradInput,
                weight != null && weight.requiresGrad()
                        ? byChannel.mul(xhat.reshape(n, channels, positions)).sum(2, false).sum(0, false) : null,
                bias != null && bias.requiresGrad() ? byChannel.sum(2, false).sum(0, false) : null};
    }

    private static void checkArguments(Tensor x, int groups, Tensor weight, Tensor bias) {
        Checks.open(OP, x);
        Checks.floating(OP, x);
        if (x.rank() < 2) {
            throw new IllegalArgumentException(OP + ": input " + x.shape() + ": expected [N, C, *], at least 2-D");
        }
        int channels = x.dim(1);
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(OP + ": groups " + groups + " must be positive and divide the "
                    + channels + " channels of input " + x.shape());
        }
        long perGroup = channels / groups * x.shape().inner(1);
        if (perGroup <= 1) {
            throw new IllegalArgumentException(OP + ": input " + x.shape() + " with " + groups
                    + " groups: expected more than 1 value per sample's group");
        }
        Checks.perChannel(OP, x, new String[] {"weight", "bias"}, weight, bias);
    }
}
