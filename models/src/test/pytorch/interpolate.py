"""Prints InterpolatePyTorchParityTest: F.interpolate in every mode, up and down, to sizes and by fractional factors
(used as given and recomputed), align_corners both ways, on 3-D, 4-D and 5-D inputs; bilinear and bicubic with
antialias."""
import torch.nn.functional as F
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#interpolate} against PyTorch's own numbers (printed by {@code models/src/test/pytorch/interpolate.py}):
 * every mode, up and down, to a size and by fractional factors (used as given, whose source positions differ from a
 * size's, and recomputed), align_corners both ways, on sequences, images and volumes, and bilinear and bicubic with
 * antialias, shrinking and growing; outputs and the input's gradient
 * for a weighted sum of the output (see {@link PyTorchParity}). Where PyTorch 1.13's backward pass is not the gradient
 * of its forward pass (nearest at twice or the same size by another factor) only the output is compared.
 */
class InterpolatePyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }
'''

MODES = {"nearest": "NEAREST", "nearest-exact": "NEAREST_EXACT", "linear": "LINEAR", "bilinear": "BILINEAR",
         "bicubic": "BICUBIC", "trilinear": "TRILINEAR", "area": "AREA"}


def ints(values):
    return ", ".join(map(str, values))


def doubles(values):
    return ", ".join(repr(float(v)) for v in values)


def case(method, dims, mode, size=None, factor=None, align=False, recompute=False, gradient=True, antialias=False):
    args = []
    if size is not None:
        args.append("size=%s" % (size if len(size) > 1 else size[0],))
    if factor is not None:
        args.append("scale_factor=%s" % (tuple(factor) if len(factor) > 1 else factor[0],))
    args.append("mode='%s'" % mode)
    if align:
        args.append("align_corners=True")
    if recompute:
        args.append("recompute_scale_factor=True")
    if antialias:
        args.append("antialias=True")
    title = "F.interpolate(x, %s) on %s" % (", ".join(args), dims)
    java_size = "new int[] {%s}" % ints(size) if size is not None else "null"
    java_factor = "new double[] {%s}" % doubles(factor) if factor is not None else "null"
    java = "F.interpolate(x, %s, %s, InterpolationMode.%s, %s, %s%s)" % (
        java_size, java_factor, MODES[mode], str(align).lower(), str(recompute).lower(), ", true" if antialias else "")
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        Tensor x = tensor(dtype, 100, %s);" % ints(dims))
    line = "        Tensor y = %s;" % java
    if len(line) > 120:
        line = "        Tensor y = %s\n                %s;" % (java[:java.index("(") + 1], java[java.index("(") + 1:])
    print(line)
    x = tensor(100, *dims)
    y = F.interpolate(x, size=size if size is None or len(size) > 1 else size[0],
                      scale_factor=factor if factor is None or len(factor) > 1 else factor[0], mode=mode,
                      align_corners=True if align else None, recompute_scale_factor=True if recompute else None,
                      antialias=antialias)
    if gradient:
        print("        backward(200, y);")
        backward([y], [200])
    print()
    print("        assertArrayEquals(new int[] {%s}, y.shape().dims());" % ints(y.shape))
    emit_values("output", "y", y)
    if gradient:
        emit_values("input gradient", "x.grad()", x.grad)
    print("    }")


print(HEADER, end="")
case("nearestStretchesASequenceToASize", [2, 3, 5], "nearest", size=[7])
case("nearestByFractionalFactorsShrinksAndStretchesAnImage", [1, 2, 5, 4], "nearest", factor=[0.6, 1.7])
case("nearestResizesAVolume", [1, 2, 3, 4, 2], "nearest", size=[5, 3, 3])
case("nearestReadsTheFactorsPositionsNotTheSizesAtTwiceTheSize", [1, 2, 2], "nearest", factor=[2.3],
     gradient=False)
case("nearestExactStretchesASequenceByAFactor", [2, 2, 4], "nearest-exact", factor=[2.5])
case("nearestExactShrinksAnImageToASize", [1, 2, 7, 6], "nearest-exact", size=[3, 4])
case("nearestExactByFactorsPerAxisResizesAVolume", [1, 1, 4, 4, 2], "nearest-exact", factor=[1.5, 0.5, 2.0])
case("linearStretchesASequenceToASize", [2, 3, 4], "linear", size=[9])
case("linearWithAlignedCornersShrinksBySeventyPercent", [1, 2, 7], "linear", factor=[0.7], align=True)
case("linearRecomputesAFactorFromTheSize", [2, 2, 5], "linear", factor=[1.7], recompute=True)
case("bilinearByAFractionalFactorReadsTheFactorsPositions", [1, 2, 4, 5], "bilinear", factor=[1.5])
case("bilinearWithAlignedCornersShrinksToASize", [1, 2, 6, 5], "bilinear", size=[3, 2], align=True)
case("bilinearRecomputesFactorsPerAxis", [1, 1, 5, 4], "bilinear", factor=[0.7, 2.3], recompute=True)
case("bicubicDoublesAnImage", [1, 2, 4, 5], "bicubic", factor=[2.0])
case("bicubicWithAlignedCornersResizesToASize", [1, 2, 4, 5], "bicubic", size=[7, 3], align=True)
case("bicubicShrinksByAFactorReadingBeyondTheEdges", [1, 2, 7, 6], "bicubic", factor=[0.6])
case("bicubicByAFactorThatKeepsTheSizeStillResamples", [1, 1, 4, 5], "bicubic", factor=[1.2])
case("trilinearStretchesAVolumeByAFactor", [1, 1, 3, 2, 4], "trilinear", factor=[1.5])
case("trilinearWithAlignedCornersShrinksAVolumeToASize", [1, 2, 5, 4, 3], "trilinear", size=[3, 2, 2], align=True)
case("areaAveragesASequenceIntoASize", [2, 2, 7], "area", size=[3])
case("areaShrinksAnImageByAFactorOfTheRecomputedSize", [1, 2, 5, 7], "area", factor=[0.6])
case("areaStretchesAnImageWithOverlappingWindows", [1, 1, 3, 4], "area", size=[5, 6])
case("areaShrinksAVolumeToASize", [1, 1, 4, 5, 3], "area", size=[2, 3, 2])
case("bilinearAntialiasedShrinksByAFactor", [1, 2, 9, 8], "bilinear", factor=[0.45], antialias=True)
case("bilinearAntialiasedWithAlignedCornersShrinksToASize", [1, 2, 10, 7], "bilinear", size=[4, 3], align=True,
     antialias=True)
case("bicubicAntialiasedShrinksToASize", [1, 2, 11, 9], "bicubic", size=[4, 5], antialias=True)
case("bicubicAntialiasedGrowsWithWeightsRenormalisedAtTheEdges", [1, 1, 3, 4], "bicubic", factor=[1.7],
     antialias=True)
print("}")
