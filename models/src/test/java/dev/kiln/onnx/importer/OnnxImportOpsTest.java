package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The small graphs that models/src/test/pytorch/onnx_import_ops.py wrote (auto_pad SAME_UPPER and SAME_LOWER, uneven
 * pads, grouped ConvTranspose, LpPool, Einsum, the BOOL ops and Cast, sequence_lens; and two modules as torch.onnx
 * exports them: masks with a grouped ConvTranspose2d and einsum, an LSTM on a packed padded batch), run by Kiln in F32
 * against the outputs and input gradients PyTorch computed from ONNX's definitions ({@link OnnxImportOpsFixtures}),
 * within 1e-5 as {@link OnnxImportPyTorchParityTest} holds its fixtures; and in F64 against finite differences.
 */
class OnnxImportOpsTest {
    static List<OnnxImportOpsFixtures.Case> cases() {
        return OnnxImportOpsFixtures.CASES;
    }

    static OnnxModule load(String name) {
        return OnnxImportPyTorchParityTest.loadFixture("ops_" + name + ".onnx");
    }

    private static Tensor input(OnnxImportOpsFixtures.Case c, DType dtype) {
        return PyTorchParity.values(7, c.inputShape()).to(DType.F32).to(dtype);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theOutputAndInputGradientMatchPyTorch(OnnxImportOpsFixtures.Case c) {
        try (OnnxModule model = load(c.name()); Scope s = Scope.open()) {
            Tensor x = input(c, DType.F32).requiresGrad(true);
            Tensor out = model.forward(x);
            Tensor weights = Tensor.fromArray(PyTorchParity.pattern((int) out.size(), 11), out.shape().dims())
                    .to(DType.F32);

            out.mul(weights).sum().backward();

            assertArrayEquals(c.outputShape(), out.shape().dims());
            OnnxImportPyTorchParityTest.assertClose("output", c.output(), out.toDoubleArray());
            OnnxImportPyTorchParityTest.assertClose("input gradient", c.inputGradient(), x.grad().toDoubleArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theInputAndParameterGradientsMatchFiniteDifferencesInF64(OnnxImportOpsFixtures.Case c) {
        try (OnnxModule model = load(c.name())) {
            OnnxImportPyTorchParityTest.assertGradientsMatchFiniteDifferences(c.name(), model, input(c, DType.F64));
        }
    }

    @Test
    void aTransposedSameThatWouldNeedANegativePaddingIsRefusedNamingTheAxis() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {1, 1, 1}, 1);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("ConvTranspose", List.of("x", "w"), "y",
                AttributeProto.ofString("auto_pad", "SAME_UPPER"), AttributeProto.ofInts("strides", 2)), List.of(w),
                OnnxGraphs.value("x", 1, 1, 4));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(1, 1, 4)));

            assertEquals("ONNX import: ConvTranspose node 'ConvTranspose_node': auto_pad SAME_UPPER on axis 0 needs "
                    + "padding -1 (kernel extent 1 below stride 2); Kiln pads by 0 or more", e.getMessage());
        }
    }

    @Test
    void aGroupThatDoesNotDivideTheChannelsIsRefusedNamingTheShapes() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {3, 1, 1}, 1, 1, 1);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("ConvTranspose", List.of("x", "w"), "y",
                AttributeProto.ofInt("group", 2)), List.of(w), OnnxGraphs.value("x", 1, 3, 4));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(1, 3, 4)));

            assertEquals("ONNX import: ConvTranspose node 'ConvTranspose_node': group 2 with an input of 3 channels "
                    + "and a weight of 3 input channels: ConvTranspose's weight is [C, C_out / group, k...] for an "
                    + "input of C channels, C a multiple of group", e.getMessage());
        }
    }

    @Test
    void castToBoolGivesOneWhereTheInputIsNonZeroAsI64() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Cast", List.of("x"), "y",
                AttributeProto.ofInt("to", TensorProto.BOOL)), List.of(), OnnxGraphs.value("x", 4));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {0, -2, 0.5f, Float.NaN}, 4));

            assertEquals(DType.I64, y.dtype());
            assertArrayEquals(new long[] {0, 1, 1, 1}, y.toLongArray());
        }
    }

    @Test
    void einsumOfAnIntegerOperandIsRefusedNamingIt() {
        TensorProto w = TensorProto.ofLongs("w", new long[] {2}, new long[] {1, 2});
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Einsum", List.of("x", "w"), "y",
                AttributeProto.ofString("equation", "i,i->")), List.of(w), OnnxGraphs.value("x", 2));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(2)));

            assertTrue(e.getMessage().contains("operand 1 is an integer tensor"), e.getMessage());
        }
    }

    /**
     * A shape against limits [4, 5] and floors [2, 5]: as I64 initializers (tensors, integer operands of the logical
     * ops) or as Constant nodes (host values, as shape arithmetic runs).
     */
    @ParameterizedTest(name = "constants {0}")
    @ValueSource(booleans = {false, true})
    void comparisonsAndLogicalOpsOfIntegersGiveZeroesAndOnes(boolean constants) {
        TensorProto limits = TensorProto.ofLongs("limits", new long[] {2}, new long[] {4, 5});
        TensorProto floors = TensorProto.ofLongs("floors", new long[] {2}, new long[] {2, 5});
        List<NodeProto> nodes = new ArrayList<>(List.of(
                OnnxGraphs.node("Shape", List.of("x"), "s"),
                OnnxGraphs.node("Less", List.of("s", "limits"), "below"),
                OnnxGraphs.node("GreaterOrEqual", List.of("s", "floors"), "above"),
                OnnxGraphs.node("Xor", List.of("below", "above"), "either"),
                OnnxGraphs.node("And", List.of("below", "above"), "both")));
        if (constants) {
            nodes.add(0, new NodeProto(List.of(), List.of("limits"), "limits", "Constant", "",
                    List.of(AttributeProto.ofTensor("value", limits))));
            nodes.add(0, new NodeProto(List.of(), List.of("floors"), "floors", "Constant", "",
                    List.of(AttributeProto.ofTensor("value", floors))));
        }
        ModelProto proto = OnnxGraphs.model(17, nodes, constants ? List.of() : List.of(limits, floors),
                List.of(OnnxGraphs.value("x", 3, 4)), List.of(OnnxGraphs.value("either"), OnnxGraphs.value("both")));

        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            List<Tensor> y = model.forwardAll(Tensor.zeros(3, 4));

            assertArrayEquals(new double[] {0, 1}, y.get(0).toDoubleArray());
            assertArrayEquals(new double[] {1, 0}, y.get(1).toDoubleArray());
        }
    }
}
