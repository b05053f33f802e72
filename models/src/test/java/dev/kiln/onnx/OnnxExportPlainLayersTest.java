package dev.kiln.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AdaptiveAvgPool1d;
import dev.kiln.nn.AdaptiveAvgPool3d;
import dev.kiln.nn.AdaptiveMaxPool1d;
import dev.kiln.nn.AdaptiveMaxPool2d;
import dev.kiln.nn.AdaptiveMaxPool3d;
import dev.kiln.nn.AvgPool1d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.AvgPool3d;
import dev.kiln.nn.BatchNorm3d;
import dev.kiln.nn.CELU;
import dev.kiln.nn.ChannelShuffle;
import dev.kiln.nn.CircularPad1d;
import dev.kiln.nn.CircularPad2d;
import dev.kiln.nn.ConstantPad1d;
import dev.kiln.nn.ConstantPad3d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Conv3d;
import dev.kiln.nn.ConvTranspose1d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.ConvTranspose3d;
import dev.kiln.nn.EmbeddingBag;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Fold;
import dev.kiln.nn.GLU;
import dev.kiln.nn.GaussianNoise;
import dev.kiln.nn.GroupNorm;
import dev.kiln.nn.Hardshrink;
import dev.kiln.nn.InstanceNorm1d;
import dev.kiln.nn.InstanceNorm2d;
import dev.kiln.nn.InstanceNorm3d;
import dev.kiln.nn.InstanceNorm;
import dev.kiln.nn.LPPool1d;
import dev.kiln.nn.LPPool2d;
import dev.kiln.nn.LazyConv2d;
import dev.kiln.nn.LazyLinear;
import dev.kiln.nn.LeakyReLU;
import dev.kiln.nn.LocalResponseNorm;
import dev.kiln.nn.LogSigmoid;
import dev.kiln.nn.MaskingNoise;
import dev.kiln.nn.MaxPool1d;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.MaxPool3d;
import dev.kiln.nn.Mish;
import dev.kiln.nn.Module;
import dev.kiln.nn.PReLU;
import dev.kiln.nn.PixelShuffle;
import dev.kiln.nn.PixelUnshuffle;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.nn.RReLU;
import dev.kiln.nn.ReflectionPad1d;
import dev.kiln.nn.ReflectionPad2d;
import dev.kiln.nn.ReflectionPad3d;
import dev.kiln.nn.ReplicationPad1d;
import dev.kiln.nn.ReplicationPad2d;
import dev.kiln.nn.ReplicationPad3d;
import dev.kiln.nn.Residual;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.SiLU;
import dev.kiln.nn.Sigmoid;
import dev.kiln.nn.Softmax2d;
import dev.kiln.nn.Softmin;
import dev.kiln.nn.Softshrink;
import dev.kiln.nn.Softsign;
import dev.kiln.nn.Tanhshrink;
import dev.kiln.nn.Threshold;
import dev.kiln.nn.Unfold;
import dev.kiln.nn.Upsample;
import dev.kiln.nn.ZeroPad1d;
import dev.kiln.nn.ZeroPad2d;
import dev.kiln.nn.ZeroPad3d;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain layers beyond the first families, each exported and run in ONNX Runtime against Kiln's forward at batch 3
 * and 1 (see {@link OrtCheck}).
 */
