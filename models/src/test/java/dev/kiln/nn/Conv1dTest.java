package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Conv1dTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    private static int[] dims(Tensor t) {
        return t.shape().dims();
    }

    @Test
    void weightIsOutInKernelAndBiasIsOut() {
        try (Conv1d conv = new Conv1d(3, 8, 5)) {
            assertArrayEquals(new int[] {8, 3, 5}, dims(conv.weight()));
            assertArrayEquals(new int[] {8}, dims(conv.bias()));
            assertEquals(DType.F32, conv.weight().dtype());
            assertTrue(conv.weight().requiresGrad());
            assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
            assertEquals("Conv1d(3, 8, kernel_size=(5,), stride=(1,))", conv.toString());
        }
    }

    @Test
    void strideAndPaddingAndDilationFollowTheOutputFormula() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3, 17);
            try (Conv1d c = new Conv1d(3, 4, 5)) {
                assertArrayEquals(new int[] {2, 4, 13}, dims(c.forward(x)));
            }
            try (Conv1d c = Conv1d.builder(3, 4, 3).stride(2).padding(1).build()) {
                // (17 + 2 - 3) / 2 + 1 = 9
                assertArrayEquals(new int[] {2, 4, 9}, dims(c.forward(x)));
            }
            try (Conv1d c = Conv1d.builder(3, 4, 3).dilation(3).build()) {
                // (17 - 3*2 - 1) / 1 + 1 = 11
                assertArrayEquals(new int[] {2, 4, 11}, dims(c.forward(x)));
            }
            try (Conv1d c = new Conv1d(3, 4, 3, 2, 0, 1, false)) {
                assertNull(c.bias());
                assertArrayEquals(new int[] {2, 4, 8}, dims(c.forward(x)));
            }
        }
    }

    @Test
    void samePaddingKeepsTheLength() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 11);
            for (int k : new int[] {1, 3, 5, 7}) {
                try (Conv1d c = Conv1d.builder(3, 6, k).padding("same").build()) {
                    assertArrayEquals(new int[] {2, 6, 11}, dims(c.forward(x)), "kernel " + k);
                    assertEquals(k / 2, c.padding());
                }
            }
            try (Conv1d c = Conv1d.builder(3, 6, 3).dilation(2).padding("same").build()) {
                assertArrayEquals(new int[] {2, 6, 11}, dims(c.forward(x)), "dilated");
            }
            try (Conv1d c = Conv1d.builder(3, 6, 3).padding(2).padding("valid").build()) {
                assertEquals(0, c.padding());
            }
        }
    }

    @Test
    void forwardIsTheCrossCorrelationPlusBias() {
        try (Conv1d conv = new Conv1d(1, 1, 2); Scope s = Scope.open()) {
            set(conv.weight(), 1, 10);
            set(conv.bias(), 0.5);
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 1, 1, 4);
            // 1 + 20, 2 + 30, 3 + 40, each plus the bias
            assertValues(new double[] {21.5, 32.5, 43.5}, conv.forward(x), 1e-5);
        }
    }

    @Test
    void defaultInitIsUniformWithinOneOverSqrtOfInChannelsTimesKernel() {
        int in = 40;
        int k = 5;
        try (Conv1d conv = new Conv1d(in, 64, k)) {
            double bound = 1 / Math.sqrt(in * k);
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
    void gradientsMatchFiniteDifferencesInF64() {
        try (Conv1d conv = Conv1d.builder(2, 3, 3).stride(2).padding(1).dilation(2).build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 9).requiresGrad(true);
            GradCheck.check("Conv1d", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    @Test
    void gradientsWithoutBias() {
        try (Conv1d conv = Conv1d.builder(1, 2, 2).bias(false).build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 1, 1, 5).requiresGrad(true);
            GradCheck.check("Conv1d without bias", in -> conv.forward(in[0]), x, conv.weight());
        }
    }

    @Test
    void wrongRankOrChannelsNameTheLayerAndTheExpectedShape() {
        try (Conv1d conv = new Conv1d(3, 8, 5); Scope s = Scope.open()) {
            for (Tensor x : List.of(Tensor.zeros(2, 1, 28), Tensor.zeros(2, 3, 1, 28), Tensor.zeros(3, 28))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(x));
                assertTrue(e.getMessage().startsWith("Conv1d(3, 8, kernel_size=(5,)"), e.getMessage());
                assertTrue(e.getMessage().contains("input " + x.shape() + " must be [batch, 3, length]"), e.getMessage());
            }
        }
    }

    @Test
    void inputShorterThanTheKernelNamesTheLayerTheLengthAndTheSpan() {
        try (Conv1d conv = Conv1d.builder(1, 4, 3).dilation(2).padding(1).build(); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 1, 2)));
            assertEquals("Conv1d(1, 4, kernel_size=(3,), stride=(1,), padding=(1,), dilation=(2,)): input [1, 1, 2]: the length 2"
                    + " padded by 1 on each end is shorter than the kernel's span 5", e.getMessage());
        }
    }

    @Test
    void badArgumentsNameTheLayerAndTheValue() {
        for (Runnable r : List.<Runnable>of(() -> new Conv1d(0, 4, 3), () -> new Conv1d(1, 4, 0),
                () -> new Conv1d(1, 4, 3, 0, 0, 1, true), () -> new Conv1d(1, 4, 3, 1, -1, 1, true),
                () -> new Conv1d(1, 4, 3, 1, 0, 0, true), () -> Conv1d.builder(1, 4, 3).padding("full"),
                () -> Conv1d.builder(1, 4, 3).stride(2).padding("same").build(),
                () -> Conv1d.builder(1, 4, 4).padding("same").build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().startsWith("Conv1d"), e.getMessage());
        }
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class, () -> new Conv1d(1, 4, 3, 0, 0, 1, true));
        assertEquals("Conv1d(1, 4, kernel=3): stride must be at least 1, got 0", stride.getMessage());
    }

    // ---- groups ----------------------------------------------------------------------------------------

    @Test
    void groupedWeightIsOutByInPerGroupAndItsInitUsesThatFanIn() {
        try (Conv1d conv = Conv1d.builder(32, 64, 5).groups(32).build()) {
            assertEquals(32, conv.groups());
            assertArrayEquals(new int[] {64, 1, 5}, conv.stateDict().get("weight").shape().dims());
            double bound = 1 / Math.sqrt(1 * 5);
            double max = 0;
            for (double v : conv.weight().toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound, "value " + v + " outside +-" + bound);
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.9 * bound, "the draws fill the range: max " + max + " of " + bound);
        }
    }

    @Test
    void toStringShowsGroupsOnlyWhenNotOne() {
        try (Conv1d conv = Conv1d.builder(4, 8, 3).groups(2).build()) {
            assertEquals("Conv1d(4, 8, kernel_size=(3,), stride=(1,), groups=2)", conv.toString());
        }
    }

    @Test
    void groupedGradientsMatchFiniteDifferencesInF64() {
        try (Conv1d conv = Conv1d.builder(4, 4, 3).padding(1).dilation(2).groups(4).build(); Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 4, 9).requiresGrad(true);
            GradCheck.check("Conv1d depthwise", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    @Test
    void channelsNotDivisibleByTheGroupsNameTheLayerTheChannelsAndTheGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Conv1d.builder(4, 6, 3).groups(4).build());
        assertEquals("Conv1d(4, 6, kernel=3): out_channels 6 must be divisible by groups 4", e.getMessage());
    }

    @Test
    void aPaddingModeConvolvesTheInputPaddedInThatMode() {
        try (Conv1d conv = Conv1d.builder(2, 3, 3).padding(2).paddingMode(PaddingMode.CIRCULAR).build();
             Conv1d plain = new Conv1d(2, 3, 3); Scope s = Scope.open()) {
            plain.loadStateDict(conv.stateDict(), true);
            Tensor x = Tensor.randn(2, 2, 5);
            Tensor expected = plain.forward(F.pad(x, new int[] {2, 2}, PaddingMode.CIRCULAR));
            assertArrayEquals(expected.toDoubleArray(), conv.forward(x).toDoubleArray(), 0);
        }
    }

    @Test
    void gradientsThroughAReflectPaddedLayerMatchFiniteDifferencesInF64() {
        try (Conv1d conv = Conv1d.builder(2, 2, 3).padding(2).stride(2).paddingMode(PaddingMode.REFLECT).build();
             Scope s = Scope.open()) {
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 5).requiresGrad(true);
            GradCheck.check("Conv1d reflect", in -> conv.forward(in[0]), x, conv.weight(), conv.bias());
        }
    }

    @Test
    void aCircularPaddingLongerThanTheInputNamesTheLayerAndTheShapes() {
        try (Conv1d conv = Conv1d.builder(1, 1, 3).padding(4).paddingMode(PaddingMode.CIRCULAR).build();
             Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> conv.forward(Tensor.zeros(1, 1, 3)));
            assertEquals("Conv1d(1, 1, kernel_size=(3,), stride=(1,), padding=(4,), padding_mode=circular):"
                    + " input [1, 1, 3], weight [1, 1, 3]: pad: circular padding (4, 4) of axis 2 of [1, 1, 3] wraps"
                    + " around more than once: at most 3 elements (what cropping leaves of the axis) on each side",
                    e.getMessage());
        }
    }

    @Test
    void copiesAndConvertsLikeEveryModule() {
        try (Conv1d conv = new Conv1d(2, 3, 3); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(1, 2, 6);
            double[] before = conv.forward(x).toDoubleArray();
            try (Module copy = conv.copy()) {
                assertArrayEquals(before, copy.forward(x).toDoubleArray(), 0);
            }
            conv.to(DType.F64);
            assertArrayEquals(before, conv.forward(x.to(DType.F64)).toDoubleArray(), 1e-5);
        }
    }
}
