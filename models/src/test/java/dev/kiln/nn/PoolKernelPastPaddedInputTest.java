package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.PoolOutputSize;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Which poolings PyTorch 1.13 accepts when the kernel reaches past the padded input: in ceil mode by up to the stride
 * less one (one window, {@link PoolOutputSize}), never otherwise; refused ones name the op, the sizes and why, as
 * PyTorch's "Output size is too small" does. The values of accepted ones are in
 * {@link PoolKernelPastPaddedInputPyTorchParityTest}.
 */
class PoolKernelPastPaddedInputTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static String refusal(Executable pooling) {
        return assertThrows(IllegalArgumentException.class, pooling).getMessage();
    }

    @Test
    void outputSizesFollowPyTorchsRuleWithItsFlooredDivision() {
        // the widths of F.max_pool2d(torch.zeros(1, 1, 1, size), (1, kernel), (1, stride), (0, padding), (1, dilation),
        // ceil_mode) in PyTorch 1.13, 0 where it refuses ("Output size is too small")
        assertEquals(1, PoolOutputSize.of(2, 3, 2, 0, 1, true), "3 over 2 at stride 2, ceil");
        assertEquals(0, PoolOutputSize.of(2, 3, 2, 0, 1, false), "3 over 2 at stride 2, floor");
        assertEquals(0, PoolOutputSize.of(2, 3, 1, 0, 1, true), "3 over 2 at stride 1, ceil");
        assertEquals(0, PoolOutputSize.of(2, 4, 2, 0, 1, true), "4 over 2 at stride 2, ceil: -1 / 2 floors to -1");
        assertEquals(1, PoolOutputSize.of(3, 6, 3, 1, 1, true), "6 over 3 padded by 1 at stride 3, ceil");
        assertEquals(1, PoolOutputSize.of(3, 4, 3, 1, 2, true), "4 dilated by 2 over 3 padded by 1 at stride 3");
        assertEquals(3, PoolOutputSize.of(7, 3, 2, 0, 1, true), "SqueezeNet's 7 to 3");
        assertEquals(3, PoolOutputSize.of(5, 2, 2, 1, 1, true), "a last window starting in the padding is dropped");
    }

    @Test
    void ceilModeTakesAKernelPastThePaddedInputByLessThanTheStrideInEveryPooling() {
        Tensor row = Tensor.zeros(1, 2, 3);
        Tensor plane = Tensor.zeros(1, 2, 2, 3);
        Tensor volume = Tensor.zeros(1, 2, 2, 3, 2);
        assertArrayEquals(new int[] {1, 2, 1}, F.maxPool1d(row, 6, 3, 1, 1, true).shape().dims());
        assertArrayEquals(new int[] {1, 2, 1}, F.avgPool1d(row, 6, 3, 1, true, false).shape().dims());
        assertArrayEquals(new int[] {1, 2, 1}, new MaxPool1d(6, 3, 1, 1, true).forward(row).shape().dims());
        assertArrayEquals(new int[] {1, 2, 1}, new LPPool1d(2, 4, 2, true).forward(row).shape().dims());
        assertArrayEquals(new int[] {1, 2, 1, 1}, F.maxPool2d(plane, new int[] {5, 4}, new int[] {2, 3},
                new int[] {1, 0}, true).shape().dims());
        assertArrayEquals(new int[] {1, 2, 1, 1}, F.avgPool2d(plane, new int[] {5, 6}, new int[] {2}, new int[] {1},
                true, true).shape().dims());
        assertArrayEquals(new int[] {1, 2, 1, 1}, new LPPool2d(2, 3, 2, true).forward(plane).shape().dims());
        assertArrayEquals(new int[] {1, 2, 1, 1, 1}, new MaxPool3d(new int[] {3, 6, 5}, new int[] {2, 3, 2},
                new int[] {0, 1, 1}, true).forward(volume).shape().dims());
    }

    @Test
    void floorModeRefusesAKernelPastThePaddedInputNamingTheSizes() {
        assertEquals("maxPool2d: input [1, 1, 2, 2] and kernel 3 x 3 (stride 2 x 2, padding 0 x 0): the output size"
                + " 0 x 0 is too small: the kernel is larger than the padded input 2 x 2",
                refusal(() -> F.maxPool2d(Tensor.zeros(1, 1, 2, 2), 3, 2, 0)));
        assertEquals("maxPool1d: input [1, 2, 3] (kernel 7, stride 1, padding 1, dilation 1): the output length -1 is"
                + " too small: the kernel spans 7, more than the length 3 padded by 1 on each end",
                refusal(() -> F.maxPool1d(Tensor.zeros(1, 2, 3), 7, 1, 1, 1, false)));
    }

    @Test
    void ceilModeRefusesAKernelPastThePaddedInputByTheStrideOrMore() {
        assertEquals("avgPool2d: input [1, 1, 2, 2] and kernel 4 x 4 (stride 2 x 2, padding 0 x 0, ceil mode): the"
                + " output size 0 x 0 is too small: the kernel is larger than the padded input 2 x 2 by the stride or"
                + " more",
                refusal(() -> F.avgPool2d(Tensor.zeros(1, 1, 2, 2), 4, 2, 0, true, true)));
        assertEquals("avgPool1d: input [1, 2, 2] (kernel 4, stride 2, padding 0, ceil mode): the output length 0 is"
                + " too small: the kernel spans 4, more than the length 2 padded by 0 on each end by the stride or"
                + " more",
                refusal(() -> F.avgPool1d(Tensor.zeros(1, 2, 2), 4, 2, 0, true, true)));
        assertEquals("maxPool3d: input [1, 1, 2, 2, 2]: the output depth 0 is too small: the kernel's span 3 along the"
                + " depth (kernel 3, stride 1, padding 0, dilation 1) is larger than the padded input's 2 by the"
                + " stride 1 or more",
                refusal(() -> F.maxPool3d(Tensor.zeros(1, 1, 2, 2, 2), new int[] {3}, new int[] {1}, null, null,
                        true)));
        assertEquals("MaxPool3d(kernel_size=3, stride=1, padding=0, dilation=1, ceil_mode=True): input [1, 1, 2, 2, 2]: the kernel 3 is"
                + " larger than the depth 2 padded by 0 on each side by the stride 1 or more",
                refusal(() -> new MaxPool3d(new int[] {3}, new int[] {1}, new int[] {0}, true).forward(
                        Tensor.zeros(1, 1, 2, 2, 2))));
    }

    @Test
    void avgPool3dRefusesAKernelPastTheUnpaddedInputAsPyTorchsAvgPool3dDoes() {
        // nn.AvgPool3d(3, 2, 1)(torch.zeros(1, 1, 2, 4, 4)), PyTorch 1.13: "input image (T: 2 H: 4 W: 4) smaller than
        // kernel size (kT: 3 kH: 3 kW: 3)", though the padded depth 4 holds the kernel
        assertEquals("AvgPool3d(kernel_size=3, stride=2, padding=1): input [1, 1, 2, 4, 4]: its depth x height x width 2x4x4"
                + " is smaller than the kernel 3x3x3 along the depth, padding aside",
                refusal(() -> new AvgPool3d(3, 2, 1).forward(Tensor.zeros(1, 1, 2, 4, 4))));
    }

    /** PyTorch 1.13's max_pool1d of a CPU input that records no gradient: [.., 0] where no window fits. */
    @Test
    void maxPool1dWithoutAGradientGivesAnEmptyOutputWhereNoWindowFits() {
        assertArrayEquals(new int[] {1, 2, 0}, F.maxPool1d(Tensor.zeros(1, 2, 3), 6, 3, 1, 1, false).shape().dims());
        assertArrayEquals(new int[] {2, 0}, F.maxPool1d(Tensor.zeros(2, 3), 2, 1, 0, 3, false).shape().dims());
        assertArrayEquals(new int[] {1, 1, 0}, new MaxPool1d(3, 1, 0, 1, false).forward(Tensor.zeros(1, 1, 2))
                .shape().dims());
        Tensor x = Tensor.zeros(1, 1, 2).requiresGrad(true);
        try (Autograd.Guard off = Autograd.noGrad()) {
            assertArrayEquals(new int[] {1, 1, 0}, F.maxPool1d(x, 3, 1, 0, 1, false).shape().dims());
        }
    }

    /** PyTorch 1.13 takes max_pool1d_with_indices for these, which refuses an output of 0 ("too small"). */
    @Test
    void maxPool1dRefusesNoWindowsWhereItRecordsAGradientOrReturnsIndices() {
        assertEquals("maxPool1d: input [1, 1, 2] (kernel 3, stride 1, padding 0, dilation 1): the output length 0 is"
                + " too small: the kernel spans 3, more than the length 2 padded by 0 on each end",
                refusal(() -> F.maxPool1d(Tensor.zeros(1, 1, 2).requiresGrad(true), 3, 1, 0, 1, false)));
        assertEquals("maxPool1d: input [1, 1, 2] (kernel 2, stride 1, padding 0, dilation 2): the output length 0 is"
                + " too small: the kernel spans 3, more than the length 2 padded by 0 on each end",
                refusal(() -> F.maxPool1dWithIndices(Tensor.zeros(1, 1, 2), 2, 1, 0, 2, false)));
        assertEquals("MaxPool1d(kernel_size=3, stride=1, padding=0, dilation=1, ceil_mode=False): input [1, 1, 2]: the kernel 3 is longer than the"
                + " length 2 padded by 0 on each end", refusal(() -> new MaxPool1d(3, 1, 0, 1, false)
                        .forwardWithIndices(Tensor.zeros(1, 1, 2))));
    }

    /** avg_pool1d, max_pool2d and max_pool3d of PyTorch 1.13 refuse an output of 0 whatever the gradient. */
    @Test
    void theOtherPoolingsRefuseAnOutputOf0NamingTheirSettings() {
        assertEquals("avgPool1d: input [1, 1, 2] (kernel 3, stride 1, padding 0): the output length 0 is too small:"
                + " the kernel spans 3, more than the length 2 padded by 0 on each end",
                refusal(() -> F.avgPool1d(Tensor.zeros(1, 1, 2), 3, 1, 0, false, true)));
        assertEquals("maxPool2d: input [1, 1, 2, 5] and kernel 3 x 3 (stride 1 x 1, padding 0 x 0): the output size"
                + " 0 x 3 is too small: the kernel is larger than the padded input 2 x 5",
                refusal(() -> F.maxPool2d(Tensor.zeros(1, 1, 2, 5), 3, 1, 0)));
        assertEquals("maxPool3d: input [1, 1, 2, 5, 5]: the output depth 0 is too small: the kernel's span 3 along the"
                + " depth (kernel 3, stride 1, padding 0, dilation 1) is larger than the padded input's 2",
                refusal(() -> F.maxPool3d(Tensor.zeros(1, 1, 2, 5, 5), new int[] {3}, new int[] {1}, null, null,
                        false)));
    }
}
