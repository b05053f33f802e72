package dev.kiln.onnx.importer;

import static dev.kiln.onnx.importer.OnnxImportOneNodeOrtTest.assertAgrees;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One-node graphs at opsets 18 to 21 (what torch 2.x's exporters and onnx's version converter write), in the forms
 * those opsets added to the op types the import reads, held to ONNX Runtime's outputs as
 * {@link OnnxImportOneNodeOrtTest} holds them; and the forms Kiln cannot honour, refused by name.
 */
@Tag("onnxruntime")
class OnnxImportNewerOpsetsOrtTest {
    private static ModelProto oneNode(long opset, NodeProto node, List<TensorProto> initializers, long... inputShape) {
        return OnnxGraphs.model(opset, List.of(node), initializers, List.of(OnnxGraphs.value("x", inputShape)),
                List.of(OnnxGraphs.value("y")));
    }

    @Test
    void averagePoolAtOpset19TakesDilations() throws Exception {
        ModelProto proto = oneNode(19, OnnxGraphs.node("AveragePool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("dilations", 2)), List.of(), 1, 2, 7);
        assertAgrees(proto, 1, 2, 7);
    }

    @Test
    void averagePoolAtOpset19TakesDilationsWithPadsLeftOutOfTheDivisors() throws Exception {
        ModelProto proto = oneNode(19, OnnxGraphs.node("AveragePool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 2, 3), AttributeProto.ofInts("dilations", 2, 2),
                AttributeProto.ofInts("strides", 1, 2), AttributeProto.ofInts("pads", 1, 0, 0, 1)), List.of(),
                1, 2, 5, 7);
        assertAgrees(proto, 1, 2, 5, 7);
    }

    @Test
    void averagePoolAtOpset19TakesDilationsWithPadsCounted() throws Exception {
        ModelProto proto = oneNode(19, OnnxGraphs.node("AveragePool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 2, 3), AttributeProto.ofInts("dilations", 2, 2),
                AttributeProto.ofInts("strides", 1, 2), AttributeProto.ofInts("pads", 1, 0, 0, 1),
                AttributeProto.ofInt("count_include_pad", 1)), List.of(), 1, 2, 5, 7);
        assertAgrees(proto, 1, 2, 5, 7);
    }

    @Test
    void averagePoolAtOpset19TakesDilationsInCeilMode() throws Exception {
        ModelProto proto = oneNode(19, OnnxGraphs.node("AveragePool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("dilations", 2),
                AttributeProto.ofInts("strides", 2), AttributeProto.ofInts("pads", 1, 0),
                AttributeProto.ofInt("ceil_mode", 1)), List.of(), 1, 2, 8);
        assertAgrees(proto, 1, 2, 8);
    }

    @Test
    void averagePoolAtOpset19TakesDilationsInCeilModeCountingPads() throws Exception {
        ModelProto proto = oneNode(19, OnnxGraphs.node("AveragePool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("dilations", 2),
                AttributeProto.ofInts("strides", 2), AttributeProto.ofInts("pads", 1, 0),
                AttributeProto.ofInt("ceil_mode", 1), AttributeProto.ofInt("count_include_pad", 1)), List.of(),
                1, 2, 8);
        assertAgrees(proto, 1, 2, 8);
    }

    @Test
    void maxPoolAtOpset21TakesDilationsAsBefore() throws Exception {
        ModelProto proto = oneNode(21, OnnxGraphs.node("MaxPool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 2, 2), AttributeProto.ofInts("dilations", 2, 3),
                AttributeProto.ofInts("pads", 1, 1, 1, 1)), List.of(), 1, 2, 5, 7);
        assertAgrees(proto, 1, 2, 5, 7);
    }

    /** Resize of x by its scales (or sizes, an I64 input), roi left out, with {@code attributes}. */
    private static ModelProto resize(long opset, TensorProto scalesOrSizes, long[] shape,
            AttributeProto... attributes) {
        boolean sizes = scalesOrSizes.dataType() == TensorProto.INT64;
        List<String> inputs = sizes ? List.of("x", "", "", "s") : List.of("x", "", "s");
        return oneNode(opset, OnnxGraphs.node("Resize", inputs, "y", attributes), List.of(scalesOrSizes), shape);
    }

    private static TensorProto scales(float... values) {
        return TensorProto.ofFloats("s", new long[] {values.length}, values);
    }

    private static TensorProto sizes(long... values) {
        return TensorProto.ofLongs("s", new long[] {values.length}, values);
    }

    private static AttributeProto mode(String mode) {
        return AttributeProto.ofString("mode", mode);
    }

    @Test
    void resizeAtOpset19WithHalfPixelSymmetricCoordinatesAgreesWhereTheScaleGivesWholeSizes() throws Exception {
        assertAgrees(resize(19, scales(1, 1, 2, 1.5f), new long[] {1, 2, 3, 4}, mode("linear"),
                AttributeProto.ofString("coordinate_transformation_mode", "half_pixel_symmetric")), 1, 2, 3, 4);
    }

    @Test
    void resizeAtOpset19WithHalfPixelSymmetricCoordinatesBySizesAgrees() throws Exception {
        assertAgrees(resize(19, sizes(1, 2, 5, 3), new long[] {1, 2, 3, 4}, mode("linear"),
                AttributeProto.ofString("coordinate_transformation_mode", "half_pixel_symmetric")), 1, 2, 3, 4);
    }

    @Test
    void resizeWithHalfPixelSymmetricCoordinatesIsRefusedWhereTheScaleLeavesAFraction() {
        ModelProto proto = resize(19, scales(1, 1, 1.5f, 1), new long[] {1, 2, 3, 4}, mode("linear"),
                AttributeProto.ofString("coordinate_transformation_mode", "half_pixel_symmetric"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.load(proto).forward(dev.kiln.engine.Tensor.zeros(1, 2, 3, 4)));
        assertEquals("ONNX import: Resize node 'Resize_node': coordinate_transformation_mode half_pixel_symmetric "
                + "with scales [1.0, 1.0, 1.5, 1.0] on [1, 2, 3, 4]: axis 2's 3 x 1.5 = 4.5 is not a whole size; "
                + "Kiln runs half_pixel_symmetric where it equals half_pixel, on whole sizes", e.getMessage());
    }

    @Test
    void resizeAtOpset18ByScalesOfTheListedAxes() throws Exception {
        assertAgrees(resize(18, scales(2, 1.5f), new long[] {1, 2, 3, 4}, mode("linear"),
                AttributeProto.ofInts("axes", 3, 2)), 1, 2, 3, 4);
    }

    @Test
    void resizeAtOpset18BySizesOfTheListedAxes() throws Exception {
        assertAgrees(resize(18, sizes(6), new long[] {1, 2, 3, 4}, mode("cubic"),
                AttributeProto.ofInts("axes", 3)), 1, 2, 3, 4);
    }

    @Test
    void resizeAtOpset18KeepingTheAspectRatioNotLarger() throws Exception {
        assertAgrees(resize(18, sizes(7, 7), new long[] {1, 2, 3, 4}, mode("linear"),
                AttributeProto.ofInts("axes", 2, 3), AttributeProto.ofString("keep_aspect_ratio_policy",
                        "not_larger")), 1, 2, 3, 4);
    }

    @Test
    void resizeAtOpset18KeepingTheAspectRatioNotSmallerOfTheListedAxes() throws Exception {
        assertAgrees(resize(18, sizes(5, 5), new long[] {1, 2, 3, 4}, mode("nearest"),
                AttributeProto.ofString("coordinate_transformation_mode", "asymmetric"),
                AttributeProto.ofString("nearest_mode", "floor"), AttributeProto.ofInts("axes", 2, 3),
                AttributeProto.ofString("keep_aspect_ratio_policy", "not_smaller")), 1, 2, 3, 4);
    }

    @Test
    void resizeAtOpset18AntialiasedLinearShrinking() throws Exception {
        assertAgrees(resize(18, scales(1, 1, 0.5f, 0.4f), new long[] {1, 2, 8, 10}, mode("linear"),
                AttributeProto.ofInt("antialias", 1), AttributeProto.ofInt("exclude_outside", 1)), 1, 2, 8, 10);
    }

    @Test
    void resizeAtOpset18AntialiasedLinearBySizes() throws Exception {
        assertAgrees(resize(18, sizes(1, 2, 3, 7), new long[] {1, 2, 8, 5}, mode("linear"),
                AttributeProto.ofInt("antialias", 1), AttributeProto.ofInt("exclude_outside", 1)), 1, 2, 8, 5);
    }

    @Test
    void resizeAtOpset18AntialiasedCubicWithPillowsCoefficientShrinking() throws Exception {
        assertAgrees(resize(18, sizes(1, 2, 4, 3), new long[] {1, 2, 9, 7}, mode("cubic"),
                AttributeProto.ofInt("antialias", 1), AttributeProto.ofFloat("cubic_coeff_a", -0.5f),
                AttributeProto.ofInt("exclude_outside", 1)), 1, 2, 9, 7);
    }

    /** ONNX Runtime's antialiased filters read the edge values outside the input there; Kiln's leave them out. */
    @Test
    void resizeAntialiasedWithTheTapsOutsideTheInputLeftInIsRefused() {
        ModelProto proto = resize(18, scales(1, 1, 0.5f, 0.75f), new long[] {1, 2, 8, 8}, mode("cubic"),
                AttributeProto.ofInt("antialias", 1), AttributeProto.ofFloat("cubic_coeff_a", -0.5f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(proto));
        assertEquals("ONNX import: Resize node 'Resize_node': exclude_outside 0 with antialias 1; Kiln resizes with "
                + "exclude_outside 0, antialiased with 1 (PyTorch's antialias)", e.getMessage());
    }

    @Test
    void resizeWithPyTorchHalfPixelCoordinatesAgreesWithHalfPixelOnes() throws Exception {
        assertAgrees(resize(18, sizes(1, 2, 5, 2), new long[] {1, 2, 3, 4}, mode("linear"),
                AttributeProto.ofString("coordinate_transformation_mode", "pytorch_half_pixel")), 1, 2, 3, 4);
    }

    @Test
    void resizeWithPyTorchHalfPixelCoordinatesToALengthOfOneIsRefused() {
        ModelProto proto = resize(18, sizes(1, 2, 1, 2), new long[] {1, 2, 3, 4}, mode("linear"),
                AttributeProto.ofString("coordinate_transformation_mode", "pytorch_half_pixel"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.load(proto).forward(dev.kiln.engine.Tensor.zeros(1, 2, 3, 4)));
        assertEquals("ONNX import: Resize node 'Resize_node': coordinate_transformation_mode pytorch_half_pixel "
                + "resizes axis 2 of [1, 2, 3, 4] to length 1; Kiln runs it where it equals half_pixel, on output axes "
                + "longer than 1", e.getMessage());
    }

    @Test
    void resizeAtOpset18AntialiasedLinearGrowing() throws Exception {
        assertAgrees(resize(18, scales(1, 1, 1.5f, 2), new long[] {1, 2, 4, 3}, mode("linear"),
                AttributeProto.ofInt("antialias", 1), AttributeProto.ofInt("exclude_outside", 1)), 1, 2, 4, 3);
    }

    @Test
    void resizeAtOpset18AntialiasedCubicGrowing() throws Exception {
        assertAgrees(resize(18, scales(1, 1, 1.5f, 2), new long[] {1, 2, 4, 3}, mode("cubic"),
                AttributeProto.ofInt("antialias", 1), AttributeProto.ofFloat("cubic_coeff_a", -0.5f),
                AttributeProto.ofInt("exclude_outside", 1)), 1, 2, 4, 3);
    }

    private static ModelProto pad(long opset, String mode, long[] pads, long... shape) {
        return oneNode(opset, OnnxGraphs.node("Pad", List.of("x", "pads"), "y", AttributeProto.ofString("mode", mode)),
                List.of(TensorProto.ofLongs("pads", new long[] {pads.length}, pads)), shape);
    }

    @Test
    void padAtOpset19WrapsAround() throws Exception {
        assertAgrees(pad(19, "wrap", new long[] {0, 0, 2, 0, 0, 1}, 1, 2, 5), 1, 2, 5);
    }

    @Test
    void padAtOpset21WrapsTwoAxesAround() throws Exception {
        assertAgrees(pad(21, "wrap", new long[] {1, 0, 2, 3}, 3, 4), 3, 4);
    }

    @Test
    void geluAtOpset20() throws Exception {
        assertAgrees(oneNode(20, OnnxGraphs.node("Gelu", List.of("x"), "y"), List.of(), 2, 5), 2, 5);
    }

    @Test
    void geluAtOpset20WithTheTanhApproximation() throws Exception {
        assertAgrees(oneNode(20, OnnxGraphs.node("Gelu", List.of("x"), "y",
                AttributeProto.ofString("approximate", "tanh")), List.of(), 2, 5), 2, 5);
    }

    /**
     * A graph of the ops opset 21 gave new versions (Flatten, Transpose, Squeeze, Unsqueeze, Reshape, Cast, Pad,
     * Shape, ConstantOfShape, Identity) and of those that take their axes as inputs from opset 18 (ReduceMax, Split by
     * num_outputs), on x [2, 3, 4].
     */
    private static NodeProto named(String name, String op, List<String> inputs, String output,
            AttributeProto... attributes) {
        return new NodeProto(inputs, List.of(output), name, op, "", List.of(attributes));
    }

    @Test
    void aGraphOfTheOpsOpset21VersionedRunsAsInOrt() throws Exception {
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(OnnxGraphs.node("Transpose", List.of("x"), "t", AttributeProto.ofInts("perm", 0, 2, 1)));
        nodes.add(OnnxGraphs.node("ReduceMax", List.of("t", "axis2"), "m"));
        nodes.add(new NodeProto(List.of("m"), List.of("a", "b"), "split", "Split", "",
                List.of(AttributeProto.ofInt("axis", 1), AttributeProto.ofInt("num_outputs", 2))));
        nodes.add(named("unsqueeze", "Unsqueeze", List.of("a", "axis0"), "u"));
        nodes.add(OnnxGraphs.node("Squeeze", List.of("u", "axis0"), "s"));
        nodes.add(OnnxGraphs.node("Pad", List.of("s", "pads", "", "axis1"), "p"));
        nodes.add(OnnxGraphs.node("Shape", List.of("p"), "shape"));
        nodes.add(OnnxGraphs.node("ConstantOfShape", List.of("shape"), "zeros"));
        nodes.add(named("toDouble", "Cast", List.of("b"), "c", AttributeProto.ofInt("to", TensorProto.DOUBLE)));
        nodes.add(named("toFloat", "Cast", List.of("c"), "f", AttributeProto.ofInt("to", TensorProto.FLOAT)));
        nodes.add(OnnxGraphs.node("Flatten", List.of("f"), "flat", AttributeProto.ofInt("axis", 1)));
        nodes.add(OnnxGraphs.node("Reshape", List.of("flat", "shape2"), "r"));
        nodes.add(OnnxGraphs.node("Add", List.of("p", "zeros"), "z"));
        nodes.add(OnnxGraphs.node("Concat", List.of("z", "r"), "cat", AttributeProto.ofInt("axis", 1)));
        nodes.add(OnnxGraphs.node("Identity", List.of("cat"), "y"));
        List<TensorProto> initializers = List.of(TensorProto.ofLongs("axis2", new long[] {1}, 2),
                TensorProto.ofLongs("axis0", new long[] {1}, 0), TensorProto.ofLongs("axis1", new long[] {1}, 1),
                TensorProto.ofLongs("pads", new long[] {2}, 1, 0), TensorProto.ofLongs("shape2", new long[] {3},
                        2, 2, 1));
        ModelProto proto = OnnxGraphs.model(21, nodes, initializers, List.of(OnnxGraphs.value("x", 2, 3, 4)),
                List.of(OnnxGraphs.value("y")));
        assertAgrees(proto, 2, 3, 4);
    }

    /**
     * TopK with sorted 0, whose order ONNX leaves open: the pairs (value, index) it gives, encoded as 100 index +
     * value and sorted by a second TopK, are ORT's.
     */
    @Test
    void topKUnsortedGivesOrtsValuesAndIndices() throws Exception {
        List<NodeProto> nodes = List.of(
                new NodeProto(List.of("x", "k"), List.of("v", "i"), "unsorted", "TopK", "",
                        List.of(AttributeProto.ofInt("sorted", 0), AttributeProto.ofInt("axis", 1))),
                named("index", "Cast", List.of("i"), "fi", AttributeProto.ofInt("to", TensorProto.FLOAT)),
                named("scaled", "Mul", List.of("fi", "hundred"), "si"),
                named("pair", "Add", List.of("si", "v"), "p"),
                new NodeProto(List.of("p", "k"), List.of("y", "order"), "sorted", "TopK", "",
                        List.of(AttributeProto.ofInt("axis", 1))));
        ModelProto proto = OnnxGraphs.model(21, nodes, List.of(TensorProto.ofLongs("k", new long[] {1}, 4),
                TensorProto.ofFloats("hundred", new long[0], 100)), List.of(OnnxGraphs.value("x", 3, 7)),
                List.of(OnnxGraphs.value("y")));
        assertAgrees(proto, 3, 7);
    }

    @Test
    void resizeNearestWithHalfPixelCoordinatesRoundingHalvesUpIsNearestExact() throws Exception {
        assertAgrees(resize(19, scales(1, 1, 1.7f, 0.6f), new long[] {1, 2, 5, 7}, mode("nearest"),
                AttributeProto.ofString("coordinate_transformation_mode", "half_pixel"),
                AttributeProto.ofString("nearest_mode", "round_prefer_ceil")), 1, 2, 5, 7);
    }

    @Test
    void resizeNearestWithPyTorchHalfPixelCoordinatesRoundingHalvesUpBySizesIsNearestExact() throws Exception {
        assertAgrees(resize(19, sizes(1, 2, 8, 3), new long[] {1, 2, 5, 7}, mode("nearest"),
                AttributeProto.ofString("coordinate_transformation_mode", "pytorch_half_pixel"),
                AttributeProto.ofString("nearest_mode", "round_prefer_ceil")), 1, 2, 5, 7);
    }

    /**
     * CastLike at opset 21, as torch 2.x's exporters write it: a DOUBLE constant cast like x (floating), and x cast
     * like an INT64 constant (truncated toward zero), then added back as floats.
     */
    @Test
    void castLikeTakesTheTypeOfItsSecondInput() throws Exception {
        List<NodeProto> nodes = List.of(
                named("scale", "Constant", List.of(), "scale", AttributeProto.ofTensor("value",
                        TensorProto.ofDoubles("scale", new long[0], 2.5))),
                named("scaleLikeX", "CastLike", List.of("scale", "x"), "s"),
                named("scaled", "Mul", List.of("x", "s"), "xs"),
                named("truncated", "CastLike", List.of("xs", "count"), "t"),
                named("back", "Cast", List.of("t"), "f", AttributeProto.ofInt("to", TensorProto.FLOAT)),
                named("sum", "Add", List.of("f", "x"), "y"));
        ModelProto proto = OnnxGraphs.model(21, nodes, List.of(TensorProto.ofLongs("count", new long[0], 3)),
                List.of(OnnxGraphs.value("x", 2, 5)),
                List.of(OnnxGraphs.value("y")));
        assertAgrees(proto, 2, 5);
    }

    private static ModelProto groupNormalization(long opset, int parameters, long... shape) {
        return oneNode(opset, OnnxGraphs.node("GroupNormalization", List.of("x", "scale", "bias"), "y",
                AttributeProto.ofInt("num_groups", 2), AttributeProto.ofFloat("epsilon", 1e-3f)), List.of(
                TensorProto.ofFloats("scale", new long[] {parameters}, weights(parameters, 0.4)),
                TensorProto.ofFloats("bias", new long[] {parameters}, weights(parameters, 1.7))), shape);
    }

    private static float[] weights(int n, double phase) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (1 + 0.5 * Math.sin(0.9 * k + phase));
        }
        return v;
    }

    @Test
    void groupNormalizationAtOpset18ScalesEachGroup() throws Exception {
        assertAgrees(groupNormalization(18, 2, 2, 6, 3), 2, 6, 3);
    }

    @Test
    void groupNormalizationAtOpset21ScalesEachChannel() throws Exception {
        assertAgrees(groupNormalization(21, 4, 2, 4, 2, 3), 2, 4, 2, 3);
    }
}
