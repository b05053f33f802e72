package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The edges at which {@link OpSemanticsPyTorchParityTest}'s cases found Kiln answering otherwise than PyTorch 1.13,
 * each as PyTorch answers it (values printed by {@code models/src/test/pytorch/op_semantics_fixes.py}).
 */
class OpSemanticsFixesTest {
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

    @Test
    void divisionByAScalarRoundsEachQuotientOnce() {
        Tensor x = Tensor.fromArray(new double[] {1.5, -3.75, 1.0, 0.49999999999999994}, 4);
        // 1.5 * (1 / 2.5) is 0.6000000000000001
        assertArrayEquals(new double[] {0.6, -1.5, 0.4, 0.19999999999999998}, x.div(2.5).toDoubleArray());
        Tensor f = Tensor.fromArray(new float[] {1.5f, -3.75f, 1f}, 3);
        assertArrayEquals(new float[] {0.5f, -1.25f, 0.3333333432674408f}, f.div(3.0).toFloatArray());
    }

    @Test
    void meanDividesTheSumOnce() {
        Tensor x = Tensor.fromArray(new double[] {-1.0, 0.0, -2.5}, 1, 3);
        assertEquals(-1.1666666666666667, x.mean().item());
        assertArrayEquals(new double[] {-1.1666666666666667}, x.mean(1, false).toDoubleArray());
    }

    @Test
    void powOfOneIsOneForEveryExponentAsCsPow() {
        Tensor x = Tensor.fromArray(new double[] {1.0, -1.0, 1.0, -1.0, 2.0}, 5);
        assertArrayEquals(new double[] {1, 1, 1, 1, INF}, x.pow(INF).toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1, 1, 0}, x.pow(-INF).toDoubleArray());
        assertArrayEquals(new double[] {1, NAN, 1, NAN, NAN}, x.pow(NAN).toDoubleArray());
    }

    @Test
    void softplusKeepsTheFarLeftTail() {
        Tensor x = Tensor.fromArray(new double[] {-40.0, -745.0, -700.0, 0.0, 3.0}, 5);
        assertArrayEquals(new double[] {4.248354255291589e-18, 5e-324, 9.85967654375977e-305, 0.6931471805599453,
            3.048587351573742}, F.softplus(x).toDoubleArray());
    }

    @Test
    void squeezeOfAnAxisOfAnotherSizeLeavesTheTensorAsItIs() {
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        assertArrayEquals(new int[] {2, 3}, x.squeeze(0).shape().dims());
        assertArrayEquals(new int[] {2, 3}, x.squeeze(-1).shape().dims());
    }

    @Test
    void expandKeepsADimensionGivenAsMinusOne() {
        Tensor x = Tensor.arange(6).to(DType.F64).reshape(3, 1, 2);
        Tensor y = x.expand(-1, 4, -1);
        assertArrayEquals(new int[] {3, 4, 2}, y.shape().dims());
        assertArrayEquals(x.expand(3, 4, 2).toDoubleArray(), y.toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> x.expand(-1, 3, 4, 2));
    }

    @Test
    void narrowCountsANegativeStartFromTheEnd() {
        Tensor x = Tensor.arange(5).to(DType.F64);
        assertArrayEquals(new double[] {3, 4}, x.narrow(0, -2, 2).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> x.narrow(0, -6, 1));
    }

    @Test
    void chunkOfAnEmptyAxisGivesThatManyEmptyPieces() {
        List<Tensor> pieces = Tensor.zeros(DType.F64, 0, 3).chunk(3, 0);
        assertEquals(3, pieces.size());
        for (Tensor piece : pieces) {
            assertArrayEquals(new int[] {0, 3}, piece.shape().dims());
        }
    }

    @Test
    void maskedFillBroadcastsAMaskWiderThanTheTensor() {
        Tensor mask = Tensor.fromArray(new double[] {1, 0}, 1, 2);
        Tensor y = Tensor.scalar(2.5).to(DType.F64).maskedFill(mask, -1.0);
        assertArrayEquals(new int[] {1, 2}, y.shape().dims());
        assertArrayEquals(new double[] {-1.0, 2.5}, y.toDoubleArray());
    }

    @Test
    void flattenFromPastTheLastAxisIsRefusedAndA0dTensorFlattensToOneElement() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 2, 3).flatten(2));
        assertArrayEquals(new int[] {1}, Tensor.scalar(3.0).flatten(0).shape().dims());
        assertArrayEquals(new int[] {1}, Tensor.scalar(3.0).flatten(-1).shape().dims());
    }

    @Test
    void integerAddSubMulMaximumAndMinimumStayInTheirDtypeAndWrap() {
        Tensor a = Tensor.fromArray(new long[] {Long.MAX_VALUE, -7, 6}, 3);
        Tensor b = Tensor.fromArray(new long[] {1, 3, -4}, 3);
        assertEquals(DType.I64, a.add(b).dtype());
        assertArrayEquals(new long[] {Long.MIN_VALUE, -4, 2}, a.add(b).toLongArray());
        assertArrayEquals(new long[] {Long.MAX_VALUE - 1, -10, 10}, a.sub(b).toLongArray());
        assertArrayEquals(new long[] {Long.MAX_VALUE, -21, -24}, a.mul(b).toLongArray());
        assertArrayEquals(new long[] {Long.MAX_VALUE, 3, 6}, a.maximum(b).toLongArray());
        assertArrayEquals(new long[] {1, -7, -4}, a.minimum(b).toLongArray());
        Tensor c = Tensor.fromArray(new int[] {Integer.MAX_VALUE, -7, 6}, 3);
        Tensor d = Tensor.fromArray(new int[] {1, 3, -4}, 3);
        assertEquals(DType.I32, c.add(d).dtype());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -4, 2}, c.add(d).toIntArray());
        assertArrayEquals(new int[] {Integer.MAX_VALUE, -21, -24}, c.mul(d).toIntArray());
    }
}
