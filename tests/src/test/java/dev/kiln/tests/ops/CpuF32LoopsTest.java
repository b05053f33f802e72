package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BinaryOp;
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
 * op and gradient but tanh's and those with a vectorised float routine, each compared to the bit with the same op
 * in F64, and those routines within a few ulps of it; and sums of F32 runs, which add in double in an order that
 * does not depend on the thread count. On the CPU backend whatever the engine's default is (a GPU's F32 kernels
 * compute in float).
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

    /**
     * The ops that F32 computes in float arithmetic (vectorised routines within a few ulps; ELU's and rsqrt's
     * gradients too), with POW's exponents but 2 (the fractional ones a routine; the integer ones products in
     * double, their gradient rounded twice); tanh too, as a rational approximation within 4e-7.
     */
    /**
     * The gradients computed in float beside those of {@link #hasFloatRoutine} (engine-cpu's FloatSimpleGradients:
     * leaky ReLU multiplies by its slope rounded to float, as PyTorch; the others are within a few ulps).
     */
    private static boolean hasFloatGradientRoutine(UnaryOp op, double p) {
        return switch (op) {
            case LEAKY_RELU, SQRT, RECIPROCAL, EXP2 -> true;
            default -> hasFloatRoutine(op, p);
        };
    }

    private static boolean hasFloatRoutine(UnaryOp op, double p) {
        return switch (op) {
            case TANH, EXP, EXPM1, SIGMOID, SILU, ELU, GELU_TANH, LOG, LOG1P, LOG2, LOG10, SIN, COS, TAN, ASIN, ACOS,
                    ATAN, SINH, COSH, ASINH, ACOSH, ATANH, ERF, ERFC, GELU, RSQRT -> true;
            case POW -> p != 2;
            default -> false;
        };
    }

    /** Each op with each parameter the tests use: POW's integer and fractional exponents. */
    private static double[] parameters(UnaryOp op) {
        return op == UnaryOp.POW ? new double[] {2, 3, 0.5, -0.75} : new double[] {parameter(op)};
    }

    @Test
    void everyElementwiseOpWithoutAFloatRoutineIsItsF64ValueRounded() {
        for (UnaryOp op : UnaryOp.values()) {
            for (double p : parameters(op)) {
                if (!hasFloatRoutine(op, p)) {
                    Tensor x = inputs(op, p);
                    assertSameFloats(f64Values(op, p, x), f32Values(op, p, x), op + " " + p);
                }
            }
        }
    }

    @Test
    void everyElementwiseFloatRoutineIsWithinAFewUlpsOfItsF64Value() {
        for (UnaryOp op : UnaryOp.values()) {
            for (double p : parameters(op)) {
                if (hasFloatRoutine(op, p) && op != UnaryOp.TANH) {
                    Tensor x = inputs(op, p);
                    assertWithinUlps(f64Values(op, p, x), f32Values(op, p, x), 0, op + " " + p);
                }
            }
        }
    }

    @Test
    void everyGradientWithoutAFloatRoutineIsItsF64ValueRounded() {
        for (UnaryOp op : UnaryOp.values()) {
            for (double p : parameters(op)) {
                if (!hasFloatGradientRoutine(op, p)) {
                    Tensor x = inputs(op, p);
                    Tensor gy = uniform(-2, 2, N);
                    assertSameFloats(f64Gradient(op, p, x, gy), f32Gradient(op, p, x, gy), op + " " + p + " gradient");
                }
            }
        }
    }

    /**
     * Within a few ulps, and 1e-6 absolute: the derivatives of SiLU and GELU cross zero, where their float routines
     * are accurate to a few ulps of their larger term.
     */
    @Test
    void everyGradientWithAFloatRoutineIsWithinAFewUlpsOfItsF64Value() {
        for (UnaryOp op : UnaryOp.values()) {
            for (double p : parameters(op)) {
                if (hasFloatGradientRoutine(op, p) && op != UnaryOp.TANH) {
                    Tensor x = inputs(op, p);
                    Tensor gy = uniform(-2, 2, N);
                    assertWithinUlps(f64Gradient(op, p, x, gy), f32Gradient(op, p, x, gy), 1e-6,
                            op + " " + p + " gradient");
                }
            }
        }
    }

    private static float[] f32Values(UnaryOp op, double p, Tensor x) {
        Tensor out = Tensor.empty(x.shape(), DType.F32, backend);
        backend.unary(op, p, x, out);
        return out.toFloatArray();
    }

    /** The op in F64 on the same values, rounded to F32. */
    private static float[] f64Values(UnaryOp op, double p, Tensor x) {
        Tensor out64 = Tensor.empty(x.shape(), DType.F64, backend);
        backend.unary(op, p, x.to(DType.F64), out64);
        return out64.to(DType.F32).toFloatArray();
    }

    private static float[] f32Gradient(UnaryOp op, double p, Tensor x, Tensor gy) {
        Tensor y = Tensor.empty(x.shape(), DType.F32, backend);
        backend.unary(op, p, x, y);
        Tensor gx = Tensor.empty(x.shape(), DType.F32, backend);
        backend.unaryBackward(op, p, x, y, gy, gx);
        return gx.toFloatArray();
    }

    /** The gradient in F64 from the F32 output (as the F32 loop reads it), rounded to F32. */
    private static float[] f64Gradient(UnaryOp op, double p, Tensor x, Tensor gy) {
        Tensor y = Tensor.empty(x.shape(), DType.F32, backend);
        backend.unary(op, p, x, y);
        Tensor gx64 = Tensor.empty(x.shape(), DType.F64, backend);
        backend.unaryBackward(op, p, x.to(DType.F64), y.to(DType.F64), gy.to(DType.F64), gx64);
        return gx64.to(DType.F32).toFloatArray();
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

    /** One long row of output, split among the threads: a scalar against a vector, and a scalar expanded. */
    @Test
    void aLongBroadcastRowGetsEveryElement() {
        Tensor scalar = uniform(-1, 1, 1);
        Tensor vector = uniform(-1, 1, 300_000);
        Tensor sum = Tensor.empty(vector.shape(), DType.F32, backend);
        backend.binary(BinaryOp.SUB, scalar, vector, sum);
        Tensor expanded = Tensor.empty(vector.shape(), DType.F32, backend);
        Tensor zero = Tensor.full(0, DType.F32, 1).to(backend);
        backend.binary(BinaryOp.ADD, scalar, zero, expanded);
        float a = scalar.toFloatArray()[0];
        float[] v = vector.toFloatArray();
        float[] s = sum.toFloatArray();
        float[] e = expanded.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(a - v[i], s[i], 0f, "difference " + i);
            assertEquals(a, e[i], 0f, "expanded " + i);
        }
    }

    /**
     * Within 6 ulps of each expected value, or {@code absolute}: the float routines' bound and a margin; NaN and
     * infinities exactly.
     */
    private static void assertWithinUlps(float[] expected, float[] actual, double absolute, String what) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float tolerance = Float.isFinite(e) ? (float) Math.max(6 * Math.ulp(e), absolute) : 0;
            assertEquals(e, actual[i], tolerance, what + ": element " + i);
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
