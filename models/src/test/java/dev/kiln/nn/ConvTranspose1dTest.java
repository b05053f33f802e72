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
 * {@link ConvTranspose1d}: PyTorch's layout, names and initialisation, the output lengths, gradients and errors
 * (PyTorch's numbers are in {@link UnpoolBagPyTorchParityTest}).
 */
class ConvTranspose1dTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    @Test
    void weightIsInOutKernelAsInPyTorchAndBiasIsOut() {
        try (ConvTranspose1d layer = new ConvTranspose1d(8, 3, 4)) {
            assertArrayEquals(new int[] {8, 3, 4}, layer.weight().shape().dims());
            assertArrayEquals(new int[] {3}, layer.bias().shape().dims());
            assertEquals(List.of("weight", "bias"), List.copyOf(layer.namedParameters().keySet()));
        }
    }

    /** PyTorch draws both within 1/sqrt(fanIn) with the fan of the weight's second axis: outChannels * kernel. */
    @Test
    void defaultInitIsUniformWithinOneOverSqrtOfOutChannelsTimesKernel() {
        try (ConvTranspose1d layer = new ConvTranspose1d(64, 4, 3)) {
            double bound = 1 / Math.sqrt(4 * 3);
            double max = 0;
            for (double v : layer.weight().toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound, "weight " + v + " outside +-" + bound);
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.98 * bound, "the draws fill the range, not that of the input fan: max " + max);
            for (double v : layer.bias().toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound, "bias " + v + " outside +-" + bound);
            }
        }
    }

    @Test
    void strideTwoUndoesAStrideTwoConvolutionsHalvingOfTheLength() {
        try (Scope s = Scope.open();
             Conv1d down = Conv1d.builder(1, 4, 3).stride(2).padding(1).build();
             ConvTranspose1d up = ConvTranspose1d.builder(4, 1, 3).stride(2).padding(1).outputPadding(1).build()) {
            Tensor code = down.forward(Tensor.zeros(2, 1, 28));
            assertArrayEquals(new int[] {2, 4, 14}, code.shape().dims());
            assertArrayEquals(new int[] {2, 1, 28}, up.forward(code).shape().dims());
        }
    }

    @Test
    void outputLengthFollowsPyTorchsFormula() {
        try (Scope s = Scope.open();
             ConvTranspose1d layer = ConvTranspose1d.builder(2, 3, 3).stride(3).padding(2).outputPadding(2).dilation(2)
                     .build()) {
            // (5 - 1) 3 - 2 * 2 + 2 (3 - 1) + 2 + 1 = 15
            assertArrayEquals(new int[] {1, 3, 15}, layer.forward(Tensor.zeros(1, 2, 5)).shape().dims());
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (ConvTranspose1d layer = ConvTranspose1d.builder(2, 3, 3).stride(2).padding(1).outputPadding(1).dilation(2)
                .build(); Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 4).requiresGrad(true);
            GradCheck.check("ConvTranspose1d", in -> layer.forward(in[0]), x, layer.weight(), layer.bias());
        }
    }

    @Test
    void wrongRankOrChannelsNameTheLayerAndTheExpectedShape() {
        try (ConvTranspose1d layer = new ConvTranspose1d(4, 1, 3); Scope s = Scope.open()) {
            for (Tensor x : List.of(Tensor.zeros(2, 3, 7), Tensor.zeros(2, 4, 1, 7), Tensor.zeros(4, 7))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.forward(x));
                assertEquals("ConvTranspose1d(4, 1, kernel_size=(3,), stride=(1,)): input " + x.shape() + " must be [batch, 4, length]", e.getMessage());
            }
        }
    }

    @Test
    void anOutputPaddingBelowNeitherTheStrideNorTheDilationIsRefusedWithAll() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvTranspose1d.builder(1, 4, 3).stride(2).dilation(2).outputPadding(2).build());
        assertEquals("ConvTranspose1d(1, 4, kernel=3): output padding [2] must be below the stride [2] or the dilation"
                + " [2] on each axis", e.getMessage());
    }

    @Test
    void badArgumentsNameTheLayer() {
        for (Runnable r : List.<Runnable>of(() -> new ConvTranspose1d(0, 4, 3), () -> new ConvTranspose1d(1, 4, 0),
                () -> ConvTranspose1d.builder(1, 4, 3).stride(0).build(),
                () -> ConvTranspose1d.builder(1, 4, 3).padding(-1).build(),
                () -> ConvTranspose1d.builder(1, 4, 3).dilation(0).build(),
                () -> ConvTranspose1d.builder(1, 4, 3).outputPadding(-1).build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().startsWith("ConvTranspose1d("), e.getMessage());
        }
    }

    @Test
    void describesItsSettings() {
        try (ConvTranspose1d layer = ConvTranspose1d.builder(4, 1, 3).stride(2).padding(1).outputPadding(1).bias(false)
                .build()) {
            assertEquals("ConvTranspose1d(4, 1, kernel_size=(3,), stride=(2,), padding=(1,), output_padding=(1,),"
                    + " bias=False)",
                    layer.toString());
        }
    }
}
