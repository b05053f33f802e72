package dev.kiln.engine;

/**
 * 3-D max pooling ({@link F#maxPool3d}, {@link F#maxPool3dWithIndices}), and dilated 2-D max pooling as the 3-D one of
 * a volume of depth 1 ({@link F#maxPool2d(Tensor, int[], int[], int[], int[], boolean)}), composed of the backend's 2-D
 * max pooling, which has no dilation: each depth slice pooled over height and width, then depth windows of what that
 * left; where height or width is dilated, one axis at a time instead: width, then height, then depth, each a 2-D
 * pooling of the volume viewed as [rows, 1, axis, inner] with a window one element wide across {@code inner} (a free
 * view). A maximum is separable, and pooling the inner axes first leaves each window's first maximum in (depth, height,
 * width) order, as PyTorch's. An axis whose window is one element that moves by one is not pooled. A dilated axis is
 * pooled by first selecting each window's taps side by side ({@code indexSelect} of {@link Pool3dGeometry#taps}), then
 * pooling windows of the kernel at a stride of the kernel.
 *
 * <p>Each pass names its maxima's positions within its own input; a gather of the previous pass's positions at them
 * carries them back to positions within the channel's input volume, PyTorch's indices. Values and indices are made
 * with gradients off and their intermediates freed at once; the one node recorded sends each output's gradient to the
 * input element its index names (a scatter-add, recorded in a backward pass that records its graph, so that it can be
 * differentiated again). Tap and position tables are uploaded with each call: not for a step recorded as a
 * {@link StepGraph}.
 */
final class MaxPool3dOps {
    private static final String OP = "maxPool3d";
    private static final String PLANE_OP = "maxPool2d";

    private MaxPool3dOps() {
    }

