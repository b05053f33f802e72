package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pad in ONNX's border modes, as Kiln's export writes ReflectionPad and ReplicationPad layers. */
class OnnxPadModesTest {
    private static ModelProto pad(String mode, long[] pads, long... inputDims) {
        TensorProto p = TensorProto.ofLongs("pads", new long[] {pads.length}, pads);
        return OnnxGraphs.single(OnnxGraphs.node("Pad", List.of("x", "pads"), "y",
                AttributeProto.ofString("mode", mode)), List.of(p), OnnxGraphs.value("x", inputDims));
    }

    @Test
    void reflectMirrorsTheLastAxisAboutItsEdges() {
        try (OnnxModule model = OnnxImport.load(pad("reflect", new long[] {0, 0, 2, 0, 0, 2}, 1, 1, 3));
             Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 2, 3}, 1, 1, 3));

            assertArrayEquals(new int[] {1, 1, 7}, y.shape().dims());
            assertArrayEquals(new float[] {3, 2, 1, 2, 3, 2, 1}, y.toFloatArray());
        }
    }

    @Test
    void edgeRepeatsTheBorderElementsOfEachPaddedAxis() {
        try (OnnxModule model = OnnxImport.load(pad("edge", new long[] {0, 0, 1, 0, 0, 0, 0, 1}, 1, 1, 2, 2));
             Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));

            assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape().dims());
            assertArrayEquals(new float[] {1, 2, 2, 1, 2, 2, 3, 4, 4}, y.toFloatArray());
        }
    }

    /** ReflectionPad2d((1, 1, 0, 0)) as exported: pads of the width alone on an [n, c, h, w] input. */
    @Test
    void edgePadsTheLastAxisAloneOfAFourDimensionalInput() {
        try (OnnxModule model = OnnxImport.load(pad("edge", new long[] {0, 0, 0, 1, 0, 0, 0, 1}, 1, 1, 2, 2));
             Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));

            assertArrayEquals(new int[] {1, 1, 2, 4}, y.shape().dims());
            assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, y.toFloatArray());
        }
    }

    /** Both axes of a matrix, which has no channel axis before the padded ones (numpy.pad's reflect). */
    @Test
    void reflectPadsBothAxesOfAMatrix() {
        try (OnnxModule model = OnnxImport.load(pad("reflect", new long[] {1, 1, 0, 0}, 2, 3));
             Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));

            assertArrayEquals(new int[] {3, 4}, y.shape().dims());
            assertArrayEquals(new float[] {5, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6}, y.toFloatArray());
        }
    }

    @Test
    void wrapModePadsFromTheOtherEndOfTheAxis() {
        try (OnnxModule model = OnnxImport.load(pad("wrap", new long[] {0, 1, 0, 1}, 2, 2));
             Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2));

            assertArrayEquals(new int[] {2, 4}, y.shape().dims());
            assertArrayEquals(new float[] {2, 1, 2, 1, 4, 3, 4, 3}, y.toFloatArray());
        }
    }
}
