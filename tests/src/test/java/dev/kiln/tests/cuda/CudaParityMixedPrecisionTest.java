package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.assertParityWithNaN;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.values;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bf16 SPI methods (mixed precision, {@code Precision.BF16}) on the backend under test against the CPU's
 * composites, which multiply operands rounded by {@code roundToBfloat16} in F32.
 *
 * <p>Tolerances: rounding is exact on both (same formula, bit for bit). CUDA's bf16 GEMM converts the operands to
 * bfloat16 and multiplies on tensor cores with F32 accumulation: the products of two bfloat16 values are exact in
 * F32 on both sides, so results differ only by summation order, as in {@code CudaParityGemmTest} (1e-4). The
 * convolutions run the CUDA backend's composite (rounded copies into cuDNN in FMA arithmetic): 1e-4 as well. The
 * F16 methods ({@code Precision.F16}) likewise: IEEE half rounding bit for bit ({@code round_half} against
 * {@code Precision.roundToHalf}), fp16 GEMMs ({@code CUDA_R_16F}) whose products of two halves are exact in F32.
 */
class CudaParityMixedPrecisionTest extends ParityTest {
    private static final Tolerance PRODUCTS = Tolerance.of(1e-4);

    @Test
    void roundToBfloat16IsBitExactIncludingTiesLargeAndTinyValues() {
        double[] v = values(1, 4096, -1e3, 1e3);
        double[] special = {1 + 0x1p-8, 1 + 0x1p-7 + 0x1p-8, -(1 + 0x1p-8), 3.4028234663852886e38, -3.4028234663852886e38,
                3.3895314e38, 1.4e-45, 1.1754944e-38, 0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        System.arraycopy(special, 0, v, 0, special.length);
        assertParity("roundToBfloat16 of 4,096 values with ties, overflow, subnormals and infinities", Tolerance.EXACT,
                b -> {
                    Tensor x = tensor(b, DType.F32, v, 4096);
                    Tensor out = output(b, DType.F32, 4096);
                    b.roundToBfloat16(x, out);
                    return out;
                });
    }

    @Test
    void roundToBfloat16InPlaceAtAnOffset() {
        assertParity("roundToBfloat16 in place on a view one element into its buffer", Tolerance.EXACT, b -> {
            Tensor x = random(b, DType.F32, 2, 1001).narrow(0, 1, 1000);
            b.roundToBfloat16(x, x);
            return x;
        });
    }

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void gemmBf16MatchesCpuWithAlphaAndBeta(boolean transA, boolean transB) {
        int m = 37;
        int n = 29;
        int k = 300;
        assertParity("gemmBf16 transA=" + transA + " transB=" + transB + " alpha 0.5 beta 2", PRODUCTS, b -> {
            Tensor c = random(b, DType.F32, 7, m, n);
            Tensor a = random(b, DType.F32, 5, transA ? k : m, transA ? m : k);
            Tensor bb = random(b, DType.F32, 6, transB ? n : k, transB ? k : n);
            b.gemmBf16(transA, transB, m, n, k, 0.5, a, bb, 2.0, c);
            return c;
        });
    }

    @Test
    void gemmBf16ReadsOperandsAtOddOffsets() {
        assertParity("gemmBf16 on views one element into their buffers", PRODUCTS, b -> {
            Tensor a = random(b, DType.F32, 8, 5 * 16 + 1).narrow(0, 1, 5 * 16).reshape(5, 16);
            Tensor bb = random(b, DType.F32, 9, 16 * 8 + 1).narrow(0, 1, 16 * 8).reshape(16, 8);
            Tensor c = output(b, DType.F32, 5, 8);
            b.gemmBf16(false, false, 5, 8, 16, 1, a, bb, 0, c);
            return c;
        });
    }

    @Test
    void gemmStridedBatchedBf16SharesAMatrixWithStrideZero() {
        int batch = 4;
        int m = 6;
        int n = 9;
        int k = 70;
        assertParity("gemmStridedBatchedBf16, B shared by every batch entry (stride 0)", PRODUCTS, b -> {
            Tensor a = random(b, DType.F32, 10, batch, m, k);
            Tensor bb = random(b, DType.F32, 11, k, n);
            Tensor c = output(b, DType.F32, batch, m, n);
            b.gemmStridedBatchedBf16(false, false, m, n, k, 1, a, (long) m * k, bb, 0, 0, c, (long) m * n, batch);
            return c;
        });
    }

    @Test
    void gemmStridedBatchedBf16WithOneSharedCAddsEveryProductInTurn() {
        int batch = 3;
        int m = 5;
        int n = 7;
        int k = 40;
        assertParity("gemmStridedBatchedBf16 into one C (stride 0), beta 1", PRODUCTS, b -> {
            Tensor c = random(b, DType.F32, 14, m, n);
            b.gemmStridedBatchedBf16(false, true, m, n, k, 1, random(b, DType.F32, 15, batch, m, k), (long) m * k,
                    random(b, DType.F32, 16, batch, n, k), (long) n * k, 1, c, 0, batch);
            return c;
        });
    }

    @Test
    void conv2dBf16ForwardAndBackwardMatchCpu() {
        Conv2dGeometry g = Conv2dGeometry.of("conv2d bf16 parity", Shape.of(3, 4, 11, 11), Shape.of(6, 4, 3, 3),
                new int[] {1}, new int[] {1}, new int[] {1});
        assertParity("conv2dForwardBf16 and conv2dBackwardBf16, [3, 4, 11, 11] by [6, 4, 3, 3], padding 1",
                new String[] {"out", "gradInput", "gradWeight", "gradBias"}, PRODUCTS, b -> {
                    Tensor input = random(b, DType.F32, 12, 3, 4, 11, 11);
                    Tensor weight = random(b, DType.F32, 13, 6, 4, 3, 3);
                    Tensor bias = random(b, DType.F32, 14, 6);
                    Tensor gradOut = random(b, DType.F32, 15, 3, 6, 11, 11);
                    Tensor out = output(b, DType.F32, g.outputShape());
                    Tensor gradInput = output(b, DType.F32, g.inputShape());
                    Tensor gradWeight = output(b, DType.F32, g.weightShape());
                    Tensor gradBias = output(b, DType.F32, 6);
                    b.conv2dForwardBf16(input, weight, bias, g, out);
                    b.conv2dBackwardBf16(input, gradOut, weight, g, gradInput, gradWeight, gradBias);
                    return new Tensor[] {out, gradInput, gradWeight, gradBias};
                });
    }

    @Test
    void roundToHalfIsBitExactIncludingOverflowSubnormalsAndTies() {
        double[] v = values(17, 4096, -7e4, 7e4);
        double[] special = {65504, 65519.996, 65520, -65520, 1e6, 6e-8, -6e-8, 0x1p-25, 0x1p-24 + 0x1p-25,
                6.1035156e-05, 6.0975552e-05, 1 + 0x1p-11, 1 + 0x1p-10 + 0x1p-11, 1e-3, 1.4e-45, 0, -0.0,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        System.arraycopy(special, 0, v, 0, special.length);
        for (int i = special.length; i < 2048; i++) {
            v[i] *= 1e-9;
        }
        assertParityWithNaN("roundToHalf of 4,096 values with ties, overflow, subnormals, infinities and NaN",
                Tolerance.EXACT, b -> {
                    Tensor x = tensor(b, DType.F32, v, 4096);
                    Tensor out = output(b, DType.F32, 4096);
                    b.roundToHalf(x, out);
                    return out;
                });
    }

    @Test
    void roundToHalfInPlaceAtAnOffset() {
        assertParity("roundToHalf in place on a view one element into its buffer", Tolerance.EXACT, b -> {
            Tensor x = random(b, DType.F32, 18, 1001).narrow(0, 1, 1000);
            b.roundToHalf(x, x);
            return x;
        });
    }

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void gemmF16MatchesCpuWithAlphaAndBeta(boolean transA, boolean transB) {
        int m = 37;
        int n = 29;
        int k = 300;
        assertParity("gemmF16 transA=" + transA + " transB=" + transB + " alpha 0.5 beta 2", PRODUCTS, b -> {
            Tensor c = random(b, DType.F32, 19, m, n);
            Tensor a = random(b, DType.F32, 20, transA ? k : m, transA ? m : k);
            Tensor bb = random(b, DType.F32, 21, transB ? n : k, transB ? k : n);
            b.gemmF16(transA, transB, m, n, k, 0.5, a, bb, 2.0, c);
            return c;
        });
    }

    @Test
    void gemmStridedBatchedF16SharesAMatrixAndAddsIntoOneC() {
        int batch = 4;
        int m = 6;
        int n = 9;
        int k = 70;
        assertParity("gemmStridedBatchedF16, B shared (stride 0); then into one C (stride 0), beta 1",
                new String[] {"batched", "shared C"}, PRODUCTS, b -> {
                    Tensor a = random(b, DType.F32, 22, batch, m, k);
                    Tensor bb = random(b, DType.F32, 23, k, n);
                    Tensor c = output(b, DType.F32, batch, m, n);
                    b.gemmStridedBatchedF16(false, false, m, n, k, 1, a, (long) m * k, bb, 0, 0, c, (long) m * n,
                            batch);
                    Tensor shared = random(b, DType.F32, 24, m, n);
                    b.gemmStridedBatchedF16(false, true, m, n, k, 1, a, (long) m * k,
                            random(b, DType.F32, 25, batch, n, k), (long) n * k, 1, shared, 0, batch);
                    return new Tensor[] {c, shared};
                });
    }

    @Test
    void conv2dF16ForwardAndBackwardMatchCpu() {
        Conv2dGeometry g = Conv2dGeometry.of("conv2d f16 parity", Shape.of(3, 4, 11, 11), Shape.of(6, 4, 3, 3),
                new int[] {1}, new int[] {1}, new int[] {1});
        assertParity("conv2dForwardF16 and conv2dBackwardF16, [3, 4, 11, 11] by [6, 4, 3, 3], padding 1",
                new String[] {"out", "gradInput", "gradWeight", "gradBias"}, PRODUCTS, b -> {
                    Tensor input = random(b, DType.F32, 26, 3, 4, 11, 11);
                    Tensor weight = random(b, DType.F32, 27, 6, 4, 3, 3);
                    Tensor bias = random(b, DType.F32, 28, 6);
                    Tensor gradOut = random(b, DType.F32, 29, 3, 6, 11, 11);
                    Tensor out = output(b, DType.F32, g.outputShape());
                    Tensor gradInput = output(b, DType.F32, g.inputShape());
                    Tensor gradWeight = output(b, DType.F32, g.weightShape());
                    Tensor gradBias = output(b, DType.F32, 6);
                    b.conv2dForwardF16(input, weight, bias, g, out);
                    b.conv2dBackwardF16(input, gradOut, weight, g, gradInput, gradWeight, gradBias);
                    return new Tensor[] {out, gradInput, gradWeight, gradBias};
                });
    }
}
