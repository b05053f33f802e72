package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reads tiny_cnn.onnx, which PyTorch 1.13's {@code torch.onnx.export} wrote at opset 17 (models/src/test/pytorch/
 * onnx_fixture.py printed the facts checked here): Conv (its BatchNorm2d folded in), LeakyRelu, Flatten, Gemm,
 * Softmax, with a dynamic batch axis.
 */
class PyTorchOnnxFileTest {
    static ModelProto tinyCnn() throws IOException {
        try (InputStream in = PyTorchOnnxFileTest.class.getResourceAsStream("/onnx/tiny_cnn.onnx")) {
            return ModelProto.parse(in);
        }
    }

    @Test
    void theHeaderNamesPyTorchAndOpset17() throws IOException {
        ModelProto model = tinyCnn();

        assertEquals(8, model.irVersion());
        assertEquals(List.of(new OperatorSetIdProto("", 17)), model.opsetImports());
        assertEquals("pytorch", model.producerName());
        assertEquals("1.13.0", model.producerVersion());
    }

    @Test
    void theNodesAndTheirAttributesAreRead() throws IOException {
        List<NodeProto> nodes = tinyCnn().graph().nodes();

        assertEquals(List.of("Conv", "LeakyRelu", "Flatten", "Gemm", "Softmax"),
                nodes.stream().map(NodeProto::opType).toList());
        NodeProto conv = nodes.get(0);
        assertEquals(List.of("input", "onnx::Conv_17", "onnx::Conv_18"), conv.inputs());
        assertEquals(List.of("/0/Conv_output_0"), conv.outputs());
        assertArrayEquals(new long[] {1, 1, 1, 1}, conv.attribute("pads").orElseThrow().ints());
        assertArrayEquals(new long[] {3, 3}, conv.attribute("kernel_shape").orElseThrow().ints());
        assertEquals(1, conv.attribute("group").orElseThrow().i());
        assertEquals(0.125f, nodes.get(1).attribute("alpha").orElseThrow().f());
        assertEquals(1, nodes.get(3).attribute("transB").orElseThrow().i());
        assertEquals(List.of("output"), nodes.get(4).outputs());
    }

    @Test
    void theInitializersHaveTheirNamesShapesAndValues() throws IOException {
        List<TensorProto> inits = tinyCnn().graph().initializers();

        assertEquals(List.of("4.weight", "4.bias", "onnx::Conv_17", "onnx::Conv_18"),
                inits.stream().map(TensorProto::name).toList());
        assertArrayEquals(new long[] {3, 32}, inits.get(0).dims());
        assertArrayEquals(new long[] {2, 1, 3, 3}, inits.get(2).dims());
        float[] weight = inits.get(0).floats();
        assertEquals(0.1557706743478775f, weight[0]);
        assertEquals(0.4252183139324188f, weight[1]);
        assertArrayEquals(new float[] {-0.45125964283943176f, -0.1907772421836853f}, inits.get(3).floats());
    }

    @Test
    void theInputAndOutputHaveASymbolicBatchAxis() throws IOException {
        GraphProto graph = tinyCnn().graph();

        ValueInfoProto input = graph.inputs().get(0);
        assertEquals("input", input.name());
        assertEquals(TensorProto.FLOAT, input.type().elemType());
        assertEquals(List.of(TensorShapeProto.Dimension.symbolic("batch"), TensorShapeProto.Dimension.of(1),
                TensorShapeProto.Dimension.of(4), TensorShapeProto.Dimension.of(4)), input.type().shape().dims());
        assertEquals(List.of(TensorShapeProto.Dimension.symbolic("batch"), TensorShapeProto.Dimension.of(3)),
                graph.outputs().get(0).type().shape().dims());
    }
}
