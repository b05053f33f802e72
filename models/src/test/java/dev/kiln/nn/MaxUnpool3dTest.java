package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * {@link MaxPool3d#forwardWithIndices} and {@link MaxUnpool3d}: what the indices name, the unpooled volumes, where
 * repeated indices leave a value, gradients against finite differences, and the errors (PyTorch's numbers are in
 * {@link UnpoolBagPyTorchParityTest}).
 */
class MaxUnpool3dTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(8);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A 2 x 2 x 2 cube, zero but 5 at (0, 1, 0) and at (1, 0, 0). */
    private static Tensor cubeWithTwoMaxima() {
        double[] v = new double[8];
        v[2] = 5;
        v[4] = 5;
        return Tensor.fromArray(v, 1, 1, 2, 2, 2);
    }

    @Test
    void indicesNameEachMaximumsFlatPositionInItsChannelsVolume() {
        double[] v = new double[2 * 2 * 4 * 4];
        v[16 + 4 + 1] = 3;
        v[32 + 16 + 12 + 3] = 7;
        F.MaxPoolOutput pooled = new MaxPool3d(2).forwardWithIndices(Tensor.fromArray(v, 1, 2, 2, 4, 4));
        assertArrayEquals(new double[] {3, 0, 0, 0, 0, 0, 0, 7}, pooled.output().toDoubleArray(), 0);
        assertArrayEquals(new long[] {21, 2, 8, 10, 0, 2, 8, 31}, pooled.indices().toLongArray());
        assertEquals(DType.I64, pooled.indices().dtype());
    }

    /** Depth outranks height: the maximum at (0, 1, 0) comes before the one at (1, 0, 0). */
    @Test
    void tiedMaximaGiveTheFirstInDepthHeightWidthOrder() {
        F.MaxPoolOutput pooled = new MaxPool3d(2).forwardWithIndices(cubeWithTwoMaxima());
        assertArrayEquals(new long[] {2}, pooled.indices().toLongArray());
    }

    @Test
    void unpoolingPutsEachValueAtItsIndexAndZerosElsewhere() {
        F.MaxPoolOutput pooled = new MaxPool3d(2).forwardWithIndices(cubeWithTwoMaxima());
        Tensor y = new MaxUnpool3d(2).forward(pooled.output(), pooled.indices());
        assertArrayEquals(new double[] {0, 0, 5, 0, 0, 0, 0, 0}, y.toDoubleArray(), 0);
    }

    /** Two depth windows share the maximum 9 at depth 2; unpooling other values there keeps the later window's. */
    @Test
    void aRepeatedIndexKeepsTheLaterValueAsPyTorchsCpu() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 9, 3, 4}, 1, 1, 5, 1, 1);
        int[] kernel = {3, 1, 1};
        int[] stride = {2, 1, 1};
        F.MaxPoolOutput pooled = new MaxPool3d(kernel, stride, new int[] {0}, false).forwardWithIndices(x);
        assertArrayEquals(new long[] {2, 2}, pooled.indices().toLongArray());
        Tensor z = Tensor.fromArray(new float[] {10, 20}, 1, 1, 2, 1, 1);
        assertArrayEquals(new float[] {0, 0, 20, 0, 0},
                new MaxUnpool3d(kernel, stride, new int[] {0}).forward(z, pooled.indices()).toFloatArray());
    }

    /** Indices name positions of the pooling's input volume, so a pooling that rounded down is undone to its size. */
    @Test
    void unpoolingToThePoolingsInputSizeRestoresItsMaxima() {
        Tensor x = Tensor.randn(2, 3, 5, 7, 9);
        F.MaxPoolOutput pooled = new MaxPool3d(2).forwardWithIndices(x);
        Tensor y = new MaxUnpool3d(2).forward(pooled.output(), pooled.indices(), new int[] {5, 7, 9});
        assertArrayEquals(new int[] {2, 3, 5, 7, 9}, y.shape().dims());
        assertArrayEquals(pooled.output().toFloatArray(), y.reshape(2, 3, 315)
                .gather(2, pooled.indices().reshape(2, 3, 24)).toFloatArray());
    }

    @Test
    void unbatchedVolumesPoolAndUnpoolWithoutABatchAxis() {
        Tensor x = Tensor.randn(3, 4, 4, 6);
        F.MaxPoolOutput pooled = new MaxPool3d(2).forwardWithIndices(x);
        assertArrayEquals(new int[] {3, 2, 2, 3}, pooled.indices().shape().dims());
        Tensor y = new MaxUnpool3d(2).forward(pooled.output(), pooled.indices());
        assertArrayEquals(new int[] {3, 4, 4, 6}, y.shape().dims());
        assertEquals(pooled.output().sum().item(), y.sum().item(), 1e-4);
    }

    @Test
    void poolingWithIndicesGradientMatchesFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 4, 6).requiresGrad(true);
        MaxPool3d pool = new MaxPool3d(new int[] {2, 3, 2}, new int[] {1, 2, 2}, new int[] {1, 1, 0},
                new int[] {2, 1, 2}, true);
        GradCheck.check("MaxPool3d with indices", in -> pool.forwardWithIndices(in[0]).output(), x);
    }

    @Test
    void unpoolingGradientMatchesFiniteDifferencesInF64() {
        Tensor indices = new MaxPool3d(2).forwardWithIndices(Tensor.randn(DType.F64, 2, 2, 4, 4, 6)).indices();
        Tensor z = Tensor.randn(DType.F64, 2, 2, 2, 2, 3).requiresGrad(true);
        MaxUnpool3d unpool = new MaxUnpool3d(2);
        GradCheck.check("MaxUnpool3d", in -> unpool.forward(in[0], indices, new int[] {5, 4, 7}), z);
    }

    /** Windows that do not overlap, so that no index repeats (where one does, PyTorch's gradient counts it twice). */
    @Test
    void poolingThenUnpoolingGradientMatchesFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 5, 5, 5).requiresGrad(true);
        int[] kernel = {2, 3, 2};
        int[] padding = {1, 1, 0};
        MaxPool3d pool = new MaxPool3d(kernel, null, padding, false);
        MaxUnpool3d unpool = new MaxUnpool3d(kernel, null, padding);
        GradCheck.check("MaxPool3d then MaxUnpool3d", in -> {
            F.MaxPoolOutput pooled = pool.forwardWithIndices(in[0]);
            return unpool.forward(pooled.output().mul(pooled.output()), pooled.indices(), new int[] {5, 5, 5});
        }, x);
    }

    /** f(z) = sum(unpool(z)^2) with distinct indices: its Hessian is 2 I, so a Hessian-vector product is 2 v. */
    @Test
    void unpoolingsGradientCanBeDifferentiatedAgain() {
        Tensor indices = new MaxPool3d(2).forwardWithIndices(Tensor.randn(DType.F64, 1, 2, 4, 4, 4)).indices();
        Tensor z = Tensor.randn(DType.F64, 1, 2, 2, 2, 2);
        Tensor v = Tensor.randn(DType.F64, 1, 2, 2, 2, 2);
        MaxUnpool3d unpool = new MaxUnpool3d(2);
        Tensor product = AutogradFunctional.hvp(in -> unpool.forward(in.get(0), indices).square().sum(),
                List.of(z), List.of(v)).get(0);
        assertArrayEquals(v.mul(2.0).toDoubleArray(), product.toDoubleArray(), 1e-12);
    }

    /**
     * f(x) = sum(maxPool3d(x)^2) over windows that do not overlap: its Hessian is 2 at each window's maximum and 0
     * elsewhere, so a Hessian-vector product is 2 v at the maxima, which the indices name.
     */
    @Test
    void poolingsGradientCanBeDifferentiatedAgain() {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 4, 4, 4);
        Tensor v = Tensor.randn(DType.F64, 1, 2, 4, 4, 4);
        MaxPool3d pool = new MaxPool3d(2);
        Tensor indices = pool.forwardWithIndices(x).indices();
        Tensor product = AutogradFunctional.hvp(in -> pool.forward(in.get(0)).square().sum(),
                List.of(x), List.of(v)).get(0);
        Tensor atMaxima = v.mul(2.0).reshape(2, 64).gather(1, indices.reshape(2, 8));
        Tensor expected = new MaxUnpool3d(2).forward(atMaxima.reshape(1, 2, 2, 2, 2), indices);
        assertArrayEquals(expected.toDoubleArray(), product.toDoubleArray(), 1e-12);
    }

    @Test
    void indicesOfAnotherShapeOrDtypeAreRefusedNamingBothShapes() {
        Tensor x = Tensor.zeros(1, 1, 2, 2, 2);
        Tensor wrongShape = Tensor.zeros(DType.I64, 1, 1, 2, 2, 3);
        assertEquals("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)):"
                + " input [1, 1, 2, 2, 2], indices [1, 1, 2, 2, 3]:"
                + " maxUnpool3d: indices [1, 1, 2, 2, 3] I64 must be I64 of the input's shape [1, 1, 2, 2, 2]",
                assertThrows(IllegalArgumentException.class, () -> new MaxUnpool3d(2).forward(x, wrongShape))
                        .getMessage());
        assertEquals("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)):"
                + " input [1, 1, 2, 2, 2], indices [1, 1, 2, 2, 2]:"
                + " maxUnpool3d: indices [1, 1, 2, 2, 2] F32 must be I64 of the input's shape [1, 1, 2, 2, 2]",
                assertThrows(IllegalArgumentException.class, () -> new MaxUnpool3d(2).forward(x, Tensor.zeros(1, 1, 2,
                        2, 2))).getMessage());
    }

    @Test
    void anIndexOutsideTheOutputVolumeIsRefusedWithTheVolume() {
        Tensor x = Tensor.zeros(1, 1, 1, 1, 2);
        Tensor indices = Tensor.fromArray(new long[] {0, 32}, 1, 1, 1, 1, 2);
        assertEquals("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)):"
                + " input [1, 1, 1, 1, 2], indices [1, 1, 1, 1, 2]:"
                + " maxUnpool3d: index 32 is outside the output volume 2 x 2 x 4 (indices in [0, 16))",
                assertThrows(IllegalArgumentException.class, () -> new MaxUnpool3d(2).forward(x, indices))
                        .getMessage());
    }

    @Test
    void anOutputSizeBeyondAStrideOfTheDefaultIsRefusedWithTheRange() {
        Tensor x = Tensor.zeros(1, 1, 2, 2, 2);
        Tensor indices = Tensor.zeros(DType.I64, 1, 1, 2, 2, 2);
        assertEquals("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)):"
                + " input [1, 1, 2, 2, 2], indices [1, 1, 2, 2, 2]:"
                + " maxUnpool3d: output size [4, 6, 4] for input [1, 1, 2, 2, 2]: height must be between 2 and 6"
                + " exclusive", assertThrows(IllegalArgumentException.class,
                        () -> new MaxUnpool3d(2).forward(x, indices, new int[] {4, 6, 4})).getMessage());
        assertEquals("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)):"
                + " input [1, 1, 2, 2, 2], indices [1, 1, 2, 2, 2]:"
                + " maxUnpool3d: output size must be (depth, height, width), got [4, 4]",
                assertThrows(IllegalArgumentException.class,
                        () -> new MaxUnpool3d(2).forward(x, indices, new int[] {4, 4})).getMessage());
    }

    @Test
    void inputsOfTheWrongRankAreRefusedNamingTheLayer() {
        Tensor image = Tensor.zeros(1, 2, 4);
        Tensor imageIndices = Tensor.zeros(DType.I64, 1, 2, 4);
        assertEquals("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)):"
                + " input [1, 2, 4], indices [1, 2, 4]: maxUnpool3d:"
                + " input [1, 2, 4]: expected a 5-D input [batch, channels, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> new MaxUnpool3d(2).forward(image, imageIndices))
                        .getMessage());
        assertEquals("MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False): input [1, 2, 4] must be [batch, channels, depth,"
                + " height, width] or unbatched [channels, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> new MaxPool3d(2).forwardWithIndices(image))
                        .getMessage());
    }

    @Test
    void forwardWithoutIndicesSaysWhatToCall() {
        assertEquals("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)):"
                + " unpooling needs the pooling's indices; call"
                + " forward(input, indices)", assertThrows(UnsupportedOperationException.class,
                        () -> new MaxUnpool3d(2).forward(Tensor.zeros(1, 1, 2, 2, 2))).getMessage());
    }

    @Test
    void badSettingsNameTheLayer() {
        assertEquals("MaxUnpool3d: stride must be at least 1, got [2, 0, 2]", assertThrows(
                IllegalArgumentException.class, () -> new MaxUnpool3d(new int[] {2}, new int[] {2, 0, 2},
                        new int[] {0})).getMessage());
        assertEquals("MaxUnpool3d: padding must hold one value or three (depth, height, width), got [0, 0]",
                assertThrows(IllegalArgumentException.class, () -> new MaxUnpool3d(new int[] {2}, null,
                        new int[] {0, 0})).getMessage());
    }

    @Test
    void unpoolingsHaveNoStateAndDescribeTheirSettings() {
        assertEquals("MaxUnpool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=(0, 0, 0))",
                new MaxUnpool3d(new int[] {1, 2, 2}, null, new int[] {0}).toString());
        assertEquals("MaxUnpool3d(kernel_size=(3, 3, 3), stride=(2, 2, 2), padding=(1, 1, 1))", new MaxUnpool3d(3, 2, 1).toString());
        assertEquals(0, new MaxUnpool3d(2).stateDict().size());
    }
}
