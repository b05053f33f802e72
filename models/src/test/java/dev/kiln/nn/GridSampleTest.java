package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#gridSample} and {@link F#affineGrid}: F64 gradient checks on the input, the grid (bilinear, bicubic) and
 * theta (and of the gradient itself, differentiated again), the identity warp, and the messages for bad arguments.
 * PyTorch's numbers are in {@link GridSamplePyTorchParityTest}.
 */
class GridSampleTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** pattern(seed) scaled to reach outside [-1, 1], a leaf that requires a gradient. */
    private static Tensor grid(int seed, double scale, int... dims) {
        return values(seed, dims).mul(scale).requiresGrad(true);
    }

    @ParameterizedTest
    @EnumSource(GridSamplePadding.class)
    void bilinearGradientsOfInputAndGridMatchFiniteDifferences(GridSamplePadding padding) {
        for (boolean align : new boolean[] {false, true}) {
            GradCheck.check("gridSample " + padding + " alignCorners " + align,
                    in -> F.gridSample(in[0], in[1], GridSampleMode.BILINEAR, padding, align),
                    values(1, 2, 2, 3, 4).requiresGrad(true), grid(2, 5.3, 2, 3, 2, 2));
        }
    }

    @ParameterizedTest
    @EnumSource(GridSamplePadding.class)
    void trilinearGradientsOfInputAndGridMatchFiniteDifferences(GridSamplePadding padding) {
        GradCheck.check("volumetric gridSample " + padding,
                in -> F.gridSample(in[0], in[1], GridSampleMode.BILINEAR, padding, false),
                values(1, 1, 2, 3, 2, 4).requiresGrad(true), grid(2, 3.1, 1, 2, 2, 1, 3));
    }

    @ParameterizedTest
    @EnumSource(GridSamplePadding.class)
    void bicubicGradientsOfInputAndGridMatchFiniteDifferences(GridSamplePadding padding) {
        for (boolean align : new boolean[] {false, true}) {
            GradCheck.check("bicubic gridSample " + padding + " alignCorners " + align,
                    in -> F.gridSample(in[0], in[1], GridSampleMode.BICUBIC, padding, align),
                    values(1, 2, 2, 3, 4).requiresGrad(true), grid(2, 5.3, 2, 3, 2, 2));
        }
    }

    @ParameterizedTest
    @EnumSource(GridSamplePadding.class)
    void nearestGradientOfTheInputMatchesFiniteDifferences(GridSamplePadding padding) {
        GradCheck.check("nearest gridSample " + padding,
                in -> F.gridSample(in[0], values(2, 2, 3, 2, 2).mul(2.9), GridSampleMode.NEAREST, padding, true),
                values(1, 2, 2, 3, 4).requiresGrad(true));
    }

    @Test
    void theGradientsAreDifferentiableAgain() {
        GradCheck.check("gridSample's gradients", in -> {
            try (Autograd.Guard on = Autograd.enableGrad()) {
                Tensor y = F.gridSample(in[0], in[1], GridSampleMode.BILINEAR, GridSamplePadding.REFLECTION, false);
                Tensor loss = y.mul(values(3, y.shape().dims())).sum();
                List<Tensor> grads = Autograd.grad(loss, List.of(in[0], in[1]), GradOptions.DEFAULT.withCreateGraph());
                return Tensor.cat(List.of(grads.get(0).reshape(-1), grads.get(1).reshape(-1)), 0);
            }
        }, values(1, 1, 2, 3, 4).requiresGrad(true), grid(2, 5.3, 1, 3, 2, 2));
    }

    @Test
    void affineGridGradientMatchesFiniteDifferences() {
        GradCheck.check("affineGrid", in -> F.affineGrid(in[0], new int[] {2, 1, 3, 4}, false),
                values(1, 2, 2, 3).requiresGrad(true));
        GradCheck.check("volumetric affineGrid", in -> F.affineGrid(in[0], new int[] {1, 1, 2, 3, 2}, true),
                values(1, 1, 3, 4).requiresGrad(true));
    }

    @Test
    void theIdentityWarpWithoutAlignCornersReturnsTheInput() {
        Tensor x = values(1, 2, 3, 4, 5);
        Tensor identity = Tensor.fromArray(new double[] {1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0}, 2, 2, 3);
        Tensor y = F.gridSample(x, F.affineGrid(identity, new int[] {2, 3, 4, 5}, false), GridSampleMode.BILINEAR,
                GridSamplePadding.ZEROS, false);
        assertArrayEquals(x.toDoubleArray(), y.toDoubleArray(), 1e-12);
    }

    @Test
    void anInputOfAnotherRankThanFourOrFiveIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.gridSample(
                Tensor.zeros(2, 3, 4), Tensor.zeros(2, 3, 2), GridSampleMode.BILINEAR, GridSamplePadding.ZEROS, false));
        assertEquals("gridSample: input must be [N, C, H, W] or [N, C, D, H, W], got [2, 3, 4]", e.getMessage());
    }

    @Test
    void bicubicSamplingOfAVolumeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.gridSample(
                Tensor.zeros(1, 1, 2, 2, 2), Tensor.zeros(1, 1, 1, 1, 3), GridSampleMode.BICUBIC,
                GridSamplePadding.ZEROS, false));
        assertEquals("gridSample: bicubic sampling takes a 4-D input [N, C, H, W], got [1, 1, 2, 2, 2]",
                e.getMessage());
    }

    @Test
    void aGridWhoseLastAxisDoesNotMatchTheInputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.gridSample(
                Tensor.zeros(2, 3, 4, 5), Tensor.zeros(2, 3, 3, 3), GridSampleMode.BILINEAR, GridSamplePadding.ZEROS,
                false));
        assertEquals("gridSample: grid must be [N, Ho, Wo, 2] for input [2, 3, 4, 5], got [2, 3, 3, 3]",
                e.getMessage());
    }

    @Test
    void aGridOfAnotherBatchIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.gridSample(
                Tensor.zeros(2, 3, 4, 5), Tensor.zeros(1, 3, 3, 2), GridSampleMode.NEAREST, GridSamplePadding.BORDER,
                true));
        assertEquals("gridSample: grid [1, 3, 3, 2] has batch 1, but input [2, 3, 4, 5] has 2", e.getMessage());
    }

    @Test
    void aMissingModeOrPaddingIsRefused() {
        Tensor x = Tensor.zeros(1, 1, 2, 2);
        Tensor g = Tensor.zeros(1, 1, 1, 2);
        assertEquals("gridSample: mode must be one of [BILINEAR, NEAREST, BICUBIC], got null", assertThrows(
                IllegalArgumentException.class, () -> F.gridSample(x, g, null, GridSamplePadding.ZEROS, false))
                .getMessage());
        assertEquals("gridSample: padding must be one of [ZEROS, BORDER, REFLECTION], got null", assertThrows(
                IllegalArgumentException.class, () -> F.gridSample(x, g, GridSampleMode.BILINEAR, null, false))
                .getMessage());
    }

    @Test
    void aGridOfAnotherDtypeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.gridSample(
                Tensor.zeros(1, 1, 2, 2), Tensor.zeros(DType.F64, 1, 1, 1, 2), GridSampleMode.BILINEAR,
                GridSamplePadding.ZEROS, false));
        assertEquals("gridSample: dtypes differ: [1, 1, 2, 2] F32 and [1, 1, 1, 2] F64; convert one with to(DType)",
                e.getMessage());
    }

    @Test
    void aThetaThatDoesNotMatchTheSizeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.affineGrid(Tensor.zeros(2, 3, 4), new int[] {2, 1, 4, 5}, false));
        assertEquals("affineGrid: theta must be [N, 2, 3] for size [2, 1, 4, 5], got [2, 3, 4]", e.getMessage());
    }

    @Test
    void aSizeOfAnotherBatchOrLengthIsRefused() {
        assertEquals("affineGrid: size [3, 1, 4, 5] has batch 3, but theta [2, 2, 3] has 2", assertThrows(
                IllegalArgumentException.class, () -> F.affineGrid(Tensor.zeros(2, 2, 3), new int[] {3, 1, 4, 5},
                        false)).getMessage());
        assertEquals("affineGrid: size must be (N, C, H, W) or (N, C, D, H, W), got [2, 4, 5]", assertThrows(
                IllegalArgumentException.class, () -> F.affineGrid(Tensor.zeros(2, 2, 3), new int[] {2, 4, 5},
                        false)).getMessage());
    }
}
