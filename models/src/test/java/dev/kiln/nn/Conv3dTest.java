package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Conv3d}: PyTorch's parameter names, layout and initialisation, output sizes, "same" padding, gradients
 * against finite differences (groups, every padding mode) and the errors; {@link VolumetricPyTorchParityTest} holds
 * its values against PyTorch's.
 */
class Conv3dTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    private static int[] dims(Tensor t) {
        return t.shape().dims();
    }

    @Test
    void weightIsOutInPerGroupKdKhKwAndBiasIsOut() {
        try (Conv3d conv = Conv3d.builder(4, 6, 3, 2, 1).groups(2).build()) {
            assertArrayEquals(new int[] {6, 2, 3, 2, 1}, dims(conv.weight()));
            assertArrayEquals(new int[] {6}, dims(conv.bias()));
            assertEquals(DType.F32, conv.weight().dtype());
            assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        }
        try (Conv3d conv = Conv3d.builder(4, 6, 3).bias(false).build()) {
            assertNull(conv.bias());
            assertEquals(List.of("weight"), List.copyOf(conv.namedParameters().keySet()));
        }
    }

    @Test
    void defaultInitIsUniformWithinOneOverSqrtFanIn() {
        try (Conv3d conv = Conv3d.builder(16, 40, 3).groups(2).build()) {
            double bound = 1 / Math.sqrt(8 * 27);
            for (Tensor p : conv.parameters()) {
                double max = 0;
                for (double x : p.toDoubleArray()) {
                    assertTrue(Math.abs(x) <= bound, "value " + x + " outside +-" + bound);
                    max = Math.max(max, Math.abs(x));
                }
                assertTrue(max > 0.8 * bound, p.shape() + ": the draws fill the range: max " + max + " of " + bound);
            }
        }
    }

    @Test
    void strideDilationAndPaddingFollowTheOutputFormulaPerAxis() {
        try (Scope s = Scope.open(); Conv3d conv = Conv3d.builder(2, 3, 3, 3, 2).stride(1, 2, 3).padding(0, 1, 2)
                .dilation(2, 1, 1).build()) {
            // depth (9 - 4 - 1) / 1 + 1 = 5, height (10 + 2 - 3) / 2 + 1 = 5, width (11 + 4 - 2) / 3 + 1 = 5
            assertArrayEquals(new int[] {2, 3, 5, 5, 5}, dims(conv.forward(Tensor.zeros(2, 2, 9, 10, 11))));
        }
    }

    @Test
    void samePaddingKeepsTheVolumesSizeAndRefusesEvenKernelsAndStrides() {
        try (Scope s = Scope.open(); Conv3d conv = Conv3d.builder(2, 3, 3, 5, 1).dilation(2, 1, 1).padding("same")
                .build()) {
            assertArrayEquals(new int[] {2, 2, 0}, conv.padding());
            assertArrayEquals(new int[] {1, 3, 6, 7, 5}, dims(conv.forward(Tensor.zeros(1, 2, 6, 7, 5))));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Conv3d.builder(2, 3, 3, 4, 3).padding("same")
                .build()).getMessage().startsWith("Conv3d(2, 3, kernel=[3, 4, 3]): padding \"same\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Conv3d.builder(2, 3, 3).stride(1, 2, 1)
                .padding("same").build()).getMessage().contains("needs stride 1"));
    }

    @Test
    void gradientsOfAGroupedStridedLayerMatchFiniteDifferences() {
        try (Conv3d conv = Conv3d.builder(4, 2, 2, 3, 2).stride(2, 1, 1).padding(1, 1, 0).dilation(1, 1, 2).groups(2)
                .build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 4, 4, 3, 5).requiresGrad(true);
            GradCheck.check("Conv3d groups 2", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    @Test
    void gradientsInEveryPaddingModeMatchFiniteDifferences() {
        for (PaddingMode mode : PaddingMode.values()) {
            try (Conv3d conv = Conv3d.builder(2, 2, 3).padding(1, 2, 1).paddingMode(mode).build();
                 Scope s = Scope.open()) {
                conv.to(DType.F64);
                Tensor x = Tensor.randn(DType.F64, 1, 2, 3, 3, 4).requiresGrad(true);
                GradCheck.check("Conv3d " + mode, in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
            }
        }
    }

    @Test
    void anUnbatchedInputGivesTheBatchedOutputWithoutTheBatchAxis() {
        try (Conv3d conv = Conv3d.builder(2, 3, 3).padding(1).paddingMode(PaddingMode.REFLECT).build();
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 4, 5, 5);
            Tensor y = conv.forward(x);
            assertArrayEquals(new int[] {3, 4, 5, 5}, dims(y));
            assertArrayEquals(conv.forward(x.unsqueeze(0)).toDoubleArray(), y.toDoubleArray(), 0);
        }
    }

    @Test
    void errorsNameTheLayerTheInputAndWhatItMustBe() {
        try (Conv3d conv = new Conv3d(3, 8, 3); Scope s = Scope.open()) {
            String layer = "Conv3d(3, 8, kernel_size=(3, 3, 3), stride=(1, 1, 1))";
            String expected = " must be [batch, 3, depth, height, width] or unbatched [3, depth, height, width]";
            assertEquals(layer + ": input [2, 3, 8, 8]" + expected,
                    assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 3, 8, 8)))
                            .getMessage());
            assertEquals(layer + ": input [2, 1, 8, 8, 8]" + expected,
                    assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 1, 8, 8, 8)))
                            .getMessage());
            assertEquals(layer + ": input [3, 8, 8]" + expected,
                    assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(3, 8, 8)))
                            .getMessage());
            String small = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 3, 2, 8, 8)))
                    .getMessage();
            assertTrue(small.startsWith(layer + ": input [1, 3, 2, 8, 8], weight [8, 3, 3, 3, 3]: conv3d:")
                    && small.contains("the kernel's span 3 along the depth"), small);
        }
        assertEquals("Conv3d(4, 6, kernel=[3, 3, 3]): in_channels 4 must be divisible by groups 3",
                assertThrows(IllegalArgumentException.class, () -> Conv3d.builder(4, 6, 3).groups(3).build())
                        .getMessage());
        assertEquals("Conv3d(4, 6, kernel=[3, 3]): kernel must hold one value or three (depth, height, width), got [3, 3]",
                assertThrows(IllegalArgumentException.class, () -> new Conv3d(4, 6, new int[] {3, 3}, new int[] {1},
                        new int[] {0}, new int[] {1}, 1, true, PaddingMode.ZEROS)).getMessage());
    }

    @Test
    void describesItselfAsPyTorchDoes() {
        try (Conv3d conv = Conv3d.builder(4, 8, 1, 3, 3).stride(1, 2, 2).padding(0, 1, 1).groups(2)
                .paddingMode(PaddingMode.CIRCULAR).build()) {
            assertEquals("Conv3d(4, 8, kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), groups=2,"
                    + " padding_mode=circular)", conv.toString());
        }
    }
}
