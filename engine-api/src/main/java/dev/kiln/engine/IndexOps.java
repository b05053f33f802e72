package dev.kiln.engine;

/** Index selection, gather and their scatter-add mirrors, with gradients. */
final class IndexOps {
    private IndexOps() {
    }

    static Tensor indexSelect(Tensor src, int axis, Tensor index) {
        Checks.open("indexSelect", src, index);
        Checks.index("indexSelect", index);
        Checks.sameBackend("indexSelect", src, index);
        int a = src.shape().axis(axis);
        checkRange("indexSelect", index, src.dim(a), src.shape(), a);
        Tensor out = src.emptyLike(src.shape().with(a, Checks.dimension("indexSelect", index.shape() + " indices",
                index.size())), src.dtype());
        src.backend().indexSelect(src, a, index, out);
        Shape source = src.shape();
        out.record("indexSelect", new Tensor[] {src, index}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {indexAdd(zeros(g, source), a, index, g), null};
            }
            Tensor gs = g.emptyLike(source, g.dtype());
            g.backend().fill(gs, 0);
            g.backend().indexAdd(gs, a, index, g);
            return new Tensor[] {gs, null};
        }));
        return out;
    }

    /**
     * Rows {@code indices} of {@code weight} [rows, dim], shaped [...indices, dim]; the gradient scatters back
     * into weight, except into row {@code paddingIdx} (none when negative), which gets none.
     */
    static Tensor embedding(Tensor indices, Tensor weight, int paddingIdx) {
        String op = "embedding";
        Checks.open(op, indices, weight);
        Checks.index(op, indices);
        Checks.floating(op, weight);
        Checks.sameBackend(op, indices, weight);
        if (weight.rank() != 2) {
            throw new IllegalArgumentException(op + ": weight " + weight.shape() + " must be [rows, dim]");
        }
        int rows = weight.dim(0);
        int dim = weight.dim(1);
        if (paddingIdx >= rows) {
            throw new IllegalArgumentException(op + ": padding index " + paddingIdx + " is outside weight "
                    + weight.shape());
        }
        int n = Math.toIntExact(indices.size());
        Tensor flat = indices.reshape(n);
        checkRange(op, flat, rows, weight.shape(), 0);
        Shape flatShape = Shape.of(n, dim);
        Tensor out = weight.emptyLike(indices.shape().insert(indices.rank(), dim), weight.dtype());
        try (Tensor rowsOut = out.view(0, flatShape)) {
            weight.backend().indexSelect(weight, 0, flat, rowsOut);
        }
        out.record(op, new Tensor[] {weight, indices}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {embeddingGradient(g, weight.shape(), flat, paddingIdx), null};
            }
            Tensor gw = g.emptyLike(weight.shape(), g.dtype());
            Backend be = g.backend();
            be.fill(gw, 0);
            try (Tensor rowsGrad = g.view(0, flatShape)) {
                be.indexAdd(gw, 0, flat, rowsGrad);
            }
            if (paddingIdx >= 0) {
                try (Tensor padRow = gw.view((long) paddingIdx * dim, Shape.of(1, dim))) {
                    be.fill(padRow, 0);
                }
            }
            return new Tensor[] {gw, null};
        }));
        return out;
    }

    /**
     * The embedding's gradient in recorded ops: g's rows [n, dim] added into zeros of the weight's shape at the flat
     * indices, the padding row (none when negative) zeroed by a mask.
     */
    private static Tensor embeddingGradient(Tensor g, Shape weightShape, Tensor flat, int paddingIdx) {
        int rows = weightShape.dim(0);
        int dim = weightShape.dim(1);
        Tensor gw = indexAdd(zeros(g, weightShape), 0, flat, g.reshape(Math.toIntExact(flat.size()), dim));
        if (paddingIdx < 0) {
            return gw;
        }
        Tensor kept = g.emptyLike(Shape.of(rows, 1), g.dtype());
        g.backend().fill(kept, 1);
        try (Tensor padRow = kept.view(paddingIdx, Shape.of(1, 1))) {
            g.backend().fill(padRow, 0);
        }
        return gw.mul(kept);
    }

    static Tensor indexAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        Checks.compatible("indexAdd", dst, src);
        Checks.open("indexAdd", index);
        Checks.index("indexAdd", index);
        int a = dst.shape().axis(axis);
        Shape expected = dst.shape().with(a, Checks.dimension("indexAdd", index.shape() + " indices", index.size()));
        if (!src.shape().equals(expected)) {
            throw new IllegalArgumentException("indexAdd: source " + src.shape() + " must be " + expected
                    + " for destination " + dst.shape() + " and " + index.size() + " indices along axis " + axis);
        }
        checkRange("indexAdd", index, dst.dim(a), dst.shape(), a);
        Tensor out = dst.emptyLike(dst.shape(), dst.dtype());
        dst.backend().copy(dst, out);
        dst.backend().indexAdd(out, a, index, src);
        out.record("indexAdd", new Tensor[] {dst, src, index},
                Node.differentiable(g -> new Tensor[] {g, indexSelect(g, a, index), null}));
        return out;
    }

    static Tensor gather(Tensor src, int axis, Tensor index) {
        Checks.open("gather", src, index);
        Checks.index("gather", index);
        Checks.sameBackend("gather", src, index);
        int a = src.shape().axis(axis);
        checkGatherShapes("gather", src.shape(), index.shape(), a);
        checkRange("gather", index, src.dim(a), src.shape(), a);
        Shape region = ScatterShapes.region(src.shape(), a, index.shape());
        if (!region.equals(src.shape())) {
            return Tensor.consume(ScatterShapes.block(src, region), src, block -> fittedGather(block, a, index));
        }
        return fittedGather(src, a, index);
    }

    /** gather of an index of src's shape but along the axis, the backend's op. */
    private static Tensor fittedGather(Tensor src, int a, Tensor index) {
        Tensor out = src.emptyLike(index.shape(), src.dtype());
        src.backend().gather(src, a, index, out);
        Shape source = src.shape();
        out.record("gather", new Tensor[] {src, index}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {scatterAdd(zeros(g, source), a, index, g), null};
            }
            Tensor gs = g.emptyLike(source, g.dtype());
            g.backend().fill(gs, 0);
            g.backend().scatterAdd(gs, a, index, g);
            return new Tensor[] {gs, null};
        }));
        return out;
    }

    static Tensor scatterAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        Checks.compatible("scatterAdd", dst, src);
        Checks.open("scatterAdd", index);
        Checks.index("scatterAdd", index);
        int a = dst.shape().axis(axis);
        ScatterShapes.check("scatterAdd", dst.shape(), a, index.shape(), src.shape());
        checkRange("scatterAdd", index, dst.dim(a), dst.shape(), a);
        return ScatterShapes.fitted(dst, a, index.shape(), src, (d, s) -> fittedScatterAdd(d, a, index, s));
    }

    /** scatterAdd of an index of src's shape and of dst's off the axis, the backend's op. */
    private static Tensor fittedScatterAdd(Tensor dst, int a, Tensor index, Tensor src) {
        Tensor out = dst.emptyLike(dst.shape(), dst.dtype());
        dst.backend().copy(dst, out);
        dst.backend().scatterAdd(out, a, index, src);
        out.record("scatterAdd", new Tensor[] {dst, src, index},
                Node.differentiable(g -> new Tensor[] {g, gather(g, a, index), null}));
        return out;
    }

    /** Zeros of {@code shape}, on g's backend and of its dtype. */
    private static Tensor zeros(Tensor g, Shape shape) {
        Tensor z = g.emptyLike(shape, g.dtype());
        g.backend().fill(z, 0);
        return z;
    }

    /**
     * Gather takes an index of src's rank no larger than src along every axis but {@code axis}, as PyTorch's (it reads
     * src's leading block of that extent).
     */
    static void checkGatherShapes(String op, Shape src, Shape index, int axis) {
        if (src.rank() != index.rank()) {
            throw new IllegalArgumentException(op + ": index " + index + " and " + src + " must have one rank");
        }
        for (int i = 0; i < src.rank(); i++) {
            if (i != axis && index.dim(i) > src.dim(i)) {
                throw new IllegalArgumentException(op + ": index " + index + " must be no larger than " + src
                        + " along every axis but " + axis + ", but is " + index.dim(i) + " > " + src.dim(i)
                        + " along axis " + i);
            }
        }
    }

    /** A bad index is a clear error, never a wild memory access. */
    static void checkRange(String op, Tensor index, int limit, Shape shape, int axis) {
        Long outside = Checks.firstOutside(index, limit);
        if (outside != null) {
            throw new IllegalArgumentException(op + ": index " + outside + " is out of range [0, " + limit + ") for axis "
                    + axis + " of " + shape);
        }
    }
}
