package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.List;

/** Wire-format helpers shared by the ONNX message types: nested and repeated messages, optional strings. */
final class Proto {
    private Proto() {
    }

    /** Reads one nested message: its length, then {@code reader} within that limit. */
    interface Reader<T> {
        T read(CodedInputStream in) throws IOException;
    }

    static void writeMessage(CodedOutputStream out, int field, ProtoMessage message) throws IOException {
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(message.serializedSize());
        message.writeTo(out);
    }

    /** Protobuf's limit on a message, and so on an ONNX file without external data. */
    static final long MAX_SIZE = Integer.MAX_VALUE;

    /**
     * {@code size} as a message's int size.
     *
     * @throws IllegalArgumentException when it is past protobuf's 2 GiB limit, where an int size would wrap round and
     *     the file be written with wrong lengths
     */
    static int checkedSize(long size) {
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("ONNX: the model needs " + size + " bytes, past protobuf's limit of "
                    + MAX_SIZE + " bytes (2 GiB) for an ONNX file; ONNX keeps larger weights in external data files, "
                    + "which Kiln does not write");
        }
        return (int) size;
    }

    static int messageSize(int field, ProtoMessage message) {
        int size = message.serializedSize();
        long tagAndLength = CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size);
        return checkedSize(tagAndLength + size);
    }

    static void writeMessages(CodedOutputStream out, int field, List<? extends ProtoMessage> messages)
            throws IOException {
        for (ProtoMessage m : messages) {
            writeMessage(out, field, m);
        }
    }

    static int messagesSize(int field, List<? extends ProtoMessage> messages) {
        long size = 0;
        for (ProtoMessage m : messages) {
            size += messageSize(field, m);
        }
        return checkedSize(size);
    }

    /** Writes a string field unless it is empty (proto2's absent optional). */
    static void writeString(CodedOutputStream out, int field, String value) throws IOException {
        if (!value.isEmpty()) {
            out.writeString(field, value);
        }
    }

    static int stringSize(int field, String value) {
        return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
    }

    static void writeStrings(CodedOutputStream out, int field, List<String> values) throws IOException {
        for (String v : values) {
            out.writeString(field, v);
        }
    }

    static int stringsSize(int field, List<String> values) {
        int size = 0;
        for (String v : values) {
            size += CodedOutputStream.computeStringSize(field, v);
        }
        return size;
    }

    static <T> T readMessage(CodedInputStream in, Reader<T> reader) throws IOException {
        int length = in.readRawVarint32();
        int oldLimit = in.pushLimit(length);
        T message = reader.read(in);
        in.checkLastTagWas(0);
        in.popLimit(oldLimit);
        return message;
    }

    /** Whether a tag carries a packed repeated field (length-delimited) rather than one element. */
    static boolean isPacked(int tag) {
        return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    /** Reads one element of a repeated scalar field. */
    interface ElementReader {
        void read() throws IOException;
    }

    /**
     * Reads a repeated scalar field's elements under {@code tag}: all of a packed run, or the one element an unpacked
     * tag holds (proto2 writers use either).
     */
    static void readRepeated(CodedInputStream in, int tag, ElementReader element) throws IOException {
        if (!isPacked(tag)) {
            element.read();
            return;
        }
        int oldLimit = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
            element.read();
        }
        in.popLimit(oldLimit);
    }
}
