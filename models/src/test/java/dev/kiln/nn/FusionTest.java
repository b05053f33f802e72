package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.zoo.Zoo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Fusion}: what a fused model computes, what it shares with the model it came from, and what it refuses. */
class FusionTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Gives every batch norm in {@code model} statistics and an affine far from the identity, then eval mode. */
    private static <M extends Module> M withStatistics(M model) {
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            for (Module m : model.modules()) {
                if (m instanceof BatchNorm bn) {
                    int c = bn.channels();
                    bn.runningMean().assign(Tensor.uniform(-1, 1, DType.F32, c));
                    bn.runningVar().assign(Tensor.uniform(0.2, 2, DType.F32, c));
                    bn.weight().assign(Tensor.uniform(0.5, 1.5, DType.F32, c));
                    bn.bias().assign(Tensor.uniform(-0.5, 0.5, DType.F32, c));
                }
            }
        }
        model.eval();
        return model;
    }

    private static Sequential lenetWithBatchNorm() {
        return new Sequential(
                new Conv2d(1, 6, 5), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2, 2),
                Conv2d.builder(6, 16, 5).bias(false).build(), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2, 2),
                new Flatten(), new Linear(16 * 4 * 4, 10));
    }

    private static void assertSameOutputs(Sequential model, Sequential fused, int... inputShape) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.randn(DType.F32, inputShape);
            assertValues(model.forward(x).toDoubleArray(), fused.forward(x), 1e-5);
        }
    }

    @Test
    void fusedLenetWithBatchNormComputesWhatTheModelComputesInEvaluationMode() {
        try (Sequential model = withStatistics(lenetWithBatchNorm())) {
            Sequential fused = Fusion.fuseConvBatchNorm(model);
            assertSameOutputs(model, fused, 4, 1, 28, 28);
            fused.close();
        }
    }

    @Test
    void fusedResnetFoldsItsStemAndComputesWhatTheModelComputes() {
        try (Sequential model = withStatistics(Zoo.resnet(10))) {
            Sequential fused = Fusion.fuseConvBatchNorm(model);
            assertEquals(model.size() - 1, fused.size(), "the stem's batch norm is folded");
            assertInstanceOf(ReLU.class, fused.get(1));
            assertSameOutputs(model, fused, 2, 1, 28, 28);
            fused.close();
        }
    }

    @Test
    void fusedSequentialReplacesEachPairAndSharesEveryOtherModule() {
        try (Sequential model = withStatistics(lenetWithBatchNorm())) {
            Sequential fused = Fusion.fuseConvBatchNorm(model);
            assertEquals(8, fused.size());
            assertInstanceOf(Conv2d.class, fused.get(0));
            assertTrue(fused.get(0) != model.get(0), "a fused convolution is a new layer");
            assertSame(model.get(2), fused.get(1));
            assertSame(model.get(3), fused.get(2));
            assertSame(model.get(9), fused.get(7));
            assertTrue(!fused.isTraining(), "the fused model keeps evaluation mode");
            fused.close();
        }
    }

    @Test
    void convolutionFollowedByAnythingButItsBatchNormIsKept() {
        try (Sequential model = new Sequential(new Conv2d(2, 3, 3), new ReLU(), new BatchNorm2d(3), new Conv1d(3, 3, 1),
                new BatchNorm2d(3))) {
            model.eval();
            Sequential fused = Fusion.fuseConvBatchNorm(model);
            assertEquals(model.size(), fused.size());
            for (int i = 0; i < model.size(); i++) {
                assertSame(model.get(i), fused.get(i));
            }
        }
    }

    @Test
    void fusionLeavesTheLayerAndBatchNormAsTheyWere() {
        try (Conv2d conv = new Conv2d(2, 3, 3); BatchNorm2d bn = withStatistics(new BatchNorm2d(3))) {
            conv.eval();
            double[] weight = conv.weight().toDoubleArray();
            double[] mean = bn.runningMean().toDoubleArray();
            try (Conv2d fused = Fusion.fuseConvBatchNorm(conv, bn)) {
                assertValues(weight, conv.weight(), 0);
                assertValues(mean, bn.runningMean(), 0);
                assertTrue(fused.weight() != conv.weight(), "the fused weight is a new tensor");
            }
        }
    }

    @Test
    void convolutionWithoutBiasGainsOneThatIsTrainable() {
        try (Conv1d conv = Conv1d.builder(2, 3, 3).bias(false).build();
             BatchNorm1d bn = withStatistics(new BatchNorm1d(3))) {
            conv.eval();
            assertNull(conv.bias());
            try (Conv1d fused = Fusion.fuseConvBatchNorm(conv, bn)) {
                assertNotNull(fused.bias());
                assertTrue(fused.bias().requiresGrad() && fused.weight().requiresGrad(), "new trainable parameters");
                assertEquals("Conv1d(2, 3, kernel_size=(3,), stride=(1,))",
                        fused.toString());
            }
        }
    }

    @Test
    void fusedConv3dMatchesTheEvaluationPairInF64() {
        try (Conv3d conv = Conv3d.builder(2, 4, 3).padding(1).stride(2).build();
             BatchNorm3d bn = withStatistics(new BatchNorm3d(4, 1e-3, 0.1))) {
            conv.eval();
            conv.to(DType.F64);
            bn.to(DType.F64);
            try (Conv3d fused = Fusion.fuseConvBatchNorm(conv, bn); Autograd.Guard g = Autograd.noGrad()) {
                Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 6, 4);
                assertValues(bn.forward(conv.forward(x)).toDoubleArray(), fused.forward(x), 1e-12);
            }
        }
    }

    @Test
    void fusedLinearMatchesTheEvaluationPair() {
        try (Linear linear = new Linear(5, 3); BatchNorm1d bn = withStatistics(new BatchNorm1d(3))) {
            linear.eval();
            try (Linear fused = Fusion.fuseLinearBatchNorm(linear, bn); Autograd.Guard g = Autograd.noGrad()) {
                Tensor x = Tensor.randn(DType.F32, 4, 5);
                assertValues(bn.forward(linear.forward(x)).toDoubleArray(), fused.forward(x), 1e-5);
            }
        }
    }

    @Test
    void batchNormInTrainingModeIsRefusedByName() {
        try (Conv2d conv = new Conv2d(2, 3, 3); BatchNorm2d bn = new BatchNorm2d(3)) {
            conv.eval();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseConvBatchNorm(conv, bn));
            assertTrue(e.getMessage().contains("BatchNorm2d(3") && e.getMessage().contains("batch norm is in training"),
                    e.getMessage());
        }
    }

    @Test
    void modelInTrainingModeIsRefused() {
        try (Sequential model = lenetWithBatchNorm()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseConvBatchNorm(model));
            assertTrue(e.getMessage().contains("training mode"), e.getMessage());
        }
    }

    @Test
    void channelMismatchNamesBothCounts() {
        try (Conv2d conv = new Conv2d(2, 3, 3); BatchNorm2d bn = new BatchNorm2d(4)) {
            conv.eval();
            bn.eval();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseConvBatchNorm(conv, bn));
            assertTrue(e.getMessage().contains("3 output channels") && e.getMessage().contains("normalises 4 channels"),
                    e.getMessage());
        }
    }

    @Test
    void linearFeatureMismatchNamesBothCounts() {
        try (Linear linear = new Linear(5, 3); BatchNorm1d bn = new BatchNorm1d(2)) {
            linear.eval();
            bn.eval();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseLinearBatchNorm(linear, bn));
            assertTrue(e.getMessage().contains("3 output features") && e.getMessage().contains("normalises 2 channels"),
                    e.getMessage());
        }
    }

    /** A parametrized layer's repr spans lines (ParametrizedLinear, its ModuleDict): the message names it on one. */
    @Test
    void parametrizedLayerIsRefusedNamedOnOneLine() {
        try (Linear linear = Parametrize.registerParametrization(new Linear(3, 2), "weight", new Identity());
             BatchNorm1d bn = new BatchNorm1d(2)) {
            linear.eval();
            bn.eval();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseLinearBatchNorm(linear, bn));
            assertEquals("fuseLinearBatchNorm(Linear(in_features=3, out_features=2, bias=True), BatchNorm1d(2,"
                    + " eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)): the layer's weight or bias is"
                    + " computed"
                    + " (weight norm, spectral norm or a parametrization); remove that first", e.getMessage());
        }
    }

    @Test
    void layerWithComputedWeightIsRefused() {
        try (Conv2d conv = WeightNorm.apply(new Conv2d(2, 3, 3)); BatchNorm2d bn = new BatchNorm2d(3)) {
            conv.eval();
            bn.eval();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fusion.fuseConvBatchNorm(conv, bn));
            assertTrue(e.getMessage().contains("weight or bias is computed"), e.getMessage());
        }
    }
}
