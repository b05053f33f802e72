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

class BatchNorm2dTest {
    private static final int N = 3;
    private static final int C = 2;
    private static final int H = 2;
    private static final int W = 3;
    private static final double EPS = 1e-5;

    @BeforeEach
    void seed() {
        Engine.seed(11);
    }

    /** Per channel, over batch and pixels, by plain loops: {mean, biased variance}. */
    private static double[][] channelStats(double[] x) {
        double[][] stats = new double[C][2];
        int m = N * H * W;
        for (int c = 0; c < C; c++) {
            double sum = 0;
            for (int n = 0; n < N; n++) {
                for (int p = 0; p < H * W; p++) {
                    sum += x[(n * C + c) * H * W + p];
                }
            }
            double mean = sum / m;
            double squares = 0;
            for (int n = 0; n < N; n++) {
                for (int p = 0; p < H * W; p++) {
                    double d = x[(n * C + c) * H * W + p] - mean;
                    squares += d * d;
                }
            }
            stats[c][0] = mean;
            stats[c][1] = squares / m;
        }
        return stats;
    }

    @Test
    void startsWithPyTorchsDefaultsAndStateDictNames() {
        try (BatchNorm2d bn = new BatchNorm2d(4)) {
            assertValues(new double[] {1, 1, 1, 1}, bn.weight(), 0);
            assertValues(new double[] {0, 0, 0, 0}, bn.bias(), 0);
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(bn.stateDict().keySet()));
        }
    }

    @Test
    void trainingNormalisesEachChannelOverBatchAndPixels() {
        try (BatchNorm2d bn = new BatchNorm2d(C); Scope s = Scope.open()) {
            bn.to(DType.F64);
            set(bn.weight(), 2, 0.5);
            set(bn.bias(), 1, -1);
            Tensor x = Tensor.randn(DType.F64, N, C, H, W).mul(3).add(1);
            double[] in = x.toDoubleArray();
            double[][] stats = channelStats(in);
            double[] w = {2, 0.5};
            double[] b = {1, -1};
            double[] expected = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                int c = (i / (H * W)) % C;
                expected[i] = (in[i] - stats[c][0]) / Math.sqrt(stats[c][1] + EPS) * w[c] + b[c];
            }
            assertValues(expected, bn.forward(x), 1e-12);
        }
    }

    @Test
    void trainingUpdatesRunningStatsWithUnbiasedVarianceAndCountsBatches() {
        try (BatchNorm2d bn = new BatchNorm2d(C); Scope s = Scope.open()) {
            bn.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, N, C, H, W);
            double[][] stats = channelStats(x.toDoubleArray());
            int m = N * H * W;
            bn.forward(x);
            assertValues(new double[] {0.1 * stats[0][0], 0.1 * stats[1][0]}, bn.runningMean(), 1e-12);
            assertValues(new double[] {0.9 + 0.1 * stats[0][1] * m / (m - 1), 0.9 + 0.1 * stats[1][1] * m / (m - 1)},
                    bn.runningVar(), 1e-12);
            bn.forward(x);
            assertEquals(2, bn.stateDict().get("num_batches_tracked").toLongArray()[0]);
        }
    }

    @Test
    void aNullMomentumKeepsTheCumulativeAverageOfEveryBatchsStatistics() {
        try (BatchNorm2d bn = new BatchNorm2d(C, EPS, null); Scope s = Scope.open()) {
            bn.to(DType.F64);
            int m = N * H * W;
            double[] meanSum = new double[C];
            double[] varSum = new double[C];
            for (int batch = 0; batch < 3; batch++) {
                Tensor x = Tensor.randn(DType.F64, N, C, H, W).mul(batch + 1).add(batch);
                double[][] stats = channelStats(x.toDoubleArray());
                for (int c = 0; c < C; c++) {
                    meanSum[c] += stats[c][0];
                    varSum[c] += stats[c][1] * m / (m - 1);
                }
                bn.forward(x);
            }
            assertValues(new double[] {meanSum[0] / 3, meanSum[1] / 3}, bn.runningMean(), 1e-12);
            assertValues(new double[] {varSum[0] / 3, varSum[1] / 3}, bn.runningVar(), 1e-12);
            assertEquals("BatchNorm2d(2, eps=1e-05, momentum=None, affine=True, track_running_stats=True)", bn.toString());
        }
    }

    @Test
    void aNullMomentumGivesPyTorchsRunningStatisticsOfMomentumNone() {
        // torch.nn.BatchNorm2d(2, momentum=None) in F64 on x_k = sin(arange(36)).reshape(3, 2, 2, 3) * (k + 1) + k
        // for k = 0, 1, 2, PyTorch 1.13
        try (BatchNorm2d bn = new BatchNorm2d(C, EPS, null); Scope s = Scope.open()) {
            bn.to(DType.F64);
            double[] base = new double[N * C * H * W];
            for (int i = 0; i < base.length; i++) {
                base[i] = Math.sin(i);
            }
            for (int k = 0; k < 3; k++) {
                bn.forward(Tensor.fromArray(base, N, C, H, W).mul(k + 1).add(k));
            }
            assertValues(new double[] {1.0821807029700625, 1.087624993576802}, bn.runningMean(), 1e-12);
            assertValues(new double[] {2.3992280947603497, 2.377928683629615}, bn.runningVar(), 1e-12);
            assertEquals(3, bn.numBatchesTracked());
        }
    }

    @Test
    void resetRunningStatsGivesBackTheInitialStatisticsAndCount() {
        try (BatchNorm2d bn = new BatchNorm2d(C); Scope s = Scope.open()) {
            bn.forward(Tensor.randn(N, C, H, W).add(3));
            bn.resetRunningStats();
            assertValues(new double[] {0, 0}, bn.runningMean(), 0);
            assertValues(new double[] {1, 1}, bn.runningVar(), 0);
            assertEquals(0, bn.numBatchesTracked());
        }
    }

    @Test
    void setMomentumTakesNullForTheCumulativeAverageAndRefusesOtherValuesOutsideZeroOne() {
        try (BatchNorm2d bn = new BatchNorm2d(C)) {
            bn.setMomentum(null);
            assertEquals(null, bn.momentum());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.setMomentum(1.5));
            assertEquals("BatchNorm2d: momentum must be in [0, 1] or null (cumulative), got 1.5", e.getMessage());
        }
    }

    @Test
    void evalModeUsesRunningStatsAndLeavesThemUnchanged() {
        try (BatchNorm2d bn = new BatchNorm2d(C); Scope s = Scope.open()) {
            bn.to(DType.F64);
            bn.forward(Tensor.randn(DType.F64, N, C, H, W).add(2));
            bn.eval();
            double[] rm = bn.runningMean().toDoubleArray();
            double[] rv = bn.runningVar().toDoubleArray();
            Tensor x = Tensor.randn(DType.F64, 1, C, H, W);
            double[] in = x.toDoubleArray();
            double[] expected = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                int c = i / (H * W);
                expected[i] = (in[i] - rm[c]) / Math.sqrt(rv[c] + EPS);
            }
            assertValues(expected, bn.forward(x), 1e-12);
            assertValues(rm, bn.runningMean(), 0);
            assertEquals(1, bn.numBatchesTracked());
        }
    }

    @Test
    void inputThatIsNotFourDimensionalOrHasOtherChannelsIsAClearError() {
        try (BatchNorm2d bn = new BatchNorm2d(3); Scope s = Scope.open()) {
            IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(4, 3)));
            assertTrue(flat.getMessage().contains("BatchNorm2d(3)") && flat.getMessage().contains("[4, 3]"), flat.getMessage());
            IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                    () -> bn.forward(Tensor.zeros(2, 4, 5, 5)));
            assertTrue(channels.getMessage().contains("[batch, 3, height, width]"), channels.getMessage());
        }
    }

    @Test
    void trainingModeGradientsMatchFiniteDifferencesInF64() {
        try (BatchNorm2d bn = new BatchNorm2d(C); Scope s = Scope.open()) {
            bn.to(DType.F64);
            set(bn.weight(), 1.5, -0.7);
            set(bn.bias(), 0.2, 0.1);
            Tensor x = Tensor.randn(DType.F64, N, C, H, W).requiresGrad(true);
            GradCheck.check("BatchNorm2d", in -> bn.forward(in[0]), x, bn.weight(), bn.bias());
        }
    }
}
