package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The graphs that models/src/test/pytorch/onnx_import_more_ops.py wrote (TopK, ArgMax, ArgMin, GatherElements,
 * ScatterElements, CumSum, the reductions ReduceMin to ReduceLogSumExp, Tile, Trilu, NonZero, ConvTranspose's
 * output_shape; torch.arange's Range and torch.topk as torch.onnx.export writes them), run by Kiln in F32 against the
 * outputs and input gradients PyTorch computed from ONNX's definitions ({@link OnnxImportMoreOpsFixtures}) within
 * 1e-5, integer outputs exactly; and in F64 against finite differences. {@link OnnxImportOrtAgreementTest} holds the
 * same files to ONNX Runtime.
 */
class OnnxImportMoreOpsTest {
    static List<OnnxImportMoreOpsFixtures.Case> cases() {
        return OnnxImportMoreOpsFixtures.CASES;
    }

    static List<OnnxImportMoreOpsFixtures.Case> differentiableCases() {
        return OnnxImportMoreOpsFixtures.CASES.stream().filter(c -> !c.integer()).toList();
    }

    static OnnxModule load(String name) {
        return OnnxImportPyTorchParityTest.loadFixture("more_" + name + ".onnx");
    }

    private static Tensor input(OnnxImportMoreOpsFixtures.Case c, DType dtype) {
        return PyTorchParity.values(7, c.inputShape()).to(DType.F32).to(dtype);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theOutputMatchesPyTorch(OnnxImportMoreOpsFixtures.Case c) {
        try (OnnxModule model = load(c.name()); Scope s = Scope.open()) {
            Tensor out = model.forward(input(c, DType.F32));

            assertArrayEquals(c.outputShape(), out.shape().dims());
            assertEquals(c.integer() ? DType.I64 : DType.F32, out.dtype());
            if (c.integer()) {
                assertArrayEquals(c.output(), out.toDoubleArray());
            } else {
                OnnxImportPyTorchParityTest.assertClose("output", c.output(), out.toDoubleArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiableCases")
    void theInputGradientMatchesPyTorch(OnnxImportMoreOpsFixtures.Case c) {
        try (OnnxModule model = load(c.name()); Scope s = Scope.open()) {
            Tensor x = input(c, DType.F32).requiresGrad(true);
            Tensor out = model.forward(x);
            Tensor weights = Tensor.fromArray(PyTorchParity.pattern((int) out.size(), 11), out.shape().dims())
                    .to(DType.F32);

            out.mul(weights).sum().backward();

            OnnxImportPyTorchParityTest.assertClose("input gradient", c.inputGradient(), x.grad().toDoubleArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiableCases")
    void theInputAndParameterGradientsMatchFiniteDifferencesInF64(OnnxImportMoreOpsFixtures.Case c) {
        try (OnnxModule model = load(c.name())) {
            OnnxImportPyTorchParityTest.assertGradientsMatchFiniteDifferences(c.name(), model, input(c, DType.F64));
        }
    }

    @Test
    void argMaxWithSelectLastIndexTakesTheLastOfTiedMaxima() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("ArgMax", List.of("x"), "y",
                AttributeProto.ofInt("axis", 1), AttributeProto.ofInt("select_last_index", 1)), List.of(),
                OnnxGraphs.value("x", 2, 4));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {3, 1, 3, 2, 0, 5, 5, 5}, 2, 4));

            assertEquals(DType.I64, y.dtype());
            assertArrayEquals(new long[] {2, 3}, y.toLongArray());
        }
    }

    @Test
    void rangeOfIntegersCountsDownByANegativeDeltaAsI64() {
        List<NodeProto> nodes = List.of(
                constant("start", 5), constant("limit", 0), constant("delta", -2),
                OnnxGraphs.node("Range", List.of("start", "limit", "delta"), "r"));
        ModelProto proto = OnnxGraphs.model(17, nodes, List.of(), List.of(OnnxGraphs.value("x", 1)),
                List.of(OnnxGraphs.value("r")));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor r = model.forwardAll(Tensor.zeros(1)).get(0);

            assertEquals(DType.I64, r.dtype());
            assertArrayEquals(new long[] {5, 3, 1}, r.toLongArray());
        }
    }

    private static NodeProto constant(String name, long value) {
        return new NodeProto(List.of(), List.of(name), name, "Constant", "",
                List.of(AttributeProto.ofTensor("value", TensorProto.ofLongs(name, new long[0], value))));
    }

    @Test
    void aScatterIndexOutsideTheAxisIsRefusedNamingItAndTheAxis() {
        TensorProto index = TensorProto.ofLongs("index", new long[] {1, 1}, 3);
        TensorProto updates = TensorProto.ofFloats("updates", new long[] {1, 1}, 1);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("ScatterElements", List.of("x", "index", "updates"),
                "y", AttributeProto.ofInt("axis", 1)), List.of(index, updates), OnnxGraphs.value("x", 2, 3));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(2, 3)));

            assertEquals("ONNX import: ScatterElements node 'ScatterElements_node': index 3 is out of range for axis 1 "
                    + "of size 3", e.getMessage());
        }
    }

    @Test
    void aConvTransposeOutputShapeBeyondTheFullOutputIsRefused() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {1, 1, 3}, 1, 1, 1);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("ConvTranspose", List.of("x", "w"), "y",
                AttributeProto.ofInts("strides", 2), AttributeProto.ofInts("output_shape", 10)), List.of(w),
                OnnxGraphs.value("x", 1, 1, 4));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(1, 1, 4)));

            assertEquals("ONNX import: ConvTranspose node 'ConvTranspose_node': output_shape [10] asks for 10 on axis 0, "
                    + "beyond the 9 the input of size 4 gives; Kiln crops the output to output_shape, it does not "
                    + "extend it", e.getMessage());
        }
    }
}
