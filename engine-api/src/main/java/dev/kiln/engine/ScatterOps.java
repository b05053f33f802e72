package dev.kiln.engine;

import java.util.List;
import java.util.function.Supplier;

/**
 * PyTorch's out-of-place {@code scatter}, {@code scatter_reduce}, {@code index_fill}, {@code index_copy} and
 * {@code masked_scatter}, composed of {@code scatterAdd}, {@code indexAdd}, {@code gather}, {@code where} and the
 * reductions, so that they run on every backend and their gradients (PyTorch's) can be differentiated again. Where
 * several entries write one element, the last along the axis wins ({@link ScatterTargets} finds it on the device, by
 * a sort of the index that only runs where the largest count of entries per element, read on the host, is above 1)
 * and the overwritten entries get no gradient (PyTorch, which leaves the winner unspecified, gives them all one).
 * Scatter's max, min and product lay the entries hitting one element out in distinct slots of a dense tensor
 * [..., n, most hits, ...] (filled with the reduction's identity) and reduce over that axis, which splits max's
 * gradient evenly among ties and gives product's exactly where elements are 0; its memory is the destination's
 * size times the most entries hitting one element.
 */
final class ScatterOps {
    private static final List<String> REDUCTIONS = List.of("sum", "prod", "mean", "amax", "amin");

    private ScatterOps() {
    }

    static Tensor scatter(Tensor x, int axis, Tensor index, Tensor src) {
        if (x.rank() <= 1 && (x.rank() == 0 || index.rank() == 0 || src.rank() == 0)) {
            return scatterOfScalars(x, axis, index, src);
        }
        int a = checkScatter("scatter", x, axis, index, src);
        return ScatterShapes.fitted(x, a, index.shape(), src, (d, s) -> fittedScatter(d, a, index, s));
    }

    /**
     * scatter where a tensor of at most one axis meets a 0-d one, which PyTorch takes as one element (its
     * {@code ensure_nonempty_dim}): {@code torch.zeros(10).scatter_(0, torch.tensor(y), value=1)}, the one-hot label of
     * the Transforms tutorial. The result has x's rank.
     */
    private static Tensor scatterOfScalars(Tensor x, int axis, Tensor index, Tensor src) {
        checkScalarShapes(x, axis, index, src);
        Tensor vector = x.reshape(x.rank() == 0 ? 1 : x.dim(0));
        Tensor indices = index.rank() == 0 ? index.reshape(1) : index;
        Tensor values = src.rank() == 0 ? src.reshape(1) : src;
        Tensor scattered = scatter(vector, axis, indices, values);
        Tensor out = x.rank() == 0 ? scattered.reshape() : scattered;
        Tensor.releaseIntermediate(indices, index, out);
        Tensor.releaseIntermediate(values, src, out);
        Tensor.releaseIntermediate(vector, x, out);
        Tensor.releaseIntermediate(scattered, x, out);
        return out;
    }

    /** What the one-element views would hide from the messages: x's and src's own shapes. */
    private static void checkScalarShapes(Tensor x, int axis, Tensor index, Tensor src) {
        Checks.open("scatter", x, index, src);
        if (x.rank() == 0 && axis != 0 && axis != -1) {
            throw new IllegalArgumentException("scatter: axis " + axis + " is out of range for a 0-d tensor, which"
                    + " takes axis 0 or -1 (its one element)");
        }
        if (src.rank() == 0 && index.size() > 1) {
            throw new IllegalArgumentException("scatter: index " + index.shape() + " has " + index.size()
                    + " elements, more than the 0-d source's one; scatter a value, or a source of the index's shape");
        }
    }

    /** scatter of an index of src's shape and of x's off the axis. */
    private static Tensor fittedScatter(Tensor x, int a, Tensor index, Tensor src) {
        ScatterTargets targets = ScatterTargets.of(x.shape(), a, index);
        Tensor written = targets.written();
        Tensor last = lastWhereRepeated(targets);
        targets.close();
        Tensor out = recorded(() -> {
            Tensor kept = last == null ? src : Tensor.where(last, src, zero(src));
            Tensor added = zerosLike(x).scatterAdd(a, index, kept);
            return Tensor.where(written, added, x);
        }, x, src);
        release(out, x, written, last);
        return out;
    }