    /** See {@link F#maxPool3d}. */
    static Tensor maxPool3d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                            boolean ceilMode) {
        checkInput(OP, input);
        return maxPool(OP, input, Pool3dGeometry.of(OP, input.shape(), kernel, stride, padding, dilation, ceilMode));
    }

    /** See {@link F#maxPool3dWithIndices}. */
    static F.MaxPoolOutput maxPool3dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                int[] dilation, boolean ceilMode) {
        checkInput(OP, input);
        return withIndices(OP, input,
                Pool3dGeometry.of(OP, input.shape(), kernel, stride, padding, dilation, ceilMode));
    }

    /**
     * See {@link F#maxPool2d(Tensor, int[], int[], int[], int[], boolean)}: the 3-D pooling of the input viewed
     * [batch, channels, 1, height, width], the view's depth squeezed out again (both views record their gradients).
     */
    static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                            boolean ceilMode) {
        Pool3dGeometry g = planeGeometry(input, kernel, stride, padding, dilation, ceilMode);
        return maxPool(PLANE_OP, input.unsqueeze(2), g).squeeze(2);
    }

    /** See {@link F#maxPool2dWithIndices(Tensor, int[], int[], int[], int[], boolean)}, as {@link #maxPool2d}. */
    static F.MaxPoolOutput maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                int[] dilation, boolean ceilMode) {
        Pool3dGeometry g = planeGeometry(input, kernel, stride, padding, dilation, ceilMode);
        // A position (0 * height + h) * width + w in the volume of depth 1 is h * width + w in the plane.
        F.MaxPoolOutput volume = withIndices(PLANE_OP, input.unsqueeze(2), g);
        return new F.MaxPoolOutput(volume.output().squeeze(2), volume.indices().squeeze(2));
    }

    private static Pool3dGeometry planeGeometry(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                int[] dilation, boolean ceilMode) {
        checkInput(PLANE_OP, input);
        return Pool3dGeometry.plane(PLANE_OP, input.shape(), kernel, stride, padding, dilation, ceilMode);
    }

    private static void checkInput(String op, Tensor input) {
        Checks.open(op, input);
        Checks.floating(op, input);
    }

    private static Tensor maxPool(String op, Tensor input, Pool3dGeometry g) {
        Pooled pooled = pooled(input, g);
        if (pooled.indices != pooled.scatterAt) {
            pooled.indices.close();
        }
        pooled.values.recordWithSaved(op, new Tensor[] {input}, gradient(g, pooled), pooled.scatterAt, pooled.alone);
        return pooled.values;
    }

    private static F.MaxPoolOutput withIndices(String op, Tensor input, Pool3dGeometry g) {
        Pooled pooled = pooled(input, g);
        Tensor[] saved = pooled.indices == pooled.scatterAt ? new Tensor[0]
                : new Tensor[] {pooled.scatterAt, pooled.alone};
        pooled.values.recordWithSaved(op, new Tensor[] {input}, gradient(g, pooled), saved);
        return new F.MaxPoolOutput(pooled.values, pooled.indices);
    }

    /**
     * A pooling's output and PyTorch's indices, with the in-input positions its gradient goes to ({@code indices}
     * itself unless some window covers padding alone) and the mask of those windows (null when none does).
     */
    private record Pooled(Tensor values, Tensor indices, Tensor scatterAt, Tensor alone) {
    }

    /**
     * The pooled values and indices, made with gradients off; nothing else they made stays open. A window of padding
     * alone gets minus infinity and PyTorch's index ({@link Pool3dGeometry#paddingAloneIndices}), which may lie
     * beyond the input, so that its gradient, none, is masked rather than scattered there.
     */
    private static Pooled pooled(Tensor input, Pool3dGeometry g) {
        try (Scope scope = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            Passes passes = new Passes(input, g);
            if (slicesTogether(g)) {
                passes.poolSlices();
            }
            for (int axis = passes.positions == null ? 2 : 0; axis >= 0; axis--) {
                // The depth pass runs even for a window of one when no other did: it makes the indices.
                if (!g.windowOfOne(axis) || axis == 0 && passes.positions == null) {
                    passes.poolAxis(axis);
                }
            }
            int[] dims = g.outputShape().dims();
            Tensor values = passes.values.reshape(dims);
            Tensor indices = passes.positions.reshape(dims).withValueRange(0, g.inVolume() - 1);
            long[] aloneIndices = g.paddingAloneIndices();
            if (aloneIndices == null) {
                return new Pooled(scope.keep(values), scope.keep(indices), indices, null);
            }
            int[] outSize = g.outSize();
            Tensor table = HostValues.longs(input, aloneIndices, outSize[0], outSize[1], outSize[2]);
            Tensor alone = table.ge(0);
            return new Pooled(scope.keep(values.maskedFill(alone, Double.NEGATIVE_INFINITY)),
                    scope.keep(Tensor.where(alone, table, indices)), scope.keep(indices), scope.keep(alone));
        }
    }

    /**
     * Whether height and width pool in one 2-D pooling of each depth slice: neither dilated, and not both windows of
     * one, which need no pooling.
     */
    private static boolean slicesTogether(Pool3dGeometry g) {
        for (int axis = 1; axis < 3; axis++) {
            if (g.dilation()[axis] > 1 && g.kernel()[axis] > 1) {
                return false;
            }
        }
        return !(g.windowOfOne(1) && g.windowOfOne(2));
    }

    /**
     * What the passes carry from one to the next: the values pooled so far, viewed as [planes, depth, height, width]
     * with {@link #size} the axes' current sizes, and the position within its channel's input volume of each (null
     * before the first pass, when an element's position is its own).
     */
    private static final class Passes {
        final Pool3dGeometry g;
        final int planes;
        final int[] size;
        Tensor values;
        Tensor positions;

        Passes(Tensor input, Pool3dGeometry g) {
            this.g = g;
            this.planes = Checks.dimension(OP, "input " + input.shape() + " as planes",
                    (long) g.batch() * g.channels());
            this.size = g.inSize().clone();
            this.values = input;
        }

        /** Each depth slice pooled over height and width; the first pass. */
        void poolSlices() {
            int rows = rows(1);
            Tensor[] pass = maxPool2d(values.reshape(rows, 1, size[1], size[2]), VolumeGeometry.plane(g.kernel()),
                    VolumeGeometry.plane(g.stride()), VolumeGeometry.plane(g.padding()), g.ceilMode());
            positions = firstPositions(pass[1], planes, size[0], size[1] * size[2]);
            values = pass[0];
            size[1] = g.outSize()[1];
            size[2] = g.outSize()[2];
        }

        /** The values pooled along {@code axis} (0 depth, 1 height, 2 width) alone. */
        void poolAxis(int axis) {
            int outer = rows(axis) / planes;
            int inner = 1;
            for (int a = axis + 1; a < 3; a++) {
                inner *= size[a];
            }
            Tensor[] pass = MaxPool3dOps.poolAxis(values, rows(axis), size[axis], inner, g, axis);
            positions = positions == null ? firstPositions(pass[1], planes, outer, size[axis] * inner)
                    : carried(positions, pass[1], rows(axis), size[axis] * inner);
            values = pass[0];
            size[axis] = g.outSize()[axis];
        }

        /** The planes times the current sizes of the axes before {@code axis}. */
        int rows(int axis) {
            long rows = planes;
            for (int a = 0; a < axis; a++) {
                rows *= size[a];
            }
            return Checks.dimension(OP, "the volumes' rows before the " + Pool3dGeometry.AXES[axis], rows);
        }
    }

    /**
     * {@code values} viewed [rows, length, inner] pooled along its middle axis as {@code axis} of the geometry:
     * {output [rows, 1, out, inner], positions (I64, the same shape) {@code a * inner + i} of each maximum within
     * its row's [length, inner] input}.
     */
    private static Tensor[] poolAxis(Tensor values, int rows, int length, int inner, Pool3dGeometry g, int axis) {
        int k = g.kernel()[axis];
        if (g.dilation()[axis] == 1 || k == 1) {
            return maxPool2d(values.reshape(rows, 1, length, inner), new int[] {k, 1},
                    new int[] {g.stride()[axis], 1}, new int[] {g.padding()[axis], 0}, g.ceilMode());
        }
        long[] taps = g.taps(axis);
        Backend backend = values.backend();
        Tensor windows = values.emptyLike(Shape.of(rows, taps.length, inner), values.dtype());
        backend.indexSelect(values.reshape(rows, length, inner), 1, HostValues.longs(values, taps, taps.length),
                windows);
        Tensor[] pooled = maxPool2d(windows.reshape(rows, 1, taps.length, inner), new int[] {k, 1},
                new int[] {k, 1}, new int[] {0, 0}, false);
        int count = Checks.dimension(OP, "the positions of " + pooled[1].shape(), pooled[1].size());
        Tensor positions = values.emptyLike(pooled[1].shape(), DType.I64);
        backend.indexSelect(tapPositions(values, taps, inner), 0, pooled[1].reshape(count),
                positions.reshape(count));
        return new Tensor[] {pooled[0], positions};
    }

    /** The backend's 2-D max pooling of x: {output, flat positions of the maxima in their planes}. */
    private static Tensor[] maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        Pool2dGeometry g = Pool2dGeometry.of(OP, x.shape(), kernel, stride, padding, ceilMode, true);
        Tensor out = x.emptyLike(g.outputShape(), x.dtype());
        Tensor positions = x.emptyLike(g.outputShape(), DType.I64);
        x.backend().maxPool2dForward(x, g, out, positions);
        return new Tensor[] {out, positions};
    }

    /**
     * The position {@code taps[r] * inner + i} in a row's [length, inner] input of each element (r, i) of its
     * windows side by side, flat [taps * inner]: two small uploads and their broadcast sum.
     */
    private static Tensor tapPositions(Tensor like, long[] taps, int inner) {
        long[] starts = new long[taps.length];
        for (int r = 0; r < taps.length; r++) {
            starts[r] = taps[r] * inner;
        }
        long[] columns = new long[inner];
        for (int i = 0; i < inner; i++) {
            columns[i] = i;
        }
        Tensor positions = like.emptyLike(Shape.of(taps.length, inner), DType.I64);
        like.backend().binary(BinaryOp.ADD, HostValues.longs(like, starts, taps.length, 1),
                HostValues.longs(like, columns, 1, inner), positions);
        return positions.reshape(taps.length * inner);
    }

    /**
     * The first pass's positions within each channel's volume: positions within a row [rows = planes * outer, ...]
     * plus the row's start in its channel's volume, {@code (row % outer) * rowVolume}.
     */
    private static Tensor firstPositions(Tensor positions, int planes, int outer, int rowVolume) {
        if (outer == 1) {
            return positions;
        }
        long[] starts = new long[outer];
        for (int q = 0; q < outer; q++) {
            starts[q] = (long) q * rowVolume;
        }
        int pooled = Math.toIntExact(positions.size() / ((long) planes * outer));
        Tensor volume = positions.emptyLike(Shape.of(planes, outer, pooled), DType.I64);
        positions.backend().binary(BinaryOp.ADD, positions.reshape(planes, outer, pooled),
                HostValues.longs(positions, starts, outer, 1), volume);
        return volume;
    }

    /**
     * The volume positions of the maxima a pass found: {@code previous} (the volume position of each element of the
     * pass's input, [rows, rowVolume] in all) read at the pass's own positions.
     */
    private static Tensor carried(Tensor previous, Tensor found, int rows, int rowVolume) {
        int pooled = Math.toIntExact(found.size() / rows);
        Tensor volume = found.emptyLike(Shape.of(rows, pooled), DType.I64);
        found.backend().gather(previous.reshape(rows, rowVolume), 1, found.reshape(rows, pooled), volume);
        return volume;
    }

    /** Each output's gradient to the input element its index names; none from a window of padding alone. */
    private static Node.Rule gradient(Pool3dGeometry g, Pooled pooled) {
        Tensor indices = pooled.scatterAt;
        Tensor alone = pooled.alone;
        if (alone == null) {
            return Node.differentiable(gradOut -> new Tensor[] {scattered(gradOut, indices, g)});
        }
        return Node.differentiable(gradOut -> {
            Tensor kept = gradOut.maskedFill(alone, 0);
            Tensor gradInput = scattered(kept, indices, g);
            // A recorded graph's scatter-add holds it as an input; otherwise it is done with.
            if (!Node.createsGraph()) {
                kept.close();
            }
            return new Tensor[] {gradInput};
        });
    }

    /**
     * gradOut [n, c, outD, outH, outW] added into zeros [n, c, depth, height, width] at the indices within each
     * channel's volume; a recorded scatter-add in a backward pass that records its graph (its gradient gathers).
     */
    private static Tensor scattered(Tensor gradOut, Tensor indices, Pool3dGeometry g) {
        int planes = g.batch() * g.channels();
        int volume = Math.toIntExact(g.inVolume());
        int pooled = Math.toIntExact(gradOut.size() / planes);
        Backend backend = gradOut.backend();
        Tensor gradInput = gradOut.emptyLike(g.inputShape(), gradOut.dtype());
        backend.fill(gradInput, 0);
        if (Node.createsGraph()) {
            return gradInput.reshape(planes, volume).scatterAdd(1, indices.reshape(planes, pooled),
                    gradOut.reshape(planes, pooled)).reshape(g.inputShape().dims());
        }
        try (Tensor canvas = gradInput.reshape(planes, volume); Tensor at = indices.reshape(planes, pooled);
             Tensor grad = gradOut.reshape(planes, pooled)) {
            backend.scatterAdd(canvas, 1, at, grad);
        }
        return gradInput;
    }
}
