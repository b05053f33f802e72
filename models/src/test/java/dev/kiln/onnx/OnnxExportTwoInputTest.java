package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Attention;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool1d;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.MaxPool3d;
import dev.kiln.nn.MaxUnpool1d;
import dev.kiln.nn.MaxUnpool2d;
import dev.kiln.nn.MaxUnpool3d;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiHeadAttention;
import dev.kiln.nn.SubmoduleSwap;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.nn.TransformerLayerOptions;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models of two inputs exported with their second as a graph input ({@link OnnxSecondInput}) and run in ONNX Runtime
 * against Kiln's two-input call, |ort - kiln| <= 1e-4 (1 + |kiln|): MaxUnpool2d with the indices of a MaxPool2d, at
 * batch 3 and (the batch symbolic) batch 1; a TransformerEncoderLayer and a TransformerEncoder under a causal mask, a
 * key padding mask and a mask per sequence, and under a causal mask the graph makes ({@link OnnxExport#exportCausal}),
 * also loaded by Kiln's import; MaxUnpool1d, MaxUnpool2d and MaxUnpool3d exported and imported back by Kiln.
 */
@Tag("onnxruntime")
class OnnxExportTwoInputTest {
    private static final int STEPS = 5;
    private static final int WIDTH = 8;

    @TempDir
    Path dir;

    /** Kiln's call(x, second) and ORT's run of {@code file} on the same two inputs agree. */
    private static void assertAgrees(Module model, Path file, Tensor x, Tensor second, String secondName)
            throws Exception {
        float[] expected;
        int[] expectedShape;
        try (Scope s = Scope.open(); var g = Autograd.noGrad()) {
            Tensor y = model.call(x, second);
            expected = y.toFloatArray();
            expectedShape = y.shape().dims();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()),
                     OnnxGraph.longs(x.shape().dims()));
             OnnxTensor other = second.dtype() == DType.I64
                     ? OnnxTensor.createTensor(env, LongBuffer.wrap(second.toLongArray()),
                             OnnxGraph.longs(second.shape().dims()))
                     : OnnxTensor.createTensor(env, FloatBuffer.wrap(second.toFloatArray()),
                             OnnxGraph.longs(second.shape().dims()));
             OrtSession.Result result = session.run(Map.of("input", in, secondName, other))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer b = out.getFloatBuffer();
            float[] actual = new float[b.remaining()];
            b.get(actual);
            assertArrayEquals(OnnxGraph.longs(expectedShape), out.getInfo().getShape(), "output shape");
            OrtCheck.assertClose(expected, actual, x.shape().toString());
        }
    }

    private static Tensor pattern(int... shape) {
        return Tensor.fromArray(OrtCheck.input(shape), shape);
    }

    private void checkUnpooling(MaxPool2d pool, MaxUnpool2d unpool, int... shape) throws Exception {
        Path file = dir.resolve("unpool.onnx");
        F.MaxPoolOutput pooled = pool.forwardWithIndices(pattern(shape));
        int[] pooledShape = pooled.output().shape().dims();
        OnnxExport.export(unpool, pooledShape, OnnxSecondInput.of("indices", DType.I64, pooledShape)
                .withAxes(Map.of(0, "batch")), file, OnnxExportOptions.defaults());
        assertAgrees(unpool, file, pooled.output(), pooled.indices(), "indices");
        shape[0] = 1;
        F.MaxPoolOutput one = pool.forwardWithIndices(pattern(shape));
        assertAgrees(unpool, file, one.output(), one.indices(), "indices");
    }

    @Test
    void maxUnpool2dPutsEachValueBackWhereItsMaxPoolFoundIt() throws Exception {
        checkUnpooling(new MaxPool2d(2), new MaxUnpool2d(2), 3, 2, 6, 8);
    }

    @Test
    void maxUnpool2dWithStrideAndPaddingPutsEachValueBack() throws Exception {
        checkUnpooling(new MaxPool2d(3, 2, 1), new MaxUnpool2d(3, 2, 1), 3, 3, 7, 7);
    }

    private static TransformerEncoderLayer layer() {
        return new TransformerEncoderLayer(WIDTH, 2, 16, 0.1, TransformerLayerOptions.postNorm());
    }

    private void checkMasked(Module model, Tensor mask) throws Exception {
        Path file = dir.resolve("masked.onnx");
        model.eval();
        OnnxExport.export(model, new int[] {3, STEPS, WIDTH}, OnnxSecondInput.of("mask", DType.F32,
                mask.shape().dims()), file, OnnxExportOptions.defaults());
        assertAgrees(model, file, pattern(3, STEPS, WIDTH), mask, "mask");
    }

    @Test
    void encoderLayerUnderACausalMask() throws Exception {
        checkMasked(layer(), Attention.causalMask(STEPS, DType.F32));
    }

    @Test
    void encoderLayerUnderAKeyPaddingMask() throws Exception {
        checkMasked(layer(), Attention.paddingMask(new int[] {5, 3, 1}, STEPS, DType.F32));
    }

    @Test
    void preNormEncoderUnderATwoDimensionalCausalMask() throws Exception {
        checkMasked(new TransformerEncoder(2, WIDTH, 2, 16, 0.1),
                Attention.causalMask(STEPS, DType.F32).reshape(STEPS, STEPS));
    }

    @Test
    void encoderUnderAMaskPerSequence() throws Exception {
        Tensor causal = Attention.causalMask(STEPS, DType.F32);
        Tensor padding = Attention.paddingMask(new int[] {4, 5, 2}, STEPS, DType.F32);
        checkMasked(new TransformerEncoder(2, WIDTH, 2, 16, 0.1, TransformerLayerOptions.postNorm()),
                causal.add(padding).clamp(0, 1));
    }

    /** A post-norm encoder layer whose attention appends bias_k, bias_v and a zero key and value. */
    private static TransformerEncoderLayer appendedKeysLayer() {
        TransformerEncoderLayer layer = layer();
        SubmoduleSwap.replace(layer, "self_attn", MultiHeadAttention.builder(WIDTH, 2).addBiasKv(true)
                .addZeroAttn(true).batchFirst(true).build()).close();
        return layer;
    }

    /** The mask covers the input's keys; the appended keys stay open, as Kiln pads the mask with zero columns. */
    @Test
    void appendedKeysStayOpenUnderACausalAndAKeyPaddingMask() throws Exception {
        checkMasked(appendedKeysLayer(), Attention.causalMask(STEPS, DType.F32));
        checkMasked(appendedKeysLayer(), Attention.paddingMask(new int[] {5, 3, 1}, STEPS, DType.F32));
    }

    /** A mask of one axis, [S], broadcasts over the batch and the queries in Kiln's call; the graph must too. */
    @Test
    void encoderLayerUnderAOneAxisKeyMask() throws Exception {
        checkMasked(layer(), Tensor.fromArray(new float[] {0, 0, 0, 1, 1}, STEPS));
    }

    /**
     * A sequence whose every key is masked: Kiln gives its masked scores a finite -1e9 and so weighs the keys equally,
     * where -inf in the graph would give NaN.
     */
    @Test
    void encoderLayerWithASequenceWhollyMasked() throws Exception {
        float[] mask = new float[3 * STEPS];
        Arrays.fill(mask, 2 * STEPS, 3 * STEPS, 1);
        mask[STEPS - 1] = 1;
        checkMasked(layer(), Tensor.fromArray(mask, 3, 1, STEPS));
    }

    /** A mask per head, [batch * heads, S, S], which the graph's Unsqueeze cannot broadcast, is refused at export. */
    @Test
    void aMaskPerHeadIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(layer(),
                new int[] {3, STEPS, WIDTH}, OnnxSecondInput.of("mask", DType.F32, 6, STEPS, STEPS),
                OnnxExportOptions.defaults()));
        assertEquals("ONNX export: the attention mask [6, 5, 5] must broadcast to [batch, S, S] = [3, 5, 5]; a mask "
                + "of one slice per head ([batch * heads, S, S]) has no ONNX form here", e.getMessage());
    }

    @Test
    void aSecondInputForAModelOfOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toProto(
                new Linear(2, 2), new int[] {1, 2}, OnnxSecondInput.of("mask", DType.F32, 2, 2),
                OnnxExportOptions.defaults()));
        assertEquals("ONNX export: Linear(in_features=2, out_features=2, bias=True) takes one input, not a second input 'mask'",
                e.getMessage());
    }

    @Test
    void aSecondInputWithoutItsAxesMapIsRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> new OnnxSecondInput("mask", DType.F32, new int[] {STEPS, STEPS}, null));
        assertEquals("ONNX export: the second input's symbolic axes (Map.of() for none)", e.getMessage());
    }

    /** The causal mask made in the graph: ORT and Kiln's import, given the input alone, at two lengths. */
    @Test
    void encoderUnderACausalMaskMadeInTheGraph() throws Exception {
        Module model = new TransformerEncoder(2, WIDTH, 2, 16, 0.1);
        model.eval();
        Path file = dir.resolve("causal.onnx");
        OnnxExport.exportCausal(model, new int[] {3, STEPS, WIDTH}, file, OnnxExportOptions.defaults()
                .withDynamicAxes(Map.of(0, "batch", 1, "steps"), Map.of(0, "batch", 1, "steps")));
        for (int steps : new int[] {STEPS, 3}) {
            int[] shape = {2, steps, WIDTH};
            Tensor expected = model.call(pattern(shape), Attention.causalMask(steps, DType.F32));
            OrtCheck.OrtRun ort = OrtCheck.run(file, "input", env -> OnnxTensor.createTensor(env,
                    FloatBuffer.wrap(OrtCheck.input(shape)), OnnxGraph.longs(shape)));
            OrtCheck.assertClose(expected.toFloatArray(), ort.values(), "ORT at length " + steps);
            try (OnnxModule imported = OnnxImport.load(file)) {
                OrtCheck.assertClose(expected.toFloatArray(), imported.forward(pattern(shape)).toFloatArray(),
                        "Kiln's import at length " + steps);
            }
        }
    }

    /** An unpooling of {@code pooled}'s indices: ORT's run of its export and Kiln's import of it give its output. */
    private void checkUnpoolingAndImport(Module unpool, F.MaxPoolOutput pooled) throws Exception {
        Path file = dir.resolve("unpool_nd.onnx");
        int[] pooledShape = pooled.output().shape().dims();
        OnnxExport.export(unpool, pooledShape, OnnxSecondInput.of("indices", DType.I64, pooledShape)
                .withAxes(Map.of(0, "batch")), file, OnnxExportOptions.defaults());
        assertAgrees(unpool, file, pooled.output(), pooled.indices(), "indices");
        try (Scope s = Scope.open(); OnnxModule imported = OnnxImport.load(file)) {
            OrtCheck.assertClose(unpool.call(pooled.output(), pooled.indices()).toFloatArray(),
                    imported.forwardAll(pooled.output(), pooled.indices()).get(0).toFloatArray(), "Kiln's import");
        }
    }

    @Test
    void maxUnpool1dPutsEachValueBackWhereItsMaxPoolFoundIt() throws Exception {
        checkUnpoolingAndImport(new MaxUnpool1d(3, 2, 1), new MaxPool1d(3, 2, 1).forwardWithIndices(pattern(3, 2, 9)));
    }

    @Test
    void maxUnpool3dPutsEachValueBackWhereItsMaxPoolFoundIt() throws Exception {
        checkUnpoolingAndImport(new MaxUnpool3d(new int[] {2, 3, 2}, new int[] {2, 2, 2}, new int[] {1, 1, 0}),
                new MaxPool3d(new int[] {2, 3, 2}, new int[] {2, 2, 2}, new int[] {1, 1, 0}, false)
                        .forwardWithIndices(pattern(3, 2, 4, 7, 6)));
    }

    @Test
    void maxUnpool2dExportImportsToItsOwnOutput() throws Exception {
        checkUnpoolingAndImport(new MaxUnpool2d(3, 2, 1), new MaxPool2d(3, 2, 1).forwardWithIndices(pattern(3, 3, 7,
                7)));
    }
}
