package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link F#interpolate}'s rules that PyTorch's numbers do not show on their own: gradients against finite differences
 * in every mode and with antialias, the factor used as given against a size, one entry for every axis, and the
 * errors.
 * {@link InterpolatePyTorchParityTest} has the values.
 */
class InterpolateTest {
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

    /** A spatial size per mode's rank: sequences of 5, images of 4 x 5, volumes of 3 x 4 x 2. */
    private static Tensor input(InterpolationMode mode) {
        int[][] dims = {{2, 3, 5}, {1, 2, 4, 5}, {1, 2, 3, 4, 2}};
        for (int[] d : dims) {
            if (mode.takesRank(d.length)) {
                return Tensor.randn(DType.F64, d).requiresGrad(true);
            }
        }
        throw new AssertionError(mode + " takes no rank");
    }

    @ParameterizedTest
    @EnumSource(InterpolationMode.class)
    void gradientsUpByAFractionalFactorMatchFiniteDifferences(InterpolationMode mode) {
        Tensor x = input(mode);
        GradCheck.check("interpolate " + mode.pytorchName() + " by 1.7",
                in -> F.interpolate(in[0], new double[] {1.7}, mode, false), x);
    }

    @ParameterizedTest
    @EnumSource(InterpolationMode.class)
    void gradientsDownToASizeMatchFiniteDifferences(InterpolationMode mode) {
        Tensor x = input(mode);
        int[] size = {3, 3, 1};
        int[] spatial = Arrays.copyOf(size, x.rank() - 2);
        GradCheck.check("interpolate " + mode.pytorchName() + " to " + Arrays.toString(spatial),
                in -> F.interpolate(in[0], spatial, mode, false), x);
    }

    @ParameterizedTest
    @EnumSource(value = InterpolationMode.class, names = {"LINEAR", "BILINEAR", "BICUBIC", "TRILINEAR"})
    void gradientsWithAlignedCornersMatchFiniteDifferences(InterpolationMode mode) {
        Tensor x = input(mode);
        GradCheck.check("interpolate " + mode.pytorchName() + " align_corners by 0.7",
                in -> F.interpolate(in[0], new double[] {0.7}, mode, true), x);
    }

