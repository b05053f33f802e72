package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * ONNX's {@code OperatorSetIdProto}: an operator set a model uses, by domain ({@code ""} is the default
 * {@code ai.onnx} domain) and version.
 */
public record OperatorSetIdProto(String domain, long version) implements ProtoMessage {
    private static final int DOMAIN = 1;
    private static final int VERSION = 2;

    public OperatorSetIdProto {
        domain = domain == null ? "" : domain;
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        Proto.writeString(out, DOMAIN, domain);
        out.writeInt64(VERSION, version);
    }

    @Override
    public int serializedSize() {
        return Proto.stringSize(DOMAIN, domain) + CodedOutputStream.computeInt64Size(VERSION, version);
    }

    /** Reads the fields of one message up to the stream's current limit; unknown fields are skipped. */
    public static OperatorSetIdProto parse(CodedInputStream in) throws IOException {
        String domain = "";
        long version = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case DOMAIN -> domain = in.readString();
                case VERSION -> version = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        return new OperatorSetIdProto(domain, version);
    }
}
