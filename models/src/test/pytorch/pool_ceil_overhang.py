"""Prints PoolKernelPastPaddedInputPyTorchParityTest: max, average and power-average pooling (1-D, 2-D, 3-D, dilated
max pooling too) in ceil mode with a kernel that reaches past the padded input by 1 to stride - 1 (PyTorch's
pooling_output_shape then gives one window), with padding, and average pooling with count_include_pad both ways:
outputs, indices and the input gradient of a weighted sum of the outputs, in float64."""
from parity import *
import torch.nn as nn
import torch.nn.functional as Fn

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Poolings in ceil mode whose kernel reaches past the padded input by less than the stride, which PyTorch accepts
 * (its pooling_output_shape gives one window there) and whose windows it clips: {@link F#maxPool1dWithIndices},
 * {@link F#avgPool1d}, {@link F#maxPool2dWithIndices(Tensor, int[], int[], int[], int[], boolean)} (dilated too),
 * {@link F#avgPool2d(Tensor, int[], int[], int[], boolean, boolean)}, {@link F#maxPool3dWithIndices} (dilated too),
 * {@link LPPool1d} and {@link LPPool2d}, and {@link AvgPool3d}'s last windows past the padded input (PyTorch's
 * avg_pool3d asks the unpadded input to hold the kernel), against PyTorch 1.13's numbers (printed by
 * {@code models/src/test/pytorch/pool_ceil_overhang.py}): outputs, indices, and the input gradient of a weighted sum
 * of the outputs (see {@link PyTorchParity}), in F64 to 1e-12. Average pooling divides by the window clipped to the
 * padded input, or with {@code count_include_pad=False} to the input.
 */
class PoolKernelPastPaddedInputPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertValues(String what, Tensor actual, int[] shape, double... expected) {
        assertArrayEquals(shape, actual.shape().dims(), what + " shape");
        double[] values = actual.toDoubleArray();
        assertEquals(expected.length, values.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], 1e-12, what + " at " + i);
        }
    }

    private static void assertIndices(long[] expected, Tensor indices) {
        assertArrayEquals(expected, indices.toLongArray(), "indices " + indices.shape());
    }
