package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ONNX's {@code NodeProto}: one operator call, {@code opType} from {@code domain} ({@code ""} is ai.onnx), reading
 * the values named {@code inputs} (an empty name is an omitted optional input) and producing {@code outputs}.
 */
public record NodeProto(List<String> inputs, List<String> outputs, String name, String opType, String domain,
        List<AttributeProto> attributes) implements ProtoMessage {
    private static final int INPUT = 1;
    private static final int OUTPUT = 2;
    private static final int NAME = 3;
    private static final int OP_TYPE = 4;
    private static final int ATTRIBUTE = 5;
    private static final int DOMAIN = 7;

    public NodeProto {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        name = name == null ? "" : name;
        domain = domain == null ? "" : domain;
        attributes = List.copyOf(attributes);
    }

    /** The attribute called {@code attributeName}, if the node has it. */
    public Optional<AttributeProto> attribute(String attributeName) {
        return attributes.stream().filter(a -> a.name().equals(attributeName)).findFirst();
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        Proto.writeStrings(out, INPUT, inputs);
        Proto.writeStrings(out, OUTPUT, outputs);
        Proto.writeString(out, NAME, name);
        out.writeString(OP_TYPE, opType);
        Proto.writeMessages(out, ATTRIBUTE, attributes);
        Proto.writeString(out, DOMAIN, domain);
    }

    @Override
    public int serializedSize() {
        return Proto.stringsSize(INPUT, inputs) + Proto.stringsSize(OUTPUT, outputs) + Proto.stringSize(NAME, name)
                + CodedOutputStream.computeStringSize(OP_TYPE, opType) + Proto.messagesSize(ATTRIBUTE, attributes)
                + Proto.stringSize(DOMAIN, domain);
    }

    public static NodeProto parse(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        String domain = "";
        List<AttributeProto> attributes = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case INPUT -> inputs.add(in.readString());
                case OUTPUT -> outputs.add(in.readString());
                case NAME -> name = in.readString();
                case OP_TYPE -> opType = in.readString();
                case ATTRIBUTE -> attributes.add(Proto.readMessage(in, AttributeProto::parse));
                case DOMAIN -> domain = in.readString();
                default -> in.skipField(tag);
            }
        }
        return new NodeProto(inputs, outputs, name, opType, domain, attributes);
    }
}
