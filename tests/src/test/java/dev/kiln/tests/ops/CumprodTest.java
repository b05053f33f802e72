package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.assertValues;
import static dev.kiln.tests.ops.PyTorchValues.backward;
import static dev.kiln.tests.ops.PyTorchValues.leaf;
import static dev.kiln.tests.ops.PyTorchValues.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.cpu.CpuBackendProvider;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#cumprod} against PyTorch 1.13's {@code cumprod}: values and the gradient of {@code (y * w).sum()} for
 * rows and columns holding no zero, one zero and two zeros, where PyTorch's {@code cumprod_backward} divides by
 * nothing; and of integer tensors, I64 as PyTorch's, exact beyond 2^53 and wrapping past 2^63 (values printed by
 * {@code models/src/test/pytorch/cumprod.py}).
 */
class CumprodTest {
    /** Rows: no zero, one zero, two zeros, a zero first. */
    private static final double[] Z = {2, -0.5, 3, 1.5, -1, 0.5, 2, 0, 4, -3, 1.5, 0, 2, 0, 0.25, 0, 3, -2, 0.5, 4};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static double[] ramp(int n) {
        return IntStream.rangeClosed(1, n).asDoubleStream().toArray();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void cumprodAlongRowsWithZerosAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, Z, 4, 5);
        Tensor y = x.cumprod(1);
        // x.cumprod(1): torch.float64 [4, 5]
        assertValues("values", new double[] {2.0, -1.0, -3.0, -4.5, 4.5, 0.5, 1.0, 0.0, 0.0, -0.0, 1.5, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, -0.0, -0.0, -0.0}, new int[] {4, 5}, y, tolerance(dtype));
        backward(y, ramp(20));
        // x.grad of (x.cumprod(1) * (arange(20) + 1).reshape(4, 5)).sum(): torch.float64 [4, 5]
        assertValues("gradient", new double[] {-2.25, 13.0, -1.5, 3.0, -22.5, 20.0, 3.5, -76.0, 0.0, 0.0, 11.0, 57.0,
            0.0, 0.0, 0.0, -338.0, 0.0, 0.0, 0.0, 0.0}, new int[] {4, 5}, x.grad(), tolerance(dtype));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void cumprodAlongColumnsWithZerosAsPyTorch(DType dtype) {
        Tensor x = leaf(dtype, Z, 4, 5);
        Tensor y = x.cumprod(-2);
        // x.cumprod(0): torch.float64 [4, 5]
        assertValues("values", new double[] {2.0, -0.5, 3.0, 1.5, -1.0, 1.0, -1.0, 0.0, 6.0, 3.0, 1.5, -0.0, 0.0, 0.0,
            0.75, 0.0, -0.0, -0.0, 0.0, 3.0}, new int[] {4, 5}, y, tolerance(dtype));
        backward(y, ramp(20));
        // x.grad of (x.cumprod(0) * (arange(20) + 1).reshape(4, 5)).sum(): torch.float64 [4, 5]
        assertValues("gradient", new double[] {12.25, 16.0, 3.0, 40.0, -96.25, 45.0, -3.5, -114.0, 13.5, -33.75, 11.0,
            -63.0, 0.0, 141.0, 285.0, 24.0, 0.0, 0.0, 0.0, 15.0}, new int[] {4, 5}, x.grad(), tolerance(dtype));
    }

    @Test
    void cumprodOfALongAxisMatchesASequentialLoop() {
        double[] v = new double[1000];
        double[] expected = new double[1000];
        double product = 1;
        for (int i = 0; i < v.length; i++) {
            v[i] = 1 + 0.01 * Math.sin(i);
            product *= v[i];
            expected[i] = product;
        }
        assertValues("cumprod of 1000", expected, new int[] {1000}, Tensor.fromArray(v, 1000).cumprod(0), 1e-13);
    }

    /**
     * The gradient's scan from the end frees each round's tensors as it makes the next, as the forward scan does: over
     * an axis of 2^14 the whole pass holds a handful of tensors of x's size at once, not several for each of its 14
     * rounds. Measured by the peak of a CPU backend of its own.
     */
    @Test
    void cumprodsGradientOverALongAxisHoldsAFewTensorsOfItsSizeAtOnce() {
        int n = 1 << 14;
        long tensor = (long) n * Double.BYTES;
        try (Backend fresh = new CpuBackendProvider().create(); Scope pass = Scope.open()) {
            Tensor x = Tensor.full(1.0, DType.F64, n).to(fresh).requiresGrad(true);
            x.cumprod(0).sum().backward();
            long peak = fresh.peakBytesInUse();
            assertTrue(peak < 16 * tensor, "cumprod's forward and backward passes over " + n + " elements held up to "
                    + peak / tensor + " tensors of their size at once");
        }
    }

    @Test
    void cumprodOverAnAxisOfOneIsATensorOfItsOwnWithTheGradientPassedThrough() {
        Tensor x = leaf(DType.F64, new double[] {2, 3}, 2, 1);
        Tensor y = x.cumprod(1);
        assertNotSame(x.storage(), y.storage(), "torch.cumprod returns a new tensor, not a view of its input");
        backward(y, new double[] {5, 7});
        assertArrayEquals(new double[] {5, 7}, x.grad().toDoubleArray());
    }

    @Test
    void cumprodOverAnEmptyAxisIsEmpty() {
        Tensor x = leaf(DType.F64, new double[0], 2, 0);
        Tensor y = x.cumprod(1);
        assertArrayEquals(new int[] {2, 0}, y.shape().dims());
        backward(y, new double[0]);
        assertArrayEquals(new int[] {2, 0}, x.grad().shape().dims());
    }

    @Test
    void cumprodOfI32IsAnI64ExactBeyond2To31AsPyTorchs() {
        Tensor x = Tensor.fromArray(new int[] {65537, 65537, 65537, -3, Integer.MAX_VALUE, 2, 2, 2}, 2, 4);
        Tensor y = x.cumprod(1);
        // i32.cumprod(1): torch.int64 [2, 4]
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {65537L, 4295098369L, 281487861809153L, -844463585427459L, 2147483647L,
            4294967294L, 8589934588L, 17179869176L}, y.toLongArray());
    }

    @Test
    void cumprodOfI64IsExactBeyond2To53AndWrapsPast2To63AsPyTorchs() {
        long twoTo32 = 1L << 32;
        Tensor x = Tensor.fromArray(new long[] {twoTo32 + 1, 3, (1L << 53) + 1, twoTo32 + 1, -1, 3, 3, 1L << 62, 1},
                3, 3);
        Tensor y = x.cumprod(0);
        // i64.cumprod(0): torch.int64 [3, 3]
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[] {4294967297L, 3L, 9007199254740993L, 8589934593L, -3L, 27021597764222979L,
            25769803779L, 4611686018427387904L, 27021597764222979L}, y.toLongArray());
    }
}
