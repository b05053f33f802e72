package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * ONNX's {@code TensorProto}: a named tensor of a data type and shape {@code dims} (an initializer, or an attribute's
 * value). The elements are held as ONNX's {@code raw_data}, little-endian and row-major, and always written so;
 * parsing also accepts the typed repeated fields ({@code float_data}, {@code int32_data}, {@code int64_data},
 * {@code double_data}, {@code uint64_data}, which holds uint32 too), packed or not, and turns them into the same
 * bytes. Tensors stored in external files are rejected.
 */
public final class TensorProto implements ProtoMessage {
    public static final int UNDEFINED = 0;
    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int UINT16 = 4;
    public static final int INT16 = 5;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int STRING = 8;
    public static final int BOOL = 9;
    public static final int FLOAT16 = 10;
    public static final int DOUBLE = 11;
    public static final int UINT32 = 12;
    public static final int UINT64 = 13;
    public static final int BFLOAT16 = 16;

    private static final int DIMS = 1;
    private static final int DATA_TYPE = 2;
    private static final int FLOAT_DATA = 4;
    private static final int INT32_DATA = 5;
    private static final int INT64_DATA = 7;
    private static final int NAME = 8;
    private static final int RAW_DATA = 9;
    private static final int DOUBLE_DATA = 10;
    private static final int UINT64_DATA = 11;
    private static final int DATA_LOCATION = 14;
    private static final int LOCATION_EXTERNAL = 1;

    private final String name;
    private final int dataType;
    private final long[] dims;
    private final byte[] raw;

    /**
     * A tensor from its little-endian bytes; {@code raw} is taken over, not copied.
     *
     * @throws IllegalArgumentException if the byte count is not the element count times the type's size
     */
    public TensorProto(String name, int dataType, long[] dims, byte[] raw) {
        this.name = name == null ? "" : name;
        this.dataType = dataType;
        this.dims = dims.clone();
        this.raw = raw;
        long expected = byteCount(this.name, dataType, dims);
        if (raw.length != expected) {
            throw new IllegalArgumentException("tensor '" + this.name + "' of type " + dataType + " and shape "
                    + Arrays.toString(dims) + " needs " + expected + " bytes, got " + raw.length);
        }
    }

