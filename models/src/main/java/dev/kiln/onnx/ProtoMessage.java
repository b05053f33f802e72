package dev.kiln.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;

/**
 * An ONNX message that writes itself in the protobuf wire format. The size is computed before writing so that a
 * nested message is written straight into its parent's stream (a length prefix, then the fields) instead of being
 * serialised into a byte array first: a model's weights are copied once, not once per nesting level.
 */
interface ProtoMessage {
    /** Writes the message's fields (without a length prefix). */
    void writeTo(CodedOutputStream out) throws IOException;

    /** The number of bytes {@link #writeTo} writes. */
    int serializedSize();
}
