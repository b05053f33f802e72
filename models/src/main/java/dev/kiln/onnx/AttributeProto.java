package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * ONNX's {@code AttributeProto}: a node's named attribute, one of a float, an int, a string, a tensor, floats, ints
 * or strings. Other kinds (graphs, sparse tensors, type protos) keep their {@link Type} when parsed, with no value.
 * Reading a value of another kind than the attribute holds throws {@link IllegalArgumentException}.
 */
public final class AttributeProto implements ProtoMessage {
    /** ONNX's {@code AttributeProto.AttributeType}, with its codes. */
    public enum Type {
        UNDEFINED(0), FLOAT(1), INT(2), STRING(3), TENSOR(4), GRAPH(5), FLOATS(6), INTS(7), STRINGS(8),
        TENSORS(9), GRAPHS(10), SPARSE_TENSOR(11), SPARSE_TENSORS(12), TYPE_PROTO(13), TYPE_PROTOS(14);

        final int code;

        Type(int code) {
            this.code = code;
        }

        /** The type's number in ONNX's protobuf. */
        public int code() {
            return code;
        }

        static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return UNDEFINED;
        }
    }

    private static final int NAME = 1;
    private static final int F = 2;
    private static final int I = 3;
    private static final int S = 4;
    private static final int T = 5;
    private static final int FLOATS = 7;
    private static final int INTS = 8;
    private static final int STRINGS = 9;
    private static final int TYPE = 20;

    private final String name;
    private final Type type;
    private final float f;
    private final long i;
    private final String s;
    private final TensorProto t;
    private final float[] floats;
    private final long[] ints;
    private final List<String> strings;

    private AttributeProto(String name, Type type, float f, long i, String s, TensorProto t, float[] floats,
            long[] ints, List<String> strings) {
        this.name = name;
        this.type = type;
        this.f = f;
        this.i = i;
        this.s = s;
        this.t = t;
        this.floats = floats;
        this.ints = ints;
        this.strings = List.copyOf(strings);
    }

    public static AttributeProto ofFloat(String name, float value) {
        return new AttributeProto(name, Type.FLOAT, value, 0, "", null, new float[0], new long[0], List.of());
    }

    public static AttributeProto ofInt(String name, long value) {
        return new AttributeProto(name, Type.INT, 0, value, "", null, new float[0], new long[0], List.of());
    }

    public static AttributeProto ofString(String name, String value) {
        return new AttributeProto(name, Type.STRING, 0, 0, value, null, new float[0], new long[0], List.of());
    }

    public static AttributeProto ofTensor(String name, TensorProto value) {
        return new AttributeProto(name, Type.TENSOR, 0, 0, "", value, new float[0], new long[0], List.of());
    }

    public static AttributeProto ofFloats(String name, float... values) {
        return new AttributeProto(name, Type.FLOATS, 0, 0, "", null, values.clone(), new long[0], List.of());
    }

    public static AttributeProto ofInts(String name, long... values) {
        return new AttributeProto(name, Type.INTS, 0, 0, "", null, new float[0], values.clone(), List.of());
    }

    /** INTS from Java ints, as a layer's kernel sizes or paddings are held. */
    public static AttributeProto ofInts(String name, int... values) {
        return ofInts(name, Arrays.stream(values).asLongStream().toArray());
    }

    public static AttributeProto ofStrings(String name, List<String> values) {
        return new AttributeProto(name, Type.STRINGS, 0, 0, "", null, new float[0], new long[0], values);
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public float f() {
        expect(Type.FLOAT);
        return f;
    }

    public long i() {
        expect(Type.INT);
        return i;
    }

    public String s() {
        expect(Type.STRING);
        return s;
    }

    public TensorProto t() {
        expect(Type.TENSOR);
        return t;
    }

    public float[] floats() {
        expect(Type.FLOATS);
        return floats.clone();
    }

    public long[] ints() {
        expect(Type.INTS);
        return ints.clone();
    }

    public List<String> strings() {
        expect(Type.STRINGS);
        return strings;
    }

    private void expect(Type wanted) {
        if (type != wanted) {
            throw new IllegalArgumentException("attribute '" + name + "' is " + type + ", not " + wanted);
        }
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        out.writeString(NAME, name);
        switch (type) {
            case FLOAT -> out.writeFloat(F, f);
            case INT -> out.writeInt64(I, i);
            case STRING -> out.writeString(S, s);
            case TENSOR -> Proto.writeMessage(out, T, t);
            case FLOATS -> {
                for (float v : floats) {
                    out.writeFloat(FLOATS, v);
                }
            }
            case INTS -> {
                for (long v : ints) {
                    out.writeInt64(INTS, v);
                }
            }
            case STRINGS -> Proto.writeStrings(out, STRINGS, strings);
            default -> throw new IllegalStateException("attribute '" + name + "' of type " + type
                    + " has no value to write");
        }
        out.writeEnum(TYPE, type.code);
    }

    @Override
    public int serializedSize() {
        int size = CodedOutputStream.computeStringSize(NAME, name) + CodedOutputStream.computeEnumSize(TYPE, type.code);
        return size + switch (type) {
            case FLOAT -> CodedOutputStream.computeFloatSize(F, f);
            case INT -> CodedOutputStream.computeInt64Size(I, i);
            case STRING -> CodedOutputStream.computeStringSize(S, s);
            case TENSOR -> Proto.messageSize(T, t);
            case FLOATS -> floats.length * CodedOutputStream.computeFloatSize(FLOATS, 0f);
            case INTS -> Arrays.stream(ints).mapToInt(v -> CodedOutputStream.computeInt64Size(INTS, v)).sum();
            case STRINGS -> Proto.stringsSize(STRINGS, strings);
            default -> 0;
        };
    }

    public static AttributeProto parse(CodedInputStream in) throws IOException {
        String name = "";
        int typeCode = 0;
        float f = 0;
        long i = 0;
        String s = "";
        TensorProto t = null;
        List<Float> floats = new ArrayList<>();
        List<Long> ints = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case NAME -> name = in.readString();
                case TYPE -> typeCode = in.readEnum();
                case F -> f = in.readFloat();
                case I -> i = in.readInt64();
                case S -> s = in.readStringRequireUtf8();
                case T -> t = Proto.readMessage(in, TensorProto::parse);
                case FLOATS -> Proto.readRepeated(in, tag, () -> floats.add(in.readFloat()));
                case INTS -> Proto.readRepeated(in, tag, () -> ints.add(in.readInt64()));
                case STRINGS -> strings.add(in.readStringRequireUtf8());
                default -> in.skipField(tag);
            }
        }
        float[] fs = new float[floats.size()];
        for (int k = 0; k < fs.length; k++) {
            fs[k] = floats.get(k);
        }
        long[] is = ints.stream().mapToLong(Long::longValue).toArray();
        Type type = Type.of(typeCode);
        if (type == Type.TENSOR && t == null) {
            throw new InvalidProtocolBufferException("attribute '" + name + "' is of type TENSOR but holds no tensor");
        }
        return new AttributeProto(name, type, f, i, s, t, fs, is, strings);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributeProto a && name.equals(a.name) && type == a.type
                && Float.compare(f, a.f) == 0 && i == a.i && s.equals(a.s) && Objects.equals(t, a.t)
                && Arrays.equals(floats, a.floats) && Arrays.equals(ints, a.ints) && strings.equals(a.strings);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + type.hashCode();
    }

    @Override
    public String toString() {
        return "AttributeProto[" + name + ", " + type + "]";
    }
}
