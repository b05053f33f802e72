package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OnnxImport and OnnxModule: names, parameters and buffers, state dicts, and what a load or a call refuses. */
class OnnxImportTest {
    private static OnnxModule fixture(String name) throws IOException {
        return OnnxImport.load(OnnxImportPyTorchParityTest.path(name));
    }

    private static Set<String> initializerNames(String name) throws IOException {
        return ModelProto.parse(OnnxImportPyTorchParityTest.path(name)).graph().initializers().stream()
                .map(TensorProto::name).collect(Collectors.toSet());
    }

    @Test
    void theStateDictKeysAreTheInitializersNames() throws IOException {
        for (String name : List.of("mlp", "cnn", "residual", "attention")) {
            try (OnnxModule model = fixture(name)) {
                assertEquals(initializerNames(name), model.stateDict().keySet(), name);
            }
        }
    }

    @Test
    void floatInitializersAreTrainableParametersAndRunningStatisticsAreBuffers() throws IOException {
        try (OnnxModule model = fixture("cnn")) {
            assertEquals(Set.of("bn2.running_mean", "bn2.running_var"), model.namedBuffers().keySet());
            assertEquals(Set.of("bn2.weight", "bn2.bias", "fc.weight", "fc.bias", "onnx::Conv_38", "onnx::Conv_39",
                    "conv2.weight", "conv2.bias"), model.namedParameters().keySet());
            assertTrue(model.parameters().stream().allMatch(p -> p.requiresGrad() && p.isLeaf()));
            assertArrayEquals(new int[] {5, 36}, model.getParameter("fc.weight").shape().dims());
        }
    }

    @Test
    void aLoadedStateDictChangesWhatTheModelComputes() throws IOException {
        try (OnnxModule model = fixture("cnn"); Scope s = Scope.open()) {
            Map<String, Tensor> state = new HashMap<>();
            state.put("fc.weight", Tensor.zeros(5, 36));
            state.put("fc.bias", Tensor.zeros(5));

            model.loadStateDict(state, false);

            double[] out = model.forward(Tensor.rand(3, 1, 8, 8)).toDoubleArray();
            for (double p : out) {
                assertEquals(0.2, p, 1e-7);
            }
        }
    }

    @Test
    void aSafetensorsCheckpointOfTheStateDictLoadsByNameIntoAFreshImport(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cnn.safetensors");
        try (OnnxModule tuned = fixture("cnn"); OnnxModule fresh = fixture("cnn"); Scope s = Scope.open()) {
            try (Autograd.Guard off = Autograd.noGrad()) {
                tuned.getParameter("onnx::Conv_38").assign(Tensor.rand(3, 1, 3, 3));
                tuned.getBuffer("bn2.running_var").assign(Tensor.full(2, DType.F32, 3));
            }
            SafeTensors.write(file, tuned.stateDict());
            Tensor x = Tensor.rand(2, 1, 8, 8);

            try (SafeTensors.Loaded loaded = SafeTensors.read(file)) {
                fresh.loadStateDict(loaded.tensors(), true);
            }

            assertArrayEquals(tuned.forward(x).toFloatArray(), fresh.forward(x).toFloatArray());
        }
    }

    @Test
    void integerInitializersAreBuffersThatShapeTheGraph() {
        TensorProto shape = TensorProto.ofLongs("shape", new long[] {2}, -1, 4);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Reshape", List.of("x", "shape"), "y"), List.of(shape),
                OnnxGraphs.value("x", -1, 2, 2));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            assertEquals(Set.of("shape"), model.namedBuffers().keySet());
            assertEquals(DType.I64, model.getBuffer("shape").dtype());
            assertTrue(model.namedParameters().isEmpty());

            Tensor y = model.forward(Tensor.arange(12).to(DType.F32).reshape(3, 2, 2));

