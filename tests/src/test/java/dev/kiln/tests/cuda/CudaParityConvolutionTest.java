package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPI section 6, convolution: {@code conv2dForward} with and without bias, {@code conv2dBackwardData},
 * {@code conv2dBackwardFilter} with and without a bias gradient and {@code conv2dBackward} of all three, on the
 * backend under test against the CPU backend, for geometries that exercise stride, zero padding, dilation, 1x1
 * kernels and per-axis values.
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}): a forward or backward-data element sums
 * {@code inChannels * kernelH * kernelW} products (up to 75 here), a backward-filter element
 * {@code batch * outH * outW} (up to 2,304), in whatever order each library's algorithm takes (cuDNN picks
 * among implicit GEMM, FFT and Winograd). In F32 that moves results of magnitude 1-20 by around 1e-5; we allow
 * 1e-4 absolute and relative, which TF32 tensor-core math (a 10-bit mantissa, errors near 1e-3) would fail.
 * F64: 1e-10.
 */
class CudaParityConvolutionTest extends ParityTest {
    static final Tolerance CONV_F32 = Tolerance.of(1e-4);
    private static final Tolerance CONV_F64 = Tolerance.of(1e-10);

    /** One convolution: input and weight shapes and the stride, padding and dilation (one value or height, width). */
    record Geometry(String name, int[] input, int[] weight, int[] stride, int[] padding, int[] dilation) {
        Conv2dGeometry of() {
            return Conv2dGeometry.of("conv2d parity", Shape.of(input), Shape.of(weight), stride, padding, dilation);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Geometry> geometries() {
        return Stream.of(
                new Geometry("3x3, padding 1", new int[] {2, 3, 12, 12}, new int[] {4, 3, 3, 3}, new int[] {1},
                        new int[] {1}, new int[] {1}),
                new Geometry("3x3, stride 2, padding 1, odd sizes", new int[] {2, 3, 13, 11}, new int[] {5, 3, 3, 3},
                        new int[] {2}, new int[] {1}, new int[] {1}),
                new Geometry("3x3, dilation 2, padding 2", new int[] {1, 2, 14, 14}, new int[] {3, 2, 3, 3}, new int[] {1},
                        new int[] {2}, new int[] {2}),
                new Geometry("5x5, no padding (LeNet's first layer)", new int[] {4, 1, 28, 28}, new int[] {6, 1, 5, 5},
                        new int[] {1}, new int[] {0}, new int[] {1}),
                new Geometry("1x1", new int[] {2, 8, 7, 7}, new int[] {4, 8, 1, 1}, new int[] {1}, new int[] {0},
                        new int[] {1}),
                new Geometry("3x2 kernel, stride (2, 1), padding (1, 0), dilation (1, 2)", new int[] {2, 3, 11, 9},
                        new int[] {4, 3, 3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}),
                // 3 output channels of 16 * 64 * 64 values: the bias gradient is summed in 4 parts a channel.
                new Geometry("3x3 into few channels of many values", new int[] {16, 2, 66, 66},
                        new int[] {3, 2, 3, 3}, new int[] {1}, new int[] {0}, new int[] {1}));
    }

    static Stream<Geometry> doublePrecisionGeometries() {
        return geometries().skip(1).limit(2);
    }

    private static Tensor input(Backend b, DType dtype, Conv2dGeometry g) {
        return random(b, dtype, 40, g.inputShape().dims());
    }

    private static Tensor weight(Backend b, DType dtype, Conv2dGeometry g) {
        return random(b, dtype, 41, g.weightShape().dims());
    }

    private static Tensor gradOut(Backend b, DType dtype, Conv2dGeometry g) {
        return random(b, dtype, 43, g.outputShape().dims());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void conv2dForwardWithBiasMatchesCpu(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2dForward with bias, " + geometry, CONV_F32, b -> {
            Tensor out = output(b, DType.F32, g.outputShape());
            b.conv2dForward(input(b, DType.F32, g), weight(b, DType.F32, g), random(b, DType.F32, 42, g.outChannels()), g, out);
            return out;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void conv2dForwardWithoutBiasMatchesCpu(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2dForward without bias, " + geometry, CONV_F32, b -> {
            Tensor out = output(b, DType.F32, g.outputShape());
            b.conv2dForward(input(b, DType.F32, g), weight(b, DType.F32, g), null, g, out);
            return out;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void conv2dBackwardDataMatchesCpu(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2dBackwardData, " + geometry, CONV_F32, b -> {
            Tensor gradInput = output(b, DType.F32, g.inputShape());
            b.conv2dBackwardData(gradOut(b, DType.F32, g), weight(b, DType.F32, g), g, gradInput);
            return gradInput;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void conv2dBackwardFilterMatchesCpuForWeightAndBias(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2dBackwardFilter, " + geometry, new String[] {"gradWeight", "gradBias"}, CONV_F32, b -> {
            Tensor gradWeight = output(b, DType.F32, g.weightShape());
            Tensor gradBias = output(b, DType.F32, g.outChannels());
            b.conv2dBackwardFilter(input(b, DType.F32, g), gradOut(b, DType.F32, g), g, gradWeight, gradBias);
            return new Tensor[] {gradWeight, gradBias};
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void conv2dBackwardFilterWithoutABiasGradientMatchesCpu(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2dBackwardFilter with gradBias null, " + geometry, CONV_F32, b -> {
            Tensor gradWeight = output(b, DType.F32, g.weightShape());
            b.conv2dBackwardFilter(input(b, DType.F32, g), gradOut(b, DType.F32, g), g, gradWeight, null);
            return gradWeight;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void conv2dBackwardOfAllThreeGradientsMatchesCpu(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2dBackward, " + geometry, new String[] {"gradInput", "gradWeight", "gradBias"}, CONV_F32,
                b -> {
                    Tensor gradInput = output(b, DType.F32, g.inputShape());
                    Tensor gradWeight = output(b, DType.F32, g.weightShape());
                    Tensor gradBias = output(b, DType.F32, g.outChannels());
                    b.conv2dBackward(input(b, DType.F32, g), gradOut(b, DType.F32, g), weight(b, DType.F32, g), g,
                            gradInput, gradWeight, gradBias);
                    return new Tensor[] {gradInput, gradWeight, gradBias};
                });
    }

    /** The names of {@link #everyDirection}'s outputs, in order. */
    static final String[] DIRECTIONS = {"forward", "backwardData", "backwardFilter weight", "backwardFilter bias"};

    /**
     * Forward with bias, backward-data and backward-filter with a bias gradient of {@code g} in {@code dtype}, every
     * operand (outputs included) first passed through {@code place}: out, gradInput, gradWeight, gradBias.
     */
    static Tensor[] everyDirection(Backend b, DType dtype, Conv2dGeometry g, UnaryOperator<Tensor> place) {
        Tensor input = place.apply(input(b, dtype, g));
        Tensor weight = place.apply(weight(b, dtype, g));
        Tensor gradOut = place.apply(gradOut(b, dtype, g));
        Tensor out = place.apply(output(b, dtype, g.outputShape()));
        b.conv2dForward(input, weight, place.apply(random(b, dtype, 42, g.outChannels())), g, out);
        Tensor gradInput = place.apply(output(b, dtype, g.inputShape()));
        b.conv2dBackwardData(gradOut, weight, g, gradInput);
        Tensor gradWeight = place.apply(output(b, dtype, g.weightShape()));
        Tensor gradBias = place.apply(output(b, dtype, g.outChannels()));
        b.conv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
        return new Tensor[] {out, gradInput, gradWeight, gradBias};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doublePrecisionGeometries")
    void convolutionInDoublePrecisionMatchesCpuInEveryDirection(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2d F64, " + geometry, DIRECTIONS, CONV_F64, b -> everyDirection(b, DType.F64, g, t -> t));
    }

    /**
     * A copy of {@code t} in a view one element into a larger buffer: 4 or 8 bytes past the 16-byte alignment
     * cuDNN's kernels may assume (the backend stages such operands through aligned copies).
     */
    private static Tensor atOddOffset(Backend b, Tensor t) {
        Tensor view = Tensor.empty(Shape.of(Math.toIntExact(t.size()) + 1), t.dtype(), b)
                .narrow(0, 1, Math.toIntExact(t.size())).reshape(t.shape().dims());
        assertEquals(1, view.offset(), "the view starts one element in");
        b.copy(t, view);
        return view;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void convolutionOnViewsAtAnOddOffsetMatchesCpuInEveryDirection(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        assertParity("conv2d on views at offset 1, " + geometry, DIRECTIONS, CONV_F32,
                b -> everyDirection(b, DType.F32, g, t -> atOddOffset(b, t)));
    }
}
