package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.GradCheck;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.onnx.OnnxTestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixtures that models/src/test/pytorch/onnx_import_fixtures.py exported with PyTorch 1.13 (opset 17, constant
 * folding, a dynamic batch axis; four of them also at opset 11), run by Kiln in F32 against PyTorch's printed outputs and input gradients
 * ({@link OnnxImportFixtures}). Each element must lie within 1e-5 of PyTorch's, relative to the larger of its own
 * magnitude and a tenth of the largest magnitude in the expected tensor.
 */
class OnnxImportPyTorchParityTest {
    private static final double RELATIVE = 1e-5;

    /** A fixture file with the shape of one sample and PyTorch's batch-2 output and input gradient. */
    record Fixture(String name, int[] sample, int[] outputShape, double[] output, double[] inputGradient) {
        @Override
        public String toString() {
            return name;
        }

        OnnxModule load() throws IOException {
            return OnnxImport.load(path(name));
        }

        /** The same model as torch exported it at opset 11. */
        OnnxModule loadOpset11() throws IOException {
            return OnnxImport.load(path(name + "_opset11"));
        }

        int sampleSize() {
            return Arrays.stream(sample).reduce(1, (a, b) -> a * b);
        }

        /** parity.py's pattern(n, 7) in float32, as the script fed PyTorch, for {@code batch} samples. */
        Tensor input(int batch) {
            double[] all = PyTorchParity.pattern(2 * sampleSize(), 7);
            int[] dims = new int[sample.length + 1];
            dims[0] = batch;
            System.arraycopy(sample, 0, dims, 1, sample.length);
            return Tensor.fromArray(Arrays.copyOf(all, batch * sampleSize()), dims).to(DType.F32);
        }

        /** The expected input gradient of batch 2, element by element (the MLP's printed per 4x4 block). */
        double[] inputGradientOfBatchTwo() {
            if (!name.equals("mlp")) {
                return inputGradient;
            }
            double[] full = new double[2 * 28 * 28];
            for (int i = 0; i < full.length; i++) {
                int b = i / 784;
                int row = i % 784 / 28;
                int col = i % 28;
                full[i] = inputGradient[b * 49 + row / 4 * 7 + col / 4];
            }
            return full;
        }
    }

    /** The fixture {@code import_NAME.onnx} as a file ({@link #fixtureFile}). */
    static Path path(String name) {
        return OnnxTestFiles.resource("import_" + name + ".onnx");
    }

