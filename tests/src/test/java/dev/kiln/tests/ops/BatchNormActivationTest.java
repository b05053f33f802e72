package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import dev.kiln.nn.BasicBlock;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code F.batchNorm(..., activation, param)}: batch normalisation and its activation as one op, the normalised
 * values never kept: the same values, running statistics and gradients, to the bit, as batch norm followed by the
 * activation, in training and inference; its gradients against finite differences; {@link Sequential} and
 * {@link BasicBlock} using it (the block's second normalisation also adds the shortcut: {@link BatchNormResidualTest}).
 */
class BatchNormActivationTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(61);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    static Stream<Arguments> cases() {
        return FusableActivations.withDtypesAndSwitch();
    }

    @ParameterizedTest(name = "{0} {2} training={3}")
    @MethodSource("cases")
    void fusedGivesTheValuesStatisticsAndGradientsOfBatchNormThenActivation(UnaryOp op, double param, DType dtype,
                                                                          boolean training) {
        Tensor x = Tensor.randn(dtype, 4, 3, 5, 5).requiresGrad(true);
        Tensor weight = Tensor.randn(dtype, 3).requiresGrad(true);
        Tensor bias = Tensor.randn(dtype, 3).requiresGrad(true);
        Tensor upstream = Tensor.randn(dtype, 4, 3, 5, 5);
        Tensor mean1 = Tensor.randn(dtype, 3);
        Tensor var1 = Tensor.rand(dtype, 3).add(0.5);
        Tensor mean2 = mean1.mul(1);
        Tensor var2 = var1.mul(1);

        Tensor fused = F.batchNorm(x, mean1, var1, weight, bias, training, 0.1, 1e-5, op, param);
        fused.backward(upstream);
        double[][] fusedGrads = {x.grad().toDoubleArray(), weight.grad().toDoubleArray(), bias.grad().toDoubleArray()};
        x.clearGrad();
        weight.clearGrad();
        bias.clearGrad();
        Tensor composed = FusableActivations.apply(F.batchNorm(x, mean2, var2, weight, bias, training, 0.1, 1e-5), op,
                param);
        composed.backward(upstream);

        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), 0, "values");
        assertArrayEquals(mean2.toDoubleArray(), mean1.toDoubleArray(), 0, "running mean");
        assertArrayEquals(var2.toDoubleArray(), var1.toDoubleArray(), 0, "running variance");
        assertArrayEquals(x.grad().toDoubleArray(), fusedGrads[0], 0, "input gradient");
        assertArrayEquals(weight.grad().toDoubleArray(), fusedGrads[1], 0, "weight gradient");
        assertArrayEquals(bias.grad().toDoubleArray(), fusedGrads[2], 0, "bias gradient");
    }

    /**
     * The F32 epilogue applies the activation to a whole plane, here 2,304 values, more than the float routines'
     * work arrays hold (they take such a run in blocks).
     */
    @Test
    void planesLongerThanAChunkGetTheUnfusedSigmoidsValues() {
        Tensor x = Tensor.randn(DType.F32, 2, 2, 48, 48);
        Tensor fused = F.batchNorm(x, null, null, null, null, true, 0.1, 1e-5, UnaryOp.SIGMOID, 0);
        Tensor composed = F.batchNorm(x, null, null, null, null, true, 0.1, 1e-5).sigmoid();
        assertArrayEquals(composed.toDoubleArray(), fused.toDoubleArray(), 0);
    }

    @Test
    void fusedGradientsMatchFiniteDifferences() {
        GradCheck.check("batchNorm+tanh", in -> F.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5,
                        UnaryOp.TANH, 0),
                Tensor.randn(DType.F64, 3, 2, 4, 4).requiresGrad(true), Tensor.randn(DType.F64, 2).requiresGrad(true),
                Tensor.randn(DType.F64, 2).requiresGrad(true));
    }

    @Test
    void refusesAnActivationWhoseDerivativeNeedsItsInput() {
        Tensor x = Tensor.randn(4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.batchNorm(x, null, null, null, null, true, 0.1, 1e-5, UnaryOp.GELU, 0));
        assertTrue(e.getMessage().contains("batchNorm+gelu: cannot fuse GELU"), e.getMessage());
    }

    @Test
    void sequentialAndTheBasicBlockGiveTheUnfusedValues() {
        Sequential fused = new Sequential(new BatchNorm2d(3), new ReLU());
        Tensor x = Tensor.randn(4, 3, 6, 6);
        Sequential reference = new Sequential(new BatchNorm2d(3));
        assertArrayEquals(reference.forward(x).relu().toDoubleArray(), fused.forward(x).toDoubleArray(), 0);

        for (boolean training : new boolean[] {false, true}) {
            BasicBlock block = new BasicBlock(3, 5, 2);
            block.train(training);
            Map<String, Module> parts = block.namedModules();
            Tensor y = block.forward(x);
            Tensor expected = parts.get("bn1").forward(parts.get("conv1").forward(x)).relu();
            expected = parts.get("bn2").forward(parts.get("conv2").forward(expected));
            Tensor shortcut = parts.get("downsample").forward(x);
            assertArrayEquals(expected.add(shortcut).relu().toDoubleArray(), y.toDoubleArray(), 0,
                    "training=" + training);
        }
    }
}
