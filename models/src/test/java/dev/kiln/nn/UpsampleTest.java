package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
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
        assertEquals("Upsample: scale factor must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new Upsample(0)).getMessage());
        assertEquals("Upsample: mode must be 'nearest', 'bilinear' or 'trilinear', got 'bicubic'",
                assertThrows(IllegalArgumentException.class, () -> new Upsample(2, "bicubic")).getMessage());
        assertEquals("Upsample: alignCorners applies only to modes 'bilinear' and 'trilinear', got mode 'nearest'",
                assertThrows(IllegalArgumentException.class, () -> new Upsample(2, "nearest", true)).getMessage());
        try (Scope s = Scope.open()) {
            assertEquals("Upsample(scale_factor=2, mode=nearest): input [1, 2, 3] must be [batch, channels, height, width]"
                    + " or [batch, channels, depth, height, width]",
                    assertThrows(IllegalArgumentException.class, () -> new Upsample(2).forward(Tensor.zeros(1, 2, 3)))
                            .getMessage());
        }
    }

    @Test
    void aSizeIsDescribedAsPyTorchsAndOneBelowOnePixelIsRefused() {
        assertEquals("Upsample(size=(7, 3), mode=bilinear, align_corners=True)",
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
}
