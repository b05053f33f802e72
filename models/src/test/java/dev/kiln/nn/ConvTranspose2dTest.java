package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ConvTranspose2d}: PyTorch's layout and initialisation, the output sizes, gradients and errors. */
class ConvTranspose2dTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    @Test
    void weightIsInOutKhKwAsInPyTorchAndBiasIsOut() {
        try (ConvTranspose2d layer = new ConvTranspose2d(8, 3, 4)) {
            assertArrayEquals(new int[] {8, 3, 4, 4}, layer.weight().shape().dims());
            assertArrayEquals(new int[] {3}, layer.bias().shape().dims());
            assertEquals(List.of("weight", "bias"), List.copyOf(layer.namedParameters().keySet()));
        }
    }

    /** PyTorch draws both within 1/sqrt(fanIn) with the fan of the weight's second axis: outChannels * kh * kw. */
    @Test
    void defaultInitIsUniformWithinOneOverSqrtOfOutChannelsTimesKernel() {
        try (ConvTranspose2d layer = new ConvTranspose2d(64, 4, 3)) {
            double bound = 1 / Math.sqrt(4 * 3 * 3);
            double[] w = layer.weight().toDoubleArray();
            double max = 0;
            for (double v : w) {
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
    void strideTwoPaddingOneOutputPaddingOneUndoesAStrideTwoConvolutionsHalving() {
        try (Scope s = Scope.open();
             Conv2d down = Conv2d.builder(1, 4, 3).stride(2).padding(1).build();
             ConvTranspose2d up = ConvTranspose2d.builder(4, 1, 3).stride(2).padding(1).outputPadding(1).build()) {
            Tensor x = Tensor.zeros(2, 1, 28, 28);
            Tensor code = down.forward(x);
            assertArrayEquals(new int[] {2, 4, 14, 14}, code.shape().dims());
            assertArrayEquals(new int[] {2, 1, 28, 28}, up.forward(code).shape().dims());
        }
    }

    @Test
    void forwardIsTheFunctionalTransposedConvolution() {
        try (Scope s = Scope.open(); ConvTranspose2d layer = ConvTranspose2d.builder(2, 3, 3).stride(2).dilation(2).build()) {
            Tensor x = Tensor.randn(DType.F32, 2, 2, 4, 5);
            Tensor expected = F.convTranspose2d(x, layer.weight(), layer.bias(), new int[] {2}, new int[] {0},
                    new int[] {0}, new int[] {2});
            assertArrayEquals(expected.toFloatArray(), layer.forward(x).toFloatArray(), 0f);
            assertArrayEquals(new int[] {2, 3, 11, 13}, expected.shape().dims());
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (ConvTranspose2d layer = ConvTranspose2d.builder(2, 3, 3).stride(2).padding(1).outputPadding(1).build();
             Scope s = Scope.open()) {
            layer.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 3, 4).requiresGrad(true);
            GradCheck.check("ConvTranspose2d", in -> layer.forward(in[0]), x, layer.weight(), layer.bias());
        }
    }

    @Test
    void wrongChannelsNameTheLayerAndTheShape() {
        try (ConvTranspose2d layer = new ConvTranspose2d(4, 1, 3); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(Tensor.zeros(2, 3, 7, 7)));
            assertTrue(e.getMessage().startsWith("ConvTranspose2d(4, 1"), e.getMessage());
            assertTrue(e.getMessage().contains("[2, 3, 7, 7]") && e.getMessage().contains("[batch, 4, height, width]"),
                    e.getMessage());
        }
    }

    @Test
    void badArgumentsNameTheLayer() {
        for (Runnable r : List.<Runnable>of(() -> new ConvTranspose2d(0, 4, 3), () -> new ConvTranspose2d(1, 4, 0),
                () -> ConvTranspose2d.builder(1, 4, 3).stride(0).build(),
                () -> ConvTranspose2d.builder(1, 4, 3).padding(-1).build(),
                () -> ConvTranspose2d.builder(1, 4, 3).stride(2).outputPadding(2).build(),
                () -> ConvTranspose2d.builder(1, 4, 3).outputPadding(-1).build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().startsWith("ConvTranspose2d"), e.getMessage());
        }
    }

    @Test
    void describesItsSettings() {
        try (ConvTranspose2d layer = ConvTranspose2d.builder(4, 1, 3).stride(2).padding(1).outputPadding(1).build()) {
            assertEquals("ConvTranspose2d(4, 1, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))",
                    layer.toString());
        }
    }
}
