package dev.kiln.data;

import static dev.kiln.data.AugmentOp.AUTO_CONTRAST;
import static dev.kiln.data.AugmentOp.BRIGHTNESS;
import static dev.kiln.data.AugmentOp.COLOR;
import static dev.kiln.data.AugmentOp.CONTRAST;
import static dev.kiln.data.AugmentOp.EQUALIZE;
import static dev.kiln.data.AugmentOp.INVERT;
import static dev.kiln.data.AugmentOp.POSTERIZE;
import static dev.kiln.data.AugmentOp.ROTATE;
import static dev.kiln.data.AugmentOp.SHARPNESS;
import static dev.kiln.data.AugmentOp.SHEAR_X;
import static dev.kiln.data.AugmentOp.SHEAR_Y;
import static dev.kiln.data.AugmentOp.SOLARIZE;
import static dev.kiln.data.AugmentOp.TRANSLATE_X;
import static dev.kiln.data.AugmentOp.TRANSLATE_Y;

import dev.kiln.data.AutoAugment.Entry;
import dev.kiln.data.AutoAugment.SubPolicy;
import java.util.List;

/**
 * The sub-policies of torchvision 0.14's {@code AutoAugmentPolicy} tables, in its order: each is two (operation,
 * probability, magnitude bin) entries, bin -1 for operations without a magnitude.
 */
final class AutoAugmentPolicies {
    static final List<SubPolicy> IMAGENET = List.of(
            sub(POSTERIZE, 0.4, 8, ROTATE, 0.6, 9),
            sub(SOLARIZE, 0.6, 5, AUTO_CONTRAST, 0.6, -1),
            sub(EQUALIZE, 0.8, -1, EQUALIZE, 0.6, -1),
            sub(POSTERIZE, 0.6, 7, POSTERIZE, 0.6, 6),
            sub(EQUALIZE, 0.4, -1, SOLARIZE, 0.2, 4),
            sub(EQUALIZE, 0.4, -1, ROTATE, 0.8, 8),
            sub(SOLARIZE, 0.6, 3, EQUALIZE, 0.6, -1),
            sub(POSTERIZE, 0.8, 5, EQUALIZE, 1.0, -1),
            sub(ROTATE, 0.2, 3, SOLARIZE, 0.6, 8),
            sub(EQUALIZE, 0.6, -1, POSTERIZE, 0.4, 6),
            sub(ROTATE, 0.8, 8, COLOR, 0.4, 0),
            sub(ROTATE, 0.4, 9, EQUALIZE, 0.6, -1),
            sub(EQUALIZE, 0.0, -1, EQUALIZE, 0.8, -1),
            sub(INVERT, 0.6, -1, EQUALIZE, 1.0, -1),
            sub(COLOR, 0.6, 4, CONTRAST, 1.0, 8),
            sub(ROTATE, 0.8, 8, COLOR, 1.0, 2),
            sub(COLOR, 0.8, 8, SOLARIZE, 0.8, 7),
            sub(SHARPNESS, 0.4, 7, INVERT, 0.6, -1),
            sub(SHEAR_X, 0.6, 5, EQUALIZE, 1.0, -1),
            sub(COLOR, 0.4, 0, EQUALIZE, 0.6, -1),
            sub(EQUALIZE, 0.4, -1, SOLARIZE, 0.2, 4),
            sub(SOLARIZE, 0.6, 5, AUTO_CONTRAST, 0.6, -1),
            sub(INVERT, 0.6, -1, EQUALIZE, 1.0, -1),
            sub(COLOR, 0.6, 4, CONTRAST, 1.0, 8),
            sub(EQUALIZE, 0.8, -1, EQUALIZE, 0.6, -1));

