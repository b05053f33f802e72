package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.CudaParityConvolutionTest.CONV_F32;
import static dev.kiln.tests.cuda.CudaParityConvolutionTest.DIRECTIONS;
import static dev.kiln.tests.cuda.CudaParityConvolutionTest.everyDirection;
import static dev.kiln.tests.cuda.ParityBackends.assertClose;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.CudaParityConvolutionTest.Geometry;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cuDNN benchmark opt-in ({@code -Dkiln.cuda.cudnnBenchmark=true}, {@code KILN_CUDNN_BENCHMARK=1}): with each
 * direction's algorithm chosen by timing cuDNN's candidates on the first call's own operands, convolution still
 * matches the CPU backend in every direction, in strict FP32. Timing offers algorithms the heuristics rarely rank
 * first (FFT, Winograd), and each direction is timed once, on its first call: the first call's result is checked as
 * well as a later one's.
 *
 * <p>The tolerance is the parity suite's 1e-4 relative, with an absolute part of {@value #ABSOLUTE_PER_RMS} times
 * the root mean square of the expected values instead of 1e-4: Winograd's transforms lose more in FP32 than a
 * direct sum, up to 2.6e-5 (F(4x4,3x3)) and 4.5e-5 (F(6x6,3x3)) times the outputs' RMS on 576-term sums and
 * 7.7e-5 times it on 2,052-term ones, which an absolute 1e-4 fails on outputs near zero (emulated in numpy:
 * {@code bench/gpu/winograd_error.py}). TF32's rounding, which strict FP32 must not use, errs by 0.012 on these
 * sums (RMS 8 to 11), above 1e-3 times the RMS, and still fails; so does a wrong operand or direction, off by the
 * order of the RMS.
 */
class CudaCudnnBenchmarkTest extends ParityTest {
    private static final double ABSOLUTE_PER_RMS = 3e-4;

    @RegisterExtension
    static final CudaWithOptions BENCHMARKED = new CudaWithOptions(options -> options.withCudnnBenchmark(true),
            "cuDNN's benchmarked algorithm choice is a CUDA backend setting");

    /** The parity suite's geometries, and a ResNet stage's 3x3 convolution and 1x1 stride-2 shortcut. */
    static Stream<Geometry> geometries() {
        return Stream.concat(CudaParityConvolutionTest.geometries(), Stream.of(
                new Geometry("ResNet 3x3, 64 channels, padding 1", new int[] {8, 64, 16, 16},
                        new int[] {64, 64, 3, 3}, new int[] {1}, new int[] {1}, new int[] {1}),
                new Geometry("ResNet 1x1 shortcut, stride 2, 64 to 128 channels", new int[] {8, 64, 16, 16},
                        new int[] {128, 64, 1, 1}, new int[] {2}, new int[] {0}, new int[] {1})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void benchmarkedAlgorithmsMatchCpuInEveryDirectionOnFirstAndLaterCalls(Geometry geometry) {
        Conv2dGeometry g = geometry.of();
        Tensor[] expected = everyDirection(reference(), DType.F32, g, t -> t);
        Tensor[] first = everyDirection(BENCHMARKED.backend(), DType.F32, g, t -> t);
        Tensor[] later = everyDirection(BENCHMARKED.backend(), DType.F32, g, t -> t);
        for (int k = 0; k < DIRECTIONS.length; k++) {
            Tolerance tolerance = new Tolerance(ABSOLUTE_PER_RMS * rootMeanSquare(expected[k]), CONV_F32.rtol());
            assertClose("benchmarked conv2d, first call, " + geometry + ": " + DIRECTIONS[k], expected[k], first[k],
                    tolerance);
            assertClose("benchmarked conv2d, later call, " + geometry + ": " + DIRECTIONS[k], expected[k], later[k],
                    tolerance);
        }
    }

    private static double rootMeanSquare(Tensor t) {
        double sum = 0;
        double[] values = t.toDoubleArray();
        for (double v : values) {
            sum += v * v;
        }
        return Math.sqrt(sum / values.length);
    }
}
