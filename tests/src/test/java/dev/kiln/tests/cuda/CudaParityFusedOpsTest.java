package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertClose;
import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.full;
import static dev.kiln.tests.cuda.ParityBackends.indices;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.uniform;
import static dev.kiln.tests.cuda.ParityBackends.values;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8ConvStage;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.engine.UnaryOp;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused ops: a dense layer's bias and activation (SPI section 3), SGD (momentum, dampening, Nesterov, weight
 * decay, the first step that seeds the momentum buffer), Adam, AdamW and AMSGrad over several steps, and the LSTM
 * and GRU cell gate math forward and backward, on the backend under test against the CPU backend. A backend may
 * implement these as its own kernels or inherit the SPI's composites (CUDA's AMSGrad does); either way the results
 * must agree.
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}): a few F32 operations per element, including a square
 * root and a division (Adam) or sigmoids and tanh (the cells, where the CPU's F32 tanh is within 4e-7 of
 * tanh): 1e-5 absolute and relative. F64: 1e-12. The recurrent backward passes get identical saved
 * activations, computed on the host, so that they are compared on their own. The bias and activation: see
 * its test.
 */
class CudaParityFusedOpsTest extends ParityTest {
    private static final Tolerance FUSED_F32 = Tolerance.of(1e-5);
    private static final Tolerance FUSED_F64 = Tolerance.of(1e-12);
    private static final int SIZE = 1000;

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.F64 ? FUSED_F64 : FUSED_F32;
    }

    record Sgd(String name, double momentum, double dampening, boolean nesterov, double weightDecay) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Sgd> sgdSettings() {
        return Stream.of(new Sgd("plain (no momentum buffer)", 0, 0, false, 0),
                new Sgd("weight decay only", 0, 0, false, 1e-2), new Sgd("momentum 0.9", 0.9, 0, false, 0),
                new Sgd("Nesterov", 0.9, 0, true, 0), new Sgd("momentum with weight decay", 0.9, 0, false, 1e-2),
                new Sgd("Nesterov with weight decay", 0.9, 0, true, 1e-2),
                new Sgd("momentum with dampening and weight decay", 0.9, 0.3, false, 1e-2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sgdSettings")
    void sgdStepsMatchCpu(Sgd s) {
        boolean buffered = s.momentum() != 0;
        String[] names = buffered ? new String[] {"param", "momentumBuffer"} : new String[] {"param"};
        assertParity("sgdUpdate, " + s + ", three steps", names, FUSED_F32, b -> {
            Tensor param = random(b, DType.F32, 59, SIZE);
            Tensor buffer = buffered ? output(b, DType.F32, SIZE) : null;
            for (int step = 0; step < 3; step++) {
                b.sgdUpdate(param, random(b, DType.F32, 60 + step, SIZE), buffer, 0.1, s.momentum(), s.dampening(),
                        s.weightDecay(), s.nesterov(), step == 0);
            }
            return buffered ? new Tensor[] {param, buffer} : new Tensor[] {param};
        });
    }

    record Adam(String name, double weightDecay, boolean decoupled) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Adam> adamSettings() {
        return Stream.of(new Adam("Adam", 0, false), new Adam("Adam with an L2 penalty", 0.01, false),
                new Adam("AdamW", 0.01, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adamSettings")
    void adamStepsMatchCpu(Adam a) {
        assertParity(a + ", three steps", new String[] {"param", "expAvg", "expAvgSq"}, FUSED_F32, b -> {
            Tensor param = random(b, DType.F32, 62, SIZE);
            Tensor expAvg = full(b, DType.F32, 0, SIZE);
            Tensor expAvgSq = full(b, DType.F32, 0, SIZE);
            for (int step = 1; step <= 3; step++) {
                b.adamUpdate(param, random(b, DType.F32, 62 + step, SIZE), expAvg, expAvgSq, 1e-2, 0.9, 0.999, 1e-8,
                        a.weightDecay(), a.decoupled(), step);
            }
            return new Tensor[] {param, expAvg, expAvgSq};
        });
    }

    /**
     * AMSGrad over four steps, the last two with gradients a thousand times smaller, so that the running maximum of
     * the second moment, not the moment, sets the denominator.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("adamSettings")
    void amsgradStepsMatchCpu(Adam a) {
        String[] names = {"param", "expAvg", "expAvgSq", "maxExpAvgSq"};
        assertParity(a + " with amsgrad, four steps", names, FUSED_F32, b -> {
            Tensor param = random(b, DType.F32, 62, SIZE);
            Tensor expAvg = full(b, DType.F32, 0, SIZE);
            Tensor expAvgSq = full(b, DType.F32, 0, SIZE);
            Tensor maxExpAvgSq = full(b, DType.F32, 0, SIZE);
            for (int step = 1; step <= 4; step++) {
                double scale = step <= 2 ? 1 : 1e-3;
                b.amsgradUpdate(param, uniform(b, DType.F32, 62 + step, -scale, scale, SIZE), expAvg, expAvgSq,
                        maxExpAvgSq, 1e-2, 0.9, 0.99, 1e-8, a.weightDecay(), a.decoupled(), step);
            }
            return new Tensor[] {param, expAvg, expAvgSq, maxExpAvgSq};
        });
    }

    /** AMSGrad over a list of 41 parameters, as {@link #adamOfAListOfParametersMatchesCpu}. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("adamSettings")
    void amsgradOfAListOfParametersMatchesCpu(Adam a) {
        int count = 41;
        String[] names = new String[4 * count];
        for (int i = 0; i < count; i++) {
            names[4 * i] = "param " + i;
            names[4 * i + 1] = "expAvg " + i;
            names[4 * i + 2] = "expAvgSq " + i;
            names[4 * i + 3] = "maxExpAvgSq " + i;
        }
        assertParity(a + " with amsgrad, a list of " + count + " parameters, three steps", names, FUSED_F32, b -> {
            List<List<Tensor>> state = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
            for (int i = 0; i < count; i++) {
                int size = listedSize(i);
                state.get(0).add(random(b, DType.F32, 100 + i, size));
                for (int k = 1; k < 4; k++) {
                    state.get(k).add(full(b, DType.F32, 0, size));
                }
            }
            for (int step = 1; step <= 3; step++) {
                double scale = step == 1 ? 1 : 1e-3;
                List<Tensor> grads = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    grads.add(uniform(b, DType.F32, 1000 * step + i, -scale, scale, listedSize(i)));
                }
                b.amsgradUpdates(state.get(0), grads, state.get(1), state.get(2), state.get(3), 1e-2, 0.9, 0.99, 1e-8,
                        a.weightDecay(), a.decoupled(), step);
            }
            Tensor[] out = new Tensor[4 * count];
            for (int i = 0; i < 4 * count; i++) {
                out[i] = state.get(i % 4).get(i / 4);
            }
            return out;
        });
    }

    /**
     * Adam over a list of 41 parameters (CUDA: two launches of up to 32), of sizes from 0 to 70,001, over three
     * steps, AdamW's decoupled weight decay included: as Adam of each parameter on the CPU.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("adamSettings")
    void adamOfAListOfParametersMatchesCpu(Adam a) {
        int count = 41;
        String[] names = new String[3 * count];
        for (int i = 0; i < count; i++) {
            names[3 * i] = "param " + i;
            names[3 * i + 1] = "expAvg " + i;
            names[3 * i + 2] = "expAvgSq " + i;
        }
        assertParity(a + ", a list of " + count + " parameters, three steps", names, FUSED_F32, b -> {
            List<Tensor> params = new ArrayList<>();
            List<Tensor> expAvgs = new ArrayList<>();
            List<Tensor> expAvgSqs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int size = listedSize(i);
                params.add(random(b, DType.F32, 100 + i, size));
                expAvgs.add(full(b, DType.F32, 0, size));
                expAvgSqs.add(full(b, DType.F32, 0, size));
            }
            for (int step = 1; step <= 3; step++) {
                List<Tensor> grads = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    grads.add(random(b, DType.F32, 1000 * step + i, listedSize(i)));
                }
                b.adamUpdates(params, grads, expAvgs, expAvgSqs, 1e-2, 0.9, 0.999, 1e-8, a.weightDecay(), a.decoupled(),
                        step);
            }
            Tensor[] out = new Tensor[3 * count];
            for (int i = 0; i < count; i++) {
                out[3 * i] = params.get(i);
                out[3 * i + 1] = expAvgs.get(i);
                out[3 * i + 2] = expAvgSqs.get(i);
            }
            return out;
        });
    }

    /** Sizes 0, 1, 2, 5, 31, 70,001 in turn, so that both launches hold small, empty and large tensors. */
    private static int listedSize(int i) {
        int[] sizes = {0, 1, 2, 5, 31, 70_001};
        return sizes[i % sizes.length];
    }

    @Test
    void fusedUpdatesLeaveTheGradientUntouched() {
        for (Backend b : new Backend[] {reference(), underTest()}) {
            Tensor grad = random(b, DType.F32, 66, SIZE);
            b.sgdUpdate(random(b, DType.F32, 67, SIZE), grad, output(b, DType.F32, SIZE), 0.1, 0.9, 0, 1e-2, true,
                    true);
            b.adamUpdate(random(b, DType.F32, 68, SIZE), grad, full(b, DType.F32, 0, SIZE), full(b, DType.F32, 0, SIZE),
                    1e-3, 0.9, 0.999, 1e-8, 1e-2, false, 1);
            assertClose(b.name() + ": the gradient after sgdUpdate and adamUpdate", random(reference(), DType.F32, 66, SIZE),
                    grad, Tolerance.EXACT);
        }
    }

    static Stream<Arguments> biasActivationCases() {
        List<Arguments> cases = new ArrayList<>();
        Object[][] activations = {{UnaryOp.RELU, 0.0}, {UnaryOp.TANH, 0.0}, {UnaryOp.SIGMOID, 0.0},
                {UnaryOp.LEAKY_RELU, 0.1}, {UnaryOp.ELU, 1.3}};
        int[][] shapes = {{128, 512}, {37, 70}, {9000, 3}, {0, 7}};
        for (Object[] a : activations) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                for (int[] shape : shapes) {
                    cases.add(Arguments.of(a[0], a[1], dtype, shape[0], shape[1]));
                }
            }
        }
        return cases.stream();
    }

    /**
     * The dense layer's fused bias and activation, forward and backward. [128, 512] and [37, 70] take CUDA's
     * fused backward kernel (a partial block of columns in the second), [9000, 3] its two-kernel path for long
     * columns, and [0, 7] no rows at all: a zero bias gradient. Upstream gradients in [0.5, 1.5), so that the
     * bias gradients, sums of up to 9,000 terms, do not cancel and 1e-4 relative (as for the column sums of
     * {@code CudaParityReductionTest}) means something.
     */
    @ParameterizedTest(name = "{0} {1} {2} [{3}, {4}]")
    @MethodSource("biasActivationCases")
    void biasActivationForwardAndBackwardMatchCpu(UnaryOp op, double param, DType dtype, int rows, int cols) {
        Tolerance tolerance = dtype == DType.F64 ? Tolerance.of(1e-10) : new Tolerance(2e-6, 1e-4);
        String what = "biasActivation " + op + " " + dtype + " [" + rows + ", " + cols + "]";
        assertParity(what, new String[] {"out", "gradPre", "gradBias"}, tolerance, b -> {
            Tensor out = output(b, dtype, rows, cols);
            b.biasActivation(op, param, uniform(b, dtype, 90, -3, 3, rows, cols), uniform(b, dtype, 91, -1, 1, cols), out);
            Tensor gradPre = output(b, dtype, rows, cols);
            Tensor gradBias = output(b, dtype, cols);
            b.biasActivationBackward(op, param, out, uniform(b, dtype, 92, 0.5, 1.5, rows, cols), gradPre, gradBias);
            return new Tensor[] {out, gradPre, gradBias};
        });
    }

    static Stream<Arguments> convolutionActivationCases() {
        List<Arguments> cases = new ArrayList<>();
        Object[][] activations = {{UnaryOp.RELU, 0.0}, {UnaryOp.TANH, 0.0}, {UnaryOp.ELU, 1.3}};
        for (Object[] a : activations) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                for (boolean bias : new boolean[] {true, false}) {
                    cases.add(Arguments.of(a[0], a[1], dtype, bias));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("convolutionActivationCases")
    void convolutionWithActivationForwardAndBackwardMatchCpu(UnaryOp op, double param, DType dtype, boolean bias) {
        assertConvolutionWithActivation(op, param, dtype, bias, Shape.of(4, 3, 10, 9), Shape.of(6, 3, 3, 3));
    }

    /** 3 channels of 16 * 66 * 66 values: the activation's backward and the bias gradient run in 4 parts a channel. */
    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("convolutionActivationCases")
    void convolutionWithActivationIntoFewChannelsOfManyValuesMatchesCpu(UnaryOp op, double param, DType dtype,
                                                                        boolean bias) {
        assertConvolutionWithActivation(op, param, dtype, bias, Shape.of(16, 2, 66, 66), Shape.of(3, 2, 3, 3));
    }

    private static void assertConvolutionWithActivation(UnaryOp op, double param, DType dtype, boolean bias,
                                                        Shape inputShape, Shape weightShape) {
        Tolerance tolerance = dtype == DType.F64 ? Tolerance.of(1e-10) : Tolerance.of(1e-4);
        Conv2dGeometry g = Conv2dGeometry.of("conv2d+activation parity", inputShape, weightShape, new int[] {1},
                new int[] {1}, new int[] {1});
        int channels = weightShape.dims()[0];
        assertParity("conv2dBiasActivation and its backward, " + op + " " + dtype + ", bias " + bias + ", " + g,
                new String[] {"out", "gradInput", "gradWeight", "gradBias"}, tolerance, b -> {
                    Tensor input = random(b, dtype, 93, inputShape.dims());
                    Tensor weight = random(b, dtype, 94, weightShape.dims());
                    Tensor out = output(b, dtype, g.outputShape());
                    b.conv2dBiasActivation(input, weight, bias ? random(b, dtype, 95, channels) : null, op, param, g,
                            out);
                    Tensor gradInput = output(b, dtype, g.inputShape());
                    Tensor gradWeight = output(b, dtype, g.weightShape());
                    Tensor gradBias = bias ? output(b, dtype, channels) : full(b, dtype, 0, channels);
                    b.conv2dBiasActivationBackward(input, weight, op, param, out,
                            uniform(b, dtype, 96, 0.5, 1.5, g.outputShape().dims()), g, gradInput, gradWeight,
                            bias ? gradBias : null);
                    return new Tensor[] {out, gradInput, gradWeight, gradBias};
                });
    }

    private static final int BATCH = 6;
    private static final int HIDDEN = 8;

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lstmCellForwardMatchesCpu(DType dtype) {
        assertParity("lstmCellForward " + dtype, new String[] {"hOut", "cOut", "activations"}, tolerance(dtype), b -> {
            Tensor hOut = output(b, dtype, BATCH, HIDDEN);
            Tensor cOut = output(b, dtype, BATCH, HIDDEN);
            Tensor activations = output(b, dtype, BATCH, 4 * HIDDEN);
            b.lstmCellForward(uniform(b, dtype, 70, -3, 3, BATCH, 4 * HIDDEN),
                    random(b, dtype, 71, BATCH, HIDDEN), hOut, cOut, activations);
            return new Tensor[] {hOut, cOut, activations};
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void lstmCellBackwardMatchesCpu(DType dtype) {
        double[] pre = values(72, BATCH * 4 * HIDDEN, -3, 3);
        double[] c = values(73, BATCH * HIDDEN, -1, 1);
        double[] act = new double[pre.length];
        double[] cOut = new double[c.length];
        for (int r = 0; r < BATCH; r++) {
            for (int j = 0; j < 4 * HIDDEN; j++) {
                int q = r * 4 * HIDDEN + j;
                act[q] = j / HIDDEN == 2 ? Math.tanh(pre[q]) : sigmoid(pre[q]);
            }
            for (int j = 0; j < HIDDEN; j++) {
                int base = r * 4 * HIDDEN;
                cOut[r * HIDDEN + j] = act[base + HIDDEN + j] * c[r * HIDDEN + j] + act[base + j] * act[base + 2 * HIDDEN + j];
            }
        }
        assertParity("lstmCellBackward " + dtype, new String[] {"gradGates", "gradCPrev"}, tolerance(dtype), b -> {
            Tensor gradGates = output(b, dtype, BATCH, 4 * HIDDEN);
            Tensor gradCPrev = output(b, dtype, BATCH, HIDDEN);
            b.lstmCellBackward(tensor(b, dtype, act, BATCH, 4 * HIDDEN), tensor(b, dtype, c, BATCH, HIDDEN),
                    tensor(b, dtype, cOut, BATCH, HIDDEN), random(b, dtype, 74, BATCH, HIDDEN),
                    random(b, dtype, 75, BATCH, HIDDEN), gradGates, gradCPrev);
            return new Tensor[] {gradGates, gradCPrev};
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gruCellForwardMatchesCpu(DType dtype) {
        assertParity("gruCellForward " + dtype, new String[] {"hOut", "activations"}, tolerance(dtype), b -> {
            Tensor hOut = output(b, dtype, BATCH, HIDDEN);
            Tensor activations = output(b, dtype, BATCH, 3 * HIDDEN);
            b.gruCellForward(uniform(b, dtype, 76, -2, 2, BATCH, 3 * HIDDEN),
                    uniform(b, dtype, 77, -2, 2, BATCH, 3 * HIDDEN), random(b, dtype, 78, BATCH, HIDDEN),
                    hOut, activations);
            return new Tensor[] {hOut, activations};
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void gruCellBackwardMatchesCpu(DType dtype) {
        double[] pre = values(79, BATCH * 3 * HIDDEN, -3, 3);
        double[] act = new double[pre.length];
        for (int q = 0; q < pre.length; q++) {
            act[q] = (q % (3 * HIDDEN)) / HIDDEN == 2 ? Math.tanh(pre[q]) : sigmoid(pre[q]);
        }
        String[] names = {"gradInputGates", "gradHiddenGates", "gradH"};
        assertParity("gruCellBackward " + dtype, names, tolerance(dtype), b -> {
            Tensor[] grads = {output(b, dtype, BATCH, 3 * HIDDEN), output(b, dtype, BATCH, 3 * HIDDEN),
                output(b, dtype, BATCH, HIDDEN)};
            b.gruCellBackward(tensor(b, dtype, act, BATCH, 3 * HIDDEN),
                    uniform(b, dtype, 80, -2, 2, BATCH, 3 * HIDDEN), random(b, dtype, 81, BATCH, HIDDEN),
                    random(b, dtype, 82, BATCH, HIDDEN), grads[0], grads[1], grads[2]);
            return grads;
        });
    }

    /**
     * The dynamically quantised linear layer ({@code packInt8Linear}, {@code int8Linear}), with and without bias, at
     * batch 1 and 9: the same int8 values and scales exactly, and outputs to 1e-5. The integer sums (96 products of
     * at most 255 x 128) stay below 2^24, so a backend that multiplies the integers in F32, as the SPI's default does,
     * sums them exactly; only the scaling back rounds differently.
     */
    @ParameterizedTest(name = "bias {0}")
    @ValueSource(booleans = {true, false})
    void int8LinearMatchesCpu(boolean withBias) {
        String[] names = {"values", "scales", "batch 1", "batch 9"};
        assertParity("int8Linear, bias " + withBias, names, Tolerance.of(1e-5), b -> {
            Tensor weight = random(b, DType.F32, 90, 70, 96);
            Tensor bias = withBias ? random(b, DType.F32, 91, 70) : null;
            try (Int8LinearWeights packed = b.packInt8Linear(weight)) {
                Tensor one = output(b, DType.F32, 1, 70);
                b.int8Linear(uniform(b, DType.F32, 92, -1, 3, 1, 96), packed, bias, one);
                Tensor nine = output(b, DType.F32, 9, 70);
                b.int8Linear(uniform(b, DType.F32, 93, -2, 5, 9, 96), packed, bias, nine);
                return new Tensor[] {packed.values(), packed.scales(), one, nine};
            }
        });
    }

    /**
     * The static int8 convolution ({@code packStaticInt8Conv}, {@code staticInt8Conv2d}), with and without fused
     * ReLU, stride 2 and padding 1, at batch 1 and 3: the same int8 values and scales exactly, and outputs to within
     * one step of the output grid (0.05), where a requantisation that lands on a tie may round either way. The inputs
     * above 2.9 are NaN, which every path quantises to q 0.
     */
    @ParameterizedTest(name = "relu {0}")
    @ValueSource(booleans = {true, false})
    void staticInt8Conv2dMatchesCpu(boolean relu) {
        String[] names = {"values", "scales", "batch 1", "batch 3"};
        Uint8Grid in = new Uint8Grid(0.02f, 50);
        Uint8Grid out = new Uint8Grid(0.05f, 100);
        assertParity("staticInt8Conv2d, relu " + relu, names, new Tolerance(0.0501, 0), b -> {
            Tensor weight = random(b, DType.F32, 94, 6, 3, 3, 3);
            Tensor scales = uniform(b, DType.F32, 95, 0.002, 0.01, 6);
            Tensor bias = random(b, DType.F32, 96, 6);
            try (StaticInt8ConvWeights packed = b.packStaticInt8Conv(weight, scales)) {
                Tensor[] outputs = {packed.values(), packed.scales(), null, null};
                int[] batches = {1, 3};
                for (int k = 0; k < 2; k++) {
                    Tensor uniform = uniform(b, DType.F32, 97 + k, -1, 3, batches[k], 3, 9, 9);
                    Tensor x = uniform.maskedFill(uniform.gt(2.9), Double.NaN);
                    Conv2dGeometry g = Conv2dGeometry.of("staticInt8Conv2d", x.shape(), packed.shape(),
                            new int[] {2}, new int[] {1}, new int[] {1});
                    outputs[2 + k] = output(b, DType.F32, g.outputShape());
                    b.staticInt8Conv2d(x, packed, bias, g, in, out, relu, outputs[2 + k]);
                }
                return outputs;
            }
        });
    }

    /**
     * The per-tensor fake quantisation's one pass ({@code fakeQuantizePerTensor}) on [7, 300] inputs over twice
     * quint8's span, with NaN, infinities and exact ties at half steps (a scale of 2^-4): the values and the
     * straight-through mask exactly, each a few F32 roundings that every backend takes alike.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fakeQuantizePerTensorMatchesCpu(DType dtype) {
        double[] x = values(98, 2100, -20, 20);
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5 / 16, 1.5 / 16,
            -2.5 / 16, 130.5 / 16, -0.0};
        for (int i = 0; i < special.length; i++) {
            x[i * 97] = special[i];
        }
        assertParity("fakeQuantizePerTensor " + dtype, new String[] {"values", "mask"}, Tolerance.EXACT, b -> {
            Tensor out = output(b, dtype, 7, 300);
            Tensor mask = output(b, dtype, 7, 300);
            b.fakeQuantizePerTensor(tensor(b, dtype, x, 7, 300), 1f / 16, 128, 0, 255, out, mask);
            return new Tensor[] {out, mask};
        });
    }

    /**
     * The requantised residual sum ({@code requantizedAddRelu}) with and without the ReLU, on [3, 16, 9, 9] sums some
     * of them NaN (to q 0 under either) and some beyond the grid: outputs to within one step of the grid (0.05), where a
     * sum on a tie may round either way after the device's own addition and product.
     */
    @ParameterizedTest(name = "relu {0}")
    @ValueSource(booleans = {true, false})
    void requantizedAddReluMatchesCpu(boolean relu) {
        Uint8Grid grid = new Uint8Grid(0.05f, 100);
        assertParity("requantizedAddRelu, relu " + relu, new String[] {"sum"}, new Tolerance(0.0501, 0), b -> {
            Tensor uniform = uniform(b, DType.F32, 98, -8, 9, 3, 16, 9, 9);
            Tensor x = uniform.maskedFill(uniform.gt(8.8), Double.NaN);
            Tensor y = random(b, DType.F32, 99, 3, 16, 9, 9);
            Tensor out = output(b, DType.F32, 3, 16, 9, 9);
            b.requantizedAddRelu(x, y, grid, relu, out);
            return new Tensor[] {out};
        });
    }

    /**
     * A chain of two static int8 convolutions ({@code staticInt8Conv2dChain}): a 3 x 3 with stride 2, padding 1 and
     * ReLU onto a grid at 0, then a 1 x 1 with bias onto one at 100, at batch 3 (NaN inputs above 2.9, to q 0):
     * outputs to within one step of the last grid (0.05), as for one convolution.
     */
    @Test
    void staticInt8Conv2dChainMatchesCpu() {
        Uint8Grid in = new Uint8Grid(0.02f, 50);
        Uint8Grid middle = new Uint8Grid(0.03f, 0);
        Uint8Grid out = new Uint8Grid(0.05f, 100);
        assertParity("staticInt8Conv2dChain", new String[] {"batch 3"}, new Tolerance(0.0501, 0), b -> {
            Tensor bias = random(b, DType.F32, 102, 5);
            try (StaticInt8ConvWeights first = b.packStaticInt8Conv(random(b, DType.F32, 100, 6, 3, 3, 3),
                    uniform(b, DType.F32, 95, 0.002, 0.01, 6));
                 StaticInt8ConvWeights second = b.packStaticInt8Conv(random(b, DType.F32, 101, 5, 6, 1, 1),
                    uniform(b, DType.F32, 96, 0.002, 0.01, 5))) {
                Tensor uniform = uniform(b, DType.F32, 103, -1, 3, 3, 3, 9, 9);
                Tensor x = uniform.maskedFill(uniform.gt(2.9), Double.NaN);
                Conv2dGeometry g1 = Conv2dGeometry.of("chain", x.shape(), first.shape(), new int[] {2},
                        new int[] {1}, new int[] {1});
                Conv2dGeometry g2 = Conv2dGeometry.of("chain", g1.outputShape(), second.shape(), new int[] {1},
                        new int[] {0}, new int[] {1});
                Tensor result = output(b, DType.F32, g2.outputShape());
                b.staticInt8Conv2dChain(x, in, List.of(new StaticInt8ConvStage(first, null, g1, middle, true),
                        new StaticInt8ConvStage(second, bias, g2, out, false)), result);
                return new Tensor[] {result};
            }
        });
    }

    /**
     * A static int8 convolution chain ending in a max pooling ({@code staticInt8Conv2dChainMaxPool}), a ResNet stem:
     * a 7 x 7 with stride 2, padding 3 and ReLU onto a grid at 0, then a 3 x 3 pooling of stride 2 and padding 1, at
     * batch 3 (NaN inputs above 2.9, to q 0): outputs to within one step of the grid (0.03), as for one convolution.
     */
    @Test
    void staticInt8Conv2dChainMaxPoolMatchesCpu() {
        Uint8Grid in = new Uint8Grid(0.02f, 50);
        Uint8Grid out = new Uint8Grid(0.03f, 0);
        assertParity("staticInt8Conv2dChainMaxPool", new String[] {"batch 3"}, new Tolerance(0.0301, 0), b -> {
            Tensor bias = random(b, DType.F32, 112, 6);
            try (StaticInt8ConvWeights stem = b.packStaticInt8Conv(random(b, DType.F32, 110, 6, 3, 7, 7),
                    uniform(b, DType.F32, 111, 0.002, 0.01, 6))) {
                Tensor uniform = uniform(b, DType.F32, 113, -1, 3, 3, 3, 21, 18);
                Tensor x = uniform.maskedFill(uniform.gt(2.9), Double.NaN);
                Conv2dGeometry g = Conv2dGeometry.of("stem", x.shape(), stem.shape(), new int[] {2},
                        new int[] {3}, new int[] {1});
                Pool2dGeometry pool = Pool2dGeometry.of("stem", g.outputShape(), new int[] {3}, new int[] {2},
                        new int[] {1});
                Tensor result = output(b, DType.F32, pool.outputShape());
                b.staticInt8Conv2dChainMaxPool(x, in, List.of(new StaticInt8ConvStage(stem, bias, g, out, true)),
                        pool, result);
                return new Tensor[] {result};
            }
        });
    }

    /**
     * A chain of two static int8 convolutions and a shortcut convolution on the same input
     * ({@code staticInt8Conv2dChainAndShortcut}, a downsampling residual block): 3 x 3 of stride 2 with ReLU onto a
     * grid at 0, 3 x 3 onto one at 100, and 1 x 1 of stride 2 onto one at 80, at batch 3 (NaN inputs above 2.9, to
     * q 0): both outputs to within one step of their grids (0.05, 0.04).
     */
    @Test
    void staticInt8Conv2dChainAndShortcutMatchesCpu() {
        Uint8Grid in = new Uint8Grid(0.02f, 50);
        assertParity("staticInt8Conv2dChainAndShortcut", new String[] {"chain", "shortcut"},
                new Tolerance(0.0501, 0), b -> {
                    Tensor bias = random(b, DType.F32, 122, 5);
                    try (StaticInt8ConvWeights conv1 = b.packStaticInt8Conv(random(b, DType.F32, 120, 6, 3, 3, 3),
                            uniform(b, DType.F32, 115, 0.002, 0.01, 6));
                         StaticInt8ConvWeights conv2 = b.packStaticInt8Conv(random(b, DType.F32, 121, 5, 6, 3, 3),
                            uniform(b, DType.F32, 116, 0.002, 0.01, 5));
                         StaticInt8ConvWeights downsample = b.packStaticInt8Conv(random(b, DType.F32, 124, 5, 3, 1,
                            1), uniform(b, DType.F32, 117, 0.002, 0.01, 5))) {
                        Tensor uniform = uniform(b, DType.F32, 123, -1, 3, 3, 3, 9, 9);
                        Tensor x = uniform.maskedFill(uniform.gt(2.9), Double.NaN);
                        Conv2dGeometry g1 = Conv2dGeometry.of("block", x.shape(), conv1.shape(), new int[] {2},
                                new int[] {1}, new int[] {1});
                        Conv2dGeometry g2 = Conv2dGeometry.of("block", g1.outputShape(), conv2.shape(),
                                new int[] {1}, new int[] {1}, new int[] {1});
                        Conv2dGeometry gd = Conv2dGeometry.of("block", x.shape(), downsample.shape(), new int[] {2},
                                new int[] {0}, new int[] {1});
                        Tensor out = output(b, DType.F32, g2.outputShape());
                        Tensor shortcutOut = output(b, DType.F32, gd.outputShape());
                        b.staticInt8Conv2dChainAndShortcut(x, in, List.of(
                                new StaticInt8ConvStage(conv1, null, g1, new Uint8Grid(0.03f, 0), true),
                                new StaticInt8ConvStage(conv2, bias, g2, new Uint8Grid(0.05f, 100), false)),
                                new StaticInt8ConvStage(downsample, bias, gd, new Uint8Grid(0.04f, 80), false), out,
                                shortcutOut);
                        return new Tensor[] {out, shortcutOut};
                    }
                });
    }

    /**
     * Global average pooling onto the input's grid, then a 1 x 1 int8 convolution ({@code
     * staticInt8GlobalAvgPoolConv2d}, a ResNet's head: the pooling and the Linear): grid values of q in [0, 255] on a
     * grid at 50, 2 x 2 per channel (whose means tie half the time), 8 -> 5 with bias onto a grid at 100, at batch 3:
     * outputs to within one step of the grid (0.05), as for one convolution.
     */
    @Test
    void staticInt8GlobalAvgPoolConv2dMatchesCpu() {
        Uint8Grid in = new Uint8Grid(0.02f, 50);
        Uint8Grid out = new Uint8Grid(0.05f, 100);
        assertParity("staticInt8GlobalAvgPoolConv2d", new String[] {"batch 3"}, new Tolerance(0.0501, 0), b -> {
            Tensor bias = random(b, DType.F32, 132, 5);
            try (StaticInt8ConvWeights fc = b.packStaticInt8Conv(random(b, DType.F32, 130, 5, 8, 1, 1),
                    uniform(b, DType.F32, 131, 0.002, 0.01, 5))) {
                Tensor x = uniform(b, DType.F32, 133, 0, 255, 3, 8, 2, 2).round().sub(50).mul(0.02f);
                Conv2dGeometry g = Conv2dGeometry.of("head", Shape.of(3, 8, 1, 1), fc.shape(), new int[] {1},
                        new int[] {0}, new int[] {1});
                Tensor result = output(b, DType.F32, g.outputShape());
                b.staticInt8GlobalAvgPoolConv2d(x, in, new StaticInt8ConvStage(fc, bias, g, out, false), result);
                return new Tensor[] {result};
            }
        });
    }

    /**
     * The row-sparse SparseAdam and Adagrad steps ({@code sparseAdamUpdate}, {@code sparseAdagradUpdate}) of rows 7, 0,
     * 31 and 12 of a [40, 6] table, three steps each: the rows stepped, and the others left alone.
     */
    @Test
    void sparseRowUpdatesMatchCpu() {
        long[] rows = {7, 0, 31, 12};
        assertParity("sparse row updates, three steps", new String[] {"param", "expAvg", "expAvgSq and sum"}, FUSED_F32,
                b -> {
                    Tensor param = random(b, DType.F32, 140, 40, 6);
                    Tensor expAvg = full(b, DType.F32, 0, 40, 6);
                    Tensor expAvgSq = full(b, DType.F32, 0, 40, 6);
                    Tensor index = indices(b, DType.I64, rows, 4);
                    for (int step = 1; step <= 3; step++) {
                        Tensor grad = random(b, DType.F32, 140 + step, 4, 6);
                        b.sparseAdamUpdate(param, expAvg, expAvgSq, index, grad, 0.01 * step, 0.9, 0.999, 1e-8);
                        b.sparseAdagradUpdate(param, expAvgSq, index, grad, 0.1 / step, 1e-10);
                    }
                    return new Tensor[] {param, expAvg, expAvgSq};
                });
    }
}
