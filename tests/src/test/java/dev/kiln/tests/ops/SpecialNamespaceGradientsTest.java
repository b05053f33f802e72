package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Special;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Special's functions against F64 finite differences, first and second order: the Bessel functions on both sides of
 * 0 and of their expansions' break at 8, the normal distribution's functions in both branches of log_ndtr and of
 * ndtri, erfcx on both sides of its switch to the asymptotic series at 9, gammainc and gammaincc in x on both sides of
 * x = a + 1 (a fixed, as PyTorch has no gradient in a); and the refusals of multigammaln.
 */
class SpecialNamespaceGradientsTest {
    private static final double[] BESSEL = {-9.5, -2.5, -0.4, 0.3, 1.7, 6.0, 8.75, 15.0};
    /** Up to 10.5, as I0(15) = 3e5 would round the finite differences of the weighted sum by 2e-5. */
    private static final double[] BESSEL_UNSCALED = {-9.5, -2.5, -0.4, 0.3, 1.7, 6.0, 8.75, 10.5};
    private static final double[] NORMAL = {-12.0, -3.5, -1.2, -0.3, 0.0, 0.8, 2.5};
    private static final double[] PROBABILITY = {1e-6, 0.02, 0.3, 0.5, 0.7, 0.99};
    private static final double[] ERFCX = {-2.5, -0.6, 0.0, 1.1, 4.0, 8.5, 9.5, 20.0};
    private static final double[] POSITIVE = {0.05, 0.4, 1.0, 2.7, 11.0};
    /** The incomplete gamma functions' a for POSITIVE's x: the series below x = a + 1 for three, the fraction above. */
    private static final double[] SHAPES = {0.3, 1.5, 2.0, 1.0, 4.0};
    private static final double[] ABOVE_ONE = {1.2, 1.8, 3.5, 12.0};

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

    static Stream<Arguments> functions() {
        return Stream.of(
                Arguments.of("i0", (Function<Tensor, Tensor>) Special::i0, BESSEL_UNSCALED),
                Arguments.of("i0e", (Function<Tensor, Tensor>) Special::i0e, BESSEL),
                Arguments.of("i1", (Function<Tensor, Tensor>) Special::i1, BESSEL_UNSCALED),
                Arguments.of("i1e", (Function<Tensor, Tensor>) Special::i1e, BESSEL),
                Arguments.of("ndtr", (Function<Tensor, Tensor>) Special::ndtr, NORMAL),
                Arguments.of("logNdtr", (Function<Tensor, Tensor>) Special::logNdtr, NORMAL),
                Arguments.of("ndtri", (Function<Tensor, Tensor>) Special::ndtri, PROBABILITY),
                Arguments.of("erfcx", (Function<Tensor, Tensor>) Special::erfcx, ERFCX),
                Arguments.of("entr", (Function<Tensor, Tensor>) Special::entr, POSITIVE),
                Arguments.of("xlog1py", (Function<Tensor, Tensor>) x -> Special.xlog1py(x, x.mul(0.5)), POSITIVE),
                Arguments.of("gammainc in x", (Function<Tensor, Tensor>) x -> Special.gammainc(shapes(), x), POSITIVE),
                Arguments.of("gammaincc in x", (Function<Tensor, Tensor>) x -> Special.gammaincc(shapes(), x), POSITIVE),
                Arguments.of("multigammaln 3", (Function<Tensor, Tensor>) x -> Special.multigammaln(x, 3), ABOVE_ONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void gradientMatchesFiniteDifferences(String name, Function<Tensor, Tensor> f, double[] x) {
        GradCheck.check(name, in -> f.apply(in[0]), Tensor.fromArray(x, x.length).requiresGrad(true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void secondDerivativeMatchesFiniteDifferences(String name, Function<Tensor, Tensor> f, double[] x) {
        DoubleBackwardTest.checkSecondOrder(name, in -> f.apply(in[0]), Tensor.fromArray(x, x.length)
                .requiresGrad(true));
    }

    private static Tensor shapes() {
        return Tensor.fromArray(SHAPES, SHAPES.length);
    }

    @Test
    void i1sGradientIsOneHalfAtZeroToSecondOrder() {
        Tensor x = Tensor.fromArray(new double[] {0.0}, 1).requiresGrad(true);
        Tensor first = Autograd.grad(Special.i1(x).sum(), List.of(x), new GradOptions(true, false)).get(0);
        assertEquals(0.5, first.item(), 0);
        assertEquals(0.0, Autograd.grad(first.sum(), List.of(x)).get(0).item(), 0);
    }

    @Test
    void multigammalnRefusesAnOrderBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Special.multigammaln(Tensor.ones(DType.F64, 2), 0));
        assertEquals("multigammaln: p must be >= 1, got 0", e.getMessage());
    }

    @Test
    void multigammalnRefusesAnElementAtOrBelowHalfOfPMinusOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Special.multigammaln(Tensor.fromArray(new double[] {2.0, 1.0}, 2), 3));
        assertEquals("multigammaln: every element of x [2] must be greater than (p - 1) / 2 = 1.0, got 1.0",
                e.getMessage());
    }
}
