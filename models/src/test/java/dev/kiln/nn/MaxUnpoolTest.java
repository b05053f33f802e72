package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.AutogradFunctional;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MaxPool2d#forwardWithIndices}, {@link MaxPool1d#forwardWithIndices}, {@link MaxUnpool2d} and
 * {@link MaxUnpool1d}: what the indices name, the unpooled planes, where repeated indices leave a value, gradients
 * against finite differences, and the errors (PyTorch's numbers are in {@link UnpoolBagPyTorchParityTest}).
 */
class MaxUnpoolTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(7);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void indicesNameEachMaximumsFlatPositionInItsChannelsPlane() {
        Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 4, -1, 7, 0, 0, 9, 8, 6, 0, 8, 8}, 1, 1, 4, 4);
        F.MaxPoolOutput pooled = new MaxPool2d(2).forwardWithIndices(x);
        assertArrayEquals(new float[] {5, 7, 6, 9}, pooled.output().toFloatArray());
        assertArrayEquals(new long[] {1, 7, 12, 10}, pooled.indices().toLongArray());
        assertEquals(DType.I64, pooled.indices().dtype());
    }

    @Test
    void unpoolingPutsEachValueAtItsIndexAndZerosElsewhere() {
        Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 4, -1, 7, 0, 0, 9, 8, 6, 0, 8, 8}, 1, 1, 4, 4);
        F.MaxPoolOutput pooled = new MaxPool2d(2).forwardWithIndices(x);
        Tensor y = new MaxUnpool2d(2).forward(pooled.output(), pooled.indices());
        assertArrayEquals(new float[] {0, 5, 0, 0, 0, 0, 0, 7, 0, 0, 9, 0, 6, 0, 0, 0}, y.toFloatArray());
    }

    /** Two windows share the maximum 9 at position 2; unpooling other values there keeps the later window's. */
    @Test
    void aRepeatedIndexKeepsTheLaterValueAsPyTorchsCpu() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 9, 3, 4}, 1, 1, 5);
        F.MaxPoolOutput pooled = new MaxPool1d(3, 2).forwardWithIndices(x);
        assertArrayEquals(new long[] {2, 2}, pooled.indices().toLongArray());
        Tensor z = Tensor.fromArray(new float[] {10, 20}, 1, 1, 2);
        assertArrayEquals(new float[] {0, 0, 20, 0, 0}, new MaxUnpool1d(3, 2).forward(z, pooled.indices()).toFloatArray());
    }

    /** Both channels repeat index 1, and the first channel's last index meets the second's first: planes stay apart. */
    @Test
    void repeatsCountWithinAPlaneNeverAcrossPlanes() {
        Tensor x = Tensor.fromArray(new float[] {1, 3, 2, 0, 4, 3}, 1, 2, 3);
        F.MaxPoolOutput pooled = new MaxPool1d(2, 1).forwardWithIndices(x);
        assertArrayEquals(new long[] {1, 1, 1, 1}, pooled.indices().toLongArray());
        Tensor z = Tensor.fromArray(new float[] {10, 20, 30, 40}, 1, 2, 2);
        assertArrayEquals(new float[] {0, 20, 0, 0, 40, 0},
                new MaxUnpool1d(2, 1).forward(z, pooled.indices()).toFloatArray());
    }

    /** As PyTorch's: each input element gets the output's gradient at its index, a repeated one included. */
    @Test
    void everyInputElementGetsTheGradientAtItsIndexRepeatedOrNot() {
        Tensor z = Tensor.fromArray(new float[] {10, 20, 30}, 1, 1, 3).requiresGrad(true);
        Tensor indices = Tensor.fromArray(new long[] {2, 2, 4}, 1, 1, 3);
        Tensor y = new MaxUnpool1d(3, 2).forward(z, indices, 6);
        y.backward(Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 6));
        assertArrayEquals(new float[] {3, 3, 5}, z.grad().toFloatArray());
    }

    /** Indices name positions of the pooling's input plane, so a pooling that rounded down is undone to its size. */
    @Test
    void unpoolingToThePoolingsInputSizeRestoresItsMaxima() {
        Tensor x = Tensor.randn(2, 3, 7, 9);
        F.MaxPoolOutput pooled = new MaxPool2d(2).forwardWithIndices(x);
        Tensor y = new MaxUnpool2d(2).forward(pooled.output(), pooled.indices(), new int[] {7, 9});
        assertArrayEquals(new int[] {2, 3, 7, 9}, y.shape().dims());
        assertArrayEquals(pooled.output().toFloatArray(), y.reshape(2, 3, 63).gather(2, pooled.indices().reshape(2, 3, 12))
                .toFloatArray());
        assertEquals(pooled.output().sum().item(), y.sum().item(), 1e-4);
    }

    @Test
    void indicesStayOpenWithoutGradients() {
        try (Autograd.Guard g = Autograd.noGrad()) {
            F.MaxPoolOutput pooled = new MaxPool2d(2).forwardWithIndices(Tensor.randn(1, 2, 4, 4));
            assertFalse(pooled.indices().isClosed());
            assertArrayEquals(new int[] {1, 2, 4, 4},
                    new MaxUnpool2d(2).forward(pooled.output(), pooled.indices()).shape().dims());
        }
    }

    @Test
    void unpoolingGradientMatchesFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 4, 6);
        Tensor indices = new MaxPool2d(2).forwardWithIndices(x).indices();
        Tensor z = Tensor.randn(DType.F64, 2, 2, 2, 3).requiresGrad(true);
        MaxUnpool2d unpool = new MaxUnpool2d(2);
        GradCheck.check("MaxUnpool2d", in -> unpool.forward(in[0], indices, new int[] {5, 7}), z);
    }

    /** f(z) = sum(unpool(z)^2) with distinct indices: its Hessian is 2 I, so a Hessian-vector product is 2 v. */
    @Test
    void unpoolingsGradientCanBeDifferentiatedAgain() {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 4, 4);
        Tensor indices = new MaxPool2d(2).forwardWithIndices(x).indices();
        Tensor z = Tensor.randn(DType.F64, 1, 2, 2, 2);
        Tensor v = Tensor.randn(DType.F64, 1, 2, 2, 2);
        MaxUnpool2d unpool = new MaxUnpool2d(2);
        Tensor product = AutogradFunctional.hvp(in -> unpool.forward(in.get(0), indices).square().sum(),
                List.of(z), List.of(v)).get(0);
        assertArrayEquals(v.mul(2.0).toDoubleArray(), product.toDoubleArray(), 1e-12);
    }

    @Test
    void poolingThenUnpoolingGradientMatchesFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 9).requiresGrad(true);
        MaxPool1d pool = new MaxPool1d(2);
        MaxUnpool1d unpool = new MaxUnpool1d(2);
        GradCheck.check("MaxPool1d then MaxUnpool1d", in -> {
            F.MaxPoolOutput pooled = pool.forwardWithIndices(in[0]);
            return unpool.forward(pooled.output().mul(pooled.output()), pooled.indices(), 9);
        }, x);
    }

    @Test
    void indicesOfAnotherShapeAreRefusedNamingBothShapes() {
        Tensor x = Tensor.zeros(1, 1, 2, 2);
        Tensor indices = Tensor.fromArray(new long[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool2d(2).forward(x, indices));
        assertEquals("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)):"
                + " input [1, 1, 2, 2], indices [1, 1, 2, 3]: maxUnpool2d:"
                + " indices [1, 1, 2, 3] I64 must be I64 of the input's shape [1, 1, 2, 2]", e.getMessage());
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool1d(2).forward(Tensor.zeros(1, 2, 3), Tensor.fromArray(new long[] {0, 1, 2}, 1, 1, 3)));
        assertEquals("MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,)):"
                + " input [1, 2, 3], indices [1, 1, 3]: the indices must"
                + " have the input's shape [1, 2, 3]", rows.getMessage());
    }

    @Test
    void indicesThatAreNotI64AreRefused() {
        Tensor x = Tensor.zeros(1, 1, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool2d(2).forward(x, Tensor.zeros(1, 1, 2, 2)));
        assertEquals("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)):"
                + " input [1, 1, 2, 2], indices [1, 1, 2, 2]: maxUnpool2d:"
                + " indices [1, 1, 2, 2] F32 must be I64 of the input's shape [1, 1, 2, 2]", e.getMessage());
    }

    @Test
    void anIndexOutsideTheOutputPlaneIsRefusedWithThePlane() {
        Tensor x = Tensor.zeros(1, 1, 2, 2);
        Tensor indices = Tensor.fromArray(new long[] {0, 3, 16, 5}, 1, 1, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool2d(2).forward(x, indices));
        assertEquals("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)):"
                + " input [1, 1, 2, 2], indices [1, 1, 2, 2]: maxUnpool2d:"
                + " index 16 is outside the output plane 4 x 4 (indices in [0, 16))", e.getMessage());
    }

    @Test
    void anOutputSizeBeyondAStrideOfTheDefaultIsRefusedWithTheRange() {
        Tensor x = Tensor.zeros(1, 1, 2, 2);
        Tensor indices = Tensor.fromArray(new long[] {0, 1, 2, 3}, 1, 1, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool2d(2).forward(x, indices, new int[] {7, 4}));
        assertEquals("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)):"
                + " input [1, 1, 2, 2], indices [1, 1, 2, 2]: maxUnpool2d:"
                + " output size [7, 4] for input [1, 1, 2, 2]: height must be between 2 and 6 exclusive", e.getMessage());
        Tensor row = Tensor.zeros(1, 1, 3);
        Tensor rowIndices = Tensor.fromArray(new long[] {0, 2, 4}, 1, 1, 3);
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool1d(2).forward(row, rowIndices, 8));
        assertEquals("MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,)):"
                + " input [1, 1, 3], indices [1, 1, 3]: output length 8"
                + " must be between 4 and 8 exclusive", length.getMessage());
    }

    @Test
    void inputsOfTheWrongRankAreRefusedNamingTheLayer() {
        Tensor flat = Tensor.zeros(2, 4);
        Tensor flatIndices = Tensor.zeros(DType.I64, 2, 4);
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool1d(2).forward(flat, flatIndices));
        assertEquals("MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,)):"
                + " input [2, 4], indices [2, 4]: expected a 3-D input"
                + " [batch, channels, length]", rows.getMessage());
        Tensor image = Tensor.zeros(1, 2, 4);
        Tensor imageIndices = Tensor.zeros(DType.I64, 1, 2, 4);
        IllegalArgumentException planes = assertThrows(IllegalArgumentException.class,
                () -> new MaxUnpool2d(2).forward(image, imageIndices));
        assertEquals("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)):"
                + " input [1, 2, 4], indices [1, 2, 4]: maxUnpool2d:"
                + " input [1, 2, 4]: expected a 4-D input [batch, channels, height, width]", planes.getMessage());
        IllegalArgumentException pooling = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool1d(2).forwardWithIndices(flat));
        assertEquals("MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False): input [2, 4]: expected a 3-D input [batch, channels,"
                + " length]", pooling.getMessage());
    }

    @Test
    void forwardWithoutIndicesSaysWhatToCall() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new MaxUnpool2d(2).forward(Tensor.zeros(1, 1, 2, 2)));
        assertEquals("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)):"
                + " unpooling needs the pooling's indices; call"
                + " forward(input, indices)", e.getMessage());
    }

    @Test
    void badSettingsNameTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MaxUnpool1d(2, 0));
        assertEquals("MaxUnpool1d: kernel and stride must be at least 1 and padding at least 0, got kernel 2, stride 0,"
                + " padding 0", e.getMessage());
    }

    @Test
    void unpoolingsHaveNoStateAndDescribeTheirSettings() {
        assertEquals("MaxUnpool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))", new MaxUnpool2d(3, 2, 1).toString());
        assertEquals(0, new MaxUnpool1d(2).stateDict().size());
    }
}
