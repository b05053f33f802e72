package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Resampling of images by an integer factor, like PyTorch's {@code torch.nn.Upsample(scale_factor=s, mode=...)}:
 * input [batch, channels, height, width] to [batch, channels, s height, s width]; or to any size,
 * {@link #toSize} ({@code Upsample(size=(h, w))}, PyTorch's {@code F.interpolate(x, size=(h, w))}, down as well as
 * up). Mode {@code "nearest"} (the default) takes the input pixel at {@code floor(o * in / out)} (each pixel s x s
 * times for a factor s); {@code "bilinear"} interpolates between the four nearest input pixels, with PyTorch's
 * {@code align_corners} (false by default: the corner pixels' edges line up; true: their centres do), and no
 * antialiasing when it shrinks, as PyTorch's default. No parameters. PyTorch's fractional factors and other modes are
 * not taken.
 */
public class Upsample extends Module {
    /** The factor, or 0 where the output size is given. */
    private final int scaleFactor;
    private final int height;
    private final int width;
    private final String mode;
    private final boolean alignCorners;

    /** Mode {@code "nearest"}. */
    public Upsample(int scaleFactor) {
        this(scaleFactor, "nearest");
    }

    /** Mode {@code "nearest"} or {@code "bilinear"} (then with align_corners false). */
    public Upsample(int scaleFactor, String mode) {
        this(scaleFactor, mode, false);
    }

    /**
     * @throws IllegalArgumentException naming the layer for a factor below 1, another mode, or
     *     {@code alignCorners} with mode {@code "nearest"} (which PyTorch refuses too)
     */
    public Upsample(int scaleFactor, String mode, boolean alignCorners) {
        this(scaleFactor, 0, 0, mode, alignCorners);
        if (scaleFactor < 1) {
            throw new IllegalArgumentException("Upsample: scale factor must be at least 1, got " + scaleFactor);
        }
    }

    /**
     * To {@code height x width} pixels whatever the input's size, like PyTorch's {@code Upsample(size=(height, width),
     * mode=mode, align_corners=alignCorners)}.
     *
     * @throws IllegalArgumentException for a size below 1, another mode, or {@code alignCorners} with mode
     *     {@code "nearest"}
     */
    public static Upsample toSize(int height, int width, String mode, boolean alignCorners) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("Upsample: size must be at least 1 x 1, got " + height + " x " + width);
        }
        return new Upsample(0, height, width, mode, alignCorners);
    }

    private Upsample(int scaleFactor, int height, int width, String mode, boolean alignCorners) {
        if (!"nearest".equals(mode) && !"bilinear".equals(mode)) {
            throw new IllegalArgumentException("Upsample: mode must be 'nearest' or 'bilinear', got '" + mode + "'");
        }
        if (alignCorners && "nearest".equals(mode)) {
            throw new IllegalArgumentException("Upsample: alignCorners applies only to mode 'bilinear', got mode 'nearest'");
        }
        this.scaleFactor = scaleFactor;
        this.height = height;
        this.width = width;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /**
     * [batch, channels, height, width] to [batch, channels, scaleFactor height, scaleFactor width], or to the size
     * given.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, channels, height, width]");
        }
        int outHeight = scaleFactor > 0 ? scaleFactor * x.dim(2) : height;
        int outWidth = scaleFactor > 0 ? scaleFactor * x.dim(3) : width;
        if (scaleFactor == 1) {
            return x;
        }
        if ("bilinear".equals(mode)) {
            return SeparableMaps.apply(x, Interpolation.linear(x.dim(2), outHeight, alignCorners),
                    Interpolation.linear(x.dim(3), outWidth, alignCorners));
        }
        return consume(Interpolation.nearest(x, 2, outHeight), rows -> Interpolation.nearest(rows, 3, outWidth));
    }

    @Override
    public String toString() {
        String size = scaleFactor > 0 ? "scale_factor=" + scaleFactor : "size=(" + height + ", " + width + ")";
        return "Upsample(" + size + ", mode=" + mode + (alignCorners ? ", align_corners=True" : "") + ")";
    }
}