    static Tensor scatter(Tensor x, int axis, Tensor index, double value) {
        Checks.open("scatter", x, index);
        Tensor src = x.fullLike(value, index.shape());
        return Tensor.consume(src, x, s -> scatter(x, axis, index, s));
    }

    static Tensor scatterReduce(Tensor x, int axis, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        String op = "scatterReduce";
        int a = checkScatter(op, x, axis, index, src);
        if (!REDUCTIONS.contains(reduce)) {
            throw new IllegalArgumentException(op + ": reduce must be one of " + REDUCTIONS + ", got \"" + reduce
                    + "\"");
        }
        if (reduce.equals("sum") && includeSelf) {
            return x.scatterAdd(a, index, src);
        }
        return ScatterShapes.fitted(x, a, index.shape(), src, (d, s) -> fittedScatterReduce(d, a, index, s, reduce,
                includeSelf));
    }

    /** scatterReduce of an index of src's shape and of x's off the axis. */
    private static Tensor fittedScatterReduce(Tensor x, int a, Tensor index, Tensor src, String reduce,
                                              boolean includeSelf) {
        ScatterTargets targets = ScatterTargets.of(x.shape(), a, index);
        Tensor written = targets.written();
        Tensor out = switch (reduce) {
            case "sum" -> recorded(() -> base(x, written, includeSelf).scatterAdd(a, index, src), x, src);
            case "mean" -> mean(x, a, index, src, targets.counts(), written, includeSelf);
            default -> extreme(x, a, index, src, targets, written, reduce, includeSelf);
        };
        targets.close();
        Tensor.releaseIntermediate(written, x, out);
        return out;
    }

    /** x, or x with the written elements zeroed where x takes no part in the reduction. */
    private static Tensor base(Tensor x, Tensor written, boolean includeSelf) {
        return includeSelf ? x : Tensor.where(written, zero(x), x);
    }

    /** PyTorch's mean: the sum over x (if included) and the entries, divided by their count, x where none hit. */
    private static Tensor mean(Tensor x, int a, Tensor index, Tensor src, Tensor counts, Tensor written,
            boolean includeSelf) {
        Tensor divisor = Composite.untracked(() -> counts.add(includeSelf ? 1 : 0).clampMin(1).to(x.dtype()));
        Tensor out = recorded(() -> {
            Tensor sum = base(x, written, includeSelf).scatterAdd(a, index, src);
            // Integers divide as PyTorch's, rounding down.
            return x.dtype().isFloating() ? sum.div(divisor) : sum.floorDivide(divisor);
        }, x, src);
        Tensor.releaseIntermediate(divisor, x, out);
        return out;
    }

    /** amax, amin or prod over x (if included) and the entries laid out in distinct slots per element. */
    private static Tensor extreme(Tensor x, int a, Tensor index, Tensor src, ScatterTargets targets, Tensor written,
            String reduce, boolean includeSelf) {
        int most = targets.most();
        if (most == 0) {
            return x.clone();
        }
        int n = x.dim(a);
        Shape slots = x.shape().with(a, n * most);
        Tensor slot = Composite.untracked(() -> index.to(DType.F64).mul(most).add(targets.places()).to(DType.I64)
                .withValueRange(0, (long) n * most - 1));
        Tensor occupied = Composite.untracked(() -> ScatterTargets.filled(x, slots, 0)
                .scatterAdd(a, slot, ScatterTargets.filled(x, index.shape(), 1)));
        double identity = switch (reduce) {
            case "amax" -> Double.NEGATIVE_INFINITY;
            case "amin" -> Double.POSITIVE_INFINITY;
            default -> 1;
        };
        boolean integerExtreme = !x.dtype().isFloating() && !reduce.equals("prod");
        Tensor fill = integerExtreme ? null : x.fullLike(identity, Shape.scalar());
        int[] split = x.shape().insert(a + 1, most).with(a, n).dims();
        Tensor out = recorded(() -> {
            Tensor entries = zerosLike(x, slots).scatterAdd(a, slot, src);
            Tensor dense = integerExtreme ? integerSlots(x, a, entries.reshape(split), occupied.reshape(split),
                    includeSelf) : Tensor.where(occupied, entries, fill).reshape(split);
            if (includeSelf) {
                return reduce(Tensor.cat(List.of(x.unsqueeze(a + 1), dense), a + 1), a + 1, reduce);
            }
            if (!reduce.equals("prod") && x.dtype().isFloating()) {
                // PyTorch's gradient counts x among the entries tied with the result even where it takes no part:
                // x joins the reduction there, detached and only where it ties, so that it takes its share.
                Tensor extreme = Composite.untracked(() -> reduce(dense, a + 1, reduce));
                Tensor tied = Tensor.where(x.detach().eq(extreme), x.detach(), fill);
                return Tensor.where(written, reduce(Tensor.cat(List.of(tied.unsqueeze(a + 1), dense), a + 1), a + 1,
                        reduce), x);
            }
            return Tensor.where(written, reduce(dense, a + 1, reduce), x);
        }, x, src);
        release(out, x, fill, slot, occupied);
        return out;
    }

