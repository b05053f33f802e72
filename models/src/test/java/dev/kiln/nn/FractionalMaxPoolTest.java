package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link FractionalMaxPool2d} and {@link FractionalMaxPool3d}: windows, gradients, drawn samples and the errors. */
class FractionalMaxPoolTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** 0, 1, 2, ... shuffled: distinct values, so that finite differences see one maximum per window. */
    private static Tensor distinct(int... dims) {
        int n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i * 7919L % n) / (double) n;
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    /** In 10 positions to 4 windows of 2, alpha = 8/3: u = 0 gives starts 0, 2, 5 and the last at 10 - 2. */
    @Test
    void windowStartsFollowPyTorchsFormula() {
        assertArrayEquals(new int[] {0, 2, 5, 8}, FractionalWindows.starts(0, 10, 4, 2));
        assertArrayEquals(new int[] {0, 3, 5, 8}, FractionalWindows.starts(0.5, 10, 4, 2));
        assertArrayEquals(new int[] {3}, FractionalWindows.starts(0.7, 5, 1, 2));
    }

    /** 1.8f * (5f / 3) rounds below 3 in float arithmetic, while 1.8 * (5.0 / 3) in double does not. */
    @Test
    void floatArithmeticCanPlaceAWindowOneEarlier() {
        assertArrayEquals(new int[] {0, 2, 3, 5}, FractionalWindows.starts(0.8f, 6, 4, 1));
        assertArrayEquals(new int[] {0, 1, 3, 5}, FractionalWindows.startsInFloat(0.8f, 6, 4, 1));
    }

    @Test
    void eachOutputIsTheMaximumOfItsWindowAndTheIndexNamesIt() {
        // One plane of 4 x 4 to 2 x 2 by 2 x 2 windows: u = 0 along both axes gives starts 0 and 2, the even split.
        Tensor x = Tensor.fromArray(new double[] {
                1, 5, 2, 0,
                3, 4, 8, 7,
                9, 0, 1, 1,
                2, 6, 1, 3}, 1, 1, 4, 4);
        F.MaxPoolOutput pooled = FractionalMaxPool2d.withOutputSize(2, 2)
                .forwardWithIndices(x, Tensor.fromArray(new double[] {0, 0}, 1, 1, 2));
        assertArrayEquals(new double[] {5, 8, 9, 3}, pooled.output().toDoubleArray(), 0);
        assertArrayEquals(new long[] {1, 6, 8, 15}, pooled.indices().toLongArray());
    }

    @Test
    void tiedMaximaSendTheGradientToTheFirstInRowMajorOrder() {
        Tensor x = Tensor.fromArray(new double[] {2, 2, 2, 2}, 1, 1, 2, 2).requiresGrad(true);
        F.MaxPoolOutput pooled = FractionalMaxPool2d.withOutputSize(2, 1)
                .forwardWithIndices(x, Tensor.fromArray(new double[] {0.3, 0.6}, 1, 1, 2));
        pooled.output().sum().backward();
        assertArrayEquals(new long[] {0}, pooled.indices().toLongArray());
        assertArrayEquals(new double[] {1, 0, 0, 0}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = distinct(2, 3, 7, 6);
        Tensor u = Tensor.fromArray(new double[] {0.1, 0.9, 0.4, 0.6, 0.75, 0.2, 0.05, 0.5, 0.33, 0.66, 0.99, 0.0},
                2, 3, 2);
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(new int[] {3, 2}, new int[] {4, 4});
        GradCheck.check(pool.toString(), in -> pool.forward(in[0], u), x);
    }

    @Test
    void volumeGradientsMatchFiniteDifferences() {
        Tensor x = distinct(1, 2, 5, 4, 6);
        Tensor u = Tensor.fromArray(new double[] {0.1, 0.9, 0.4, 0.6, 0.75, 0.2}, 1, 2, 3);
        FractionalMaxPool3d pool = FractionalMaxPool3d.withOutputSize(new int[] {2, 2, 3}, new int[] {3, 2, 3});
        GradCheck.check(pool.toString(), in -> pool.forward(in[0], u), x);
    }

    @Test
    void samplesAreDrawnFromTheEnginesSeededStream() {
        Tensor x = distinct(2, 3, 11, 10).detach();
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputRatio(2, 0.5);
        Engine.seed(21);
        long[] first = pool.forwardWithIndices(x).indices().toLongArray();
        long[] second = pool.forwardWithIndices(x).indices().toLongArray();
        Engine.seed(21);
        assertArrayEquals(first, pool.forwardWithIndices(x).indices().toLongArray());
        assertFalse(Arrays.equals(first, second), "a second call draws new windows");
    }

    @Test
    void anOutputRatioRoundsTheInputSizeDown() {
        Tensor x = distinct(3, 11, 10).detach();
        assertArrayEquals(new int[] {3, 5, 5}, FractionalMaxPool2d.withOutputRatio(2, 0.5).forward(x).shape().dims());
        Tensor volume = distinct(1, 1, 9, 7, 5).detach();
        assertArrayEquals(new int[] {1, 1, 6, 2, 3}, FractionalMaxPool3d
                .withOutputRatio(new int[] {2, 1, 2}, new double[] {0.7, 0.3, 0.7}).forward(volume).shape().dims());
    }

    @Test
    void withoutGradientsOnlyTheOutputAndIndicesOutliveTheCall() {
        Tensor x = distinct(2, 3, 9, 9).detach();
        Tensor u = x.uniformLike(0, 1, Shape.of(2, 3, 2));
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(3, 4);
        List<Tensor> held;
        try (Autograd.Guard g = Autograd.noGrad()) {
            Scope inner = Scope.open();
            F.MaxPoolOutput pooled = pool.forwardWithIndices(x, u);
            held = inner.detach();
            assertEquals(List.of(pooled.output(), pooled.indices()), held, "tensors left in the caller's scope");
        }
        held.forEach(Tensor::close);
    }

    @Test
    void aCopyPoolsAsTheOriginal() {
        Tensor x = distinct(1, 2, 6, 5, 7).detach();
        Tensor u = Tensor.fromArray(new double[] {0.3, 0.1, 0.8, 0.5, 0.6, 0.2}, 1, 2, 3);
        FractionalMaxPool3d pool = FractionalMaxPool3d.withOutputRatio(2, 0.5);
        Module copy = pool.copy();
        assertEquals(pool.toString(), copy.toString());
        assertArrayEquals(pool.forward(x, u).toDoubleArray(), ((FractionalMaxPool3d) copy).forward(x, u).toDoubleArray(),
                0);
    }

    @Test
    void aKernelTooLargeForTheOutputAndInputIsRefused() {
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(3, 9);
        Tensor x = Tensor.zeros(DType.F64, 1, 1, 10, 12);
        assertEquals("FractionalMaxPool2d(kernel_size=(3, 3), output_size=(9, 9)): kernel height 3 too large for"
                + " output height 9 from input height 10 (output + kernel - 1 must not exceed the input)",
                assertThrows(IllegalArgumentException.class, () -> pool.forward(x)).getMessage());
    }

    @Test
    void anInputOfTheWrongRankIsRefusedNamingTheLayer() {
        FractionalMaxPool3d pool = FractionalMaxPool3d.withOutputSize(2, 2);
        assertEquals("FractionalMaxPool3d(kernel_size=(2, 2, 2), output_size=(2, 2, 2)): input [4, 5] must be"
                + " [batch, channels, depth, height, width] or unbatched [channels, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(DType.F64, 4, 5)))
                        .getMessage());
    }

    @Test
    void anIntegerInputIsRefused() {
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(1, 1);
        assertEquals("FractionalMaxPool2d(kernel_size=(1, 1), output_size=(1, 1)): input must be F32 or F64, got I64",
                assertThrows(IllegalArgumentException.class,
                        () -> pool.forward(Tensor.fromArray(new long[] {1, 2, 3, 4}, 1, 2, 2))).getMessage());
    }

    @Test
    void samplesOfTheWrongShapeOrRangeAreRefused() {
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(2, 3);
        Tensor x = Tensor.zeros(DType.F64, 2, 3, 6, 6);
        assertEquals("FractionalMaxPool2d(kernel_size=(2, 2), output_size=(3, 3)): samples must be floating"
                + " [2, 3, 2], got F64 [2, 3, 3]",
                assertThrows(IllegalArgumentException.class,
                        () -> pool.forward(x, Tensor.zeros(DType.F64, 2, 3, 3))).getMessage());
        assertEquals("FractionalMaxPool2d(kernel_size=(2, 2), output_size=(3, 3)): samples must lie in [0, 1),"
                + " got 1.0 at 0",
                assertThrows(IllegalArgumentException.class,
                        () -> pool.forward(x, Tensor.ones(DType.F64, 2, 3, 2))).getMessage());
    }

    /**
     * 2 planes x 32^3 outputs x 33^3 kernel elements is 2.36e9 window positions, past the 2^31 - 1 an array holds:
     * refused before the table is made, where an int count would wrap.
     */
    @Test
    void aWindowTablePastTheLargestArrayIsRefusedBeforeItIsMade() {
        FractionalMaxPool3d pool = FractionalMaxPool3d.withOutputSize(33, 32);
        Tensor x = Tensor.zeros(DType.F32, 1, 2, 64, 64, 64);
        assertEquals("FractionalMaxPool3d(kernel_size=(33, 33, 33), output_size=(32, 32, 32)): the window table of"
                + " 1 x 2 planes x [32, 32, 32] outputs x [33, 33, 33] kernel elements needs more than 2147483647"
                + " positions, the most one array holds; pool fewer planes or smaller outputs",
                assertThrows(IllegalArgumentException.class,
                        () -> pool.forward(x, Tensor.zeros(DType.F32, 1, 2, 3))).getMessage());
    }

    /** 512^2 outputs x 513^2 kernel elements of one plane: the count is past 2^31 before the planes multiply it. */
    @Test
    void aPlaneWhoseOutputsAndKernelAloneOverflowIsRefused() {
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputSize(513, 512);
        Tensor x = Tensor.zeros(DType.F32, 1, 1024, 1024);
        assertEquals("FractionalMaxPool2d(kernel_size=(513, 513), output_size=(512, 512)): the window table of"
                + " 1 x 1 planes x [512, 512] outputs x [513, 513] kernel elements needs more than 2147483647"
                + " positions, the most one array holds; pool fewer planes or smaller outputs",
                assertThrows(IllegalArgumentException.class, () -> pool.forward(x)).getMessage());
    }

    @Test
    void anOutputSizeOfZeroFromTheRatioIsRefused() {
        FractionalMaxPool2d pool = FractionalMaxPool2d.withOutputRatio(1, 0.25);
        assertEquals("FractionalMaxPool2d(kernel_size=(1, 1), output_ratio=(0.25, 0.25)): output height 0 from"
                + " input height 3 must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(DType.F64, 1, 3, 8)))
                        .getMessage());
    }

    @Test
    void badOptionsAreRefusedNamingTheLayer() {
        assertEquals("FractionalMaxPool2d: output ratio must be between 0 and 1 (exclusive), got [0.5, 1.0]",
                assertThrows(IllegalArgumentException.class,
                        () -> FractionalMaxPool2d.withOutputRatio(new int[] {2, 2}, new double[] {0.5, 1})).getMessage());
        assertEquals("FractionalMaxPool3d: kernel needs 3 sizes (depth, height, width), got 2",
                assertThrows(IllegalArgumentException.class,
                        () -> FractionalMaxPool3d.withOutputSize(new int[] {2, 2}, new int[] {2, 2, 2})).getMessage());
        assertEquals("FractionalMaxPool2d: output size must be at least 1, got [0, 3]",
                assertThrows(IllegalArgumentException.class,
                        () -> FractionalMaxPool2d.withOutputSize(new int[] {2, 2}, new int[] {0, 3})).getMessage());
    }
}
