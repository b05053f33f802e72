package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The F32 unaryBackward of the ops of {@link FloatSimpleGradients} gives PyTorch 1.13's values where their
 * derivatives switch (printed by models/src/test/pytorch/simple_gradients.py), through the backend; abs's in F64 too.
 */
class CpuSimpleGradientsTest {
    private static final float NAN = Float.NaN;
    private static final float[] X = {-0f, 0f, NAN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -2f, 3f};
    private static CpuBackend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(1, false);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static float[] gradient(UnaryOp op, double p) {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.empty(Shape.of(X.length), DType.F32, backend);
            backend.copyFromHost(FloatBuffer.wrap(X), x);
            Tensor y = Tensor.empty(x.shape(), DType.F32, backend);
            backend.unary(op, p, x, y);
            Tensor gx = Tensor.empty(x.shape(), DType.F32, backend);
            backend.unaryBackward(op, p, x, y, x.fullLike(1), gx);
            return gx.toFloatArray();
        }
    }

    private static double[] gradientF64(UnaryOp op, double p) {
        try (Scope scope = Scope.open()) {
            double[] values = new double[X.length];
            for (int i = 0; i < X.length; i++) {
                values[i] = X[i];
            }
            Tensor x = Tensor.empty(Shape.of(X.length), DType.F64, backend);
            backend.copyFromHost(DoubleBuffer.wrap(values), x);
            Tensor y = Tensor.empty(x.shape(), DType.F64, backend);
            backend.unary(op, p, x, y);
            Tensor gx = Tensor.empty(x.shape(), DType.F64, backend);
            backend.unaryBackward(op, p, x, y, x.fullLike(1), gx);
            return gx.toDoubleArray();
        }
    }

    /** sgn is 0 at +-0 and NaN: the gradient there is +0 (the double loop's signum gave -0 and NaN). */
    @Test
    void absGradientIsPyTorchsAtZerosAndNan() {
        assertArrayEquals(new float[] {0f, 0f, 0f, 1f, -1f, -1f, 1f}, gradient(UnaryOp.ABS, 0));
    }

    @Test
    void absGradientInF64IsPyTorchsAtZerosAndNanAsInF32() {
        assertArrayEquals(new double[] {0, 0, 0, 1, -1, -1, 1}, gradientF64(UnaryOp.ABS, 0));
    }

    @Test
    void leakyReluGradientIsTheSlopeAtZerosAndNan() {
        float s = 0.01f;
        assertArrayEquals(new float[] {s, s, s, 1f, s, s, 1f}, gradient(UnaryOp.LEAKY_RELU, 0.01));
    }

    @Test
    void sqrtGradientIsPyTorchs() {
        float inf = Float.POSITIVE_INFINITY;
        assertArrayEquals(new float[] {-inf, inf, NAN, 0f, NAN, NAN, 0.28867512941360474f},
                gradient(UnaryOp.SQRT, 0));
    }
}
