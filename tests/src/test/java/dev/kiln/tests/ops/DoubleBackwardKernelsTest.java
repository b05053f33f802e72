package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which kernels the backward passes of a fused convolution and of batch normalisation run, counted by the CPU
 * backend: an ordinary pass still runs the fused backward kernel alone, as before double backward existed; a pass that
 * records its graph runs the convolution's data and filter operations (recorded ops) and no fused backward kernel.
 */
class DoubleBackwardKernelsTest extends CountingBackendTest {
    private static final String FUSED = "operation.conv2dBiasActivationBackward";
    private static final String DATA = "operation.conv2dBackwardData";
    private static final String FILTER = "operation.conv2dBackwardFilter";
    private static final String BATCH_NORM = "operation.batchNormBackward";

    private static Tensor leaf(int... dims) {
        return Tensor.randn(dims).to(counting).requiresGrad(true);
    }

    /** The counters' increase while the gradients of {@code loss} for {@code inputs} are computed. */
    private static Map<String, Long> kernelsOfGradients(Tensor loss, List<Tensor> inputs, GradOptions options) {
        Map<String, Long> before = counting.counters();
        Autograd.grad(loss, inputs, options);
        Map<String, Long> after = counting.counters();
        return Map.of(FUSED, increase(before, after, FUSED), DATA, increase(before, after, DATA), FILTER,
                increase(before, after, FILTER), BATCH_NORM, increase(before, after, BATCH_NORM));
    }

    private static long increase(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    private static Tensor fusedConvolution(Tensor x, Tensor w, Tensor b) {
        return F.conv2d(x, w, b, new int[] {1}, new int[] {1}, null, UnaryOp.RELU, 0);
    }

    @Test
    void anOrdinaryBackwardPassThroughAFusedConvolutionRunsItsFusedKernelAlone() {
        try (Scope s = Scope.open()) {
            Tensor x = leaf(2, 3, 6, 6);
            Tensor w = leaf(4, 3, 3, 3);
            Tensor b = leaf(4);
            Map<String, Long> kernels = kernelsOfGradients(fusedConvolution(x, w, b).sum(), List.of(x, w, b),
                    GradOptions.DEFAULT);
            assertEquals(Map.of(FUSED, 1L, DATA, 0L, FILTER, 0L, BATCH_NORM, 0L), kernels);
        }
    }

    @Test
    void aBackwardPassThatRecordsItsGraphRunsTheConvolutionsDataAndFilterOperations() {
        try (Scope s = Scope.open()) {
            Tensor x = leaf(2, 3, 6, 6);
            Tensor w = leaf(4, 3, 3, 3);
            Tensor b = leaf(4);
            Map<String, Long> kernels = kernelsOfGradients(fusedConvolution(x, w, b).sum(), List.of(x, w, b),
                    GradOptions.DEFAULT.withCreateGraph());
            assertEquals(Map.of(FUSED, 0L, DATA, 1L, FILTER, 1L, BATCH_NORM, 0L), kernels);
        }
    }

    @Test
    void batchNormRunsItsBackwardKernelInAnOrdinaryPassOnly() {
        try (Scope s = Scope.open()) {
            Tensor x = leaf(4, 3, 2, 2);
            Tensor gamma = leaf(3);
            Tensor beta = leaf(3);
            Tensor y = F.batchNorm(x, null, null, gamma, beta, true, 0.1, 1e-5).square().sum();
            List<Tensor> inputs = List.of(x, gamma, beta);
            assertEquals(1L, kernelsOfGradients(y, inputs, GradOptions.DEFAULT).get(BATCH_NORM));
            assertEquals(0L, kernelsOfGradients(y, inputs, GradOptions.DEFAULT.withCreateGraph()).get(BATCH_NORM));
        }
    }
}
