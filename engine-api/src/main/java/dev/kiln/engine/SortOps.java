package dev.kiln.engine;

/**
 * Sorting along an axis and what follows from it: argsort, top-k, k-th smallest elements and medians. One backend
 * primitive, {@link Backend#sortLastAxis}, sorts the rows of the last axis and keeps the first k of each; another axis
 * is swapped with the last one before and after (a copy each way). The values' gradient scatters back to the
 * positions the indices name. The indices' range ([0, n)) is recorded, so that index checks (kthvalue's and median's
 * gathers, a caller's own) need not read them back from a device.
 */
final class SortOps {
    private SortOps() {
    }

    static IndexedValues sort(Tensor x, int axis, boolean descending) {
        Checks.open("sort", x);
        int a = Axes.axis("sort", x.shape(), axis);
        return first("sort", x, a, x.dim(a), descending);
    }

    static Tensor argsort(Tensor x, int axis, boolean descending) {
        Checks.open("argsort", x);
        int a = Axes.axis("argsort", x.shape(), axis);
        IndexedValues sorted = firstUnrecorded(x, a, x.dim(a), descending);
        sorted.values().close();
        return sorted.indices();
    }

    static IndexedValues topk(Tensor x, int k, int axis, boolean largest, boolean sorted) {
        Checks.open("topk", x);
        int a = Axes.axis("topk", x.shape(), axis);
        checkK("topk", x, a, axis, k, 0);
        IndexedValues top = first("topk", x, a, k, largest);
        return sorted ? top : inPositionOrder(top, a);
    }

    static IndexedValues kthvalue(Tensor x, int k, int axis, boolean keepDim) {
        Checks.open("kthvalue", x);
        int a = Axes.axis("kthvalue", x.shape(), axis);
        checkK("kthvalue", x, a, axis, k, 1);
        return picked(x, a, kthIndex(x, a, k), keepDim);
    }

    /** The lower median's position: the {@code ceil(n / 2)}-th smallest, or the first NaN where there is one. */
    static IndexedValues median(Tensor x, int axis, boolean keepDim) {
        Checks.open("median", x);
        int a = Axes.axis("median", x.shape(), axis);
        if (x.dim(a) == 0) {
            throw new IllegalArgumentException("median: axis " + axis + " of " + x.shape() + " is empty");
        }
        Tensor middle = kthIndex(x, a, (x.dim(a) + 1) / 2);
        Tensor index = x.dtype().isFloating() ? Composite.untracked(() -> {
            Tensor nan = x.ne(x);
            Tensor firstNaN = nan.argmax(a, true);
            return Tensor.where(nan.gather(a, firstNaN), firstNaN, middle);
        }) : middle;
        if (index != middle) {
            middle.close();
        }
        return picked(x, a, index, keepDim);
    }

    private static void checkK(String op, Tensor x, int a, int axis, int k, int least) {
        if (k < least || k > x.dim(a)) {
            throw new IllegalArgumentException(op + ": k " + k + " is out of range [" + least + ", " + x.dim(a)
                    + "] for axis " + axis + " of size " + x.dim(a) + " in shape " + x.shape());
        }
    }

    /**
     * The first k of x's elements along axis a in order and their positions; the values record {@code op}, whose
     * gradient adds each element's gradient at its position (a recorded scatter-add in a backward pass that records
     * its graph).
     */
    private static IndexedValues first(String op, Tensor x, int a, int k, boolean descending) {
        IndexedValues out = firstUnrecorded(x, a, k, descending);
        Tensor indices = out.indices();
        Shape source = x.shape();
        out.values().record(op, new Tensor[] {x}, Node.differentiable(g -> {
            Tensor gx = g.emptyLike(source, g.dtype());
            g.backend().fill(gx, 0);
            if (Node.createsGraph()) {
                return new Tensor[] {gx.scatterAdd(a, indices, g)};
            }
            g.backend().scatterAdd(gx, a, indices, g);
            return new Tensor[] {gx};
        }));
        return out;
    }

    private static IndexedValues firstUnrecorded(Tensor x, int a, int k, boolean descending) {
        Shape shape = x.shape().with(a, k);
        Tensor values = x.emptyLike(shape, x.dtype());
        Tensor indices = x.emptyLike(shape, DType.I64);
        if (values.size() > 0) {
            if (a == x.rank() - 1) {
                x.backend().sortLastAxis(x, descending, values, indices);
            } else {
                sortAlong(x, a, descending, values, indices);
            }
            indices.withValueRange(0, x.dim(a) - 1L);
        }
        return new IndexedValues(values, indices);
    }

    /** Sorts along axis a, not the last one, by swapping the two before and after. */
    private static void sortAlong(Tensor x, int a, boolean descending, Tensor values, Tensor indices) {
        int[] swap = new int[x.rank()];
        for (int i = 0; i < swap.length; i++) {
            swap[i] = i;
        }
        swap[a] = swap.length - 1;
        swap[swap.length - 1] = a;
        Backend backend = x.backend();
        Shape moved = swapped(values.shape(), a);
        try (Tensor rows = x.emptyLike(swapped(x.shape(), a), x.dtype());
             Tensor rowValues = x.emptyLike(moved, x.dtype());
             Tensor rowIndices = x.emptyLike(moved, DType.I64)) {
            backend.permute(x, swap, rows);
            backend.sortLastAxis(rows, descending, rowValues, rowIndices);
            backend.permute(rowValues, swap, values);
            backend.permute(rowIndices, swap, indices);
        }
    }

    private static Shape swapped(Shape s, int a) {
        int last = s.rank() - 1;
        return s.with(a, s.dim(last)).with(last, s.dim(a));
    }

    /** The position (I64, the axis kept as size 1) of the k-th smallest element along a, by the stable order. */
    private static Tensor kthIndex(Tensor x, int a, int k) {
        IndexedValues smallest = firstUnrecorded(x, a, k, false);
        smallest.values().close();
        return Tensor.consume(smallest.indices(), x, i -> i.narrow(a, k - 1, 1));
    }

    /**
     * x's elements at {@code index} along a (a gather, whose gradient scatters back), the axis dropped unless kept;
     * the gather's graph, where recorded, keeps the index it reads.
     */
    static IndexedValues picked(Tensor x, int a, Tensor index, boolean keepDim) {
        Tensor values = x.gather(a, index);
        if (keepDim) {
            return new IndexedValues(values, index);
        }
        Tensor positions = index.squeeze(a);
        Tensor.releaseIntermediate(index, x, values);
        return new IndexedValues(Tensor.consume(values, x, v -> v.squeeze(a)), positions);
    }

    /** topk's elements reordered by their positions along a: topk with {@code sorted} false. */
    private static IndexedValues inPositionOrder(IndexedValues top, int a) {
        IndexedValues byPosition = firstUnrecorded(top.indices(), a, top.indices().dim(a), false);
        Tensor positions = byPosition.values().withValueRangeOf(top.indices());
        Tensor values = top.values().gather(a, byPosition.indices());
        Tensor.releaseIntermediate(top.values(), null, values);
        Tensor.releaseIntermediate(top.indices(), null, values);
        Tensor.releaseIntermediate(byPosition.indices(), null, values);
        return new IndexedValues(values, positions);
    }
}
