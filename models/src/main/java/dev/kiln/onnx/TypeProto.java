package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * ONNX's {@code TypeProto} for its tensor case ({@code TypeProto.Tensor}): an element type (a
 * {@link TensorProto} data type code) and a shape, which may be absent ({@code null}: rank unknown). Sequence and
 * map types are skipped when parsing and read as an undefined ({@code 0}) element type.
 */
public record TypeProto(int elemType, TensorShapeProto shape) implements ProtoMessage {
    private static final int TENSOR_TYPE = 1;
    private static final int ELEM_TYPE = 1;
    private static final int SHAPE = 2;

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        out.writeTag(TENSOR_TYPE, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(tensorSize());
        out.writeInt32(ELEM_TYPE, elemType);
        if (shape != null) {
            Proto.writeMessage(out, SHAPE, shape);
        }
    }

    private int tensorSize() {
        return CodedOutputStream.computeInt32Size(ELEM_TYPE, elemType)
                + (shape == null ? 0 : Proto.messageSize(SHAPE, shape));
    }

    @Override
    public int serializedSize() {
        int size = tensorSize();
        return CodedOutputStream.computeTagSize(TENSOR_TYPE) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    public static TypeProto parse(CodedInputStream in) throws IOException {
        TypeProto type = new TypeProto(0, null);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == TENSOR_TYPE) {
                type = Proto.readMessage(in, TypeProto::parseTensor);
            } else {
                in.skipField(tag);
            }
        }
        return type;
    }

    private static TypeProto parseTensor(CodedInputStream in) throws IOException {
        int elemType = 0;
        TensorShapeProto shape = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case ELEM_TYPE -> elemType = in.readInt32();
                case SHAPE -> shape = Proto.readMessage(in, TensorShapeProto::parse);
                default -> in.skipField(tag);
            }
        }
        return new TypeProto(elemType, shape);
    }
}
