package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Resampling of images and volumes by an integer factor, like PyTorch's {@code torch.nn.Upsample(scale_factor=s,
 * mode=...)}: input [batch, channels, height, width] to [batch, channels, s height, s width], or [batch, channels,
 * depth, height, width] to [batch, channels, s depth, s height, s width]; or to any size, {@link #toSize}
 * ({@code Upsample(size=(h, w))} or {@code size=(d, h, w)}, PyTorch's {@code F.interpolate(x, size=...)}, down as
 * well as up). Mode {@code "nearest"} (the default, images and volumes) takes the input element at
 * {@code floor(o * in / out)} along each axis (each element s times per axis for a factor s); {@code "bilinear"}
 * (images) interpolates between the four nearest input pixels and {@code "trilinear"} (volumes) between the eight
 * nearest input elements, with PyTorch's {@code align_corners} (false by default: the corner elements' edges line up;
 * true: their centres do), and no antialiasing when it shrinks, as PyTorch's default. Linear interpolation is
 * separable: volumes are interpolated over height and width slice by slice, then over depth. No parameters.
 * PyTorch's fractional factors and other modes are not taken.
 */
public class Upsample extends Module {
    /** The factor, or 0 where the output size is given. */
    private final int scaleFactor;
    /** (height, width) or (depth, height, width), or null where the factor is given. */
    private final int[] size;
    private final String mode;
    private final boolean alignCorners;

    /** Mode {@code "nearest"}. */
    public Upsample(int scaleFactor) {
        this(scaleFactor, "nearest");
    }

    /** Mode {@code "nearest"}, {@code "bilinear"} or {@code "trilinear"} (then with align_corners false). */
    public Upsample(int scaleFactor, String mode) {
        this(scaleFactor, mode, false);
    }

    /**
     * @throws IllegalArgumentException naming the layer for a factor below 1, another mode, or
     *     {@code alignCorners} with mode {@code "nearest"} (which PyTorch refuses too)
     */
    public Upsample(int scaleFactor, String mode, boolean alignCorners) {
        this(scaleFactor, null, mode, alignCorners);
        if (scaleFactor < 1) {
            throw new IllegalArgumentException("Upsample: scale factor must be at least 1, got " + scaleFactor);
        }
    }

    /**
     * Images to {@code height x width} pixels whatever the input's size, like PyTorch's {@code Upsample(size=(height,
     * width), mode=mode, align_corners=alignCorners)}; mode {@code "nearest"} or {@code "bilinear"}.
     *
     * @throws IllegalArgumentException for a size below 1, another mode, or {@code alignCorners} with mode
     *     {@code "nearest"}
     */
    public static Upsample toSize(int height, int width, String mode, boolean alignCorners) {
        return sized(new int[] {height, width}, mode, alignCorners);
    }

    /**
     * Volumes to {@code depth x height x width} elements whatever the input's size, like PyTorch's
     * {@code Upsample(size=(depth, height, width), mode=mode, align_corners=alignCorners)}; mode {@code "nearest"} or
     * {@code "trilinear"}.
     *
     * @throws IllegalArgumentException for a size below 1, another mode, or {@code alignCorners} with mode
     *     {@code "nearest"}
     */
    public static Upsample toSize(int depth, int height, int width, String mode, boolean alignCorners) {
        return sized(new int[] {depth, height, width}, mode, alignCorners);
    }

    private static Upsample sized(int[] size, String mode, boolean alignCorners) {
        if (Arrays.stream(size).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("Upsample: size must be at least 1 on each axis, got "
                    + Arrays.toString(size));
        }
        if (size.length == 2 && "trilinear".equals(mode) || size.length == 3 && "bilinear".equals(mode)) {
            throw new IllegalArgumentException("Upsample: mode '" + mode + "' does not take a size of " + size.length
                    + " axes " + Arrays.toString(size));
        }
        return new Upsample(0, size, mode, alignCorners);
    }

    private Upsample(int scaleFactor, int[] size, String mode, boolean alignCorners) {
        if (!"nearest".equals(mode) && !"bilinear".equals(mode) && !"trilinear".equals(mode)) {
            throw new IllegalArgumentException("Upsample: mode must be 'nearest', 'bilinear' or 'trilinear', got '"
                    + mode + "'");
        }
        if (alignCorners && "nearest".equals(mode)) {
            throw new IllegalArgumentException(
                    "Upsample: alignCorners applies only to modes 'bilinear' and 'trilinear', got mode 'nearest'");
        }
        this.scaleFactor = scaleFactor;
        this.size = size;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /**
     * [batch, channels, height, width] to [batch, channels, scaleFactor height, scaleFactor width], or [batch,
     * channels, depth, height, width] likewise on all three axes, or to the size given.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when its rank is not the mode's (4 for
     *     bilinear, 5 for trilinear, 4 or 5 for nearest) or not the given size's plus 2
     */
    @Override
    public Tensor forward(Tensor x) {
        int axes = x.rank() - 2;
        boolean fits = switch (mode) {
            case "bilinear" -> axes == 2;
            case "trilinear" -> axes == 3;
            default -> axes == 2 || axes == 3;
        };
        if (!fits || size != null && size.length != axes) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be " + expectedShape());
        }
        if (scaleFactor == 1) {
            return x;
        }
        int[] out = new int[axes];
        for (int a = 0; a < axes; a++) {
            out[a] = scaleFactor > 0 ? scaleFactor * x.dim(a + 2) : size[a];
        }
        if ("nearest".equals(mode)) {
            Tensor y = x;
            for (int a = 0; a < axes; a++) {
                Tensor resampled = Interpolation.nearest(y, a + 2, out[a]);
                releaseConsumed(y, resampled, x);
                y = resampled;
            }
            return y;
        }
        return axes == 2 ? planes(x, out[0], out[1]) : volume(x, out);
    }

    private String expectedShape() {
        String images = "[batch, channels, height, width]";
        String volumes = "[batch, channels, depth, height, width]";
        if (size != null) {
            return size.length == 2 ? images : volumes;
        }
        return switch (mode) {
            case "bilinear" -> images;
            case "trilinear" -> volumes;
            default -> images + " or " + volumes;
        };
    }

    /** Bilinear: x [batch, channels, height, width] to [batch, channels, outH, outW]. */
    private Tensor planes(Tensor x, int outH, int outW) {
        return SeparableMaps.apply(x, Interpolation.linear(x.dim(2), outH, alignCorners),
                Interpolation.linear(x.dim(3), outW, alignCorners));
    }

    /** Trilinear: each depth slice bilinearly, then along depth. */
    private Tensor volume(Tensor x, int[] out) {
        int n = x.dim(0);
        int channels = x.dim(1);
        int depth = x.dim(2);
        Tensor slices = consume(x.reshape(n, channels * depth, x.dim(3), x.dim(4)), t -> planes(t, out[1], out[2]));
        Tensor y = consume(slices.reshape(n, channels, depth, out[1] * out[2]),
                t -> SeparableMaps.applyToRows(t, Interpolation.linear(depth, out[0], alignCorners)));
        releaseConsumed(slices, y);
        return consume(y, t -> t.reshape(n, channels, out[0], out[1], out[2]));
    }

    @Override
    public String toString() {
        String given = scaleFactor > 0 ? "scale_factor=" + scaleFactor
                : "size=(" + String.join(", ", Arrays.stream(size).mapToObj(Integer::toString).toList()) + ")";
        return "Upsample(" + given + ", mode=" + mode + (alignCorners ? ", align_corners=True" : "") + ")";
    }
}
