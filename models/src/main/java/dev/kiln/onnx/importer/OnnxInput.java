package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import dev.kiln.onnx.TensorShapeProto;
import dev.kiln.onnx.TypeProto;
import dev.kiln.onnx.ValueInfoProto;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A graph input as declared: its name, element type and shape, whose dimensions are sizes or symbolic names
 * ("batch"); a symbolic dimension takes any size, the same wherever the name recurs in one call.
 */
record OnnxInput(String name, int elemType, List<TensorShapeProto.Dimension> dims) {
    static OnnxInput of(ValueInfoProto v) {
        TypeProto type = v.type();
        return new OnnxInput(v.name(), type == null ? 0 : type.elemType(),
                type == null || type.shape() == null ? null : type.shape().dims());
    }

    /** "'input' [batch, 1, 28, 28]", or without a shape when none is declared. */
    String describe() {
        return "'" + name + "'" + (dims == null ? "" : " " + shapeText());
    }

    private String shapeText() {
        return dims.stream().map(d -> d.isSymbolic() ? d.param() : Long.toString(d.value()))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * Checks {@code t} against the declaration, binding symbolic dimensions in {@code symbols}.
     *
     * @throws IllegalArgumentException naming the input, its declared shape and {@code t}'s, or the element types
     */
    void check(Tensor t, Map<String, Integer> symbols) {
        boolean floating = OnnxTensors.isFloating(elemType);
        if (elemType != 0 && floating != t.dtype().isFloating()) {
            throw new IllegalArgumentException("OnnxModule: input " + describe() + " has ONNX element type "
                    + elemType + " (" + (floating ? "floating-point" : "integer") + "), got a " + t.dtype()
                    + " tensor");
        }
        if (dims == null) {
            return;
        }
        boolean fits = t.rank() == dims.size();
        for (int k = 0; fits && k < dims.size(); k++) {
            TensorShapeProto.Dimension d = dims.get(k);
            int size = t.dim(k);
            if (d.isSymbolic()) {
                fits = symbols.computeIfAbsent(d.param(), p -> size) == size;
            } else if (d.value() > 0) {
                fits = d.value() == size;
            }
        }
        if (!fits) {
            throw new IllegalArgumentException("OnnxModule: input '" + name + "' must have shape " + shapeText()
                    + " (symbolic sizes free, the same name the same size), got " + t.shape());
        }
    }
}
