package dev.kiln.onnx.importer;

import static dev.kiln.onnx.importer.OnnxImportOneNodeOrtTest.assertAgrees;

import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Conv, ConvTranspose and the pools over volumes ([N, C, D, H, W]) in the forms torch does not export (uneven pads,
 * auto_pad, output_shape, dilated and ceil-mode windows that start in the padding, LpPool), as one-node graphs held to
 * ONNX Runtime's outputs as {@link OnnxImportOneNodeOrtTest} holds them.
 */
@Tag("onnxruntime")
class OnnxImportVolumesOrtTest {
    private static final int[] INPUT = {1, 4, 5, 6, 7};

    private static float[] weights(int n, double phase) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (0.5 * Math.sin(0.9 * k + phase));
        }
        return v;
    }

    /** One node of {@code op} on x [1, 4, 5, 6, 7], with weight W of {@code weight}'s shape and a bias B if asked. */
    private static ModelProto node(String op, long opset, long[] weight, boolean bias, AttributeProto... attributes) {
        List<TensorProto> initializers = new ArrayList<>();
        List<String> inputs = new ArrayList<>(List.of("x"));
        if (weight != null) {
            int count = 1;
            for (long d : weight) {
                count *= (int) d;
            }
            initializers.add(TensorProto.ofFloats("W", weight, weights(count, 0.3)));
            inputs.add("W");
            int outputs = (int) (op.equals("ConvTranspose") ? weight[1] * group(attributes) : weight[0]);
            if (bias) {
                initializers.add(TensorProto.ofFloats("B", new long[] {outputs}, weights(outputs, 1.1)));
                inputs.add("B");
            }
        }
        NodeProto node = OnnxGraphs.node(op, inputs, "y", attributes);
        return OnnxGraphs.model(opset, List.of(node), initializers, List.of(OnnxGraphs.value("x", 1, 4, 5, 6, 7)),
                List.of(OnnxGraphs.value("y")));
    }

    private static long group(AttributeProto... attributes) {
        for (AttributeProto a : attributes) {
            if (a.name().equals("group")) {
                return a.i();
            }
        }
        return 1;
    }

    private static ModelProto pool(String op, long opset, AttributeProto... attributes) {
        return node(op, opset, null, false, attributes);
    }

    @Test
    void groupedStridedDilatedConvOverUnevenPadsGivesOrtsOutput() throws Exception {
        assertAgrees(node("Conv", 17, new long[] {6, 2, 2, 3, 2}, true, AttributeProto.ofInt("group", 2),
                AttributeProto.ofInts("strides", 1, 2, 1), AttributeProto.ofInts("dilations", 2, 1, 1),
                AttributeProto.ofInts("pads", 1, 0, 2, 0, 1, 1)), INPUT);
    }

    @Test
    void convWithSameLowerGivesOrtsOutput() throws Exception {
        assertAgrees(node("Conv", 17, new long[] {3, 4, 3, 2, 3}, false, AttributeProto.ofString("auto_pad",
                "SAME_LOWER"), AttributeProto.ofInts("strides", 2, 2, 3)), INPUT);
    }

    @Test
    void groupedDilatedConvTransposeWithUnevenPadsAndOutputPaddingGivesOrtsOutput() throws Exception {
        assertAgrees(node("ConvTranspose", 17, new long[] {4, 3, 2, 3, 2}, true, AttributeProto.ofInt("group", 2),
                AttributeProto.ofInts("strides", 2, 1, 2), AttributeProto.ofInts("dilations", 1, 2, 1),
                AttributeProto.ofInts("pads", 0, 1, 1, 1, 0, 0), AttributeProto.ofInts("output_padding", 1, 0, 1)),
                INPUT);
    }

    @Test
    void convTransposeToAnOutputShapeGivesOrtsOutput() throws Exception {
        assertAgrees(node("ConvTranspose", 17, new long[] {4, 2, 3, 3, 2}, false,
                AttributeProto.ofInts("strides", 2, 2, 1), AttributeProto.ofString("auto_pad", "SAME_UPPER"),
                AttributeProto.ofInts("output_shape", 10, 11, 7)), INPUT);
    }

    @Test
    void dilatedMaxPoolInCeilModeOverUnevenPadsGivesOrtsOutput() throws Exception {
        assertAgrees(pool("MaxPool", 17, AttributeProto.ofInts("kernel_shape", 2, 3, 2),
                AttributeProto.ofInts("strides", 2, 1, 2), AttributeProto.ofInts("pads", 0, 1, 1, 1, 1, 0),
                AttributeProto.ofInts("dilations", 1, 1, 2), AttributeProto.ofInt("ceil_mode", 1)), INPUT);
    }

    @Test
    void dilatedMaxPoolOverEvenPadsGivesOrtsOutput() throws Exception {
        assertAgrees(pool("MaxPool", 17, AttributeProto.ofInts("kernel_shape", 3, 2, 3),
                AttributeProto.ofInts("strides", 1, 2, 2), AttributeProto.ofInts("pads", 1, 1, 1, 1, 1, 1),
                AttributeProto.ofInts("dilations", 2, 1, 1)), INPUT);
    }

    @Test
    void averagePoolInCeilModeLeavingThePadsOutGivesOrtsOutput() throws Exception {
        assertAgrees(pool("AveragePool", 17, AttributeProto.ofInts("kernel_shape", 3, 2, 3),
                AttributeProto.ofInts("strides", 2, 2, 2), AttributeProto.ofInts("pads", 1, 1, 1, 1, 1, 1),
                AttributeProto.ofInt("ceil_mode", 1)), INPUT);
    }

    @Test
    void averagePoolInCeilModeCountingUnevenPadsGivesOrtsOutput() throws Exception {
        assertAgrees(pool("AveragePool", 17, AttributeProto.ofInts("kernel_shape", 2, 3, 3),
                AttributeProto.ofInts("strides", 2, 2, 3), AttributeProto.ofInts("pads", 0, 2, 1, 1, 1, 0),
                AttributeProto.ofInt("ceil_mode", 1), AttributeProto.ofInt("count_include_pad", 1)), INPUT);
    }

    @Test
    void dilatedAveragePoolGivesOrtsOutput() throws Exception {
        assertAgrees(pool("AveragePool", 19, AttributeProto.ofInts("kernel_shape", 2, 2, 3),
                AttributeProto.ofInts("strides", 1, 2, 2), AttributeProto.ofInts("pads", 1, 0, 1, 0, 1, 1),
                AttributeProto.ofInts("dilations", 2, 1, 2)), INPUT);
    }

    @Test
    void lpPoolOverUnevenPadsGivesOrtsOutput() throws Exception {
        assertAgrees(pool("LpPool", 18, AttributeProto.ofInts("kernel_shape", 2, 3, 2),
                AttributeProto.ofInts("strides", 2, 1, 2), AttributeProto.ofInts("pads", 1, 0, 1, 0, 1, 0),
                AttributeProto.ofInt("p", 3)), INPUT);
    }

    @Test
    void globalPoolsOfVolumesGiveOrtsOutputs() throws Exception {
        assertAgrees(pool("GlobalAveragePool", 17), INPUT);
        assertAgrees(pool("GlobalMaxPool", 17), INPUT);
    }
}
