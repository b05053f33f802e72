package dev.kiln.train;

import com.google.protobuf.CodedOutputStream;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.GraphProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorShapeProto;
import dev.kiln.onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * An ONNX graph as the TensorFlow {@code GraphDef} that TensorBoard's Graphs tab draws, as PyTorch's (and
 * tensorboardX's) {@code add_onnx_graph} converts it:
 * <ul>
 *   <li>each graph input, then each graph output, becomes a node of op {@code Variable} with no inputs and the
 *       attributes {@code dtype} (the ONNX element type's number, which TensorFlow's {@code DataType} shares for
 *       float, uint8, int8, int16, int32, int64, string, bool, float16 and double) and {@code shape} (a symbolic axis
 *       written as size 0);</li>
 *   <li>each ONNX node becomes a node named by its first output, of its op type, with its inputs, and one string
 *       attribute {@code parameters}: its attributes as Python prints them, {@code "name = value = type"} joined by
 *       {@code ", "} (e.g. {@code "kernel_shape = [3, 3] = 7, group = 1 = 2"}); a tensor or graph attribute's value
 *       is written as its type in angle brackets, where Python would print the whole message.</li>
 * </ul>
 * Initializers (the weights) get no node, as in PyTorch: the edges from them end in TensorBoard's drawing. The
 * versions' producer is 22, PyTorch's.
 */
final class TensorBoardGraph {
    // GraphDef, NodeDef and its attr map entry, VersionDef
    private static final int NODE = 1;
    private static final int VERSIONS = 4;
    private static final int PRODUCER = 1;
    private static final int PRODUCER_VERSION = 22;
    private static final int NAME = 1;
    private static final int OP = 2;
    private static final int INPUT = 3;
    private static final int ATTR = 5;
    private static final int KEY = 1;
    private static final int VALUE = 2;
    // AttrValue's cases (a oneof: a default value is still written), TensorShapeProto and its Dim
    private static final int S = 2;
    private static final int TYPE = 6;
    private static final int SHAPE = 7;
    private static final int DIM = 2;
    private static final int DIM_SIZE = 1;

    private TensorBoardGraph() {
    }

    /** The serialized {@code GraphDef} of {@code graph}. */
    static byte[] graphDef(GraphProto graph) {
        return TensorBoardEvent.message(out -> {
            List<ValueInfoProto> ends = new ArrayList<>(graph.inputs());
            ends.addAll(graph.outputs());
            for (ValueInfoProto v : ends) {
                out.writeByteArray(NODE, variable(v));
            }
            for (NodeProto n : graph.nodes()) {
                out.writeByteArray(NODE, node(n));
            }
            out.writeByteArray(VERSIONS, TensorBoardEvent.message(v -> v.writeInt32(PRODUCER, PRODUCER_VERSION)));
        });
    }

    private static byte[] variable(ValueInfoProto v) {
        int elemType = v.type() == null ? 0 : v.type().elemType();
        TensorShapeProto shape = v.type() == null ? null : v.type().shape();
        byte[] dims = TensorBoardEvent.message(out -> {
            if (shape != null) {
                for (TensorShapeProto.Dimension d : shape.dims()) {
                    out.writeByteArray(DIM, TensorBoardEvent.message(dim -> {
                        if (d.value() != 0) {
                            dim.writeInt64(DIM_SIZE, d.value());
                        }
                    }));
                }
            }
        });
        return TensorBoardEvent.message(out -> {
            out.writeString(NAME, v.name());
            out.writeString(OP, "Variable");
            attr(out, "dtype", a -> a.writeEnum(TYPE, elemType));
            attr(out, "shape", a -> a.writeByteArray(SHAPE, dims));
        });
    }

    private static byte[] node(NodeProto n) {
        String name = n.outputs().isEmpty() ? n.name() : n.outputs().get(0);
        byte[] parameters = parameters(n.attributes()).getBytes(StandardCharsets.UTF_8);
        return TensorBoardEvent.message(out -> {
            out.writeString(NAME, name);
            out.writeString(OP, n.opType());
            for (String input : n.inputs()) {
                out.writeString(INPUT, input);
            }
            attr(out, "parameters", a -> a.writeByteArray(S, parameters));
        });
    }

    private static void attr(CodedOutputStream out, String key, TensorBoardEvent.Fields value) throws IOException {
        out.writeByteArray(ATTR, TensorBoardEvent.message(entry -> {
            entry.writeString(KEY, key);
            entry.writeByteArray(VALUE, TensorBoardEvent.message(value));
        }));
    }

    /** The attributes as Python's {@code str} prints each set field of each, in field order: name, value, type. */
    static String parameters(List<AttributeProto> attributes) {
        List<String> each = new ArrayList<>();
        for (AttributeProto a : attributes) {
            each.add(a.name() + " = " + value(a) + " = " + a.type().code());
        }
        return String.join(", ", each);
    }

    private static String value(AttributeProto a) {
        return switch (a.type()) {
            case FLOAT -> PythonFloat.repr(a.f());
            case INT -> Long.toString(a.i());
            case STRING -> pythonBytes(a.s());
            case FLOATS -> list(a.floats().length, i -> PythonFloat.repr(a.floats()[i]));
            case INTS -> list(a.ints().length, i -> Long.toString(a.ints()[i]));
            case STRINGS -> list(a.strings().size(), i -> pythonBytes(a.strings().get(i)));
            default -> "<" + a.type() + ">";
        };
    }

    private static String list(int size, IntFunction<String> element) {
        List<String> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(element.apply(i));
        }
        return "[" + String.join(", ", items) + "]";
    }

    /**
     * A string's UTF-8 bytes as Python's {@code repr} of bytes: {@code b'...'}, in double quotes when it holds a single
     * quote and no double quote, with \t, \n, \r, the backslash and the quote escaped and any other byte outside
     * printable ASCII as \xNN.
     */
    static String pythonBytes(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder("b").append(quote);
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(quote);
                    } else if (c < 0x20 || c >= 0x7f) {
                        out.append(String.format(Locale.ROOT, "\\x%02x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        }
        return out.append(quote).toString();
    }
}
