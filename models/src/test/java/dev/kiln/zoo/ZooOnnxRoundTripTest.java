package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AdaptiveMaxPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.GroupNorm;
import dev.kiln.nn.InstanceNorm2d;
import dev.kiln.nn.LeakyReLU;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Mish;
import dev.kiln.nn.Module;
import dev.kiln.nn.PReLU;
import dev.kiln.nn.PixelShuffle;
import dev.kiln.nn.PositionalEncoding;
import dev.kiln.nn.ReflectionPad2d;
import dev.kiln.nn.Residual;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.SiLU;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.Upsample;
import dev.kiln.nn.init.Init;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.OnnxExportLayersTest;
import dev.kiln.onnx.OnnxExportOptions;
import dev.kiln.onnx.OrtCheck;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kiln to ONNX to Kiln: each zoo model (random weights, batch norms' statistics perturbed) exported by
 * {@link OnnxExport} and loaded by {@link OnnxImport} gives Kiln's evaluation-mode outputs in F32 at batch 3 and 1,
 * each element within 1e-5 of Kiln's relative to the larger of its magnitude and a tenth of the largest.
 */
class ZooOnnxRoundTripTest {
    private static final double RELATIVE = 1e-5;

    static Stream<Arguments> models() {
        return Stream.of(
                model("mlp", () -> Zoo.mlp(784, 10, 0.2), 1, 28, 28),
                model("lenet", () -> Zoo.lenet(10, 0.5), 1, 28, 28),
                model("small resnet", () -> Zoo.resnet(10), 1, 28, 28),
                model("resnet-18", () -> ResNet.resnet18(3, 10), 3, 32, 32),
                model("vgg-11 bn", () -> VGG.withHidden(11, true, 3, 10, 32), 3, 32, 32),
                model("mobilenet v2 x0.25", () -> MobileNetV2.mobilenetV2(3, 10, 0.25), 3, 32, 32),
                model("squeezenet 1.1", () -> SqueezeNet.squeezenet1_1(3, 10), 3, 64, 64),
                model("lstm row reader", () -> Zoo.rowReader("lstm", 10, 0.2), 1, 28, 28),
                model("gru row reader", () -> Zoo.rowReader("gru", 10, 0), 784),
                model("rnn row reader", () -> Zoo.rowReader("rnn", 10, 0), 1, 28, 28),
                model("u-net-like", ZooOnnxRoundTripTest::uNetLike, 2, 12, 12));
    }

    private static Arguments model(String name, Supplier<Module> build, int... sample) {
        return Arguments.of(name, build, sample);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void anExportedModelImportsToItsOwnOutputs(String name, Supplier<Module> build, int[] sample) {
        roundTrip(name, build, sample, OnnxExportOptions.defaults());
    }

    private static void roundTrip(String name, Supplier<Module> build, int[] sample, OnnxExportOptions options) {
        Engine.seed(13);
        try (Scope s = Scope.open(); Module model = build.get()) {
            OnnxExportLayersTest.perturbBatchNorms(model);
            model.eval();
            try (OnnxModule imported = OnnxImport.load(OnnxExport.toProto(model, OrtCheck.withBatch(1, sample),
                    options))) {
                for (int batch : new int[] {3, 1}) {
                    int[] shape = OrtCheck.withBatch(batch, sample);
                    compare(name + " batch " + batch, model, imported, Tensor.fromArray(OrtCheck.input(shape), shape));
                }
            }
        }
    }

    @Test
    void aTransformerEncoderTokenModelImportsToItsOwnOutputs() {
        Engine.seed(13);
        int vocabulary = 11;
        try (Scope s = Scope.open(); Module model = new Sequential(new Embedding(vocabulary, 8),
                new PositionalEncoding(8, 16), new TransformerEncoder(2, 8, 2, 12, 0.1), new Linear(8, vocabulary))) {
            perturbBiases(model);
            model.eval();
            try (OnnxModule imported = OnnxImport.load(OnnxExport.toProto(model, new int[] {3, 6},
                    OnnxExportOptions.defaults().withInputType(DType.I64)))) {
                compare("tokens batch 3", model, imported, Tensor.fromArray(
                        new long[] {0, 1, 2, 3, 4, 5, 10, 9, 8, 7, 6, 5, 3, 3, 3, 7, 0, 10}, 3, 6));
                compare("tokens batch 1", model, imported, Tensor.fromArray(new long[] {4, 8, 1, 9, 2, 6}, 1, 6));
            }
        }
    }

    private static void compare(String what, Module model, OnnxModule imported, Tensor x) {
        try (Autograd.Guard off = Autograd.noGrad()) {
            Tensor expected = model.forward(x);
            Tensor actual = imported.forward(x);

            assertArrayEquals(expected.shape().dims(), actual.shape().dims(), what);
            assertClose(what, expected.toDoubleArray(), actual.toDoubleArray());
        }
    }

    private static void assertClose(String what, double[] expected, double[] actual) {
        double largest = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = RELATIVE * Math.max(Math.abs(expected[i]), largest / 10);
            assertTrue(Math.abs(actual[i] - expected[i]) <= tolerance, what + " element " + i + ": " + actual[i]
                    + ", Kiln " + expected[i] + " (tolerance " + tolerance + ")");
        }
    }

    /** Biases and norm scales away from their initial zeros and ones, so that each one matters. */
    private static void perturbBiases(Module model) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                if (p.getKey().endsWith("bias")) {
                    Init.uniform(p.getValue(), -0.5, 0.5);
                } else if (p.getKey().contains("norm")) {
                    Init.uniform(p.getValue(), 0.5, 1.5);
                }
            }
        }
    }

    /**
     * OnnxExportPlainLayersTest's U-Net-like net: an encoder level, a bottleneck reached by pooling and left by a
     * transposed convolution and by upsampling, additive skips, group and instance normalisation, reflection padding,
     * pixel shuffle and adaptive max pooling.
     */
    private static Module uNetLike() {
        Module bottleneck = new Sequential(new AvgPool2d(2), Conv2d.builder(16, 16, 3).padding(1).build(),
                new InstanceNorm2d(16), new PReLU(16), new Upsample(2, "bilinear", false));
        Module level = new Sequential(new MaxPool2d(2), Conv2d.builder(8, 16, 3).padding(1).build(),
                new GroupNorm(4, 16), new Mish(), new Residual(bottleneck),
                ConvTranspose2d.builder(16, 8, 2).stride(2).build(), new GroupNorm(2, 8), new LeakyReLU(0.1));
        return new Sequential(Conv2d.builder(2, 8, 3).padding(1).build(), new GroupNorm(2, 8), new SiLU(),
                new Residual(level), new ReflectionPad2d(1), Conv2d.builder(8, 4, 3).build(), new PixelShuffle(2),
                new Upsample(2, "nearest"), new AdaptiveMaxPool2d(8));
    }

    /** The newest opset the import reads, which Kiln's export writes with IR version 10. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void anExportedModelAtOpset21ImportsToItsOwnOutputs(String name, Supplier<Module> build, int[] sample) {
        roundTrip(name, build, sample, OnnxExportOptions.defaults().withOpset(21));
    }
}
