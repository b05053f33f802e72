package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RowTransformerTest {
    /**
     * The state dict of {@code bench/pytorch_reference.py}'s {@code RowTransformer} (PyTorch 1.13: {@code
     * {k: list(v.shape) for k, v in RowTransformer().state_dict().items()}}), one layer's entries written once.
     */
    private static Map<String, String> pytorchStateDict() {
        Map<String, String> names = new TreeMap<>(Map.of("position", "[28, 64]", "embed.weight", "[64, 28]",
                "embed.bias", "[64]", "encoder.norm.weight", "[64]", "encoder.norm.bias", "[64]", "fc.weight", "[10, 64]",
                "fc.bias", "[10]"));
        for (int layer = 0; layer < 2; layer++) {
            String p = "encoder.layers." + layer + ".";
            names.putAll(Map.of(p + "self_attn.in_proj_weight", "[192, 64]", p + "self_attn.in_proj_bias", "[192]",
                    p + "self_attn.out_proj.weight", "[64, 64]", p + "self_attn.out_proj.bias", "[64]",
                    p + "linear1.weight", "[256, 64]", p + "linear1.bias", "[256]", p + "linear2.weight", "[64, 256]",
                    p + "linear2.bias", "[64]"));
            names.putAll(Map.of(p + "norm1.weight", "[64]", p + "norm1.bias", "[64]", p + "norm2.weight", "[64]",
                    p + "norm2.bias", "[64]"));
        }
        return names;
    }

    @BeforeEach
    void seed() {
        Engine.seed(5);
    }

    @Test
    void theZoosRowTransformerHasTheStateDictOfItsPyTorchTwin() {
        try (RowTransformer net = Zoo.rowTransformer(10)) {
            Map<String, String> kiln = net.stateDict().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> Arrays.toString(e.getValue().shape().dims()), (a, b) -> a, TreeMap::new));
            assertEquals(pytorchStateDict(), kiln);
            assertEquals(104_394, net.parameterCount(), "PyTorch's sum(p.numel() for p in model.parameters())");
        }
    }

    @Test
    void mapsImagesAndFlatRowsToClassScores() {
        try (RowTransformer net = Zoo.rowTransformer(10); Scope s = Scope.open()) {
            Tensor images = Tensor.randn(3, 1, 28, 28);
            Tensor fromImages = net.forward(images);
            assertArrayEquals(new int[] {3, 10}, fromImages.shape().dims());
            assertArrayEquals(fromImages.toFloatArray(), net.forward(images.reshape(3, 784)).toFloatArray());
        }
    }

    @Test
    void aModelBuiltInsideAScopeKeepsItsParametersAfterIt() {
        RowTransformer net;
        try (Scope s = Scope.open()) {
            net = Zoo.rowTransformer(10);
        }
        try (net; Scope s = Scope.open()) {
            assertArrayEquals(new int[] {2, 10}, net.forward(Tensor.randn(2, 784)).shape().dims());
            assertEquals(28 * 64, net.position().toFloatArray().length);
        }
    }

    @Test
    void refusesInputsThatAreNotTwentyEightRowsOfTwentyEight() {
        try (RowTransformer net = Zoo.rowTransformer(10); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.forward(Tensor.randn(2, 780)));
            assertTrue(e.getMessage().contains("RowTransformer: input [2, 780] must hold 28 x 28 values per sample"),
                    e.getMessage());
        }
    }
}
