package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** ONNX's {@code TensorShapeProto}: a shape whose dimensions are sizes or symbolic names such as "batch". */
public record TensorShapeProto(List<Dimension> dims) implements ProtoMessage {
    private static final int DIM = 1;

    public TensorShapeProto {
        dims = List.copyOf(dims);
    }

    /** A shape of fixed sizes. */
    public static TensorShapeProto of(long... sizes) {
        List<Dimension> dims = new ArrayList<>();
        for (long s : sizes) {
            dims.add(Dimension.of(s));
        }
        return new TensorShapeProto(dims);
    }

    /** One dimension: a size ({@code param} empty) or a symbolic name ({@code param} set, {@code value} 0). */
    public record Dimension(long value, String param) implements ProtoMessage {
        private static final int DIM_VALUE = 1;
        private static final int DIM_PARAM = 2;

        public Dimension {
            param = param == null ? "" : param;
        }

        public static Dimension of(long value) {
            return new Dimension(value, "");
        }

        public static Dimension symbolic(String param) {
            if (param.isEmpty()) {
                throw new IllegalArgumentException("a symbolic dimension needs a name, got an empty one");
            }
            return new Dimension(0, param);
        }

        public boolean isSymbolic() {
            return !param.isEmpty();
        }

        @Override
        public void writeTo(CodedOutputStream out) throws IOException {
            if (isSymbolic()) {
                out.writeString(DIM_PARAM, param);
            } else {
                out.writeInt64(DIM_VALUE, value);
            }
        }

        @Override
        public int serializedSize() {
            return isSymbolic() ? CodedOutputStream.computeStringSize(DIM_PARAM, param)
                    : CodedOutputStream.computeInt64Size(DIM_VALUE, value);
        }

        public static Dimension parse(CodedInputStream in) throws IOException {
            long value = 0;
            String param = "";
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case DIM_VALUE -> value = in.readInt64();
                    case DIM_PARAM -> param = in.readString();
                    default -> in.skipField(tag);
                }
            }
            return new Dimension(value, param);
        }
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        Proto.writeMessages(out, DIM, dims);
    }

    @Override
    public int serializedSize() {
        return Proto.messagesSize(DIM, dims);
    }

    public static TensorShapeProto parse(CodedInputStream in) throws IOException {
        List<Dimension> dims = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == DIM) {
                dims.add(Proto.readMessage(in, Dimension::parse));
            } else {
                in.skipField(tag);
            }
        }
        return new TensorShapeProto(dims);
    }
}
