package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.general;
import static dev.kiln.tests.ops.LinalgInputs.lower;
import static dev.kiln.tests.ops.LinalgInputs.pattern;
import static dev.kiln.tests.ops.LinalgInputs.spd;
import static dev.kiln.tests.ops.LinalgInputs.transposed;

import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Linalg}'s gradients against central finite differences in F64 ({@link GradCheck}), on batches with broadcast
 * batch axes, and their second derivatives ({@link DoubleBackwardTest#checkSecondOrder}). Cholesky is checked as
 * PyTorch's gradcheck checks it, through {@code A + A^T}, since only symmetric perturbations keep A a covariance;
 * triangular inputs through their triangle, the part the op reads.
 */
class LinalgGradientCheckTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor leaf(double[] values, int... dims) {
        return Tensor.fromArray(values, dims).requiresGrad(true);
    }

    /** Half of an SPD batch: {@code x + x^T} is the SPD matrix. */
    private static Tensor halfSpd(int batch, int n) {
        double[] a = spd(1, batch, n);
        for (int i = 0; i < a.length; i++) {
            a[i] /= 2;
        }
        return leaf(a, batch, n, n);
    }

    private static Tensor symmetric(Tensor x) {
        return x.add(x.transpose(-2, -1));
    }

    /** Both the first-order check and the second-order one. */
    private static void checkBothOrders(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(name, f, inputs);
        DoubleBackwardTest.checkSecondOrder(name, f, inputs);
    }

    @Test
    void choleskyGradientsMatchFiniteDifferencesOfSymmetricPerturbations() {
        checkBothOrders("cholesky", in -> Linalg.cholesky(symmetric(in[0])), halfSpd(2, 4));
        checkBothOrders("cholesky upper", in -> Linalg.cholesky(symmetric(in[0]), true), halfSpd(2, 4));
    }

    @Test
    void lowerTriangularSolveGradientsMatchFiniteDifferencesWithABroadcast() {
        checkBothOrders("solveTriangular lower", in -> Linalg.solveTriangular(in[0].tril(0), in[1], false),
                leaf(lower(2, 2, 4), 2, 4, 4), leaf(pattern(3, 12), 1, 4, 3));
    }

    @Test
    void upperTriangularSolveFromTheRightGradientsMatchFiniteDifferences() {
        checkBothOrders("solveTriangular upper right",
                in -> Linalg.solveTriangular(in[0].triu(0), in[1], true, false, false),
                leaf(transposed(lower(2, 2, 4), 2, 4), 2, 1, 4, 4), leaf(pattern(3, 24), 3, 2, 4));
    }

    @Test
    void unitriangularSolveGradientsMatchFiniteDifferences() {
        checkBothOrders("solveTriangular unitriangular",
                in -> Linalg.solveTriangular(in[0].tril(-1), in[1], false, true, true),
                leaf(lower(2, 1, 4), 4, 4), leaf(pattern(3, 16), 2, 4, 2));
    }

    @Test
    void choleskySolveGradientsMatchFiniteDifferencesThroughTheFactorsTriangle() {
        Tensor factor = Linalg.cholesky(Tensor.fromArray(spd(1, 2, 3), 2, 3, 3));
        checkBothOrders("choleskySolve", in -> Linalg.choleskySolve(in[0], in[1].tril(0)),
                leaf(pattern(3, 6), 3, 2), leaf(factor.toDoubleArray(), 2, 3, 3));
        checkBothOrders("choleskySolve upper", in -> Linalg.choleskySolve(in[0], in[1].triu(0), true),
                leaf(pattern(3, 12), 2, 3, 2), leaf(factor.transpose(-2, -1).toDoubleArray(), 2, 3, 3));
    }

    @Test
    void solveGradientsMatchFiniteDifferencesForMatricesVectorsAndFromTheRight() {
        checkBothOrders("solve", in -> Linalg.solve(in[0], in[1]), leaf(general(4, 2, 3), 2, 3, 3),
                leaf(pattern(3, 6), 3, 2));
        checkBothOrders("solve vector", in -> Linalg.solve(in[0], in[1]), leaf(general(4, 2, 3), 2, 3, 3),
                leaf(pattern(3, 3), 3));
        checkBothOrders("solve right", in -> Linalg.solve(in[0], in[1], false), leaf(general(4, 1, 3), 3, 3),
                leaf(pattern(3, 12), 2, 2, 3));
    }

    @Test
    void inverseGradientMatchesFiniteDifferences() {
        checkBothOrders("inv", in -> Linalg.inv(in[0]), leaf(general(4, 2, 3), 2, 3, 3));
    }

    @Test
    void determinantGradientsMatchFiniteDifferences() {
        checkBothOrders("det", in -> Linalg.det(in[0]), leaf(general(4, 2, 3), 2, 3, 3));
        checkBothOrders("slogdet", in -> Linalg.slogdet(in[0]).logabsdet(), leaf(general(5, 2, 3), 2, 3, 3));
    }
}
