package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.empty;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * SPI sections 6, 9 and 10 (convolution, pooling, batch norm, fused optimizer steps, recurrent cells) on
 * the backend under test against the CPU. Convolutions sum up to a few hundred products: 1e-4 relative
 * and absolute in F32 (cuDNN's algorithms order their sums differently), 1e-10 in F64. Pooling indices
 * must match exactly. Fused element-wise kernels: 1e-5.
 */
class CudaParityNetworkOpsTest extends ParityTest {
    private static final double CONV_F32 = 1e-4;
    private static final double CONV_F64 = 1e-10;
    private static final double FUSED_F32 = 1e-5;
    /** Geometries that exercise stride, padding and dilation: {input shape, weight shape, stride, padding, dilation}. */
    private static final int[][][] CONVOLUTIONS = {
        {{2, 3, 12, 12}, {4, 3, 3, 3}, {1}, {1}, {1}},
        {{2, 3, 13, 11}, {5, 3, 3, 3}, {2}, {1}, {1}},
        {{1, 2, 14, 14}, {3, 2, 3, 3}, {1}, {2}, {2}},
        {{4, 1, 28, 28}, {6, 1, 5, 5}, {1}, {0}, {1}},
    };

    private static Conv2dGeometry geometry(int[][] c) {
        return Conv2dGeometry.of("conv2d", Shape.of(c[0]), Shape.of(c[1]), c[2], c[3], c[4]);
    }

    private static void eachConvolution(String what, Function<Conv2dGeometry, Function<Backend, Tensor>> op) {
        for (int[][] c : CONVOLUTIONS) {
            Conv2dGeometry g = geometry(c);
            assertParity(what + " F32 " + g, CONV_F32, CONV_F32, op.apply(g));
        }
    }

    private static Tensor input(Backend b, DType t, Conv2dGeometry g) {
        return random(b, t, 40, g.inputShape().dims());
    }

    private static Tensor weight(Backend b, DType t, Conv2dGeometry g) {
        return random(b, t, 41, g.weightShape().dims());
    }

    @Test
    void convolutionForwardWithAndWithoutBias() {
        eachConvolution("conv2dForward with bias", g -> b -> {
            Tensor out = empty(b, DType.F32, g.outputShape().dims());
            b.conv2dForward(input(b, DType.F32, g), weight(b, DType.F32, g), random(b, DType.F32, 42, g.outChannels()),
                    g, out);
            return out;
        });
        eachConvolution("conv2dForward without bias", g -> b -> {
            Tensor out = empty(b, DType.F32, g.outputShape().dims());
            b.conv2dForward(input(b, DType.F32, g), weight(b, DType.F32, g), null, g, out);
            return out;
        });
    }

    @Test
    void convolutionForwardInDoublePrecision() {
        Conv2dGeometry g = geometry(CONVOLUTIONS[1]);
        assertParity("conv2dForward F64", CONV_F64, CONV_F64, b -> {
            Tensor out = empty(b, DType.F64, g.outputShape().dims());
            b.conv2dForward(input(b, DType.F64, g), weight(b, DType.F64, g), random(b, DType.F64, 42, g.outChannels()),
                    g, out);
            return out;
        });
    }

    @Test
    void convolutionBackwardData() {
        eachConvolution("conv2dBackwardData", g -> b -> {
            Tensor gradInput = empty(b, DType.F32, g.inputShape().dims());
            b.conv2dBackwardData(random(b, DType.F32, 43, g.outputShape().dims()), weight(b, DType.F32, g), g, gradInput);
            return gradInput;
        });
    }

    @Test
    void convolutionBackwardFilterAndBias() {
        eachConvolution("conv2dBackwardFilter weight", g -> b -> {
            Tensor gradWeight = empty(b, DType.F32, g.weightShape().dims());
            b.conv2dBackwardFilter(input(b, DType.F32, g), random(b, DType.F32, 43, g.outputShape().dims()), g,
                    gradWeight, empty(b, DType.F32, g.outChannels()));
            return gradWeight;
        });
        eachConvolution("conv2dBackwardFilter bias", g -> b -> {
            Tensor gradBias = empty(b, DType.F32, g.outChannels());
            b.conv2dBackwardFilter(input(b, DType.F32, g), random(b, DType.F32, 43, g.outputShape().dims()), g,
                    empty(b, DType.F32, g.weightShape().dims()), gradBias);
            return gradBias;
        });
    }

    private static final Pool2dGeometry POOL = Pool2dGeometry.of("pool", Shape.of(2, 3, 9, 9), new int[] {3},
            new int[] {2}, new int[] {1});

    @Test
    void maxPoolingValuesIndicesAndGradient() {
        assertParity("maxPool2dForward values", 0, 0, b -> {
            Tensor out = empty(b, DType.F32, POOL.outputShape().dims());
            b.maxPool2dForward(random(b, DType.F32, 44, POOL.inputShape().dims()), POOL, out,
                    empty(b, DType.I64, POOL.outputShape().dims()));
            return out;
        });
        assertParity("maxPool2dForward indices", 0, 0, b -> {
            Tensor indices = empty(b, DType.I64, POOL.outputShape().dims());
            b.maxPool2dForward(random(b, DType.F32, 44, POOL.inputShape().dims()), POOL,
                    empty(b, DType.F32, POOL.outputShape().dims()), indices);
            return indices;
        });
        assertParity("maxPool2dBackward", FUSED_F32, FUSED_F32, b -> {
            Tensor indices = empty(b, DType.I64, POOL.outputShape().dims());
            b.maxPool2dForward(random(b, DType.F32, 44, POOL.inputShape().dims()), POOL,
                    empty(b, DType.F32, POOL.outputShape().dims()), indices);
            Tensor gradInput = empty(b, DType.F32, POOL.inputShape().dims());
            b.maxPool2dBackward(random(b, DType.F32, 45, POOL.outputShape().dims()), indices, POOL, gradInput);
            return gradInput;
        });
    }

    @Test
    void averagePoolingCountsPaddingAndRoutesGradients() {
        assertParity("avgPool2dForward", FUSED_F32, FUSED_F32, b -> {
            Tensor out = empty(b, DType.F32, POOL.outputShape().dims());
            b.avgPool2dForward(random(b, DType.F32, 46, POOL.inputShape().dims()), POOL, out);
            return out;
        });
        assertParity("avgPool2dBackward", FUSED_F32, FUSED_F32, b -> {
            Tensor gradInput = empty(b, DType.F32, POOL.inputShape().dims());
            b.avgPool2dBackward(random(b, DType.F32, 47, POOL.outputShape().dims()), POOL, gradInput);
            return gradInput;
        });
    }

    /** Outputs of a training-mode batch norm: 0 out, 1 saveMean, 2 saveInvStd, 3 runningMean, 4 runningVar. */
    private static Tensor batchNormTraining(Backend b, DType t, int which) {
        int[] dims = {8, 4, 5, 5};
        Tensor x = random(b, t, 48, dims).mul(3.0).add(1.0);
        Tensor[] outs = {empty(b, t, dims), empty(b, t, 4), empty(b, t, 4), random(b, t, 49, 4), random(b, t, 50, 4).abs()};
        b.batchNormForward(x, random(b, t, 51, 4), random(b, t, 52, 4), outs[3], outs[4], true, 0.1, 1e-5, outs[0],
                outs[1], outs[2]);
        return outs[which];
    }

    @Test
    void batchNormTrainingNormalisesAndUpdatesRunningStatistics() {
        String[] names = {"out", "saveMean", "saveInvStd", "runningMean", "runningVar"};
        for (int k = 0; k < names.length; k++) {
            int which = k;
            assertParity("batchNormForward training " + names[k], FUSED_F32, FUSED_F32,
                    b -> batchNormTraining(b, DType.F32, which));
            assertParity("batchNormForward training F64 " + names[k], 1e-12, 1e-12,
                    b -> batchNormTraining(b, DType.F64, which));
        }
    }

    @Test
    void batchNormInferenceUsesRunningStatistics() {
        assertParity("batchNormForward inference [N, C]", FUSED_F32, FUSED_F32, b -> {
            Tensor out = empty(b, DType.F32, 16, 6);
            b.batchNormForward(random(b, DType.F32, 53, 16, 6), null, null, random(b, DType.F32, 54, 6),
                    random(b, DType.F32, 55, 6).abs(), false, 0.1, 1e-3, out, null, null);
            return out;
        });
    }

    @Test
    void batchNormBackwardGivesInputWeightAndBiasGradients() {
        String[] names = {"gradInput", "gradWeight", "gradBias"};
        for (int k = 0; k < names.length; k++) {
            int which = k;
            assertParity("batchNormBackward " + names[k], FUSED_F32, FUSED_F32, b -> {
                int[] dims = {8, 4, 3, 3};
                Tensor x = random(b, DType.F32, 56, dims);
                Tensor weight = random(b, DType.F32, 57, 4);
                Tensor mean = empty(b, DType.F32, 4);
                Tensor invStd = empty(b, DType.F32, 4);
                b.batchNormForward(x, weight, null, null, null, true, 0.1, 1e-5, empty(b, DType.F32, dims), mean, invStd);
                Tensor[] grads = {empty(b, DType.F32, dims), empty(b, DType.F32, 4), empty(b, DType.F32, 4)};
                b.batchNormBackward(x, random(b, DType.F32, 58, dims), weight, mean, invStd, grads[0], grads[1], grads[2]);
                return grads[which];
            });
        }
    }

    @Test
    void sgdStepsWithMomentumNesterovAndWeightDecay() {
        for (boolean nesterov : new boolean[] {false, true}) {
            assertParity("sgdUpdate nesterov=" + nesterov, FUSED_F32, FUSED_F32, b -> {
                Tensor param = random(b, DType.F32, 59, 1000);
                Tensor buffer = empty(b, DType.F32, 1000);
                b.sgdUpdate(param, random(b, DType.F32, 60, 1000), buffer, 0.1, 0.9, 1e-2, nesterov, true);
                b.sgdUpdate(param, random(b, DType.F32, 61, 1000), buffer, 0.1, 0.9, 1e-2, nesterov, false);
                return param;
            });
        }
    }

    @Test
    void adamAndAdamWSteps() {
        for (boolean decoupled : new boolean[] {false, true}) {
            assertParity("adamUpdate decoupled=" + decoupled, FUSED_F32, FUSED_F32, b -> {
                Tensor param = random(b, DType.F32, 62, 1000);
                Tensor m = empty(b, DType.F32, 1000);
                Tensor v = empty(b, DType.F32, 1000);
                b.fill(m, 0);
                b.fill(v, 0);
                for (int step = 1; step <= 3; step++) {
                    b.adamUpdate(param, random(b, DType.F32, 62 + step, 1000), m, v, 1e-3, 0.9, 0.999, 1e-8, 0.01,
                            decoupled, step);
                }
                return param;
            });
        }
    }

    @Test
    void lstmCellForwardAndBackward() {
        for (int which = 0; which < 5; which++) {
            int k = which;
            assertParity("lstmCell output " + k, FUSED_F32, FUSED_F32, b -> {
                Tensor gates = random(b, DType.F32, 70, 6, 32).mul(3.0);
                Tensor c = random(b, DType.F32, 71, 6, 8);
                Tensor h = empty(b, DType.F32, 6, 8);
                Tensor cOut = empty(b, DType.F32, 6, 8);
                Tensor act = empty(b, DType.F32, 6, 32);
                b.lstmCellForward(gates, c, h, cOut, act);
                if (k < 3) {
                    return new Tensor[] {h, cOut, act}[k];
                }
                Tensor gradGates = empty(b, DType.F32, 6, 32);
                Tensor gradC = empty(b, DType.F32, 6, 8);
                b.lstmCellBackward(act, c, cOut, random(b, DType.F32, 72, 6, 8), random(b, DType.F32, 73, 6, 8),
                        gradGates, gradC);
                return k == 3 ? gradGates : gradC;
            });
        }
    }

    @Test
    void gruCellForwardAndBackward() {
        for (int which = 0; which < 5; which++) {
            int k = which;
            assertParity("gruCell output " + k, FUSED_F32, FUSED_F32, b -> {
                Tensor inputGates = random(b, DType.F32, 74, 6, 24).mul(2.0);
                Tensor hiddenGates = random(b, DType.F32, 75, 6, 24).mul(2.0);
                Tensor h = random(b, DType.F32, 76, 6, 8);
                Tensor hOut = empty(b, DType.F32, 6, 8);
                Tensor act = empty(b, DType.F32, 6, 24);
                b.gruCellForward(inputGates, hiddenGates, h, hOut, act);
                if (k < 2) {
                    return k == 0 ? hOut : act;
                }
                Tensor[] grads = {empty(b, DType.F32, 6, 24), empty(b, DType.F32, 6, 24), empty(b, DType.F32, 6, 8)};
                b.gruCellBackward(act, hiddenGates, h, random(b, DType.F32, 77, 6, 8), grads[0], grads[1], grads[2]);
                return grads[k - 2];
            });
        }
    }

    @Test
    void tenThousandTrainingStepsLeaveDeviceMemoryFlat() {
        Backend b = ParityBackends.underTest();
        Tensor w = random(b, DType.F32, 80, 32, 10).requiresGrad(true);
        Tensor m = empty(b, DType.F32, 32, 10);
        Tensor v = empty(b, DType.F32, 32, 10);
        b.fill(m, 0);
        b.fill(v, 0);
        long afterWarmUp = 0;
        for (int step = 1; step <= 10_000; step++) {
            try (Scope s = Scope.open()) {
                Tensor x = random(b, DType.F32, step, 16, 32);
                Tensor loss = x.matmul(w).tanh().square().mean();
                loss.backward();
                b.adamUpdate(w, w.grad(), m, v, 1e-3, 0.9, 0.999, 1e-8, 0, false, step);
                w.zeroGrad();
            }
            if (step == 100) {
                afterWarmUp = b.bytesInUse();
            }
        }
        b.synchronize();
        assertEquals(afterWarmUp, b.bytesInUse(), "bytes in use after step 100 vs step 10,000 on " + b.name());
    }
}
