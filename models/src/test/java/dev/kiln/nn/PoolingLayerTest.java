package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolingLayerTest {
    @Test
    void maxPoolHalvesWithItsDefaultStrideAndTakesTheMaximum() {
        try (MaxPool2d pool = new MaxPool2d(2); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {2, 20, 12, 12}, pool.forward(Tensor.zeros(2, 20, 24, 24)).shape().dims());
            assertArrayEquals(new int[] {2, 3, 3, 3}, pool.forward(Tensor.zeros(2, 3, 7, 7)).shape().dims());
            Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 4, -1, 7, 0, 0, 9, 8, 6, 0, 8, 8}, 1, 1, 4, 4);
            assertValues(new double[] {5, 7, 6, 9}, pool.forward(x), 0);
            assertEquals(0, pool.parameters().size());
        }
    }

    @Test
    void maxPoolWithStrideAndPaddingFollowsTheFormula() {
        try (MaxPool2d pool = new MaxPool2d(3, 2, 1); Scope s = Scope.open()) {
            // (15 + 2 - 3) / 2 + 1 = 8
            assertArrayEquals(new int[] {1, 4, 8, 8}, pool.forward(Tensor.zeros(1, 4, 15, 15)).shape().dims());
        }
        try (MaxPool2d pool = new MaxPool2d(3, 1); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {1, 4, 13, 13}, pool.forward(Tensor.zeros(1, 4, 15, 15)).shape().dims());
        }
    }

    @Test
    void avgPoolAveragesEachWindow() {
        try (AvgPool2d pool = new AvgPool2d(2); Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 4, -1, 7, 0, 0, 9, 8, 6, 0, 8, 8}, 1, 1, 4, 4);
            assertValues(new double[] {3.25, 2, 1.5, 8.25}, pool.forward(x), 1e-6);
            assertArrayEquals(new int[] {3, 6, 5, 5}, pool.forward(Tensor.zeros(3, 6, 10, 11)).shape().dims());
        }
        try (AvgPool2d pool = new AvgPool2d(3, 2, 1); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {1, 2, 4, 4}, pool.forward(Tensor.zeros(1, 2, 8, 8)).shape().dims());
        }
    }

    @Test
    void maxPoolInCeilModeKeepsTheWindowsHangingOverTheEdge() {
        try (MaxPool2d pool = new MaxPool2d(2, 2, 0, true); Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 4, -1, 7, 0, 0, 9, 8, 6, 0, 8}, 1, 1, 3, 5);
            assertValues(new double[] {5, 7, 3, 9, 6, 8}, pool.forward(x), 0);
            assertEquals("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=True)", pool.toString());
        }
    }

    @Test
    void avgPoolWithoutCountingThePaddingAveragesTheInputElementsOfEachWindow() {
        try (AvgPool2d pool = new AvgPool2d(3, 1, 1, false, false); Scope s = Scope.open()) {
            assertValues(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, pool.forward(Tensor.ones(1, 1, 3, 3)), 1e-6);
            assertEquals("AvgPool2d(kernel_size=3, stride=1, padding=1)", pool.toString());
        }
        try (AvgPool2d pool = new AvgPool2d(2, 2, 0, true, true); Scope s = Scope.open()) {
            assertValues(new double[] {1, 1, 1, 1}, pool.forward(Tensor.ones(1, 1, 3, 3)), 1e-6);
            assertEquals("AvgPool2d(kernel_size=2, stride=2, padding=0)", pool.toString());
        }
    }

    @Test
    void poolingLayersWithPyTorchsDefaultsNameNoOptions() {
        assertEquals("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)", new MaxPool2d(3, 2, 1).toString());
        assertEquals("AvgPool2d(kernel_size=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).toString());
    }

    @Test
    void globalAvgPoolGivesOneValuePerChannel() {
        try (GlobalAvgPool2d pool = new GlobalAvgPool2d(); Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, 1, 2, 2, 2);
            Tensor y = pool.forward(x);
            assertArrayEquals(new int[] {1, 2, 1, 1}, y.shape().dims());
            assertValues(new double[] {2.5, 25}, y, 1e-6);
            assertArrayEquals(new int[] {4, 7, 1, 1}, pool.forward(Tensor.zeros(4, 7, 5, 9)).shape().dims());
        }
    }

    @Test
    void errorsNameTheLayerAndTheInputShape() {
        try (Scope s = Scope.open()) {
            Tensor small = Tensor.zeros(1, 1, 2, 2);
            IllegalArgumentException max = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3).forward(small));
            assertTrue(max.getMessage().startsWith("MaxPool2d(kernel_size=3") && max.getMessage().contains("[1, 1, 2, 2]"), max.getMessage());
            IllegalArgumentException avg = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(3).forward(small));
            assertTrue(avg.getMessage().startsWith("AvgPool2d(kernel_size=3") && avg.getMessage().contains("[1, 1, 2, 2]"), avg.getMessage());
            Tensor flat = Tensor.zeros(3, 4);
            IllegalArgumentException global = assertThrows(IllegalArgumentException.class, () -> new GlobalAvgPool2d().forward(flat));
            assertTrue(global.getMessage().startsWith("GlobalAvgPool2d") && global.getMessage().contains("[3, 4]"), global.getMessage());
        }
        IllegalArgumentException args = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(0));
        assertTrue(args.getMessage().startsWith("MaxPool2d"), args.getMessage());
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, 2, 2));
        assertTrue(pad.getMessage().startsWith("AvgPool2d"), pad.getMessage());
    }

    @Test
    void maxPool1dHalvesWithItsDefaultStrideAndTakesTheMaximum() {
        try (MaxPool1d pool = new MaxPool1d(2); Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 4, -1, 7, 9}, 1, 1, 9);
            Tensor y = pool.forward(x);
            assertArrayEquals(new int[] {1, 1, 4}, y.shape().dims());
            assertValues(new double[] {5, 2, 4, 7}, y, 0);
            assertEquals("MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", pool.toString());
            assertEquals(0, pool.parameters().size());
        }
    }

    @Test
    void pool1dOutputLengthFollowsTheFormulaAndCeilMode() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3, 15);
            // (15 + 2 - 3) / 2 + 1 = 8
            assertArrayEquals(new int[] {2, 3, 8}, new MaxPool1d(3, 2, 1).forward(x).shape().dims());
            assertArrayEquals(new int[] {2, 3, 8}, new AvgPool1d(3, 2, 1).forward(x).shape().dims());
            // (15 - 2) / 2 + 1 = 7, rounded up in ceil mode to 8
            assertArrayEquals(new int[] {2, 3, 7}, new MaxPool1d(2).forward(x).shape().dims());
            assertArrayEquals(new int[] {2, 3, 8}, new MaxPool1d(2, 2, 0, true).forward(x).shape().dims());
            assertArrayEquals(new int[] {2, 3, 8}, new AvgPool1d(2, 2, 0, true, true).forward(x).shape().dims());
        }
    }

    @Test
    void avgPool1dWithoutCountingThePaddingAveragesTheInputElements() {
        try (AvgPool1d counted = new AvgPool1d(3, 1, 1); AvgPool1d uncounted = new AvgPool1d(3, 1, 1, false, false);
             Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {3, 6, 9}, 1, 1, 3);
            assertValues(new double[] {3, 6, 5}, counted.forward(x), 1e-6);
            assertValues(new double[] {4.5, 6, 7.5}, uncounted.forward(x), 1e-6);
            assertEquals("AvgPool1d(kernel_size=(3,), stride=(1,), padding=(1,))", uncounted.toString());
        }
    }

    @Test
    void pool1dGradientsMatchFiniteDifferencesInF64() {
        try (Scope s = Scope.open()) {
            // Distinct values keep every window's maximum away from a tie.
            double[] values = {0.3, -1.2, 2.5, 0.7, -0.4, 1.9, -2.2, 0.1, 1.1, -0.8, 0.6};
            Tensor x = Tensor.fromArray(values, 1, 1, values.length).requiresGrad(true);
            for (Module pool : List.of(new MaxPool1d(3, 2, 1), new AvgPool1d(3, 2, 1, true, false), new AvgPool1d(4, 3))) {
                GradCheck.check(pool.toString(), in -> pool.forward(in[0]), x);
            }
        }
    }

    @Test
    void pool1dErrorsNameTheLayerAndTheInputShape() {
        try (Scope s = Scope.open()) {
            Tensor image = Tensor.zeros(1, 1, 4, 4);
            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(2).forward(image));
            assertEquals("MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False): input [1, 1, 4, 4]: expected a 3-D input"
                    + " [batch, channels, length]", rank.getMessage());
            Tensor shortRow = Tensor.zeros(1, 1, 2);
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(5, 1, 1).forward(shortRow));
            assertEquals("AvgPool1d(kernel_size=(5,), stride=(1,), padding=(1,)): input [1, 1, 2]: the kernel 5 is longer than the"
                    + " length 2 padded by 1 on each end", small.getMessage());
        }
        IllegalArgumentException args = assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(0));
        assertTrue(args.getMessage().startsWith("MaxPool1d"), args.getMessage());
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(2, 2, 2));
        assertEquals("AvgPool1d: padding 2 must be at most half the kernel 2", pad.getMessage());
    }
}
