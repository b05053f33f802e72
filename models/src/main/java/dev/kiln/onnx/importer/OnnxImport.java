package dev.kiln.onnx.importer;

import dev.kiln.onnx.GraphProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.OperatorSetIdProto;
import dev.kiln.onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads an ONNX model (what PyTorch's {@code torch.onnx.export} writes; opsets 11 to 21, those of torch 2.x's
 * exporters and onnx's version converter among them) as a trainable {@link OnnxModule}, as Deeplearning4j's SameDiff
 * import does: run it, fine-tune it, save its state dict.
 * <pre>{@code
 * OnnxModule model = OnnxImport.load(Path.of("model.onnx"));
 * Tensor logits = model.forward(images);          // [batch, 1, 28, 28] -> [batch, 10]
 * }</pre>
 * Every node is checked when the model loads: an op type Kiln does not run (the message lists those it does), an
 * attribute value it does not run, or a node that reads an undefined value fails the load with an
 * {@link IllegalArgumentException} naming the node.
 */
public final class OnnxImport {
    /** The opsets of the ai.onnx domain whose semantics the import follows. */
    public static final int MIN_OPSET = 11;
    public static final int MAX_OPSET = 21;

    private OnnxImport() {
    }

    /**
     * The model in {@code file}.
     *
     * @throws IOException naming the file when it cannot be read or is not in the protobuf wire format
     * @throws IllegalArgumentException naming the file when it holds no graph (another kind of file that happens to
     *     parse), else as {@link #load(ModelProto)}
     */
    public static OnnxModule load(Path file) throws IOException {
        ModelProto model = ModelProto.parse(file);
        if (model.graph() == null) {
            throw new IllegalArgumentException("ONNX import: " + file + " holds no graph; is it an ONNX model?");
        }
        return load(model);
    }

    /**
     * {@code model} as a module: floating-point initializers become its parameters (BatchNormalization's running
     * mean and variance its buffers), integer initializers its buffers, all under their ONNX names.
     *
     * @throws IllegalArgumentException for a model without a graph, an ai.onnx opset outside 11 to 21, an unsupported
     *     op type (naming it, the node and the supported op types) or attribute, or an initializer of a type Kiln
     *     does not hold
     */
    public static OnnxModule load(ModelProto model) {
        if (model.graph() == null) {
            throw new IllegalArgumentException("ONNX import: the model has no graph");
        }
        long opset = defaultOpset(model);
        GraphProto graph = model.graph();
        Set<String> statistics = runningStatistics(graph);
        List<OnnxGraph.Initializer> initializers = new ArrayList<>();
        for (TensorProto t : graph.initializers()) {
            boolean floating = OnnxTensors.isFloating(t.dataType());
            if (!floating && !OnnxTensors.isInteger(t.dataType())) {
                throw new IllegalArgumentException("ONNX import: initializer '" + t.name() + "' has ONNX data type "
                        + t.dataType() + "; Kiln holds FLOAT, DOUBLE and integer initializers");
            }
            initializers.add(new OnnxGraph.Initializer(t.name(), floating && !statistics.contains(t.name())));
        }
        OnnxModule module = new OnnxModule(OnnxGraph.compile(graph, opset, initializers));
        for (int k = 0; k < initializers.size(); k++) {
            TensorProto t = graph.initializers().get(k);
            module.place(t.name(), OnnxNamespace.held(t), initializers.get(k).trainable());
        }
        module.eval();
        return module;
    }

    private static long defaultOpset(ModelProto model) {
        for (OperatorSetIdProto o : model.opsetImports()) {
            if (o.domain().isEmpty() || o.domain().equals("ai.onnx")) {
                if (o.version() < MIN_OPSET || o.version() > MAX_OPSET) {
                    throw new IllegalArgumentException("ONNX import: the model uses opset " + o.version() + " of "
                            + "ai.onnx; Kiln imports opsets " + MIN_OPSET + " to " + MAX_OPSET
                            + " (torch.onnx.export's opset_version)");
                }
                return o.version();
            }
        }
        throw new IllegalArgumentException("ONNX import: the model imports no ai.onnx opset; Kiln imports opsets "
                + MIN_OPSET + " to " + MAX_OPSET);
    }

    /** The initializers that BatchNormalization nodes read as running mean and variance: state, not weights. */
    private static Set<String> runningStatistics(GraphProto graph) {
        Set<String> names = new HashSet<>();
        for (NodeProto n : graph.nodes()) {
            if (n.opType().equals("BatchNormalization")) {
                names.addAll(n.inputs().subList(Math.min(3, n.inputs().size()), n.inputs().size()));
            }
        }
        return names;
    }
}
