package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/** ONNX's {@code ValueInfoProto}: a graph input's, output's or intermediate value's name and type. */
public record ValueInfoProto(String name, TypeProto type) implements ProtoMessage {
    private static final int NAME = 1;
    private static final int TYPE = 2;

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        out.writeString(NAME, name);
        if (type != null) {
            Proto.writeMessage(out, TYPE, type);
        }
    }

    @Override
    public int serializedSize() {
        return CodedOutputStream.computeStringSize(NAME, name) + (type == null ? 0 : Proto.messageSize(TYPE, type));
    }

    public static ValueInfoProto parse(CodedInputStream in) throws IOException {
        String name = "";
        TypeProto type = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case NAME -> name = in.readString();
                case TYPE -> type = Proto.readMessage(in, TypeProto::parse);
                default -> in.skipField(tag);
            }
        }
        return new ValueInfoProto(name, type);
    }
}
