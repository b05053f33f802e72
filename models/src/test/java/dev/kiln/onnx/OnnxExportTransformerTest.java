package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiHeadAttention;
import dev.kiln.nn.PositionalEncoding;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Transformer;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.nn.TransformerLayerOptions;
import dev.kiln.nn.init.Init;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention, the Transformer encoder and the positional encoding exported and run in ONNX Runtime against Kiln's
 * forward (see {@link OrtCheck}), at sequence length 6, batch 3 and batch 1, width 8 in 2 heads.
 */
@Tag("onnxruntime")
class OnnxExportTransformerTest {
    private static final int STEPS = 6;
    private static final int WIDTH = 8;
    private static final int HEADS = 2;
    private static final int FEED_FORWARD = 12;

    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(13);
    }

    /** Biases and LayerNorm scales drawn away from their initial zeros and ones, so that each one matters. */
    private static <M extends Module> M perturbed(M model) {
        try (var g = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                if (p.getKey().endsWith("bias")) {
                    Init.uniform(p.getValue(), -0.5, 0.5);
                } else if (p.getKey().contains("norm")) {
                    Init.uniform(p.getValue(), 0.5, 1.5);
                }
            }
        }
        return model;
    }

    private void check(Module model) throws Exception {
        OrtCheck.exportAndCompare(perturbed(model), dir, STEPS, WIDTH);
    }

    private static TransformerLayerOptions options(boolean normFirst, String activation) {
        return TransformerLayerOptions.postNorm().withNormFirst(normFirst).withActivation(activation);
    }

    @Test
    void multiHeadAttentionAttendsToItself() throws Exception {
        check(new MultiHeadAttention(WIDTH, HEADS, 0.1));
    }

    @Test
    void multiHeadAttentionWithOneHead() throws Exception {
        check(new MultiHeadAttention(WIDTH, 1, 0.0));
    }

    @ParameterizedTest(name = "normFirst={0}, activation={1}")
    @CsvSource({"true, relu", "true, gelu", "false, relu", "false, gelu"})
    void encoderLayerInEitherNormOrderWithEitherActivation(boolean normFirst, String activation) throws Exception {
        check(new TransformerEncoderLayer(WIDTH, HEADS, FEED_FORWARD, 0.1, options(normFirst, activation)));
    }

    @Test
    void encoderParametersBecomeInitializersUnderTheirStateDictNames() {
        Module model = new Sequential(new Linear(WIDTH, WIDTH), new TransformerEncoder(1, WIDTH, HEADS, FEED_FORWARD,
                0.1));
        Set<String> names = OnnxExport.toProto(model, new int[] {3, STEPS, WIDTH}, OnnxExportOptions.defaults())
                .graph().initializers().stream().map(TensorProto::name).collect(Collectors.toSet());
        assertTrue(names.containsAll(model.stateDict().keySet()), "initializers " + names);
    }

    @Test
    void preNormEncoderStacksItsLayersAndTheFinalNorm() throws Exception {
        check(new TransformerEncoder(2, WIDTH, HEADS, FEED_FORWARD, 0.1));
    }

    @Test
    void postNormEncoderStacksItsLayersWithOrWithoutAFinalNorm() throws Exception {
        check(new TransformerEncoder(2, WIDTH, HEADS, FEED_FORWARD, 0.1, options(false, "gelu")));
        check(new TransformerEncoder(2, WIDTH, HEADS, FEED_FORWARD, 0.1, options(false, "relu"), true));
    }

    @Test
    void unbatchedInputRunsAsABatchOfOne() throws Exception {
        // Unbatched [S, dModel]: the file's dynamic first axis is the sequence, checked at lengths 3 and 1.
        OrtCheck.exportAndCompare(perturbed(new TransformerEncoderLayer(WIDTH, HEADS, FEED_FORWARD, 0.1)), dir, WIDTH);
        OrtCheck.exportAndCompare(perturbed(new TransformerEncoder(2, WIDTH, HEADS, FEED_FORWARD, 0.1)), dir, WIDTH);
    }

    @Test
    void positionalEncodingAddsTheTableRowsOfTheInputLength() throws Exception {
        check(new PositionalEncoding(WIDTH, 20));
    }

    @Test
    void tokenModelTakesInt64Ids() throws Exception {
        int vocabulary = 11;
        Module model = perturbed(new Sequential(new Embedding(vocabulary, WIDTH), new PositionalEncoding(WIDTH, 16),
                new TransformerEncoder(2, WIDTH, HEADS, FEED_FORWARD, 0.1), new Linear(WIDTH, vocabulary)));
        Path file = dir.resolve("tokens.onnx");
        OnnxExport.export(model, new int[] {3, STEPS}, file, OnnxExportOptions.defaults().withInputType(DType.I64));
        OrtCheck.compareIndices(model, file, new int[] {3, STEPS},
                new long[] {0, 1, 2, 3, 4, 5, 10, 9, 8, 7, 6, 5, 3, 3, 3, 7, 0, 10});
        OrtCheck.compareIndices(model, file, new int[] {1, STEPS}, new long[] {4, 8, 1, 9, 2, 6});
    }

    @Test
    void namedBatchAndLengthAxesRunOtherLengths() throws Exception {
        Module model = perturbed(new Sequential(new PositionalEncoding(WIDTH, 20),
                new TransformerEncoder(2, WIDTH, HEADS, FEED_FORWARD, 0.1)));
        Map<Integer, String> axes = Map.of(0, "batch", 1, "length");
        Path file = dir.resolve("any-length.onnx");

        OnnxExport.export(model, new int[] {3, STEPS, WIDTH}, file,
                OnnxExportOptions.defaults().withDynamicAxes(axes, axes));

        OrtCheck.compare(model, file, new int[] {2, 11, WIDTH}, "input");
        OrtCheck.compare(model, file, new int[] {1, 1, WIDTH}, "input");
    }

    @Test
    void anActivationFunctionIsRefusedNamingTheLayerOnOneLine() {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(WIDTH, HEADS, FEED_FORWARD, 0.1,
                TransformerLayerOptions.preNorm().withActivation(Tensor::silu));
        Module model = new Sequential(layer);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(model,
                new int[] {3, STEPS, WIDTH}, OnnxExportOptions.defaults()));
        assertTrue(e.getMessage().startsWith("ONNX export: " + layer.describe() + " at '0' applies an activation"
                + " function"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** The layer tree that {@code toString()} prints stays out of the message: {@link Module#describe()} names it. */
    @Test
    void aTransformerOfSourceAndTargetIsRefusedNamingItOnOneLine() {
        Transformer model = Transformer.builder().dModel(WIDTH).nhead(HEADS).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(FEED_FORWARD).batchFirst(true).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(model,
                new int[] {3, STEPS, WIDTH}, OnnxSecondInput.of("target", DType.F32, 3, STEPS, WIDTH),
                OnnxExportOptions.defaults()));
        assertEquals("ONNX export: no converter for Transformer with two inputs at the model's root ("
                + model.describe() + "); Kiln converts MaxUnpool1d, MaxUnpool2d and MaxUnpool3d (input, indices),"
                + " TransformerEncoderLayer and TransformerEncoder (input, mask)", e.getMessage());
    }

    @Test
    void multiHeadAttentionWithoutBiases() throws Exception {
        check(MultiHeadAttention.builder(WIDTH, HEADS).bias(false).batchFirst(true).build());
    }

    @Test
    void sequenceFirstMultiHeadAttentionTransposesInAndOut() throws Exception {
        check(MultiHeadAttention.builder(WIDTH, HEADS).dropout(0.1).build());
    }

    @ParameterizedTest(name = "addBiasKv={0}, addZeroAttn={1}, batchFirst={2}")
    @CsvSource({"true, false, true", "false, true, true", "true, true, true", "true, true, false"})
    void appendedKeysAttendBesideTheInputs(boolean addBiasKv, boolean addZeroAttn, boolean batchFirst)
            throws Exception {
        check(MultiHeadAttention.builder(WIDTH, HEADS).addBiasKv(addBiasKv).addZeroAttn(addZeroAttn)
                .batchFirst(batchFirst).build());
    }

    /** The appended keys' Shape, Concat, Expand and ConstantOfShape load in Kiln's own importer too. */
    @Test
    void appendedKeysImportBackToTheLayersOutput() throws Exception {
        Module model = perturbed(MultiHeadAttention.builder(WIDTH, HEADS).addBiasKv(true).addZeroAttn(true)
                .batchFirst(true).build());
        model.eval();
        Path file = dir.resolve("appended.onnx");
        OnnxExport.export(model, new int[] {3, STEPS, WIDTH}, file);
        int[] shape = {2, STEPS, WIDTH};
        Tensor x = Tensor.fromArray(OrtCheck.input(shape), shape);
        try (var g = Autograd.noGrad(); OnnxModule imported = OnnxImport.load(file)) {
            OrtCheck.assertClose(model.call(x).toFloatArray(), imported.forward(x).toFloatArray(), "Kiln's import");
        }
    }

    /** Such a layer exports its three-input call instead (OnnxExportThreeInputTest). */
    @Test
    void separateKeyAndValueWidthsHaveNoSelfAttentionToExport() {
        Module model = MultiHeadAttention.builder(WIDTH, HEADS).kdim(5).vdim(3).batchFirst(true).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(model,
                new int[] {3, STEPS, WIDTH}, OnnxExportOptions.defaults()));
        assertTrue(e.getMessage().contains("kdim 5") && e.getMessage().contains("vdim 3"), e.getMessage());
    }
}
