package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad parameters, values and shapes of {@link LKJCholesky} and {@link Wishart} throw an
 * {@link IllegalArgumentException} naming the parameter and the constraint; what PyTorch 1.13 lacks (LKJ's moments and
 * entropy) throws {@link UnsupportedOperationException}.
 */
class MatrixDistributionsValidationTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor values(double... v) {
        return Tensor.fromArray(v, v.length);
    }

    private static Tensor identity() {
        return values(1, 0, 0, 1).reshape(2, 2);
    }

    private static String message(Class<? extends Throwable> type, Executable call) {
        return assertThrows(type, call).getMessage();
    }

    @Test
    void lkjNeedsMatricesOfAtLeastTwo() {
        assertEquals("LKJCholesky: dim must be at least 2, got 1",
                message(IllegalArgumentException.class, () -> new LKJCholesky(1, values(1))));
    }

    @Test
    void lkjRefusesANonPositiveConcentration() {
        assertEquals("LKJCholesky(dim: 2, concentration: [2]): parameter concentration [2] must be positive (> 0),"
                + " found 0.0 at [1]", message(IllegalArgumentException.class,
                        () -> new LKJCholesky(2, values(1, 0))));
    }

    @Test
    void lkjRefusesAFactorWhoseRowsAreNotUnit() {
        LKJCholesky lkj = new LKJCholesky(2, Tensor.full(1, DType.F64));
        assertEquals("LKJCholesky(dim: 2, concentration: []).logProb: value [2, 2] must be the Cholesky factor of a"
                + " correlation matrix (lower-triangular with a positive diagonal and rows of unit norm), found [1.0,"
                + " 0.0, 0.5, 0.5] at []", message(IllegalArgumentException.class,
                        () -> lkj.logProb(values(1, 0, 0.5, 0.5).reshape(2, 2))));
        message(UnsupportedOperationException.class, lkj::entropy);
        message(UnsupportedOperationException.class, lkj::mean);
    }

    @Test
    void wishartRefusesDfOfAtMostPMinusOne() {
        assertEquals("Wishart(df: [2], scaleTril: [2, 2]): parameter df [2] must be greater than 1.0, found 1.0 at [1]",
                message(IllegalArgumentException.class, () -> Wishart.ofScaleTril(values(3, 1), identity())));
        assertEquals("Wishart(df: [], covarianceMatrix: [2, 2]): parameter df [] must be greater than 1.0, found 0.5"
                + " at []", message(IllegalArgumentException.class,
                        () -> Wishart.ofCovarianceMatrix(Tensor.full(0.5, DType.F64), identity())));
    }

    @Test
    void wishartRefusesACovarianceThatIsNotPositiveDefinite() {
        assertEquals("Wishart(df: [], covarianceMatrix: [2, 2]): parameter covarianceMatrix [2, 2] must be symmetric"
                + " positive-definite, found [1.0, 2.0, 2.0, 1.0] at []", message(IllegalArgumentException.class,
                        () -> Wishart.ofCovarianceMatrix(Tensor.full(3, DType.F64), values(1, 2, 2, 1).reshape(2, 2))));
    }

    @Test
    void wishartRefusesAScaleTrilWithAnUpperTriangle() {
        assertEquals("Wishart(df: [], scaleTril: [2, 2]): parameter scaleTril [2, 2] must be lower-triangular with a"
                + " positive diagonal, found [1.0, 0.5, 0.0, 1.0] at []", message(IllegalArgumentException.class,
                        () -> Wishart.ofScaleTril(Tensor.full(3, DType.F64), values(1, 0.5, 0, 1).reshape(2, 2))));
    }

    @Test
    void wishartRefusesNonSquareScalesAndValuesOutsideItsSupport() {
        assertEquals("Wishart: precisionMatrix [2, 3] must be square matrices [batch..., p, p]",
                message(IllegalArgumentException.class,
                        () -> Wishart.ofPrecisionMatrix(Tensor.full(3, DType.F64), Tensor.ones(DType.F64, 2, 3))));
        Wishart wishart = Wishart.ofScaleTril(Tensor.full(3, DType.F64), identity());
        assertEquals("Wishart(df: [], scaleTril: [2, 2]).logProb: value [2, 2] must be symmetric positive-definite,"
                + " found [1.0, 0.0, 0.0, -1.0] at []", message(IllegalArgumentException.class,
                        () -> wishart.logProb(values(1, 0, 0, -1).reshape(2, 2))));
    }
}
