package dev.kiln.nn;

import static dev.kiln.nn.Int8WeightsAssertions.assertScales;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.zoo.ResNet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticQuantization} of residual networks against PyTorch 1.13's eager-mode recipe for torchvision's
 * quantizable ResNet (conv + bn + relu fused in each block, the residual sum through {@code FloatFunctional.add_relu}
 * on its own grid, quantized average pooling keeping its input's grid; onednn engine), printed by
 * {@code models/src/test/pytorch/quantize_static_resnet.py}: the same zero points and weight scales exactly, grid
 * scales to a relative 1e-5, and outputs within one step of the last layer's grid.
 */
class StaticQuantizationResNetPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(dims).float()}. */
    private static Tensor batch(int seed, double scale, double shift, int... dims) {
        return PyTorchParity.values(seed, dims).mul(scale).add(shift).to(DType.F32);
    }

    /** The k-th named batch norm's running statistics 0.3 * pattern(c, 40 + k) and 1 + 0.5 * pattern(c, 50 + k). */
    private static void setRunningStatistics(Module model, String... norms) {
        for (int k = 0; k < norms.length; k++) {
            BatchNorm2d norm = (BatchNorm2d) model.getSubmodule(norms[k]);
            norm.runningMean().assign(PyTorchParity.values(40 + k, norm.channels()).mul(0.3).to(DType.F32));
            norm.runningVar().assign(PyTorchParity.values(50 + k, norm.channels()).mul(0.5).add(1.0).to(DType.F32));
        }
    }

    /**
     * The convolution weight {@code name} [out, in, kh, kw], loaded from the pattern, laid out again as
     * {@code reshape(kh, kw, in, out).permute(3, 2, 0, 1)} and times {@code factor}, a power of two (exact in both).
     */
    private static void shuffleAndScaleConvWeight(Module model, String name, double factor) {
        try (var g = Autograd.noGrad()) {
            Tensor p = model.getParameter(name);
            p.assign(p.reshape(p.dim(2), p.dim(3), p.dim(1), p.dim(0)).permute(3, 2, 0, 1).mul(factor));
        }
    }

    private static Module quantise(Module model, Tensor... calibration) {
        model.eval();
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            for (Tensor x : calibration) {
                prepared.forward(x);
            }
        }
        Module quantised = StaticQuantization.convert(prepared);
        prepared.close();
        return quantised;
    }

    /** The grid of the first quantised layer's input: the one the model input is quantised onto. */
    private static Uint8Grid inputGrid(Module quantised) {
        return quantised.modules().stream().filter(m -> m instanceof QuantizedLayer).map(m -> (QuantizedLayer) m)
                .findFirst().orElseThrow().inputGrid();
    }

    /** The output grid of the quantised layer or block at {@code path}. */
    private static Uint8Grid outputGrid(Module quantised, String path) {
        Module m = quantised.getSubmodule(path);
        return m instanceof QuantizedBasicBlock block ? block.outputGrid() : ((QuantizedLayer) m).outputGrid();
    }

    private static StaticInt8ConvWeights weights(Module quantised, String path) {
        return ((QuantizedLayer) quantised.getSubmodule(path)).packedWeight();
    }

    /**
     * The scale to a relative 1e-5: calibration runs the F32 model, whose convolutions sum in another order in Kiln
     * than in PyTorch, so an observed extreme, and with it the scale, may differ in its last bits.
     */
    private static void assertGrid(String what, Uint8Grid grid, float scale, int zeroPoint) {
        assertEquals(scale, grid.scale(), 1e-5 * scale, what + " scale");
        assertEquals(zeroPoint, grid.zeroPoint(), what + " zero point");
    }

    /** Every output element within one step of the last grid of PyTorch's, and at most one in ten a step off. */
    private static void assertWithinOneStep(Module quantised, Tensor x, float step, double... expected) {
        float[] actual;
        try (var g = Autograd.noGrad()) {
            actual = quantised.forward(x).toFloatArray();
        }
        assertEquals(expected.length, actual.length);
        int off = 0;
        for (int k = 0; k < actual.length; k++) {
            double steps = Math.abs(actual[k] - expected[k]) / step;
            assertTrue(steps <= 1.0001, "element " + k + ": " + actual[k] + " vs PyTorch's " + expected[k]
                    + ", step " + step);
            off += steps > 0.5 ? 1 : 0;
        }
        assertTrue(off * 10 <= actual.length, off + " of " + actual.length + " elements are a step off PyTorch's");
    }

    @Test
    void smallResidualNetMatchesPyTorch() {
        Module model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).bias(false).build(),
                new BatchNorm2d(4), new ReLU(), new BasicBlock(4), new BasicBlock(4, 8, 2),
                new GlobalAvgPool2d(), new Flatten(), new Linear(8, 5));
        load(model,
                key("0.weight", 1, 4, 2, 3, 3),
                key("1.weight", 2, 4),
                key("1.bias", 3, 4),
                key("3.conv1.weight", 4, 4, 4, 3, 3),
                key("3.bn1.weight", 5, 4),
                key("3.bn1.bias", 6, 4),
                key("3.conv2.weight", 7, 4, 4, 3, 3),
                key("3.bn2.weight", 8, 4),
                key("3.bn2.bias", 9, 4),
                key("4.conv1.weight", 10, 8, 4, 3, 3),
                key("4.bn1.weight", 11, 8),
                key("4.bn1.bias", 12, 8),
                key("4.conv2.weight", 13, 8, 8, 3, 3),
                key("4.bn2.weight", 14, 8),
                key("4.bn2.bias", 15, 8),
                key("4.downsample.0.weight", 16, 8, 4, 1, 1),
                key("4.downsample.1.weight", 17, 8),
                key("4.downsample.1.bias", 18, 8),
                key("7.weight", 19, 5, 8),
                key("7.bias", 20, 5));
        setRunningStatistics(model, "1", "3.bn1", "3.bn2", "4.bn1", "4.bn2", "4.downsample.1");
        Module quantised = quantise(model,
                batch(11, 2.0, 0.3, 3, 2, 10, 10),
                batch(12, 1.5, -0.2, 3, 2, 10, 10),
                batch(13, 2.5, 0.1, 3, 2, 10, 10));
        try {
            assertGrid("input", inputGrid(quantised), 0.009803883731365204f, 117);
            assertGrid("0", outputGrid(quantised, "0"), 0.005877582356333733f, 0);
            assertGrid("3.conv1", outputGrid(quantised, "3.conv1"), 0.006011673249304295f, 0);
            assertGrid("3.conv2", outputGrid(quantised, "3.conv2"), 0.01766843907535076f, 135);
            assertGrid("3", outputGrid(quantised, "3"), 0.008298424072563648f, 0);
            assertGrid("4.conv1", outputGrid(quantised, "4.conv1"), 0.010434315539896488f, 0);
            assertGrid("4.conv2", outputGrid(quantised, "4.conv2"), 0.021773163229227066f, 122);
            assertGrid("4.downsample.0", outputGrid(quantised, "4.downsample.0"), 0.0069998265244066715f, 105);
            assertGrid("4", outputGrid(quantised, "4"), 0.013965850695967674f, 0);
            assertGrid("7", outputGrid(quantised, "7"), 0.00889531522989273f, 110);
            assertScales("0 scales", weights(quantised, "0").scales(),
                    0.0007585793500766158, 0.0004870385746471584, 0.0017094140639528632, 0.0022305373568087816);
            assertScales("3.conv1 scales", weights(quantised, "3.conv1").scales(),
                    0.0006444801692850888, 0.0018950375961139798, 0.002226274460554123, 0.0013973100576549768);
            assertScales("3.conv2 scales", weights(quantised, "3.conv2").scales(),
                    0.001987703377380967, 0.0020987754687666893, 0.001208562753163278, 6.063211912987754e-05);
            assertScales("4.conv1 scales", weights(quantised, "4.conv1").scales(),
                    0.0019207698060199618, 0.001045759185217321, 0.00015997060108929873, 0.0012544591445475817,
                    0.001854832749813795, 0.0016447282396256924, 0.0005410325829870999, 0.0009764941642060876);
            assertScales("4.conv2 scales", weights(quantised, "4.conv2").scales(),
                    0.0009198937914334238, 0.00026405343669466674, 0.0013849989045411348, 0.0019865527283400297,
                    0.0016911090351641178, 0.000429535866715014, 0.0010643000714480877, 0.0018806011648848653);
            assertScales("4.downsample.0 scales", weights(quantised, "4.downsample.0").scales(),
                    0.00033594059641472995, 0.0015403102152049541, 0.0021052511874586344, 0.0016526574036106467,
                    0.0002869213931262493, 0.0010784423211589456, 0.0017601611325517297, 0.0016065242234617472);
            assertScales("7 scales", weights(quantised, "7").scales(),
                    0.003880341537296772, 0.0038327155634760857, 0.0038893288001418114, 0.0038972164038568735,
                    0.0039040022529661655);
            assertWithinOneStep(quantised, batch(14, 2.0, 0.2, 3, 2, 10, 10), 0.00889531522989273f,
                    1.1386003494262695, 1.1652863025665283, 0.6582533121109009, -0.15122035145759583,
                    -0.8984268307685852, 1.0229612588882446, 1.0674378871917725, 0.6137767434120178,
                    -0.1156390979886055, -0.8005783557891846, 1.1474956274032593, 1.174181580543518,
                    0.6671486496925354, -0.15122035145759583, -0.8984268307685852);
        } finally {
            quantised.close();
        }
    }

    @Test
    void resnet18MatchesPyTorch() {
        Module model = ResNet.resnet18(3, 10);
        load(model,
                key("conv1.weight", 1, 64, 3, 7, 7),
                key("bn1.weight", 2, 64),
                key("bn1.bias", 3, 64),
                key("layer1.0.conv1.weight", 4, 64, 64, 3, 3),
                key("layer1.0.bn1.weight", 5, 64),
                key("layer1.0.bn1.bias", 6, 64),
                key("layer1.0.conv2.weight", 7, 64, 64, 3, 3),
                key("layer1.0.bn2.weight", 8, 64),
                key("layer1.0.bn2.bias", 9, 64),
                key("layer1.1.conv1.weight", 10, 64, 64, 3, 3),
                key("layer1.1.bn1.weight", 11, 64),
                key("layer1.1.bn1.bias", 12, 64),
                key("layer1.1.conv2.weight", 13, 64, 64, 3, 3),
                key("layer1.1.bn2.weight", 14, 64),
                key("layer1.1.bn2.bias", 15, 64),
                key("layer2.0.conv1.weight", 16, 128, 64, 3, 3),
                key("layer2.0.bn1.weight", 17, 128),
                key("layer2.0.bn1.bias", 18, 128),
                key("layer2.0.conv2.weight", 19, 128, 128, 3, 3),
                key("layer2.0.bn2.weight", 20, 128),
                key("layer2.0.bn2.bias", 21, 128),
                key("layer2.0.downsample.0.weight", 22, 128, 64, 1, 1),
                key("layer2.0.downsample.1.weight", 23, 128),
                key("layer2.0.downsample.1.bias", 24, 128),
                key("layer2.1.conv1.weight", 25, 128, 128, 3, 3),
                key("layer2.1.bn1.weight", 26, 128),
                key("layer2.1.bn1.bias", 27, 128),
                key("layer2.1.conv2.weight", 28, 128, 128, 3, 3),
                key("layer2.1.bn2.weight", 29, 128),
                key("layer2.1.bn2.bias", 30, 128),
                key("layer3.0.conv1.weight", 31, 256, 128, 3, 3),
                key("layer3.0.bn1.weight", 32, 256),
                key("layer3.0.bn1.bias", 33, 256),
                key("layer3.0.conv2.weight", 34, 256, 256, 3, 3),
                key("layer3.0.bn2.weight", 35, 256),
                key("layer3.0.bn2.bias", 36, 256),
                key("layer3.0.downsample.0.weight", 37, 256, 128, 1, 1),
                key("layer3.0.downsample.1.weight", 38, 256),
                key("layer3.0.downsample.1.bias", 39, 256),
                key("layer3.1.conv1.weight", 40, 256, 256, 3, 3),
                key("layer3.1.bn1.weight", 41, 256),
                key("layer3.1.bn1.bias", 42, 256),
                key("layer3.1.conv2.weight", 43, 256, 256, 3, 3),
                key("layer3.1.bn2.weight", 44, 256),
                key("layer3.1.bn2.bias", 45, 256),
                key("layer4.0.conv1.weight", 46, 512, 256, 3, 3),
                key("layer4.0.bn1.weight", 47, 512),
                key("layer4.0.bn1.bias", 48, 512),
                key("layer4.0.conv2.weight", 49, 512, 512, 3, 3),
                key("layer4.0.bn2.weight", 50, 512),
                key("layer4.0.bn2.bias", 51, 512),
                key("layer4.0.downsample.0.weight", 52, 512, 256, 1, 1),
                key("layer4.0.downsample.1.weight", 53, 512),
                key("layer4.0.downsample.1.bias", 54, 512),
                key("layer4.1.conv1.weight", 55, 512, 512, 3, 3),
                key("layer4.1.bn1.weight", 56, 512),
                key("layer4.1.bn1.bias", 57, 512),
                key("layer4.1.conv2.weight", 58, 512, 512, 3, 3),
                key("layer4.1.bn2.weight", 59, 512),
                key("layer4.1.bn2.bias", 60, 512),
                key("fc.weight", 61, 10, 512),
                key("fc.bias", 62, 10));
        setRunningStatistics(model, "bn1", "layer1.0.bn1", "layer1.0.bn2", "layer1.1.bn1", "layer1.1.bn2", "layer2.0.bn1", "layer2.0.bn2", "layer2.0.downsample.1", "layer2.1.bn1", "layer2.1.bn2", "layer3.0.bn1", "layer3.0.bn2", "layer3.0.downsample.1", "layer3.1.bn1", "layer3.1.bn2", "layer4.0.bn1", "layer4.0.bn2", "layer4.0.downsample.1", "layer4.1.bn1", "layer4.1.bn2");
        shuffleAndScaleConvWeight(model, "conv1.weight", 1.0);
        shuffleAndScaleConvWeight(model, "layer1.0.conv1.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer1.0.conv2.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer1.1.conv1.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer1.1.conv2.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer2.0.conv1.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer2.0.conv2.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer2.0.downsample.0.weight", 2.0);
        shuffleAndScaleConvWeight(model, "layer2.1.conv1.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer2.1.conv2.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer3.0.conv1.weight", 0.5);
        shuffleAndScaleConvWeight(model, "layer3.0.conv2.weight", 0.25);
        shuffleAndScaleConvWeight(model, "layer3.0.downsample.0.weight", 1.0);
        shuffleAndScaleConvWeight(model, "layer3.1.conv1.weight", 0.25);
        shuffleAndScaleConvWeight(model, "layer3.1.conv2.weight", 0.25);
        shuffleAndScaleConvWeight(model, "layer4.0.conv1.weight", 0.25);
        shuffleAndScaleConvWeight(model, "layer4.0.conv2.weight", 0.25);
        shuffleAndScaleConvWeight(model, "layer4.0.downsample.0.weight", 1.0);
        shuffleAndScaleConvWeight(model, "layer4.1.conv1.weight", 0.25);
        shuffleAndScaleConvWeight(model, "layer4.1.conv2.weight", 0.25);
        Module quantised = quantise(model,
                batch(21, 1.0, 0.5, 2, 3, 32, 32),
                batch(22, 1.2, 0.4, 2, 3, 32, 32),
                batch(23, 0.8, 0.5, 2, 3, 32, 32));
        try {
            assertGrid("input", inputGrid(quantised), 0.004705882631242275f, 42);
            assertGrid("conv1", outputGrid(quantised, "conv1"), 0.002884035697206855f, 0);
            assertGrid("layer1.0.conv1", outputGrid(quantised, "layer1.0.conv1"), 0.0032742777839303017f, 0);
            assertGrid("layer1.0.conv2", outputGrid(quantised, "layer1.0.conv2"), 0.006669189315289259f, 134);
            assertGrid("layer1.0", outputGrid(quantised, "layer1.0"), 0.00507318926975131f, 0);
            assertGrid("layer1.1.conv1", outputGrid(quantised, "layer1.1.conv1"), 0.0023552800994366407f, 0);
            assertGrid("layer1.1.conv2", outputGrid(quantised, "layer1.1.conv2"), 0.005178913474082947f, 133);
            assertGrid("layer1.1", outputGrid(quantised, "layer1.1"), 0.004839877597987652f, 0);
            assertGrid("layer2.0.conv1", outputGrid(quantised, "layer2.0.conv1"), 0.00231661438010633f, 0);
            assertGrid("layer2.0.conv2", outputGrid(quantised, "layer2.0.conv2"), 0.004190424457192421f, 132);
            assertGrid("layer2.0.downsample.0", outputGrid(quantised, "layer2.0.downsample.0"), 0.0048057809472084045f, 127);
            assertGrid("layer2.0", outputGrid(quantised, "layer2.0"), 0.00323343463242054f, 0);
            assertGrid("layer2.1.conv1", outputGrid(quantised, "layer2.1.conv1"), 0.002251493278890848f, 0);
            assertGrid("layer2.1.conv2", outputGrid(quantised, "layer2.1.conv2"), 0.004065409768372774f, 134);
            assertGrid("layer2.1", outputGrid(quantised, "layer2.1"), 0.005134881008416414f, 0);
            assertGrid("layer3.0.conv1", outputGrid(quantised, "layer3.0.conv1"), 0.0024780267849564552f, 0);
            assertGrid("layer3.0.conv2", outputGrid(quantised, "layer3.0.conv2"), 0.00402275612577796f, 132);
            assertGrid("layer3.0.downsample.0", outputGrid(quantised, "layer3.0.downsample.0"), 0.004008379299193621f, 133);
            assertGrid("layer3.0", outputGrid(quantised, "layer3.0"), 0.0018786938162520528f, 0);
            assertGrid("layer3.1.conv1", outputGrid(quantised, "layer3.1.conv1"), 0.0020283772610127926f, 0);
            assertGrid("layer3.1.conv2", outputGrid(quantised, "layer3.1.conv2"), 0.004060501232743263f, 133);
            assertGrid("layer3.1", outputGrid(quantised, "layer3.1"), 0.003682642476633191f, 0);
            assertGrid("layer4.0.conv1", outputGrid(quantised, "layer4.0.conv1"), 0.002026040805503726f, 0);
            assertGrid("layer4.0.conv2", outputGrid(quantised, "layer4.0.conv2"), 0.0039642248302698135f, 132);
            assertGrid("layer4.0.downsample.0", outputGrid(quantised, "layer4.0.downsample.0"), 0.00482477992773056f, 100);
            assertGrid("layer4.0", outputGrid(quantised, "layer4.0"), 0.002984227379783988f, 0);
            assertGrid("layer4.1.conv1", outputGrid(quantised, "layer4.1.conv1"), 0.0019613904878497124f, 0);
            assertGrid("layer4.1.conv2", outputGrid(quantised, "layer4.1.conv2"), 0.003930486738681793f, 128);
            assertGrid("layer4.1", outputGrid(quantised, "layer4.1"), 0.004902397282421589f, 0);
            assertGrid("fc", outputGrid(quantised, "fc"), 0.3795569837093353f, 201);
            assertWithinOneStep(quantised, batch(24, 1.0, 0.45, 2, 3, 32, 32), 0.3795569837093353f,
                    20.116519927978516, 1.1386709213256836, -17.83917808532715, -35.6783561706543, -51.6197509765625,
                    -64.14513397216797, -72.4953842163086, -75.9113998413086, -74.3931655883789, -67.56114196777344,
                    20.496076583862305, 1.5182279348373413, -17.83917808532715, -35.6783561706543, -51.6197509765625,
                    -64.14513397216797, -72.4953842163086, -76.29095458984375, -74.3931655883789, -67.9406967163086);
        } finally {
            quantised.close();
        }
    }
}