    /**
     * The slots of integer amax or amin, the empty ones holding a value that is already among the element's, as no
     * integer is an identity of both (infinities are not integers): x's where it takes part, else the element's
     * first entry (an element not written takes x's value afterwards).
     */
    private static Tensor integerSlots(Tensor x, int a, Tensor entries, Tensor occupied, boolean includeSelf) {
        Tensor standIn = includeSelf ? x.unsqueeze(a + 1) : entries.narrow(a + 1, 0, 1);
        return Tensor.where(occupied, entries, standIn);
    }

    /** amax, amin or prod of {@code entries} over {@code axis}, dropping it; prod of integers in their dtype. */
    private static Tensor reduce(Tensor entries, int axis, String reduce) {
        return switch (reduce) {
            case "amax" -> entries.amax(new int[] {axis}, false);
            case "amin" -> entries.amin(new int[] {axis}, false);
            default -> entries.dtype().isFloating() ? entries.prod(axis, false)
                    : entries.prod(axis, false).to(entries.dtype());
        };
    }

    static Tensor indexFill(Tensor x, int axis, Tensor index, double value) {
        String op = "indexFill";
        Checks.open(op, x, index);
        Checks.index(op, index);
        Checks.sameBackend(op, x, index);
        int a = Axes.axis(op, x.shape(), axis);
        checkVector(op, index);
        // As PyTorch's index_fill (alone of these ops), negative indices count from the end.
        Tensor wrapped = AdvancedIndexOps.wrapped(op, index, x.dim(a), "axis " + a + " of " + x.shape());
        Tensor flat = Tensor.consume(wrapped, index, w -> w.reshape(-1));
        ScatterTargets targets = ScatterTargets.of(Shape.of(x.dim(a)), 0, flat);
        Tensor hit = alongAxis(targets.written(), x, a);
        targets.close();
        if (flat != index) {
            flat.close();
        }
        Tensor out = x.maskedFill(hit, value);
        Tensor.releaseIntermediate(hit, x, out);
        return out;
    }

