package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state-dict names of {@link TransformerEncoder} and {@link TransformerDecoder}, whose layers sit in a
 * {@link ModuleList} ({@code layers.0}, {@code layers.1}, as in a checkpoint written when they sat in a
 * {@link Sequential}), and of each attention's {@code out_proj} (a {@link NonDynamicallyQuantizableLinear}), against
 * PyTorch 1.13's two-layer stacks with a final LayerNorm
 * ({@code models/src/test/pytorch/transformer_state_dict_keys.py}; the constants below are its output, name and shape in
 * order).
 */
class TransformerStateDictKeysTest {
    private static final String ENCODER = """
            layers.0.self_attn.in_proj_weight [24, 8]
            layers.0.self_attn.in_proj_bias [24]
            layers.0.self_attn.out_proj.weight [8, 8]
            layers.0.self_attn.out_proj.bias [8]
            layers.0.linear1.weight [12, 8]
            layers.0.linear1.bias [12]
            layers.0.linear2.weight [8, 12]
            layers.0.linear2.bias [8]
            layers.0.norm1.weight [8]
            layers.0.norm1.bias [8]
            layers.0.norm2.weight [8]
            layers.0.norm2.bias [8]
            layers.1.self_attn.in_proj_weight [24, 8]
            layers.1.self_attn.in_proj_bias [24]
            layers.1.self_attn.out_proj.weight [8, 8]
            layers.1.self_attn.out_proj.bias [8]
            layers.1.linear1.weight [12, 8]
            layers.1.linear1.bias [12]
            layers.1.linear2.weight [8, 12]
            layers.1.linear2.bias [8]
            layers.1.norm1.weight [8]
            layers.1.norm1.bias [8]
            layers.1.norm2.weight [8]
            layers.1.norm2.bias [8]
            norm.weight [8]
            norm.bias [8]
            """;
    private static final String DECODER = """
            layers.0.self_attn.in_proj_weight [24, 8]
            layers.0.self_attn.in_proj_bias [24]
            layers.0.self_attn.out_proj.weight [8, 8]
            layers.0.self_attn.out_proj.bias [8]
            layers.0.multihead_attn.in_proj_weight [24, 8]
            layers.0.multihead_attn.in_proj_bias [24]
            layers.0.multihead_attn.out_proj.weight [8, 8]
            layers.0.multihead_attn.out_proj.bias [8]
            layers.0.linear1.weight [12, 8]
            layers.0.linear1.bias [12]
            layers.0.linear2.weight [8, 12]
            layers.0.linear2.bias [8]
            layers.0.norm1.weight [8]
            layers.0.norm1.bias [8]
            layers.0.norm2.weight [8]
            layers.0.norm2.bias [8]
            layers.0.norm3.weight [8]
            layers.0.norm3.bias [8]
            layers.1.self_attn.in_proj_weight [24, 8]
            layers.1.self_attn.in_proj_bias [24]
            layers.1.self_attn.out_proj.weight [8, 8]
            layers.1.self_attn.out_proj.bias [8]
            layers.1.multihead_attn.in_proj_weight [24, 8]
            layers.1.multihead_attn.in_proj_bias [24]
            layers.1.multihead_attn.out_proj.weight [8, 8]
            layers.1.multihead_attn.out_proj.bias [8]
            layers.1.linear1.weight [12, 8]
            layers.1.linear1.bias [12]
            layers.1.linear2.weight [8, 12]
            layers.1.linear2.bias [8]
            layers.1.norm1.weight [8]
            layers.1.norm1.bias [8]
            layers.1.norm2.weight [8]
            layers.1.norm2.bias [8]
            layers.1.norm3.weight [8]
            layers.1.norm3.bias [8]
            norm.weight [8]
            norm.bias [8]
            """;

    @TempDir
    Path dir;

    private static String namesAndShapes(Module model) {
        return model.stateDict().entrySet().stream().map(e -> e.getKey() + " " + e.getValue().shape())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void encoderSavesPyTorchsNamesInItsOrder() {
        try (TransformerEncoder encoder = new TransformerEncoder(2, 8, 2, 12, 0.1, TransformerLayerOptions.postNorm(),
                true)) {
            assertEquals(ENCODER, namesAndShapes(encoder));
        }
    }

    @Test
    void decoderSavesPyTorchsNamesInItsOrder() {
        try (TransformerDecoder decoder = new TransformerDecoder(2, 8, 2, 12, 0.1, TransformerLayerOptions.postNorm(),
                true)) {
            assertEquals(DECODER, namesAndShapes(decoder));
        }
    }

    /** A safetensors checkpoint under those names loads strictly into a freshly drawn encoder and gives its output. */
    @Test
    void aCheckpointUnderThoseNamesLoadsStrictlyAndReproducesTheEncoder() throws IOException {
        Engine.seed(5);
        Path file = dir.resolve("encoder.safetensors");
        Tensor x = Tensor.randn(2, 3, 8);
        float[] expected;
        try (TransformerEncoder saved = new TransformerEncoder(2, 8, 2, 12, 0.1, TransformerLayerOptions.postNorm(),
                true); Autograd.Guard g = Autograd.noGrad()) {
            saved.eval();
            SafeTensors.write(file, saved.stateDict());
            expected = saved.forward(x).toFloatArray();
        }
        try (TransformerEncoder loaded = new TransformerEncoder(2, 8, 2, 12, 0.1, TransformerLayerOptions.postNorm(),
                true); SafeTensors.Loaded checkpoint = SafeTensors.read(file); Autograd.Guard g = Autograd.noGrad()) {
            loaded.loadStateDict(Map.copyOf(checkpoint.tensors()), true);
            loaded.eval();
            assertArrayEquals(expected, loaded.forward(x).toFloatArray());
        }
    }
}
