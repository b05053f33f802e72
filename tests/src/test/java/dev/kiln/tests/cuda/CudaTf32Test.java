package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.values;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Locale;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TF32 opt-in ({@code -Dkiln.cuda.tf32=true}, {@code KILN_CUDA_TF32=1}): on a CUDA backend opened with it,
 * F32 GEMM and convolution differ from the exact result (F64 on the CPU, from the same F32 inputs) by TF32's
 * rounding of each input to 10 mantissa bits, far more than strict FP32 arithmetic does (so the opt-in takes
 * effect), and by no more than that rounding explains. The parity tests' CUDA backend is the strict one; its
 * error on the same inputs is checked here too.
 *
 * <p>Bounds, for dot products of k = 1,024 (GEMM) and 576 (convolution) terms of inputs in [-1, 1), the largest
 * error of 65,536 or more outputs: rounded to nearest, TF32 errs by about sqrt(k) * 1.3e-4 per output (0.004 for
 * k = 1,024, so up to ~0.02 at the largest); truncated, by up to 4x that. Strict FP32 stays below 1e-4; TF32 must
 * show above 1e-3 and stay below 0.2.
 */
class CudaTf32Test extends ParityTest {
    private static final double STRICT_BOUND = 1e-4;
    private static final double TF32_FLOOR = 1e-3;
    private static final double TF32_BOUND = 0.2;

    @RegisterExtension
    static final CudaWithOptions TF32 = new CudaWithOptions(options -> options.withTf32(true),
            "the TF32 opt-in is a CUDA backend setting");

    @Test
    void tf32GemmErrsByTf32RoundingAndStrictGemmDoesNot() {
        int m = 256;
        int n = 256;
        int k = 1024;
        assertErrors("gemm [256, 1024] x [1024, 256]", (b, dtype) -> {
            Tensor c = output(b, dtype, m, n);
            b.gemm(false, false, m, n, k, 1, input(b, dtype, 1, m, k), input(b, dtype, 2, k, n), 0, c);
            return c;
        });
    }

    @Test
    void tf32ConvolutionErrsByTf32RoundingAndStrictConvolutionDoesNot() {
        Conv2dGeometry g = new Conv2dGeometry(16, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1);
        assertErrors("conv2d forward " + g, (b, dtype) -> {
            Tensor out = output(b, dtype, g.batch(), g.outChannels(), g.outH(), g.outW());
            b.conv2dForward(input(b, dtype, 3, g.batch(), g.inChannels(), g.height(), g.width()),
                    input(b, dtype, 4, g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()), null, g, out);
            return out;
        });
    }

    /** Runs {@code op} exactly (F64, CPU), strictly (F32, default CUDA backend) and in TF32, and bounds both errors. */
    private static void assertErrors(String what, BiFunction<Backend, DType, Tensor> op) {
        double[] exact = op.apply(reference(), DType.F64).toDoubleArray();
        double strict = maxError(exact, op.apply(underTest(), DType.F32).toDoubleArray());
        double rounded = maxError(exact, op.apply(TF32.backend(), DType.F32).toDoubleArray());
        String figures = String.format(Locale.ROOT, "%s: largest error strict FP32 %.2e, TF32 %.2e", what, strict, rounded);
        System.out.println(figures);
        assertTrue(strict < STRICT_BOUND, figures + "; strict FP32 must stay below " + STRICT_BOUND);
        assertTrue(rounded > TF32_FLOOR, figures + "; TF32 rounding should show above " + TF32_FLOOR
                + " (is the opt-in reaching cuBLAS and cuDNN?)");
        assertTrue(rounded < TF32_BOUND, figures + "; TF32 must stay below " + TF32_BOUND);
    }

    /** Seeded values in [-1, 1) rounded to F32 first, so that the F64 reference computes on the same numbers. */
    private static Tensor input(Backend b, DType dtype, long seed, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] v = values(seed, n, -1, 1);
        for (int i = 0; i < n; i++) {
            v[i] = (float) v[i];
        }
        return tensor(b, dtype, v, dims);
    }

    private static double maxError(double[] exact, double[] actual) {
        double max = 0;
        for (int i = 0; i < exact.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - exact[i]));
        }
        return max;
    }
}
