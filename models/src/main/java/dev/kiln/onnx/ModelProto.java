package dev.kiln.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX's {@code ModelProto}, the root of an {@code .onnx} file: the IR version, the operator sets the graph uses,
 * who produced it, and the graph. {@link #write(OutputStream)} and {@link #parse(InputStream)} read and write the
 * protobuf wire format; fields Kiln does not model (metadata, training info, functions) are skipped when parsing.
 */
public record ModelProto(long irVersion, List<OperatorSetIdProto> opsetImports, String producerName,
        String producerVersion, String domain, long modelVersion, String docString, GraphProto graph)
        implements ProtoMessage {
    private static final int IR_VERSION = 1;
    private static final int PRODUCER_NAME = 2;
    private static final int PRODUCER_VERSION = 3;
    private static final int DOMAIN = 4;
    private static final int MODEL_VERSION = 5;
    private static final int DOC_STRING = 6;
    private static final int GRAPH = 7;
    private static final int OPSET_IMPORT = 8;

    public ModelProto {
        opsetImports = List.copyOf(opsetImports);
        producerName = producerName == null ? "" : producerName;
        producerVersion = producerVersion == null ? "" : producerVersion;
        domain = domain == null ? "" : domain;
        docString = docString == null ? "" : docString;
    }

    /** Writes the model to {@code out} (which stays open). */
    public void write(OutputStream out) throws IOException {
        CodedOutputStream coded = CodedOutputStream.newInstance(out, 1 << 16);
        writeTo(coded);
        coded.flush();
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        out.writeInt64(IR_VERSION, irVersion);
        Proto.writeString(out, PRODUCER_NAME, producerName);
        Proto.writeString(out, PRODUCER_VERSION, producerVersion);
        Proto.writeString(out, DOMAIN, domain);
        if (modelVersion != 0) {
            out.writeInt64(MODEL_VERSION, modelVersion);
        }
        Proto.writeString(out, DOC_STRING, docString);
        if (graph != null) {
            Proto.writeMessage(out, GRAPH, graph);
        }
        Proto.writeMessages(out, OPSET_IMPORT, opsetImports);
    }

    @Override
    public int serializedSize() {
        return Proto.checkedSize((long) CodedOutputStream.computeInt64Size(IR_VERSION, irVersion)
                + Proto.stringSize(PRODUCER_NAME, producerName) + Proto.stringSize(PRODUCER_VERSION, producerVersion)
                + Proto.stringSize(DOMAIN, domain)
                + (modelVersion == 0 ? 0 : CodedOutputStream.computeInt64Size(MODEL_VERSION, modelVersion))
                + Proto.stringSize(DOC_STRING, docString) + (graph == null ? 0 : Proto.messageSize(GRAPH, graph))
                + Proto.messagesSize(OPSET_IMPORT, opsetImports));
    }

    /** Reads a whole model from {@code in}, to its end. */
    public static ModelProto parse(InputStream in) throws IOException {
        return parse(CodedInputStream.newInstance(in));
    }

    public static ModelProto parse(byte[] bytes) throws IOException {
        return parse(CodedInputStream.newInstance(bytes));
    }

    /**
     * Reads the model in {@code file}.
     *
     * @throws IOException naming the file when it cannot be read or is not in the protobuf wire format (truncated,
     *     say)
     * @throws IllegalArgumentException naming the file and the tensor when a tensor's bytes do not fit its type and
     *     shape, or it keeps them in an external file
     */
    public static ModelProto parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not a readable ONNX model: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static ModelProto parse(CodedInputStream in) throws IOException {
        long irVersion = 0;
        List<OperatorSetIdProto> opsets = new ArrayList<>();
        String producerName = "";
        String producerVersion = "";
        String domain = "";
        long modelVersion = 0;
        String docString = "";
        GraphProto graph = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case IR_VERSION -> irVersion = in.readInt64();
                case PRODUCER_NAME -> producerName = in.readString();
                case PRODUCER_VERSION -> producerVersion = in.readString();
                case DOMAIN -> domain = in.readString();
                case MODEL_VERSION -> modelVersion = in.readInt64();
                case DOC_STRING -> docString = in.readString();
                case GRAPH -> graph = Proto.readMessage(in, GraphProto::parse);
                case OPSET_IMPORT -> opsets.add(Proto.readMessage(in, OperatorSetIdProto::parse));
                default -> in.skipField(tag);
            }
        }
        return new ModelProto(irVersion, opsets, producerName, producerVersion, domain, modelVersion, docString,
                graph);
    }
}
