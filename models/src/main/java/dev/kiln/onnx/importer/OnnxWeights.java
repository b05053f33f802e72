package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import dev.kiln.onnx.GraphProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model with the weights an {@link OnnxModule} holds now: what a fine-tuned import is as a file, for
 * ONNX Runtime or another import.
 * <pre>{@code
 * ModelProto file = ModelProto.parse(path);
 * OnnxModule model = OnnxImport.load(file);
 * // ... train model ...
 * AtomicFiles.write(tuned, OnnxWeights.withInitializers(file, model)::write);
 * }</pre>
 */
public final class OnnxWeights {
    private OnnxWeights() {
    }

    /**
     * {@code model} with each FLOAT or DOUBLE initializer replaced by the tensor of the same name in {@code trained}'s
     * state dict (in the initializer's own data type): the weights, and the running statistics that BatchNormalization
     * nodes updated in training mode; nodes, inputs, outputs and other initializers as they were.
     * Fields that {@link ModelProto} does not model (metadata properties, training info, functions) are not kept.
     *
     * @throws IllegalArgumentException naming the initializer when {@code trained} holds it in another shape
     */
    public static ModelProto withInitializers(ModelProto model, OnnxModule trained) {
        Map<String, Tensor> state = trained.stateDict();
        GraphProto graph = model.graph();
        List<TensorProto> initializers = new ArrayList<>();
        for (TensorProto t : graph.initializers()) {
            Tensor value = state.get(t.name());
            boolean replaced = value != null && (t.dataType() == TensorProto.FLOAT || t.dataType() == TensorProto.DOUBLE);
            initializers.add(replaced ? replaced(t, value) : t);
        }
        GraphProto tuned = new GraphProto(graph.name(), graph.nodes(), initializers, graph.inputs(), graph.outputs(),
                graph.valueInfo());
        return new ModelProto(model.irVersion(), model.opsetImports(), model.producerName(), model.producerVersion(),
                model.domain(), model.modelVersion(), model.docString(), tuned);
    }

    private static TensorProto replaced(TensorProto t, Tensor value) {
        long[] dims = Arrays.stream(value.shape().dims()).asLongStream().toArray();
        if (!Arrays.equals(dims, t.dims())) {
            throw new IllegalArgumentException("OnnxWeights: initializer '" + t.name() + "' is "
                    + Arrays.toString(t.dims()) + " in the model but " + value.shape() + " in the module");
        }
        return t.dataType() == TensorProto.DOUBLE ? TensorProto.ofDoubles(t.name(), dims, value.toDoubleArray())
                : TensorProto.ofFloats(t.name(), dims, value.toFloatArray());
    }
}