            assertArrayEquals(new int[] {3, 4}, y.shape().dims());
        }
    }

    @Test
    void dottedInitializerNamesNestAsPyTorchsStateDictKeys() {
        TensorProto weight = TensorProto.ofFloats("layer1.0.conv.weight", new long[] {2}, 1, 2);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Mul", List.of("x", "layer1.0.conv.weight"), "y"),
                List.of(weight), OnnxGraphs.value("x", -1, 2));
        try (OnnxModule model = OnnxImport.load(proto)) {
            assertEquals(List.of("layer1.0.conv.weight"), List.copyOf(model.stateDict().keySet()));
            assertEquals(Set.of("layer1", "layer1.0", "layer1.0.conv"),
                    model.namedModules().keySet().stream().filter(k -> !k.isEmpty()).collect(Collectors.toSet()));
        }
    }

    @Test
    void anUnsupportedOpTypeFailsTheLoadNamingItTheNodeAndTheSupportedOps() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("NonMaxSuppression", List.of("x"), "y"), List.of(),
                OnnxGraphs.value("x", 2, 2));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(proto));

        assertTrue(e.getMessage().contains("'NonMaxSuppression'"), e.getMessage());
        assertTrue(e.getMessage().contains("'NonMaxSuppression_node'"), e.getMessage());
        assertTrue(e.getMessage().contains("Conv, ConvTranspose"), e.getMessage());
    }

    @Test
    void anUnsupportedAttributeFailsTheLoadNamingTheNode() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {1, 1, 1, 1}, 1);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Conv", List.of("x", "w"), "y",
                AttributeProto.ofString("auto_pad", "SAME")), List.of(w), OnnxGraphs.value("x", 1, 1, 3, 3));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(proto));

        assertEquals("ONNX import: Conv node 'Conv_node': auto_pad SAME is not one of ONNX's NOTSET, VALID, "
                + "SAME_UPPER and SAME_LOWER", e.getMessage());
    }

    @Test
    void anOpsetOutsideElevenToTwentyOneIsRefused() {
        for (long opset : new long[] {10, 22}) {
            ModelProto proto = OnnxGraphs.model(opset, List.of(OnnxGraphs.node("Relu", List.of("x"), "y")),
                    List.of(), List.of(OnnxGraphs.value("x", 2)), List.of(OnnxGraphs.value("y")));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(proto));

            assertEquals("ONNX import: the model uses opset " + opset + " of ai.onnx; Kiln imports opsets 11 to 21 "
                    + "(torch.onnx.export's opset_version)", e.getMessage());
        }
    }

    @Test
    void aSecondOutputThatIsReadFailsTheLoad() {
        NodeProto dropout = new NodeProto(List.of("x"), List.of("d", "mask"), "drop", "Dropout", "", List.of());
        ModelProto proto = OnnxGraphs.model(17, List.of(dropout), List.of(), List.of(OnnxGraphs.value("x", 2)),
                List.of(OnnxGraphs.value("d"), OnnxGraphs.value("mask")));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(proto));

        assertTrue(e.getMessage().contains("Dropout node 'drop'") && e.getMessage().contains("'mask'"),
                e.getMessage());
    }

    @Test
    void anInputOfAnotherShapeIsRefusedNamingTheDeclaredShape() throws IOException {
        try (OnnxModule model = fixture("cnn"); Scope s = Scope.open()) {
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(2, 1, 7, 8)));
            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(1, 8, 8)));

            assertEquals("OnnxModule: input 'input' must have shape [batch, 1, 8, 8] (symbolic sizes free, the same "
                    + "name the same size), got [2, 1, 7, 8]", size.getMessage());
            assertTrue(rank.getMessage().contains("[batch, 1, 8, 8]") && rank.getMessage().contains("[1, 8, 8]"),
                    rank.getMessage());
        }
    }

    @Test
    void forwardAllGivesEveryOutputAndForwardRefusesSeveral() {
        ModelProto proto = OnnxGraphs.model(17, List.of(OnnxGraphs.node("Relu", List.of("x"), "r"),
                OnnxGraphs.node("Neg", List.of("x"), "n")), List.of(), List.of(OnnxGraphs.value("x", 2)),
                List.of(OnnxGraphs.value("r"), OnnxGraphs.value("n")));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            List<Tensor> out = model.forwardAll(Tensor.fromArray(new float[] {-1, 2}, 2));

            assertArrayEquals(new float[] {0, 2}, out.get(0).toFloatArray());
            assertArrayEquals(new float[] {1, -2}, out.get(1).toFloatArray());
            assertEquals(List.of("r", "n"), model.outputNames());
            assertThrows(IllegalStateException.class, () -> model.forward(Tensor.zeros(2)));
        }
    }

    @Test
    void matMulBroadcastsItsBatchAxesAsNumPy() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {3, 4, 2}, pattern(24));
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("MatMul", List.of("x", "w"), "y"), List.of(w),
                OnnxGraphs.value("x", 2, 1, 3, 4));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(pattern(24), 2, 1, 3, 4);

            Tensor y = model.forward(x);

            assertArrayEquals(new int[] {2, 3, 3, 2}, y.shape().dims());
            float[] expected = new float[36];
            float[] a = pattern(24);
            float[] b = pattern(24);
            for (int n = 0; n < 2; n++) {
                for (int m = 0; m < 3; m++) {
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 2; j++) {
                            float sum = 0;
                            for (int k = 0; k < 4; k++) {
                                sum += a[n * 12 + i * 4 + k] * b[m * 8 + k * 2 + j];
                            }
                            expected[((n * 3 + m) * 3 + i) * 2 + j] = sum;
                        }
                    }
                }
            }
            assertArrayEquals(expected, y.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void withoutGradientsTheResultHoldsNoGraph() throws IOException {
        try (OnnxModule model = fixture("residual"); Scope s = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            Tensor y = model.forward(Tensor.rand(2, 2, 6, 6));

            assertFalse(y.requiresGrad());
        }
    }

    @Test
    void aCopyTrainsApartFromTheOriginal() throws IOException {
        try (OnnxModule model = fixture("mlp"); OnnxModule copy = (OnnxModule) model.copy(); Scope s = Scope.open()) {
            try (Autograd.Guard off = Autograd.noGrad()) {
                copy.getParameter("fc2.bias").assign(Tensor.ones(10));
            }
            Tensor x = Tensor.rand(1, 1, 28, 28);

            assertNotEquals(model.forward(x).toDoubleArray()[0], copy.forward(x).toDoubleArray()[0]);
        }
    }

    private static float[] pattern(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (0.5 * Math.sin(0.7 * k + 0.1));
        }
        return v;
    }

    @Test
    void withoutGradientsAnEvaluationHoldsOnlyTheValuesInFlight() {
        int relus = 12;
        List<NodeProto> chain = new ArrayList<>();
        for (int k = 0; k < relus; k++) {
            chain.add(OnnxGraphs.node("Relu", List.of(k == 0 ? "x" : "v" + (k - 1)), k == relus - 1 ? "y" : "v" + k));
        }
        Backend backend = Engine.get().backend();
        // The peak is the backend's since it started: each value must outweigh what earlier tests reached above now.
        long gap = backend.peakBytesInUse() - backend.bytesInUse();
        int elements = (int) Math.min(1 << 27, Math.max(1 << 20, gap / 4 / 2 + (1 << 18)));
        ModelProto proto = OnnxGraphs.model(17, chain, List.of(), List.of(OnnxGraphs.value("x", -1)),
                List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(elements);
            long before = backend.bytesInUse();
            try (Autograd.Guard off = Autograd.noGrad()) {
                model.forward(x);
            }

            long valueBytes = 4L * elements;
            long held = backend.peakBytesInUse() - before;
            assertTrue(held <= 3 * valueBytes, "held " + held + " bytes at once for " + relus + " values of "
                    + valueBytes);
        }
    }

    @Test
    void aTruncatedFileIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(OnnxImportPyTorchParityTest.path("cnn"));
        Path file = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(whole, whole.length / 2));

        IOException e = assertThrows(IOException.class, () -> OnnxImport.load(file));

        assertTrue(e.getMessage().startsWith(file + " is not a readable ONNX model: While parsing a protocol message, "
                + "the input ended unexpectedly"), e.getMessage());
    }

    @Test
    void aFileThatParsesWithoutAGraphIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("numbers.bin"), new byte[] {8, 42});

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(file));

        assertEquals("ONNX import: " + file + " holds no graph; is it an ONNX model?", e.getMessage());
    }

    @Test
    void aTensorThatDoesNotFitItsShapeIsRefusedNamingTheFileAndTheTensor(@TempDir Path dir) throws IOException {
        byte[] tensor = fields(out -> {
            out.writeInt64(1, 2);
            out.writeInt32(2, TensorProto.FLOAT);
            out.writeString(8, "w");
            out.writeByteArray(9, new byte[4]);
        });
        byte[] graph = fields(out -> out.writeByteArray(5, tensor));
        Path file = Files.write(dir.resolve("short.onnx"), fields(out -> out.writeByteArray(7, graph)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(file));

        assertEquals(file + ": tensor 'w' of type 1 and shape [2] needs 8 bytes, got 4", e.getMessage());
    }

    @Test
    void aNodeWithFewerInputsThanItsOpHasFailsNamingTheNode() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Add", List.of("x"), "y"), List.of(),
                OnnxGraphs.value("x", 2, 3));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(2, 3)));

            assertTrue(e.getMessage().startsWith("ONNX import: Add node 'Add_node': cannot run on its 1 input(s) "
                    + "[[2, 3]]: java.lang.ArrayIndexOutOfBoundsException"), e.getMessage());
        }
    }

    /** Hand-written protobuf fields. */
    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] fields(Fields fields) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        fields.write(out);
        out.flush();
        return buffer.toByteArray();
    }
}
