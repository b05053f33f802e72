package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AveragedModel} against its definitions: PyTorch's {@code AveragedModel} with its default (equal) average,
 * and the exponential moving average, on a Linear(2, 1) in F64 whose weights are set by hand between updates.
 */
class AveragedModelTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(2);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Linear linear() {
        return (Linear) new Linear(2, 1).to(DType.F64);
    }

    /** Sets weight [1, 2] and bias [1] of {@code model}. */
    private static void set(Linear model, double w0, double w1, double b) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            model.weight().assign(Tensor.fromArray(new double[] {w0, w1}, 1, 2));
            model.bias().assign(Tensor.fromArray(new double[] {b}, 1));
        }
    }

    private static double[] weights(AveragedModel averaged) {
        Linear copy = (Linear) averaged.module();
        double[] w = copy.weight().toDoubleArray();
        return new double[] {w[0], w[1], copy.bias().toDoubleArray()[0]};
    }

    @Test
    void swaIsTheEqualMeanOfEveryUpdatesWeights() {
        Linear model = linear();
        AveragedModel averaged = AveragedModel.swa(model);
        double[][] updates = {{1, 2, 3}, {4, -2, 0}, {-2, 3, 6}};
        for (double[] u : updates) {
            set(model, u[0], u[1], u[2]);
            averaged.updateParameters(model);
        }
        assertArrayEquals(new double[] {1, 1, 3}, weights(averaged), 1e-15);
        assertEquals(3, averaged.averaged());
    }

    @Test
    void emaCopiesTheFirstUpdateAndThenMovesByOneMinusDecay() {
        Linear model = linear();
        AveragedModel averaged = AveragedModel.ema(model, 0.9);
        set(model, 1, 2, 3);
        averaged.updateParameters(model);
        assertArrayEquals(new double[] {1, 2, 3}, weights(averaged), 0);
        set(model, 11, -8, 13);
        averaged.updateParameters(model);
        assertArrayEquals(new double[] {0.9 * 1 + 0.1 * 11, 0.9 * 2 - 0.1 * 8, 0.9 * 3 + 0.1 * 13}, weights(averaged),
                1e-15);
    }

    @Test
    void theAverageEvaluatesWithItsOwnWeightsAndLeavesTheModelAlone() {
        Linear model = linear();
        AveragedModel averaged = AveragedModel.swa(model);
        set(model, 2, 2, 2);
        averaged.updateParameters(model);
        set(model, 4, 4, 4);
        averaged.updateParameters(model);
        Tensor x = Tensor.fromArray(new double[] {1, 1}, 1, 2);
        assertEquals(3 + 3 + 3, averaged.forward(x).item(), 1e-15);
        assertEquals(4 + 4 + 4, model.forward(x).item(), 1e-15);
    }

    @Test
    void buffersAreCopiedFromTheModelUnlessTheyAreAveraged() {
        BatchNorm1d norm = (BatchNorm1d) new BatchNorm1d(1).to(DType.F64);
        AveragedModel copied = AveragedModel.swa(norm);
        AveragedModel averagedBuffers = AveragedModel.swa(norm, true);
        copied.updateParameters(norm);
        averagedBuffers.updateParameters(norm);
        norm.forward(Tensor.fromArray(new double[] {4, 6}, 2, 1));
        copied.updateParameters(norm);
        averagedBuffers.updateParameters(norm);
        BatchNorm1d copiedNorm = (BatchNorm1d) copied.module();
        BatchNorm1d averagedNorm = (BatchNorm1d) averagedBuffers.module();
        assertArrayEquals(new double[] {0.5}, copiedNorm.runningMean().toDoubleArray(), 1e-15, "0.9 * 0 + 0.1 * 5");
        assertArrayEquals(new double[] {0.25}, averagedNorm.runningMean().toDoubleArray(), 1e-15, "(0 + 0.5) / 2");
        assertEquals(1, copiedNorm.numBatchesTracked());
        assertEquals(1, averagedNorm.numBatchesTracked(), "an integer buffer is copied, not averaged");
    }

    @Test
    void updateBatchNormRecomputesTheStatisticsAsTheMeanOverTheLoadersBatches() {
        float[] x = new float[12 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(1.7 * i) * (i % 2 == 0 ? 3 : 1) + (i % 2);
        }
        BatchNorm1d norm = new BatchNorm1d(2);
        Sequential model = new Sequential(norm);
        norm.forward(Tensor.fromArray(new float[] {50, -50, 70, 30}, 2, 2));
        model.eval();
        try (DataLoader loader = new DataLoader(new ArrayDataset(x, new long[12], new int[] {2}, 1), 4, false, 1)) {
            AveragedModel.updateBatchNorm(loader, model);
        }
        double[] mean = new double[2];
        double[] var = new double[2];
        for (int b = 0; b < 3; b++) {
            for (int f = 0; f < 2; f++) {
                double sum = 0;
                double squares = 0;
                for (int r = 0; r < 4; r++) {
                    sum += x[(b * 4 + r) * 2 + f];
                }
                double batchMean = sum / 4;
                for (int r = 0; r < 4; r++) {
                    double d = x[(b * 4 + r) * 2 + f] - batchMean;
                    squares += d * d;
                }
                mean[f] += batchMean / 3;
                var[f] += squares / 3 / 3;
            }
        }
        assertArrayEquals(mean, norm.runningMean().toDoubleArray(), 1e-5, "the mean of the batches' means");
        assertArrayEquals(var, norm.runningVar().toDoubleArray(), 1e-5, "the mean of their unbiased variances");
        assertEquals(3, norm.numBatchesTracked());
        assertEquals(0.1, norm.momentum(), "the momentum is restored");
        assertTrue(!model.isTraining(), "the model's mode is restored");
    }

    @Test
    void updateBatchNormLeavesAFrozenBatchNormAlone() {
        BatchNorm1d norm = new BatchNorm1d(2);
        norm.forward(Tensor.fromArray(new float[] {50, -50, 70, 30}, 2, 2));
        double[] before = norm.runningMean().toDoubleArray();
        norm.freeze();
        try (DataLoader loader = new DataLoader(new ArrayDataset(new float[8], new long[4], new int[] {2}, 1), 2, false,
                1)) {
            AveragedModel.updateBatchNorm(loader, new Sequential(norm));
        }
        assertArrayEquals(before, norm.runningMean().toDoubleArray(), 0);
    }

    @Test
    void itsStateDictHoldsTheCopyUnderModuleAndTheCount() {
        AveragedModel averaged = AveragedModel.ema(linear(), 0.5);
        assertEquals(List.of("n_averaged", "module.weight", "module.bias"), List.copyOf(averaged.stateDict().keySet()),
                "PyTorch's order: a module's own buffers before its children's");
    }

    @Test
    void aModelOfAnotherArchitectureIsRefusedWithBothShapes() {
        AveragedModel averaged = AveragedModel.swa(linear());
        Module other = new Sequential(new Linear(3, 1)).to(DType.F64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> averaged.updateParameters(other));
        assertEquals("AveragedModel.updateParameters: the model's parameters and buffers [F64 [1, 3], F64 [1]] are not"
                + " those of the averaged copy [F64 [1, 2], F64 [1]]", e.getMessage());
    }

    @Test
    void aDecayOutsideZeroOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AveragedModel.ema(linear(), 1));
        assertEquals("AveragedModel.ema: decay must be in [0, 1), got 1.0", e.getMessage());
        assertTrue(AveragedModel.ema(linear(), 0).describe().startsWith("AveragedModel(ema decay=0.0"));
    }
}
