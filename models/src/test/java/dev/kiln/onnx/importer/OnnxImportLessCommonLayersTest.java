package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CELU;
import dev.kiln.nn.EmbeddingBag;
import dev.kiln.nn.Hardshrink;
import dev.kiln.nn.LocalResponseNorm;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Softplus;
import dev.kiln.nn.Softshrink;
import dev.kiln.nn.Softsign;
import dev.kiln.nn.Threshold;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.OnnxExportOptions;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kiln's layers whose export writes Celu, Softsign, Shrink, Greater, Not and LRN, exported and imported back: the
 * import gives Kiln's outputs (within 1e-6 of the largest magnitude, at least 1) on [2, 4, 3, 3] values from -3 to 3,
 * away from the layers' kinks, and input gradients that match finite differences in F64.
 */
class OnnxImportLessCommonLayersTest {
    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("celu", (Supplier<Module>) () -> new CELU(0.7)),
                Arguments.of("softsign", (Supplier<Module>) Softsign::new),
                Arguments.of("hardshrink", (Supplier<Module>) () -> new Hardshrink(0.8)),
                Arguments.of("softshrink", (Supplier<Module>) () -> new Softshrink(0.8)),
                Arguments.of("threshold (Greater)", (Supplier<Module>) () -> new Threshold(0.5, -2)),
                Arguments.of("softplus beta 2 threshold 3 (Greater)", (Supplier<Module>) () -> new Softplus(2, 3)),
                Arguments.of("local response norm of 3", (Supplier<Module>) () -> new LocalResponseNorm(3, 0.5, 0.75,
                        2)),
                Arguments.of("local response norm of 4", (Supplier<Module>) () -> new LocalResponseNorm(4, 0.5, 0.75,
                        2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void anExportedLayerImportsToItsOwnOutputs(String name, Supplier<Module> layer) {
        try (Scope s = Scope.open(); Module model = new Sequential(layer.get());
             OnnxModule imported = OnnxImport.load(OnnxExport.toProto(model, new int[] {1, 4, 3, 3},
                     OnnxExportOptions.defaults()))) {
            Tensor x = Tensor.arange(0, 72, 1, DType.F32).mul(6.0 / 71).sub(3).reshape(2, 4, 3, 3);

            assertClose(model.forward(x).toFloatArray(), imported.forward(x).toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void theImportsInputGradientMatchesFiniteDifferencesInF64(String name, Supplier<Module> layer) {
        try (Module model = new Sequential(layer.get());
             OnnxModule imported = OnnxImport.load(OnnxExport.toProto(model, new int[] {1, 4, 3, 3},
                     OnnxExportOptions.defaults()))) {
            imported.to(DType.F64);
            Tensor x = Tensor.arange(0, 72, 1, DType.F64).mul(6.0 / 71).sub(3).reshape(2, 4, 3, 3).requiresGrad(true);

            GradCheck.check("imported " + name, in -> imported.forward(in[0]), x);
        }
    }

    @Test
    void anEmbeddingBagWithAPaddingIndexImportsToItsOwnOutputs() {
        Engine.seed(3);
        try (Scope s = Scope.open(); Module bag = new Sequential(EmbeddingBag.builder(10, 3)
                .mode(EmbeddingBag.Mode.MEAN).paddingIdx(0).build());
             OnnxModule imported = OnnxImport.load(OnnxExport.toProto(bag, new int[] {3, 4},
                     OnnxExportOptions.defaults().withInputType(DType.I64)))) {
            Tensor ids = Tensor.fromArray(new long[] {1, 4, 0, 7, 0, 0, 0, 0, 9, 9, 2, 0}, 3, 4);

            assertClose(bag.forward(ids).toFloatArray(), imported.forward(ids).toFloatArray());
        }
    }

    @Test
    void anLrnOfAnEvenSizeIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(
                OnnxGraphs.single(OnnxGraphs.node("LRN", List.of("x"), "y", AttributeProto.ofInt("size", 4)),
                        List.of(), OnnxGraphs.value("x", 1, 4, 2, 2))));

        assertTrue(e.getMessage().contains("LRN node 'LRN_node': size 4; Kiln runs LRN of an odd size"),
                e.getMessage());
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertArrayEquals(expected, actual, 1e-6f * largest(expected), "imported vs Kiln");
    }

    private static float largest(float[] values) {
        float m = 1;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
