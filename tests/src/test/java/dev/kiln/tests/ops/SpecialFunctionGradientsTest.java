package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
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
 * lgamma, digamma, polygamma and erfinv against F64 finite differences, first and second order, on both sides of 0
 * (between the poles), where their reflection formulas take over; and their errors.
 */
class SpecialFunctionGradientsTest {
    private static final double[] BOTH_SIGNS = {0.05, 0.7, 1.0, 2.3, 14.0, 120.5, -0.3, -1.6, -4.45};
    /**
     * Away from 0, where polygamma(2) and polygamma(3) are so large (-16000 at 0.05) that the finite differences of a
     * sum holding them lose 1e-6.
     */
    private static final double[] AWAY_FROM_ZERO = {0.7, 1.0, 2.3, 14.0, 120.5, -0.3, -1.6, -4.45};
    private static final double[] UNIT = {-0.95, -0.4, 0.0, 0.3, 0.75, 0.99};

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
                Arguments.of("lgamma", (Function<Tensor, Tensor>) Tensor::lgamma, BOTH_SIGNS),
                Arguments.of("digamma", (Function<Tensor, Tensor>) Tensor::digamma, BOTH_SIGNS),
                Arguments.of("polygamma(1)", (Function<Tensor, Tensor>) x -> x.polygamma(1), AWAY_FROM_ZERO),
                Arguments.of("polygamma(2)", (Function<Tensor, Tensor>) x -> x.polygamma(2), AWAY_FROM_ZERO),
                Arguments.of("erfinv", (Function<Tensor, Tensor>) Tensor::erfinv, UNIT));
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

    @Test
    void polygammaOfOrderZeroIsDigamma() {
        Tensor x = Tensor.fromArray(new double[] {0.5, -2.5, 7}, 3);
        assertEquals(java.util.Arrays.toString(x.digamma().toDoubleArray()),
                java.util.Arrays.toString(x.polygamma(0).toDoubleArray()));
    }

    @Test
    void aNegativeOrderIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F64, 2).polygamma(-1));
        assertEquals("polygamma: n must be >= 0, got -1", e.getMessage());
    }

    @Test
    void integerTensorsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(new long[] {1, 2}, 2).lgamma());
        assertEquals("lgamma: needs F32 or F64, got I64 for [2]", e.getMessage());
    }
}
