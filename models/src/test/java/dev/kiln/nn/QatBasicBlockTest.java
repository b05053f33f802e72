package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.SGD;
import dev.kiln.zoo.ResNet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QatBasicBlock} in {@link QuantizationAwareTraining} where {@link QatBasicBlockPyTorchParityTest} does not
 * reach: a block that is the model's first module fake-quantises its input once for conv1 and its identity shortcut
 * and converts to a {@link QuantizedBasicBlock} that rounds that input, within one output step of the trained model;
 * {@code freezeBatchNormStats} reaches the block's norms; the block's state-dict names; a block convolution without
 * an int8 kernel is refused by its path; the sum's module takes two inputs only; a block after an average pooling
 * reads the grid before it, as PyTorch's prepared block.
 */
class QatBasicBlockTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(5);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor input(int seed) {
        return PyTorchParity.values(seed, 4, 3, 6, 6).mul(2.0).add(0.1).to(DType.F32);
    }

    @Test
    void aFirstBlockFakeQuantisesItsInputOnceAndConvertsWithinOneStep() {
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(new BasicBlock(3), new Flatten(),
                new Linear(3 * 6 * 6, 4)));
        QatBasicBlock block = assertInstanceOf(QatBasicBlock.class, qat.getSubmodule("0"));
        QatConvBn2d conv1 = (QatConvBn2d) qat.getSubmodule("0.conv1");
        assertNull(conv1.inputFakeQuant(), "conv1 reads the block's own input fake quantisation");
        assertEquals("0.input_fake_quant", conv1.inputSource());
        assertTrue(conv1.fusedRelu());
        assertEquals("0.conv1", ((QatConvBn2d) qat.getSubmodule("0.conv2")).inputSource());
        assertEquals("0", ((QatLinear) qat.getSubmodule("2")).inputSource(), "the head reads the block's grid");
        Set<String> keys = qat.stateDict().keySet();
        assertTrue(keys.contains("0.add_relu.activation_post_process.scale"), keys.toString());
        assertTrue(keys.contains("0.conv1.bn.running_var"), keys.toString());
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("0.bn1.") || k.startsWith("0.bn2.")), keys.toString());
        SGD sgd = new SGD(qat.trainableParameters(), 0.05);
        Tensor targets = Tensor.fromArray(new long[] {0, 1, 2, 3}, 4);
        for (int step = 0; step < 3; step++) {
            sgd.zeroGrad();
            new CrossEntropyLoss().compute(qat.forward(input(20 + step)), targets).backward();
            sgd.step();
        }
        QuantizationAwareTraining.freezeBatchNormStats(qat);
        for (String path : new String[] {"0.conv1", "0.conv2"}) {
            assertTrue(((QatConvBn2d) qat.getSubmodule(path)).batchNormStatsFrozen(), path);
        }
        QuantizationAwareTraining.disableObservers(qat);
        assertFalse(block.inputFakeQuant().observerEnabled());
        assertFalse(block.outputFakeQuant().observerEnabled());
        qat.eval();
        Tensor x = input(30);
        float step = ((QatLinear) qat.getSubmodule("2")).outputFakeQuant().grid().scale();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            QuantizedBasicBlock quantised = assertInstanceOf(QuantizedBasicBlock.class, int8.getSubmodule("0"));
            assertTrue(quantised.roundsInput(), "an identity shortcut rounds the model's input");
            assertEquals(block.inputFakeQuant().grid(), quantised.inputGrid());
            assertEquals(block.outputFakeQuant().grid(), quantised.outputGrid());
            assertArrayEquals(qat.forward(x).toFloatArray(), int8.forward(x).toFloatArray(), step * 1.0001f);
        }
        qat.close();
        sgd.close();
    }

    @Test
    void aBlockWithAGroupedConvolutionIsRefusedByItsPath() {
        BasicBlock block = new BasicBlock(4);
        block.replaceModule("conv2", Conv2d.builder(4, 4, 3).padding(1).groups(2).bias(false).build()).close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizationAwareTraining.prepareQat(new Sequential(new ReLU(), block)));
        assertTrue(e.getMessage().contains("'1.conv2'") && e.getMessage().contains("groups"), e.getMessage());
        block.close();
    }

    @Test
    void theResidualSumTakesTwoInputsOfOneShape() {
        QatAddReLU sum = new QatAddReLU();
        Tensor a = Tensor.ones(DType.F32, 2, 3);
        assertThrows(UnsupportedOperationException.class, () -> sum.forward(a));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sum.call(a, Tensor.ones(DType.F32, 3, 2)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"), e.getMessage());
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, sum.call(a, a).toFloatArray(), 0.01f);
        sum.close();
    }

    /** A BasicBlock as the whole model is refused, as a Conv2d or Linear is, naming it (it has no parent to sit in). */
    @Test
    void aBlockAsTheWholeModelIsRefusedByName() {
        BasicBlock block = new BasicBlock(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizationAwareTraining.prepareQat(block));
        assertEquals("QuantizationAwareTraining.prepareQat: the model is itself BasicBlock(3 -> 3, stride=1); wrap it"
                + " in a Sequential so that its input is fake-quantised", e.getMessage());
        block.close();
    }

    /**
     * A block whose shortcut convolution has no norm after it ({@code downsample} a Conv2d and an Identity) trains
     * with that convolution as a plain {@link QatConv2d} and converts within one output step.
     */
    @Test
    void aShortcutConvolutionWithoutANormTrainsAsAPlainQatConvolution() {
        BasicBlock block = new BasicBlock(3, 4, 2);
        block.replaceModule("downsample", new Sequential(Conv2d.builder(3, 4, 1).stride(2).bias(false).build(),
                new Identity())).close();
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(block, new Flatten(),
                new Linear(4 * 3 * 3, 4)));
        assertInstanceOf(QatBasicBlock.class, qat.getSubmodule("0"));
        QatConv2d shortcut = assertInstanceOf(QatConv2d.class, qat.getSubmodule("0.downsample.0"));
        assertEquals("0.input_fake_quant", shortcut.inputSource());
        assertFalse(shortcut.fusedRelu());
        SGD sgd = new SGD(qat.trainableParameters(), 0.05);
        Tensor targets = Tensor.fromArray(new long[] {0, 1, 2, 3}, 4);
        for (int step = 0; step < 3; step++) {
            sgd.zeroGrad();
            new CrossEntropyLoss().compute(qat.forward(input(40 + step)), targets).backward();
            sgd.step();
        }
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        Tensor x = input(50);
        float step = ((QatLinear) qat.getSubmodule("2")).outputFakeQuant().grid().scale();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertInstanceOf(QuantizedBasicBlock.class, int8.getSubmodule("0"));
            assertInstanceOf(QuantizedConv2d.class, int8.getSubmodule("0.downsample.0"));
            assertArrayEquals(qat.forward(x).toFloatArray(), int8.forward(x).toFloatArray(), step * 1.0001f);
        }
        qat.close();
        sgd.close();
    }

    /**
     * The zoo's ResNet runs its children in order, so each stage's first block and fc read the grid of the block
     * before them, as in PyTorch's prepared QuantizableResNet (no fake quantisation of their own); only layer1.0
     * fake-quantises its input, after the stem's unfused bn1. Converted, each block reads its predecessor's grid.
     */
    @Test
    void zooResNetStagesReadTheGridOfTheBlockBefore() {
        Module qat = QuantizationAwareTraining.prepareQat(ResNet.resnet18(1, 10));
        Set<String> keys = qat.stateDict().keySet();
        assertTrue(keys.contains("layer1.0.input_fake_quant.scale"), keys.toString());
        for (String path : new String[] {"layer2.0", "layer3.0", "layer4.0", "fc"}) {
            assertFalse(keys.contains(path + ".input_fake_quant.scale"), path);
        }
        assertEquals("layer1.1", ((QatConvBn2d) qat.getSubmodule("layer2.0.conv1")).inputSource());
        assertEquals("layer1.1", ((QatConvBn2d) qat.getSubmodule("layer2.0.downsample.0")).inputSource());
        assertEquals("layer4.1", ((QatLinear) qat.getSubmodule("fc")).inputSource());
        qat.forward(PyTorchParity.values(60, 2, 1, 32, 32).to(DType.F32));
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertEquals(((QuantizedBasicBlock) int8.getSubmodule("layer1.1")).outputGrid(),
                    ((QuantizedBasicBlock) int8.getSubmodule("layer2.0")).inputGrid());
            assertFalse(((QuantizedBasicBlock) int8.getSubmodule("layer2.0")).roundsInput());
            assertArrayEquals(new int[] {2, 10},
                    int8.forward(PyTorchParity.values(61, 2, 1, 32, 32).to(DType.F32)).shape().dims());
        }
        qat.close();
    }

    /**
     * A block right after an adaptive average pooling reads the pooled mean as it is, on the grid of the layer before
     * the pooling, as PyTorch 1.13's prepare_qat leaves it (no observer on the pooling, none on the block's input; its
     * prepared QuantizableBasicBlock has no input fake quantisation): conv1 and the identity shortcut read the conv's
     * grid, and the converted block rounds the pooled input onto it, as PyTorch's quantized pooling writes onto its
     * input's grid.
     */
    @Test
    void aBlockAfterAnAveragePoolingReadsTheGridBeforeThePoolingAsPyTorch() {
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(Conv2d.builder(3, 4, 3).padding(1).build(),
                new BatchNorm2d(4), new ReLU(), new AdaptiveAvgPool2d(3), new BasicBlock(4), new Flatten(),
                new Linear(4 * 3 * 3, 4)));
        Set<String> keys = qat.stateDict().keySet();
        assertFalse(keys.contains("4.input_fake_quant.scale"), keys.toString());
        QatBasicBlock block = assertInstanceOf(QatBasicBlock.class, qat.getSubmodule("4"));
        assertNull(block.inputFakeQuant());
        assertEquals("0", ((QatConvBn2d) qat.getSubmodule("4.conv1")).inputSource());
        qat.forward(input(70));
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            QuantizedBasicBlock quantised = assertInstanceOf(QuantizedBasicBlock.class, int8.getSubmodule("4"));
            assertEquals(((QatConvBn2d) qat.getSubmodule("0")).outputFakeQuant().grid(), quantised.inputGrid());
            assertTrue(quantised.roundsInput(), "the pooled mean lies off the grid: the identity shortcut rounds it");
            Tensor x = input(71);
            float step = ((QatLinear) qat.getSubmodule("6")).outputFakeQuant().grid().scale();
            assertArrayEquals(qat.forward(x).toFloatArray(), int8.forward(x).toFloatArray(), step * 1.0001f);
        }
        qat.close();
    }
}
