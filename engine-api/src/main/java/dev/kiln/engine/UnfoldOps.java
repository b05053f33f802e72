package dev.kiln.engine;

import java.util.function.UnaryOperator;

/**
 * PyTorch's {@code unfold} (im2col) and {@code fold} (col2im), each the adjoint of the other and so each other's
 * gradient. Both go through one flat index computed on the host ({@link SlidingBlocks#index}: for every tap of every
 * block, the padded pixel it reads) and uploaded once per call, then saved for the backward pass: unfold pads and
 * selects along each channel's flattened pixels ({@code indexSelect}), fold adds into zeros at the same places
 * ({@code indexAdd}, which sums the overlaps of blocks) and crops the padding. One selection moves every element once,
 * where a slice per tap would take a copy per tap and, with a stride, reshapes to pick every stride-th row and column.
 * The upload keeps a step that unfolds or folds from being recorded as a {@link StepGraph}, as with flip.
 */
final class UnfoldOps {
    private UnfoldOps() {
    }

    static Tensor unfold(Tensor x, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        Checks.open("unfold", x);
        if (x.rank() == 3) {
            return unbatched(x, batched -> unfold(batched, kernel, dilation, padding, stride));
        }
        if (x.rank() != 4) {
            throw new IllegalArgumentException("unfold: input " + x.shape()
                    + " must be 4-D [batch, channels, height, width] or 3-D [channels, height, width]");
        }
        SlidingBlocks b = SlidingBlocks.of("unfold", "input " + x.shape(), new int[] {x.dim(2), x.dim(3)}, kernel,
                dilation, padding, stride);
        Checks.dimension("unfold", "input " + x.shape() + " unfolded into " + b.taps() + " taps per channel",
                (long) x.dim(1) * b.taps());
        Tensor index = index(x, b);
        Tensor out = Composite.untracked(() -> unfolded(x, b, index));
        out.recordWithSaved("unfold", new Tensor[] {x},
                Node.differentiable(g -> new Tensor[] {Composite.gradient(() -> folded(g, b, index))}), index);
        return out;
    }

    static Tensor fold(Tensor cols, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        Checks.open("fold", cols);
        if (cols.rank() == 2) {
            return unbatched(cols, batched -> fold(batched, outputSize, kernel, dilation, padding, stride));
        }
        if (cols.rank() != 3) {
            throw new IllegalArgumentException("fold: input " + cols.shape()
                    + " must be 3-D [batch, channels * kernelH * kernelW, blocks] or 2-D [channels * kernelH * kernelW,"
                    + " blocks]");
        }
        int[] size = SlidingBlocks.size("fold", outputSize);
        SlidingBlocks b = SlidingBlocks.of("fold", "output size " + size[0] + " x " + size[1], size, kernel, dilation,
                padding, stride);
        if (cols.dim(1) % b.taps() != 0) {
            throw new IllegalArgumentException("fold: input " + cols.shape() + " has " + cols.dim(1)
                    + " rows, not a multiple of the kernel's " + b.kernelH() + " x " + b.kernelW() + " = " + b.taps()
                    + " taps");
        }
        if (cols.dim(2) != b.blocks()) {
            throw new IllegalArgumentException("fold: input " + cols.shape() + " has " + cols.dim(2)
                    + " blocks, but output size " + size[0] + " x " + size[1] + " with " + b.describe() + " has "
                    + b.blocksH() + " x " + b.blocksW() + " = " + b.blocks());
        }
        Tensor index = index(cols, b);
        Tensor out = Composite.untracked(() -> folded(cols, b, index));
        out.recordWithSaved("fold", new Tensor[] {cols},
                Node.differentiable(g -> new Tensor[] {Composite.gradient(() -> unfolded(g, b, index))}), index);
        return out;
    }

    /** PyTorch's unbatched form: {@code op} of x as a batch of one, that batch axis dropped again. */
    private static Tensor unbatched(Tensor x, UnaryOperator<Tensor> op) {
        Tensor batch = x.unsqueeze(0);
        Tensor out = Tensor.consume(batch, x, op);
        return Tensor.consume(out, x, y -> y.squeeze(0));
    }

    private static Tensor index(Tensor like, SlidingBlocks b) {
        long[] values = b.index();
        return HostValues.longs(like, values, values.length);
    }

    /** [n, c, h, w] to [n, c kh kw, L]: the padded image's pixels that {@code index} names, channel by channel. */
    private static Tensor unfolded(Tensor x, SlidingBlocks b, Tensor index) {
        int n = x.dim(0);
        int c = x.dim(1);
        Tensor padded = PadOps.padded(x, new int[] {b.padW(), b.padW(), b.padH(), b.padH()}, 0);
        Tensor pixels = padded.reshape(n, c, b.paddedH() * b.paddedW());
        return pixels.indexSelect(2, index).reshape(n, c * b.taps(), (int) b.blocks());
    }

    /**
     * [n, c kh kw, L] to [n, c, h, w]: each column added at the pixel {@code index} names, the padding cropped;
     * recorded in a backward pass that records its graph.
     */
    private static Tensor folded(Tensor cols, SlidingBlocks b, Tensor index) {
        int n = cols.dim(0);
        int c = cols.dim(1) / b.taps();
        Tensor canvas = cols.emptyLike(Shape.of(n, c, b.paddedH() * b.paddedW()), cols.dtype());
        Backend backend = cols.backend();
        backend.fill(canvas, 0);
        Tensor taps = cols.reshape(n, c, b.taps() * (int) b.blocks());
        if (Node.createsGraph()) {
            canvas = canvas.indexAdd(2, index, taps);
        } else {
            // Added in place: the canvas is this op's own, and Tensor.indexAdd would copy it first.
            backend.indexAdd(canvas, 2, index, taps);
        }
        Tensor padded = canvas.reshape(n, c, b.paddedH(), b.paddedW());
        return PadOps.padded(padded, new int[] {-b.padW(), -b.padW(), -b.padH(), -b.padH()}, 0);
    }
}
