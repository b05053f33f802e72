package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code x.pow(exponent)} of two tensors, PyTorch's {@code torch.pow(Tensor, Tensor)}, against PyTorch 1.13's values
 * and gradients ({@code models/src/test/pytorch/tensor_pow.py}): C's pow at its edges, both operands' gradients, the
 * polynomial features of "Learning PyTorch with Examples" (an I64 exponent), integer powers of integers, and finite
 * differences.
 */
class TensorPowerTest {
    private static final double[] BASE = {-0.0, -INF, 1, 1, -1, NAN, -2, -2, 0, 0, -0.0, 2, -8, 1.5, 0.3};
    private static final double[] EXPONENT = {0.5, 0.5, NAN, INF, INF, 0, 3, 0.5, -1, 0, -3, -INF, 1.0 / 3, 2.5, -1.7};
    private static final double[] F64_POWERS = {0.0, INF, 1.0, 1.0, 1.0, 1.0, -8.0, NAN, INF, 1.0, -INF, 0.0, NAN,
        2.7556759606310752, 7.742725577066099};
    private static final double[] F32_POWERS = {0.0, INF, 1.0, 1.0, 1.0, 1.0, -8.0, NAN, INF, 1.0, -INF, 0.0, NAN,
        2.755676031112671, 7.742725372314453};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void valuesAreCsPowAsPyTorchsAtTheEdges(DType dtype) {
        Tensor powers = PyTorchValues.tensor(dtype, BASE, BASE.length)
                .pow(PyTorchValues.tensor(dtype, EXPONENT, EXPONENT.length));

        assertEquals(dtype, powers.dtype());
        PyTorchValues.assertValues("pow " + dtype, dtype == DType.F32 ? F32_POWERS : F64_POWERS,
                new int[] {BASE.length}, powers, PyTorchValues.tolerance(dtype));
        assertEquals(0x0L, Double.doubleToRawLongBits(powers.toDoubleArray()[0]), "(-0)^0.5 is +0 in C's pow");
    }

    /** Where the exponent is 0 the base's gradient is 0 and where the base is 0 the exponent's is; NaN below 0. */
    @Test
    void gradientsOfBothOperandsAreTorchs() {
        Tensor x = PyTorchValues.leaf(DType.F64, new double[] {1.5, -2, 0, 0, 3, 0.7}, 6);
        Tensor p = PyTorchValues.leaf(DType.F64, new double[] {2, 3, 0, 2, -1, 2.5}, 6);

        Tensor y = x.pow(p);
        y.sum().backward();

        double tol = PyTorchValues.tolerance(DType.F64);
        PyTorchValues.assertValues("x^p", new double[] {2.25, -8.0, 1.0, 0.0, 0.3333333333333333, 0.409963413001697},
                new int[] {6}, y, tol);
        PyTorchValues.assertValues("gradient of x", new double[] {3.0, 12.0, 0.0, 0.0, -0.1111111111111111,
            1.464155046434632}, new int[] {6}, x.grad(), tol);
        PyTorchValues.assertValues("gradient of p", new double[] {0.9122964932433699, NAN, 0.0, 0.0,
            0.3662040962227032, -0.1462236773493117}, new int[] {6}, p.grad(), tol);
    }

    /** The tutorial's {@code x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))}: [5, 1] and an I64 [3] give F32 [5, 3]. */
    @Test
    void aColumnToIntegerPowersGivesThePolynomialFeaturesInItsOwnDtype() {
        Tensor x = Tensor.fromArray(new float[] {-3, -1.5f, 0, 1.5f, 3}, 5);

        Tensor features = x.unsqueeze(-1).pow(Tensor.fromArray(new long[] {1, 2, 3}, 3));

        assertEquals(DType.F32, features.dtype());
        PyTorchValues.assertValues("features", new double[] {-3.0, 9.0, -27.0, -1.5, 2.25, -3.375, 0.0, 0.0, 0.0, 1.5,
            2.25, 3.375, 3.0, 9.0, 27.0}, new int[] {5, 3}, features, 0);
    }

