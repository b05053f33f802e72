package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.CudaParityConvolutionTest.CONV_F32;
import static dev.kiln.tests.cuda.CudaParityConvolutionTest.DIRECTIONS;
import static dev.kiln.tests.cuda.CudaParityConvolutionTest.everyDirection;
import static dev.kiln.tests.cuda.ParityBackends.assertClose;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.CudaParityConvolutionTest.Geometry;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cuDNN benchmark opt-in ({@code -Dkiln.cuda.cudnnBenchmark=true}, {@code KILN_CUDNN_BENCHMARK=1}): with each
 * direction's algorithm chosen by timing cuDNN's candidates on the first call's own operands, convolution still
 * matches the CPU backend in every direction, in strict FP32, at the parity suite's tolerance ({@link
 * CudaParityConvolutionTest}: 1e-4, which TF32 rounding fails on the 64-channel geometries' 576-term sums). Timing
 * offers algorithms the heuristics rarely rank first (FFT, Winograd), and each direction is timed once, on its first
 * call: the first call's result is checked as well as a later one's.
 */
class CudaCudnnBenchmarkTest extends ParityTest {
    private static Backend benchmarked;

    @BeforeAll
    static void openBenchmarkedBackend() {
        benchmarked = ParityBackends.openCuda(options -> options.withCudnnBenchmark(true));
    }

    @AfterAll
    static void closeBenchmarkedBackend() {
        if (benchmarked != null) {
            benchmarked.close();
            benchmarked = null;
        }
    }

    @BeforeEach
    void onlyOnCuda() {
        assumeTrue(benchmarked != null, "cuDNN's benchmarked algorithm choice is a CUDA backend setting; the backend"
                + " under test is " + ParityBackends.UNDER_TEST);
    }

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
        Tensor[] first = everyDirection(benchmarked, DType.F32, g, t -> t);
        Tensor[] later = everyDirection(benchmarked, DType.F32, g, t -> t);
        for (int k = 0; k < DIRECTIONS.length; k++) {
            assertClose("benchmarked conv2d, first call, " + geometry + ": " + DIRECTIONS[k], expected[k], first[k],
                    CONV_F32);
            assertClose("benchmarked conv2d, later call, " + geometry + ": " + DIRECTIONS[k], expected[k], later[k],
                    CONV_F32);
        }
    }
}
