package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#var} and {@link Tensor#std} against PyTorch 1.13's {@code torch.var} and {@code torch.std} on a
 * [2, 3, 4] tensor {@link #V} whose last row of each matrix is constant, over several axes, corrections and with
 * {@code keepdim}: values and the gradient of {@code (y * w).sum()}.
 */
class VarianceTest {
    private static final double[] V = {1, 2, 4, 7, 0.5, -1, 3, 3, 2, 2, 2, 2, -3, 0.25, 1, 8, 4, 4, -2, 6, 2, 2, 2, 2};
    private static final double[] W3 = {1, 2, 3};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    static Stream<Arguments> correctionsOverTheOuterAxes() {
        // torch.var(x, dim=(0, 2), correction=c); (y * [1, 2, 3]).sum().backward()
        return Stream.of(
                Arguments.of(0, new double[] {11.6005859375, 6.621093750000001, 0.0}, new double[] {-0.3828125,
                        -0.1328125, 0.3671875, 1.1171875, -0.84375, -1.59375, 0.40625, 0.40625, 0, 0, 0, 0, -1.3828125,
                        -0.5703125, -0.3828125, 1.3671875, 0.90625, 0.90625, -2.09375, 1.90625, 0, 0, 0, 0}),
                Arguments.of(1, new double[] {13.2578125, 7.5669642857142865, 0.0}, new double[] {-0.4375,
                        -0.15178571428571427, 0.4196428571428571, 1.2767857142857142, -0.9642857142857142,
                        -1.8214285714285714, 0.46428571428571425, 0.46428571428571425, 0, 0, 0, 0, -1.5803571428571428,
                        -0.6517857142857143, -0.4375, 1.5625, 1.0357142857142856, 1.0357142857142856,
                        -2.392857142857143, 2.1785714285714284, 0, 0, 0, 0}),
                Arguments.of(2, new double[] {15.467447916666666, 8.828125000000002, 0.0}, new double[] {
                        -0.5104166666666666, -0.17708333333333331, 0.4895833333333333, 1.4895833333333333, -1.125,
                        -2.125, 0.5416666666666666, 0.5416666666666666, 0, 0, 0, 0, -1.84375, -0.7604166666666666,
                        -0.5104166666666666, 1.8229166666666665, 1.2083333333333333, 1.2083333333333333,
                        -2.7916666666666665, 2.5416666666666665, 0, 0, 0, 0}));
    }

    @ParameterizedTest(name = "correction {0}")
    @MethodSource("correctionsOverTheOuterAxes")
    void varianceOverTwoAxesDividesBySizeMinusTheCorrectionAsPyTorch(int correction, double[] values, double[] grad) {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor x = leaf(dtype, V, 2, 3, 4);
            Tensor y = x.var(new int[] {0, 2}, correction, false);
            assertValues(dtype + " values", values, new int[] {3}, y, 10 * tolerance(dtype));
            backward(y, W3);
            assertValues(dtype + " gradient", grad, new int[] {2, 3, 4}, x.grad(), 10 * tolerance(dtype));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void varianceOverTheMiddleAxisKeepingItAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, V, 2, 3, 4);
        Tensor y = x.var(new int[] {-2}, 1, true);
        // torch.var(x, dim=1, correction=1, keepdim=True); y.sum().backward()
        assertValues("values", new double[] {0.5833333333333333, 3.0, 1.0, 7.0, 13.0, 3.5208333333333335,
                4.333333333333333, 9.333333333333332}, new int[] {2, 1, 4}, y, 10 * tolerance(dtype));
        y.sum().backward();
        assertValues("gradient", new double[] {-0.16666666666666674, 1.0, 1.0, 3.0, -0.6666666666666667, -2.0, 0.0,
                -1.0, 0.8333333333333333, 1.0, -1.0, -2.0, -4.0, -1.8333333333333335, 0.6666666666666667,
                2.666666666666667, 3.0, 1.9166666666666665, -2.3333333333333335, 0.666666666666667, 1.0,
                -0.08333333333333348, 1.6666666666666667, -3.333333333333333}, new int[] {2, 3, 4}, x.grad(),
                10 * tolerance(dtype));
    }

    @Test
    void varianceOfAllIsUnbiasedAsPyTorchsDefault() {
        Tensor x = leaf(DType.F64, V, 2, 3, 4);
        Tensor y = x.var();
        // torch.var(x); y.backward()
        assertEquals(6.388473731884057, y.item(), 1e-13);
        y.backward();
        assertValues("gradient", new double[] {-0.10778985507246377, -0.020833333333333346, 0.15307971014492752,
                0.4139492753623188, -0.151268115942029, -0.28170289855072467, 0.06612318840579709, 0.06612318840579709,
                -0.020833333333333346, -0.020833333333333346, -0.020833333333333346, -0.020833333333333346,
                -0.45561594202898553, -0.1730072463768116, -0.10778985507246377, 0.5009057971014492,
                0.15307971014492752, 0.15307971014492752, -0.3686594202898551, 0.32699275362318836,
                -0.020833333333333346, -0.020833333333333346, -0.020833333333333346, -0.020833333333333346},
                new int[] {2, 3, 4}, x.grad(), 1e-13);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void stdOverTwoAxesHasAZeroGradientOnTheConstantSliceAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, V, 2, 3, 4);
        Tensor y = x.std(new int[] {0, 2}, 1, false);
        // torch.std(x, dim=(0, 2), correction=1); (y * [1, 2, 3]).sum().backward(): the third slice is constant
        assertValues("values", new double[] {3.641127915907377, 2.75081156855832, 0.0}, new int[] {3}, y,
                10 * tolerance(dtype));
        backward(y, W3);
        assertValues("gradient", new double[] {-0.06007753779929674, -0.020843227399756012, 0.057625393399325445,
                0.17532832459794762, -0.17527294950106112, -0.3310711268353376, 0.08439067938939979,
                0.08439067938939979, 0, 0, 0, 0, -0.21701477939745967, -0.08950327059895229, -0.06007753779929674,
                0.21456263499748834, 0.18825613094558416, 0.18825613094558416, -0.434936578391522, 0.3959870340579529,
                0, 0, 0, 0}, new int[] {2, 3, 4}, x.grad(), 10 * tolerance(dtype));
    }

    @Test
    void biasedStdOverTheLastAxisAsPyTorch() {
        Tensor x = leaf(DType.F64, V, 2, 3, 4);
        Tensor y = x.std(new int[] {2}, 0, false);
        // torch.std(x, dim=2, correction=0); (y * [[1, -2, 3], [0.5, 2, -1.5]]).sum().backward()
        assertValues("values", new double[] {2.29128784747792, 1.709349291397168, 0.0, 4.009266609992406, 3.0, 0.0},
                new int[] {2, 3}, y, 1e-13);
        backward(y, new double[] {1, -2, 3, 0.5, 2, -1.5});
        assertValues("gradient", new double[] {-0.2727723627949905, -0.1636634176769943, 0.0545544725589981,
                0.3818813079129867, 0.25594534844449573, 0.6947088029207742, -0.47532707568263494,
                -0.47532707568263494, 0, 0, 0, 0, -0.14224858446145597, -0.040920825666994176, -0.017537496714426077,
                0.2007069068428762, 0.16666666666666666, 0.16666666666666666, -0.8333333333333333, 0.5, 0, 0, 0, 0},
                new int[] {2, 3, 4}, x.grad(), 1e-13);
    }

    @Test
    void stdOfAllAsPyTorch() {
        // torch.std(x)
        assertEquals(2.5275430227563005, leaf(DType.F64, V, 2, 3, 4).std().item(), 1e-13);
    }

    @Test
    void aCorrectionEqualToTheCountDividesByZeroAsPyTorch() {
        // torch.var(torch.tensor([3.])) is nan; torch.var([1., 3.], dim=0, correction=2) inf; of [3., 3.] nan
        assertEquals(NAN, Tensor.fromArray(new double[] {3}, 1).var().item());
        assertEquals(INF, Tensor.fromArray(new double[] {1, 3}, 2).var(new int[] {0}, 2, false).item());
        assertEquals(NAN, Tensor.fromArray(new double[] {3, 3}, 2).var(new int[] {0}, 2, false).item());
        assertEquals(NAN, Tensor.scalar(3).std().item());
    }

    @Test
    void aCorrectionOutsideZeroToTheCountIsRefusedNamingItAndTheCount() {
        Tensor x = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.var(new int[] {1}, 4, false));
        assertEquals("var: correction 4 is outside [0, 3], the 3 elements each result of [2, 3] over axes [1] takes in",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.std(new int[] {0, 1}, -1, false));
        assertEquals("std: correction -1 is outside [0, 6], the 6 elements each result of [2, 3] over axes [0, 1]"
                + " takes in", e.getMessage());
    }

    @Test
    void aRepeatedAnEmptyOrAnOutOfRangeListOfAxesIsRefused() {
        Tensor x = Tensor.zeros(2, 3);
        assertEquals("var: axis 1 appears more than once in [1, -1] for shape [2, 3]", assertThrows(
                IllegalArgumentException.class, () -> x.var(new int[] {1, -1}, 1, false)).getMessage());
        assertEquals("var: no axes given for shape [2, 3]; the overload without axes works over all elements",
                assertThrows(IllegalArgumentException.class, () -> x.var(new int[0], 1, false)).getMessage());
        assertEquals("std: axis 2 is out of range for shape [2, 3] (rank 2: axes -2 to 1)", assertThrows(
                IllegalArgumentException.class, () -> x.std(new int[] {2}, 1, false)).getMessage());
    }

    @Test
    void integerTensorsHaveNoVariance() {
        Tensor x = Tensor.fromArray(new long[] {1, 2}, 2);
        assertEquals("var: needs F32 or F64, got I64 for [2]",
                assertThrows(IllegalArgumentException.class, x::var).getMessage());
    }

    @Test
    void theShapeKeepsOrDropsEveryReducedAxis() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3, 4, 5);
        assertArrayEquals(new int[] {3, 5}, x.var(new int[] {0, 2}, 1, false).shape().dims());
        assertArrayEquals(new int[] {1, 3, 1, 5}, x.std(new int[] {2, 0}, 1, true).shape().dims());
    }
}
