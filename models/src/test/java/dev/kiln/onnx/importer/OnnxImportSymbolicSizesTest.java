package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.PixelUnshuffle;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Upsample;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.OnnxExportOptions;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kiln's exports whose output sizes the graph works out from its input's Shape (Floor of a scaled size, ceil-mode
 * windows, SpaceToDepth), with batch, height and width symbolic, imported back: at image sizes other than the one
 * exported the import gives the layer's own outputs and shapes (within 1e-5; the inputs lie in [-1, 1]).
 */
class OnnxImportSymbolicSizesTest {
    private static final int[][] SHAPES = {{2, 3, 4, 6}, {1, 3, 5, 7}, {2, 3, 9, 4}};

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("upsample bilinear by 1.5, 0.7 (recomputed scale)",
                        (Supplier<Module>) () -> Upsample.byFactors(new double[] {1.5, 0.7}, "bilinear", false, true)),
                Arguments.of("upsample bicubic by 1.7, 1.3 (aligned corners)",
                        (Supplier<Module>) () -> Upsample.byFactors(new double[] {1.7, 1.3}, "bicubic", true, false)),
                Arguments.of("max pool 2, stride 2, padding 1, ceil mode",
                        (Supplier<Module>) () -> new MaxPool2d(2, 2, 1, true)),
                Arguments.of("average pool 2, stride 2, padding 1, ceil mode, counting padding",
                        (Supplier<Module>) () -> new AvgPool2d(2, 2, 1, true, true)),
                Arguments.of("pixel unshuffle 2 (even sizes)", (Supplier<Module>) () -> new PixelUnshuffle(2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void anImportedExportFollowsOtherImageSizes(String name, Supplier<Module> layer) {
        boolean evenOnly = name.contains("even sizes");
        try (Scope s = Scope.open(); Module model = new Sequential(layer.get());
             OnnxModule imported = OnnxImport.load(OnnxExport.toProto(model, evenOnly ? new int[] {1, 3, 4, 6}
                     : SHAPES[0], OnnxExportOptions.defaults().withDynamicAxes(
                     Map.of(0, "batch", 2, "height", 3, "width"), Map.of(0, "batch", 2, "outHeight", 3,
                             "outWidth"))))) {
            for (int[] shape : evenOnly ? new int[][] {{2, 3, 4, 6}, {1, 3, 8, 2}} : SHAPES) {
                int n = shape[0] * shape[1] * shape[2] * shape[3];
                Tensor x = Tensor.arange(0, n, 1, DType.F32).mul(6.0 / n).sub(3).sin().reshape(shape);
                Tensor expected = model.forward(x);
                Tensor actual = imported.forward(x);

                assertArrayEquals(expected.shape().dims(), actual.shape().dims(), name);
                assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 1e-5f, name);
            }
        }
    }
}
