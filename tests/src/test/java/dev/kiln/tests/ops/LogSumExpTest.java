package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tensor;
import static dev.kiln.tests.ops.PyTorchValues.tolerance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#logsumexp} against PyTorch 1.13's {@code torch.logsumexp}: ordinary rows, rows whose exponentials
 * overflow, rows of -infinity and +infinity, values and the gradient of {@code (y * w).sum()} (NaN where PyTorch's is).
 */
class LogSumExpTest {
    private static final double[] L = {1, 2, 3, 4, 1000, 1000, 999, -1000, -INF, -INF, -INF, -INF, INF, 1, 2, 3,
        -INF, 0, -INF, 1};

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
    void largeAndInfiniteRowsGiveWhatPyTorchGivesWithItsGradient(DType dtype) {
        Tensor x = leaf(dtype, L, 5, 4);
        Tensor y = x.logsumexp(1, false);
        // torch.logsumexp(x, 1); (y * [1, 2, 3, 4, 5]).sum().backward()
        assertValues("values", new double[] {4.440189698561196, 1000.8619948040582, -INF, INF, 1.3132616875182228},
                new int[] {5}, y, tolerance(dtype));
        // exp(x - y) with y near 1000 in F32 (spacing 6e-5) is good to a few 1e-6, in PyTorch's F32 as here.
        backward(y, new double[] {1, 2, 3, 4, 5});
        assertValues("gradient", new double[] {0.032058603280084974, 0.08714431874203253, 0.23688281808991005,
                0.643914259887972, 0.8446375965030685, 0.8446375965030685, 0.31072480699393906, 0.0, NAN, NAN, NAN, NAN,
                NAN, 0.0, 0.0, 0.0, 0.0, 1.3447071068499756, 0.0, 3.6552928931500244}, new int[] {5, 4}, x.grad(),
                dtype == DType.F32 ? 1e-5 : 1e-13);
    }

    @Test
    void overTheFirstAxisKeepingItAsPyTorch() {
        Tensor x = leaf(DType.F64, new double[] {1, 2, -3, 0.5, 100, 90}, 3, 2);
        Tensor y = x.logsumexp(0, true);
        // torch.logsumexp(x, 0, keepdim=True); (y * [[1, 2]]).sum().backward()
        assertValues("values", new double[] {100, 90}, new int[] {1, 2}, y, 1e-15);
        backward(y, new double[] {1, 2});
        assertValues("gradient", new double[] {1.0112214926104486e-43, 1.2109203790802372e-38, 1.8521167695179754e-45,
                2.701928581111707e-39, 1, 2}, new int[] {3, 2}, x.grad(), 1e-15);
    }

    @Test
    void f32ValuesWhoseExponentialsOverflowGiveAFiniteResultAsPyTorch() {
        // torch.logsumexp(torch.tensor([100., 100., 99.]), 0) in float32
        assertEquals(100.86199480405821, tensor(DType.F32, new double[] {100, 100, 99}, 3).logsumexp(0, false).item(),
                1e-4);
    }

    @Test
    void aNaNGivesNaNAndAnEmptyAxisGivesMinusInfinityAsPyTorch() {
        // torch.logsumexp(torch.tensor([[nan, 1.]]), 1) and torch.logsumexp(torch.ones(2, 0), 1)
        assertEquals(NAN, Tensor.fromArray(new double[] {NAN, 1}, 1, 2).logsumexp(1, false).item());
        assertValues("empty", new double[] {-INF, -INF}, new int[] {2}, Tensor.zeros(2, 0).logsumexp(1, false), 0);
    }

    @Test
    void anAxisOutOfRangeIsRefusedNamingTheShape() {
        assertEquals("logsumexp: axis 1 is out of range for shape [3] (rank 1: axes -1 to 0)", assertThrows(
                IllegalArgumentException.class, () -> Tensor.zeros(3).logsumexp(1, false)).getMessage());
    }
}
