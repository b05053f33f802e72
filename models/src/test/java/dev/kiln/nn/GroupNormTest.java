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
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupNormTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(5);
    }

    @Test
    void startsWithPyTorchsDefaultsAndStateDictNames() {
        try (GroupNorm gn = new GroupNorm(2, 4)) {
            assertValues(new double[] {1, 1, 1, 1}, gn.weight(), 0);
            assertValues(new double[] {0, 0, 0, 0}, gn.bias(), 0);
            assertEquals(List.of("weight", "bias"), List.copyOf(gn.stateDict().keySet()));
            assertEquals("GroupNorm(2, 4, eps=1e-05, affine=True)", gn.toString());
        }
    }

    @Test
    void withoutAffineHasNoParameters() {
        try (GroupNorm gn = new GroupNorm(2, 4, 1e-5, false)) {
            assertTrue(gn.stateDict().isEmpty());
        }
    }

    @Test
    void channelsThatAreNotAMultipleOfTheGroupsAreAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
        assertEquals("GroupNorm: numChannels 4 must be divisible by numGroups 3", e.getMessage());
    }

    @Test
    void nonPositiveCountsOrEpsAreAClearError() {
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(2, -4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(2, 4, 0, true));
        assertTrue(e.getMessage().startsWith("GroupNorm: needs"), e.getMessage());
    }

    @Test
    void inputWithOtherChannelsOrNoChannelAxisIsAClearError() {
        try (GroupNorm gn = new GroupNorm(2, 4); Scope s = Scope.open()) {
            IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                    () -> gn.forward(Tensor.zeros(2, 6, 3, 3)));
            assertEquals("GroupNorm(2, 4, eps=1e-05, affine=True): input [2, 6, 3, 3] must be [batch, 4, *]", channels.getMessage());
            IllegalArgumentException vector = assertThrows(IllegalArgumentException.class, () -> gn.forward(Tensor.zeros(4)));
            assertTrue(vector.getMessage().contains("input [4]"), vector.getMessage());
        }
    }

    @Test
    void oneValuePerGroupForTheWholeBatchIsRefusedAsPyTorchRefusesIt() {
        try (GroupNorm gn = new GroupNorm(2, 2); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gn.forward(Tensor.zeros(1, 2)));
            assertEquals("GroupNorm(2, 2, eps=1e-05, affine=True): input [1, 2] holds one value per group; expected more than one,"
                    + " as PyTorch does", e.getMessage());
            Tensor oneEach = gn.forward(Tensor.fromArray(new float[] {1, -2, 3, 4, -5, 6}, 3, 2));
            assertValues(new double[6], oneEach, 0);
        }
    }

    /** PyTorch 1.13's GroupNorm(2, 4) on a [0, 4, 3] batch: an empty output, and zero weight and bias gradients. */
    @Test
    void anEmptyBatchGivesAnEmptyOutputAndZeroParameterGradients() {
        try (GroupNorm gn = new GroupNorm(2, 4); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(0, 4, 3).requiresGrad(true);
            Tensor y = gn.forward(x);
            assertEquals(List.of(0, 4, 3), List.of(y.dim(0), y.dim(1), y.dim(2)));
            y.sum().backward();
            assertValues(new double[4], gn.weight().grad(), 0);
            assertValues(new double[4], gn.bias().grad(), 0);
        }
    }

    @Test
    void evaluationModeGivesTheSameOutputAsTraining() {
        try (GroupNorm gn = new GroupNorm(2, 4); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(3, 4, 2, 2);
            double[] training = gn.forward(x).toDoubleArray();
            gn.eval();
            assertValues(training, gn.forward(x), 0);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64() {
        try (GroupNorm gn = new GroupNorm(2, 6); Scope s = Scope.open()) {
            gn.to(DType.F64);
            set(gn.weight(), 1.2, -0.4, 0.8, 2.0, 0.5, -1.1);
            set(gn.bias(), 0.1, 0.2, -0.3, 0.0, 0.7, 0.4);
            Tensor x = Tensor.randn(DType.F64, 2, 6, 2, 3).requiresGrad(true);
            GradCheck.check("GroupNorm", in -> gn.forward(in[0]), x, gn.weight(), gn.bias());
        }
    }

    @Test
    void weightAndBiasSurviveASaveAndLoad() throws IOException {
        Path file = dir.resolve("group-norm.safetensors");
        try (GroupNorm saved = new GroupNorm(2, 4); GroupNorm loaded = new GroupNorm(2, 4); Scope s = Scope.open()) {
            set(saved.weight(), 0.5, 1.5, -1, 2);
            set(saved.bias(), 0.1, -0.2, 0.3, -0.4);
            SafeTensors.write(file, saved.stateDict());
            loaded.loadStateDict(SafeTensors.read(file).tensors(), true);
            Tensor x = Tensor.randn(2, 4, 3);
            assertValues(saved.forward(x).toDoubleArray(), loaded.forward(x), 0);
        }
    }
}
