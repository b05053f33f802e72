package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX's {@code GraphProto}: nodes in topological order, the constant tensors they read ({@code initializers}),
 * the graph's inputs and outputs, and optional type information of intermediate values ({@code valueInfo}).
 */
public record GraphProto(String name, List<NodeProto> nodes, List<TensorProto> initializers,
        List<ValueInfoProto> inputs, List<ValueInfoProto> outputs, List<ValueInfoProto> valueInfo)
        implements ProtoMessage {
    private static final int NODE = 1;
    private static final int NAME = 2;
    private static final int INITIALIZER = 5;
    private static final int INPUT = 11;
    private static final int OUTPUT = 12;
    private static final int VALUE_INFO = 13;

    public GraphProto {
        name = name == null ? "" : name;
        nodes = List.copyOf(nodes);
        initializers = List.copyOf(initializers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        valueInfo = List.copyOf(valueInfo);
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        Proto.writeMessages(out, NODE, nodes);
        Proto.writeString(out, NAME, name);
        Proto.writeMessages(out, INITIALIZER, initializers);
        Proto.writeMessages(out, INPUT, inputs);
        Proto.writeMessages(out, OUTPUT, outputs);
        Proto.writeMessages(out, VALUE_INFO, valueInfo);
    }

    @Override
    public int serializedSize() {
        return Proto.checkedSize((long) Proto.messagesSize(NODE, nodes) + Proto.stringSize(NAME, name)
                + Proto.messagesSize(INITIALIZER, initializers) + Proto.messagesSize(INPUT, inputs)
                + Proto.messagesSize(OUTPUT, outputs) + Proto.messagesSize(VALUE_INFO, valueInfo));
    }

    public static GraphProto parse(CodedInputStream in) throws IOException {
        String name = "";
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> initializers = new ArrayList<>();
        List<ValueInfoProto> inputs = new ArrayList<>();
        List<ValueInfoProto> outputs = new ArrayList<>();
        List<ValueInfoProto> valueInfo = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case NODE -> nodes.add(Proto.readMessage(in, NodeProto::parse));
                case NAME -> name = in.readString();
                case INITIALIZER -> initializers.add(Proto.readMessage(in, TensorProto::parse));
                case INPUT -> inputs.add(Proto.readMessage(in, ValueInfoProto::parse));
                case OUTPUT -> outputs.add(Proto.readMessage(in, ValueInfoProto::parse));
                case VALUE_INFO -> valueInfo.add(Proto.readMessage(in, ValueInfoProto::parse));
                default -> in.skipField(tag);
            }
        }
        return new GraphProto(name, nodes, initializers, inputs, outputs, valueInfo);
    }
}
