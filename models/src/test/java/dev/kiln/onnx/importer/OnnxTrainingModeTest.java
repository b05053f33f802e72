package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.BatchNorm3d;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.Sequential;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.TensorProto;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An imported graph's BatchNormalization and Dropout nodes follow the module's {@code train()} and {@code eval()} as
 * PyTorch's layers do, held to PyTorch 1.13 on the fixtures of models/src/test/pytorch/onnx_training_fixtures.py
 * ({@link OnnxTrainingFixtures}): each element within 1e-5 of PyTorch's, relative to the larger of its own magnitude
 * and a tenth of the expected tensor's largest.
 */
class OnnxTrainingModeTest {
    /** A fixture file and what PyTorch computed for it. */
    record Fixture(String name, double[] evalOutput, double[] output, double[] inputGradient, double[] runningMean,
            double[] runningVar, double[] evalOutputAfterStep) {
        @Override
        public String toString() {
            return name;
        }

        OnnxModule load() throws IOException {
            return OnnxImport.load(OnnxImportPyTorchParityTest.path(name));
        }
    }

    static Stream<Fixture> fixtures() {
        return Stream.of(
                new Fixture("train_bn", OnnxTrainingFixtures.TRAIN_BN_EVAL_OUTPUT,
                        OnnxTrainingFixtures.TRAIN_BN_OUTPUT, OnnxTrainingFixtures.TRAIN_BN_INPUT_GRADIENT,
                        OnnxTrainingFixtures.TRAIN_BN_RUNNING_MEAN, OnnxTrainingFixtures.TRAIN_BN_RUNNING_VAR,
                        OnnxTrainingFixtures.TRAIN_BN_EVAL_OUTPUT_AFTER_STEP),
                new Fixture("eval_bn", OnnxTrainingFixtures.EVAL_BN_EVAL_OUTPUT,
                        OnnxTrainingFixtures.EVAL_BN_OUTPUT, OnnxTrainingFixtures.EVAL_BN_INPUT_GRADIENT,
                        OnnxTrainingFixtures.EVAL_BN_RUNNING_MEAN, OnnxTrainingFixtures.EVAL_BN_RUNNING_VAR,
                        OnnxTrainingFixtures.EVAL_BN_EVAL_OUTPUT_AFTER_STEP));
    }

