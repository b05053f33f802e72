package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZooTest {
    @BeforeEach
    void seed() {
        Engine.seed(3);
    }

    @Test
    void resnetMapsImagesToClassScores() {
        try (Module net = Zoo.create("resnet", 784, 10); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {2, 10}, net.forward(Tensor.randn(2, 1, 28, 28)).shape().dims());
        }
    }

    /**
     * Counted by hand: stem 144 + 32 (batch norm); stage 1: 2 x 2,304 + 2 x 32; stage 2: 4,608 + 9,216 + 2 x 64 +
     * shortcut 512 + 64; stage 3: 18,432 + 36,864 + 2 x 128 + shortcut 2,048 + 128; head 64 x 10 + 10.
     */
    @Test
    void resnetHasTheParameterCountOfItsArchitecture() {
        try (Module net = Zoo.resnet(10)) {
            assertEquals(77_754, net.parameterCount());
        }
    }

    /** resnet plus a second block per stage: 2 x 2,304 + 2 x 32, 2 x 9,216 + 2 x 64, 2 x 36,864 + 2 x 128. */
    @Test
    void resnet14HasASecondBlockPerStage() {
        try (Module net = Zoo.create("resnet14", 784, 10); Scope s = Scope.open()) {
            assertEquals(77_754 + 4_672 + 18_560 + 73_984, net.parameterCount());
            assertArrayEquals(new int[] {2, 10}, net.forward(Tensor.randn(2, 1, 28, 28)).shape().dims());
        }
    }

    @Test
    void convolutionalModelsRefuseInputsThatAreNot28By28Images() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Zoo.create("resnet", 100, 10));
        assertTrue(e.getMessage().contains("resnet takes 1x28x28 images"), e.getMessage());
    }

    @Test
    void unknownModelNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Zoo.create("vgg", 784, 10));
        assertTrue(e.getMessage().contains("mlp") && e.getMessage().contains("resnet"), e.getMessage());
    }
}
