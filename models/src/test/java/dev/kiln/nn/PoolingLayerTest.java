package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
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
            assertEquals("MaxPool2d(kernel=2, stride=2, padding=0, ceil_mode=True)", pool.toString());
        }
    }

    @Test
    void avgPoolWithoutCountingThePaddingAveragesTheInputElementsOfEachWindow() {
        try (AvgPool2d pool = new AvgPool2d(3, 1, 1, false, false); Scope s = Scope.open()) {
            assertValues(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, pool.forward(Tensor.ones(1, 1, 3, 3)), 1e-6);
            assertEquals("AvgPool2d(kernel=3, stride=1, padding=1, count_include_pad=False)", pool.toString());
        }
        try (AvgPool2d pool = new AvgPool2d(2, 2, 0, true, true); Scope s = Scope.open()) {
            assertValues(new double[] {1, 1, 1, 1}, pool.forward(Tensor.ones(1, 1, 3, 3)), 1e-6);
            assertEquals("AvgPool2d(kernel=2, stride=2, padding=0, ceil_mode=True)", pool.toString());
        }
    }

    @Test
    void poolingLayersWithPyTorchsDefaultsNameNoOptions() {
        assertEquals("MaxPool2d(kernel=3, stride=2, padding=1)", new MaxPool2d(3, 2, 1).toString());
        assertEquals("AvgPool2d(kernel=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).toString());
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
            assertTrue(max.getMessage().startsWith("MaxPool2d(kernel=3") && max.getMessage().contains("[1, 1, 2, 2]"), max.getMessage());
            IllegalArgumentException avg = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(3).forward(small));
            assertTrue(avg.getMessage().startsWith("AvgPool2d(kernel=3") && avg.getMessage().contains("[1, 1, 2, 2]"), avg.getMessage());
            Tensor flat = Tensor.zeros(3, 4);
            IllegalArgumentException global = assertThrows(IllegalArgumentException.class, () -> new GlobalAvgPool2d().forward(flat));
            assertTrue(global.getMessage().startsWith("GlobalAvgPool2d") && global.getMessage().contains("[3, 4]"), global.getMessage());
        }
        IllegalArgumentException args = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(0));
        assertTrue(args.getMessage().startsWith("MaxPool2d"), args.getMessage());
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, 2, 2));
        assertTrue(pad.getMessage().startsWith("AvgPool2d"), pad.getMessage());
    }
}
