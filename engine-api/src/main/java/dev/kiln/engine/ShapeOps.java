package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reshaping, slicing, transposition and concatenation, with their gradients. */
final class ShapeOps {
    private ShapeOps() {
    }

    static Tensor reshape(Tensor x, int... dims) {
        Checks.open("reshape", x);
        Shape target = inferShape(x, dims);
        Shape source = x.shape();
        if (target.equals(source)) {
            return x;
        }
        Tensor out = x.view(0, target);
        out.record("reshape", new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {g.reshape(source.dims())}));
        return out;
    }

    private static Shape inferShape(Tensor x, int[] dims) {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape: " + x.shape() + " to " + Arrays.toString(dims) + ": at most one -1");
                }
                inferred = i;
            } else if (dims[i] < 0) {
                throw new IllegalArgumentException("reshape: " + x.shape() + " to " + Arrays.toString(dims) + ": negative dimension");
            } else {
                known *= dims[i];
            }
        }
        int[] d = dims.clone();
        if (inferred >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: " + x.shape() + " (" + x.size() + " elements) cannot be viewed as "
                        + Arrays.toString(dims));
            }
            d[inferred] = Checks.dimension("reshape", x.shape() + " to " + Arrays.toString(dims), x.size() / known);
        }
        Shape s = Shape.of(d);
        if (s.size() != x.size()) {
            throw new IllegalArgumentException("reshape: " + x.shape() + " (" + x.size() + " elements) cannot be viewed as "
                    + s + " (" + s.size() + " elements)");
        }
        return s;
    }

    static Tensor flatten(Tensor x, int startAxis) {
        if (x.rank() == 0) {
            // PyTorch flattens a 0-d tensor to [1], its one place named 0 or -1.
            if (startAxis != 0 && startAxis != -1) {
                throw new IllegalArgumentException("flatten: axis " + startAxis + " is out of range for a 0-d tensor (0 or -1)");
            }
            return reshape(x, 1);
        }
        int a = x.shape().axis(startAxis);
        int[] d = new int[a + 1];
        for (int i = 0; i < a; i++) {
            d[i] = x.dim(i);
        }
        d[a] = Checks.dimension("flatten", x.shape() + " from axis " + startAxis, x.shape().inner(a - 1));
        return reshape(x, d);
    }

    static Tensor squeeze(Tensor x) {
        int[] kept = Arrays.stream(x.shape().dims()).filter(d -> d != 1).toArray();
        return kept.length == x.rank() ? x : reshape(x, kept);
    }

    static Tensor squeeze(Tensor x, int axis) {
        int a = x.shape().axis(axis);
        if (x.dim(a) != 1) {
            return x; // PyTorch's squeeze(dim) leaves an axis of another size as it is
        }
        return reshape(x, x.shape().without(a).dims());
    }

    static Tensor narrow(Tensor x, int axis, int start, int length) {
        Checks.open("narrow", x);
        int a = x.shape().axis(axis);
        if (start < 0 && start >= -x.dim(a)) {
            start += x.dim(a); // PyTorch's negative start counts from the end
        }
        if (start < 0 || length < 0 || start + length > x.dim(a)) {
            throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") is outside axis " + axis
                    + " of size " + x.dim(a) + " in shape " + x.shape());
        }
        Shape outShape = x.shape().with(a, length);
        Tensor out;
        if (x.shape().outer(a) == 1) {
            out = x.view(start * x.shape().inner(a), outShape);
        } else {
            out = x.emptyLike(outShape, x.dtype());
            x.backend().copySlices(x, a, start, out, 0, length);
            out.withValueRangeOf(x);
        }
        out.record("narrow", new Tensor[] {x}, new SliceRule(x.shape(), a, start));
        return out;
    }

    /**
     * Zeros of {@code shape} with {@code g} written at {@code start} along {@code axis}: narrow's gradient as a
     * backward pass that records its graph makes it ({@link SliceRule}), recorded with narrow as its own.
     */
    static Tensor padInto(Tensor g, Shape shape, int axis, int start) {
        Tensor out = g.emptyLike(shape, g.dtype());
        g.backend().fill(out, 0);
        int length = g.dim(axis);
        g.backend().copySlices(g, axis, 0, out, start, length);
        if (Node.createsGraph()) {
            out.record("narrowBackward", new Tensor[] {g},
                    Node.differentiable(gg -> new Tensor[] {sliceCopy(gg, axis, start, length)}));
        }
        return out;
    }

    static Tensor transpose(Tensor x, int axisA, int axisB) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int a = x.shape().axis(axisA);
        int b = x.shape().axis(axisB);
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    static Tensor permute(Tensor x, int... perm) {
        Checks.open("permute", x);
        if (perm.length != x.rank()) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " has " + perm.length
                    + " axes for a tensor of shape " + x.shape());
        }
        int[] inverse = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        int[] outDims = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = x.shape().axis(perm[i]);
            if (seen[p]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " repeats axis " + perm[i]);
            }
            seen[p] = true;
            inverse[p] = i;
            outDims[i] = x.dim(p);
        }
        int[] normalized = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            normalized[i] = x.shape().axis(perm[i]);
        }
        Tensor out = x.emptyLike(Shape.of(outDims), x.dtype());
        x.backend().permute(x, normalized, out);
        out.record("permute", new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {permute(g, inverse)}));
        return out;
    }

    /** {@link #expand(Tensor, Shape)} to dims, where -1 keeps x's dimension there (aligned from the right, as PyTorch). */
    static Tensor expand(Tensor x, int[] dims) {
        Checks.open("expand", x);
        if (dims.length < x.rank()) {
            // Else a -1 would take another axis's size, and the refusal would name sizes the caller never gave.
            throw new IllegalArgumentException("expand: " + x.shape() + " to " + Arrays.toString(dims) + ": "
                    + dims.length + " size(s) for " + x.rank() + " dimensions; give at least one size per dimension");
        }
        int[] d = dims.clone();
        int lead = d.length - x.rank();
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1 && i >= lead) {
                d[i] = x.dim(i - lead);
            } else if (d[i] == -1) {
                throw new IllegalArgumentException("expand: " + x.shape() + " to " + Arrays.toString(dims)
                        + ": -1 at new leading axis " + i + ", which has no size to keep");
            }
        }
        return expand(x, Shape.of(d));
    }

    static Tensor expand(Tensor x, Shape target) {
        Checks.open("expand", x);
        Shape result = Shape.broadcast("expand", x.shape(), target);
        if (!result.equals(target)) {
            throw new IllegalArgumentException("expand: " + x.shape() + " cannot be expanded to " + target);
        }
        // Zeros of x's own shape, broadcast as x is: a backward's gradient of ones expanded from a scalar then costs
        // one pass over the output, not a fill of a second tensor as large and a read of it too.
        Tensor zeros = x.emptyLike(x.shape(), x.dtype());
        x.backend().fill(zeros, 0);
        Tensor out = x.emptyLike(target, x.dtype());
        x.backend().binary(BinaryOp.ADD, x, zeros, out);
        zeros.close();
        Shape source = x.shape();
        out.record("expand", new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {ElementwiseOps.unbroadcast(g, source)}));
        return out;
    }

    static Tensor cat(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: needs at least one tensor");
        }
        Tensor first = tensors.get(0);
        int a = first.shape().axis(axis);
        int total = 0;
        for (Tensor t : tensors) {
            Checks.compatible("cat", first, t);
            if (t.rank() != first.rank() || !t.shape().with(a, 1).equals(first.shape().with(a, 1))) {
                throw new IllegalArgumentException("cat: shapes " + first.shape() + " and " + t.shape()
                        + " differ outside axis " + axis);
            }
            total += t.dim(a);
        }
        Tensor out = first.emptyLike(first.shape().with(a, total), first.dtype());
        int[] starts = new int[tensors.size()];
        int at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            starts[i] = at;
            first.backend().copySlices(t, a, 0, out, at, t.dim(a));
            at += t.dim(a);
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        out.record("cat", inputs, Node.differentiable(g -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                grads[i] = sliceCopy(g, a, starts[i], inputs[i].dim(a));
            }
            return grads;
        }));
        return out;
    }

    /**
     * A copy of x's elements [start, start + length) along axis: cat's gradient, recorded as a narrowing in a backward
     * pass that records its graph.
     */
    private static Tensor sliceCopy(Tensor x, int axis, int start, int length) {
        Tensor out = x.emptyLike(x.shape().with(axis, length), x.dtype());
        x.backend().copySlices(x, axis, start, out, 0, length);
        if (Node.createsGraph()) {
            out.record("narrow", new Tensor[] {x}, new SliceRule(x.shape(), axis, start));
        }
        return out;
    }

    static Tensor stack(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        Shape s = tensors.get(0).shape();
        List<Tensor> expanded = new ArrayList<>();
        for (Tensor t : tensors) {
            if (!t.shape().equals(s)) {
                throw new IllegalArgumentException("stack: shapes " + s + " and " + t.shape() + " differ");
            }
            expanded.add(t.unsqueeze(axis));
        }
        Tensor out = cat(expanded, axis < 0 ? axis + s.rank() + 1 : axis);
        for (int i = 0; i < expanded.size(); i++) {
            Tensor.releaseIntermediate(expanded.get(i), tensors.get(i), out);
        }
        return out;
    }

    static List<Tensor> split(Tensor x, int axis, int... sizes) {
        int a = x.shape().axis(axis);
        int sum = 0;
        for (int s : sizes) {
            sum += s;
        }
        if (sum != x.dim(a)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum
                    + ", but axis " + axis + " of " + x.shape() + " has " + x.dim(a));
        }
        List<Tensor> out = new ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            out.add(narrow(x, a, start, s));
            start += s;
        }
        return out;
    }

    static List<Tensor> chunk(Tensor x, int chunks, int axis) {
        int a = x.shape().axis(axis);
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: number of chunks must be positive, got " + chunks);
        }
        int n = x.dim(a);
        if (n == 0) {
            return split(x, a, new int[chunks]); // PyTorch's: chunks empty pieces of an empty axis
        }
        int step = (n + chunks - 1) / chunks;
        List<Integer> sizes = new ArrayList<>();
        for (int start = 0; start < n; start += step) {
            sizes.add(Math.min(step, n - start));
        }
        return split(x, a, sizes.stream().mapToInt(Integer::intValue).toArray());
    }
}
