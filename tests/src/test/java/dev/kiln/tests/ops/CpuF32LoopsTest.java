package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import dev.kiln.engine.cpu.CpuBackendProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's F32 loops give what its double-precision loops give, rounded once to F32: every element-wise
 * op but tanh (which has a polynomial of its own) and its gradient, each compared to the bit with the same op in
 * F64; and sums of F32 runs, which add in double in an order that does not depend on the thread count. On the CPU
 * backend whatever the engine's default is (a GPU's F32 kernels compute in float).
 */
class CpuF32LoopsTest {
    private static final int N = 5000;

    private static Backend backend;
    private Scope scope;

    @BeforeAll
    static void createTheCpuBackend() {
        backend = new CpuBackendProvider().create();
    }

    @AfterAll
    static void closeTheCpuBackend() {
        backend.close();
    }

    @BeforeEach
    void open() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Values in range for {@code op}: positive for log, sqrt and fractional powers. */
    private static Tensor inputs(UnaryOp op, double p) {
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || (op == UnaryOp.POW && p != Math.rint(p));
        return uniform(positive ? 0.01 : -6, positive ? 4 : 6, N);
    }

    /** A uniform draw of the engine's seeded stream, on the CPU backend. */
    private static Tensor uniform(double low, double high, int... dims) {
        return Tensor.uniform(low, high, DType.F32, dims).to(backend);
    }

    private static double parameter(UnaryOp op) {
        return switch (op) {
            case LEAKY_RELU -> 0.1;
            case ELU -> 1.0;
            default -> 0;
        };
    }

    @Test
    void everyElementwiseOpButTanhIsItsF64ValueRounded() {
        for (UnaryOp op : UnaryOp.values()) {
            if (op == UnaryOp.TANH) {
                continue;
            }
            for (double p : op == UnaryOp.POW ? new double[] {2, 3, 0.5} : new double[] {parameter(op)}) {
                Tensor x = inputs(op, p);
                Tensor out = Tensor.empty(x.shape(), DType.F32, backend);
                backend.unary(op, p, x, out);
                Tensor x64 = x.to(DType.F64);
                Tensor out64 = Tensor.empty(x.shape(), DType.F64, backend);
                backend.unary(op, p, x64, out64);
                assertSameFloats(out64.to(DType.F32).toFloatArray(), out.toFloatArray(), op + " " + p);
            }
        }
    }

    @Test
    void everyGradientButTanhsIsItsF64ValueRounded() {
        for (UnaryOp op : UnaryOp.values()) {
            if (op == UnaryOp.TANH) {
                continue;
            }
            for (double p : op == UnaryOp.POW ? new double[] {2, 3, 0.5} : new double[] {parameter(op)}) {
                Tensor x = inputs(op, p);
                Tensor y = Tensor.empty(x.shape(), DType.F32, backend);
                backend.unary(op, p, x, y);
                Tensor gy = uniform(-2, 2, N);
                Tensor gx = Tensor.empty(x.shape(), DType.F32, backend);
                backend.unaryBackward(op, p, x, y, gy, gx);
                Tensor gx64 = Tensor.empty(x.shape(), DType.F64, backend);
                backend.unaryBackward(op, p, x.to(DType.F64), y.to(DType.F64), gy.to(DType.F64), gx64);
                assertSameFloats(gx64.to(DType.F32).toFloatArray(), gx.toFloatArray(), op + " " + p + " gradient");
            }
        }
    }

    @Test
    void sumsOfRunsMatchADoubleSumRoundedOnce() {
        int[][] shapes = {{3, 7}, {1, 70_000}, {40, 1_000}, {2, 33_000}};
        for (int[] dims : shapes) {
            Tensor x = uniform(-1, 1, dims);
            Tensor sums = Tensor.empty(Shape.of(dims[0]), DType.F32, backend);
            backend.reduce(ReduceOp.SUM, x, 1, sums);
            float[] v = x.toFloatArray();
            float[] s = sums.toFloatArray();
            for (int r = 0; r < dims[0]; r++) {
                double reference = 0;
                for (int k = 0; k < dims[1]; k++) {
                    reference += v[r * dims[1] + k];
                }
                assertEquals((float) reference, s[r], Math.ulp((float) reference),
                        "row " + r + " of " + java.util.Arrays.toString(dims));
            }
        }
    }

    @Test
    void aLongSumDoesNotDependOnTheThreadCount() {
        Tensor x = uniform(-1, 1, 300_000);
        Tensor sum = Tensor.empty(Shape.of(), DType.F32, backend);
        backend.reduce(ReduceOp.SUM, x, 0, sum);
        System.setProperty("kiln.threads", "1");
        Backend oneThread;
        try {
            oneThread = new CpuBackendProvider().create();
        } finally {
            System.clearProperty("kiln.threads");
        }
        try (oneThread; Tensor copy = x.to(oneThread); Tensor single = Tensor.empty(Shape.of(), DType.F32, oneThread)) {
            oneThread.reduce(ReduceOp.SUM, copy, 0, single);
            assertEquals(Float.floatToIntBits(sum.toFloatArray()[0]), Float.floatToIntBits(single.toFloatArray()[0]));
        }
    }

    private static void assertSameFloats(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                assertEquals(expected[i], actual[i], 0f, what + ": element " + i);
            }
        }
    }
}
