package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Conv2dTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    private static int[] dims(Tensor t) {
        return t.shape().dims();
    }

    @Test
    void weightIsOutInKhKwAndBiasIsOut() {
        try (Conv2d conv = new Conv2d(3, 8, 5)) {
            assertArrayEquals(new int[] {8, 3, 5, 5}, dims(conv.weight()));
            assertArrayEquals(new int[] {8}, dims(conv.bias()));
            assertEquals(DType.F32, conv.weight().dtype());
            assertTrue(conv.weight().requiresGrad());
            assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        }
    }

    @Test
    void validConvolutionShrinksByKernelMinusOne() {
        try (Conv2d conv = new Conv2d(1, 20, 5); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {2, 20, 24, 24}, dims(conv.forward(Tensor.zeros(2, 1, 28, 28))));
        }
    }

    @Test
    void strideAndPaddingAndDilationFollowTheOutputFormula() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3, 17, 17);
            try (Conv2d c = Conv2d.builder(3, 4, 3).stride(2).padding(1).build()) {
                // (17 + 2 - 3) / 2 + 1 = 9
                assertArrayEquals(new int[] {2, 4, 9, 9}, dims(c.forward(x)));
            }
            try (Conv2d c = Conv2d.builder(3, 4, 3).dilation(2).build()) {
                // (17 - 2*2 - 1) / 1 + 1 = 13
                assertArrayEquals(new int[] {2, 4, 13, 13}, dims(c.forward(x)));
            }
            try (Conv2d c = new Conv2d(3, 4, 3, 2, 0, 1, false)) {
                assertNull(c.bias());
                assertArrayEquals(new int[] {2, 4, 8, 8}, dims(c.forward(x)));
            }
            try (Conv2d c = Conv2d.builder(3, 4, 1, 3).build()) {
                assertArrayEquals(new int[] {2, 4, 17, 15}, dims(c.forward(x)));
            }
        }
    }

    @Test
    void samePaddingKeepsHeightAndWidth() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 11, 14);
            for (int k : new int[] {1, 3, 5, 7}) {
                try (Conv2d c = Conv2d.builder(3, 6, k).padding("same").build()) {
                    assertArrayEquals(new int[] {2, 6, 11, 14}, dims(c.forward(x)), "kernel " + k);
                    assertArrayEquals(new int[] {k / 2, k / 2}, c.padding());
                }
            }
            try (Conv2d c = Conv2d.builder(3, 6, 3).dilation(2).padding("same").build()) {
                assertArrayEquals(new int[] {2, 6, 11, 14}, dims(c.forward(x)), "dilated");
            }
        }
    }

    @Test
    void samePaddingRejectsEvenKernelsAndStrides() {
        IllegalArgumentException even = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(3, 6, 4).padding("same").build());
        assertTrue(even.getMessage().startsWith("Conv2d(3, 6"), even.getMessage());
        IllegalArgumentException strided = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(3, 6, 3).stride(2).padding("same").build());
        assertTrue(strided.getMessage().contains("Conv2d") && strided.getMessage().contains("stride"), strided.getMessage());
    }

    @Test
    void forwardIsTheCrossCorrelationPlusBias() {
        try (Conv2d conv = new Conv2d(1, 1, 2); Scope s = Scope.open()) {
            set(conv.weight(), 1, 2, 3, 4);
            set(conv.bias(), 0.5);
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
            // top-left window 1,2,4,5: 1+4+12+20 = 37; then 2,3,5,6: 2+6+15+24 = 47; 4,5,7,8: 67; 5,6,8,9: 77
            assertValues(new double[] {37.5, 47.5, 67.5, 77.5}, conv.forward(x), 1e-5);
        }
    }

    @Test
    void defaultInitIsUniformWithinOneOverSqrtFanIn() {
        int in = 20;
        int k = 5;
        try (Conv2d conv = new Conv2d(in, 50, k)) {
            double bound = 1 / Math.sqrt(in * k * k);
            for (Tensor p : conv.parameters()) {
                double[] v = p.toDoubleArray();
                double sum = 0;
                double sq = 0;
                double max = 0;
                for (double x : v) {
                    assertTrue(Math.abs(x) <= bound, "value " + x + " outside +-" + bound);
                    sum += x;
                    sq += x * x;
                    max = Math.max(max, Math.abs(x));
                }
                double mean = sum / v.length;
                double std = Math.sqrt(sq / v.length - mean * mean);
                double expectedStd = bound / Math.sqrt(3);
                assertEquals(0, mean, 5 * expectedStd / Math.sqrt(v.length), p.shape().toString());
                double stdTolerance = v.length > 1000 ? 0.05 : 0.3;
                assertEquals(expectedStd, std, stdTolerance * expectedStd, p.shape().toString());
                if (v.length > 1000) {
                    assertTrue(max > 0.99 * bound, "the draws fill the range: max " + max + " of " + bound);
                }
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (Conv2d conv = Conv2d.builder(2, 3, 3).stride(2).padding(1).build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            assertEquals(DType.F64, conv.weight().dtype());
            Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 6).requiresGrad(true);
            GradCheck.check("Conv2d", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    @Test
    void gradientsThroughADilatedLayerWithoutBias() {
        try (Conv2d conv = Conv2d.builder(1, 2, 2).dilation(2).bias(false).build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 1, 1, 5, 5).requiresGrad(true);
            GradCheck.check("Conv2d dilated", in -> conv.forward(in[0]), x, conv.weight());
        }
    }

    @Test
    void wrongChannelsNameTheLayerAndTheShapes() {
        try (Conv2d conv = new Conv2d(3, 8, 5); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 1, 28, 28)));
            assertTrue(e.getMessage().startsWith("Conv2d(3, 8"), e.getMessage());
            assertTrue(e.getMessage().contains("[2, 1, 28, 28]"), e.getMessage());
        }
    }

    @Test
    void inputSmallerThanTheKernelNamesTheLayerAndTheShapes() {
        try (Conv2d conv = new Conv2d(1, 4, 5); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 1, 3, 3)));
            assertTrue(e.getMessage().startsWith("Conv2d(1, 4"), e.getMessage());
            assertTrue(e.getMessage().contains("[1, 1, 3, 3]") && e.getMessage().contains("[4, 1, 5, 5]"), e.getMessage());
        }
    }

    @Test
    void badArgumentsNameTheLayer() {
        for (Runnable r : List.<Runnable>of(() -> new Conv2d(0, 4, 3), () -> new Conv2d(1, 4, 0),
                () -> new Conv2d(1, 4, 3, 0, 0, 1, true), () -> new Conv2d(1, 4, 3, 1, -1, 1, true),
                () -> Conv2d.builder(1, 4, 3).padding("full"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().startsWith("Conv2d"), e.getMessage());
        }
    }

    // ---- groups ----------------------------------------------------------------------------------------

    @Test
    void groupedWeightIsOutByInPerGroupAndTheStateDictHasPyTorchsShapes() {
        try (Conv2d grouped = Conv2d.builder(8, 12, 3).groups(4).build();
             Conv2d depthwise = Conv2d.builder(6, 12, 3, 5).groups(6).bias(false).build()) {
            assertEquals(4, grouped.groups());
            assertArrayEquals(new int[] {12, 2, 3, 3}, dims(grouped.stateDict().get("weight")));
            assertArrayEquals(new int[] {12}, dims(grouped.stateDict().get("bias")));
            assertArrayEquals(new int[] {12, 1, 3, 5}, dims(depthwise.stateDict().get("weight")));
            assertEquals(List.of("weight"), List.copyOf(depthwise.stateDict().keySet()));
        }
    }

    @Test
    void groupedInitIsUniformWithinOneOverSqrtOfInChannelsPerGroupTimesKernel() {
        try (Conv2d conv = Conv2d.builder(64, 64, 3).groups(64).build()) {
            double bound = 1 / Math.sqrt(1 * 3 * 3);
            for (Tensor p : conv.parameters()) {
                double max = 0;
                for (double v : p.toDoubleArray()) {
                    assertTrue(Math.abs(v) <= bound, "value " + v + " outside +-" + bound);
                    max = Math.max(max, Math.abs(v));
                }
                assertTrue(max > 0.9 * bound, p.shape() + ": the draws fill the range: max " + max + " of " + bound);
            }
        }
    }

    @Test
    void toStringShowsGroupsOnlyWhenNotOne() {
        try (Conv2d plain = new Conv2d(4, 8, 3); Conv2d grouped = Conv2d.builder(4, 8, 3).padding(1).groups(4).build()) {
            assertEquals("Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1))", plain.toString());
            assertEquals("Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=4)",
                    grouped.toString());
        }
    }

    @Test
    void depthwiseForwardConvolvesEachChannelWithItsOwnFilters() {
        try (Conv2d conv = Conv2d.builder(2, 4, 1).groups(2).build(); Scope s = Scope.open()) {
            set(conv.weight(), 1, 2, 3, 4);
            set(conv.bias(), 0.5, 0.5, 0.5, 0.5);
            Tensor x = Tensor.fromArray(new float[] {1, 2, 10, 20}, 1, 2, 1, 2);
            // channel 0 (1, 2) times 1 and 2; channel 1 (10, 20) times 3 and 4; each plus 0.5
            assertValues(new double[] {1.5, 2.5, 2.5, 4.5, 30.5, 60.5, 40.5, 80.5}, conv.forward(x), 1e-5);
        }
    }

    @Test
    void groupedGradientsMatchFiniteDifferencesInF64() {
        try (Conv2d conv = Conv2d.builder(4, 6, 3).stride(2).padding(1).groups(2).build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 4, 5, 6).requiresGrad(true);
            GradCheck.check("Conv2d groups 2", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    /** Sequential fuses a plain Conv2d with a following ReLU; a grouped one runs unfused, with the same result. */
    @Test
    void groupedLayerFollowedByReluInASequentialIsTheLayerThenTheRelu() {
        try (Sequential net = new Sequential(Conv2d.builder(4, 8, 3).padding(1).groups(4).build(), new ReLU());
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 4, 6, 6);
            Tensor expected = net.module("0").forward(x).relu();
            assertArrayEquals(expected.toDoubleArray(), net.forward(x).toDoubleArray(), 0);
        }
    }

    @Test
    void channelsNotDivisibleByTheGroupsNameTheLayerTheChannelsAndTheGroups() {
        IllegalArgumentException in = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(3, 4, 3).groups(2).build());
        assertEquals("Conv2d(3, 4, kernel=[3, 3]): in_channels 3 must be divisible by groups 2", in.getMessage());
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(4, 6, 3).groups(4).build());
        assertEquals("Conv2d(4, 6, kernel=[3, 3]): out_channels 6 must be divisible by groups 4", out.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(4, 4, 3).groups(0).build());
        assertEquals("Conv2d(4, 4, kernel=[3, 3]): groups must be at least 1, got 0", zero.getMessage());
    }

    // ---- padding modes -----------------------------------------------------------------------------------

    @Test
    void aPaddingModeConvolvesTheInputPaddedInThatModeWithoutFurtherPadding() {
        try (Conv2d reflect = Conv2d.builder(2, 3, 3).padding(2, 1).paddingMode(PaddingMode.REFLECT).build();
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 2, 5, 4);
            Tensor expected = F.conv2d(F.pad(x, new int[] {1, 1, 2, 2}, PaddingMode.REFLECT), reflect.weight(),
                    reflect.bias(), 1, 0);
            assertArrayEquals(expected.toDoubleArray(), reflect.forward(x).toDoubleArray(), 0);
        }
    }

    @Test
    void gradientsThroughAReplicatePaddedLayerMatchFiniteDifferencesInF64() {
        try (Conv2d conv = Conv2d.builder(2, 2, 3).stride(2).padding(2, 1).paddingMode(PaddingMode.REPLICATE).build();
             Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 1, 2, 4, 5).requiresGrad(true);
            GradCheck.check("Conv2d replicate", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    @Test
    void evaluationWithoutGradientsGivesTheSameOutputAsTraining() {
        try (Conv2d conv = Conv2d.builder(2, 3, 3).padding(1).paddingMode(PaddingMode.CIRCULAR).build();
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 2, 4, 4);
            double[] training = conv.forward(x).toDoubleArray();
            try (Autograd.Guard g = Autograd.noGrad()) {
                assertArrayEquals(training, conv.forward(x).toDoubleArray(), 0);
            }
        }
    }

    @Test
    void aPaddingModeAddsNoParametersAndSurvivesACheckpoint(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("conv.safetensors");
        try (Conv2d saved = Conv2d.builder(2, 3, 3).padding(1).paddingMode(PaddingMode.REPLICATE).build();
             Conv2d restored = Conv2d.builder(2, 3, 3).padding(1).paddingMode(PaddingMode.REPLICATE).build();
             Scope s = Scope.open()) {
            assertEquals(List.of("weight", "bias"), List.copyOf(saved.stateDict().keySet()));
            SafeTensors.write(file, saved.stateDict());
            try (SafeTensors.Loaded loaded = SafeTensors.read(file)) {
                restored.loadStateDict(loaded.tensors(), true);
            }
            Tensor x = Tensor.randn(1, 2, 4, 4);
            assertArrayEquals(saved.forward(x).toDoubleArray(), restored.forward(x).toDoubleArray(), 0);
        }
    }

    @Test
    void aSequentialFusesAPaddingModeLayerWithItsReluToTheSameResult() {
        try (Sequential net = new Sequential(
                Conv2d.builder(2, 4, 3).padding(1).paddingMode(PaddingMode.REFLECT).build(), new ReLU());
             Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 2, 5, 5);
            Tensor expected = net.module("0").forward(x).relu();
            assertArrayEquals(expected.toDoubleArray(), net.forward(x).toDoubleArray(), 0);
        }
    }

    @Test
    void aReflectionAsLargeAsTheInputNamesTheLayerAndTheShapes() {
        try (Conv2d conv = Conv2d.builder(1, 1, 5).padding(3).paddingMode(PaddingMode.REFLECT).build();
             Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> conv.forward(Tensor.zeros(1, 1, 3, 8)));
            assertEquals("Conv2d(1, 1, kernel_size=(5, 5), stride=(1, 1), padding=(3, 3), padding_mode=reflect):"
                    + " input [1, 1, 3, 8], weight [1, 1, 5, 5]: pad: reflect padding (3, 3) of axis 2 of [1, 1, 3, 8]"
                    + " must be less than the axis's size 3 on each side", e.getMessage());
        }
    }

    @Test
    void toStringShowsThePaddingModeOnlyWhenNotZeros() {
        try (Conv2d circular = Conv2d.builder(4, 8, 3).padding(1).paddingMode(PaddingMode.CIRCULAR).build()) {
            assertEquals("Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=circular)",
                    circular.toString());
            assertEquals(PaddingMode.CIRCULAR, circular.paddingMode());
        }
    }

    @Test
    void aNullPaddingModeIsRefusedNamingTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(1, 2, 3).paddingMode(null).build());
        assertEquals("Conv2d(1, 2, kernel=[3, 3]): padding mode must be one of [ZEROS, REFLECT, REPLICATE, CIRCULAR],"
                + " got null", e.getMessage());
    }

    @Test
    void lenetLayerStackMapsMnistToTenScores() {
        try (Sequential net = dev.kiln.zoo.Zoo.lenet(10); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {3, 10}, dims(net.forward(Tensor.randn(3, 1, 28, 28))));
            // 1*20*25+20 + 20*50*25+50 + 800*500+500 + 500*10+10
            assertEquals(520 + 25_050 + 400_500 + 5_010, net.parameterCount());
        }
    }
}
