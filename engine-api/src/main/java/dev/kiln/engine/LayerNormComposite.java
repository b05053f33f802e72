package dev.kiln.engine;

/**
 * The Backend SPI's default {@link Backend#layerNorm} and {@link Backend#layerNormBackward}, composed of the
 * backend's batch norm, broadcast products and reductions on views of the tensors: x {@code [..., features]} is
 * {@code [1, rows, features, 1]} to the batch norm (each row a channel), {@code [rows, features]} against the
 * per-feature weight and bias and {@code [rows, 1]} against the row statistics.
 */
final class LayerNormComposite {
    private LayerNormComposite() {
    }

    static void forward(Backend backend, Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean,
                        Tensor rstd) {
        try (Tensor xr = x.view(0, byRowsAsChannels(x)); Tensor or = out.view(0, byRowsAsChannels(x))) {
            backend.batchNormForward(xr, null, null, null, null, true, 0, eps, or, mean, rstd);
        }
        try (Tensor o = out.view(0, rows(x))) {
            alongRows(backend, BinaryOp.MUL, o, weight, o);
            alongRows(backend, BinaryOp.ADD, o, bias, o);
        }
    }

    static void backward(Backend backend, Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight,
                         Tensor gradX, Tensor gradWeight, Tensor gradBias) {
        if (gradX != null) {
            inputGradient(backend, gradOut, x, mean, rstd, weight, gradX);
        }
        try (Tensor g = gradOut.view(0, rows(x))) {
            if (gradWeight != null) {
                try (Tensor product = Tensor.empty(rows(x), x.dtype(), backend);
                     Tensor x2 = x.view(0, rows(x)); Tensor m = mean.view(0, statistics(x));
                     Tensor r = rstd.view(0, statistics(x))) {
                    backend.binary(BinaryOp.SUB, x2, m, product);
                    backend.binary(BinaryOp.MUL, product, r, product);
                    backend.binary(BinaryOp.MUL, product, g, product);
                    backend.reduce(ReduceOp.SUM, product, 0, gradWeight);
                }
            }
            if (gradBias != null) {
                backend.reduce(ReduceOp.SUM, g, 0, gradBias);
            }
        }
    }

    /** Batch norm's input gradient of {@code gradOut * weight} on the rows-as-channels views. */
    private static void inputGradient(Backend backend, Tensor gradOut, Tensor x, Tensor mean, Tensor rstd,
                                      Tensor weight, Tensor gradX) {
        Tensor gradXhat = gradOut;
        if (weight != null) {
            gradXhat = Tensor.empty(gradOut.shape(), gradOut.dtype(), backend);
            try (Tensor g = gradOut.view(0, rows(x)); Tensor gx = gradXhat.view(0, rows(x))) {
                alongRows(backend, BinaryOp.MUL, g, weight, gx);
            }
        }
        Shape channels = byRowsAsChannels(x);
        try (Tensor xr = x.view(0, channels); Tensor gr = gradXhat.view(0, channels);
             Tensor gi = gradX.view(0, channels)) {
            backend.batchNormBackward(xr, gr, null, mean, rstd, gi, null, null);
        } finally {
            if (gradXhat != gradOut) {
                gradXhat.close();
            }
        }
    }

    /** out = op(t, perFeature) with perFeature {@code [features]} broadcast along t's rows; nothing when null. */
    private static void alongRows(Backend backend, BinaryOp op, Tensor t, Tensor perFeature, Tensor out) {
        if (perFeature != null) {
            backend.binary(op, t, perFeature, out);
        }
    }

    /** x {@code [..., features]} as {@code [rows, features]}. */
    private static Shape rows(Tensor x) {
        int features = x.dim(-1);
        return Shape.of(Math.toIntExact(x.size() / features), features);
    }

    /** The row statistics {@code [rows]} as {@code [rows, 1]}, to broadcast along each row. */
    private static Shape statistics(Tensor x) {
        return Shape.of(rows(x).dim(0), 1);
    }

    /** x {@code [..., features]} as batch norm's {@code [1, rows, features, 1]}. */
    private static Shape byRowsAsChannels(Tensor x) {
        Shape r = rows(x);
        return Shape.of(1, r.dim(0), r.dim(1), 1);
    }
}
