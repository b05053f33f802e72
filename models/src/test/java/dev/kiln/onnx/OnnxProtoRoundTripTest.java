package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxProtoRoundTripTest {
    private static byte[] bytes(ProtoMessage message) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        message.writeTo(out);
        out.flush();
        assertEquals(message.serializedSize(), buffer.size(), "serializedSize of " + message);
        return buffer.toByteArray();
    }

    /** Hand-written fields, as another protobuf writer may lay them out. */
    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static CodedInputStream fields(Fields fields) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        fields.write(out);
        out.flush();
        return CodedInputStream.newInstance(buffer.toByteArray());
    }

    private static ModelProto model() {
        TensorProto weight = TensorProto.ofFloats("fc.weight", new long[] {2, 3}, 1, -2, 3.5f, 0, 1e-7f, -0f);
        TensorProto shape = TensorProto.ofLongs("shape", new long[] {2}, -1, 6);
        NodeProto gemm = new NodeProto(List.of("x", "fc.weight", ""), List.of("y"), "fc", "Gemm", "",
                List.of(AttributeProto.ofInt("transB", 1), AttributeProto.ofFloat("alpha", 0.5f)));
        NodeProto pad = new NodeProto(List.of("y"), List.of("z"), "", "Custom", "dev.kiln",
                List.of(AttributeProto.ofString("mode", "reflect"), AttributeProto.ofInts("pads", 1, 2, 3),
                        AttributeProto.ofFloats("scales", 1.5f, 2), AttributeProto.ofTensor("value", shape),
                        AttributeProto.ofStrings("names", List.of("a", "b"))));
        TensorShapeProto batchBy3 = new TensorShapeProto(
                List.of(TensorShapeProto.Dimension.symbolic("batch"), TensorShapeProto.Dimension.of(3)));
        GraphProto graph = new GraphProto("main", List.of(gemm, pad), List.of(weight, shape),
                List.of(new ValueInfoProto("x", new TypeProto(TensorProto.FLOAT, batchBy3))),
                List.of(new ValueInfoProto("z", new TypeProto(TensorProto.FLOAT, null))),
                List.of(new ValueInfoProto("y", new TypeProto(TensorProto.FLOAT, TensorShapeProto.of(4, 2)))));
        return new ModelProto(8, List.of(new OperatorSetIdProto("", 17), new OperatorSetIdProto("dev.kiln", 1)),
                "kiln", "0.1", "dev.kiln", 3, "a test model", graph);
    }

    @Test
    void aModelReadsBackEqualToWhatWasWritten() throws IOException {
        ModelProto model = model();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        model.write(out);

        ModelProto read = ModelProto.parse(out.toByteArray());

        assertEquals(model, read);
        assertEquals(out.size(), model.serializedSize());
    }

    @Test
    void writingWhatWasReadGivesTheSameBytes() throws IOException {
        byte[] first = bytes(model());

        byte[] second = bytes(ModelProto.parse(first));

        assertArrayEquals(first, second);
    }

    @Test
    void aSymbolicDimensionKeepsItsNameAndAFixedOneItsSize() throws IOException {
        TensorShapeProto shape = new TensorShapeProto(
                List.of(TensorShapeProto.Dimension.symbolic("batch"), TensorShapeProto.Dimension.of(0)));

        TensorShapeProto read = TensorShapeProto.parse(CodedInputStream.newInstance(bytes(shape)));

        assertTrue(read.dims().get(0).isSymbolic());
        assertEquals("batch", read.dims().get(0).param());
        assertEquals(0, read.dims().get(1).value());
        assertTrue(!read.dims().get(1).isSymbolic());
    }

    @Test
    void tensorsOfEachTypeKeepTheirValues() throws IOException {
        TensorProto f = TensorProto.ofFloats("f", new long[] {3}, 1.5f, Float.NaN, -0f);
        TensorProto d = TensorProto.ofDoubles("d", new long[] {1, 2}, Math.PI, -1e300);
        TensorProto l = TensorProto.ofLongs("l", new long[] {2}, Long.MIN_VALUE, 7);
        TensorProto i = TensorProto.ofInts("i", new long[] {}, -5);

        assertArrayEquals(f.floats(), TensorProto.parse(CodedInputStream.newInstance(bytes(f))).floats());
        assertArrayEquals(d.doubles(), TensorProto.parse(CodedInputStream.newInstance(bytes(d))).doubles());
        assertArrayEquals(l.longs(), TensorProto.parse(CodedInputStream.newInstance(bytes(l))).longs());
        TensorProto scalar = TensorProto.parse(CodedInputStream.newInstance(bytes(i)));
        assertArrayEquals(new int[] {-5}, scalar.ints());
        assertArrayEquals(new long[0], scalar.dims());
    }

    @Test
    void packedTypedFieldsReadAsTheSameValuesAsRawData() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeInt64(1, 2);
            out.writeInt32(2, TensorProto.FLOAT);
            out.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(8);
            out.writeFloatNoTag(0.25f);
            out.writeFloatNoTag(-3f);
        });

        assertArrayEquals(new float[] {0.25f, -3f}, TensorProto.parse(in).floats());
    }

    @Test
    void unpackedTypedFieldsReadOneElementPerTag() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeInt64(1, 3);
            out.writeInt32(2, TensorProto.INT64);
            out.writeInt64(7, -1);
            out.writeInt64(7, 1L << 40);
            out.writeInt64(7, 0);
        });

        assertArrayEquals(new long[] {-1, 1L << 40, 0}, TensorProto.parse(in).longs());
    }

    @Test
    void doubleAndInt32DataBecomeLittleEndianRawData() throws IOException {
        CodedInputStream doubles = fields(out -> {
            out.writeInt64(1, 1);
            out.writeInt32(2, TensorProto.DOUBLE);
            out.writeDouble(10, 2.5);
        });
        CodedInputStream bytes = fields(out -> {
            out.writeInt64(1, 2);
            out.writeInt32(2, TensorProto.INT8);
            out.writeInt32(5, -2);
            out.writeInt32(5, 100);
        });

        assertArrayEquals(new double[] {2.5}, TensorProto.parse(doubles).doubles());
        TensorProto int8 = TensorProto.parse(bytes);
        assertEquals(-2, int8.rawData().get(0));
        assertEquals(100, int8.rawData().get(1));
    }

    @Test
    void packedIntsAttributeReadsAsUnpackedOnesDo() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeString(1, "pads");
            out.writeTag(8, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(3);
            out.writeInt64NoTag(1);
            out.writeInt64NoTag(2);
            out.writeInt64NoTag(3);
            out.writeEnum(20, AttributeProto.Type.INTS.code);
        });

        assertEquals(AttributeProto.ofInts("pads", 1, 2, 3), AttributeProto.parse(in));
    }

    @Test
    void unknownFieldsAreSkipped() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeString(99, "from a later IR version");
            out.writeString(1, "");
            out.writeInt64(2, 13);
        });

        assertEquals(new OperatorSetIdProto("", 13), OperatorSetIdProto.parse(in));
    }

    @Test
    void readingAnAttributeAsAnotherKindNamesBoth() {
        AttributeProto alpha = AttributeProto.ofFloat("alpha", 0.1f);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, alpha::i);

        assertEquals("attribute 'alpha' is FLOAT, not INT", e.getMessage());
    }

    @Test
    void aTensorWhoseBytesDoNotFitItsShapeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorProto("w", TensorProto.FLOAT, new long[] {2, 2}, new byte[12]));

        assertEquals("tensor 'w' of type 1 and shape [2, 2] needs 16 bytes, got 12", e.getMessage());
    }

    @Test
    void aTensorWithExternalDataIsRejected() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeInt32(2, TensorProto.FLOAT);
            out.writeString(8, "big");
            out.writeEnum(14, 1);
        });

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorProto.parse(in));

        assertTrue(e.getMessage().startsWith("tensor 'big' keeps its data in an external file"), e.getMessage());
    }

    @Test
    void aTensorOfAnUndefinedTypeIsRejectedNamingIt() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeInt64(1, 2);
            out.writeString(8, "w");
            out.writeInt32(5, 7);
            out.writeInt32(5, 8);
        });

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorProto.parse(in));

        assertEquals("tensor 'w' of type 0 and shape [2]: ONNX data type 0 has no fixed element size",
                e.getMessage());
    }

    @Test
    void aTensorWithANegativeDimensionIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorProto("w", TensorProto.FLOAT, new long[] {-2, -2}, new byte[16]));

        assertEquals("tensor 'w' of type 1 and shape [-2, -2] has a negative dimension", e.getMessage());
    }

    @Test
    void aTensorWhoseByteCountOverflowsIsRejectedRatherThanWrappedRound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorProto("w", TensorProto.INT8, new long[] {1L << 32, 1L << 32}, new byte[0]));

        assertEquals("tensor 'w' of type 3 and shape [4294967296, 4294967296] holds more than 9223372036854775807 "
                + "bytes", e.getMessage());
    }

    @Test
    void aTensorAttributeWithoutATensorIsRejectedNamingIt() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeString(1, "value");
            out.writeEnum(20, 4);
        });

        IOException e = assertThrows(IOException.class, () -> AttributeProto.parse(in));

        assertEquals("attribute 'value' is of type TENSOR but holds no tensor", e.getMessage());
    }

    @Test
    void messagesPastProtobufsTwoGibLimitAreRefusedRatherThanGivenAWrappedSize() {
        ProtoMessage big = new ProtoMessage() {
            @Override
            public void writeTo(CodedOutputStream out) {
                throw new AssertionError("not written");
            }

            @Override
            public int serializedSize() {
                return 1_500_000_000;
            }
        };

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Proto.messagesSize(5, List.of(big, big)));

        assertTrue(e.getMessage().startsWith("ONNX: the model needs 3000000012 bytes, past protobuf's limit of "
                + "2147483647 bytes (2 GiB)"), e.getMessage());
    }

    @Test
    void uint32ElementsInUint64DataBecomeFourBytesEach() throws IOException {
        CodedInputStream in = fields(out -> {
            out.writeInt64(1, 2);
            out.writeInt32(2, TensorProto.UINT32);
            out.writeUInt64(11, 7);
            out.writeUInt64(11, 4_000_000_000L);
        });

        TensorProto t = TensorProto.parse(in);

        assertEquals(8, t.rawData().remaining());
        assertEquals(7, t.rawData().getInt(0));
        assertEquals(4_000_000_000L, Integer.toUnsignedLong(t.rawData().getInt(4)));
    }
}
