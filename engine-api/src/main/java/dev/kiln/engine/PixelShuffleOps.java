package dev.kiln.engine;

/**
 * PyTorch's {@code pixel_shuffle} and {@code pixel_unshuffle}: [..., c r r, h, w] and [..., c, h r, w r] hold the same
 * elements, channel {@code c' r r + i r + j} at (y, x) being pixel {@code (y r + i, x r + j)} of channel c'. Composed,
 * as PyTorch composes them, of a reshape that splits the axes, one {@code permute} (a copy: the result is contiguous),
 * and a reshape that merges them; each op's gradient is the other op.
 */
final class PixelShuffleOps {
    private PixelShuffleOps() {
    }

    static Tensor pixelShuffle(Tensor x, int r) {
        String op = "pixelShuffle";
        check(op, x, r, "upscale factor");
        int channels = x.dim(-3);
        if (channels % ((long) r * r) != 0) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " has " + channels
                    + " channels, not a multiple of the upscale factor squared " + r + " x " + r + " = "
                    + (long) r * r);
        }
        Checks.dimension(op, "input " + x.shape() + " upscaled by " + r, (long) Math.max(x.dim(-2), x.dim(-1)) * r);
        return Composite.op(op, x, () -> shuffled(x, r), (out, g) -> unshuffled(g, r));
    }

    static Tensor pixelUnshuffle(Tensor x, int r) {
        String op = "pixelUnshuffle";
        check(op, x, r, "downscale factor");
        if (x.dim(-2) % r != 0 || x.dim(-1) % r != 0) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " has height " + x.dim(-2) + " and width "
                    + x.dim(-1) + ", both must be multiples of the downscale factor " + r);
        }
        Checks.dimension(op, "input " + x.shape() + " downscaled by " + r, (long) x.dim(-3) * r * r);
        return Composite.op(op, x, () -> unshuffled(x, r), (out, g) -> shuffled(g, r));
    }

    private static void check(String op, Tensor x, int r, String factor) {
        Checks.open(op, x);
        if (r < 1) {
            throw new IllegalArgumentException(op + ": the " + factor + " must be at least 1, got " + r);
        }
        if (x.rank() < 3) {
            throw new IllegalArgumentException(op + ": input " + x.shape()
                    + " must have at least 3 dimensions [..., channels, height, width]");
        }
    }

    /** [..., c r r, h, w] through [b, c, r, r, h, w] and [b, c, h, r, w, r] to [..., c, h r, w r]. */
    private static Tensor shuffled(Tensor x, int r) {
        int c = x.dim(-3) / (r * r);
        int h = x.dim(-2);
        int w = x.dim(-1);
        Tensor split = x.reshape(batch(x), c, r, r, h, w);
        return split.permute(0, 1, 4, 2, 5, 3).reshape(dims(x, c, h * r, w * r));
    }

    /** [..., c, h r, w r] through [b, c, h, r, w, r] and [b, c, r, r, h, w] to [..., c r r, h, w]. */
    private static Tensor unshuffled(Tensor x, int r) {
        int c = x.dim(-3);
        int h = x.dim(-2) / r;
        int w = x.dim(-1) / r;
        Tensor split = x.reshape(batch(x), c, h, r, w, r);
        return split.permute(0, 1, 3, 5, 2, 4).reshape(dims(x, c * r * r, h, w));
    }

    /** The product of the axes before the last three. */
    private static int batch(Tensor x) {
        return (int) x.shape().outer(x.rank() - 3);
    }

    /** {@code x}'s leading axes followed by {@code c, h, w}. */
    private static int[] dims(Tensor x, int c, int h, int w) {
        int[] dims = x.shape().dims();
        dims[x.rank() - 3] = c;
        dims[x.rank() - 2] = h;
        dims[x.rank() - 1] = w;
        return dims;
    }
}
