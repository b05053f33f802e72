package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UpsampleTest {
    @BeforeEach
    void seed() {
        Engine.seed(17);
    }

    @Test
    void nearestRepeatsEachPixel() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
            assertValues(new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, new Upsample(2).forward(x), 0);
        }
    }

    @Test
    void bilinearWithAlignedCornersKeepsTheCornersAndInterpolatesBetween() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {0, 3}, 1, 1, 1, 2);
            assertValues(new double[] {0, 1, 2, 3, 0, 1, 2, 3}, new Upsample(2, "bilinear", true).forward(x), 1e-12);
        }
    }

    @Test
    void errorsNameTheLayerAndWhatIsWrong() {
        assertEquals("Upsample: scale factor must be positive and finite, got 0",
                assertThrows(IllegalArgumentException.class, () -> new Upsample(0)).getMessage());
        assertEquals("Upsample: interpolation mode must be one of ['nearest', 'nearest-exact', 'linear', 'bilinear', "
                + "'bicubic', 'trilinear', 'area'], got 'cubic'",
                assertThrows(IllegalArgumentException.class, () -> new Upsample(2, "cubic")).getMessage());
        assertEquals("Upsample: alignCorners applies only to modes 'linear', 'bilinear', 'bicubic' and 'trilinear', "
                + "got mode 'nearest'",
                assertThrows(IllegalArgumentException.class, () -> new Upsample(2, "nearest", true)).getMessage());
        assertEquals("Upsample: mode 'bicubic' does not take factors for 3 axes (1.5, 2, 2)",
                assertThrows(IllegalArgumentException.class,
                        () -> Upsample.byFactors(new double[] {1.5, 2, 2}, "bicubic", false, false)).getMessage());
        try (Scope s = Scope.open()) {
            assertEquals("Upsample(scale_factor=2.0, mode=nearest): input [1, 2] must be [batch, channels, length]"
                    + " or [batch, channels, height, width] or [batch, channels, depth, height, width]",
                    assertThrows(IllegalArgumentException.class, () -> new Upsample(2).forward(Tensor.zeros(1, 2)))
                            .getMessage());
            assertEquals("Upsample(scale_factor=(1.5, 2.0), mode=nearest): input [1, 2, 3] must be"
                    + " [batch, channels, height, width]", assertThrows(IllegalArgumentException.class,
                            () -> Upsample.byFactors(new double[] {1.5, 2}, "nearest", false, false)
                                    .forward(Tensor.zeros(1, 2, 3))).getMessage());
        }
    }

    @Test
    void aSizeIsDescribedAsPyTorchsAndOneBelowOnePixelIsRefused() {
        assertEquals("Upsample(size=(7, 3), mode=bilinear)",
                Upsample.toSize(7, 3, "bilinear", true).toString());
        assertEquals("Upsample: size must be at least 1 on each axis, got [0, 3]",
                assertThrows(IllegalArgumentException.class, () -> Upsample.toSize(0, 3, "nearest", false))
                        .getMessage());
    }

    @Test
    void nearestGradientsMatchFiniteDifferencesInF64() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 2, 2, 2, 3).requiresGrad(true);
            Upsample up = new Upsample(3);
            GradCheck.check("Upsample nearest", in -> up.forward(in[0]), x);
        }
    }

    @Test
    void bilinearGradientsMatchFiniteDifferencesInF64() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 2, 2, 3, 2).requiresGrad(true);
            Upsample up = new Upsample(2, "bilinear");
            GradCheck.check("Upsample bilinear", in -> up.forward(in[0]), x);
        }
    }

    @Test
    void bilinearWithAlignedCornersGradientsMatchFiniteDifferencesInF64() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 1, 2, 3, 3).requiresGrad(true);
            Upsample up = new Upsample(3, "bilinear", true);
            GradCheck.check("Upsample bilinear align_corners", in -> up.forward(in[0]), x);
        }
    }

    @Test
    void fractionalFactorsAndPyTorchsOtherModesGoThroughInterpolate() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 1, 2, 4, 5);
            assertValues(F.interpolate(x, new double[] {1.5}, InterpolationMode.BICUBIC, true).toDoubleArray(),
                    new Upsample(1.5, "bicubic", true).forward(x), 0);
            Upsample perAxis = Upsample.byFactors(new double[] {0.5, 1.7}, "nearest-exact", false, true);
            assertValues(F.interpolate(x, null, new double[] {0.5, 1.7}, InterpolationMode.NEAREST_EXACT, false, true)
                    .toDoubleArray(), perAxis.forward(x), 0);
            assertEquals("Upsample(scale_factor=(0.5, 1.7), mode=nearest-exact)",
                    perAxis.toString());
            Tensor sequence = Tensor.randn(DType.F64, 2, 3, 6);
            assertValues(F.interpolate(sequence, new int[] {4}, InterpolationMode.AREA, false).toDoubleArray(),
                    Upsample.toSize(4, "area", false).forward(sequence), 0);
        }
    }
}
