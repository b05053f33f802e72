package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
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
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Tensor#norm} against PyTorch 1.13's {@code torch.linalg.vector_norm} for p = 1, 2, infinity, and 3 and 0.5
 * (orders between and beyond) on {@link #P}, whose second row is all zeros, whose third row ties for its largest
 * |x|, and whose zeros sit beside non-zeros: values and the gradient of {@code (y * w).sum()}, which is 0 on the zero
 * row for every p and at the zeros for p &lt; 1, as PyTorch's.
 */
class VectorNormTest {
    private static final double[] P = {3, -4, 0, 1, 0, 0, 0, 0, -2, 2, 1, -0.5};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    static Stream<Arguments> rowNorms() {
        // torch.linalg.vector_norm(x, p, dim=1); (y * [1, 2, 3]).sum().backward()
        return Stream.of(
                Arguments.of(DType.F64, 1, new double[] {8, 0, 5.5},
                        new double[] {1, -1, 0, 1, 0, 0, 0, 0, -3, 3, 3, -3}),
                Arguments.of(DType.F64, 2, new double[] {5.0990195135927845, 0, 3.0413812651491097}, new double[] {
                        0.5883484054145521, -0.7844645405527362, 0, 0.19611613513818404, 0, 0, 0, 0,
                        -1.9727878476642875, 1.9727878476642875, 0.9863939238321437, -0.4931969619160719}),
                Arguments.of(DType.F64, INF, new double[] {4, 0, 2},
                        new double[] {0, -1, 0, 0, 0, 0, 0, 0, -1.5, 1.5, 0, 0}),
                Arguments.of(DType.F64, 3, new double[] {4.514357435474001, 0, 2.577568367737886}, new double[] {
                        0.4416219230355002, -0.7851056409520003, 0, 0.04906910255950002, 0, 0, 0, 0,
                        -1.8061792941812929, 1.8061792941812929, 0.4515448235453232, -0.1128862058863308}),
                Arguments.of(DType.F64, 0.5, new double[] {22.392304845413257, 0, 20.571067811865476}, new double[] {
                        2.732050807568877, -2.3660254037844384, 0, 4.732050807568877, 0, 0, 0, 0,
                        -9.621320343559642, 9.621320343559642, 13.606601717798213, -19.242640687119284}))
                .flatMap(a -> Stream.of(a, Arguments.of(DType.F32, a.get()[1], a.get()[2], a.get()[3])));
    }

    @ParameterizedTest(name = "{0} p = {1}")
    @MethodSource("rowNorms")
    void rowNormsAndTheirGradientsIncludingAZeroRowAndTiedMaximaAsPyTorch(DType dtype, double p, double[] values,
                                                                            double[] gradient) {
        Tensor x = leaf(dtype, P, 3, 4);
        Tensor y = x.norm(p, new int[] {1}, false);
        assertValues("values", values, new int[] {3}, y, tolerance(dtype));
        backward(y, new double[] {1, 2, 3});
        assertValues("gradient", gradient, new int[] {3, 4}, x.grad(), tolerance(dtype));
    }

    static Stream<Arguments> normsOfAll() {
        // torch.linalg.vector_norm(x, p) and with dim=(0, 1), keepdim=True; y.sum().backward()
        return Stream.of(
                Arguments.of(1, 13.5, new double[] {1, -1, 0, 1, 0, 0, 0, 0, -1, 1, 1, -1}),
                Arguments.of(2, 5.937171043518958, new double[] {0.5052911526399114, -0.6737215368532152, 0,
                        0.1684303842133038, 0, 0, 0, 0, -0.3368607684266076, 0.3368607684266076, 0.1684303842133038,
                        -0.0842151921066519}),
                Arguments.of(INF, 4, new double[] {0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
                Arguments.of(3, 4.7786814988210065, new double[] {0.39411806175843367, -0.7006543320149932, 0,
                        0.04379089575093707, 0, 0, 0, 0, -0.1751635830037483, 0.1751635830037483, 0.04379089575093707,
                        -0.010947723937734268}),
                Arguments.of(0.5, 85.8881264219288, new double[] {5.350642529077819, -4.633792356750807, 0,
                        9.267584713501615, 0, 0, 0, 0, -6.553171996137778, 6.553171996137778, 9.267584713501615,
                        -13.106343992275557}));
    }

    @ParameterizedTest(name = "p = {0}")
    @MethodSource("normsOfAll")
    void theNormOfAllElementsEqualsItOverEveryAxisKeptAsPyTorch(double p, double value, double[] gradient) {
        Tensor x = leaf(DType.F64, P, 3, 4);
        Tensor all = x.norm(p);
        assertEquals(0, all.rank());
        assertEquals(value, all.item(), 1e-14);
        all.backward();
        assertValues("gradient of all", gradient, new int[] {3, 4}, x.grad(), 1e-14);
        x.clearGrad();
        Tensor kept = x.norm(p, new int[] {0, 1}, true);
        assertArrayEquals(new int[] {1, 1}, kept.shape().dims());
        kept.sum().backward();
        assertValues("gradient over both axes", gradient, new int[] {3, 4}, x.grad(), 1e-14);
    }

    @ParameterizedTest(name = "p = {0}")
    @ValueSource(doubles = {1, 2, Double.POSITIVE_INFINITY, 3, 1.5, 0.5})
    void theGradientAtAnAllZeroVectorIsZeroAsPyTorch(double p) {
        Tensor x = leaf(DType.F64, new double[3], 3);
        Tensor y = x.norm(p);
        assertEquals(0, y.item());
        y.backward();
        assertArrayEquals(new double[3], x.grad().toDoubleArray());
    }

    @Test
    void theInfinityNormOfANaNIsNaNAndTheTwoNormOverflowsAsPyTorchs() {
        // torch.linalg.vector_norm([nan, 1.], inf) is nan; of float32 [1e30, 1e30] inf (no rescaling)
        assertEquals(NAN, Tensor.fromArray(new double[] {NAN, 1}, 2).norm(INF).item());
        assertEquals(INF, tensor(DType.F32, new double[] {1e30, 1e30}, 2).norm(2).item());
    }

    @ParameterizedTest(name = "p = {0}")
    @ValueSource(doubles = {0, -1, Double.NaN})
    void anOrderThatIsNotPositiveIsRefusedNamingIt(double p) {
        assertEquals("norm: p must be positive (or Double.POSITIVE_INFINITY), got " + p + " for tensor [2]",
                assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2).norm(p)).getMessage());
    }

    @Test
    void theInfinityNormOfNoElementsIsRefused() {
        assertEquals("norm: the infinity norm over axes [1] of [2, 0] has no elements to take the largest of",
                assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 0).norm(INF, new int[] {1}, false))
                        .getMessage());
    }
}
