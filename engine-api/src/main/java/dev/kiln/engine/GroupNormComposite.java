package dev.kiln.engine;

/**
 * The Backend SPI's default {@link Backend#groupNormForward} and {@link Backend#groupNormBackward}, composed of the
 * backend's batch norm, broadcast products and reductions on views of the tensors: x {@code [N, C, *]} is
 * {@code [1, N * groups, M, 1]} to the batch norm (each sample's group a channel), {@code [N, groups, M]} against the
 * group statistics and {@code [N, C, S]} against the per-channel weight.
 */
final class GroupNormComposite {
    private GroupNormComposite() {
    }

    static void forward(Backend backend, Tensor x, int groups, Tensor weight, Tensor bias, double eps, Tensor out,
                        Tensor saveMean, Tensor saveInvStd) {
        Shape grouped = grouped(x, groups);
        try (Tensor xg = x.view(0, grouped); Tensor og = out.view(0, grouped)) {
            backend.batchNormForward(xg, null, null, null, null, true, 0, eps, og, saveMean, saveInvStd);
        }
        try (Tensor o = out.view(0, perChannel(x))) {
            alongChannels(backend, BinaryOp.MUL, o, weight, o);
            alongChannels(backend, BinaryOp.ADD, o, bias, o);
        }
    }

    static void backward(Backend backend, Tensor x, Tensor gradOut, int groups, Tensor weight, Tensor saveMean,
                         Tensor saveInvStd, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        if (gradInput != null) {
            inputGradient(backend, x, gradOut, groups, weight, saveMean, saveInvStd, gradInput);
        }
        if (gradWeight != null) {
            try (Tensor product = Tensor.empty(x.shape(), x.dtype(), backend)) {
                Shape byGroup = Shape.of(x.dim(0), groups, Math.toIntExact(x.size() / ((long) x.dim(0) * groups)));
                Shape statistics = Shape.of(x.dim(0), groups, 1);
                try (Tensor x3 = x.view(0, byGroup); Tensor p3 = product.view(0, byGroup);
                     Tensor mean = saveMean.view(0, statistics); Tensor invStd = saveInvStd.view(0, statistics)) {
                    backend.binary(BinaryOp.SUB, x3, mean, p3);
                    backend.binary(BinaryOp.MUL, p3, invStd, p3);
                }
                backend.binary(BinaryOp.MUL, product, gradOut, product);
                sumToChannels(backend, product, gradWeight);
            }
        }
        if (gradBias != null) {
            sumToChannels(backend, gradOut, gradBias);
        }
    }

    /** Batch norm's input gradient of {@code gradOut * weight} on the grouped views. */
    private static void inputGradient(Backend backend, Tensor x, Tensor gradOut, int groups, Tensor weight,
                                      Tensor saveMean, Tensor saveInvStd, Tensor gradInput) {
        Tensor gradXhat = gradOut;
        if (weight != null) {
            gradXhat = Tensor.empty(gradOut.shape(), gradOut.dtype(), backend);
            try (Tensor g = gradOut.view(0, perChannel(x)); Tensor gx = gradXhat.view(0, perChannel(x))) {
                alongChannels(backend, BinaryOp.MUL, g, weight, gx);
            }
        }
        Shape grouped = grouped(x, groups);
        try (Tensor xg = x.view(0, grouped); Tensor gg = gradXhat.view(0, grouped);
             Tensor gi = gradInput.view(0, grouped)) {
            backend.batchNormBackward(xg, gg, null, saveMean, saveInvStd, gi, null, null);
        } finally {
            if (gradXhat != gradOut) {
                gradXhat.close();
            }
        }
    }

    /** out = op(t, perChannel) with perChannel {@code [C]} along axis 1 of t {@code [N, C, S]}; nothing when null. */
    private static void alongChannels(Backend backend, BinaryOp op, Tensor t, Tensor perChannel, Tensor out) {
        if (perChannel == null) {
            return;
        }
        try (Tensor p = perChannel.view(0, Shape.of(1, perChannel.dim(0), 1))) {
            backend.binary(op, t, p, out);
        }
    }

    /** out {@code [C]} = t {@code [N, C, *]} summed over all axes but 1. */
    private static void sumToChannels(Backend backend, Tensor t, Tensor out) {
        int n = t.dim(0);
        int c = t.dim(1);
        try (Tensor bySample = Tensor.empty(Shape.of(n, c), t.dtype(), backend);
             Tensor t3 = t.view(0, Shape.of(n, c, Math.toIntExact(t.size() / ((long) n * c))))) {
            backend.reduce(ReduceOp.SUM, t3, 2, bySample);
            backend.reduce(ReduceOp.SUM, bySample, 0, out);
        }
    }

    /** x {@code [N, C, *]} as batch norm's {@code [1, N * groups, M, 1]}. */
    private static Shape grouped(Tensor x, int groups) {
        int instances = x.dim(0) * groups;
        return Shape.of(1, instances, Math.toIntExact(x.size() / instances), 1);
    }

    /** x {@code [N, C, *]} as {@code [N, C, S]}. */
    private static Shape perChannel(Tensor x) {
        return Shape.of(x.dim(0), x.dim(1), Math.toIntExact(x.size() / ((long) x.dim(0) * x.dim(1))));
    }
}
