package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads TensorBoard event files in the tests: the TFRecords (checking both CRCs of each, as TensorBoard does) and the
 * protobuf fields of a message by number, so that the tests depend on no generated TensorFlow classes.
 */
public final class EventFileReader {
    private EventFileReader() {
    }

    /** The data of every record in {@code file}'s bytes, in order. */
    public static List<byte[]> records(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> records = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] length = new byte[Long.BYTES];
            in.get(length);
            assertEquals(TfRecord.maskedCrc32c(length), in.getInt(), "the masked CRC of record " + records.size()
                    + "'s length");
            byte[] data = new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            in.get(data);
            assertEquals(TfRecord.maskedCrc32c(data), in.getInt(), "the masked CRC of record " + records.size());
            records.add(data);
        }
        return records;
    }

    /**
     * A message's fields by number, each a list of its values in order: Long for varints and 64-bit fields (the
     * bits), Integer for 32-bit fields (the bits), byte[] for length-delimited ones.
     */
    public static Map<Integer, List<Object>> fields(byte[] message) {
        Map<Integer, List<Object>> fields = new LinkedHashMap<>();
        CodedInputStream in = CodedInputStream.newInstance(message);
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                Object value = switch (WireFormat.getTagWireType(tag)) {
                    case WireFormat.WIRETYPE_VARINT -> in.readInt64();
                    case WireFormat.WIRETYPE_FIXED64 -> in.readFixed64();
                    case WireFormat.WIRETYPE_FIXED32 -> in.readFixed32();
                    case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readByteArray();
                    default -> throw new AssertionError("unexpected wire type in tag " + tag);
                };
                fields.computeIfAbsent(WireFormat.getTagFieldNumber(tag), k -> new ArrayList<>()).add(value);
            }
        } catch (IOException e) {
            throw new AssertionError("not a protobuf message: " + Arrays.toString(message), e);
        }
        return fields;
    }

    /** The one value of field {@code number}, or null when absent. */
    public static Object field(byte[] message, int number) {
        List<Object> values = fields(message).get(number);
        if (values == null) {
            return null;
        }
        assertEquals(1, values.size(), "values of field " + number);
        return values.get(0);
    }

    public static byte[] bytes(byte[] message, int number) {
        return (byte[]) field(message, number);
    }

    public static String string(byte[] message, int number) {
        byte[] b = bytes(message, number);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** An event's step (field 2; 0 when absent, proto3's default). */
    public static long step(byte[] event) {
        Object step = field(event, 2);
        return step == null ? 0 : (Long) step;
    }

    /** An event's summary values (Event.summary = 5, Summary.value = 1); none for an event without a summary. */
    public static List<byte[]> values(byte[] event) {
        byte[] summary = bytes(event, 5);
        if (summary == null) {
            return List.of();
        }
        return fields(summary).getOrDefault(1, List.of()).stream().map(v -> (byte[]) v).toList();
    }

    /** A summary value's simple_value (field 2, a float). */
    public static float simpleValue(byte[] value) {
        Object bits = field(value, 2);
        return bits == null ? 0f : Float.intBitsToFloat((Integer) bits);
    }

    /** A summary value's tag. */
    public static String tag(byte[] value) {
        return string(value, 1);
    }
}
