package dev.kiln.data;

import dev.kiln.data.RandomRotation.Interpolation;

/**
 * The operations of torchvision's automatic augmentation policies ({@link AutoAugment}, {@link RandAugment},
 * {@link TrivialAugmentWide}, {@link AugMix}), each applied with a magnitude as torchvision's {@code _apply_op}
 * applies it, to a grey or RGB float image [1 or 3, height, width] in [0, 1]:
 * <ul>
 * <li>shears by {@code atan(magnitude)} about the image's top-left corner; translations by {@code (int) magnitude}
 * pixels; rotation by {@code magnitude} degrees counter-clockwise about the centre; all with torchvision's
 * {@code fill=None} (0 outside the image, no fill blending);
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
        void apply(float[] features, int offset, int channels, int height, int width, Interpolation interpolation) {
            op.apply(features, offset, channels, height, width, magnitude, interpolation);
        }

        @Override
        public String toString() {
            return op.torchName + "(" + magnitude + ")";
        }
    }

    /** Applies this operation to the image [channels, height, width] at {@code offset}, in place. */
    void apply(float[] features, int offset, int channels, int height, int width, double magnitude,
            Interpolation interpolation) {
        int plane = height * width;
        int length = channels * plane;
        switch (this) {
            case IDENTITY -> {
            }
            case SHEAR_X -> warp(features, offset, length, height, width, interpolation,
                    AffineWarp.inverseMatrix(-0.5 * width, -0.5 * height, 0, 0, 0, 1, shearDegrees(magnitude), 0));
            case SHEAR_Y -> warp(features, offset, length, height, width, interpolation,
                    AffineWarp.inverseMatrix(-0.5 * width, -0.5 * height, 0, 0, 0, 1, 0, shearDegrees(magnitude)));
            case TRANSLATE_X -> warp(features, offset, length, height, width, interpolation,
                    AffineWarp.inverseMatrix(0, (int) magnitude, 0, 1, 0, 0));
            case TRANSLATE_Y -> warp(features, offset, length, height, width, interpolation,
                    AffineWarp.inverseMatrix(0, 0, (int) magnitude, 1, 0, 0));
            // torchvision's rotate is its affine turned the other way.
            case ROTATE -> warp(features, offset, length, height, width, interpolation,
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

    private static void warp(float[] features, int offset, int length, int height, int width,
            Interpolation interpolation, double[] inverse) {
        AffineWarp.warpWithoutFill(features, offset, length, height, width, inverse, interpolation);
    }
}
