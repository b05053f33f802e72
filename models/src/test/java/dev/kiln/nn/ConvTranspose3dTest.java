package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvTranspose3d}: PyTorch's parameter names, layout and initialisation, output sizes, gradients against
 * finite differences and the errors; {@link VolumetricPyTorchParityTest} holds its values against PyTorch's.
 */
class ConvTranspose3dTest {
    @BeforeEach
    void seed() {
        Engine.seed(43);
    }

    @Test
    void weightIsInOutKdKhKwInitialisedFromTheOutputChannels() {
        try (ConvTranspose3d conv = ConvTranspose3d.builder(8, 30, 2, 3, 3).build()) {
            assertArrayEquals(new int[] {8, 30, 2, 3, 3}, conv.weight().shape().dims());
            assertArrayEquals(new int[] {30}, conv.bias().shape().dims());
            assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
            double bound = 1 / Math.sqrt(30 * 18);
            double max = 0;
            for (double x : conv.weight().toDoubleArray()) {
                assertTrue(Math.abs(x) <= bound, "value " + x + " outside +-" + bound);
                max = Math.max(max, Math.abs(x));
            }
            assertTrue(max > 0.95 * bound, "the draws fill the range: max " + max + " of " + bound);
        }
    }

    @Test
    void kernelTwoWithStrideTwoDoublesEachAxis() {
        try (ConvTranspose3d conv = ConvTranspose3d.builder(4, 2, 2).stride(2).build(); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {3, 2, 6, 10, 8}, conv.forward(Tensor.zeros(3, 4, 3, 5, 4)).shape().dims());
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        try (ConvTranspose3d conv = ConvTranspose3d.builder(2, 3, 3, 2, 2).stride(2, 1, 2).padding(1, 0, 1)
                .outputPadding(1, 0, 1).dilation(1, 2, 1).build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 3, 2, 3).requiresGrad(true);
            GradCheck.check("ConvTranspose3d", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    @Test
    void errorsNameTheLayerTheInputAndWhatItMustBe() {
        try (ConvTranspose3d conv = new ConvTranspose3d(3, 8, 3); Scope s = Scope.open()) {
            assertEquals("ConvTranspose3d(3, 8, kernel_size=(3, 3, 3), stride=(1, 1, 1)):"
                    + " input [2, 4, 5, 5, 5] must be [batch, 3, depth, height, width] or unbatched [3, depth, height,"
                    + " width]", assertThrows(IllegalArgumentException.class,
                            () -> conv.forward(Tensor.zeros(2, 4, 5, 5, 5))).getMessage());
        }
        assertEquals("ConvTranspose3d(3, 8, kernel=[3, 3, 3]): output padding [0, 2, 0] must be below the stride"
                + " [2, 2, 2] or the dilation [1, 1, 1] on each axis", assertThrows(IllegalArgumentException.class,
                        () -> ConvTranspose3d.builder(3, 8, 3).stride(2).outputPadding(0, 2, 0).build()).getMessage());
    }
}
