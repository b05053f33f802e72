package dev.kiln.onnx;

import ai.onnxruntime.OrtException;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AlphaDropout;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.BatchNorm;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.ConstantPad2d;
import dev.kiln.nn.Conv1d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Dropout2d;
import dev.kiln.nn.ELU;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GELU;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.Hardsigmoid;
import dev.kiln.nn.Hardswish;
import dev.kiln.nn.Hardtanh;
import dev.kiln.nn.Identity;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.LeakyReLU;
import dev.kiln.nn.Linear;
import dev.kiln.nn.LogSoftmax;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.ReLU6;
import dev.kiln.nn.SELU;
import dev.kiln.nn.SiLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Sigmoid;
import dev.kiln.nn.Softmax;
import dev.kiln.nn.Softplus;
import dev.kiln.nn.Tanh;
import dev.kiln.nn.Unflatten;
import dev.kiln.nn.ZeroPad2d;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each layer family exported and run in ONNX Runtime against Kiln's forward (see {@link OrtCheck}). */
@Tag("onnxruntime")
public class OnnxExportLayersTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(11);
    }

    private static Tensor f32(int seed, int n) {
        return PyTorchParity.values(seed, n).to(DType.F32);
    }

    /** Running statistics, scale and shift away from their initial 0, 1, 1, 0, so that each one matters. */
    public static void perturbBatchNorms(Module model) {
        int seed = 1;
        try (var g = Autograd.noGrad()) {
            for (Module m : model.namedModules().values()) {
                if (m instanceof BatchNorm bn) {
                    int c = bn.channels();
                    bn.runningMean().assign(f32(seed++, c));
                    bn.runningVar().assign(f32(seed++, c).abs().add(0.5));
                    bn.weight().assign(f32(seed++, c).add(1));
                    bn.bias().assign(f32(seed++, c));
                }
            }
        }
    }

    @Test
    void linearOnBatchesOfVectorsIsGemm() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new Linear(6, 4), new Linear(4, 3, false)), dir, 6);
    }

    @Test
    void linearOnHigherRankInputIsMatMulAndAdd() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new Linear(6, 4), new Linear(4, 2, false)), dir, 2, 6);
    }

    @Test
    void conv2dKeepsStridePaddingDilationAndGroups() throws Exception {
        Module model = new Sequential(
                Conv2d.builder(4, 6, 3).stride(2).padding(1).groups(2).build(),
                Conv2d.builder(6, 3, 2, 3).padding(1, 0).dilation(2, 1).bias(false).build());
        OrtCheck.exportAndCompare(model, dir, 4, 9, 9);
    }

    @Test
    void convolutionsPaddingByReflectionOrReplicationPadFirst() throws Exception {
        Module model = new Sequential(
                Conv2d.builder(2, 3, 3).padding(1, 2).paddingMode(PaddingMode.REFLECT).build(),
                Conv2d.builder(3, 2, 3).padding(1).paddingMode(PaddingMode.REPLICATE).build());
        OrtCheck.exportAndCompare(model, dir, 2, 5, 6);
        Module model1d = new Sequential(Conv1d.builder(2, 3, 3).padding(2).paddingMode(PaddingMode.REFLECT).build());
        OrtCheck.exportAndCompare(model1d, dir, 2, 7);
    }

    @Test
    void conv1dKeepsStridePaddingAndDilation() throws Exception {
        Module model = new Sequential(Conv1d.builder(3, 4, 3).stride(2).padding(1).dilation(2).build(),
                Conv1d.builder(4, 4, 1).groups(4).bias(false).build());
        OrtCheck.exportAndCompare(model, dir, 3, 11);
    }

    @Test
    void convTranspose2dKeepsStridePaddingAndOutputPadding() throws Exception {
        Module model = new Sequential(ConvTranspose2d.builder(3, 2, 3).stride(2).padding(1).outputPadding(1).build(),
                ConvTranspose2d.builder(2, 2, 2).dilation(2).bias(false).build());
        OrtCheck.exportAndCompare(model, dir, 3, 5, 4);
    }

    @Test
    void batchNorm2dUsesItsRunningStatistics() throws Exception {
        Module model = new Sequential(new BatchNorm2d(3, 1e-3, 0.1));
        perturbBatchNorms(model);
        OrtCheck.exportAndCompare(model, dir, 3, 4, 5);
    }

    @Test
    void batchNorm1dUsesItsRunningStatistics() throws Exception {
        Module model = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
        perturbBatchNorms(model);
        OrtCheck.exportAndCompare(model, dir, 3);
    }

    @Test
    void layerNormWithAndWithoutAffine() throws Exception {
        LayerNorm affine = new LayerNorm(8, 1e-4);
        try (var g = Autograd.noGrad()) {
            affine.weight().assign(f32(1, 8).add(1));
            affine.bias().assign(f32(2, 8));
        }
        OrtCheck.exportAndCompare(new Sequential(affine, new LayerNorm(8, 1e-5, false)), dir, 5, 8);
    }

    @Test
    void everyActivationMatches() throws Exception {
        List<Module> activations = List.of(new ReLU(), new LeakyReLU(0.2), new ELU(0.7), new SELU(), new GELU(),
                new GELU("tanh"), new Sigmoid(), new Tanh(), new Softmax(1), new LogSoftmax(-1), new SiLU(),
                new Hardswish(), new Hardsigmoid(), new ReLU6(), new Hardtanh(-0.5, 1.5), new Softplus(),
                new Softplus(2, 3));
        for (Module activation : activations) {
            OrtCheck.exportAndCompare(new Sequential(activation), dir, 4, 5);
        }
    }

    @Test
    void maxPoolWithPaddingDilationAndCeilMode() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new MaxPool2d(3, 2, 1, true)), dir, 2, 8, 8);
        OrtCheck.exportAndCompare(new Sequential(new MaxPool2d(2, 1, 0, 2, false)), dir, 2, 7, 6);
        OrtCheck.exportAndCompare(new Sequential(new MaxPool2d(2, 3, 1, true)), dir, 2, 5, 5);
    }

    @Test
    void averagePoolCountingPaddingOrNot() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new AvgPool2d(3, 2, 1, false, true)), dir, 2, 7, 7);
        OrtCheck.exportAndCompare(new Sequential(new AvgPool2d(3, 2, 1, false, false)), dir, 2, 7, 7);
    }

    @Test
    void averagePoolInCeilMode() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new AvgPool2d(2, 2, 0, true, true)), dir, 2, 5, 5);
        OrtCheck.exportAndCompare(new Sequential(new AvgPool2d(3, 2, 1, true, true)), dir, 2, 6, 6);
        OrtCheck.exportAndCompare(new Sequential(new AvgPool2d(3, 2, 1, true, false)), dir, 2, 6, 6);
        OrtCheck.exportAndCompare(new Sequential(new AvgPool2d(2, 3, 1, true, true)), dir, 2, 5, 5);
        OrtCheck.exportAndCompare(new Sequential(new AvgPool2d(2, 3, 1, true, false)), dir, 2, 5, 5);
    }

    @Test
    void adaptiveAndGlobalAveragePooling() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new AdaptiveAvgPool2d(1)), dir, 3, 5, 7);
        OrtCheck.exportAndCompare(new Sequential(new AdaptiveAvgPool2d(2, 3)), dir, 3, 4, 6);
        OrtCheck.exportAndCompare(new Sequential(new AdaptiveAvgPool2d(3, 4)), dir, 3, 5, 7);
        OrtCheck.exportAndCompare(new Sequential(new AdaptiveAvgPool2d(6)), dir, 3, 1, 2);
        OrtCheck.exportAndCompare(new Sequential(new GlobalAvgPool2d()), dir, 3, 5, 7);
    }

    @Test
    void flattenAndUnflattenReshape() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new Flatten(), new Unflatten(1, 3, 10), new Flatten(2)), dir,
                2, 3, 5);
    }

    @Test
    void flattenAndUnflattenFollowSymbolicAxesBehindTheOnesTheyChange() throws Exception {
        Module model = new Sequential(new Unflatten(1, 2, 3), new Flatten(3));
        Path file = dir.resolve("symbolic.onnx");
        OnnxExport.export(model, new int[] {2, 6, 4, 5}, file, OnnxExportOptions.defaults().withDynamicAxes(
                Map.of(0, "batch", 2, "height", 3, "width"), Map.of(0, "batch", 3, "size")));
        for (int[] shape : new int[][] {{2, 6, 4, 5}, {1, 6, 3, 7}}) {
            OrtCheck.compare(model, file, shape, "input");
        }
    }

    @Test
    void flatteningFromTheBatchAxisTakesOtherBatchSizes() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new Flatten(0)), dir, 3, 4);
    }

    @Test
    void dropoutsAndIdentityPassTheInputOn() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new Dropout(0.5), new Dropout2d(0.3), new AlphaDropout(0.2),
                new Identity()), dir, 2, 3, 4);
        OrtCheck.exportAndCompare(new Sequential(new Linear(3, 3), new Dropout(0.5)), dir, 3);
    }

    @Test
    void constantPaddingOnTheLastTwoAxes() throws Exception {
        OrtCheck.exportAndCompare(new Sequential(new ZeroPad2d(new int[] {1, 2, 0, 3}), new ConstantPad2d(1, 0.5)),
                dir, 2, 3, 4);
    }

    @Test
    void embeddingIsGatherOnInt64Indices() throws IOException, OrtException {
        Module model = new Sequential(new Embedding(10, 4), new Flatten(), new Linear(12, 2));
        Path file = dir.resolve("embedding.onnx");
        OnnxExport.export(model, new int[] {2, 3}, file, OnnxExportOptions.defaults().withInputType(DType.I64));
        OrtCheck.compareIndices(model, file, new int[] {2, 3}, new long[] {0, 9, 3, 3, 1, 7});
        OrtCheck.compareIndices(model, file, new int[] {1, 3}, new long[] {5, 2, 8});
    }
}