@Tag("onnxruntime")
public class OnnxExportPlainLayersTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Engine.seed(12);
    }

    private static Tensor f32(int seed, int n) {
        return PyTorchParity.values(seed, n).to(DType.F32);
    }

    /** Scale and shift away from their initial ones and zeros, so that a converter that drops them fails. */
    private static void perturbAffine(Tensor weight, Tensor bias, int seed) {
        try (var g = Autograd.noGrad()) {
            weight.assign(f32(seed, weight.dim(0)).add(1));
            bias.assign(f32(seed + 1, bias.dim(0)));
        }
    }

    private void check(Module layer, int... sampleShape) throws Exception {
        OrtCheck.exportAndCompare(new Sequential(layer), dir, sampleShape);
    }

    /** {@link #checkOtherImageSizes(Module, int[][])} on [2, 4, 10, 6], [1, 4, 6, 12] and [3, 4, 14, 4]. */
    private void checkOtherImageSizes(Module layer) throws Exception {
        checkOtherImageSizes(layer, new int[][] {{2, 4, 10, 6}, {1, 4, 6, 12}, {3, 4, 14, 4}});
    }

    /**
     * Exports {@code layer} for images of the first shape with the batch, height and width symbolic (in the output
     * too) and checks ORT against Kiln on each shape.
     */
    private void checkOtherImageSizes(Module layer, int[][] shapes) throws Exception {
        Module model = new Sequential(layer);
        Path file = dir.resolve("images.onnx");
        OnnxExport.export(model, shapes[0], file, OnnxExportOptions.defaults().withDynamicAxes(
                Map.of(0, "batch", 2, "height", 3, "width"), Map.of(0, "batch", 2, "outHeight", 3, "outWidth")));
        for (int[] shape : shapes) {
            OrtCheck.compare(model, file, shape, "input");
        }
    }

    /** ONNX Runtime 1.20 fused such a Pad into the AveragePool and left the pad out of the divisor (fixed in 1.21). */
    @Test
    void zeroPaddingBeforeAnAveragePoolThatCountsNoPaddingStaysInTheDivisor() throws Exception {
        Module model = new Sequential(new ZeroPad2d(1), new AvgPool2d(3, 2, 1, false, false));
        OrtCheck.exportAndCompare(model, dir, 2, 5, 5);
    }

    @Test
    void conv3dKeepsStridePaddingDilationGroupsAndPaddingMode() throws Exception {
        Module model = new Sequential(
                Conv3d.builder(4, 6, 3).stride(2, 1, 2).padding(1).groups(2).build(),
                Conv3d.builder(6, 3, 2, 3, 1).padding(1, 0, 0).dilation(2, 1, 1).bias(false).build(),
                Conv3d.builder(3, 2, 3).padding(1).paddingMode(PaddingMode.REPLICATE).build());
        OrtCheck.exportAndCompare(model, dir, 4, 7, 6, 7);
    }

    @Test
    void convTranspose1dKeepsStridePaddingOutputPaddingAndDilation() throws Exception {
        Module model = new Sequential(ConvTranspose1d.builder(3, 4, 3).stride(2).padding(1).outputPadding(1).build(),
                ConvTranspose1d.builder(4, 2, 2).dilation(2).bias(false).build());
        OrtCheck.exportAndCompare(model, dir, 3, 6);
    }

    @Test
    void convTranspose3dKeepsStridePaddingOutputPaddingAndDilation() throws Exception {
        Module model = new Sequential(
                ConvTranspose3d.builder(3, 2, 3).stride(2, 1, 2).padding(1, 0, 1).outputPadding(1, 0, 0).build(),
                ConvTranspose3d.builder(2, 2, 2).dilation(2).bias(false).build());
        OrtCheck.exportAndCompare(model, dir, 3, 3, 4, 3);
    }

    @Test
    void batchNorm3dUsesItsRunningStatistics() throws Exception {
        Module model = new Sequential(new BatchNorm3d(3, 1e-3, 0.1));
        OnnxExportLayersTest.perturbBatchNorms(model);
        OrtCheck.exportAndCompare(model, dir, 3, 2, 3, 4);
    }

    @Test
    void instanceNormNormalisesEachSampleWithOrWithoutAffine() throws Exception {
        InstanceNorm2d affine = new InstanceNorm2d(3, 1e-3, 0.1, true, false);
        perturbAffine(affine.weight(), affine.bias(), 1);
        check(affine, 3, 4, 5);
        check(new InstanceNorm1d(4), 4, 6);
        check(new InstanceNorm3d(2), 2, 3, 2, 4);
    }

    @Test
    void instanceNormTrackingRunningStatisticsUsesThemInEvaluation() throws Exception {
        InstanceNorm norm = new InstanceNorm2d(3, 1e-5, 0.1, true, true);
        perturbAffine(norm.weight(), norm.bias(), 3);
        try (var g = Autograd.noGrad()) {
            norm.runningMean().assign(f32(5, 3));
            norm.runningVar().assign(f32(6, 3).abs().add(0.5));
        }
        check(norm, 3, 4, 4);
    }

    @Test
    void groupNormNormalisesGroupsThenScalesEachChannel() throws Exception {
        GroupNorm affine = new GroupNorm(2, 6, 1e-4, true);
        perturbAffine(affine.weight(), affine.bias(), 7);
        check(affine, 6, 3, 4);
        check(new GroupNorm(3, 6, 1e-5, false), 6, 5);
        check(new GroupNorm(1, 4), 4, 2, 3, 2);
    }

    @Test
    void localResponseNormOfOddSizeOnImagesIsLrn() throws Exception {
        check(new LocalResponseNorm(3, 0.5, 0.75, 2), 6, 3, 4);
    }

    @Test
    void localResponseNormOfEvenSizeOrOtherRanksAveragesChannelWindows() throws Exception {
        check(new LocalResponseNorm(4, 0.3, 0.6, 1.5), 6, 3, 4);
        check(new LocalResponseNorm(3, 0.2, 0.75, 1), 5, 7);
        check(new LocalResponseNorm(2), 4, 2, 2, 3);
    }

    @Test
    void everyFurtherActivationMatches() throws Exception {
        List<Module> activations = List.of(new CELU(0.7), new Softsign(), new Hardshrink(0.6), new Softshrink(0.4),
                new Mish(), new LogSigmoid(), new Tanhshrink(), new Threshold(0.3, -2), new Softmin(1),
                new Softmin(), new RReLU(0.1, 0.3), new GaussianNoise(0.5), new MaskingNoise(0.5));
        for (Module activation : activations) {
            check(activation, 4, 5);
        }
        check(new Softmax2d(), 3, 2, 4);
    }

    @Test
    void preluWithOneSharedSlopeOrOnePerChannel() throws Exception {
        check(new PReLU(), 4, 5);
        PReLU perChannel = new PReLU(3);
        try (var g = Autograd.noGrad()) {
            perChannel.weight().assign(f32(9, 3));
        }
        check(perChannel, 3, 2, 4);
        check(perChannel, 3);
    }

    @Test
    void gluGatesTheFirstHalfByTheSecondAlongItsAxis() throws Exception {
        check(new GLU(), 3, 6);
        check(new GLU(1), 4, 5);
    }

    @Test
    void maxPool1dAnd3dWithPaddingDilationAndCeilMode() throws Exception {
        check(new MaxPool1d(3, 2, 1, true), 2, 8);
        check(new MaxPool1d(2, 1, 0, 2, false), 2, 7);
        check(new MaxPool1d(2, 3, 1, true), 2, 5);
        check(new MaxPool3d(new int[] {2, 3, 2}, new int[] {2, 2, 1}, new int[] {1, 1, 0}, true), 2, 5, 6, 4);
        check(new MaxPool3d(new int[] {2}, new int[] {1}, new int[] {0}, new int[] {2}, false), 2, 5, 4, 5);
    }

    @Test
    void averagePool1dAnd3dCountingPaddingOrNotInCeilModeOrNot() throws Exception {
        check(new AvgPool1d(3, 2, 1, false, true), 2, 7);
        check(new AvgPool1d(3, 2, 1, true, false), 2, 6);
        check(new AvgPool1d(2, 3, 1, true, true), 2, 5);
        check(new AvgPool3d(new int[] {3, 2, 2}, new int[] {2, 2, 1}, new int[] {1, 1, 0}, false, true), 2, 5, 4, 3);
        check(new AvgPool3d(new int[] {2}, new int[] {3}, new int[] {1}, true, true), 2, 5, 5, 4);
        check(new AvgPool3d(new int[] {3}, new int[] {2}, new int[] {1}, true, false), 2, 6, 6, 6);
    }

    @Test
    void powerAveragePoolingWithWholeAndFractionalNormsInCeilModeOrNot() throws Exception {
        check(new LPPool2d(2, 3, 2, true), 2, 6, 5);
        check(new LPPool2d(1, 2), 2, 4, 6);
        check(new Sequential(new Sigmoid(), new LPPool1d(3, 2, 3, true)), 2, 6);
        check(new Sequential(new Sigmoid(), new LPPool1d(1.5, 3, 2, false)), 2, 7);
    }

    @Test
    void adaptiveAveragePooling1dAnd3dGlobalEvenAndUneven() throws Exception {
        check(new AdaptiveAvgPool1d(1), 3, 7);
        check(new AdaptiveAvgPool1d(3), 3, 6);
        check(new AdaptiveAvgPool1d(4), 3, 7);
        check(new AdaptiveAvgPool3d(1), 2, 3, 4, 5);
        check(new AdaptiveAvgPool3d(1, 2, 2), 2, 3, 4, 6);
        check(new AdaptiveAvgPool3d(2, 3, 4), 2, 3, 5, 7);
    }

    @Test
    void adaptiveMaxPoolingOfEveryRankGlobalEvenAndUneven() throws Exception {
        check(new AdaptiveMaxPool1d(1), 3, 7);
        check(new AdaptiveMaxPool1d(5), 3, 7);
        check(new AdaptiveMaxPool2d(1), 3, 5, 6);
        check(new AdaptiveMaxPool2d(2, 3), 3, 4, 6);
        check(new AdaptiveMaxPool2d(3, 4), 3, 5, 7);
        check(new AdaptiveMaxPool3d(2, 3, 4), 2, 3, 5, 7);
    }

    @Test
    void upsampleNearestByFactorsOrToSize() throws Exception {
        check(new Upsample(2), 2, 3, 4);
        check(Upsample.byFactors(new double[] {1.5, 2.5}, "nearest", false, false), 2, 3, 5);
        check(Upsample.toSize(7, 5, "nearest", false), 2, 3, 4);
        check(new Upsample(3, "nearest-exact"), 2, 5);
        check(Upsample.toSize(2, 5, 7, "nearest-exact", false), 2, 3, 2, 4);
    }

    @Test
    void upsampleInterpolatingWithAndWithoutAlignedCorners() throws Exception {
        for (boolean align : new boolean[] {false, true}) {
            check(new Upsample(2, "bilinear", align), 2, 3, 4);
            check(Upsample.toSize(7, 5, "bilinear", align), 2, 3, 4);
            check(new Upsample(2.5, "linear", align), 2, 5);
            check(new Upsample(2, "trilinear", align), 2, 2, 3, 2);
            check(new Upsample(2, "bicubic", align), 2, 3, 4);
        }
    }

    @Test
    void upsampleByAFactorWithAlignedCornersOrARecomputedScaleFollowsASymbolicSpatialSize() throws Exception {
        checkOtherImageSizes(new Upsample(2, "bilinear", true));
        checkOtherImageSizes(Upsample.byFactors(new double[] {0.7, 1.5}, "bilinear", false, true));
        checkOtherImageSizes(Upsample.byFactors(new double[] {1.7, 0.7}, "bicubic", true, false));
        checkOtherImageSizes(Upsample.byFactors(new double[] {1.3, 0.7}, "nearest", false, true));
    }

    @Test
    void upsampleAreaIsAdaptiveAveragePooling() throws Exception {
        check(Upsample.toSize(3, 4, "area", false), 2, 5, 7);
    }

    @Test
    void pixelShuffleAndUnshuffleRoundTheChannelsInPyTorchsOrder() throws Exception {
        check(new PixelShuffle(2), 8, 3, 2);
        check(new PixelUnshuffle(2), 3, 4, 6);
        check(new Sequential(new PixelUnshuffle(3), new PixelShuffle(3)), 2, 3, 6);
    }

    @Test
    void pixelUnshuffleFollowsASymbolicSpatialSize() throws Exception {
        checkOtherImageSizes(new PixelUnshuffle(2));
    }

    @Test
    void pixelShuffleOfAnUnbatchedImageIsRefusedNamingTheLayer() {
        Module model = new Sequential(new PixelShuffle(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.export(model, new int[] {4, 3, 2}, dir.resolve("unbatched.onnx")));
        assertTrue(e.getMessage().contains("PixelShuffle") && e.getMessage().contains("[4, 3, 2]"), e.getMessage());
    }

    @Test
    void channelShuffleInterleavesTheGroups() throws Exception {
        check(new ChannelShuffle(3), 6, 2, 3);
        check(new ChannelShuffle(2), 4, 5);
    }

    @Test
    void reflectionAndReplicationPaddingOfOneToThreeAxes() throws Exception {
        check(new ReflectionPad1d(new int[] {2, 1}), 2, 5);
        check(new ReflectionPad2d(new int[] {1, 2, 0, 3}), 2, 4, 5);
        check(new ReflectionPad3d(1), 2, 3, 3, 4);
        check(new ReplicationPad1d(new int[] {3, 0}), 2, 4);
        check(new ReplicationPad2d(2), 2, 3, 3);
        check(new ReplicationPad3d(new int[] {1, 0, 2, 1, 0, 2}), 2, 2, 3, 3);
    }

    @Test
    void constantAndZeroPaddingOfOneAndThreeAxesCroppingWhereNegative() throws Exception {
        check(new ZeroPad1d(new int[] {1, 2}), 2, 4);
        check(new ConstantPad1d(new int[] {-1, 2}, 0.5), 2, 4);
        check(new ZeroPad3d(1), 2, 2, 3, 3);
        check(new ConstantPad3d(new int[] {0, 1, 2, 0, 1, 1}, -1.5), 2, 2, 3, 3);
    }

    @Test
    void circularPaddingWrapsTheFarEndsAround() throws Exception {
        check(new CircularPad1d(new int[] {2, 1}), 2, 5);
        check(new CircularPad2d(new int[] {1, 2, 2, 0}), 2, 3, 4);
    }

    @Test
    void circularPaddingThatCropsIsRefusedNamingTheLayer() {
        Module model = new Sequential(new CircularPad1d(new int[] {-1, 2}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.export(model, new int[] {1, 2, 5}, dir.resolve("crop.onnx")));
        assertTrue(e.getMessage().contains("CircularPad1d"), e.getMessage());
    }

    /**
     * A small U-Net-like image-to-image net: an encoder level, a bottleneck reached by pooling and left by a
     * transposed convolution and by upsampling, additive skips around both, group and instance normalisation.
     */
    @Test
    void aSmallUNetLikeNetMatches() throws Exception {
        Module bottleneck = new Sequential(new AvgPool2d(2), Conv2d.builder(16, 16, 3).padding(1).build(),
                new InstanceNorm2d(16), new PReLU(16), new Upsample(2, "bilinear", false));
        Module level = new Sequential(new MaxPool2d(2), Conv2d.builder(8, 16, 3).padding(1).build(),
                new GroupNorm(4, 16), new Mish(), new Residual(bottleneck),
                ConvTranspose2d.builder(16, 8, 2).stride(2).build(), new GroupNorm(2, 8), new LeakyReLU(0.1));
        Module model = new Sequential(Conv2d.builder(2, 8, 3).padding(1).build(), new GroupNorm(2, 8), new SiLU(),
                new Residual(level), new ReflectionPad2d(1), Conv2d.builder(8, 4, 3).build(), new PixelShuffle(2),
                new Upsample(2, "nearest"), new AdaptiveMaxPool2d(8));
        OrtCheck.exportAndCompare(model, dir, 2, 12, 12);
    }

    @Test
    void unfoldIsTheColumnsOfEachWindow() throws Exception {
        check(new Unfold(2), 3, 4, 5);
        check(new Unfold(new int[] {2, 3}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}), 2, 6, 7);
    }

    @Test
    void foldSumsTheColumnsBackIntoTheirWindows() throws Exception {
        check(new Fold(new int[] {4, 5}, new int[] {2, 2}, new int[] {1}, new int[] {0}, new int[] {1}), 12, 12);
        check(new Fold(new int[] {6, 7}, new int[] {2, 3}, new int[] {2, 1}, new int[] {1, 0}, new int[] {2, 2}), 12,
                9);
        check(new Sequential(new Unfold(new int[] {3}, new int[] {1}, new int[] {1}, new int[] {2}),
                new Fold(5, 3, 1, 1, 2)), 2, 5, 5);
    }

    @Test
    void lazyLayersExportAsTheLayersTheyBecome() throws Exception {
        check(new Sequential(new LazyConv2d(4, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, 2, true),
                new Flatten(), new LazyLinear(3)), 2, 5, 5);
    }

    @Test
    void embeddingBagOfEveryModeLeavesThePaddingIndexOut() throws Exception {
        long[] three = {1, 4, 0, 7, 0, 0, 0, 0, 9, 9, 2, 0};
        long[] one = {5, 0, 3, 8};
        for (EmbeddingBag.Mode mode : EmbeddingBag.Mode.values()) {
            checkBags(new EmbeddingBag(10, 3, mode), three, one);
            checkBags(EmbeddingBag.builder(10, 3).mode(mode).paddingIdx(0).build(), three, one);
        }
    }

    /**
     * A last window starting in the right padding, which PyTorch leaves out in ceil mode, at the odd sizes only: a
     * file exported at even sizes drops it at odd ones, and one exported at odd sizes keeps it at even ones.
     */
    @Test
    void poolingInCeilModeFollowsASymbolicSpatialSize() throws Exception {
        int[][] evenFirst = {{2, 3, 4, 6}, {1, 3, 5, 7}, {2, 3, 9, 4}};
        int[][] oddFirst = {{1, 3, 5, 7}, {2, 3, 4, 6}, {2, 3, 9, 4}};
        for (int[][] shapes : new int[][][] {evenFirst, oddFirst}) {
            checkOtherImageSizes(new MaxPool2d(2, 2, 1, true), shapes);
            checkOtherImageSizes(new AvgPool2d(2, 2, 1, true, true), shapes);
            checkOtherImageSizes(new AvgPool2d(2, 2, 1, true, false), shapes);
        }
    }

    @Test
    void oneDimensionalPoolingInCeilModeFollowsASymbolicLength() throws Exception {
        for (Module pool : List.of(new MaxPool1d(2, 2, 1, true), new AvgPool1d(2, 2, 1, true, true))) {
            Module model = new Sequential(pool);
            Path file = dir.resolve("sequences.onnx");
            OnnxExport.export(model, new int[] {2, 3, 6}, file, OnnxExportOptions.defaults().withDynamicAxes(
                    Map.of(0, "batch", 2, "length"), Map.of(0, "batch", 2, "outLength")));
            for (int[] shape : new int[][] {{2, 3, 6}, {1, 3, 7}, {3, 3, 9}}) {
                OrtCheck.compare(model, file, shape, "input");
            }
        }
    }

    @Test
    void embeddingBagOfEveryModeFollowsASymbolicBagLength() throws Exception {
        long[] threeOfSix = {1, 4, 0, 7, 2, 2, 0, 0, 0, 0, 0, 0, 9, 9, 2, 0, 6, 3};
        for (EmbeddingBag.Mode mode : EmbeddingBag.Mode.values()) {
            for (EmbeddingBag bag : List.of(new EmbeddingBag(10, 3, mode),
                    EmbeddingBag.builder(10, 3).mode(mode).paddingIdx(0).build())) {
                Path file = dir.resolve("bags.onnx");
                OnnxExport.export(bag, new int[] {3, 4}, file, OnnxExportOptions.defaults().withInputType(DType.I64)
                        .withDynamicAxes(Map.of(0, "bags", 1, "length"), Map.of(0, "bags")));
                OrtCheck.compareIndices(bag, file, new int[] {3, 6}, threeOfSix);
            }
        }
    }

    /** The bags exported for int64 indices [3, 4], compared with Kiln on {@code three} [3, 4] and {@code one} [1, 4]. */
    private void checkBags(EmbeddingBag bag, long[] three, long[] one) throws Exception {
        Path file = dir.resolve("bags.onnx");
        OnnxExport.export(bag, new int[] {3, 4}, file, OnnxExportOptions.defaults().withInputType(DType.I64));
        OrtCheck.compareIndices(bag, file, new int[] {3, 4}, three);
        OrtCheck.compareIndices(bag, file, new int[] {1, 4}, one);
    }

    @Test
    void theNewConvertersRunUnderLaterOpsets() throws Exception {
        Module model = new Sequential(new ReflectionPad2d(1), Conv2d.builder(2, 4, 3).build(), new GroupNorm(2, 4),
                new LocalResponseNorm(2), new Upsample(2, "bilinear", true), new AdaptiveMaxPool2d(3, 4),
                new Upsample(1.5, "nearest", false), new PixelUnshuffle(2), new LogSigmoid());
        EmbeddingBag bag = EmbeddingBag.builder(10, 3).mode(EmbeddingBag.Mode.MEAN).paddingIdx(0).build();
        for (int opset : new int[] {18, 21}) {
            OnnxExportOptions options = OnnxExportOptions.defaults().withOpset(opset);
            Path file = dir.resolve("opset" + opset + ".onnx");
            OnnxExport.export(model, new int[] {3, 2, 5, 5}, file, options);
            OrtCheck.compare(model, file, new int[] {3, 2, 5, 5}, "input");
            OnnxExport.export(bag, new int[] {3, 4}, file, options.withInputType(DType.I64));
            OrtCheck.compareIndices(bag, file, new int[] {3, 4}, new long[] {1, 4, 0, 7, 0, 0, 0, 0, 9, 9, 2, 0});
        }
    }
}
