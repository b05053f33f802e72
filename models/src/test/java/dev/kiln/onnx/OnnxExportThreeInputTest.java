package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiHeadAttention;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MultiHeadAttention's three-input call, PyTorch's {@code mha(query, key, value)[0]}, exported with the key and the
 * value as graph inputs and run in ONNX Runtime against Kiln's call, |ort - kiln| <= 1e-4 (1 + |kiln|), at batch 3 and
 * (the batch symbolic in all three inputs) batch 1: key and value widths other than embedDim (the separate
 * {@code q_proj_weight}, {@code k_proj_weight} and {@code v_proj_weight}), sequence-first with appended keys, and
 * the packed {@code in_proj_weight} of a layer whose three inputs differ. Queries of length 6, keys of length 4.
 */
@Tag("onnxruntime")
class OnnxExportThreeInputTest {
    private static final int WIDTH = 8;
    private static final int HEADS = 2;
    private static final int QUERIES = 6;
    private static final String MASK_ADVICE = "An attention or key padding mask is no input of its call: export the"
            + " TransformerEncoderLayer or TransformerEncoder around it with the mask as the second input"
            + " ([batch, 1, S] for key padding, non-zero = masked)";
    private static final int KEYS = 4;

    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(17);
    }

    /**
     * Exports {@code model} for query [3, T, E], key [3, S, kdim] and value [3, S, vdim] (batch axis {@code batch},
     * 0 or 1 with the step axis the other) and checks ORT against Kiln at batch 3 and 1.
     */
    private void check(MultiHeadAttention model, int batchAxis) throws Exception {
        Path file = dir.resolve("attention.onnx");
        Map<Integer, String> batch = Map.of(batchAxis, "batch");
        OnnxExport.export(model, shape(batchAxis, 3, QUERIES, WIDTH),
                OnnxSecondInput.of("key", DType.F32, shape(batchAxis, 3, KEYS, model.kdim())).withAxes(batch),
                OnnxSecondInput.of("value", DType.F32, shape(batchAxis, 3, KEYS, model.vdim())).withAxes(batch),
                file, OnnxExportOptions.defaults().withDynamicAxes(batch, batch));
        for (int n : new int[] {3, 1}) {
            assertAgrees(model, file, pattern(1, shape(batchAxis, n, QUERIES, WIDTH)),
                    pattern(2, shape(batchAxis, n, KEYS, model.kdim())),
                    pattern(3, shape(batchAxis, n, KEYS, model.vdim())));
        }
    }

    private static int[] shape(int batchAxis, int batch, int steps, int width) {
        return batchAxis == 0 ? new int[] {batch, steps, width} : new int[] {steps, batch, width};
    }

    /** {@link OrtCheck#input}'s pattern, scaled by {@code seed} so that the three inputs differ. */
    private static Tensor pattern(int seed, int... shape) {
        float[] x = OrtCheck.input(shape);
        for (int i = 0; i < x.length; i++) {
            x[i] *= (float) Math.cos(0.3 * seed + 0.05 * i);
        }
        return Tensor.fromArray(x, shape);
    }

    /** Kiln's call(query, key, value) and ORT's run of {@code file} on the same three inputs agree. */
    private static void assertAgrees(Module model, Path file, Tensor query, Tensor key, Tensor value)
            throws Exception {
        float[] expected;
        int[] expectedShape;
        model.eval();
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            Tensor y = model.call(query, key, value);
            expected = y.toFloatArray();
            expectedShape = y.shape().dims();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            inputs.put("input", ortTensor(env, query));
            inputs.put("key", ortTensor(env, key));
            inputs.put("value", ortTensor(env, value));
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                FloatBuffer b = out.getFloatBuffer();
                float[] actual = new float[b.remaining()];
                b.get(actual);
                assertArrayEquals(OnnxGraph.longs(expectedShape), out.getInfo().getShape(), "output shape");
                OrtCheck.assertClose(expected, actual, query.shape().toString());
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor ortTensor(OrtEnvironment env, Tensor t) throws Exception {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloatArray()), OnnxGraph.longs(t.shape().dims()));
    }

    @Test
    void separateKeyAndValueWidthsProjectEachInputByItsOwnWeight() throws Exception {
        check(MultiHeadAttention.builder(WIDTH, HEADS).kdim(5).vdim(3).batchFirst(true).build(), 0);
    }

    @Test
    void separateWidthsWithoutBiasesSequenceFirstWithAppendedKeys() throws Exception {
        check(MultiHeadAttention.builder(WIDTH, HEADS).kdim(5).vdim(5).bias(false).addBiasKv(true).addZeroAttn(true)
                .build(), 1);
    }

    @Test
    void packedProjectionOfThreeDifferentInputs() throws Exception {
        check(MultiHeadAttention.builder(WIDTH, HEADS).batchFirst(true).build(), 0);
    }

    @Test
    void aModelOfOneInputGivenThreeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(
                new Linear(2, 2), new int[] {1, 2}, OnnxSecondInput.of("key", DType.F32, 1, 2),
                OnnxSecondInput.of("value", DType.F32, 1, 2), OnnxExportOptions.defaults()));
        assertEquals("ONNX export: Linear(in_features=2, out_features=2, bias=True) takes one input, not a second and third input 'key' and "
                + "'value'", e.getMessage());
    }

    /**
     * A MultiHeadAttention given only a second input (a mask, I64 as PyTorch's bool key_padding_mask becomes) is told
     * that it takes three, not that it takes one, and where a mask goes instead.
     */
    @Test
    void attentionGivenOnlyASecondInputIsToldItTakesThree() {
        MultiHeadAttention model = MultiHeadAttention.builder(WIDTH, HEADS).batchFirst(true).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(model,
                new int[] {1, QUERIES, WIDTH}, OnnxSecondInput.of("mask", DType.I64, 1, QUERIES),
                OnnxExportOptions.defaults()));
        assertEquals("ONNX export: " + model.describe() + " takes three inputs (query, key and value), not an input and a second"
                + " input 'mask'; give it a second and a third input. " + MASK_ADVICE, e.getMessage());
    }

    /**
     * An I64 key padding mask given as the key reaches no projection: the export names the input and its type where
     * the trial forward pass failed in a Linear ("dtypes differ: [5, 8] I64 and [8, 8] F32").
     */
    @Test
    void attentionGivenAnI64KeyIsToldItsInputsAreF32() {
        MultiHeadAttention model = MultiHeadAttention.builder(WIDTH, HEADS).batchFirst(true).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(model,
                new int[] {1, QUERIES, WIDTH}, OnnxSecondInput.of("key_padding_mask", DType.I64, 1, QUERIES),
                OnnxSecondInput.of("value", DType.F32, 1, QUERIES, WIDTH), OnnxExportOptions.defaults()));
        assertEquals("ONNX export: " + model.describe() + " takes its query, key and value as F32 values, but the second input"
                + " 'key_padding_mask' is I64 [1, " + QUERIES + "]. " + MASK_ADVICE, e.getMessage());
    }
}
