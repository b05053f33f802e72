package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code F.conv2d(..., activation, param)}, a convolution and its activation as one op: the same values and
 * gradients as the convolution followed by the activation (to the bit on the CPU, which runs the SPI's composite;
 * see {@link FusableActivations#tolerance}), with and without bias, strided and padded; its gradients against
 * finite differences; and {@link Sequential} fusing a Conv2d and the activation after it.
 */
class ConvBiasActivationTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(53);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    static Stream<Arguments> cases() {
        return FusableActivations.withDtypesAndSwitch();
    }

    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("cases")
    void fusedConvolutionGivesTheValuesAndGradientsOfConvolutionThenActivation(UnaryOp op, double param, DType dtype,
                                                                               boolean withBias) {
        Tensor x = Tensor.randn(dtype, 3, 4, 9, 8).requiresGrad(true);
        Tensor w = Tensor.randn(dtype, 5, 4, 3, 3).requiresGrad(true);
        Tensor b = withBias ? Tensor.randn(dtype, 5).requiresGrad(true) : null;
        int[] stride = {2, 1};
        int[] padding = {1, 0};
        int[] dilation = {1};
        Tensor upstream = Tensor.randn(dtype, 3, 5, 5, 6);

        Tensor fused = F.conv2d(x, w, b, stride, padding, dilation, op, param);
        fused.backward(upstream);
        double[] fusedX = x.grad().toDoubleArray();
        double[] fusedW = w.grad().toDoubleArray();
        double[] fusedB = withBias ? b.grad().toDoubleArray() : null;
        x.clearGrad();
        w.clearGrad();
        if (withBias) {
            b.clearGrad();
        }
        Tensor composed = FusableActivations.apply(F.conv2d(x, w, b, stride, padding, dilation), op, param);
        composed.backward(upstream);

        double tolerance = FusableActivations.tolerance(dtype);
        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), tolerance, "values");
        assertArrayEquals(x.grad().toDoubleArray(), fusedX, tolerance, "input gradient");
        assertArrayEquals(w.grad().toDoubleArray(), fusedW, tolerance, "weight gradient");
        if (withBias) {
            assertArrayEquals(b.grad().toDoubleArray(), fusedB, tolerance, "bias gradient");
        }
    }

    @Test
    void fusedConvolutionGradientsMatchFiniteDifferences() {
        GradCheck.check("conv2d+tanh", in -> F.conv2d(in[0], in[1], in[2], new int[] {1}, new int[] {1},
                        new int[] {1}, UnaryOp.TANH, 0),
                Tensor.randn(DType.F64, 2, 3, 5, 5).requiresGrad(true),
                Tensor.randn(DType.F64, 4, 3, 3, 3).mul(0.3).requiresGrad(true),
                Tensor.randn(DType.F64, 4).requiresGrad(true));
    }

    @Test
    void aBiasThatNeedsNoGradientGetsNone() {
        Tensor x = Tensor.randn(2, 1, 6, 6).requiresGrad(true);
        Tensor w = Tensor.randn(3, 1, 3, 3).requiresGrad(true);
        Tensor b = Tensor.randn(3);
        F.conv2d(x, w, b, new int[] {1}, new int[] {0}, new int[] {1}, UnaryOp.RELU, 0).sum().backward();
        assertNull(b.grad());
        assertTrue(w.grad() != null && x.grad() != null);
    }

    @Test
    void refusesAnActivationWhoseDerivativeNeedsItsInput() {
        Tensor x = Tensor.randn(1, 1, 4, 4);
        Tensor w = Tensor.randn(2, 1, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.conv2d(x, w, null, new int[] {1}, new int[] {0}, new int[] {1}, UnaryOp.GELU, 0));
        assertTrue(e.getMessage().contains("conv2d+gelu: cannot fuse GELU"), e.getMessage());
    }

    @Test
    void sequentialFusesAConvolutionAndTheActivationAfterIt() {
        Sequential fused = new Sequential(new Conv2d(2, 4, 3), new ReLU(), new Conv2d(4, 3, 3), new Tanh());
        Tensor x = Tensor.randn(2, 2, 10, 10);
        Tensor expected = fused.get(0).forward(x).relu();
        expected = fused.get(2).forward(expected).tanh();
        assertArrayEquals(expected.toDoubleArray(), fused.forward(x).toDoubleArray(), 0);
        String summary = fused.summary(2, 2, 10, 10);
        assertTrue(summary.contains("[2, 4, 8, 8]") && summary.contains("[2, 3, 6, 6]"), summary);
    }
}