    /** The test resource {@code /onnx/FILE} imported ({@link #fixtureFile}). */
    static OnnxModule loadFixture(String file) {
        try {
            return OnnxImport.load(OnnxTestFiles.resource(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Fixture> fixtures() {
        return Stream.of(
                new Fixture("mlp", new int[] {1, 28, 28}, OnnxImportFixtures.MLP_OUTPUT_SHAPE,
                        OnnxImportFixtures.MLP_OUTPUT, OnnxImportFixtures.MLP_INPUT_GRADIENT),
                new Fixture("cnn", new int[] {1, 8, 8}, OnnxImportFixtures.CNN_OUTPUT_SHAPE,
                        OnnxImportFixtures.CNN_OUTPUT, OnnxImportFixtures.CNN_INPUT_GRADIENT),
                new Fixture("residual", new int[] {2, 6, 6}, OnnxImportFixtures.RESIDUAL_OUTPUT_SHAPE,
                        OnnxImportFixtures.RESIDUAL_OUTPUT, OnnxImportFixtures.RESIDUAL_INPUT_GRADIENT),
                new Fixture("depthwise", new int[] {4, 6, 6}, OnnxImportFixtures.DEPTHWISE_OUTPUT_SHAPE,
                        OnnxImportFixtures.DEPTHWISE_OUTPUT, OnnxImportFixtures.DEPTHWISE_INPUT_GRADIENT),
                new Fixture("attention", new int[] {4, 8}, OnnxImportFixtures.ATTENTION_OUTPUT_SHAPE,
                        OnnxImportFixtures.ATTENTION_OUTPUT, OnnxImportFixtures.ATTENTION_INPUT_GRADIENT),
                new Fixture("extras", new int[] {2, 4, 4}, OnnxImportFixtures.EXTRAS_OUTPUT_SHAPE,
                        OnnxImportFixtures.EXTRAS_OUTPUT, OnnxImportFixtures.EXTRAS_INPUT_GRADIENT),
                new Fixture("sequence", new int[] {3, 10}, OnnxImportFixtures.SEQUENCE_OUTPUT_SHAPE,
                        OnnxImportFixtures.SEQUENCE_OUTPUT, OnnxImportFixtures.SEQUENCE_INPUT_GRADIENT),
                new Fixture("more", new int[] {4, 5, 5}, OnnxImportFixtures.MORE_OUTPUT_SHAPE,
                        OnnxImportFixtures.MORE_OUTPUT, OnnxImportFixtures.MORE_INPUT_GRADIENT),
                new Fixture("resize", new int[] {4, 4, 4}, OnnxImportFixtures.RESIZE_OUTPUT_SHAPE,
                        OnnxImportFixtures.RESIZE_OUTPUT, OnnxImportFixtures.RESIZE_INPUT_GRADIENT),
                new Fixture("lstm", new int[] {5, 3}, OnnxImportFixtures.LSTM_OUTPUT_SHAPE,
                        OnnxImportFixtures.LSTM_OUTPUT, OnnxImportFixtures.LSTM_INPUT_GRADIENT),
                new Fixture("gru", new int[] {5, 3}, OnnxImportFixtures.GRU_OUTPUT_SHAPE,
                        OnnxImportFixtures.GRU_OUTPUT, OnnxImportFixtures.GRU_INPUT_GRADIENT),
                new Fixture("rnn", new int[] {5, 3}, OnnxImportFixtures.RNN_OUTPUT_SHAPE,
                        OnnxImportFixtures.RNN_OUTPUT, OnnxImportFixtures.RNN_INPUT_GRADIENT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theOutputOfABatchOfTwoMatchesPyTorch(Fixture f) throws IOException {
        try (OnnxModule model = f.load(); Scope s = Scope.open()) {
            Tensor out = model.forward(f.input(2));

            assertArrayEquals(f.outputShape(), out.shape().dims());
            assertClose("output", f.output(), out.toDoubleArray());
        }
    }

    /** Without gradients each value is closed after its last reader: none may be closed before. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theOutputWithoutGradientsMatchesPyTorch(Fixture f) throws IOException {
        try (OnnxModule model = f.load(); Scope s = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            Tensor out = model.forward(f.input(2));

            assertClose("output", f.output(), out.toDoubleArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theOutputOfABatchOfOneIsTheFirstRowOfPyTorchs(Fixture f) throws IOException {
        try (OnnxModule model = f.load(); Scope s = Scope.open()) {
            Tensor out = model.forward(f.input(1));

            assertClose("output", Arrays.copyOf(f.output(), f.output().length / 2), out.toDoubleArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theInputGradientMatchesPyTorch(Fixture f) throws IOException {
        try (OnnxModule model = f.load(); Scope s = Scope.open()) {
            Tensor x = f.input(2).requiresGrad(true);
            Tensor out = model.forward(x);
            Tensor weights = Tensor.fromArray(PyTorchParity.pattern((int) out.size(), 11), out.shape().dims())
                    .to(DType.F32);

            out.mul(weights).sum().backward();

            assertClose("input gradient", f.inputGradientOfBatchTwo(), x.grad().toDoubleArray());
        }
    }

    /** The fixtures the script also exported at opset 11 (Softmax on 2-D, Squeeze and Unsqueeze with attributes). */
    static Stream<Fixture> opset11Fixtures() {
        return fixtures().filter(f -> Set.of("cnn", "depthwise", "attention", "extras", "more", "resize").contains(f.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("opset11Fixtures")
    void theOpset11ExportGivesPyTorchsOutputAndInputGradient(Fixture f) throws IOException {
        try (OnnxModule model = f.loadOpset11(); Scope s = Scope.open()) {
            Tensor x = f.input(2).requiresGrad(true);
            Tensor out = model.forward(x);
            Tensor weights = Tensor.fromArray(PyTorchParity.pattern((int) out.size(), 11), out.shape().dims())
                    .to(DType.F32);

            out.mul(weights).sum().backward();

            assertClose("output", f.output(), out.toDoubleArray());
            assertClose("input gradient", f.inputGradientOfBatchTwo(), x.grad().toDoubleArray());
        }
    }

    /**
     * Checks the gradients of {@code model}, moved to F64, in its input and its parameters against finite
     * differences; {@code input} is an F64 tensor of the model's input shape.
     */
    static void assertGradientsMatchFiniteDifferences(String name, OnnxModule model, Tensor input) {
        model.to(DType.F64);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(input.requiresGrad(true));
        inputs.addAll(model.parameters());
        GradCheck.check("ONNX " + name, in -> model.forward(in[0]), inputs.toArray(new Tensor[0]));
    }

    static void assertClose(String what, double[] expected, double[] actual) {
        assertTrue(expected.length == actual.length, what + ": " + actual.length + " elements, expected "
                + expected.length);
        double largest = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = RELATIVE * Math.max(Math.abs(expected[i]), largest / 10);
            assertTrue(Math.abs(actual[i] - expected[i]) <= tolerance, what + " element " + i + ": " + actual[i]
                    + ", PyTorch " + expected[i] + " (tolerance " + tolerance + ")");
        }
    }
}