    /**
     * The bytes a tensor of {@code dims} holds, naming the tensor where no array holds them: a type without a fixed
     * element size, a negative dimension, or a count past {@code long}'s range (which would wrap round to a small one).
     */
    private static long byteCount(String name, int dataType, long[] dims) {
        String tensor = "tensor '" + name + "' of type " + dataType + " and shape " + Arrays.toString(dims);
        long bytes;
        try {
            bytes = elementSize(dataType);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(tensor + ": " + e.getMessage(), e);
        }
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(tensor + " has a negative dimension");
            }
            if (d != 0 && bytes > Long.MAX_VALUE / d) {
                throw new IllegalArgumentException(tensor + " holds more than " + Long.MAX_VALUE + " bytes");
            }
            bytes *= d;
        }
        return bytes;
    }

    public static TensorProto ofFloats(String name, long[] dims, float... values) {
        ByteBuffer b = little(4L * values.length);
        b.asFloatBuffer().put(values);
        return new TensorProto(name, FLOAT, dims, b.array());
    }

    public static TensorProto ofDoubles(String name, long[] dims, double... values) {
        ByteBuffer b = little(8L * values.length);
        b.asDoubleBuffer().put(values);
        return new TensorProto(name, DOUBLE, dims, b.array());
    }

    public static TensorProto ofLongs(String name, long[] dims, long... values) {
        ByteBuffer b = little(8L * values.length);
        b.asLongBuffer().put(values);
        return new TensorProto(name, INT64, dims, b.array());
    }

    public static TensorProto ofInts(String name, long[] dims, int... values) {
        ByteBuffer b = little(4L * values.length);
        b.asIntBuffer().put(values);
        return new TensorProto(name, INT32, dims, b.array());
    }

    private static ByteBuffer little(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bytes per element of an ONNX data type. */
    public static int elementSize(int dataType) {
        return switch (dataType) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16, FLOAT16, BFLOAT16 -> 2;
            case FLOAT, INT32, UINT32 -> 4;
            case INT64, DOUBLE, UINT64 -> 8;
            default -> throw new IllegalArgumentException("ONNX data type " + dataType + " has no fixed element size");
        };
    }

    public String name() {
        return name;
    }

    public int dataType() {
        return dataType;
    }

    public long[] dims() {
        return dims.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** A read-only little-endian view of the elements. */
    public ByteBuffer rawData() {
        return ByteBuffer.wrap(raw).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public float[] floats() {
        float[] v = new float[count(FLOAT)];
        rawData().asFloatBuffer().get(v);
        return v;
    }

    public double[] doubles() {
        double[] v = new double[count(DOUBLE)];
        rawData().asDoubleBuffer().get(v);
        return v;
    }

    public long[] longs() {
        long[] v = new long[count(INT64)];
        rawData().asLongBuffer().get(v);
        return v;
    }

    public int[] ints() {
        int[] v = new int[count(INT32)];
        rawData().asIntBuffer().get(v);
        return v;
    }

    private int count(int wanted) {
        if (dataType != wanted) {
            throw new IllegalArgumentException("tensor '" + name + "' has data type " + dataType + ", not " + wanted);
        }
        return Math.toIntExact(elementCount());
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        for (long d : dims) {
            out.writeInt64(DIMS, d);
        }
        out.writeInt32(DATA_TYPE, dataType);
        Proto.writeString(out, NAME, name);
        out.writeTag(RAW_DATA, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(raw.length);
        out.writeRawBytes(raw);
    }

    @Override
    public int serializedSize() {
        long size = CodedOutputStream.computeInt32Size(DATA_TYPE, dataType) + Proto.stringSize(NAME, name)
                + CodedOutputStream.computeTagSize(RAW_DATA) + CodedOutputStream.computeUInt32SizeNoTag(raw.length)
                + (long) raw.length;
        for (long d : dims) {
            size += CodedOutputStream.computeInt64Size(DIMS, d);
        }
        return Proto.checkedSize(size);
    }

    public static TensorProto parse(CodedInputStream in) throws IOException {
        LongList dims = new LongList();
        int dataType = UNDEFINED;
        String name = "";
        byte[] raw = null;
        LittleEndianBytes typed = new LittleEndianBytes();
        int location = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case DIMS -> Proto.readRepeated(in, tag, () -> dims.add(in.readInt64()));
                case DATA_TYPE -> dataType = in.readInt32();
                case NAME -> name = in.readString();
                case RAW_DATA -> raw = in.readByteArray();
                case FLOAT_DATA -> Proto.readRepeated(in, tag,
                        () -> typed.putInt(Float.floatToRawIntBits(in.readFloat())));
                case INT32_DATA -> Proto.readRepeated(in, tag, () -> typed.putVarintElement(in.readInt32()));
                case INT64_DATA -> Proto.readRepeated(in, tag, () -> typed.putLong(in.readInt64()));
                case DOUBLE_DATA -> Proto.readRepeated(in, tag,
                        () -> typed.putLong(Double.doubleToRawLongBits(in.readDouble())));
                case UINT64_DATA -> Proto.readRepeated(in, tag, () -> typed.putUnsigned(in.readUInt64()));
                case DATA_LOCATION -> location = in.readEnum();
                default -> in.skipField(tag);
            }
        }
        if (location == LOCATION_EXTERNAL) {
            throw new IllegalArgumentException("tensor '" + name + "' keeps its data in an external file, which "
                    + "Kiln does not read; save the model with its data inside");
        }
        long[] shape = dims.toArray();
        byteCount(name, dataType, shape);
        if (raw == null) {
            raw = typed.toBytes(dataType);
        }
        return new TensorProto(name, dataType, shape, raw);
    }

    /** A growing long array, for a tensor's dims. */
    private static final class LongList {
        private long[] values = new long[4];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, 2 * size);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /**
     * The typed fields' elements gathered as little-endian bytes. {@code int32_data} holds every type of 32 bits
     * or fewer (int8 to int32, bool, float16's bit pattern), so its elements are kept as ints and cut to the
     * element size once the data type is known; {@code uint64_data} holds uint32 as well as uint64, so its elements
     * are kept as longs and cut to 4 bytes for uint32.
     */
    private static final class LittleEndianBytes {
        private ByteBuffer wide = little(64);
        private int[] narrow = new int[0];
        private int narrowCount;
        private final LongList unsigned = new LongList();

        void putInt(int v) {
            grow(4).putInt(v);
        }

        void putLong(long v) {
            grow(8).putLong(v);
        }

        void putVarintElement(int v) {
            if (narrowCount == narrow.length) {
                narrow = Arrays.copyOf(narrow, Math.max(16, 2 * narrowCount));
            }
            narrow[narrowCount++] = v;
        }

        void putUnsigned(long v) {
            unsigned.add(v);
        }

        private ByteBuffer grow(int bytes) {
            if (wide.remaining() < bytes) {
                ByteBuffer bigger = little(2L * wide.capacity() + bytes);
                bigger.put(wide.flip());
                wide = bigger;
            }
            return wide;
        }

        byte[] toBytes(int dataType) {
            long[] u = unsigned.toArray();
            if (u.length > 0) {
                ByteBuffer b = little((long) (dataType == UINT32 ? 4 : 8) * u.length);
                for (long v : u) {
                    if (dataType == UINT32) {
                        b.putInt((int) v);
                    } else {
                        b.putLong(v);
                    }
                }
                return b.array();
            }
            if (narrowCount == 0) {
                return Arrays.copyOf(wide.array(), wide.position());
            }
            int size = elementSize(dataType);
            ByteBuffer b = little((long) size * narrowCount);
            for (int k = 0; k < narrowCount; k++) {
                int v = narrow[k];
                switch (size) {
                    case 1 -> b.put((byte) v);
                    case 2 -> b.putShort((short) v);
                    default -> b.putInt(v);
                }
            }
            return b.array();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorProto t && name.equals(t.name) && dataType == t.dataType
                && Arrays.equals(dims, t.dims) && Arrays.equals(raw, t.raw);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dataType) + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return "TensorProto[" + name + ", type " + dataType + ", " + Arrays.toString(dims) + "]";
    }
}
