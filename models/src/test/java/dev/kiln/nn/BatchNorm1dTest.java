package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchNorm1dTest {
    /** Columns (1, 3, 5, 7): mean 4, biased variance 5, unbiased 20/3; (2, 6, 10, 2): mean 5, biased 11, unbiased 44/3. */
    private static final double[] X = {1, 2, 3, 6, 5, 10, 7, 2};
    private static final double EPS = 1e-5;

    @BeforeEach
    void seed() {
        Engine.seed(7);
    }

    private static Tensor x() {
        return Tensor.fromArray(X, 4, 2);
    }

    @Test
    void startsWithPyTorchsDefaults() {
        try (BatchNorm1d bn = new BatchNorm1d(3)) {
            assertValues(new double[] {1, 1, 1}, bn.weight(), 0);
            assertValues(new double[] {0, 0, 0}, bn.bias(), 0);
            assertValues(new double[] {0, 0, 0}, bn.runningMean(), 0);
            assertValues(new double[] {1, 1, 1}, bn.runningVar(), 0);
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(bn.stateDict().keySet()));
            assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        }
    }

    @Test
    void trainingNormalisesWithBatchMeanAndBiasedVariance() {
        try (BatchNorm1d bn = new BatchNorm1d(2); Scope s = Scope.open()) {
            bn.to(DType.F64);
            double[] mean = {4, 5};
            double[] var = {5, 11};
            double[] expected = new double[8];
            for (int i = 0; i < 8; i++) {
                expected[i] = (X[i] - mean[i % 2]) / Math.sqrt(var[i % 2] + EPS);
            }
            assertValues(expected, bn.forward(x()), 1e-12);
        }
    }

    @Test
    void oneTrainingStepUpdatesRunningStatsWithUnbiasedVarianceAndMomentumPointOne() {
        try (BatchNorm1d bn = new BatchNorm1d(2); Scope s = Scope.open()) {
            bn.to(DType.F64);
            bn.forward(x());
            assertValues(new double[] {0.1 * 4, 0.1 * 5}, bn.runningMean(), 1e-12);
            assertValues(new double[] {0.9 + 0.1 * 20 / 3.0, 0.9 + 0.1 * 44 / 3.0}, bn.runningVar(), 1e-12);
            assertEquals(1, bn.numBatchesTracked());
            assertEquals(1, bn.stateDict().get("num_batches_tracked").toLongArray()[0]);
            bn.forward(x());
            assertValues(new double[] {0.9 * 0.4 + 0.1 * 4, 0.9 * 0.5 + 0.1 * 5}, bn.runningMean(), 1e-12);
            assertEquals(2, bn.stateDict().get("num_batches_tracked").toLongArray()[0]);
        }
    }

    @Test
    void aCheckpointedBatchNormUpdatesItsRunningStatisticsOnceUnlikePyTorch() {
        try (Sequential plain = new Sequential(new Linear(2, 3), new BatchNorm1d(3), new ReLU());
             Sequential checkpointed = plain.copy().checkpoint(true); Scope s = Scope.open()) {
            Tensor in = x().to(DType.F32).requiresGrad(true);
            Tensors.assertSameStep(plain, plain::forward, checkpointed, checkpointed::forward, in);
            BatchNorm1d once = (BatchNorm1d) plain.get(1);
            BatchNorm1d recomputed = (BatchNorm1d) checkpointed.get(1);
            assertValues(once.runningMean().toDoubleArray(), recomputed.runningMean(), 0);
            assertValues(once.runningVar().toDoubleArray(), recomputed.runningVar(), 0);
            assertEquals(1, recomputed.numBatchesTracked(), "the recomputation counts no second batch");
        }
    }

    @Test
    void evalModeUsesRunningStatsAndLeavesThemUnchanged() {
        try (BatchNorm1d bn = new BatchNorm1d(2); Scope s = Scope.open()) {
            bn.to(DType.F64);
            set(bn.weight(), 2, 0.5);
            set(bn.bias(), 1, -1);
            bn.forward(x());
            bn.eval();
            double[] rm = {0.4, 0.5};
            double[] rv = {0.9 + 0.1 * 20 / 3.0, 0.9 + 0.1 * 44 / 3.0};
            double[] w = {2, 0.5};
            double[] b = {1, -1};
            double[] in = {0.5, -1, 3, 2};
            double[] expected = new double[4];
            for (int i = 0; i < 4; i++) {
                int f = i % 2;
                expected[i] = (in[i] - rm[f]) / Math.sqrt(rv[f] + EPS) * w[f] + b[f];
            }
            assertValues(expected, bn.forward(Tensor.fromArray(in, 2, 2)), 1e-12);
            assertValues(rm, bn.runningMean(), 1e-12);
            assertEquals(1, bn.numBatchesTracked());
        }
    }

    @Test
    void trainingOnASingleRowIsRefusedAsInPyTorch() {
        try (BatchNorm1d bn = new BatchNorm1d(2); Scope s = Scope.open()) {
            assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(1, 2)));
            bn.eval();
            assertEquals(2, bn.forward(Tensor.zeros(1, 2)).size());
        }
    }

    @Test
    void wrongFeatureCountIsAClearError() {
        try (BatchNorm1d bn = new BatchNorm1d(3); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(4, 2)));
            assertTrue(e.getMessage().contains("[4, 2]"), e.getMessage());
        }
    }

    @Test
    void trainingModeGradientsMatchFiniteDifferencesInF64() {
        try (BatchNorm1d bn = new BatchNorm1d(3); Scope s = Scope.open()) {
            bn.to(DType.F64);
            set(bn.weight(), 1.5, -0.7, 0.3);
            set(bn.bias(), 0.2, 0.1, -0.4);
            Tensor x = Tensor.randn(DType.F64, 5, 3).requiresGrad(true);
            GradCheck.check("BatchNorm1d", in -> bn.forward(in[0]), x, bn.weight(), bn.bias());
        }
    }

    @Test
    void evalModeGradientsMatchFiniteDifferencesInF64() {
        try (BatchNorm1d bn = new BatchNorm1d(3); Scope s = Scope.open()) {
            bn.to(DType.F64);
            bn.forward(Tensor.randn(DType.F64, 6, 3));
            bn.eval();
            Tensor x = Tensor.randn(DType.F64, 4, 3).requiresGrad(true);
            GradCheck.check("BatchNorm1d eval", in -> bn.forward(in[0]), x, bn.weight(), bn.bias());
        }
    }
}
