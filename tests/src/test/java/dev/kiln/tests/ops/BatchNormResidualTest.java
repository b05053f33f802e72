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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link F#batchNormResidual}: batch normalisation, a residual added and an activation applied, as one op that
 * keeps only its output: the values, running statistics and gradients (the residual's too) of batch norm, add and
 * activation in turn, in training and inference, with and without an activation; its gradients against finite
 * differences; its errors.
 */
class BatchNormResidualTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(67);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** (op or null, param, dtype, training, shape): every fusable activation and none, [N, C, H, W] and [N, C]. */
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        List<Object[]> activations = new ArrayList<>(List.of(FusableActivations.ALL));
        activations.add(new Object[] {null, 0.0});
        for (Object[] a : activations) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                for (boolean training : new boolean[] {true, false}) {
                    cases.add(Arguments.of(a[0], a[1], dtype, training, new int[] {4, 3, 5, 5}));
                }
            }
        }
        cases.add(Arguments.of(UnaryOp.RELU, 0.0, DType.F32, true, new int[] {6, 4}));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {2} training={3}")
    @MethodSource("cases")
    void givesTheValuesStatisticsAndGradientsOfBatchNormAddThenActivation(UnaryOp op, double param, DType dtype,
                                                                         boolean training, int[] shape) {
        int channels = shape[1];
        Tensor x = Tensor.randn(dtype, shape).requiresGrad(true);
        Tensor residual = Tensor.randn(dtype, shape).requiresGrad(true);
        Tensor weight = Tensor.randn(dtype, channels).requiresGrad(true);
        Tensor bias = Tensor.randn(dtype, channels).requiresGrad(true);
        Tensor upstream = Tensor.randn(dtype, shape);
        Tensor mean1 = Tensor.randn(dtype, channels);
        Tensor var1 = Tensor.rand(dtype, channels).add(0.5);
        Tensor mean2 = mean1.mul(1);
        Tensor var2 = var1.mul(1);
        Tensor[] leaves = {x, residual, weight, bias};

        Tensor fused = F.batchNormResidual(x, residual, mean1, var1, weight, bias, training, 0.1, 1e-5, op, param);
        fused.backward(upstream);
        double[][] fusedGrads = LeafGradients.take(leaves);
        Tensor sum = F.batchNorm(x, mean2, var2, weight, bias, training, 0.1, 1e-5).add(residual);
        Tensor composed = op == null ? sum : FusableActivations.apply(sum, op, param);
        composed.backward(upstream);
        double[][] composedGrads = LeafGradients.take(leaves);

        double tolerance = FusableActivations.tolerance(dtype);
        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), tolerance, "values");
        assertArrayEquals(mean2.toDoubleArray(), mean1.toDoubleArray(), tolerance, "running mean");
        assertArrayEquals(var2.toDoubleArray(), var1.toDoubleArray(), tolerance, "running variance");
        String[] names = {"input", "residual", "weight", "bias"};
        for (int k = 0; k < leaves.length; k++) {
            assertArrayEquals(composedGrads[k], fusedGrads[k], tolerance, names[k] + " gradient");
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradCheck.check("batchNormResidual+elu", in -> F.batchNormResidual(in[0], in[1], null, null, in[2], in[3], true,
                        0.1, 1e-5, UnaryOp.ELU, 0.7),
                Tensor.randn(DType.F64, 3, 2, 4, 4).requiresGrad(true),
                Tensor.randn(DType.F64, 3, 2, 4, 4).requiresGrad(true),
                Tensor.randn(DType.F64, 2).requiresGrad(true), Tensor.randn(DType.F64, 2).requiresGrad(true));
    }

    @Test
    void aResidualWithoutGradientLeavesTheOthersTheirGradients() {
        Tensor x = Tensor.randn(4, 3, 2, 2).requiresGrad(true);
        Tensor residual = Tensor.randn(4, 3, 2, 2);
        Tensor upstream = Tensor.randn(4, 3, 2, 2);
        F.batchNormResidual(x, residual, null, null, null, null, true, 0.1, 1e-5, UnaryOp.RELU, 0).backward(upstream);
        double[] fused = x.grad().toDoubleArray();
        x.clearGrad();
        F.batchNorm(x, null, null, null, null, true, 0.1, 1e-5).add(residual).relu().backward(upstream);

        assertArrayEquals(x.grad().toDoubleArray(), fused, FusableActivations.tolerance(DType.F32));
        assertNull(residual.grad());
    }

    @Test
    void refusesAResidualOfAnotherShapeNamingBoth() {
        Tensor x = Tensor.randn(4, 3, 5, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.batchNormResidual(x, Tensor.randn(4, 3, 5, 4), null, null, null, null, true, 0.1, 1e-5,
                        UnaryOp.RELU, 0));
        assertTrue(e.getMessage().contains("batchNormResidual+relu: residual [4, 3, 5, 4] and input [4, 3, 5, 5]"),
                e.getMessage());
    }

    @Test
    void refusesAMissingResidual() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.batchNormResidual(Tensor.randn(4, 3), null, null, null, null, null, true, 0.1, 1e-5, null, 0));
        assertTrue(e.getMessage().contains("residual is null; without one, use batchNorm"), e.getMessage());
    }
}
