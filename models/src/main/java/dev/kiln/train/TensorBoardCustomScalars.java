package dev.kiln.train;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * PyTorch 1.13's {@code add_custom_scalars}: the custom_scalars plugin's {@code Layout} (categories of charts, in the
 * maps' order) as a string tensor of no shape under the tag {@code custom_scalars__config__}, at no step. TensorBoard
 * uses a run's last layout.
 */
final class TensorBoardCustomScalars {
    static final String TAG = "custom_scalars__config__";
    // Layout, Category, Chart, MultilineChartContent, MarginChartContent and its Series
    private static final int CATEGORY = 2;
    private static final int TITLE = 1;
    private static final int CHART = 2;
    private static final int MULTILINE = 2;
    private static final int MARGIN = 3;
    private static final int TAGS = 1;
    private static final int SERIES = 1;
    private static final int VALUE = 1;
    private static final int LOWER = 2;
    private static final int UPPER = 3;
    // TensorProto
    private static final int DTYPE = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int STRING_VAL = 8;
    private static final int DT_STRING = 7;

    private TensorBoardCustomScalars() {
    }

    static byte[] event(double wallTime, Map<String, Map<String, CustomScalarChart>> layout) {
        byte[] bytes = TensorBoardEvent.message(out -> {
            for (Map.Entry<String, Map<String, CustomScalarChart>> category : layout.entrySet()) {
                out.writeByteArray(CATEGORY, TensorBoardEvent.message(c -> {
                    string(c, TITLE, category.getKey());
                    for (Map.Entry<String, CustomScalarChart> chart : category.getValue().entrySet()) {
                        c.writeByteArray(CHART, chart(chart.getKey(), chart.getValue()));
                    }
                }));
            }
        });
        byte[] tensor = TensorBoardEvent.message(out -> {
            out.writeEnum(DTYPE, DT_STRING);
            // An empty shape (a scalar), which PyTorch sets and protobuf therefore writes.
            out.writeByteArray(TENSOR_SHAPE, new byte[0]);
            out.writeByteArray(STRING_VAL, bytes);
        });
        byte[] metadata = TensorBoardEvent.pluginMetadata("custom_scalars", new byte[0]);
        return TensorBoardEvent.summary(wallTime, 0, TensorBoardEvent.value(TAG, out -> {
            out.writeByteArray(TensorBoardEvent.TENSOR, tensor);
            out.writeByteArray(TensorBoardEvent.METADATA, metadata);
        }));
    }

    private static byte[] chart(String title, CustomScalarChart chart) {
        List<String> tags = chart.tags();
        return TensorBoardEvent.message(out -> {
            string(out, TITLE, title);
            if (chart.margin()) {
                out.writeByteArray(MARGIN, TensorBoardEvent.message(m -> m.writeByteArray(SERIES,
                        TensorBoardEvent.message(s -> {
                            string(s, VALUE, tags.get(0));
                            string(s, LOWER, tags.get(1));
                            string(s, UPPER, tags.get(2));
                        }))));
            } else {
                out.writeByteArray(MULTILINE, TensorBoardEvent.message(m -> {
                    for (String tag : tags) {
                        m.writeString(TAGS, tag);
                    }
                }));
            }
        });
    }

    /** A string field, left out when empty (proto3's default) as protobuf leaves it out; a repeated one is not. */
    private static void string(CodedOutputStream out, int field, String value) throws IOException {
        if (!value.isEmpty()) {
            out.writeString(field, value);
        }
    }
}
