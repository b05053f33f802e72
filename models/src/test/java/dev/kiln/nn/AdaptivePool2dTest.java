package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdaptivePool2dTest {
    @BeforeEach
    void seed() {
        Engine.seed(13);
    }

    @Test
    void avgPoolOfOneIsTheGlobalAverage() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 2, 3, 5, 7);
            assertValues(new GlobalAvgPool2d().forward(x).toDoubleArray(), new AdaptiveAvgPool2d(1).forward(x), 1e-12);
        }
    }

    @Test
    void unevenWindowsFollowPyTorchsStartAndEnd() {
        try (Scope s = Scope.open()) {
            // Rows 0..4 into 2 windows: [0, 3) and [2, 5), which overlap in row 2.
            Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4, 5}, 1, 1, 5, 1);
            assertValues(new double[] {2, 4}, new AdaptiveAvgPool2d(2, 1).forward(x), 1e-12);
            assertValues(new double[] {3, 5}, new AdaptiveMaxPool2d(2, 1).forward(x), 0);
        }
    }

    @Test
    void maxPoolGradientGoesToTheFirstMaximumInRowMajorOrderAsPyTorchs() {
        try (Scope s = Scope.open()) {
            // The first window, columns [0, 2), holds 5 at (0, 1) and at (1, 0); PyTorch 1.13 picks (0, 1).
            Tensor x = Tensor.fromArray(new double[] {0, 5, 1, 5, 0, 2}, 1, 1, 2, 3).requiresGrad(true);
            new AdaptiveMaxPool2d(1, 2).forward(x).sum().backward();
            assertValues(new double[] {0, 2, 0, 0, 0, 0}, x.grad(), 0);
        }
    }

    @Test
    void anOutputLargerThanTheInputRepeatsPixels() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[] {1, 3}, 1, 1, 1, 2);
            assertValues(new double[] {1, 2, 3}, new AdaptiveAvgPool2d(1, 3).forward(x), 1e-12);
        }
    }

    @Test
    void anUnbatchedInputGivesAnUnbatchedOutput() {
        try (Scope s = Scope.open()) {
            Tensor y = new AdaptiveMaxPool2d(2, 3).forward(Tensor.randn(4, 5, 7));
            assertArrayEquals(new int[] {4, 2, 3}, y.shape().dims());
        }
    }

    @Test
    void evaluationWithoutGradientsGivesTheSameOutput() {
        try (Scope s = Scope.open()) {
            AdaptiveAvgPool2d pool = new AdaptiveAvgPool2d(3, 2);
            Tensor x = Tensor.randn(2, 2, 7, 5);
            double[] withGradients = pool.forward(x).toDoubleArray();
            try (Autograd.Guard g = Autograd.noGrad()) {
                assertValues(withGradients, pool.forward(x), 0);
            }
        }
    }

    @Test
    void errorsNameTheLayerAndTheInputShape() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
                    () -> new AdaptiveAvgPool2d(2, 3).forward(Tensor.zeros(4, 5)));
            assertEquals("AdaptiveAvgPool2d(output_size=(2, 3)): input [4, 5] must be [batch, channels, height, width] or "
                    + "unbatched [channels, height, width] with at least one pixel", flat.getMessage());
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool2d(0, 2));
            assertEquals("AdaptiveMaxPool2d: output size must be at least 1, got (0, 2)", size.getMessage());
        }
    }

    @Test
    void toStringNamesTheOutputSizeAsPyTorchDoes() {
        assertEquals("AdaptiveMaxPool2d(output_size=2)", new AdaptiveMaxPool2d(2).toString());
    }

    @Test
    void unevenAvgPoolGradientsMatchFiniteDifferencesInF64() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 4).requiresGrad(true);
            AdaptiveAvgPool2d pool = new AdaptiveAvgPool2d(3, 3);
            GradCheck.check("AdaptiveAvgPool2d", in -> pool.forward(in[0]), x);
        }
    }

    @Test
    void unevenMaxPoolGradientsMatchFiniteDifferencesInF64() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 4).requiresGrad(true);
            AdaptiveMaxPool2d pool = new AdaptiveMaxPool2d(3, 3);
            GradCheck.check("AdaptiveMaxPool2d", in -> pool.forward(in[0]), x);
        }
    }

    @Test
    void adaptivePoolsHaveNoState() {
        assertTrue(new AdaptiveAvgPool2d(2).stateDict().isEmpty());
        assertTrue(new AdaptiveMaxPool2d(2).stateDict().isEmpty());
    }
}