    static final List<SubPolicy> CIFAR10 = List.of(
            sub(INVERT, 0.1, -1, CONTRAST, 0.2, 6),
            sub(ROTATE, 0.7, 2, TRANSLATE_X, 0.3, 9),
            sub(SHARPNESS, 0.8, 1, SHARPNESS, 0.9, 3),
            sub(SHEAR_Y, 0.5, 8, TRANSLATE_Y, 0.7, 9),
            sub(AUTO_CONTRAST, 0.5, -1, EQUALIZE, 0.9, -1),
            sub(SHEAR_Y, 0.2, 7, POSTERIZE, 0.3, 7),
            sub(COLOR, 0.4, 3, BRIGHTNESS, 0.6, 7),
            sub(SHARPNESS, 0.3, 9, BRIGHTNESS, 0.7, 9),
            sub(EQUALIZE, 0.6, -1, EQUALIZE, 0.5, -1),
            sub(CONTRAST, 0.6, 7, SHARPNESS, 0.6, 5),
            sub(COLOR, 0.7, 7, TRANSLATE_X, 0.5, 8),
            sub(EQUALIZE, 0.3, -1, AUTO_CONTRAST, 0.4, -1),
            sub(TRANSLATE_Y, 0.4, 3, SHARPNESS, 0.2, 6),
            sub(BRIGHTNESS, 0.9, 6, COLOR, 0.2, 8),
            sub(SOLARIZE, 0.5, 2, INVERT, 0.0, -1),
            sub(EQUALIZE, 0.2, -1, AUTO_CONTRAST, 0.6, -1),
            sub(EQUALIZE, 0.2, -1, EQUALIZE, 0.6, -1),
            sub(COLOR, 0.9, 9, EQUALIZE, 0.6, -1),
            sub(AUTO_CONTRAST, 0.8, -1, SOLARIZE, 0.2, 8),
            sub(BRIGHTNESS, 0.1, 3, COLOR, 0.7, 0),
            sub(SOLARIZE, 0.4, 5, AUTO_CONTRAST, 0.9, -1),
            sub(TRANSLATE_Y, 0.9, 9, TRANSLATE_Y, 0.7, 9),
            sub(AUTO_CONTRAST, 0.9, -1, SOLARIZE, 0.8, 3),
            sub(EQUALIZE, 0.8, -1, INVERT, 0.1, -1),
            sub(TRANSLATE_Y, 0.7, 9, AUTO_CONTRAST, 0.9, -1));

    static final List<SubPolicy> SVHN = List.of(
            sub(SHEAR_X, 0.9, 4, INVERT, 0.2, -1),
            sub(SHEAR_Y, 0.9, 8, INVERT, 0.7, -1),
            sub(EQUALIZE, 0.6, -1, SOLARIZE, 0.6, 6),
            sub(INVERT, 0.9, -1, EQUALIZE, 0.6, -1),
            sub(EQUALIZE, 0.6, -1, ROTATE, 0.9, 3),
            sub(SHEAR_X, 0.9, 4, AUTO_CONTRAST, 0.8, -1),
            sub(SHEAR_Y, 0.9, 8, INVERT, 0.4, -1),
            sub(SHEAR_Y, 0.9, 5, SOLARIZE, 0.2, 6),
            sub(INVERT, 0.9, -1, AUTO_CONTRAST, 0.8, -1),
            sub(EQUALIZE, 0.6, -1, ROTATE, 0.9, 3),
            sub(SHEAR_X, 0.9, 4, SOLARIZE, 0.3, 3),
            sub(SHEAR_Y, 0.8, 8, INVERT, 0.7, -1),
            sub(EQUALIZE, 0.9, -1, TRANSLATE_Y, 0.6, 6),
            sub(INVERT, 0.9, -1, EQUALIZE, 0.6, -1),
            sub(CONTRAST, 0.3, 3, ROTATE, 0.8, 4),
            sub(INVERT, 0.8, -1, TRANSLATE_Y, 0.0, 2),
            sub(SHEAR_Y, 0.7, 6, SOLARIZE, 0.4, 8),
            sub(INVERT, 0.6, -1, ROTATE, 0.8, 4),
            sub(SHEAR_Y, 0.3, 7, TRANSLATE_X, 0.9, 3),
            sub(SHEAR_X, 0.1, 6, INVERT, 0.6, -1),
            sub(SOLARIZE, 0.7, 2, TRANSLATE_Y, 0.6, 7),
            sub(SHEAR_Y, 0.8, 4, INVERT, 0.8, -1),
            sub(SHEAR_X, 0.7, 9, TRANSLATE_Y, 0.8, 3),
            sub(SHEAR_Y, 0.8, 5, AUTO_CONTRAST, 0.7, -1),
            sub(SHEAR_X, 0.7, 2, INVERT, 0.1, -1));

    private AutoAugmentPolicies() {
    }

    private static SubPolicy sub(AugmentOp firstOp, double firstP, int firstBin, AugmentOp secondOp, double secondP,
            int secondBin) {
        return new SubPolicy(new Entry(firstOp, firstP, firstBin), new Entry(secondOp, secondP, secondBin));
    }
}
