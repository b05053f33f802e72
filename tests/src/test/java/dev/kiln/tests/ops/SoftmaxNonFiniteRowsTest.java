package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Softmax, log-softmax and cross-entropy of rows holding infinities or NaN, against PyTorch 1.13 (F64 and F32 alike):
 * a row with +inf is NaN throughout (inf - inf is NaN, and the sum of the row's exponentials with it), a row all
 * -inf too, while -inf beside finite values is a probability 0 (log-probability -inf).
 */
class SoftmaxNonFiniteRowsTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Rows [inf, 1, 2], [-inf, -inf, -inf], [-inf, 1, 2], [NaN, 1, 2]. */
    private static Tensor rows(DType dtype) {
        return Tensor.fromArray(new double[] {INF, 1, 2, -INF, -INF, -INF, -INF, 1, 2, NAN, 1, 2}, 4, 3).to(dtype);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rowsHoldingInfinityOrNanGivePyTorchsValues(DType dtype) {
        double tolerance = dtype == DType.F64 ? 1e-15 : 1e-7;
        // torch.softmax, torch.log_softmax and F.cross_entropy (targets 1, 0, 2, 1, reduction='none') of the rows.
        assertArrayEquals(new double[] {NAN, NAN, NAN, NAN, NAN, NAN, 0, 0.26894142136999516, 0.7310585786300049,
            NAN, NAN, NAN}, F.softmax(rows(dtype), 1).toDoubleArray(), tolerance, "softmax");
        assertArrayEquals(new double[] {NAN, NAN, NAN, NAN, NAN, NAN, -INF, -1.3132616875182228,
            -0.31326168751822286, NAN, NAN, NAN}, F.logSoftmax(rows(dtype), 1).toDoubleArray(), tolerance * 10,
                "log-softmax");
        Tensor targets = Tensor.fromArray(new long[] {1, 0, 2, 1}, 4);
        assertArrayEquals(new double[] {NAN, NAN, 0.31326168751822286, NAN},
                F.crossEntropy(rows(dtype), targets, Reduction.NONE).toDoubleArray(), tolerance * 10,
                "cross-entropy");
    }
}
