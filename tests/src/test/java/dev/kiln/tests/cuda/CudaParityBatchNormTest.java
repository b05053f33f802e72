package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertClose;
import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.uniform;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPI section 6, batch normalisation: the training forward pass (output, the saved mean and inverse standard
 * deviation, the running statistics updated in place with the unbiased variance), the inference forward pass
 * (running statistics used and left alone) and the training backward pass, for [N, C] and [N, C, H, W] inputs,
 * with and without the affine weight and bias, with an activation and with a residual added, on the backend under
 * test against the CPU backend.
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}): per-channel statistics over a few hundred values, then
 * one affine map per element. F32: 1e-5 absolute and relative, a few dozen rounding errors of results of
 * magnitude 1. F64: 1e-12. For inputs near 100 (below) the saved F32 mean itself is only good to half an ulp
 * of 100 (4e-6), which can move an output by 1e-5, so that test allows 1e-4: a variance computed as
 * {@code E[x^2] - E[x]^2} in F32 would be off by about 1%.
 */
class CudaParityBatchNormTest extends ParityTest {
    private static final Tolerance BN_F32 = Tolerance.of(1e-5);
    private static final Tolerance BN_F64 = Tolerance.of(1e-12);
    private static final Tolerance FAR_FROM_ZERO_F32 = Tolerance.of(1e-4);
    private static final String[] TRAINING_OUTPUTS = {"out", "saveMean", "saveInvStd", "runningMean", "runningVar"};

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.F64 ? BN_F64 : BN_F32;
    }

    static Stream<Arguments> dtypesAndShapes() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            cases.add(Arguments.of(dtype, Shape.of(8, 4, 5, 5)));
            cases.add(Arguments.of(dtype, Shape.of(16, 6)));
            // Few channels of many values: CUDA cuts each channel into parts (CudaBatchNorm's *_parts kernels).
            cases.add(Arguments.of(dtype, Shape.of(32, 3, 32, 32)));
        }
        return cases.stream();
    }

    /** Training-mode batch norm of {@code x} with weight and bias: its five outputs. */
    private static Tensor[] training(Backend b, DType dtype, Tensor x) {
        int c = x.dim(1);
        Tensor out = output(b, dtype, x.shape());
        Tensor saveMean = output(b, dtype, c);
        Tensor saveInvStd = output(b, dtype, c);
        Tensor runningMean = random(b, dtype, 49, c);
        Tensor runningVar = uniform(b, dtype, 50, 0.5, 2, c);
        b.batchNormForward(x, random(b, dtype, 51, c), random(b, dtype, 52, c), runningMean, runningVar, true, 0.1, 1e-5,
                out, saveMean, saveInvStd);
        return new Tensor[] {out, saveMean, saveInvStd, runningMean, runningVar};
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndShapes")
    void batchNormTrainingNormalisesAndUpdatesTheRunningStatistics(DType dtype, Shape shape) {
        assertParity("batchNormForward training " + dtype + " " + shape, TRAINING_OUTPUTS, tolerance(dtype),
                b -> training(b, dtype, uniform(b, dtype, 48, -2, 4, shape.dims())));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"32, 4, 8, 8", "32, 3, 32, 32"})
    void batchNormTrainingKeepsTheVarianceOfInputsFarFromZero(String dims) {
        int[] shape = Arrays.stream(dims.split(", ")).mapToInt(Integer::parseInt).toArray();
        assertParity("batchNormForward training of values in [99, 101), " + dims, TRAINING_OUTPUTS, FAR_FROM_ZERO_F32,
                b -> training(b, DType.F32, uniform(b, DType.F32, 53, 99, 101, shape)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void batchNormInferenceUsesTheRunningStatisticsAndLeavesThemAlone(DType dtype) {
        double[] mean = {0.5, -1, 2, 0};
        double[] var = {1, 0.25, 4, 0.01};
        String[] names = {"out", "saveMean", "saveInvStd", "runningMean", "runningVar"};
        assertParity("batchNormForward inference " + dtype, names, tolerance(dtype), b -> {
            Tensor x = uniform(b, dtype, 54, -3, 3, 6, 4, 3, 3);
            Tensor out = output(b, dtype, 6, 4, 3, 3);
            Tensor saveMean = output(b, dtype, 4);
            Tensor saveInvStd = output(b, dtype, 4);
            Tensor runningMean = tensor(b, dtype, mean, 4);
            Tensor runningVar = tensor(b, dtype, var, 4);
            b.batchNormForward(x, random(b, dtype, 55, 4), random(b, dtype, 56, 4), runningMean, runningVar, false, 0.1,
                    1e-3, out, saveMean, saveInvStd);
            assertClose(b.name() + ": runningMean after inference", tensor(reference(), dtype, mean, 4), runningMean,
                    Tolerance.EXACT);
            assertClose(b.name() + ": runningVar after inference", tensor(reference(), dtype, var, 4), runningVar,
                    Tolerance.EXACT);
            return new Tensor[] {out, saveMean, saveInvStd, runningMean, runningVar};
        });
    }

    @Test
    void batchNormInferenceWorksWithoutAffineParametersOrSavedStatistics() {
        assertParity("batchNormForward inference [16, 6] without weight, bias, saveMean, saveInvStd", BN_F32, b -> {
            Tensor out = output(b, DType.F32, 16, 6);
            b.batchNormForward(random(b, DType.F32, 57, 16, 6), null, null, random(b, DType.F32, 58, 6),
                    uniform(b, DType.F32, 59, 0.5, 2, 6), false, 0.1, 1e-3, out, null, null);
            return out;
        });
    }

    /** x, gradOut, weight (or null), and the saveMean and saveInvStd of a training forward pass on {@code b}. */
    private static Tensor[] backwardInputs(Backend b, DType dtype, Shape shape, boolean affine) {
        int c = shape.dim(1);
        Tensor x = uniform(b, dtype, 60, -2, 3, shape.dims());
        Tensor weight = affine ? random(b, dtype, 61, c) : null;
        Tensor saveMean = output(b, dtype, c);
        Tensor saveInvStd = output(b, dtype, c);
        b.batchNormForward(x, weight, null, null, null, true, 0.1, 1e-5, output(b, dtype, shape), saveMean, saveInvStd);
        return new Tensor[] {x, random(b, dtype, 62, shape.dims()), weight, saveMean, saveInvStd};
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypesAndShapes")
    void batchNormBackwardGivesTheInputWeightAndBiasGradients(DType dtype, Shape shape) {
        int c = shape.dim(1);
        assertParity("batchNormBackward " + dtype + " " + shape, new String[] {"gradInput", "gradWeight", "gradBias"},
                tolerance(dtype), b -> {
                    Tensor[] in = backwardInputs(b, dtype, shape, true);
                    Tensor[] grads = {output(b, dtype, shape), output(b, dtype, c), output(b, dtype, c)};
                    b.batchNormBackward(in[0], in[1], in[2], in[3], in[4], grads[0], grads[1], grads[2]);
                    return grads;
                });
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("dtypesShapesAndActivations")
    void batchNormWithActivationForwardAndBackwardMatchCpu(DType dtype, Shape shape, UnaryOp op) {
        int c = shape.dim(1);
        double param = op == UnaryOp.ELU ? 1.0 : 0.0;
        assertParity("batchNormActivationForward and backward, " + op + " " + dtype + " " + shape,
                new String[] {"out", "runningMean", "runningVar", "gradInput", "gradWeight", "gradBias"},
                tolerance(dtype), b -> {
                    Tensor x = uniform(b, dtype, 63, -2, 4, shape.dims());
                    Tensor weight = random(b, dtype, 64, c);
                    Tensor out = output(b, dtype, shape);
                    Tensor saveMean = output(b, dtype, c);
                    Tensor saveInvStd = output(b, dtype, c);
                    Tensor runningMean = random(b, dtype, 65, c);
                    Tensor runningVar = uniform(b, dtype, 66, 0.5, 2, c);
                    b.batchNormActivationForward(x, weight, random(b, dtype, 67, c), runningMean, runningVar, true, 0.1,
                            1e-5, op, param, out, saveMean, saveInvStd);
                    Tensor[] grads = {output(b, dtype, shape), output(b, dtype, c), output(b, dtype, c)};
                    b.batchNormActivationBackward(x, out, random(b, dtype, 68, shape.dims()), op, param, weight,
                            saveMean, saveInvStd, grads[0], grads[1], grads[2]);
                    return new Tensor[] {out, runningMean, runningVar, grads[0], grads[1], grads[2]};
                });
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("dtypesShapesAndResidualActivations")
    void batchNormAddActivationForwardMatchesCpu(DType dtype, Shape shape, UnaryOp op) {
        int c = shape.dim(1);
        assertParity("batchNormAddActivationForward, " + op + " " + dtype + " " + shape, TRAINING_OUTPUTS,
                tolerance(dtype), b -> {
                    Tensor out = output(b, dtype, shape);
                    Tensor saveMean = output(b, dtype, c);
                    Tensor saveInvStd = output(b, dtype, c);
                    Tensor runningMean = random(b, dtype, 69, c);
                    Tensor runningVar = uniform(b, dtype, 70, 0.5, 2, c);
                    b.batchNormAddActivationForward(uniform(b, dtype, 71, -2, 4, shape.dims()),
                            random(b, dtype, 72, shape.dims()), random(b, dtype, 73, c), random(b, dtype, 74, c),
                            runningMean, runningVar, true, 0.1, 1e-5, op, 0, out, saveMean, saveInvStd);
                    return new Tensor[] {out, saveMean, saveInvStd, runningMean, runningVar};
                });
    }

    /** {@link #dtypesAndShapes} with ReLU (a ResNet block's) and with no activation. */
    static Stream<Arguments> dtypesShapesAndResidualActivations() {
        List<Arguments> cases = new ArrayList<>();
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, null}) {
            dtypesAndShapes().forEach(a -> cases.add(Arguments.of(a.get()[0], a.get()[1], op)));
        }
        return cases.stream();
    }

    static Stream<Arguments> dtypesShapesAndActivations() {
        List<Arguments> cases = new ArrayList<>();
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.TANH, UnaryOp.ELU}) {
            dtypesAndShapes().forEach(a -> cases.add(Arguments.of(a.get()[0], a.get()[1], op)));
        }
        return cases.stream();
    }

    @Test
    void batchNormBackwardWithoutWeightGivesOnlyTheInputGradient() {
        Shape shape = Shape.of(8, 4, 3, 3);
        assertParity("batchNormBackward without weight", BN_F32, b -> {
            Tensor[] in = backwardInputs(b, DType.F32, shape, false);
            Tensor gradInput = output(b, DType.F32, shape);
            b.batchNormBackward(in[0], in[1], null, in[3], in[4], gradInput, null, null);
            return gradInput;
        });
    }

    @Test
    void batchNormBackwardWritesOnlyTheGradientsItIsGiven() {
        Shape shape = Shape.of(8, 4, 3, 3);
        assertParity("batchNormBackward with gradInput null", new String[] {"gradWeight", "gradBias"}, BN_F32, b -> {
            Tensor[] in = backwardInputs(b, DType.F32, shape, true);
            Tensor[] grads = {output(b, DType.F32, 4), output(b, DType.F32, 4)};
            b.batchNormBackward(in[0], in[1], in[2], in[3], in[4], null, grads[0], grads[1]);
            return grads;
        });
    }
}
