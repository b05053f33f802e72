package dev.kiln.onnx.importer;

import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.NodeProto;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * A graph node as the import's converters read it: its attributes with ONNX's defaults, the opset the model imports,
 * and errors that name the node.
 */
final class OnnxNode {
    private final NodeProto proto;
    private final long opset;
    private final Map<String, Integer> loadTimeTypes;

    /**
     * @param loadTimeTypes the ONNX data types of the values known when the model loads (initializers and Constant
     *     outputs), by name
     */
    OnnxNode(NodeProto proto, long opset, Map<String, Integer> loadTimeTypes) {
        this.proto = proto;
        this.opset = opset;
        this.loadTimeTypes = loadTimeTypes;
    }

    NodeProto proto() {
        return proto;
    }

    String opType() {
        return proto.opType();
    }

    /** The opset version of the default (ai.onnx) domain that the model imports, whose semantics the node has. */
    long opset() {
        return opset;
    }

    /** Whether input {@code index} is given (ONNX leaves an optional input out with an empty name). */
    boolean hasInput(int index) {
        return index < proto.inputs().size() && !proto.inputs().get(index).isEmpty();
    }

    /**
     * The ONNX data type of input {@code index} where an initializer or a Constant node gives it, else null (a
     * computed value, whose type Kiln does not track).
     */
    Integer loadTimeType(int index) {
        return hasInput(index) ? loadTimeTypes.get(proto.inputs().get(index)) : null;
    }

    boolean has(String attribute) {
        return proto.attribute(attribute).isPresent();
    }

    long intAttr(String name, long otherwise) {
        return proto.attribute(name).map(AttributeProto::i).orElse(otherwise);
    }

    float floatAttr(String name, float otherwise) {
        return proto.attribute(name).map(AttributeProto::f).orElse(otherwise);
    }

    String stringAttr(String name, String otherwise) {
        return proto.attribute(name).map(AttributeProto::s).orElse(otherwise);
    }

    /** An INTS attribute, or null when the node does not have it. */
    long[] intsAttr(String name) {
        return proto.attribute(name).map(AttributeProto::ints).orElse(null);
    }

    /** An INTS attribute as Java ints, or {@code otherwise} when the node does not have it. */
    int[] intsAttr(String name, int[] otherwise) {
        long[] v = intsAttr(name);
        return v == null ? otherwise : Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
    }

    Optional<AttributeProto> attribute(String name) {
        return proto.attribute(name);
    }

    /** "Conv node '/conv1/Conv'", for error messages. */
    String describe() {
        return proto.opType() + " node '" + proto.name() + "'";
    }

    /** An error about this node: its op type and name, then {@code message}. */
    IllegalArgumentException error(String message) {
        return new IllegalArgumentException("ONNX import: " + describe() + ": " + message);
    }
}
