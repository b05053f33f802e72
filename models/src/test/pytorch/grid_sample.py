"""Prints GridSamplePyTorchParityTest: F.affine_grid and F.grid_sample (bilinear, nearest, bicubic, each padding mode,
align_corners both ways, 4-D and 5-D), with grids reaching outside [-1, 1]."""
import textwrap

import torch.nn.functional as F
from parity import *

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#affineGrid} and {@link F#gridSample} against PyTorch's own numbers (printed by
 * {@code models/src/test/pytorch/grid_sample.py}): bilinear, nearest and bicubic sampling in each padding mode,
 * alignCorners both ways, of 4-D and 5-D inputs (bicubic: 4-D), at grid points that reach outside [-1, 1] (the
 * pattern scaled); outputs and the gradients of the input, the grid (bilinear, bicubic) and theta for a weighted sum
 * of the outputs (see {@link PyTorchParity}). Nearest sampling's grid gets no gradient (PyTorch's is zero).
 */
class GridSamplePyTorchParityTest {
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

MODES = {"bilinear": "BILINEAR", "nearest": "NEAREST", "bicubic": "BICUBIC"}
PADDINGS = {"zeros": "ZEROS", "border": "BORDER", "reflection": "REFLECTION"}


def ints(values):
    return ", ".join(map(str, values))


def java_bool(b):
    return "true" if b else "false"


def begin(method, title):
    print()
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    for line in textwrap.wrap(title + ", PyTorch 1.13", 108):
        print("        // " + line)


def sample(method, mode, padding, align, dims, grid_dims, scale):
    title = "F.grid_sample(x, %s * grid, mode='%s', padding_mode='%s', align_corners=%s) on %s, grid %s" % (
        scale, mode, padding, align, dims, grid_dims)
    begin(method, title)
    bilinear = mode != "nearest"
    print("        Tensor x = tensor(dtype, 100, %s);" % ints(dims))
    if bilinear:
        print("        Tensor grid = tensor(dtype, 300, %s);" % ints(grid_dims))
    else:
        print("        Tensor grid = values(300, %s).to(dtype);" % ints(grid_dims))
    print("        Tensor y = F.gridSample(x, grid.mul(%s), GridSampleMode.%s, GridSamplePadding.%s, %s);" % (
        scale, MODES[mode], PADDINGS[padding], java_bool(align)))
    print("        backward(200, y);")
    x = tensor(100, *dims)
    grid = tensor(300, *grid_dims, grad=bilinear)
    y = F.grid_sample(x, grid * scale, mode=mode, padding_mode=padding, align_corners=align)
    backward([y], [200])
    print()
    print("        assertArrayEquals(new int[] {%s}, y.shape().dims());" % ints(y.shape))
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    if bilinear:
        emit_values("grid gradient", "grid.grad()", grid.grad)
    else:
        print('        assertNull(grid.grad(), "grid gradient");')
    print("    }")


def affine(method, theta_dims, size, align):
    title = "F.affine_grid(theta, %s, align_corners=%s) for theta %s" % (size, align, theta_dims)
    begin(method, title)
    print("        Tensor theta = tensor(dtype, 100, %s);" % ints(theta_dims))
    print("        Tensor y = F.affineGrid(theta, new int[] {%s}, %s);" % (ints(size), java_bool(align)))
    print("        backward(200, y);")
    theta = tensor(100, *theta_dims)
    y = F.affine_grid(theta, size, align_corners=align)
    backward([y], [200])
    print()
    print("        assertArrayEquals(new int[] {%s}, y.shape().dims());" % ints(y.shape))
    emit_values("grid", "y", y)
    emit_values("theta gradient", "theta.grad()", theta.grad)
    print("    }")


def warp(method, padding, align):
    title = ("F.grid_sample(x, F.affine_grid(2 * theta, (2, 2, 3, 4), align_corners=%s), padding_mode='%s', "
             "align_corners=%s) on [2, 2, 4, 5]") % (align, padding, align)
    begin(method, title)
    print("        Tensor x = tensor(dtype, 100, 2, 2, 4, 5);")
    print("        Tensor theta = tensor(dtype, 300, 2, 2, 3);")
    print("        Tensor grid = F.affineGrid(theta.mul(2), new int[] {2, 2, 3, 4}, %s);" % java_bool(align))
    print("        Tensor y = F.gridSample(x, grid, GridSampleMode.BILINEAR, GridSamplePadding.%s, %s);" % (
        PADDINGS[padding], java_bool(align)))
    print("        backward(200, y);")
    x = tensor(100, 2, 2, 4, 5)
    theta = tensor(300, 2, 2, 3)
    grid = F.affine_grid(theta * 2, (2, 2, 3, 4), align_corners=align)
    y = F.grid_sample(x, grid, padding_mode=padding, align_corners=align)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_values("theta gradient", "theta.grad()", theta.grad)
    print("    }")


def edges(method, padding):
    title = ("F.grid_sample(x, grid, padding_mode='%s', align_corners=True) on [1, 2, 3, 3] at the pixels' centres, "
             "edges included: grid = F.affine_grid(identity, (1, 2, 3, 3), align_corners=True)") % padding
    begin(method, title)
    print("        Tensor x = tensor(dtype, 100, 1, 2, 3, 3);")
    print("        Tensor identity = Tensor.fromArray(new double[] {1, 0, 0, 0, 1, 0}, 1, 2, 3).to(dtype);")
    print("        Tensor grid = F.affineGrid(identity, new int[] {1, 2, 3, 3}, true).requiresGrad(true);")
    print("        Tensor y = F.gridSample(x, grid, GridSampleMode.BILINEAR, GridSamplePadding.%s, true);"
          % PADDINGS[padding])
    print("        backward(200, y);")
    x = tensor(100, 1, 2, 3, 3)
    identity = torch.tensor([[[1.0, 0, 0], [0, 1, 0]]])
    grid = F.affine_grid(identity, (1, 2, 3, 3), align_corners=True).requires_grad_()
    y = F.grid_sample(x, grid, padding_mode=padding, align_corners=True)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_values("grid gradient", "grid.grad()", grid.grad)
    print("    }")


print(HEADER, end="")
sample("bilinearZerosPaddingWithoutAlignCorners", "bilinear", "zeros", False, [2, 3, 4, 5], [2, 3, 4, 2], 2.6)
sample("bilinearZerosPaddingWithAlignCorners", "bilinear", "zeros", True, [2, 3, 4, 5], [2, 3, 4, 2], 2.6)
sample("bilinearBorderPaddingWithoutAlignCorners", "bilinear", "border", False, [2, 2, 3, 5], [2, 4, 3, 2], 2.6)
sample("bilinearBorderPaddingWithAlignCorners", "bilinear", "border", True, [2, 2, 3, 5], [2, 4, 3, 2], 2.6)
sample("bilinearReflectionPaddingWithoutAlignCorners", "bilinear", "reflection", False, [2, 2, 4, 3], [2, 3, 5, 2],
       7.0)
sample("bilinearReflectionPaddingWithAlignCorners", "bilinear", "reflection", True, [2, 2, 4, 3], [2, 3, 5, 2], 7.0)
sample("bilinearReflectionPaddingOfASingleColumn", "bilinear", "reflection", True, [1, 2, 3, 1], [1, 2, 3, 2], 3.0)
sample("nearestZerosPaddingWithoutAlignCorners", "nearest", "zeros", False, [2, 3, 4, 5], [2, 3, 4, 2], 2.6)
sample("nearestBorderPaddingWithAlignCorners", "nearest", "border", True, [2, 2, 3, 5], [2, 4, 3, 2], 2.6)
sample("nearestReflectionPaddingWithoutAlignCorners", "nearest", "reflection", False, [2, 2, 4, 3], [2, 3, 5, 2],
       7.0)
sample("bicubicZerosPaddingWithoutAlignCorners", "bicubic", "zeros", False, [2, 2, 4, 5], [2, 3, 4, 2], 2.6)
sample("bicubicZerosPaddingWithAlignCorners", "bicubic", "zeros", True, [2, 2, 4, 5], [2, 3, 4, 2], 2.6)
sample("bicubicBorderPaddingWithAlignCorners", "bicubic", "border", True, [2, 2, 3, 5], [2, 4, 3, 2], 2.6)
sample("bicubicReflectionPaddingWithoutAlignCorners", "bicubic", "reflection", False, [2, 2, 4, 3], [2, 3, 5, 2], 7.0)
sample("bicubicReflectionPaddingWithAlignCorners", "bicubic", "reflection", True, [1, 2, 4, 3], [1, 3, 5, 2], 7.0)
sample("trilinearZerosPaddingWithoutAlignCorners", "bilinear", "zeros", False, [2, 2, 3, 4, 5], [2, 2, 3, 2, 3], 2.6)
sample("trilinearBorderPaddingWithAlignCorners", "bilinear", "border", True, [1, 2, 3, 4, 3], [1, 3, 2, 2, 3], 2.6)
sample("trilinearReflectionPaddingWithoutAlignCorners", "bilinear", "reflection", False, [1, 2, 3, 3, 4],
       [1, 2, 2, 3, 3], 7.0)
sample("nearestVolumetricZerosPaddingWithAlignCorners", "nearest", "zeros", True, [2, 2, 3, 4, 5], [2, 2, 3, 2, 3],
       2.6)
edges("borderPaddingPassesNoGridGradientAtTheEdges", "border")
edges("reflectionPaddingPassesNoGridGradientAtTheEdges", "reflection")
affine("affineGridWithoutAlignCorners", [2, 2, 3], [2, 3, 4, 5], False)
affine("affineGridWithAlignCorners", [2, 2, 3], [2, 3, 4, 5], True)
affine("affineGridOfASingleRow", [1, 2, 3], [1, 1, 1, 4], True)
affine("volumetricAffineGridWithoutAlignCorners", [2, 3, 4], [2, 1, 2, 3, 4], False)
affine("volumetricAffineGridWithAlignCorners", [1, 3, 4], [1, 2, 3, 2, 4], True)
warp("affineWarpWithZerosPadding", "zeros", False)
warp("affineWarpWithBorderPaddingAndAlignCorners", "border", True)
warp("affineWarpWithReflectionPadding", "reflection", False)
print("}")
