package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.DoubleBackwardTest.checkSecondOrder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#layerNorm}: its values against the definition and against PyTorch 1.13's
 * {@code torch.nn.functional.layer_norm} (rows of one feature, rows with NaN or infinity, rows far from 0 in F32),
 * its gradients against finite differences, first and second order, and its checks.
 */
class LayerNormOpTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor values(DType dtype, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(dtype);
    }

    @Test
    void normalisesEachRowOverTheLastAxisThenAppliesEachFeaturesWeightAndBias() {
        Tensor x = Tensor.randn(DType.F64, 3, 2, 5);
        Tensor w = Tensor.randn(DType.F64, 5);
        Tensor b = Tensor.randn(DType.F64, 5);
        Tensor centred = x.sub(x.mean(-1, true));
        Tensor normalised = centred.mul(centred.square().mean(-1, true).add(1e-5).rsqrt());
        assertArrayEquals(normalised.mul(w).add(b).toDoubleArray(), F.layerNorm(x, w, b, 1e-5).toDoubleArray(), 1e-12);
        assertArrayEquals(normalised.toDoubleArray(), F.layerNorm(x, null, null, 1e-5).toDoubleArray(), 1e-12);
        assertArrayEquals(normalised.mul(w).toDoubleArray(), F.layerNorm(x, w, null, 1e-5).toDoubleArray(), 1e-12);
    }

    /**
     * Long rows, and shapes whose rows the CPU's F32 passes copy several at a time: blocks of 16 rows read in pieces
     * that do not divide 16 (300 features: 6 rows a copy), a last block part full, rows longer than a copy's 2048
     * values, rows shorter than a vector.
     */
    @ParameterizedTest
    @CsvSource({"7, 1000", "37, 300", "3, 2100", "35, 15", "18, 16", "17, 64"})
    void f32AgreesWithF64(int rows, int features) {
        Tensor x = Tensor.randn(DType.F64, rows, features).mul(3).add(50).detach();
        Tensor w = Tensor.randn(DType.F64, features);
        Tensor b = Tensor.randn(DType.F64, features);
        Tensor gradOut = Tensor.randn(DType.F64, rows, features);
        double[][] results = new double[2][];
        double[][] gradients = new double[2][];
        DType[] dtypes = {DType.F64, DType.F32};
        for (int k = 0; k < 2; k++) {
            Tensor xk = x.to(dtypes[k]).detach().requiresGrad(true);
            Tensor wk = w.to(dtypes[k]).detach().requiresGrad(true);
            Tensor bk = b.to(dtypes[k]).detach().requiresGrad(true);
            Tensor y = F.layerNorm(xk, wk, bk, 1e-5);
            y.backward(gradOut.to(dtypes[k]));
            results[k] = y.toDoubleArray();
            gradients[k] = Tensor.cat(java.util.List.of(xk.grad().reshape(-1), wk.grad(), bk.grad()), 0)
                    .toDoubleArray();
        }
        for (int i = 0; i < results[0].length; i++) {
            assertEquals(results[0][i], results[1][i], 2e-6 * Math.max(1, Math.abs(results[0][i])), "output " + i);
        }
        for (int i = 0; i < gradients[0].length; i++) {
            assertEquals(gradients[0][i], gradients[1][i], 1e-5 * Math.max(1, Math.abs(gradients[0][i])),
                    "gradient " + i);
        }
    }

    /**
     * Rows about 1000 and about 0.001 in F32 against PyTorch's F64 values (its own F32 kernel is 9e-5 off on the first
     * row): statistics accumulated in double keep F32 within a few of its ulps.
     */
    @Test
    void f32RowsFarFromZeroMatchPyTorchsF64Values() {
        Tensor x = values(DType.F32, new double[] {1000.0, 1000.5, 999.25, 1001.0, 1000.125,
                1e-3, -2e-3, 4e-3, 0.0, 1e-3}, 2, 5).requiresGrad(true);
        Tensor w = values(DType.F32, new double[] {0.5, -1.0, 2.0, 1.5, 1.0}, 5).requiresGrad(true);
        Tensor b = values(DType.F32, new double[] {0.1, 0.2, 0.3, 0.4, 0.5}, 5).requiresGrad(true);
        Tensor y = F.layerNorm(x, w, b, 1e-5);
        y.backward(values(DType.F32, new double[] {1.0, -2.0, 0.5, 0.25, 3.0, -1.0, 0.5, 2.0, 1.0, -0.5}, 2, 5));
        assertClose(new double[] {-0.05117471666438345, -0.36150609302217840, -2.89626545763129872,
                2.53804244843119520, 0.41361444676885328, 0.12695819572153200, 0.95482944145987714,
                2.02532444273154599, 0.07650167518347382, 0.55391638846283175}, y, 1e-6);
        assertClose(new double[] {-1.54841159708487908, 1.14791047282056979, -0.84168927423033324,
                -1.55486453422025761, 2.79705493271498540, -360.48746457176275726, -210.02312143455529281,
                702.16687508469908607, 228.83117549338166441, -360.48746457176275726}, x.grad(), 2e-6);
        assertClose(new double[] {-0.35626582477183089, -1.50042691124464378, 0.92625806342255990,
                0.14067485322712800, -0.28611485392485592}, w.grad(), 2e-6);
        assertClose(new double[] {0, -1.5, 2.5, 1.25, 2.5}, b.grad(), 1e-6);
    }

    private static void assertClose(double[] expected, Tensor actual, double relative) {
        double[] values = actual.toDoubleArray();
        assertEquals(expected.length, values.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], relative * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    /** As PyTorch: a row of one value normalises to 0, so the output is the bias and only the bias has a gradient. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rowsOfOneFeatureGiveTheBias(DType dtype) {
        Tensor x = values(dtype, new double[] {1.5, -2.0}, 2, 1).requiresGrad(true);
        Tensor w = values(dtype, new double[] {0.5}, 1).requiresGrad(true);
        Tensor b = values(dtype, new double[] {0.25}, 1).requiresGrad(true);
        Tensor y = F.layerNorm(x, w, b, 1e-5);
        y.backward(values(dtype, new double[] {2.0, 3.0}, 2, 1));
        assertArrayEquals(new double[] {0.25, 0.25}, y.toDoubleArray());
        assertArrayEquals(new double[] {0, 0}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {0}, w.grad().toDoubleArray());
        assertArrayEquals(new double[] {5}, b.grad().toDoubleArray());
    }

    /** As PyTorch: a row holding NaN or an infinity is NaN throughout, value and input gradient; other rows are not. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rowsWithNanOrInfinityAreNanAndLeaveTheOtherRowsAlone(DType dtype) {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        Tensor x = values(dtype, new double[] {1, nan, 2, 1, inf, 2, -inf, 0, 1, 1, 2, 4}, 4, 3).requiresGrad(true);
        Tensor w = values(dtype, new double[] {0.5, 2.0, -1.0}, 3).requiresGrad(true);
        Tensor b = values(dtype, new double[] {0.25, 0.0, 1.0}, 3).requiresGrad(true);
        Tensor y = F.layerNorm(x, w, b, 1e-5);
        y.backward(values(dtype, new double[] {1, -1, 0.5, 1, -1, 0.5, 1, -1, 0.5, 1, -1, 0.5}, 4, 3));
        double tolerance = dtype == DType.F64 ? 1e-14 : 1e-6;
        double[] out = y.toDoubleArray();
        double[] gradX = x.grad().toDoubleArray();
        for (int i = 0; i < 9; i++) {
            assertTrue(Double.isNaN(out[i]) && Double.isNaN(gradX[i]), "element " + i + ": " + out[i] + ", " + gradX[i]);
        }
        assertArrayEquals(new double[] {-0.28452076572514895, -0.53452076572514917, -0.33630191431287182},
                java.util.Arrays.copyOfRange(out, 9, 12), tolerance);
        assertArrayEquals(new double[] {0.74451229375389738, -1.11676629301657582, 0.37225399926267821},
                java.util.Arrays.copyOfRange(gradX, 9, 12), tolerance);
        for (double g : w.grad().toDoubleArray()) {
            assertTrue(Double.isNaN(g), "weight gradient " + g);
        }
        assertArrayEquals(new double[] {4, -4, 2}, b.grad().toDoubleArray(), tolerance);
    }

    /** As PyTorch: an empty output, and zero weight and bias gradients. */
    @Test
    void noRowsGiveAnEmptyOutputAndZeroParameterGradients() {
        Tensor x = Tensor.randn(DType.F64, 0, 4).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 4).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, 4).requiresGrad(true);
        Tensor y = F.layerNorm(x, w, b, 1e-5);
        assertArrayEquals(new int[] {0, 4}, y.shape().dims());
        y.sum().backward();
        assertArrayEquals(new double[4], w.grad().toDoubleArray());
        assertArrayEquals(new double[4], b.grad().toDoubleArray());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradCheck.check("layerNorm", in -> F.layerNorm(in[0], in[1], in[2], 1e-5),
                Tensor.randn(DType.F64, 2, 3, 4).requiresGrad(true), Tensor.randn(DType.F64, 4).requiresGrad(true),
                Tensor.randn(DType.F64, 4).requiresGrad(true));
        GradCheck.check("layerNorm without affine", in -> F.layerNorm(in[0], null, null, 1e-3),
                Tensor.randn(DType.F64, 3, 5).requiresGrad(true));
        GradCheck.check("layerNorm with a weight only, 1-D input", in -> F.layerNorm(in[0], in[1], null, 1e-5),
                Tensor.randn(DType.F64, 6).requiresGrad(true), Tensor.randn(DType.F64, 6).requiresGrad(true));
        GradCheck.check("layerNorm of one feature", in -> F.layerNorm(in[0], in[1], in[2], 1e-5),
                Tensor.randn(DType.F64, 3, 1).requiresGrad(true), Tensor.randn(DType.F64, 1).requiresGrad(true),
                Tensor.randn(DType.F64, 1).requiresGrad(true));
    }

    @Test
    void secondDerivativesMatchFiniteDifferences() {
        checkSecondOrder("layerNorm, squared", in -> F.layerNorm(in[0], in[1], in[2], 1e-5).square(),
                Tensor.randn(DType.F64, 3, 4).requiresGrad(true), Tensor.randn(DType.F64, 4).requiresGrad(true),
                Tensor.randn(DType.F64, 4).requiresGrad(true));
        checkSecondOrder("layerNorm without affine, squared", in -> F.layerNorm(in[0], null, null, 1e-5).square(),
                Tensor.randn(DType.F64, 2, 5).requiresGrad(true));
    }

    @Test
    void refusesAWeightThatIsNotOneValuePerFeature() {
        Tensor x = Tensor.randn(2, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.layerNorm(x, Tensor.ones(5), null, 1e-5));
        assertTrue(e.getMessage().contains("weight [5]") && e.getMessage().contains("[6]"), e.getMessage());
    }

    @Test
    void refusesAScalarAndANonPositiveEps() {
        IllegalArgumentException scalar = assertThrows(IllegalArgumentException.class,
                () -> F.layerNorm(Tensor.scalar(1), null, null, 1e-5));
        assertTrue(scalar.getMessage().contains("layerNorm") && scalar.getMessage().contains("[]"),
                scalar.getMessage());
        IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
                () -> F.layerNorm(Tensor.randn(2, 3), null, null, -1));
        assertTrue(eps.getMessage().contains("eps") && eps.getMessage().contains("-1"), eps.getMessage());
    }
}
