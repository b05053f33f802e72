package dev.kiln.onnx.importer;

import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.NodeProto;
import java.util.Arrays;
import java.util.Optional;

/**
 * A graph node as the import's converters read it: its attributes with ONNX's defaults, the opset the model imports,
 * and errors that name the node.
 */
final class OnnxNode {
    private final NodeProto proto;
    private final long opset;

    OnnxNode(NodeProto proto, long opset) {
        this.proto = proto;
        this.opset = opset;
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
