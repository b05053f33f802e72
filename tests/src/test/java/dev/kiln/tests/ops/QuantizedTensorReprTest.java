package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantizedTensor#toString} against the {@code repr} PyTorch 1.13 printed for the same quantised tensors
 * ({@code models/src/test/pytorch/quantized_tensor.py}, its last part): empty, 0-d, integer-valued, scientific,
 * wrapped at 80 characters, 3-d, per channel with wrapped scales, and summarised past 1000 values; and its equality,
 * PyTorch's {@code torch.equal} of quantised tensors.
 */
class QuantizedTensorReprTest {
    private static final String EMPTY =
            "tensor([], size=(0,), dtype=torch.quint8,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=0.1, zero_point=0)";
    private static final String EMPTY_ROWS =
            "tensor([], size=(2, 0), dtype=torch.quint8,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=0.1, zero_point=0)";
    private static final String SCALAR =
            "tensor(2.5000, size=(), dtype=torch.quint8,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=0.1, zero_point=3)";
    private static final String INTEGERS =
            "tensor([[    0.,  1000.,  2000.,  3000.],\n"
            + "        [ 4000.,  5000.,  6000.,  7000.],\n"
            + "        [ 8000.,  9000., 10000., 11000.]], size=(3, 4), dtype=torch.qint32,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=0.1, zero_point=0)";
    private static final String SCIENTIFIC =
            "tensor([1.0000e-05, 1.0000e+00], size=(2,), dtype=torch.qint32,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=1e-05, zero_point=0)";
    private static final String WRAPPED =
            "tensor([0.0000, 0.1428, 0.2858, 0.4286, 0.5714, 0.7142, 0.8572, 1.0000, 1.1428,\n"
            + "        1.2858, 1.4286, 1.5714, 1.7142, 1.8572, 2.0000, 2.1428, 2.2858, 2.4286,\n"
            + "        2.5714, 2.7142, 2.8572, 3.0000, 3.1428, 3.2858, 3.4286, 3.5714, 3.7142,\n"
            + "        3.8572, 4.0000, 4.1428], size=(30,), dtype=torch.qint32,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=0.0002, zero_point=0)";
    private static final String CUBE =
            "tensor([[[-1.0000, -0.6500],\n"
            + "         [-0.3500,  0.0000]],\n"
            + "\n"
            + "        [[ 0.3500,  0.6500],\n"
            + "         [ 1.0000,  1.3500]]], size=(2, 2, 2), dtype=torch.qint8,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=0.05, zero_point=10)";
    private static final String PER_CHANNEL_WRAPPED =
            "tensor([[0.0000, 0.2000, 0.3900, 0.6000, 0.8000, 1.0200, 1.1900, 1.4400, 1.6200,\n"
            + "         1.8000, 1.9800, 2.1600],\n"
            + "        [1.2700, 2.5400, 2.7900, 3.0000, 3.2000, 3.4200, 3.5700, 3.8400, 3.9600,\n"
            + "         4.2000, 4.4000, 4.5600]], size=(2, 12), dtype=torch.qint8,\n"
            + "       quantization_scheme=torch.per_channel_affine,\n"
            + "       scale=tensor([0.0100, 0.0200, 0.0300, 0.0400, 0.0500, 0.0600, 0.0700, 0.0"
            + "800, 0.0900,\n"
            + "        0.1000, 0.1100, 0.1200], dtype=torch.float64),\n"
            + "       zero_point=tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), axis=1)";
    private static final String EMPTY_PER_CHANNEL =
            "tensor([], size=(0, 3), dtype=torch.quint8,\n"
            + "       quantization_scheme=torch.per_channel_affine,\n"
            + "       scale=tensor([], dtype=torch.float64),\n"
            + "       zero_point=tensor([], dtype=torch.int64), axis=0)";
    private static final String SUMMARISED =
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.1970e+03, 1.1980e+03,\n"
            + "        1.1990e+03], size=(1200,), dtype=torch.qint32,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=1.0, zero_point=0)";
    private static final String SUMMARISED_ROWS =
            "tensor([[0.0000e+00, 1.4000e-01, 2.9000e-01,  ..., 5.2900e+00, 5.4300e+00,\n"
            + "         5.5700e+00],\n"
            + "        [5.7100e+00, 5.8600e+00, 6.0000e+00,  ..., 1.1000e+01, 1.1140e+01,\n"
            + "         1.1290e+01],\n"
            + "        [1.1430e+01, 1.1570e+01, 1.1710e+01,  ..., 1.6710e+01, 1.6860e+01,\n"
            + "         1.7000e+01],\n"
            + "        ...,\n"
            + "        [2.1143e+02, 2.1157e+02, 2.1171e+02,  ..., 2.1671e+02, 2.1686e+02,\n"
            + "         2.1700e+02],\n"
            + "        [2.1714e+02, 2.1729e+02, 2.1743e+02,  ..., 2.2243e+02, 2.2257e+02,\n"
            + "         2.2271e+02],\n"
            + "        [2.2286e+02, 2.2300e+02, 2.2314e+02,  ..., 2.2814e+02, 2.2829e+02,\n"
            + "         2.2843e+02]], size=(40, 40), dtype=torch.qint32,\n"
            + "       quantization_scheme=torch.per_tensor_affine, scale=0.01, zero_point=0)";

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** torch.arange(1600.0)[:n] / divisor in float32, of shape dims. */
    private static Tensor ramp(int n, float divisor, int... dims) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i / divisor;
        }
        return Tensor.fromArray(v, dims);
    }

    @Test
    void emptyTensorsPrintNoValuesAndTheirSize() {
        assertEquals(EMPTY, Quantize.perTensor(Tensor.fromArray(new float[0], 0), 0.1, 0, QuantizedDType.QUINT8)
                .toString());
        assertEquals(EMPTY_ROWS, Quantize.perTensor(Tensor.fromArray(new float[0], 2, 0), 0.1, 0,
                QuantizedDType.QUINT8).toString());
    }

    @Test
    void noChannelsPrintTheirQParamsDtypesAsPyTorchsEmptyTensors() {
        assertEquals(EMPTY_PER_CHANNEL, Quantize.perChannel(Tensor.fromArray(new float[0], 0, 3), new double[0],
                new int[0], 0, QuantizedDType.QUINT8).toString());
    }

    @Test
    void aScalarPrintsItsValueAndAnEmptySize() {
        assertEquals(SCALAR, Quantize.perTensor(Tensor.fromArray(new float[] {2.5f}), 0.1, 3, QuantizedDType.QUINT8)
                .toString());
    }

    @Test
    void integerValuesPrintWithATrailingDotRightAligned() {
        Tensor x = ramp(12, 1, 3, 4).mul(1000);
        assertEquals(INTEGERS, Quantize.perTensor(x, 0.1, 0, QuantizedDType.QINT32).toString());
    }

    @Test
    void valuesSpanningMoreThanAThousandfoldPrintInScientificNotationAndTheScaleAsPythonsRepr() {
        Tensor x = Tensor.fromArray(new float[] {1e-5f, 1f}, 2);
        assertEquals(SCIENTIFIC, Quantize.perTensor(x, 1e-5, 0, QuantizedDType.QINT32).toString());
    }

    @Test
    void longRowsWrapAtEightyCharacters() {
        assertEquals(WRAPPED, Quantize.perTensor(ramp(30, 7, 30), 0.0002, 0, QuantizedDType.QINT32).toString());
    }

    @Test
    void higherDimensionsAreSeparatedByBlankLines() {
        Tensor x = ramp(8, 3, 2, 2, 2).sub(1);
        assertEquals(CUBE, Quantize.perTensor(x, 0.05, 10, QuantizedDType.QINT8).toString());
    }

    @Test
    void perChannelQParamsPrintAsTensorsEachOnItsOwnLine() {
        double[] scales = new double[12];
        for (int c = 0; c < 12; c++) {
            scales[c] = (c + 1) / 100f;
        }
        QuantizedTensor q = Quantize.perChannel(ramp(24, 5, 2, 12), scales, new int[12], 1, QuantizedDType.QINT8);
        assertEquals(PER_CHANNEL_WRAPPED, q.toString());
    }

    @Test
    void moreThanAThousandValuesAreSummarisedByTheirFirstAndLastThree() {
        assertEquals(SUMMARISED, Quantize.perTensor(ramp(1200, 1, 1200), 1.0, 0, QuantizedDType.QINT32).toString());
        assertEquals(SUMMARISED_ROWS, Quantize.perTensor(ramp(1600, 7, 40, 40), 0.01, 0, QuantizedDType.QINT32)
                .toString());
    }

    @Test
    void equalWhenShapeDtypeQParamsAndIntegerValuesAre() {
        Tensor x = Tensor.fromArray(new float[] {-1f, 0f, 0.5f, 1.25f}, 2, 2);
        QuantizedTensor q = Quantize.perTensor(x, 0.1, 0, QuantizedDType.QINT8);

        assertEquals(q, Quantize.perTensor(x, 0.1, 0, QuantizedDType.QINT8));
        assertEquals(q.hashCode(), Quantize.perTensor(x, 0.1, 0, QuantizedDType.QINT8).hashCode());
        Tensor near = Tensor.fromArray(new float[] {-1.01f, 0.02f, 0.49f, 1.24f}, 2, 2);
        assertEquals(q, Quantize.perTensor(near, 0.1, 0, QuantizedDType.QINT8), "the same integers");
        assertNotEquals(q, Quantize.perTensor(x, 0.1, 1, QuantizedDType.QINT8));
        assertNotEquals(q, Quantize.perTensor(x, 0.2, 0, QuantizedDType.QINT8));
        assertNotEquals(q, Quantize.perTensor(x, 0.1, 0, QuantizedDType.QINT32));
        assertNotEquals(q, q.reshape(4));
        assertNotEquals(q, Quantize.perChannel(x, new double[] {0.1, 0.1}, new int[2], 0, QuantizedDType.QINT8));
        assertNotEquals(Quantize.perChannel(x, new double[] {0.1, 0.1}, new int[2], 0, QuantizedDType.QINT8),
                Quantize.perChannel(x, new double[] {0.1, 0.1}, new int[2], 1, QuantizedDType.QINT8));
    }
}
