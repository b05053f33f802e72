package dev.kiln.train;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * TensorBoard's {@code Event} messages in protobuf's wire format, written field by field with
 * {@link CodedOutputStream} (no generated TensorFlow classes), fields in number order as protobuf writes them. Only the
 * fields PyTorch's {@code SummaryWriter} fills for {@code add_scalar}, {@code add_histogram}, {@code add_image},
 * {@code add_text}, {@code add_onnx_graph} and {@code purge_step} are written; the plugins' summaries of
 * {@code add_hparams}, {@code add_pr_curve}, the graph, {@code add_audio}, {@code add_custom_scalars} and
 * {@code add_mesh} are built by {@link TensorBoardHparams}, {@link TensorBoardPrCurve}, {@link TensorBoardGraph},
 * {@link TensorBoardAudio}, {@link TensorBoardCustomScalars} and {@link TensorBoardMesh} from the pieces here.
 */
final class TensorBoardEvent {
    // Event
    private static final int WALL_TIME = 1;
    private static final int STEP = 2;
    private static final int FILE_VERSION = 3;
    private static final int SUMMARY = 5;
    private static final int SOURCE_METADATA = 10;
    // SourceMetadata
    private static final int WRITER = 1;
    // Summary
    private static final int VALUE = 1;
    // Summary.Value
    private static final int TAG = 1;
    private static final int SIMPLE_VALUE = 2;
    private static final int IMAGE = 4;
    private static final int HISTO = 5;
    static final int TENSOR = 8;
    static final int METADATA = 9;
    // HistogramProto
    private static final int MIN = 1;
    private static final int MAX = 2;
    private static final int NUM = 3;
    private static final int SUM = 4;
    private static final int SUM_SQUARES = 5;
    private static final int BUCKET_LIMIT = 6;
    private static final int BUCKET = 7;
    // Summary.Image
    private static final int HEIGHT = 1;
    private static final int WIDTH = 2;
    private static final int COLORSPACE = 3;
    private static final int ENCODED_IMAGE_STRING = 4;
    // TensorProto, TensorShapeProto and its Dim, SummaryMetadata and its PluginData
    private static final int DTYPE = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int STRING_VAL = 8;
    private static final int DIM = 2;
    private static final int DIM_SIZE = 1;
    private static final int DT_STRING = 7;
    private static final int PLUGIN_DATA = 1;
    private static final int PLUGIN_NAME = 1;
    private static final int CONTENT = 2;
    // Event's graph and session log, SessionLog's status
    private static final int GRAPH_DEF = 4;
    private static final int SESSION_LOG = 7;
    private static final int STATUS = 1;
    private static final int START = 1;

    /** The version TensorBoard reads from the first event of a file. */
    static final String VERSION = "brain.Event:2";

    private TensorBoardEvent() {
    }

    /** Writes one message's fields. */
    interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    /** The first event of a file: the format's version and the program that wrote it. */
    static byte[] fileVersion(double wallTime, String writer) {
        return message(out -> {
            out.writeDouble(WALL_TIME, wallTime);
            out.writeString(FILE_VERSION, VERSION);
            out.writeByteArray(SOURCE_METADATA, message(m -> m.writeString(WRITER, writer)));
        });
    }

    /** A scalar, as a float: {@code simple_value} is one, as in PyTorch's {@code add_scalar}. */
    static byte[] scalar(double wallTime, long step, String tag, float value) {
        // simple_value is in Value's oneof, which protobuf writes even at 0: TensorBoard takes a value without it for
        // no scalar at all.
        return summary(wallTime, step, value(tag, out -> out.writeFloat(SIMPLE_VALUE, value)));
    }

    static byte[] histogram(double wallTime, long step, String tag, TensorBoardHistogram h) {
        byte[] histo = message(out -> {
            nonZeroDouble(out, MIN, h.min());
            nonZeroDouble(out, MAX, h.max());
            nonZeroDouble(out, NUM, h.num());
            nonZeroDouble(out, SUM, h.sum());
            nonZeroDouble(out, SUM_SQUARES, h.sumSquares());
            packedDoubles(out, BUCKET_LIMIT, h.bucketLimit());
            packedDoubles(out, BUCKET, h.bucket());
        });
        return summary(wallTime, step, value(tag, out -> out.writeByteArray(HISTO, histo)));
    }

    /** An image: its PNG bytes, and its size and channels ({@code colorspace}: 1 grey, 3 RGB, 4 RGBA). */
    static byte[] image(double wallTime, long step, String tag, int height, int width, int channels, byte[] png) {
        byte[] image = message(out -> {
            out.writeInt32(HEIGHT, height);
            out.writeInt32(WIDTH, width);
            out.writeInt32(COLORSPACE, channels);
            out.writeBytes(ENCODED_IMAGE_STRING, ByteString.copyFrom(png));
        });
        return summary(wallTime, step, value(tag, out -> out.writeByteArray(IMAGE, image)));
    }

