package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceNormTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(7);
    }

    @Test
    void pyTorchsDefaultsHaveNoParametersAndNoRunningStatistics() {
        try (InstanceNorm2d in = new InstanceNorm2d(3)) {
            assertTrue(in.stateDict().isEmpty());
            assertEquals("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)", in.toString());
        }
    }

    @Test
    void withAffineHasAWeightAndBiasPerChannel() {
        try (InstanceNorm1d in = new InstanceNorm1d(3, 1e-5, 0.1, true, false)) {
            assertEquals(List.of("weight", "bias"), List.copyOf(in.stateDict().keySet()));
            assertValues(new double[] {1, 1, 1}, in.weight(), 0);
            assertValues(new double[] {0, 0, 0}, in.bias(), 0);
        }
    }

    @Test
    void trackingRunningStatisticsAddsPyTorchsBuffers() {
        try (InstanceNorm2d in = new InstanceNorm2d(2, 1e-5, 0.1, true, true)) {
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(in.stateDict().keySet()));
            assertValues(new double[] {0, 0}, in.runningMean(), 0);
            assertValues(new double[] {1, 1}, in.runningVar(), 0);
            assertEquals("InstanceNorm2d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", in.toString());
        }
    }

    @Test
    void aCheckpointedInstanceNormUpdatesItsRunningStatisticsOnce() {
        try (Sequential plain = new Sequential(new InstanceNorm1d(2, 1e-5, 0.1, true, true), new Tanh());
             Sequential checkpointed = plain.copy().checkpoint(true); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(3, 2, 5).requiresGrad(true);
            Tensors.assertSameStep(plain, plain::forward, checkpointed, checkpointed::forward, x);
            InstanceNorm1d once = (InstanceNorm1d) plain.get(0);
            InstanceNorm1d recomputed = (InstanceNorm1d) checkpointed.get(0);
            assertValues(once.runningMean().toDoubleArray(), recomputed.runningMean(), 0);
            assertValues(once.runningVar().toDoubleArray(), recomputed.runningVar(), 0);
        }
    }

    @Test
    void evalModeWithRunningStatisticsNormalisesWithThemAndLeavesThemUnchanged() {
        try (InstanceNorm1d in = new InstanceNorm1d(2, 1e-5, 0.1, false, true); Scope s = Scope.open()) {
            in.to(DType.F64);
            in.forward(Tensor.randn(DType.F64, 3, 2, 5).mul(2).add(1));
            in.eval();
            double[] mean = in.runningMean().toDoubleArray();
            double[] var = in.runningVar().toDoubleArray();
            Tensor x = Tensor.randn(DType.F64, 1, 2, 1);
            double[] values = x.toDoubleArray();
            double[] expected = new double[2];
            for (int c = 0; c < 2; c++) {
                expected[c] = (values[c] - mean[c]) / Math.sqrt(var[c] + 1e-5);
            }
            assertValues(expected, in.forward(x), 1e-12);
            assertValues(mean, in.runningMean(), 0);
            assertValues(var, in.runningVar(), 0);
        }
    }

    @Test
    void momentumOutsideZeroToOneIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InstanceNorm1d(3, 1e-5, 1.5, false, true));
        assertEquals("InstanceNorm1d: needs numFeatures > 0, eps > 0 and momentum in [0, 1], got 3, eps=1.0E-5, momentum=1.5",
                e.getMessage());
    }

    @Test
    void inputWithOtherChannelsOrRankIsAClearError() {
        try (InstanceNorm2d in = new InstanceNorm2d(3); Scope s = Scope.open()) {
            IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                    () -> in.forward(Tensor.zeros(2, 4, 5, 5)));
            assertEquals("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False): input"
                    + " [2, 4, 5, 5] must be [batch, 3, height, width] or unbatched without the batch axis",
                    channels.getMessage());
            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> in.forward(Tensor.zeros(2, 3)));
            assertTrue(rank.getMessage().contains("input [2, 3]"), rank.getMessage());
        }
    }

    @Test
    void aSinglePositionPerChannelIsAClearError() {
        try (InstanceNorm2d in = new InstanceNorm2d(3); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> in.forward(Tensor.zeros(2, 3, 1, 1)));
            assertTrue(e.getMessage().contains("[2, 3, 1, 1] must have more than 1 position per channel"), e.getMessage());
        }
    }

    @Test
    void anUnbatchedInputIsABatchOfOne() {
        try (InstanceNorm2d in = new InstanceNorm2d(2, 1e-5, 0.1, true, false); Scope s = Scope.open()) {
            set(in.weight(), 0.5, -2);
            Tensor x = Tensor.randn(2, 3, 4);
            Tensor y = in.forward(x);
            assertArrayEquals(new int[] {2, 3, 4}, y.shape().dims());
            assertValues(in.forward(x.unsqueeze(0)).toDoubleArray(), y, 0);
        }
    }

    @Test
    void withoutRunningStatisticsEvaluationModeGivesTheSameOutputAsTraining() {
        try (InstanceNorm1d in = new InstanceNorm1d(3); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(2, 3, 5);
            double[] training = in.forward(x).toDoubleArray();
            in.eval();
            assertValues(training, in.forward(x), 0);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (InstanceNorm2d in = new InstanceNorm2d(2, 1e-5, 0.1, true, false); Scope s = Scope.open()) {
            in.to(DType.F64);
            set(in.weight(), 1.3, -0.6);
            set(in.bias(), 0.2, -0.1);
            Tensor x = Tensor.randn(DType.F64, 2, 2, 3, 2).requiresGrad(true);
            GradCheck.check("InstanceNorm2d", t -> in.forward(t[0]), x, in.weight(), in.bias());
        }
    }

    @Test
    void evalModeGradientsWithRunningStatisticsMatchFiniteDifferencesInF64() {
        try (InstanceNorm2d in = new InstanceNorm2d(2, 1e-5, 0.1, true, true); Scope s = Scope.open()) {
            in.to(DType.F64);
            set(in.weight(), 1.3, -0.6);
            set(in.bias(), 0.2, -0.1);
            in.forward(Tensor.randn(DType.F64, 2, 2, 3, 3));
            in.eval();
            Tensor x = Tensor.randn(DType.F64, 2, 2, 2, 2).requiresGrad(true);
            GradCheck.check("InstanceNorm2d eval", t -> in.forward(t[0]), x, in.weight(), in.bias());
        }
    }

    @Test
    void parametersAndRunningStatisticsSurviveASaveAndLoad() throws IOException {
        Path file = dir.resolve("instance-norm.safetensors");
        try (InstanceNorm1d saved = new InstanceNorm1d(2, 1e-5, 0.1, true, true);
                InstanceNorm1d loaded = new InstanceNorm1d(2, 1e-5, 0.1, true, true);
                Scope s = Scope.open()) {
            set(saved.weight(), 0.5, 1.5);
            set(saved.bias(), 0.1, -0.2);
            saved.forward(Tensor.randn(3, 2, 4).add(2));
            SafeTensors.write(file, saved.stateDict());
            loaded.loadStateDict(SafeTensors.read(file).tensors(), true);
            assertValues(saved.runningMean().toDoubleArray(), loaded.runningMean(), 0);
            assertValues(saved.runningVar().toDoubleArray(), loaded.runningVar(), 0);
            saved.eval();
            loaded.eval();
            Tensor x = Tensor.randn(2, 2, 3);
            assertValues(saved.forward(x).toDoubleArray(), loaded.forward(x), 0);
        }
    }
}
