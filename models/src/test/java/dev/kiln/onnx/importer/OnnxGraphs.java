package dev.kiln.onnx.importer;

import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.GraphProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.OperatorSetIdProto;
import dev.kiln.onnx.TensorProto;
import dev.kiln.onnx.TensorShapeProto;
import dev.kiln.onnx.TypeProto;
import dev.kiln.onnx.ValueInfoProto;
import java.util.Arrays;
import java.util.List;

/** Small ONNX models built in Java for the import's tests. */
final class OnnxGraphs {
    private OnnxGraphs() {
    }

    static NodeProto node(String opType, List<String> inputs, String output, AttributeProto... attributes) {
        return new NodeProto(inputs, List.of(output), opType + "_node", opType, "", Arrays.asList(attributes));
    }

    /** A FLOAT graph input or output of {@code dims}, a negative size standing for the symbolic "batch". */
    static ValueInfoProto value(String name, long... dims) {
        List<TensorShapeProto.Dimension> shape = Arrays.stream(dims)
                .mapToObj(d -> d < 0 ? TensorShapeProto.Dimension.symbolic("batch") : TensorShapeProto.Dimension.of(d))
                .toList();
        return new ValueInfoProto(name, new TypeProto(TensorProto.FLOAT, new TensorShapeProto(shape)));
    }

    static ModelProto model(long opset, List<NodeProto> nodes, List<TensorProto> initializers,
            List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {
        GraphProto graph = new GraphProto("test", nodes, initializers, inputs, outputs, List.of());
        return new ModelProto(8, List.of(new OperatorSetIdProto("", opset)), "kiln-test", "1", "", 0, "", graph);
    }

    /** One node reading graph input "x" (and the initializers) and writing output "y", at opset 17. */
    static ModelProto single(NodeProto node, List<TensorProto> initializers, ValueInfoProto input) {
        return model(17, List.of(node), initializers, List.of(input), List.of(value("y")));
    }
}
