package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BilinearTest {
    @Test
    void parametersHavePyTorchsNamesShapesAndUniformBoundsOfOneOverRootIn1() {
        try (Bilinear layer = new Bilinear(16, 5, 30)) {
            Map<String, Tensor> state = layer.stateDict();
            assertEquals(List.of("weight", "bias"), List.copyOf(state.keySet()));
            assertArrayEquals(new int[] {30, 16, 5}, state.get("weight").shape().dims());
            assertArrayEquals(new int[] {30}, state.get("bias").shape().dims());
            double bound = 1 / Math.sqrt(16);
            for (String name : state.keySet()) {
                double largest = 0;
                for (double v : state.get(name).toDoubleArray()) {
                    assertTrue(Math.abs(v) <= bound, name + " value " + v + " beyond +-" + bound);
                    largest = Math.max(largest, Math.abs(v));
                }
                // 2400 and 30 uniform draws: the largest |value| is near the bound, not near 1/sqrt(in2) or below.
                assertTrue(largest > 0.8 * bound, name + ": largest |value| " + largest + " of bound " + bound);
            }
        }
    }

    @Test
    void withoutBiasThereIsOnlyAWeight() {
        try (Bilinear layer = new Bilinear(2, 3, 4, false)) {
            assertNull(layer.bias());
            assertEquals(List.of("weight"), List.copyOf(layer.stateDict().keySet()));
            assertEquals("Bilinear(in1_features=2, in2_features=3, out_features=4, bias=False)", layer.toString());
        }
    }

    @Test
    void gradientsOfInputsWeightAndBiasMatchFiniteDifferences() {
        try (Bilinear layer = new Bilinear(3, 4, 2); Scope s = Scope.open()) {
            layer.to(DType.F64);
            GradCheck.check(layer.toString(), in -> layer.forward(in[0], in[1]),
                    Tensor.randn(DType.F64, 2, 5, 3).requiresGrad(true), Tensor.randn(DType.F64, 2, 5, 4).requiresGrad(true),
                    layer.weight(), layer.bias());
        }
    }

    @Test
    void inputsOfTheWrongShapeNameTheExpectedAndTheActualShape() {
        try (Bilinear layer = new Bilinear(2, 3, 4); Scope s = Scope.open()) {
            assertEquals("Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True): input1 [5, 3] must end in 2 features",
                    assertThrows(IllegalArgumentException.class,
                            () -> layer.forward(Tensor.zeros(5, 3), Tensor.zeros(5, 3))).getMessage());
            assertEquals("Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True): input2 [4, 3] must be [5, 3], input1's leading axes and 3 features",
                    assertThrows(IllegalArgumentException.class,
                            () -> layer.forward(Tensor.zeros(5, 2), Tensor.zeros(4, 3))).getMessage());
            assertEquals("Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True): input2 [5, 4] must be [5, 3], input1's leading axes and 3 features",
                    assertThrows(IllegalArgumentException.class,
                            () -> layer.forward(Tensor.zeros(5, 2), Tensor.zeros(5, 4))).getMessage());
            assertEquals("Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True) takes two inputs; call forward(x1, x2)",
                    assertThrows(UnsupportedOperationException.class, () -> layer.forward(Tensor.zeros(5, 2))).getMessage());
        }
    }

    @Test
    void nonPositiveSizesAreRefused() {
        assertEquals("Bilinear: features must be positive, got in1=2, in2=0, out=4",
                assertThrows(IllegalArgumentException.class, () -> new Bilinear(2, 0, 4)).getMessage());
    }
}
