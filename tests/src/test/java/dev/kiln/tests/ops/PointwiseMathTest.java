package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The element-wise math of {@code PointwiseMathOps} beyond PyTorch's printed values ({@link
 * PointwiseMathPyTorchParityTest}): F64 gradient checks, first and second order, with broadcast operands; results
 * that stay finite where a naive formula overflows; and errors naming the argument.
 */
class PointwiseMathTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        Engine.seed(20261206L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Values in [low, high] of shape {@code dims}, an F64 leaf. */
    private static Tensor in(double low, double high, int... dims) {
        return Tensor.uniform(low, high, DType.F64, dims).requiresGrad(true);
    }

    /** Each op with inputs away from its kinks: the second-smallest magnitude of hypot's operands is 0.5. */
    static Stream<Arguments> differentiable() {
        return Stream.of(
                Arguments.of("lerp scalar weight 0.3", (Function<Tensor[], Tensor>) x -> x[0].lerp(x[1], 0.3),
                        new double[] {-2, 2, -2, 2}, new int[][] {{3, 4}, {4}}),
                Arguments.of("lerp scalar weight 0.8", (Function<Tensor[], Tensor>) x -> x[0].lerp(x[1], 0.8),
                        new double[] {-2, 2, -2, 2}, new int[][] {{3, 4}, {3, 4}}),
                Arguments.of("lerp tensor weight", (Function<Tensor[], Tensor>) x -> x[0].lerp(x[1], x[2]),
                        new double[] {-2, 2, -2, 2, -0.4, 0.4}, new int[][] {{3, 4}, {4}, {3, 1}}),
                Arguments.of("lerp tensor weight beyond one half", (Function<Tensor[], Tensor>) x -> x[0].lerp(x[1],
                        x[2]), new double[] {-2, 2, -2, 2, 0.6, 1.5}, new int[][] {{3, 4}, {3, 4}, {4}}),
                Arguments.of("addcmul", (Function<Tensor[], Tensor>) x -> x[0].addcmul(x[1], x[2], -0.7),
                        new double[] {-2, 2, -2, 2, -2, 2}, new int[][] {{3, 4}, {4}, {3, 1}}),
                Arguments.of("addcdiv", (Function<Tensor[], Tensor>) x -> x[0].addcdiv(x[1], x[2], 1.3),
                        new double[] {-2, 2, -2, 2, 0.5, 2}, new int[][] {{3, 1}, {3, 4}, {4}}),
                Arguments.of("hypot", (Function<Tensor[], Tensor>) x -> x[0].hypot(x[1]),
                        new double[] {-2, 2, 0.5, 2}, new int[][] {{3, 4}, {4}}),
                Arguments.of("logaddexp", (Function<Tensor[], Tensor>) x -> x[0].logaddexp(x[1]),
                        new double[] {-3, 3, -3, 3}, new int[][] {{3, 4}, {3, 1}}),
                Arguments.of("logaddexp2", (Function<Tensor[], Tensor>) x -> x[0].logaddexp2(x[1]),
                        new double[] {-3, 3, -3, 3}, new int[][] {{4}, {3, 4}}),
                Arguments.of("xlogy", (Function<Tensor[], Tensor>) x -> x[0].xlogy(x[1]),
                        new double[] {-2, 2, 0.25, 3}, new int[][] {{3, 4}, {4}}),
                Arguments.of("copysign", (Function<Tensor[], Tensor>) x -> x[0].copysign(x[1].sub(0.5)),
                        new double[] {0.2, 2, 0, 0.4}, new int[][] {{3, 4}, {3, 4}}),
                Arguments.of("logit", (Function<Tensor[], Tensor>) x -> x[0].logit(),
                        new double[] {0.05, 0.95}, new int[][] {{3, 4}}),
                Arguments.of("logit eps 0.01", (Function<Tensor[], Tensor>) x -> x[0].logit(0.01),
                        new double[] {0.05, 0.95}, new int[][] {{3, 4}}),
                Arguments.of("sinc", (Function<Tensor[], Tensor>) x -> x[0].sinc(),
                        new double[] {-3, 3}, new int[][] {{3, 4}}),
                Arguments.of("logSigmoid", (Function<Tensor[], Tensor>) x -> F.logSigmoid(x[0]),
                        new double[] {-6, 6}, new int[][] {{3, 4}}));
    }

    private static Tensor[] inputs(double[] ranges, int[][] dims) {
        Tensor[] x = new Tensor[dims.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = in(ranges[2 * i], ranges[2 * i + 1], dims[i]);
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiable")
    void gradientsMatchFiniteDifferences(String name, Function<Tensor[], Tensor> op, double[] ranges, int[][] dims) {
        GradCheck.check(name, op, inputs(ranges, dims));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiable")
    void secondDerivativesMatchFiniteDifferences(String name, Function<Tensor[], Tensor> op, double[] ranges,
                                                 int[][] dims) {
        // Times the first input, so that the ops linear in it (lerp, addcmul, addcdiv) have a second derivative too.
        DoubleBackwardTest.checkSecondOrder(name + " * x0", in -> op.apply(in).mul(in[0]), inputs(ranges, dims));
    }

    @Test
    void hypotStaysFiniteWhereTheSquaresOverflow() {
        assertEquals(5e300, Tensor.fromArray(new double[] {3e300}, 1).hypot(Tensor.fromArray(new double[] {4e300}, 1))
                .item(), 1e286);
        Tensor f32 = Tensor.fromArray(new float[] {3e30f}, 1).hypot(Tensor.fromArray(new float[] {4e30f}, 1));
        assertEquals(5e30, f32.item(), 5e30 * 1e-6);
        assertEquals(5e-300, Tensor.fromArray(new double[] {3e-300}, 1).hypot(Tensor.fromArray(new double[] {-4e-300},
                1)).item(), 1e-314);
    }

    @Test
    void logaddexpOfLargeValuesDoesNotOverflow() {
        Tensor a = Tensor.fromArray(new float[] {100, -100}, 2);
        Tensor b = Tensor.fromArray(new float[] {100, -101}, 2);
        double[] y = a.logaddexp(b).toDoubleArray();
        assertEquals(100 + Math.log(2), y[0], 1e-4);
        assertEquals(-100 + Math.log1p(Math.exp(-1)), y[1], 1e-4);
    }

    @Test
    void lerpWithWeightOneGivesTheEndExactly() {
        Tensor start = Tensor.fromArray(new double[] {0.1, 1e20}, 2);
        Tensor end = Tensor.fromArray(new double[] {0.7, -3}, 2);
        assertEquals(java.util.List.of(0.7, -3.0), java.util.Arrays.stream(start.lerp(end, 1).toDoubleArray())
                .boxed().toList());
    }

    @Test
    void operandsOfAnotherDtypeAreRefusedByName() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        Tensor f32 = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.addcmul(x, f32, 1));
        assertEquals("addcmul: tensor2 [2, 3] is F32, expected the input's dtype F64; convert it with to(DType)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.lerp(x, f32));
        assertTrue(e.getMessage().startsWith("lerp: weight [2, 3] is F32"), e.getMessage());
    }

    @Test
    void operandsThatDoNotBroadcastAreRefusedByName() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> x.lerp(Tensor.zeros(DType.F64, 3), Tensor.zeros(DType.F64, 4)));
        assertEquals("lerp: weight [4] does not broadcast with input, end [2, 3]; expected each axis equal or 1",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.hypot(Tensor.zeros(DType.F64, 2)));
        assertTrue(e.getMessage().startsWith("hypot: other [2] does not broadcast with input [2, 3]"), e.getMessage());
    }

    @Test
    void integerInputsAreRefusedWhereTheResultIsFractional() {
        Tensor i = Tensor.fromArray(new long[] {1, 2}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i.xlogy(i));
        assertEquals("xlogy: needs F32 or F64, got I64 for [2]", e.getMessage());
        assertThrows(IllegalArgumentException.class, i::sinc);
    }

    @Test
    void logitRefusesAnEpsOutsideZeroToOneHalf() {
        Tensor x = Tensor.zeros(DType.F64, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.logit(0.7));
        assertEquals("logit: eps must be in [0, 0.5], got 0.7", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.logit(Double.NaN));
    }

    @Test
    void heavisideOfIntegersIsExact() {
        Tensor x = Tensor.fromArray(new long[] {-5, 0, 7}, 3);
        Tensor y = x.heaviside(Tensor.fromArray(new long[] {9}, 1));
        assertEquals(DType.I64, y.dtype());
        assertEquals(java.util.List.of(0L, 9L, 1L), java.util.Arrays.stream(y.toLongArray()).boxed().toList());
    }
}
