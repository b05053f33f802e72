package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.PyTorchValues.INF;
import static dev.kiln.tests.ops.PyTorchValues.NAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#bincount} and {@link Tensor#histc} against what PyTorch 1.13 printed: counts, a minimum length,
 * weighted sums in F32 and F64; histograms over a given range (values outside it and infinities left out, the
 * maximum in the last bin), over the data's extent and over one repeated value; and errors. One difference: PyTorch
 * 1.13 counts a NaN in the first bin, Kiln leaves it out.
 */
class HistogramPyTorchParityTest {
    private static final long[] COUNTED = {1, 3, 3, 0, 7, 3, 1};
    private static final double[] WEIGHTS = {0.5, 1.0, 2.25, 3.0, 4.0, -1.5, 0.125};
    private static final double[] HISTC_X = {0.1, 0.2, 0.3, 1.0, -1.0, 0.7, 0.69999, 0.0, 0.35, 2.0, 0.5714286, INF,
        -INF};
    private static final double[] DATA_X = {2.5, -1.0, 0.75, 3.0, 3.0, -0.5, 1.25};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @Test
    void bincountCountsEachValueAsPyTorch() {
        Tensor x = Tensor.fromArray(COUNTED, COUNTED.length);
        Tensor counts = x.bincount(0);
        assertEquals(DType.I64, counts.dtype());
        assertArrayEquals(BINCOUNT, counts.toDoubleArray());
        assertArrayEquals(BINCOUNT_MINLENGTH_10, x.bincount(10).toDoubleArray());
        assertArrayEquals(BINCOUNT, x.to(DType.I32).bincount(0).toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bincountSumsWeightsInTheirDtype(DType dtype) {
        Tensor sums = Tensor.fromArray(COUNTED, COUNTED.length).bincount(PyTorchValues.tensor(dtype, WEIGHTS, 7), 0);
        assertEquals(dtype, sums.dtype());
        assertArrayEquals(dtype == DType.F32 ? BINCOUNT_WEIGHTED_F32 : BINCOUNT_WEIGHTED_F64, sums.toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void histcMatchesPyTorch(DType dtype) {
        boolean f32 = dtype == DType.F32;
        Tensor x = PyTorchValues.tensor(dtype, HISTC_X, HISTC_X.length);
        assertEquals(dtype, x.histc(7, 0, 1).dtype());
        assertArrayEquals(f32 ? HISTC_7_0_1_F32 : HISTC_7_0_1_F64, x.histc(7, 0, 1).toDoubleArray());
        assertArrayEquals(f32 ? HISTC_4_DATA_F32 : HISTC_4_DATA_F64,
                PyTorchValues.tensor(dtype, DATA_X, DATA_X.length).histc(4, 0, 0).toDoubleArray());
        assertArrayEquals(f32 ? HISTC_3_ONE_POINT_F32 : HISTC_3_ONE_POINT_F64,
                PyTorchValues.tensor(dtype, new double[] {2, 2}, 2).histc(3, 0, 0).toDoubleArray());
    }

    @Test
    void histcLeavesNaNOut() {
        // torch.histc(torch.tensor([nan, 0.5]), 2, 0, 1) gives [1., 1.]: PyTorch 1.13 counts the NaN in bin 0.
        assertArrayEquals(new double[] {0, 1}, Tensor.fromArray(new double[] {NAN, 0.5}, 2).histc(2, 0, 1)
                .toDoubleArray());
    }

    @Test
    void bincountRefusesNegativeValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(new long[] {2, -1}, 2).bincount(0));
        assertEquals("bincount: input holds -1; expected non-negative integers", e.getMessage());
    }

    @Test
    void bincountRefusesWeightsOfAnotherShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(new long[] {2, 1}, 2).bincount(Tensor.ones(DType.F64, 3), 0));
        assertEquals("bincount: weights [3] must have the input's shape [2]", e.getMessage());
    }

    @Test
    void histcRefusesADataRangeThatIsNotFinite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(new double[] {1, NAN}, 2).histc(3, 0, 0));
        assertEquals("histc: the range of [2] is not finite: [NaN, NaN]; give min and max", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.F64, 2).histc(0, 0, 1));
    }

    // Printed by models/src/test/pytorch/histogram.py (PyTorch 1.13.0a0).

    private static final double[] BINCOUNT = {1.0, 2.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0};
    private static final double[] BINCOUNT_MINLENGTH_10 = {1.0, 2.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0};
    private static final double[] BINCOUNT_WEIGHTED_F64 = {3.0, 0.625, 0.0, 1.75, 0.0, 0.0, 0.0, 4.0};
    private static final double[] HISTC_7_0_1_F64 = {2.0, 1.0, 2.0, 0.0, 3.0, 0.0, 1.0};
    private static final double[] HISTC_4_DATA_F64 = {2.0, 1.0, 1.0, 3.0};
    private static final double[] HISTC_3_ONE_POINT_F64 = {0.0, 2.0, 0.0};
    private static final double[] BINCOUNT_WEIGHTED_F32 = {3.0, 0.625, 0.0, 1.75, 0.0, 0.0, 0.0, 4.0};
    private static final double[] HISTC_7_0_1_F32 = {2.0, 1.0, 2.0, 0.0, 3.0, 0.0, 1.0};
    private static final double[] HISTC_4_DATA_F32 = {2.0, 1.0, 1.0, 3.0};
    private static final double[] HISTC_3_ONE_POINT_F32 = {0.0, 2.0, 0.0};
}