    /** parity.pattern(64, 7) as [4, 1, 4, 4] in F32, as the script fed PyTorch. */
    private static Tensor input() {
        return PyTorchParity.values(7, 4, 1, 4, 4).to(DType.F32);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void aFreshImportRunsInEvaluationModeAsExported(Fixture f) throws IOException {
        try (OnnxModule model = f.load(); Scope s = Scope.open()) {
            assertFalse(model.isTraining());
            OnnxImportPyTorchParityTest.assertClose("eval output", f.evalOutput(),
                    model.forward(input()).toDoubleArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void trainingModeNormalisesWithTheBatchAndUpdatesTheRunningStatisticsAsPyTorch(Fixture f) throws IOException {
        try (OnnxModule model = f.load(); Scope s = Scope.open()) {
            model.train();
            Tensor x = input().requiresGrad(true);

            Tensor out = model.forward(x);
            out.mul(PyTorchParity.values(11, out.shape().dims()).to(DType.F32)).sum().backward();

            OnnxImportPyTorchParityTest.assertClose("output", f.output(), out.toDoubleArray());
            OnnxImportPyTorchParityTest.assertClose("input gradient", f.inputGradient(), x.grad().toDoubleArray());
            OnnxImportPyTorchParityTest.assertClose("running mean", f.runningMean(),
                    model.getBuffer("bn.running_mean").toDoubleArray());
            OnnxImportPyTorchParityTest.assertClose("running var", f.runningVar(),
                    model.getBuffer("bn.running_var").toDoubleArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void evalAfterATrainingStepNormalisesWithTheUpdatedStatisticsAsPyTorch(Fixture f) throws IOException {
        try (OnnxModule model = f.load(); Scope s = Scope.open(); SGD sgd = new SGD(model.trainableParameters(), 0.1)) {
            model.train();
            Tensor out = model.forward(input());
            out.mul(PyTorchParity.values(11, out.shape().dims()).to(DType.F32)).sum().backward();
            sgd.step();

            model.eval();

            OnnxImportPyTorchParityTest.assertClose("eval output after the step", f.evalOutputAfterStep(),
                    model.forward(input()).toDoubleArray());
        }
    }

    @Test
    void evalAfterTrainWithoutAForwardPassRunsAsExported() throws IOException {
        try (OnnxModule model = OnnxImport.load(OnnxImportPyTorchParityTest.path("train_bn"));
             Scope s = Scope.open()) {
            model.train();
            model.eval();

            OnnxImportPyTorchParityTest.assertClose("eval output", OnnxTrainingFixtures.TRAIN_BN_EVAL_OUTPUT,
                    model.forward(input()).toDoubleArray());
        }
    }

    @Test
    void withInitializersWritesTheRunningStatisticsThatTrainingUpdated() throws IOException {
        ModelProto file = ModelProto.parse(OnnxImportPyTorchParityTest.path("eval_bn"));
        try (OnnxModule model = OnnxImport.load(file); Scope s = Scope.open()) {
            model.train();
            model.forward(input());

            try (OnnxModule tuned = OnnxImport.load(OnnxWeights.withInitializers(file, model))) {
                OnnxImportPyTorchParityTest.assertClose("written running mean",
                        OnnxTrainingFixtures.EVAL_BN_RUNNING_MEAN, tuned.getBuffer("bn.running_mean").toDoubleArray());
                OnnxImportPyTorchParityTest.assertClose("written running var", OnnxTrainingFixtures.EVAL_BN_RUNNING_VAR,
                        tuned.getBuffer("bn.running_var").toDoubleArray());
            }
        }
    }

    /** Kiln's export writes the momentum as ONNX's, so that the import trains the running statistics as Kiln would. */
    @Test
    void aKilnBatchNormOfAnotherMomentumTrainsAsItselfAfterExportAndImport(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bn.onnx");
        BatchNorm2d bn = new BatchNorm2d(3, 1e-5, 0.3);
        try (Sequential kiln = new Sequential(bn); Scope s = Scope.open()) {
            OnnxExport.export(kiln, new int[] {1, 3, 2, 2}, file);
            Tensor x = PyTorchParity.values(5, 4, 3, 2, 2).to(DType.F32);
            kiln.train();
            kiln.forward(x);

            try (OnnxModule imported = OnnxImport.load(file)) {
                imported.train();
                imported.forward(x);

                assertArrayEquals(bn.runningMean().toDoubleArray(),
                        imported.getBuffer("0.running_mean").toDoubleArray(), 1e-6);
                assertArrayEquals(bn.runningVar().toDoubleArray(),
                        imported.getBuffer("0.running_var").toDoubleArray(), 1e-6);
            }
        }
    }

    /** A BatchNorm3d exported by Kiln: the volume normalised per channel, in training and then in evaluation mode. */
    @Test
    void aVolumeBatchNormalizationRunsAsKilnsBatchNorm3dInBothModes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bn3d.onnx");
        try (Sequential kiln = new Sequential(new BatchNorm3d(2)); Scope s = Scope.open()) {
            OnnxExport.export(kiln, new int[] {1, 2, 2, 3, 2}, file);
            Tensor x = PyTorchParity.values(9, 3, 2, 2, 3, 2).to(DType.F32);
            try (OnnxModule imported = OnnxImport.load(file)) {
                kiln.train();
                imported.train();

                assertArrayEquals(kiln.forward(x).toDoubleArray(), imported.forward(x).toDoubleArray(), 1e-5);
                kiln.eval();
                imported.eval();
                assertArrayEquals(kiln.forward(x).toDoubleArray(), imported.forward(x).toDoubleArray(), 1e-5);
            }
        }
    }

    /** Training-mode BatchNormalization in F64: input and parameter gradients against central differences. */
    @Test
    void trainingModeGradientsMatchFiniteDifferencesInF64() throws IOException {
        try (OnnxModule model = OnnxImport.load(OnnxImportPyTorchParityTest.path("train_bn"))) {
            model.to(DType.F64);
            model.train();
            List<Tensor> inputs = new ArrayList<>();
            inputs.add(PyTorchParity.values(7, 4, 1, 4, 4).requiresGrad(true));
            inputs.addAll(model.parameters());

            GradCheck.check("ONNX BatchNormalization in training", in -> model.forward(in[0]),
                    inputs.toArray(new Tensor[0]));
        }
    }

    @Test
    void dropoutInTrainingZeroesAboutItsRatioAndScalesTheRest() {
        try (OnnxModule model = OnnxImport.load(dropout(13, 0.25f)); Scope s = Scope.open()) {
            Engine.seed(5);
            model.train();

            double[] y = model.forward(Tensor.ones(200, 100)).toDoubleArray();

            long zeros = Arrays.stream(y).filter(v -> v == 0).count();
            assertEquals(0.25, zeros / (double) y.length, 0.02, "fraction dropped");
            assertTrue(Arrays.stream(y).allMatch(v -> v == 0 || Math.abs(v - 1 / 0.75) < 1e-6),
                    "kept elements are scaled by 1 / (1 - ratio)");
        }
    }

    @Test
    void dropoutBeforeOpset12TakesItsRatioFromTheAttribute() {
        try (OnnxModule model = OnnxImport.load(dropout(11, 0.5f)); Scope s = Scope.open()) {
            Engine.seed(5);
            model.train();

            double[] y = model.forward(Tensor.ones(200, 100)).toDoubleArray();

            assertEquals(0.5, Arrays.stream(y).filter(v -> v == 0).count() / (double) y.length, 0.02);
            assertTrue(Arrays.stream(y).allMatch(v -> v == 0 || v == 2));
        }
    }

    @Test
    void dropoutInEvaluationPassesItsInputOn() {
        try (OnnxModule model = OnnxImport.load(dropout(13, 0.25f)); Scope s = Scope.open()) {
            Tensor x = PyTorchParity.values(3, 4, 100).to(DType.F32);

            assertArrayEquals(x.toDoubleArray(), model.forward(x).toDoubleArray());
        }
    }

    @Test
    void aDropoutRatioOfOneIsRefusedNamingTheNode() {
        try (OnnxModule model = OnnxImport.load(dropout(13, 1f)); Scope s = Scope.open()) {
            model.train();

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.ones(2, 100)));

            assertTrue(e.getMessage().contains("Dropout node 'Dropout_node'")
                    && e.getMessage().contains("ratio must be in [0, 1), got 1.0"), e.getMessage());
        }
    }

    /**
     * x [batch, 100] through a Dropout of {@code ratio}: at opset 12 and later its ratio input from a Constant node, as
     * torch exports it; before, its attribute.
     */
    private static ModelProto dropout(long opset, float ratio) {
        if (opset < 12) {
            return OnnxGraphs.model(opset, List.of(OnnxGraphs.node("Dropout", List.of("x"), "y",
                    AttributeProto.ofFloat("ratio", ratio))), List.of(), List.of(OnnxGraphs.value("x", -1, 100)),
                    List.of(OnnxGraphs.value("y")));
        }
        TensorProto value = TensorProto.ofFloats("", new long[0], ratio);
        return OnnxGraphs.model(opset, List.of(
                        OnnxGraphs.node("Constant", List.of(), "ratio", AttributeProto.ofTensor("value", value)),
                        OnnxGraphs.node("Dropout", List.of("x", "ratio"), "y")),
                List.of(), List.of(OnnxGraphs.value("x", -1, 100)), List.of(OnnxGraphs.value("y")));
    }
}
