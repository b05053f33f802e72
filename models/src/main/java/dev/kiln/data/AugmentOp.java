package dev.kiln.data;

import dev.kiln.data.RandomRotation.Interpolation;
import java.util.Arrays;

/**
 * The operations of torchvision's automatic augmentation policies ({@link AutoAugment}, {@link RandAugment},
 * {@link TrivialAugmentWide}, {@link AugMix}), each applied with a magnitude as torchvision's {@code _apply_op}
 * applies it, to a grey or RGB float image [1 or 3, height, width] in [0, 1]:
 * <ul>
 * <li>shears by {@code atan(magnitude)} about the image's top-left corner; translations by {@code (int) magnitude}
 * pixels; rotation by {@code magnitude} degrees counter-clockwise about the centre; with torchvision's default
 * {@code fill=None} (a null fill) 0 outside the image and no fill blending, else torchvision's fill: nearest reads
 * the channel's fill outside the image, bilinear blends {@code x inside + (1 - inside) fill} by the share of the
 * weight that fell inside;
 * <li>brightness, colour (saturation), contrast and sharpness with factor {@code 1 + magnitude};
 * <li>posterize to {@code (int) magnitude} bits and equalize on the image's uint8 levels ({@link ImageOps});
 * <li>solarize above {@code magnitude / 255}: the policies give thresholds for 0-255 images;
 * <li>autocontrast, invert and identity, which take no magnitude.
 * </ul>
 */
enum AugmentOp {
    IDENTITY("Identity", false),
    SHEAR_X("ShearX", true),
    SHEAR_Y("ShearY", true),
    TRANSLATE_X("TranslateX", true),
    TRANSLATE_Y("TranslateY", true),
    ROTATE("Rotate", true),
    BRIGHTNESS("Brightness", true),
    COLOR("Color", true),
    CONTRAST("Contrast", true),
    SHARPNESS("Sharpness", true),
    POSTERIZE("Posterize", false),
    SOLARIZE("Solarize", false),
    AUTO_CONTRAST("AutoContrast", false),
    EQUALIZE("Equalize", false),
    INVERT("Invert", false);

    /** A 0-255 level, the unit of the policies' Solarize thresholds. */
    private static final double LEVEL = 255;

    private final String torchName;
    private final boolean signed;

    AugmentOp(String torchName, boolean signed) {
        this.torchName = torchName;
        this.signed = signed;
    }

    /** torchvision's name of the operation, as in its policy tables. */
    String torchName() {
        return torchName;
    }

    /** Whether the policies flip the sign of this operation's magnitude with probability 1/2. */
    boolean signed() {
        return signed;
    }

    /** One operation with its magnitude, as a policy drew it. */
    record Step(AugmentOp op, double magnitude) {
        void apply(float[] features, int offset, int channels, int height, int width, Interpolation interpolation,
                float[] fill) {
            op.apply(features, offset, channels, height, width, magnitude, interpolation, fill);
        }

        @Override
        public String toString() {
            return op.torchName + "(" + magnitude + ")";
        }
    }

    /**
     * Applies this operation to the image [channels, height, width] at {@code offset}, in place; geometric operations
     * fill from outside the image with {@code fill} (one value, or one per channel; null for torchvision's None).
     */
    void apply(float[] features, int offset, int channels, int height, int width, double magnitude,
            Interpolation interpolation, float[] fill) {
        int plane = height * width;
        int length = channels * plane;
        switch (this) {
            case IDENTITY -> {
            }
            case SHEAR_X -> warp(features, offset, channels, height, width, interpolation, fill,
                    AffineWarp.inverseMatrix(-0.5 * width, -0.5 * height, 0, 0, 0, 1, shearDegrees(magnitude), 0));
            case SHEAR_Y -> warp(features, offset, channels, height, width, interpolation, fill,
                    AffineWarp.inverseMatrix(-0.5 * width, -0.5 * height, 0, 0, 0, 1, 0, shearDegrees(magnitude)));
            case TRANSLATE_X -> warp(features, offset, channels, height, width, interpolation, fill,
                    AffineWarp.inverseMatrix(0, (int) magnitude, 0, 1, 0, 0));
            case TRANSLATE_Y -> warp(features, offset, channels, height, width, interpolation, fill,
                    AffineWarp.inverseMatrix(0, 0, (int) magnitude, 1, 0, 0));
            // torchvision's rotate is its affine turned the other way.
            case ROTATE -> warp(features, offset, channels, height, width, interpolation, fill,
                    AffineWarp.inverseMatrix(-magnitude, 0, 0, 1, 0, 0));
            case BRIGHTNESS -> ColorJitter.adjustBrightness(features, offset, length, 1 + magnitude);
            case COLOR -> ImageOps.saturation(features, offset, plane, channels, 1 + magnitude);
            case CONTRAST -> ColorJitter.adjustContrast(features, offset, length, channels, 1 + magnitude);
            case SHARPNESS -> ImageOps.sharpness(features, offset, height, width, channels, 1 + magnitude);
            case POSTERIZE -> ImageOps.posterize(features, offset, length, (int) magnitude);
            case SOLARIZE -> ImageOps.solarize(features, offset, length, (float) (magnitude / LEVEL));
            case AUTO_CONTRAST -> ImageOps.autocontrast(features, offset, plane, channels);
            case EQUALIZE -> ImageOps.equalize(features, offset, plane, channels);
            case INVERT -> {
                for (int i = offset; i < offset + length; i++) {
                    features[i] = 1f - features[i];
                }
            }
        }
    }

    /** The shear angle of a shear magnitude: the policies shear by {@code (1, magnitude)}, an angle of atan. */
    private static double shearDegrees(double magnitude) {
        return Math.toDegrees(Math.atan(magnitude));
    }

    private static void warp(float[] features, int offset, int channels, int height, int width,
            Interpolation interpolation, float[] fill, double[] inverse) {
        int plane = height * width;
        if (fill == null) {
            AffineWarp.warpWithoutFill(features, offset, channels * plane, height, width, inverse, interpolation);
            return;
        }
        for (int c = 0; c < channels; c++) {
            AffineWarp.warp(features, offset + c * plane, plane, height, width, inverse, interpolation,
                    fill[fill.length == 1 ? 0 : c]);
        }
    }

    /**
     * A policy's {@code fill}, checked and copied: null (torchvision's None), or one finite value for every channel,
     * or three, one per RGB channel.
     */
    static float[] checkFill(String who, float[] fill) {
        if (fill == null) {
            return null;
        }
        if (fill.length != 1 && fill.length != 3) {
            throw new IllegalArgumentException(who + ": fill takes one value or one per RGB channel (3), got "
                    + fill.length + " values");
        }
        for (float value : fill) {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException(who + ": fill must be finite, got " + Arrays.toString(fill));
            }
        }
        return fill.clone();
    }

    /** {@code ", fill=[...]"} for a policy's toString, or nothing for torchvision's None. */
    static String fillString(float[] fill) {
        return fill == null ? "" : ", fill=" + Arrays.toString(fill);
    }

    /** Refuses a per-channel {@code fill} for an image of another channel count, as torchvision refuses it. */
    static void checkFillChannels(String who, float[] fill, int channels) {
        if (fill != null && fill.length != 1 && fill.length != channels) {
            throw new IllegalArgumentException(who + ": fill has " + fill.length + " values, one per channel, but the"
                    + " image has " + channels + " channel" + (channels == 1 ? "" : "s"));
        }
    }
}
