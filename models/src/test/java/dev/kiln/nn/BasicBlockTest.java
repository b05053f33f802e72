package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class BasicBlockTest {
    @BeforeEach
    void seed() {
        Engine.seed(5);
    }

    @Test
    void blockWhoseResidualBranchIsZeroPassesReluOfItsInput() {
        try (BasicBlock block = new BasicBlock(3); Scope s = Scope.open()) {
            block.to(DType.F64);
            try (Autograd.Guard g = Autograd.noGrad()) {
                block.namedParameters().get("bn2.weight").assign(Tensor.zeros(DType.F64, 3));
            }
            Tensor x = Tensor.randn(DType.F64, 2, 3, 5, 5);
            assertValues(x.relu().toDoubleArray(), block.forward(x), 1e-12);
        }
    }

    @Test
    void strideTwoBlockHalvesThePlaneAndProjectsTheShortcut() {
        try (BasicBlock block = new BasicBlock(4, 8, 2); Scope s = Scope.open()) {
            Tensor y = block.forward(Tensor.randn(2, 4, 14, 14));
            assertArrayEquals(new int[] {2, 8, 7, 7}, y.shape().dims());
            assertTrue(y.neg().max().item() <= 0, "the block ends in ReLU");
        }
    }

    @Test
    void parametersAreNamedAsInTorchvision() {
        try (BasicBlock block = new BasicBlock(4, 8, 2)) {
            assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias",
                    "downsample.0.weight", "downsample.1.weight", "downsample.1.bias"),
                    List.copyOf(block.namedParameters().keySet()));
        }
        try (BasicBlock same = new BasicBlock(4)) {
            assertTrue(same.namedParameters().keySet().stream().noneMatch(k -> k.startsWith("downsample")),
                    "a block that keeps the shape has an identity shortcut");
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (BasicBlock block = new BasicBlock(2, 3, 2); Scope s = Scope.open()) {
            block.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 5).requiresGrad(true);
            GradCheck.check("BasicBlock", in -> block.forward(in[0]), x, block.namedParameters().get("conv1.weight"),
                    block.namedParameters().get("downsample.0.weight"), block.namedParameters().get("bn2.bias"));
        }
    }
}