    /**
     * Text for TensorBoard's text plugin, as PyTorch's {@code add_text} writes it: a string tensor of one element under
     * {@code tag + "/text_summary"}.
     */
    static byte[] text(double wallTime, long step, String tag, String text) {
        byte[] shape = message(out -> out.writeByteArray(DIM, message(d -> d.writeInt64(DIM_SIZE, 1))));
        byte[] tensor = message(out -> {
            out.writeEnum(DTYPE, DT_STRING);
            out.writeByteArray(TENSOR_SHAPE, shape);
            out.writeByteArray(STRING_VAL, text.getBytes(StandardCharsets.UTF_8));
        });
        // TextPluginData(version=0) is all defaults, so its bytes, the plugin's content, are empty and left out.
        byte[] metadata = pluginMetadata("text", new byte[0]);
        return summary(wallTime, step, value(tag + "/text_summary", out -> {
            out.writeByteArray(TENSOR, tensor);
            out.writeByteArray(METADATA, metadata);
        }));
    }

    /** A {@code SummaryMetadata} naming the plugin that reads the value, with its content (none: left out). */
    static byte[] pluginMetadata(String plugin, byte[] content) {
        return message(out -> out.writeByteArray(PLUGIN_DATA, message(p -> {
            p.writeString(PLUGIN_NAME, plugin);
            if (content.length > 0) {
                p.writeByteArray(CONTENT, content);
            }
        })));
    }

    /** A model's graph: a serialized {@code GraphDef}, at no step, as PyTorch's {@code add_onnx_graph} writes it. */
    static byte[] graph(double wallTime, byte[] graphDef) {
        return message(out -> {
            out.writeDouble(WALL_TIME, wallTime);
            out.writeByteArray(GRAPH_DEF, graphDef);
        });
    }

    /**
     * The two events of PyTorch's {@code purge_step}, after the file's version: the version again at the step, then
     * a session log START at the step, which tells TensorBoard to drop the events at this step and later that earlier
     * files of the run hold.
     */
    static byte[][] purge(double wallTime, long step) {
        byte[] version = message(out -> {
            out.writeDouble(WALL_TIME, wallTime);
            stepField(out, step);
            out.writeString(FILE_VERSION, VERSION);
        });
        byte[] start = message(out -> {
            out.writeDouble(WALL_TIME, wallTime);
            stepField(out, step);
            out.writeByteArray(SESSION_LOG, message(l -> l.writeEnum(STATUS, START)));
        });
        return new byte[][] {version, start};
    }

    static byte[] value(String tag, Fields rest) {
        return message(out -> {
            out.writeString(TAG, tag);
            rest.write(out);
        });
    }

    /** An event of one summary value; step 0, proto3's default, is left out as protobuf leaves it. */
    static byte[] summary(double wallTime, long step, byte[] value) {
        return message(out -> {
            out.writeDouble(WALL_TIME, wallTime);
            stepField(out, step);
            out.writeByteArray(SUMMARY, message(s -> s.writeByteArray(VALUE, value)));
        });
    }

    private static void stepField(CodedOutputStream out, long step) throws IOException {
        if (step != 0) {
            out.writeInt64(STEP, step);
        }
    }

    /** A double field, left out when +0.0 (proto3's default) as protobuf leaves it out; -0.0 is written. */
    private static void nonZeroDouble(CodedOutputStream out, int field, double value) throws IOException {
        if (Double.doubleToRawLongBits(value) != 0) {
            out.writeDouble(field, value);
        }
    }

    /** A repeated double, packed as proto3 packs it; none: nothing. */
    private static void packedDoubles(CodedOutputStream out, int field, double[] values) throws IOException {
        if (values.length == 0) {
            return;
        }
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(values.length * Double.BYTES);
        for (double v : values) {
            out.writeDoubleNoTag(v);
        }
    }

    static byte[] message(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            fields.write(out);
            out.flush();
        } catch (IOException e) {
            // A byte array does not fail to grow; this is CodedOutputStream's checked signature.
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** An event of several summary values, in order (PyTorch's {@code add_mesh}). */
    static byte[] summary(double wallTime, long step, List<byte[]> values) {
        return message(out -> {
            out.writeDouble(WALL_TIME, wallTime);
            stepField(out, step);
            out.writeByteArray(SUMMARY, message(s -> {
                for (byte[] value : values) {
                    s.writeByteArray(VALUE, value);
                }
            }));
        });
    }
}
