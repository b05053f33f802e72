package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Resampling of sequences, images and volumes, like PyTorch's {@code torch.nn.Upsample(size, scale_factor, mode,
 * align_corners, recompute_scale_factor)}: [batch, channels, d1, ..., dk] (k = 1, 2 or 3) to
 * [batch, channels, floor(s d1), ..., floor(s dk)] for a factor s (integer or fractional, one for all axes or one per
 * axis), or to a given size, down as well as up, through {@link F#interpolate}, whose Javadoc states PyTorch's rules.
 * Modes by PyTorch's names: {@code "nearest"} (the default) and {@code "nearest-exact"} and {@code "area"} on all three
 * ranks, {@code "linear"} on sequences, {@code "bilinear"} and {@code "bicubic"} on images, {@code "trilinear"} on
 * volumes; {@code align_corners} for the four interpolating modes (false by default: the corner elements' edges line
 * up; true: their centres do). A factor is used as given, as PyTorch's default {@code recompute_scale_factor=None},
 * unless asked to recompute it from the output size. No antialiasing when it shrinks, as PyTorch's default. No
 * parameters.
 */
public class Upsample extends Module {
    /** The output size per spatial axis, or null where factors are given. */
    private final int[] size;
    /** One factor for every spatial axis or one per axis, or null where the size is given. */
    private final double[] scaleFactor;
    private final InterpolationMode mode;
    private final boolean alignCorners;
    private final boolean recomputeScaleFactor;

    /** Mode {@code "nearest"}. */
    public Upsample(int scaleFactor) {
        this(scaleFactor, "nearest");
    }

    /** Any mode, with align_corners false. */
    public Upsample(int scaleFactor, String mode) {
        this(scaleFactor, mode, false);
    }

    /**
     * An integer factor on every spatial axis.
     *
     * @throws IllegalArgumentException naming the layer for a factor below 1, an unknown mode, or {@code alignCorners}
     *     with a mode other than linear, bilinear, bicubic and trilinear (which PyTorch refuses too)
     */
    public Upsample(int scaleFactor, String mode, boolean alignCorners) {
        this((double) scaleFactor, mode, alignCorners);
    }

    /**
     * A factor, fractional too, on every spatial axis, used as given (PyTorch's {@code Upsample(scale_factor=s,
     * mode=mode, align_corners=alignCorners)}).
     *
     * @throws IllegalArgumentException naming the layer for a factor that is not positive and finite, an unknown mode,
     *     or {@code alignCorners} with a mode that does not interpolate
     */
    public Upsample(double scaleFactor, String mode, boolean alignCorners) {
        this(null, new double[] {scaleFactor}, mode, alignCorners, false);
    }

    /**
     * One factor per spatial axis (or one for all), like PyTorch's {@code Upsample(scale_factor=(s1, ..., sk),
     * mode=mode, align_corners=alignCorners, recompute_scale_factor=recomputeScaleFactor)}: with
     * {@code recomputeScaleFactor} the source positions come from the input and output sizes, not the factors.
     *
     * @throws IllegalArgumentException naming the layer for a factor that is not positive and finite, factors for more
     *     axes than the mode takes, an unknown mode, or {@code alignCorners} with a mode that does not interpolate
     */
    public static Upsample byFactors(double[] scaleFactors, String mode, boolean alignCorners,
            boolean recomputeScaleFactor) {
        return new Upsample(null, scaleFactors.clone(), mode, alignCorners, recomputeScaleFactor);
    }

    /**
     * Sequences to {@code length} elements whatever the input's length, like PyTorch's {@code Upsample(size=length,
     * mode=mode, align_corners=alignCorners)}; a mode that takes [batch, channels, length].
     *
     * @throws IllegalArgumentException for a size below 1, a mode that does not take sequences, or
     *     {@code alignCorners} with a mode that does not interpolate
     */
    public static Upsample toSize(int length, String mode, boolean alignCorners) {
        return new Upsample(new int[] {length}, null, mode, alignCorners, false);
    }

    /**
     * Images to {@code height x width} pixels whatever the input's size, like PyTorch's {@code Upsample(size=(height,
     * width), mode=mode, align_corners=alignCorners)}; a mode that takes images.
     *
     * @throws IllegalArgumentException for a size below 1, a mode that does not take images, or {@code alignCorners}
     *     with a mode that does not interpolate
     */
    public static Upsample toSize(int height, int width, String mode, boolean alignCorners) {
        return new Upsample(new int[] {height, width}, null, mode, alignCorners, false);
    }

    /**
     * Volumes to {@code depth x height x width} elements whatever the input's size, like PyTorch's
     * {@code Upsample(size=(depth, height, width), mode=mode, align_corners=alignCorners)}; a mode that takes volumes.
     *
     * @throws IllegalArgumentException for a size below 1, a mode that does not take volumes, or {@code alignCorners}
     *     with a mode that does not interpolate
     */
    public static Upsample toSize(int depth, int height, int width, String mode, boolean alignCorners) {
        return new Upsample(new int[] {depth, height, width}, null, mode, alignCorners, false);
    }

    private Upsample(int[] size, double[] scaleFactor, String mode, boolean alignCorners,
            boolean recomputeScaleFactor) {
        this.mode = modeNamed(mode);
        if (alignCorners && !this.mode.alignsCorners()) {
            throw new IllegalArgumentException("Upsample: alignCorners applies only to modes 'linear', 'bilinear', "
                    + "'bicubic' and 'trilinear', got mode '" + mode + "'");
        }
        if (size != null && Arrays.stream(size).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("Upsample: size must be at least 1 on each axis, got "
                    + Arrays.toString(size));
        }
        if (scaleFactor != null && Arrays.stream(scaleFactor).anyMatch(s -> !(s > 0) || Double.isInfinite(s))) {
            throw new IllegalArgumentException("Upsample: scale factor must be positive and finite, got "
                    + factors(scaleFactor));
        }
        int axes = size != null ? size.length : scaleFactor.length;
        if (axes > 1 && !this.mode.takesRank(axes + 2)) {
            throw new IllegalArgumentException("Upsample: mode '" + mode + "' does not take "
                    + (size != null ? "a size of " + axes + " axes " + Arrays.toString(size)
                            : "factors for " + axes + " axes " + factors(scaleFactor)));
        }
        this.size = size;
        this.scaleFactor = scaleFactor;
        this.alignCorners = alignCorners;
        this.recomputeScaleFactor = recomputeScaleFactor;
    }

    private static InterpolationMode modeNamed(String mode) {
        try {
            return InterpolationMode.of(mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Upsample: " + e.getMessage(), e);
        }
    }

    /** The factors as given (one for every spatial axis or one per axis), or null where an output size is given. */
    public double[] scaleFactor() {
        return scaleFactor == null ? null : scaleFactor.clone();
    }

    public InterpolationMode mode() {
        return mode;
    }

    /** Whether an interpolating mode lines up the centres of the corner elements rather than their edges. */
    public boolean alignCorners() {
        return alignCorners;
    }

    /** Whether the source positions come from the input and output sizes rather than from given factors. */
    public boolean recomputeScaleFactor() {
        return recomputeScaleFactor;
    }

    /**
     * [batch, channels, d1, ..., dk] resampled on its k spatial axes.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when its rank is not one the mode takes
     *     or not the number of the given size's or factors' axes plus 2
     */
    @Override
    public Tensor forward(Tensor x) {
        int axes = x.rank() - 2;
        int given = size != null ? size.length : scaleFactor.length;
        if (!mode.takesRank(x.rank()) || given > 1 && given != axes) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be " + expectedShape(given));
        }
        return F.interpolate(x, size, scaleFactor, mode, alignCorners, recomputeScaleFactor);
    }

    private String expectedShape(int given) {
        String[] shapes = {"[batch, channels, length]", "[batch, channels, height, width]",
            "[batch, channels, depth, height, width]"};
        return Arrays.stream(new int[] {3, 4, 5})
                .filter(rank -> mode.takesRank(rank) && (given == 1 || given == rank - 2))
                .mapToObj(rank -> shapes[rank - 3]).collect(Collectors.joining(" or "));
    }

    /**
     * PyTorch's {@code extra_repr}: {@code scale_factor=2.0, mode=nearest} (factors as floats, several as a tuple) or
     * {@code size=(4, 5), mode=bilinear}; like PyTorch's it leaves out align_corners and recompute_scale_factor.
     */
    @Override
    protected String extraRepr() {
        String given;
        if (size != null) {
            given = "size=" + (size.length == 1 ? Integer.toString(size[0]) : PythonRepr.tuple(size));
        } else {
            String[] each = Arrays.stream(scaleFactor).mapToObj(PythonRepr::number).toArray(String[]::new);
            given = "scale_factor=" + (each.length == 1 ? each[0] : "(" + String.join(", ", each) + ")");
        }
        return given + ", mode=" + mode.pytorchName();
    }

    /** A factor as PyTorch prints it where it is one, integers without a fraction; several as a tuple. */
    private static String factors(double[] scaleFactor) {
        String[] each = Arrays.stream(scaleFactor)
                .mapToObj(s -> s == Math.rint(s) && Math.abs(s) < 1e15 ? Long.toString((long) s) : Double.toString(s))
                .toArray(String[]::new);
        return each.length == 1 ? each[0] : "(" + String.join(", ", each) + ")";
    }
}
