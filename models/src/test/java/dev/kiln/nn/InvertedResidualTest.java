package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InvertedResidualTest {
    @BeforeEach
    void seed() {
        Engine.seed(7);
    }

    @Test
    void parametersAreNamedAsInTorchvision() {
        try (InvertedResidual block = new InvertedResidual(4, 8, 2, 6)) {
            assertEquals(List.of("conv.0.0.weight", "conv.0.1.weight", "conv.0.1.bias", "conv.1.0.weight",
                    "conv.1.1.weight", "conv.1.1.bias", "conv.2.weight", "conv.3.weight", "conv.3.bias"),
                    List.copyOf(block.namedParameters().keySet()));
            assertArrayEquals(new int[] {24, 1, 3, 3}, block.namedParameters().get("conv.1.0.weight").shape().dims(),
                    "the 3x3 convolution is depthwise over the 4 x 6 expanded channels");
        }
        try (InvertedResidual block = new InvertedResidual(4, 4, 1, 1)) {
            assertEquals(List.of("conv.0.0.weight", "conv.0.1.weight", "conv.0.1.bias", "conv.1.weight",
                    "conv.2.weight", "conv.2.bias"), List.copyOf(block.namedParameters().keySet()),
                    "ratio 1 has no expansion");
        }
    }

    @Test
    void strideTwoHalvesThePlaneRoundingUpWithoutAResidual() {
        try (InvertedResidual block = new InvertedResidual(4, 8, 2, 6); Scope s = Scope.open()) {
            assertFalse(block.hasResidual());
            assertArrayEquals(new int[] {2, 8, 4, 4}, block.forward(Tensor.randn(2, 4, 7, 7)).shape().dims());
        }
    }

    @Test
    void aBlockThatKeepsTheShapeAddsItsInput() {
        try (InvertedResidual block = new InvertedResidual(3, 3, 1, 2); Scope s = Scope.open()) {
            block.to(DType.F64);
            assertTrue(block.hasResidual());
            try (Autograd.Guard g = Autograd.noGrad()) {
                block.namedParameters().get("conv.3.weight").assign(Tensor.zeros(DType.F64, 3));
                block.namedParameters().get("conv.3.bias").assign(Tensor.zeros(DType.F64, 3));
            }
            Tensor x = Tensor.randn(DType.F64, 2, 3, 5, 5);
            assertValues(x.toDoubleArray(), block.forward(x), 1e-12);
        }
    }

    @Test
    void strideAndRatioOutOfRangeAreRefused() {
        assertEquals("InvertedResidual: stride must be 1 or 2, got 3",
                assertThrows(IllegalArgumentException.class, () -> new InvertedResidual(4, 4, 3, 6)).getMessage());
        assertEquals("InvertedResidual: expandRatio must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new InvertedResidual(4, 4, 1, 0)).getMessage());
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (InvertedResidual block = new InvertedResidual(2, 2, 1, 3); Scope s = Scope.open()) {
            block.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 4, 4).requiresGrad(true);
            GradCheck.check("InvertedResidual", in -> block.forward(in[0]), x,
                    block.namedParameters().get("conv.0.0.weight"), block.namedParameters().get("conv.1.0.weight"),
                    block.namedParameters().get("conv.2.weight"), block.namedParameters().get("conv.3.bias"));
        }
    }
}
