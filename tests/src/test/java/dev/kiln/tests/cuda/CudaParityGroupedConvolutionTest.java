package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPI section 6, grouped convolution: {@code groupedConv2dForward} with bias, {@code groupedConv2dBackwardData} and
 * {@code groupedConv2dBackwardFilter} with and without a bias gradient on the backend under test against the CPU
 * backend, for a grouped convolution (two channels a group, which the CPU runs group by group as the SPI's default
 * does) and depthwise ones (one channel a group, which the CPU runs on its own kernel), with a channel multiplier,
 * stride, padding and dilation. Tolerances as for the plain convolution ({@link CudaParityConvolutionTest}): each
 * group's sums are at most as long as a plain convolution's.
 */
class CudaParityGroupedConvolutionTest extends ParityTest {
    private static final Tolerance CONV_F64 = Tolerance.of(1e-10);

    /** One grouped convolution: input and weight shapes, stride, padding and dilation (one value each), groups. */
    record Geometry(String name, int[] input, int[] weight, int stride, int padding, int dilation, int groups) {
        GroupedConv2dGeometry of() {
            return GroupedConv2dGeometry.of("grouped conv2d parity", Shape.of(input), Shape.of(weight),
                    new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Geometry> geometries() {
        return Stream.of(
                new Geometry("groups 3, 3x3, padding 1", new int[] {2, 6, 9, 9}, new int[] {9, 2, 3, 3}, 1, 1, 1, 3),
                new Geometry("depthwise 3x3, padding 1", new int[] {2, 8, 12, 12}, new int[] {8, 1, 3, 3}, 1, 1, 1, 8),
                new Geometry("depthwise, multiplier 2, stride 2, padding 2, dilation 2", new int[] {2, 3, 13, 11},
                        new int[] {6, 1, 3, 3}, 2, 2, 2, 3),
                // 4 channels of 16 * 32 * 32 values: long bias and filter sums.
                new Geometry("depthwise 5x5 on large planes", new int[] {16, 4, 34, 34}, new int[] {4, 1, 5, 5}, 1, 1,
                        1, 4));
    }

    static Stream<Geometry> doublePrecisionGeometries() {
        return geometries().limit(3);
    }

    /** The names of {@link #everyDirection}'s outputs, in order. */
    private static final String[] DIRECTIONS = {"forward", "backwardData", "backwardFilter weight",
            "backwardFilter bias", "backwardFilter weight without bias"};

    /**
     * Forward with bias, backward-data, backward-filter with and without a bias gradient of {@code g} in
     * {@code dtype}: out, gradInput, gradWeight, gradBias, gradWeight alone.
     */
    private static Tensor[] everyDirection(Backend b, DType dtype, GroupedConv2dGeometry g) {
        Tensor input = random(b, dtype, 40, g.inputShape().dims());
        Tensor weight = random(b, dtype, 41, g.weightShape().dims());
        Tensor gradOut = random(b, dtype, 43, g.outputShape().dims());
        Tensor out = output(b, dtype, g.outputShape());
        b.groupedConv2dForward(input, weight, random(b, dtype, 42, g.outChannels()), g, out);
        Tensor gradInput = output(b, dtype, g.inputShape());
        b.groupedConv2dBackwardData(gradOut, weight, g, gradInput);
        Tensor gradWeight = output(b, dtype, g.weightShape());
        Tensor gradBias = output(b, dtype, g.outChannels());
        b.groupedConv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
        Tensor gradWeightAlone = output(b, dtype, g.weightShape());
        b.groupedConv2dBackwardFilter(input, gradOut, g, gradWeightAlone, null);
        return new Tensor[] {out, gradInput, gradWeight, gradBias, gradWeightAlone};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void groupedConvolutionMatchesCpuInEveryDirection(Geometry geometry) {
        GroupedConv2dGeometry g = geometry.of();
        assertParity("grouped conv2d, " + geometry, DIRECTIONS, CudaParityConvolutionTest.CONV_F32,
                b -> everyDirection(b, DType.F32, g));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doublePrecisionGeometries")
    void groupedConvolutionInDoublePrecisionMatchesCpuInEveryDirection(Geometry geometry) {
        GroupedConv2dGeometry g = geometry.of();
        assertParity("grouped conv2d F64, " + geometry, DIRECTIONS, CONV_F64, b -> everyDirection(b, DType.F64, g));
    }
}