'''


def longs(values):
    return "new long[] {" + ", ".join(str(int(v)) for v in values.reshape(-1)) + "}"


def dims(t):
    return "new int[] {" + ", ".join(str(d) for d in t.shape) + "}"


def ints(v):
    return "new int[] {" + ", ".join(str(d) for d in v) + "}"


def case(method, comment, x_dims, torch_call, java_call, indices=False, gradcheck=None):
    x = tensor(100, *x_dims)
    result = torch_call(x)
    y, idx = (result if indices else (result, None))
    backward([y], [200])
    print()
    print("    @Test")
    print("    void %s() {" % method)
    print("        // %s, PyTorch 1.13" % comment)
    print("        Tensor x = tensor(DType.F64, 100, %s);" % ", ".join(map(str, x_dims)))
    if indices:
        print("        F.MaxPoolOutput pooled = %s;" % java_call)
        print("        Tensor y = pooled.output();")
    else:
        print("        Tensor y = %s;" % java_call)
    print("        backward(200, y);")
    print()
    print('        assertValues("output", y, %s,\n                %s);' % (dims(y), fmt(y.detach().reshape(-1))))
    if indices:
        print("        assertIndices(%s, pooled.indices());" % longs(idx))
    print('        assertValues("input gradient", x.grad(), %s,\n                %s);' % (dims(x), fmt(x.grad.reshape(-1))))
    if gradcheck:
        print('        GradCheck.check("%s",\n                in -> %s,\n                tensor(DType.F64, 100, %s));'
              % (method, gradcheck, ", ".join(map(str, x_dims))))
    print("    }")


print(HEADER, end="")
print("\n    // ---- 1-D ----")
case("maxPool1dWindowPastThePaddedLengthKeepsItsInputPart",
     "F.max_pool1d(x, 6, 3, 1, ceil_mode=True, return_indices=True): length 3 padded to 5",
     [2, 2, 3], lambda x: Fn.max_pool1d(x, 6, 3, 1, ceil_mode=True, return_indices=True),
     "F.maxPool1dWithIndices(x, 6, 3, 1, 1, true)", indices=True)
case("dilatedMaxPool1dWindowPastThePaddedLengthReadsTheTapsInside",
     "F.max_pool1d(x, 4, 3, 1, dilation=2, ceil_mode=True, return_indices=True): span 7 over length 3 padded to 5",
     [2, 2, 3], lambda x: Fn.max_pool1d(x, 4, 3, 1, dilation=2, ceil_mode=True, return_indices=True),
     "F.maxPool1dWithIndices(x, 4, 3, 1, 2, true)", indices=True)
case("avgPool1dWindowPastThePaddedLengthDividesByThePaddedLength",
     "F.avg_pool1d(x, 7, 3, 2, ceil_mode=True): length 2 padded to 6",
     [2, 2, 2], lambda x: Fn.avg_pool1d(x, 7, 3, 2, ceil_mode=True),
     "F.avgPool1d(x, 7, 3, 2, true, true)", gradcheck="F.avgPool1d(in[0], 7, 3, 2, true, true)")
case("avgPool1dWindowPastThePaddedLengthWithoutPaddingCountedDividesByTheLength",
     "F.avg_pool1d(x, 7, 3, 2, ceil_mode=True, count_include_pad=False)",
     [2, 2, 2], lambda x: Fn.avg_pool1d(x, 7, 3, 2, ceil_mode=True, count_include_pad=False),
     "F.avgPool1d(x, 7, 3, 2, true, false)")
case("lpPool1dWindowPastTheLengthScalesTheClippedMeanByTheKernel",
     "nn.LPPool1d(2, 3, 2, ceil_mode=True)(x) on length 2",
     [2, 2, 2], lambda x: nn.LPPool1d(2, 3, 2, ceil_mode=True)(x),
     "new LPPool1d(2, 3, 2, true).forward(x)")

print("\n    // ---- 2-D ----")
case("maxPool2dWindowPastThePaddedInputOnBothAxesKeepsItsInputPart",
     "F.max_pool2d(x, (5, 4), (2, 3), (1, 0), ceil_mode=True, return_indices=True): 2 x 3 padded to 4 x 3",
     [1, 2, 2, 3], lambda x: Fn.max_pool2d(x, (5, 4), (2, 3), (1, 0), ceil_mode=True, return_indices=True),
     "F.maxPool2dWithIndices(x, new int[] {5, 4}, new int[] {2, 3}, new int[] {1, 0}, true)", indices=True,
     gradcheck="F.maxPool2d(in[0], new int[] {5, 4}, new int[] {2, 3}, new int[] {1, 0}, true)")
case("squeezeNetsLastPoolingOfATwoByTwoInputIsItsMaximum",
     "F.max_pool2d(x, 3, 2, ceil_mode=True, return_indices=True) on 2 x 2, SqueezeNet's smallest input",
     [1, 3, 2, 2], lambda x: Fn.max_pool2d(x, 3, 2, ceil_mode=True, return_indices=True),
     "F.maxPool2dWithIndices(x, new int[] {3}, new int[] {2}, new int[] {0}, true)", indices=True)
case("dilatedMaxPool2dWindowPastTheInputReadsTheTapsInside",
     "F.max_pool2d(x, 3, 3, 0, dilation=2, ceil_mode=True, return_indices=True): span 5 over 3 x 4",
     [1, 2, 3, 4], lambda x: Fn.max_pool2d(x, 3, 3, 0, dilation=2, ceil_mode=True, return_indices=True),
     "F.maxPool2dWithIndices(x, new int[] {3}, new int[] {3}, new int[] {0},\n                new int[] {2}, true)", indices=True)
case("avgPool2dWindowPastThePaddedInputDividesByThePaddedInput",
     "F.avg_pool2d(x, (5, 6), 2, 1, ceil_mode=True): 2 x 3 padded to 4 x 5",
     [1, 2, 2, 3], lambda x: Fn.avg_pool2d(x, (5, 6), 2, 1, ceil_mode=True),
     "F.avgPool2d(x, new int[] {5, 6}, new int[] {2}, new int[] {1}, true, true)",
     gradcheck="F.avgPool2d(in[0], new int[] {5, 6}, new int[] {2}, new int[] {1}, true, true)")
case("avgPool2dWindowPastThePaddedInputWithoutPaddingCountedDividesByTheInput",
     "F.avg_pool2d(x, (5, 6), 2, 1, ceil_mode=True, count_include_pad=False)",
     [1, 2, 2, 3], lambda x: Fn.avg_pool2d(x, (5, 6), 2, 1, ceil_mode=True, count_include_pad=False),
     "F.avgPool2d(x, new int[] {5, 6}, new int[] {2}, new int[] {1}, true, false)")
case("avgPool2dWindowPastTheInputAlongOneAxisOnlyClipsThatAxis",
     "F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True) on 2 x 7: height padded to 4",
     [1, 2, 2, 7], lambda x: Fn.avg_pool2d(x, (5, 3), 2, (1, 1), ceil_mode=True),
     "F.avgPool2d(x, new int[] {5, 3}, new int[] {2}, new int[] {1}, true, true)")
case("lpPool2dWindowPastTheInputScalesTheClippedMeanByTheKernel",
     "nn.LPPool2d(2, 3, 2, ceil_mode=True)(x) on 2 x 2",
     [1, 2, 2, 2], lambda x: nn.LPPool2d(2, 3, 2, ceil_mode=True)(x),
     "new LPPool2d(2, 3, 2, true).forward(x)")

print("\n    // ---- 3-D ----")
case("maxPool3dWindowPastThePaddedInputOnEveryAxisKeepsItsInputPart",
     "F.max_pool3d(x, (3, 6, 5), (2, 3, 2), (0, 1, 1), ceil_mode=True, return_indices=True): 2 x 3 x 2",
     [1, 2, 2, 3, 2], lambda x: Fn.max_pool3d(x, (3, 6, 5), (2, 3, 2), (0, 1, 1), ceil_mode=True,
                                             return_indices=True),
     "F.maxPool3dWithIndices(x, new int[] {3, 6, 5}, new int[] {2, 3, 2},\n                new int[] {0, 1, 1}, null, true)",
     indices=True)
case("dilatedMaxPool3dWindowPastTheInputReadsTheTapsInside",
     "F.max_pool3d(x, 2, 3, 0, dilation=(3, 2, 3), ceil_mode=True, return_indices=True) on 2 x 2 x 3",
     [1, 2, 2, 2, 3], lambda x: Fn.max_pool3d(x, 2, 3, 0, dilation=(3, 2, 3), ceil_mode=True, return_indices=True),
     "F.maxPool3dWithIndices(x, new int[] {2}, new int[] {3}, new int[] {0},\n                new int[] {3, 2, 3}, true)",
     indices=True)
# avg_pool3d also asks every axis of the input to hold the kernel (pool3d_shape_check's check_input_size), so its
# windows reach past the padded input only where the stride leaves the last one hanging over.
case("avgPool3dLastWindowsPastThePaddedInputDivideByWhatTheyCoverOfIt",
     "nn.AvgPool3d(3, 2, 1, ceil_mode=True)(x) on 3 x 4 x 5",
     [1, 1, 3, 4, 5], lambda x: nn.AvgPool3d(3, 2, 1, ceil_mode=True)(x),
     "new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, true).forward(x)",
     gradcheck="new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, true).forward(in[0])")
case("avgPool3dLastWindowsPastThePaddedInputWithoutPaddingCountedDivideByTheirInputElements",
     "nn.AvgPool3d(3, 2, 1, ceil_mode=True, count_include_pad=False)(x) on 3 x 4 x 5",
     [1, 1, 3, 4, 5], lambda x: nn.AvgPool3d(3, 2, 1, ceil_mode=True, count_include_pad=False)(x),
     "new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, false).forward(x)")
print("}")
