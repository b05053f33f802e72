package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.optim.SGD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantizationAwareTraining} against PyTorch 1.13's eager-mode quantisation-aware training (onednn engine,
 * FakeQuantize with MovingAverageMinMaxObserver quint8 activations and MovingAveragePerChannelMinMaxObserver
 * per-channel symmetric qint8 weights, Conv2d/Linear + ReLU fused, QuantStub/DeQuantStub), printed by
 * {@code models/src/test/pytorch/quantize_qat.py}: the same losses over four SGD steps and the same fake-quantisation
 * qparams after them to float tolerance (the two train in F32 with sums in different orders), and the trained and the
 * converted models' outputs within one step of the last layer's grid.
 */
class QuantizationAwareTrainingPyTorchParityTest {
    private static final long[] TARGETS = {0, 3, 4};
    private static final float STEP = 0.010597805492579937f;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(3, 2, 10, 10).float()}, computed in F64. */
    private static Tensor batch(int seed, double scale, double shift) {
        return PyTorchParity.values(seed, 3, 2, 10, 10).mul(scale).add(shift).to(DType.F32);
    }

    private static QatLayer layer(Module qat, String path) {
        return (QatLayer) qat.getSubmodule(path);
    }

    private static void assertGrid(String what, Uint8Grid grid, float scale, int zeroPoint) {
        assertEquals(scale, grid.scale(), 2e-6f * scale, what + " scale");
        assertEquals(zeroPoint, grid.zeroPoint(), what + " zero point");
    }

    private static void assertScales(String what, float[] actual, float... expected) {
        assertArrayEquals(expected, actual, 2e-6f * expected[0], what + " scales");
    }

    private static void assertWithinOneStep(String what, float[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toFloatArray(), STEP * 1.0001f, what);
    }

    @Test
    void smallConvNetTrainsAndConvertsAsPyTorch() {
        Sequential model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).build(), new ReLU(), new MaxPool2d(2),
                Conv2d.builder(4, 6, 3).stride(2).build(), new Flatten(), new Linear(24, 8), new ReLU(),
                new Linear(8, 5));
        load(model,
                key("0.weight", 1, 4, 2, 3, 3),
                key("0.bias", 2, 4),
                key("3.weight", 3, 6, 4, 3, 3),
                key("3.bias", 4, 6),
                key("5.weight", 5, 8, 24),
                key("5.bias", 6, 8),
                key("7.weight", 7, 5, 8),
                key("7.bias", 8, 5));
        Module qat = QuantizationAwareTraining.prepareQat(model);
        SGD sgd = new SGD(qat.trainableParameters(), 0.1);
        Tensor targets = Tensor.fromArray(TARGETS, TARGETS.length);
        double[] losses = new double[4];
        Tensor[] batches = {batch(11, 2.0, 0.3), batch(12, 1.5, -0.2), batch(13, 2.5, 0.1), batch(14, 1.0, 0.5)};
        for (int i = 0; i < batches.length; i++) {
            sgd.zeroGrad();
            Tensor loss = new CrossEntropyLoss().compute(qat.forward(batches[i]), targets);
            loss.backward();
            sgd.step();
            losses[i] = loss.item();
        }
        assertArrayEquals(new double[] {
                1.2843538522720337, 0.8533037304878235, 2.089484930038452, 2.5137152671813965}, losses, 1e-5, "losses");
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        assertGrid("input", layer(qat, "0").inputFakeQuant().grid(), 0.007804060820490122f, 90);
        assertGrid("layer 0", layer(qat, "0").outputFakeQuant().grid(), 0.008216082118451595f, 0);
        assertScales("layer 0 weight", layer(qat, "0").weightFakeQuant().scales(),
                0.003875304013490677f, 0.0038934308104217052f, 0.0039071026258170605f, 0.003916389308869839f);
        assertGrid("layer 3", layer(qat, "3").outputFakeQuant().grid(), 0.048913322389125824f, 139);
        assertScales("layer 3 weight", layer(qat, "3").weightFakeQuant().scales(),
                0.0039238836616277695f, 0.003913194872438908f, 0.003895218949764967f, 0.0039032362401485443f,
                0.003919238690286875f, 0.003922574687749147f);
        assertGrid("layer 5", layer(qat, "5").outputFakeQuant().grid(), 0.009654308669269085f, 0);
        assertScales("layer 5 weight", layer(qat, "5").weightFakeQuant().scales(),
                0.0038850714918226004f, 0.0039059275295585394f, 0.003914840053766966f, 0.00392124941572547f,
                0.003925152122974396f, 0.0039224280044436455f, 0.003913877997547388f, 0.003924451768398285f);
        assertGrid("layer 7", layer(qat, "7").outputFakeQuant().grid(), 0.010597805492579937f, 143);
        assertScales("layer 7 weight", layer(qat, "7").weightFakeQuant().scales(),
                0.003918860107660294f, 0.003722848603501916f, 0.003920756280422211f, 0.003922039642930031f,
                0.003921222873032093f);
        Tensor x = batch(15, 2.0, 0.0);
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertWithinOneStep("trained model's outputs", new float[] {
                -0.10597805678844452f, -0.8584222197532654f, -1.070378303527832f, -0.3497275710105896f,
                0.29673856496810913f, -0.46630343794822693f, -1.080976128578186f, -1.0385849475860596f,
                -0.3497275710105896f, 0.4345100224018097f, -1.2929322719573975f, -1.0491827726364136f,
                -0.2861407399177551f, 1.0067914724349976f, 1.1869542598724365f}, qat.forward(x));
            assertWithinOneStep("converted model's outputs", new float[] {
                -0.10597805678844452f, -0.8584222197532654f, -1.070378303527832f, -0.3497275710105896f,
                0.29673856496810913f, -0.46630343794822693f, -1.080976128578186f, -1.0385849475860596f,
                -0.3497275710105896f, 0.4345100224018097f, -1.2929322719573975f, -1.0491827726364136f,
                -0.2861407399177551f, 1.0067914724349976f, 1.1869542598724365f}, int8.forward(x));
        }
        qat.close();
        sgd.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(dims).float()}, computed in F64. */
    private static Tensor batchOf(int seed, double scale, double shift, int... dims) {
        return PyTorchParity.values(seed, dims).mul(scale).add(shift).to(DType.F32);
    }

    @Test
    void movingAverageObserversMatchPyTorchExactly() {
        MovingAverageMinMaxObserver activations = new MovingAverageMinMaxObserver();
        for (Tensor x : new Tensor[] {
                batchOf(21, 2.0, 0.5, 2, 3, 5),
                batchOf(22, 3.0, -1.0, 2, 3, 5),
                batchOf(23, 0.5, 0.2, 2, 3, 5)}) {
            activations.forward(x);
        }
        assertEquals(-0.46762269735336304f, activations.minVal());
        assertEquals(1.4794634580612183f, activations.maxVal());
        assertEquals(new Uint8Grid(0.0076356315985322f, 61), activations.calculateQParams());
        MovingAveragePerChannelMinMaxObserver weights = new MovingAveragePerChannelMinMaxObserver(4);
        for (Tensor w : new Tensor[] {
                batchOf(31, 1.0, 0.0, 4, 2, 3),
                batchOf(32, 0.4, 0.1, 4, 2, 3),
                batchOf(33, 2.0, -0.3, 4, 2, 3)}) {
            weights.forward(w);
        }
        assertArrayEquals(new float[] {
                -0.5004397630691528f, -0.41986554861068726f, -0.49969425797462463f, -0.498515784740448f},
                weights.minVals());
        assertArrayEquals(new float[] {
                0.21858853101730347f, 0.47849997878074646f, 0.48594769835472107f, 0.20350201427936554f},
                weights.maxVals());
        assertArrayEquals(new float[] {
                0.003925017546862364f, 0.003752941032871604f, 0.003919170703738928f, 0.0039099277928471565f},
                weights.calculateScales());
    }
}