    @Test
    void broadcastGradientsMatchFiniteDifferences() {
        Tensor base = Tensor.fromArray(new double[] {0.4, 1.7, 2.3, 0.9, 1.2, 3.1}, 2, 3).requiresGrad(true);
        Tensor exponent = Tensor.fromArray(new double[] {-1.3, 0.6, 2.2}, 3).requiresGrad(true);
        GradCheck.check("pow(base [2, 3], exponent [3])", in -> in[0].pow(in[1]), base, exponent);
        Tensor negative = Tensor.fromArray(new double[] {-1.5, -0.7, 2.1}, 3).requiresGrad(true);
        GradCheck.check("pow(negative base [3], integers [2, 1])", in -> in[0].pow(in[1]), negative,
                Tensor.fromArray(new double[] {2, 3}, 2, 1));
    }

    /** An infinite upstream gradient gives the base 0, not NaN, where the exponent is 0: PyTorch zeroes g b a^(b-1). */
    @Test
    void theBasesGradientIsZeroWhereTheExponentIsZeroWhateverTheUpstreamGradient() {
        Tensor x = PyTorchValues.leaf(DType.F64, new double[] {2, 0}, 2);
        Tensor p = PyTorchValues.leaf(DType.F64, new double[] {0, 0.5}, 2);

        PyTorchValues.backward(x.pow(p), new double[] {INF, INF});

        PyTorchValues.assertValues("gradient of x", new double[] {0.0, INF}, new int[] {2}, x.grad(), 0);
        PyTorchValues.assertValues("gradient of p", new double[] {INF, NAN}, new int[] {2}, p.grad(), 0);
    }

    /** Two integer tensors: PyTorch's integer result, wrapping, and 0 for negative powers but of 1 and -1. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integerPowersOfIntegersAreExactAndWrapAsPyTorchs(DType dtype) {
        Tensor base = Tensor.fromArray(new long[] {0, 1, -1, -1, 2, -3, 5, 2, 3}, 9).to(dtype);
        Tensor exponent = Tensor.fromArray(new long[] {-1, -5, -3, -4, -2, 3, 0, 31, 40}, 9).to(dtype);

        Tensor powers = base.pow(exponent);

        assertEquals(dtype, powers.dtype());
        long[] expected = dtype == DType.I32
                ? new long[] {0, 1, -1, 1, 0, -27, 1, -2147483648L, 689956897}
                : new long[] {0, 1, -1, 1, 0, -27, 1, 2147483648L, -6289078614652622815L};
        assertArrayEquals(expected, powers.toLongArray());
    }

    /** An I64 base to F64 exponents is taken in F64, as PyTorch's promotion: (-8)^(1/3) is NaN there too. */
    @Test
    void anIntegerBaseTakesTheFloatingExponentsDtype() {
        Tensor powers = Tensor.fromArray(new long[] {2, -8, 9}, 3)
                .pow(Tensor.fromArray(new double[] {0.5, 1.0 / 3, -0.5}, 3));

        assertEquals(DType.F64, powers.dtype());
        PyTorchValues.assertValues("I64 base, F64 exponent", new double[] {1.4142135623730951, NAN,
            0.3333333333333333}, new int[] {3}, powers, PyTorchValues.tolerance(DType.F64));
    }

    @Test
    void twoFloatingOrTwoIntegerDtypesAreRefusedNamingBoth() {
        Tensor f32 = Tensor.fromArray(new float[] {2, 3}, 2);
        IllegalArgumentException floating = assertThrows(IllegalArgumentException.class,
                () -> f32.pow(f32.to(DType.F64)));
        assertTrue(floating.getMessage().startsWith("pow: ") && floating.getMessage().contains("F32")
                && floating.getMessage().contains("F64"), floating.getMessage());
        Tensor i64 = Tensor.fromArray(new long[] {2, 3}, 2);
        IllegalArgumentException integer = assertThrows(IllegalArgumentException.class,
                () -> i64.pow(i64.to(DType.I32)));
        assertTrue(integer.getMessage().startsWith("pow: ") && integer.getMessage().contains("I64")
                && integer.getMessage().contains("I32"), integer.getMessage());
    }

    @Test
    void shapesThatDoNotBroadcastAreRefusedNamingPowAndBoth() {
        Tensor base = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base.pow(Tensor.fromArray(new long[] {1, 2}, 2)));
        assertTrue(e.getMessage().startsWith("pow: ") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("[2]"), e.getMessage());
    }
}