    @ParameterizedTest
    @EnumSource(value = InterpolationMode.class, names = {"BILINEAR", "BICUBIC"})
    void antialiasedGradientsShrinkingAndGrowingMatchFiniteDifferences(InterpolationMode mode) {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 7, 6).requiresGrad(true);
        GradCheck.check("interpolate " + mode.pytorchName() + " antialias by (0.4, 1.6)",
                in -> F.interpolate(in[0], null, new double[] {0.4, 1.6}, mode, false, false, true), x);
    }

    @Test
    void bicubicGradientAtTheSameSizeByAnotherFactorIsThatOfItsResampling() {
        Tensor x = Tensor.randn(DType.F64, 1, 1, 4, 5).requiresGrad(true);
        GradCheck.check("interpolate bicubic by 1.2 to the same size",
                in -> F.interpolate(in[0], new double[] {1.2}, InterpolationMode.BICUBIC, false), x);
    }

    @Test
    void aFactorUsedAsGivenReadsOtherPositionsThanItsSize() {
        // 5 to floor(5 * 1.5) = 7: the factor reads position (o + 0.5) / 1.5 - 0.5, the size (o + 0.5) 5 / 7 - 0.5
        Tensor x = Tensor.fromArray(new double[] {0, 1, 2, 4, 8}, 1, 1, 5);
        assertValues(new double[] {0, 0.5, 7.0 / 6, 11.0 / 6, 3, 14.0 / 3, 22.0 / 3},
                F.interpolate(x, new double[] {1.5}, InterpolationMode.LINEAR, false), 1e-12);
        assertValues(new double[] {0, 4.0 / 7, 9.0 / 7, 2, 24.0 / 7, 40.0 / 7, 8},
                F.interpolate(x, null, new double[] {1.5}, InterpolationMode.LINEAR, false, true), 1e-12);
    }

    @Test
    void oneEntryServesEverySpatialAxis() {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 3, 4, 2);
        Tensor one = F.interpolate(x, new double[] {1.5}, InterpolationMode.TRILINEAR, false);
        Tensor each = F.interpolate(x, new double[] {1.5, 1.5, 1.5}, InterpolationMode.TRILINEAR, false);
        assertArrayEquals(new int[] {1, 2, 4, 6, 3}, one.shape().dims());
        assertValues(each.toDoubleArray(), one, 0);
        assertArrayEquals(new int[] {1, 2, 5, 5, 5},
                F.interpolate(x, new int[] {5}, InterpolationMode.NEAREST, false).shape().dims());
    }

    @Test
    void areaIsAdaptiveAveragePooling() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 7, 5);
        assertValues(new AdaptiveAvgPool2d(3, 2).forward(x).toDoubleArray(),
                F.interpolate(x, new int[] {3, 2}, InterpolationMode.AREA, false), 1e-12);
    }

    @Test
    void aModeThatDoesNotTakeTheInputsRankIsRefused() {
        assertMessage("interpolate: mode 'bicubic' takes a 4-D input [batch, channels, spatial axes...], got [1, 2, 5]",
                () -> F.interpolate(Tensor.zeros(1, 2, 5), new int[] {7}, InterpolationMode.BICUBIC, false));
        assertMessage("interpolate: mode 'nearest' takes a 3-D, 4-D or 5-D input [batch, channels, spatial axes...], "
                + "got [2, 5]", () -> F.interpolate(Tensor.zeros(2, 5), new int[] {7}, InterpolationMode.NEAREST,
                        false));
    }

    @Test
    void alignCornersWithANearestModeOrAreaIsRefused() {
        for (InterpolationMode mode : new InterpolationMode[] {InterpolationMode.NEAREST,
            InterpolationMode.NEAREST_EXACT, InterpolationMode.AREA}) {
            assertMessage("interpolate: alignCorners applies only to modes 'linear', 'bilinear', 'bicubic' and "
                    + "'trilinear', got mode '" + mode.pytorchName() + "'",
                    () -> F.interpolate(Tensor.zeros(1, 2, 5), new int[] {7}, mode, true));
        }
    }

    @Test
    void sizeAndFactorTogetherOrNeitherAreRefused() {
        Tensor x = Tensor.zeros(1, 2, 5);
        assertMessage("interpolate: give exactly one of size and scaleFactor, got size [7] and scaleFactor [1.5]",
                () -> F.interpolate(x, new int[] {7}, new double[] {1.5}, InterpolationMode.LINEAR, false, false));
        assertMessage("interpolate: give exactly one of size and scaleFactor, got size null and scaleFactor null",
                () -> F.interpolate(x, null, null, InterpolationMode.LINEAR, false, false));
        assertMessage("interpolate: recomputeScaleFactor needs a scaleFactor, got size [7]",
                () -> F.interpolate(x, new int[] {7}, null, InterpolationMode.LINEAR, false, true));
    }

    @Test
    void antialiasWithAModeOtherThanBilinearAndBicubicIsRefused() {
        assertMessage("interpolate: antialias applies only to modes 'bilinear' and 'bicubic', got mode 'area'",
                () -> F.interpolate(Tensor.zeros(1, 2, 4, 5), new int[] {2, 2}, null, InterpolationMode.AREA, false,
                        false, true));
    }

    @Test
    void sizesAndFactorsThatDoNotFitAreRefused() {
        Tensor x = Tensor.zeros(1, 2, 4, 5);
        assertMessage("interpolate: size [2, 3, 4] must have 1 or 2 entries, one per spatial axis of input [1, 2, 4, 5]",
                () -> F.interpolate(x, new int[] {2, 3, 4}, InterpolationMode.BILINEAR, false));
        assertMessage("interpolate: size must be at least 1 on each axis, got [0, 3]",
                () -> F.interpolate(x, new int[] {0, 3}, InterpolationMode.BILINEAR, false));
        assertMessage("interpolate: scaleFactor must be positive and finite on each axis, got [1.5, -2.0]",
                () -> F.interpolate(x, new double[] {1.5, -2}, InterpolationMode.BILINEAR, false));
        assertMessage("interpolate: scaleFactor 0.2 leaves axis 2 of input [1, 2, 4, 5] empty (floor(4 * 0.2) = 0)",
                () -> F.interpolate(x, new double[] {0.2}, InterpolationMode.BILINEAR, false));
    }

    @Test
    void anIntegerInputOrNoModeIsRefused() {
        assertMessage("interpolate: needs F32 or F64, got I64 for [1, 2, 5]",
                () -> F.interpolate(Tensor.zeros(DType.I64, 1, 2, 5), new int[] {7}, InterpolationMode.NEAREST,
                        false));
        assertMessage("interpolate: mode must be one of [NEAREST, NEAREST_EXACT, LINEAR, BILINEAR, BICUBIC, TRILINEAR, "
                + "AREA], got null", () -> F.interpolate(Tensor.zeros(1, 2, 5), new int[] {7}, null, false));
        assertMessage("interpolation mode must be one of ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic',"
                + " 'trilinear', 'area'], got 'cubic'", () -> InterpolationMode.of("cubic"));
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
