package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.GraphProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.OrtCheck;
import dev.kiln.onnx.ValueInfoProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ONNX file under the test resources' onnx/ (the import fixtures: one float input, its batch axis dynamic or
 * fixed) run by ONNX Runtime and by {@link OnnxImport#load} in F32 on {@link OrtCheck#input} of the declared shape (a
 * dynamic axis at {@value #DYNAMIC_SIZE}): every output agrees within 1e-4 (1 + |ORT|), or is NaN in both
 * (a log of a negative sum). ONNX Runtime is the
 * reference the import follows where PyTorch has no counterpart (AveragePool's divisors, SAME splits of
 * ConvTranspose, sequence_lens).
 */
@Tag("onnxruntime")
class OnnxImportOrtAgreementTest {
    private static final int DYNAMIC_SIZE = 3;
    /**
     * Exported in training mode: ORT runs its BatchNormalization on the batch's statistics and its Dropout at random,
     * where the import loads in evaluation mode and follows the module's mode (OnnxTrainingModeTest holds its training
     * to PyTorch).
     */
    private static final Set<String> TRAINING_MODE_EXPORTS = Set.of("import_train_bn.onnx");

    static Stream<String> fixtures() throws IOException, URISyntaxException {
        Path dir = Path.of(OnnxImportOrtAgreementTest.class.getResource("/onnx").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                    .filter(n -> !TRAINING_MODE_EXPORTS.contains(n)).sorted().toList()
                    .stream();
        }
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(OnnxImportOrtAgreementTest.class.getResource("/onnx/" + name).toURI());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyOutputAgreesWithOnnxRuntime(String name) throws Exception {
        Path file = fixture(name);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ModelProto proto = ModelProto.parse(file);
        int[] shape = concreteShape(proto.graph().inputs().get(0));
        try (OrtSession session = env.createSession(forOrt(proto, shape), new OrtSession.SessionOptions());
             OnnxModule model = OnnxImport.load(proto)) {
            Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
            float[] x = OrtCheck.input(shape);
            try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), longs(shape));
                 OrtSession.Result ort = session.run(Map.of(input.getKey(), in));
                 Scope s = Scope.open(); var noGrad = Autograd.noGrad()) {
                List<Tensor> kiln = model.forwardAll(Tensor.fromArray(x, shape));
                assertEquals(ort.size(), kiln.size(), "number of outputs");
                for (int k = 0; k < kiln.size(); k++) {
                    assertAgrees(name + " output " + k, (OnnxTensor) ort.get(k), kiln.get(k));
                }
            }
        }
    }

    /** The declared shape with each symbolic axis at {@value #DYNAMIC_SIZE}. */
    private static int[] concreteShape(ValueInfoProto declared) {
        return declared.type().shape().dims().stream()
                .mapToInt(d -> d.isSymbolic() ? DYNAMIC_SIZE : Math.toIntExact(d.value())).toArray();
    }

    /**
     * The model as ORT runs it: as written, but for a Conv of the graph input with auto_pad SAME_UPPER or SAME_LOWER
     * and a dilation above 1, which ORT 1.23 refuses ("Dilation not supported for AutoPadType::SAME_UPPER or
     * AutoPadType::SAME_LOWER") though ONNX's Conv defines it for any dilation: that node gets the explicit pads of
     * ONNX's definition instead, so ORT checks the split Kiln works out.
     */
    private static byte[] forOrt(ModelProto proto, int[] inputShape) throws IOException {
        GraphProto g = proto.graph();
        String input = g.inputs().get(0).name();
        List<NodeProto> nodes = g.nodes().stream()
                .map(n -> isDilatedSameConv(n) && n.inputs().get(0).equals(input) ? withSamePads(n, g, inputShape) : n)
                .toList();
        ModelProto rewritten = new ModelProto(proto.irVersion(), proto.opsetImports(), proto.producerName(),
                proto.producerVersion(), proto.domain(), proto.modelVersion(), proto.docString(),
                new GraphProto(g.name(), nodes, g.initializers(), g.inputs(), g.outputs(), g.valueInfo()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        rewritten.write(bytes);
        return bytes.toByteArray();
    }

    private static boolean isDilatedSameConv(NodeProto n) {
        return n.opType().equals("Conv") && n.attribute("auto_pad").map(a -> a.s().startsWith("SAME")).orElse(false)
                && n.attribute("dilations").map(a -> Arrays.stream(a.ints()).anyMatch(d -> d > 1)).orElse(false);
    }

    /**
     * ONNX 1.12's Conv: SAME_UPPER and SAME_LOWER "pad the input so that output_shape[i] = ceil(input_shape[i] /
     * strides[i]) for each axis i. The padding is split between the two sides equally or almost equally [...] In case
     * the padding is an odd number, the extra padding is added at the end for SAME_UPPER and at the beginning for
     * SAME_LOWER."
     */
    private static NodeProto withSamePads(NodeProto n, GraphProto g, int[] inputShape) {
        long[] weight = g.initializers().stream().filter(t -> t.name().equals(n.inputs().get(1))).findFirst()
                .orElseThrow().dims();
        int axes = weight.length - 2;
        long[] strides = n.attribute("strides").map(AttributeProto::ints).orElse(ones(axes));
        long[] dilations = n.attribute("dilations").map(AttributeProto::ints).orElse(ones(axes));
        boolean upper = n.attribute("auto_pad").orElseThrow().s().equals("SAME_UPPER");
        long[] pads = new long[2 * axes];
        for (int i = 0; i < axes; i++) {
            long in = inputShape[i + 2];
            long out = (in + strides[i] - 1) / strides[i];
            long total = Math.max(0, (out - 1) * strides[i] + (weight[i + 2] - 1) * dilations[i] + 1 - in);
            pads[i] = upper ? total / 2 : total - total / 2;
            pads[axes + i] = total - pads[i];
        }
        List<AttributeProto> attributes = new ArrayList<>(n.attributes().stream()
                .filter(a -> !a.name().equals("auto_pad")).toList());
        attributes.add(AttributeProto.ofInts("pads", pads));
        return new NodeProto(n.inputs(), n.outputs(), n.name(), n.opType(), n.domain(), attributes);
    }

    private static long[] ones(int count) {
        long[] ones = new long[count];
        Arrays.fill(ones, 1);
        return ones;
    }

    private static long[] longs(int[] dims) {
        return Arrays.stream(dims).asLongStream().toArray();
    }

    static void assertAgrees(String what, OnnxTensor ort, Tensor kiln) throws OrtException {
        assertArrayEquals(ort.getInfo().getShape(), longs(kiln.shape().dims()), what + " shape");
        double[] expected = values(ort);
        double[] actual = kiln.toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            double tolerance = OrtCheck.TOLERANCE * (1 + Math.abs(expected[i]));
            boolean bothNaN = Double.isNaN(expected[i]) && Double.isNaN(actual[i]);
            if (!bothNaN && !(Math.abs(expected[i] - actual[i]) <= tolerance)) {
                throw new AssertionError(what + ", element " + i + ": ORT " + expected[i] + ", Kiln " + actual[i]);
            }
        }
    }

    /** ORT's FLOAT or INT64 output (indices, as TopK and ArgMax give) as doubles. */
    private static double[] values(OnnxTensor ort) throws OrtException {
        if (ort.getInfo().type == OnnxJavaType.INT64) {
            LongBuffer b = ort.getLongBuffer();
            double[] v = new double[b.remaining()];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.get();
            }
            return v;
        }
        FloatBuffer b = ort.getFloatBuffer();
        double[] v = new double[b.remaining()];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.get();
        }
        return v;
    }
}