    static Tensor indexCopy(Tensor x, int axis, Tensor index, Tensor source) {
        String op = "indexCopy";
        int a = checkIndexVector(op, x, axis, index);
        Checks.compatible(op, x, source);
        Shape expected = x.shape().with(a, (int) index.size());
        if (!source.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": source " + source.shape() + " must be " + expected + " for "
                    + x.shape() + " and " + index.size() + " indices along axis " + axis);
        }
        Tensor flat = index.reshape(-1);
        ScatterTargets targets = ScatterTargets.of(Shape.of(x.dim(a)), 0, flat);
        Tensor written = alongAxis(targets.written(), x, a);
        Tensor repeated = lastWhereRepeated(targets);
        Tensor last = repeated == null ? null : alongAxis(repeated, x, a);
        targets.close();
        Tensor out = recorded(() -> {
            Tensor kept = last == null ? source : Tensor.where(last, source, zero(source));
            return Tensor.where(written, zerosLike(x).indexAdd(a, flat, kept), x);
        }, x, source);
        release(out, x, written, last);
        Tensor.releaseIntermediate(flat, index, out);
        return out;
    }

    static Tensor maskedScatter(Tensor x, Tensor mask, Tensor source) {
        String op = "maskedScatter";
        Checks.compatible(op, x, source);
        Checks.open(op, mask);
        Checks.sameBackend(op, x, mask);
        if (!Shape.broadcast(op, mask.shape(), x.shape()).equals(x.shape())) {
            throw new IllegalArgumentException(op + ": mask " + mask.shape() + " must broadcast to the tensor's shape "
                    + x.shape());
        }
        long[] positions = flatNonzero(mask, x.shape());
        int count = positions.length;
        if (source.size() < count) {
            throw new IllegalArgumentException(op + ": source " + source.shape() + " holds " + source.size()
                    + " elements, fewer than the mask's " + count + " non-zeros");
        }
        if (count == 0) {
            return x.clone();
        }
        Tensor at = HostValues.longs(x, positions, count);
        Tensor out = recorded(() -> {
            Tensor taken = source.reshape(-1).narrow(0, 0, count);
            Tensor placed = zerosLike(x, Shape.of((int) x.size())).indexAdd(0, at, taken);
            return Tensor.where(mask, placed.reshape(x.shape().dims()), x);
        }, x, source);
        Tensor.releaseIntermediate(at, x, out);
        return out;
    }

    /** The row-major positions where {@code mask}, broadcast to {@code shape}, is non-zero; read on the host. */
    private static long[] flatNonzero(Tensor mask, Shape shape) {
        Tensor full = mask.shape().equals(shape) ? mask : mask.expand(shape.dims());
        double[] values = full.toDoubleArray();
        if (full != mask) {
            full.close();
        }
        return java.util.stream.IntStream.range(0, values.length).filter(i -> values[i] != 0).asLongStream().toArray();
    }

    /** Checks scatter's arguments as scatterAdd's ({@link ScatterShapes#check}); the axis. */
    private static int checkScatter(String op, Tensor x, int axis, Tensor index, Tensor src) {
        Checks.compatible(op, x, src);
        Checks.open(op, index);
        Checks.index(op, index);
        Checks.sameBackend(op, x, index);
        int a = Axes.axis(op, x.shape(), axis);
        ScatterShapes.check(op, x.shape(), a, index.shape(), src.shape());
        IndexOps.checkRange(op, index, x.dim(a), x.shape(), a);
        return a;
    }

    /** Checks a vector (or scalar) of indices into axis {@code axis} of x; the axis. */
    private static int checkIndexVector(String op, Tensor x, int axis, Tensor index) {
        Checks.open(op, x, index);
        Checks.index(op, index);
        Checks.sameBackend(op, x, index);
        int a = Axes.axis(op, x.shape(), axis);
        checkVector(op, index);
        IndexOps.checkRange(op, index, x.dim(a), x.shape(), a);
        return a;
    }

    private static void checkVector(String op, Tensor index) {
        if (index.rank() > 1) {
            throw new IllegalArgumentException(op + ": index " + index.shape() + " must be a vector or a scalar");
        }
    }

    /**
     * 1 for each entry that no later one overwrites, else 0; null where no element is hit twice, which
     * {@link ScatterTargets#most} reads on the host, so that only scatters with repeated indices sort them.
     */
    private static Tensor lastWhereRepeated(ScatterTargets targets) {
        return targets.most() > 1 ? targets.last() : null;
    }

    /** Releases each of {@code intermediates} (null ones skipped) that {@code out}'s gradient does not read. */
    private static void release(Tensor out, Tensor x, Tensor... intermediates) {
        for (Tensor t : intermediates) {
            if (t != null) {
                Tensor.releaseIntermediate(t, x, out);
            }
        }
    }

    /** A vector along axis {@code a}, shaped to broadcast with x (size 1 on every other axis); consumes it. */
    private static Tensor alongAxis(Tensor vector, Tensor x, int a) {
        int[] dims = new int[x.rank()];
        java.util.Arrays.fill(dims, 1);
        dims[a] = (int) vector.size();
        return Tensor.consume(vector, x, v -> v.reshape(dims));
    }

    /**
     * The steps' result: recorded, their intermediates stay for the gradient; otherwise they are freed at once.
     */
    static Tensor recorded(Supplier<Tensor> steps, Tensor... inputs) {
        return Tensor.recordsFrom(inputs) ? steps.get() : Composite.untracked(steps);
    }

    private static Tensor zerosLike(Tensor x) {
        return zerosLike(x, x.shape());
    }

    private static Tensor zerosLike(Tensor x, Shape shape) {
        return x.fullLike(0, shape);
    }

    private static Tensor zero(Tensor x) {
        return x.fullLike(0, Shape.scalar());
    }
}
