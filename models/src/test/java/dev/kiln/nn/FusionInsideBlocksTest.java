package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.zoo.MobileNetV2;
import dev.kiln.zoo.ResNet;
import dev.kiln.zoo.Zoo;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Fusion#fuseConvBatchNorm(Module)} over whole zoo models: the pairs inside ResNet's and MobileNetV2's blocks and
 * transposed convolutions are folded, and the fused model computes what the evaluation-mode model computes.
 */
class FusionInsideBlocksTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(5);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Gives every batch norm statistics and an affine far from the identity, then puts the model in eval mode. */
    private static <M extends Module> M withStatistics(M model) {
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            for (Module m : model.modules()) {
                if (m instanceof BatchNorm bn) {
                    int c = bn.channels();
                    bn.runningMean().assign(Tensor.uniform(-0.5, 0.5, DType.F32, c));
                    bn.runningVar().assign(Tensor.uniform(0.5, 2, DType.F32, c));
                    bn.weight().assign(Tensor.uniform(0.5, 1.5, DType.F32, c));
                    bn.bias().assign(Tensor.uniform(-0.5, 0.5, DType.F32, c));
                }
            }
        }
        model.eval();
        return model;
    }

    private static long batchNorms(Module model) {
        return model.modules().stream().filter(m -> m instanceof BatchNorm).count();
    }

    /** Largest |fused - model| over the largest |model|: the models' outputs agree to this relative error. */
    private static double relativeError(Module model, Module fused, int... inputShape) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.randn(DType.F32, inputShape);
            double[] expected = model.forward(x).toDoubleArray();
            double[] actual = fused.forward(x).toDoubleArray();
            double largest = 0;
            double error = 0;
            for (int i = 0; i < expected.length; i++) {
                largest = Math.max(largest, Math.abs(expected[i]));
                error = Math.max(error, Math.abs(actual[i] - expected[i]));
            }
            return error / largest;
        }
    }

    @Test
    void fusedResnet18ComputesWhatTheModelComputesWithoutBatchNorms() {
        try (ResNet model = withStatistics(ResNet.resnet18(3, 10))) {
            Module fused = Fusion.fuseConvBatchNorm(model);
            assertInstanceOf(ResNet.class, fused);
            assertEquals(20, batchNorms(model), "the stem, two per block and three downsamples");
            assertEquals(0, batchNorms(fused));
            assertEquals(model.modules().size() - 20, fused.modules().size());
            double error = relativeError(model, fused, 1, 3, 64, 64);
            assertTrue(error < 1e-4, "relative error " + error);
        }
    }

    @Test
    void fusedMobileNetV2ComputesWhatTheModelComputesWithoutBatchNorms() {
        try (MobileNetV2 model = withStatistics(MobileNetV2.mobilenetV2(3, 10))) {
            Module fused = Fusion.fuseConvBatchNorm(model);
            assertInstanceOf(MobileNetV2.class, fused);
            assertEquals(52, batchNorms(model));
            assertEquals(0, batchNorms(fused));
            assertEquals(model.modules().size() - 52, fused.modules().size());
            double error = relativeError(model, fused, 2, 3, 32, 32);
            assertTrue(error < 1e-4, "relative error " + error);
        }
    }

    @Test
    void fusedCifarResnet18FoldsEveryBlock() {
        try (Sequential model = withStatistics(Zoo.resnet18(3, 10))) {
            Sequential fused = Fusion.fuseConvBatchNorm(model);
            assertEquals(0, batchNorms(fused));
            double error = relativeError(model, fused, 2, 3, 32, 32);
            assertTrue(error < 1e-4, "relative error " + error);
        }
    }

    @Test
    void fusedBasicBlockLosesItsBatchNormsAndSharesItsShortcut() {
        try (BasicBlock block = withStatistics(new BasicBlock(4, 8, 2))) {
            Module fused = Fusion.fuseConvBatchNorm(block);
            assertEquals(List.of("conv1", "conv2", "downsample"), List.copyOf(fused.namedChildren().keySet()));
            assertTrue(fused.namedChildren().get("downsample") != block.namedChildren().get("downsample"),
                    "the downsample's pair is fused too");
            assertEquals(3, batchNorms(block), "the original keeps its batch norms");
            double error = relativeError(block, fused, 2, 4, 9, 9);
            assertTrue(error < 1e-5, "relative error " + error);
        }
    }

    @Test
    void moduleWithNothingToFuseIsTheSameObject() {
        try (Residual model = new Residual(new Sequential(new Linear(4, 4), new ReLU()))) {
            model.eval();
            assertSame(model, Fusion.fuseConvBatchNorm(model));
        }
    }

    @Test
    void residualAroundAPairIsRebuiltAroundItsFusion() {
        try (Residual model = withStatistics(new Residual(new Sequential(
                Conv2d.builder(3, 3, 3).padding(1).build(), new BatchNorm2d(3))))) {
            Module fused = Fusion.fuseConvBatchNorm(model);
            assertInstanceOf(Residual.class, fused);
            assertEquals(0, batchNorms(fused));
            assertEquals(1, batchNorms(model), "the model is left as it was");
            double error = relativeError(model, fused, 2, 3, 5, 5);
            assertTrue(error < 1e-5, "relative error " + error);
        }
    }

    @Test
    void transposedConvolutionFollowedByItsBatchNormIsFolded() {
        try (Sequential model = withStatistics(new Sequential(
                ConvTranspose2d.builder(3, 4, 4).stride(2).padding(1).build(), new BatchNorm2d(4), new ReLU(),
                new ConvTranspose2d(4, 2, 3), new ReLU()))) {
            Sequential fused = Fusion.fuseConvBatchNorm(model);
            assertEquals(4, fused.size());
            assertInstanceOf(ConvTranspose2d.class, fused.get(0));
            double error = relativeError(new Sequential(model.get(0), model.get(1)), fused.get(0), 2, 3, 5, 6);
            assertTrue(error < 1e-5, "relative error " + error);
        }
    }

    @Test
    void fusedTransposedConvolutionMatchesTheEvaluationPairInF64() {
        try (ConvTranspose3d conv = ConvTranspose3d.builder(2, 3, 3).stride(2).padding(1).outputPadding(1).build();
             BatchNorm3d bn = withStatistics(new BatchNorm3d(3))) {
            conv.eval();
            conv.to(DType.F64);
            bn.to(DType.F64);
            try (ConvTranspose3d fused = Fusion.fuseConvBatchNorm(conv, bn); Autograd.Guard g = Autograd.noGrad()) {
                Tensor x = Tensor.randn(DType.F64, 2, 2, 3, 4, 3);
                Tensors.assertValues(bn.forward(conv.forward(x)).toDoubleArray(), fused.forward(x), 1e-12);
            }
        }
    }

    @Test
    void zooModelInTrainingModeIsRefusedAsPyTorchRequiresEval() {
        try (ResNet model = ResNet.resnet18(3, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseConvBatchNorm(model));
            assertTrue(e.getMessage().contains("training mode") && e.getMessage().contains("call eval() first"),
                    e.getMessage());
        }
    }

    @Test
    void batchNormInTrainingModeInsideABlockIsRefusedByName() {
        try (Sequential model = withStatistics(new Sequential(new BasicBlock(4)))) {
            ((BasicBlock) model.get(0)).namedChildren().get("bn2").train();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseConvBatchNorm(model));
            assertTrue(e.getMessage().contains("BatchNorm2d(4") && e.getMessage().contains("batch norm is in training"),
                    e.getMessage());
        }
    }
}
