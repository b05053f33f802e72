package dev.kiln.onnx.importer;

import static dev.kiln.onnx.importer.OnnxImportOneNodeOrtTest.assertAgrees;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MaxPool's Indices output (storage_order 0 and 1) and MaxUnpool of them (1-D, 2-D and 3-D, overlapping windows, with
 * and without output_shape), as graphs of a MaxPool and what reads its outputs, held to ONNX Runtime's outputs as
 * {@link OnnxImportOneNodeOrtTest} holds them; the unpooled graph's gradient against finite differences. torch 1.13
 * does not export MaxUnpool; its MaxPool Indices are in OnnxImportOrtAgreementTest's volume_pool_indices.onnx.
 */
@Tag("onnxruntime")
class OnnxImportUnpoolingOrtTest {
    /** MaxPool of x [1, 2, size...] under {@code attributes}, its values unpooled again (to output_shape if given). */
    private static ModelProto unpooled(int[] size, long[] outputShape, AttributeProto... attributes) {
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(new NodeProto(List.of("x"), List.of("pooled", "indices"), "pool", "MaxPool", "",
                Arrays.asList(attributes)));
        List<String> inputs = new ArrayList<>(List.of("pooled", "indices"));
        List<TensorProto> initializers = new ArrayList<>();
        if (outputShape != null) {
            initializers.add(TensorProto.ofLongs("shape", new long[] {outputShape.length}, outputShape));
            inputs.add("shape");
        }
        List<AttributeProto> unpoolAttributes = Arrays.stream(attributes)
                .filter(a -> !a.name().equals("ceil_mode") && !a.name().equals("dilations")).toList();
        nodes.add(new NodeProto(inputs, List.of("y"), "unpool", "MaxUnpool", "", unpoolAttributes));
        return OnnxGraphs.model(17, nodes, initializers, List.of(OnnxGraphs.value("x", dims(size))),
                List.of(OnnxGraphs.value("y")));
    }

    /** MaxPool's Indices output of x [1, 2, size...] cast to FLOAT. */
    private static ModelProto indices(int[] size, AttributeProto... attributes) {
        List<NodeProto> nodes = List.of(new NodeProto(List.of("x"), List.of("pooled", "indices"), "pool", "MaxPool",
                "", Arrays.asList(attributes)), OnnxGraphs.node("Cast", List.of("indices"), "y",
                AttributeProto.ofInt("to", TensorProto.FLOAT)));
        return OnnxGraphs.model(17, nodes, List.of(), List.of(OnnxGraphs.value("x", dims(size))),
                List.of(OnnxGraphs.value("y")));
    }

    private static long[] dims(int[] size) {
        long[] dims = new long[size.length + 2];
        dims[0] = 1;
        dims[1] = 2;
        for (int k = 0; k < size.length; k++) {
            dims[k + 2] = size[k];
        }
        return dims;
    }

    private static int[] shape(int... size) {
        return Arrays.stream(dims(size)).mapToInt(Math::toIntExact).toArray();
    }

    @Test
    void maxPoolIndicesInColumnMajorOrderGiveOrtsOutput() throws Exception {
        assertAgrees(indices(new int[] {5, 6}, AttributeProto.ofInts("kernel_shape", 2, 3),
                AttributeProto.ofInts("strides", 2, 2), AttributeProto.ofInts("pads", 1, 1, 1, 1),
                AttributeProto.ofInt("storage_order", 1)), shape(5, 6));
    }

    @Test
    void dilatedMaxPoolIndicesInCeilModeGiveOrtsOutput() throws Exception {
        assertAgrees(indices(new int[] {5, 6, 7}, AttributeProto.ofInts("kernel_shape", 2, 2, 3),
                AttributeProto.ofInts("strides", 2, 1, 2), AttributeProto.ofInts("dilations", 1, 2, 1),
                AttributeProto.ofInts("pads", 1, 0, 1, 1, 0, 1), AttributeProto.ofInt("ceil_mode", 1)),
                shape(5, 6, 7));
    }

    @Test
    void maxUnpool1dOfOverlappingWindowsGivesOrtsOutput() throws Exception {
        assertAgrees(unpooled(new int[] {9}, null, AttributeProto.ofInts("kernel_shape", 3),
                AttributeProto.ofInts("strides", 2), AttributeProto.ofInts("pads", 1, 1)), shape(9));
    }

    @Test
    void maxUnpool2dGivesOrtsOutput() throws Exception {
        assertAgrees(unpooled(new int[] {6, 8}, null, AttributeProto.ofInts("kernel_shape", 2, 2),
                AttributeProto.ofInts("strides", 2, 2)), shape(6, 8));
    }

    @Test
    void maxUnpool2dToAnOutputShapeGivesOrtsOutput() throws Exception {
        assertAgrees(unpooled(new int[] {7, 9}, new long[] {1, 2, 7, 9}, AttributeProto.ofInts("kernel_shape", 2, 3),
                AttributeProto.ofInts("strides", 2, 2)), shape(7, 9));
    }

    @Test
    void maxUnpool3dOfOverlappingPaddedWindowsGivesOrtsOutput() throws Exception {
        assertAgrees(unpooled(new int[] {5, 7, 6}, null, AttributeProto.ofInts("kernel_shape", 3, 3, 2),
                AttributeProto.ofInts("strides", 2, 2, 2), AttributeProto.ofInts("pads", 1, 1, 0, 1, 1, 0)),
                shape(5, 7, 6));
    }

    @Test
    void maxUnpool3dToAnOutputShapeGivesOrtsOutput() throws Exception {
        assertAgrees(unpooled(new int[] {5, 4, 7}, new long[] {1, 2, 5, 4, 7},
                AttributeProto.ofInts("kernel_shape", 2, 2, 2), AttributeProto.ofInts("strides", 2, 2, 2)),
                shape(5, 4, 7));
    }

    /**
     * Windows that do not overlap: where they do, an input element that is the maximum of two windows is unpooled
     * once but receives the output's gradient through both (PyTorch's gradient, a gather), twice the finite
     * difference.
     */
    @Test
    void theUnpooledGraphHasFiniteDifferenceGradients() {
        ModelProto proto = unpooled(new int[] {5, 7, 6}, new long[] {1, 2, 5, 7, 6},
                AttributeProto.ofInts("kernel_shape", 2, 3, 2), AttributeProto.ofInts("strides", 2, 3, 2),
                AttributeProto.ofInts("pads", 1, 1, 0, 1, 1, 0));
        double[] v = new double[2 * 5 * 7 * 6];
        for (int k = 0; k < v.length; k++) {
            v[k] = 0.5 * Math.sin(1.3 * k + 0.2) + 0.01 * k;
        }
        try (OnnxModule model = OnnxImport.load(proto)) {
            model.to(DType.F64);
            GradCheck.check("ONNX MaxPool + MaxUnpool", in -> model.forward(in[0]),
                    Tensor.fromArray(v, shape(5, 7, 6)).requiresGrad(true));
        }
    }

    @Test
    void maxPoolIndicesOverUnevenPadsAreRefusedNamingTheNodeAndPads() {
        ModelProto proto = indices(new int[] {5, 6}, AttributeProto.ofInts("kernel_shape", 2, 2),
                AttributeProto.ofInts("pads", 1, 0, 0, 0));
        try (OnnxModule model = OnnxImport.load(proto)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(shape(5, 6))));
            assertTrue(e.getMessage().contains("MaxPool node 'pool'") && e.getMessage().contains("Indices with pads"),
                    e.getMessage());
        }
    }
}
