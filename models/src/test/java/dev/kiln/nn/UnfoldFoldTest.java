package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Unfold} and {@link Fold} ({@link F#unfold} and {@link F#fold}): the columns of a convolution, fold as unfold's
 * adjoint, finite-difference gradients and the errors. PyTorch's numbers are in
 * {@link UnfoldPixelShufflePyTorchParityTest}.
 */
class UnfoldFoldTest {
    private static final int[] KERNEL = {3, 2};
    private static final int[] DILATION = {2, 1};
    private static final int[] PADDING = {1, 2};
    private static final int[] STRIDE = {2, 1};

    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(23);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "I64"})
    void eachRowHoldsOneTapOfEveryBlockInRowMajorOrder(DType dtype) {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3).to(dtype);
        Tensor cols = F.unfold(x, 2, 1, 0, 1);
        assertArrayEquals(new int[] {1, 4, 4}, cols.shape().dims());
        assertEquals(dtype, cols.dtype());
        assertValues(new double[] {1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}, cols, 0);
    }

    @Test
    void theFlattenedWeightTimesTheColumnsIsTheConvolution() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 7, 6);
        Tensor weight = Tensor.randn(DType.F64, 4, 3, KERNEL[0], KERNEL[1]);
        Tensor conv = F.conv2d(x, weight, null, STRIDE, PADDING, DILATION);
        Tensor cols = F.unfold(x, KERNEL, DILATION, PADDING, STRIDE);
        Tensor product = weight.reshape(4, 3 * KERNEL[0] * KERNEL[1]).matmul(cols);
        assertArrayEquals(new int[] {2, 3 * 6, 3 * 9}, cols.shape().dims());
        assertValues(conv.toDoubleArray(), product.reshape(conv.shape().dims()), 1e-12);
    }

    @Test
    void foldIsTheAdjointOfUnfold() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 7, 6);
        Tensor cols = Tensor.randn(DType.F64, 2, 3 * 6, 3 * 9);
        double unfolded = F.unfold(x, KERNEL, DILATION, PADDING, STRIDE).mul(cols).sum().item();
        double folded = x.mul(F.fold(cols, new int[] {7, 6}, KERNEL, DILATION, PADDING, STRIDE)).sum().item();
        assertEquals(unfolded, folded, 1e-12);
    }

    @Test
    void foldOfUnfoldedOnesCountsTheBlocksThatCoverEachPixel() {
        Tensor ones = Tensor.ones(DType.F64, 1, 1, 3, 4);
        Tensor counts = new Fold(new int[] {3, 4}, new int[] {2}, new int[] {1}, new int[] {0}, new int[] {1})
                .forward(new Unfold(2).forward(ones));
        assertValues(new double[] {1, 2, 2, 1, 2, 4, 4, 2, 1, 2, 2, 1}, counts, 0);
    }

    @Test
    void unfoldGradientsMatchFiniteDifferencesInF64() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 4).requiresGrad(true);
        Unfold unfold = new Unfold(KERNEL, DILATION, PADDING, STRIDE);
        GradCheck.check("Unfold kernel (3, 2), dilation (2, 1), padding (1, 2), stride (2, 1)",
                in -> unfold.forward(in[0]), x);
    }

    @Test
    void foldGradientsMatchFiniteDifferencesInF64() {
        Tensor cols = Tensor.randn(DType.F64, 2, 2 * 6, 2 * 7).requiresGrad(true);
        Fold fold = new Fold(new int[] {5, 4}, KERNEL, DILATION, PADDING, STRIDE);
        GradCheck.check("Fold output (5, 4), kernel (3, 2), dilation (2, 1), padding (1, 2), stride (2, 1)",
                in -> fold.forward(in[0]), cols);
    }

    @Test
    void anInputOfTheWrongRankIsRefusedNamingTheLayerAndTheShape() {
        assertEquals("Unfold(kernel_size=2, dilation=1, padding=0, stride=1): unfold: input"
                        + " [3, 4] must be 4-D [batch, channels, height, width] or 3-D [channels, height, width]",
                assertThrows(IllegalArgumentException.class, () -> new Unfold(2).forward(Tensor.zeros(3, 4)))
                        .getMessage());
        assertEquals("fold: input [81] must be 3-D [batch, channels * kernelH * kernelW, blocks] or 2-D"
                        + " [channels * kernelH * kernelW, blocks]",
                assertThrows(IllegalArgumentException.class, () -> F.fold(Tensor.zeros(81), 5, 3, 1, 0, 1))
                        .getMessage());
    }

    @Test
    void anUnbatchedImageUnfoldsAndFoldsAsABatchOfOneAsInPyTorch() {
        // F.unfold(torch.zeros(2, 5, 5), 3).shape is [18, 9]; F.fold(torch.zeros(18, 9), (5, 5), 3).shape is [2, 5, 5]
        Tensor image = Tensor.randn(DType.F64, 2, 5, 5).requiresGrad(true);
        Tensor columns = F.unfold(image, 3, 1, 0, 1);
        assertEquals(Shape.of(18, 9), columns.shape());
        assertArrayEquals(F.unfold(image.detach().unsqueeze(0), 3, 1, 0, 1).toDoubleArray(), columns.toDoubleArray(),
                0);
        Tensor folded = F.fold(columns, 5, 3, 1, 0, 1);
        assertEquals(Shape.of(2, 5, 5), folded.shape());
        folded.sum().backward();
        // Each pixel's gradient counts the 3x3 blocks that cover it: fold(unfold(ones)).
        assertArrayEquals(F.fold(F.unfold(Tensor.ones(DType.F64, 1, 2, 5, 5), 3, 1, 0, 1), 5, 3, 1, 0, 1)
                .toDoubleArray(), image.grad().toDoubleArray(), 0);
    }

    @Test
    void aKernelLargerThanThePaddedImageIsRefusedWithBothSizes() {
        assertEquals("unfold: the kernel 3 x 3 with dilation 2 x 2 spans 5 x 5, more than the input [1, 1, 4, 6]"
                        + " padded by 0 x 0 to 4 x 6",
                assertThrows(IllegalArgumentException.class, () -> F.unfold(Tensor.zeros(1, 1, 4, 6), 3, 2, 0, 1))
                        .getMessage());
        assertEquals("fold: the kernel 2 x 2 with dilation 1 x 1 spans 2 x 2, more than the output size 1 x 1"
                        + " padded by 0 x 0 to 1 x 1",
                assertThrows(IllegalArgumentException.class, () -> F.fold(Tensor.zeros(1, 4, 1), 1, 2, 1, 0, 1))
                        .getMessage());
    }

    @Test
    void foldRefusesColumnsThatDoNotFitTheKernelOrTheBlocks() {
        assertEquals("fold: input [1, 10, 9] has 10 rows, not a multiple of the kernel's 3 x 3 = 9 taps",
                assertThrows(IllegalArgumentException.class, () -> F.fold(Tensor.zeros(1, 10, 9), 5, 3, 1, 0, 1))
                        .getMessage());
        assertEquals("fold: input [1, 9, 10] has 10 blocks, but output size 5 x 5 with kernel 3 x 3, dilation 1 x 1,"
                        + " padding 0 x 0 and stride 1 x 1 has 3 x 3 = 9",
                assertThrows(IllegalArgumentException.class, () -> F.fold(Tensor.zeros(1, 9, 10), 5, 3, 1, 0, 1))
                        .getMessage());
    }

    @Test
    void parametersOutOfRangeAreRefusedNamingThem() {
        assertEquals("Unfold: kernel must be at least 1, got [0]",
                assertThrows(IllegalArgumentException.class, () -> new Unfold(0)).getMessage());
        assertEquals("Fold: padding must be at least 0, got [-1]",
                assertThrows(IllegalArgumentException.class, () -> new Fold(4, 2, 1, -1, 1)).getMessage());
        assertEquals("unfold: stride must be at least 1, got [1, 0]",
                assertThrows(IllegalArgumentException.class,
                        () -> F.unfold(Tensor.zeros(1, 1, 4, 4), new int[] {2}, null, null, new int[] {1, 0}))
                        .getMessage());
        assertEquals("fold: an output size is required",
                assertThrows(IllegalArgumentException.class,
                        () -> F.fold(Tensor.zeros(1, 4, 4), null, new int[] {2}, null, null, null)).getMessage());
    }

    @Test
    void layersPrintTheirSettingsAsPyTorchNamesThem() {
        assertEquals("Unfold(kernel_size=(3, 2), dilation=(2, 1), padding=(1, 2), stride=(2, 1))",
                new Unfold(KERNEL, DILATION, PADDING, STRIDE).toString());
        assertEquals("Fold(output_size=5, kernel_size=2, dilation=1, padding=0, stride=1)",
                new Fold(5, 2).toString());
    }
}
