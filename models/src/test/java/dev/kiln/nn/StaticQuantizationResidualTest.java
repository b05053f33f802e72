package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.FakeQuantization;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.Scope;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.zoo.ResNet;
import dev.kiln.zoo.Zoo;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticQuantization} of residual nets: how BasicBlocks and ResNet's stem are folded, fused and observed, and
 * which grids their quantised layers read (values against PyTorch: {@link StaticQuantizationResNetPyTorchParityTest}).
 */
class StaticQuantizationResidualTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor input(int seed, int... dims) {
        return PyTorchParity.values(seed, dims).mul(2).to(DType.F32);
    }

    private static Module quantised(Module model, Tensor calibration) {
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            prepared.forward(calibration);
        }
        Module q = StaticQuantization.convert(prepared);
        prepared.close();
        return q;
    }

    @Test
    void eachBlockObservesItsOutputAndTheNextReadsThatGrid() {
        Module prepared = StaticQuantization.prepare(Zoo.resnet(10));
        Set<String> names = prepared.namedModules().keySet();
        assertTrue(names.contains("0.input_activation_post_process"), "the stem observes the model input");
        assertTrue(names.contains("3.activation_post_process"), "the block observes its add + relu");
        assertTrue(names.stream().noneMatch(n -> n.startsWith("3.") || n.startsWith("4.")
                ? n.endsWith("input_activation_post_process") : false), "blocks read the grid before them: " + names);
        assertTrue(prepared.modules().stream().noneMatch(m -> m instanceof BatchNorm2d), "every norm is folded");
        try (var g = Autograd.noGrad()) {
            prepared.forward(input(1, 2, 1, 28, 28));
        }
        Sequential q = (Sequential) StaticQuantization.convert(prepared);
        QuantizedConv2d stem = (QuantizedConv2d) q.get(0);
        QuantizedBasicBlock first = assertInstanceOf(QuantizedBasicBlock.class, q.get(3));
        QuantizedBasicBlock second = assertInstanceOf(QuantizedBasicBlock.class, q.get(4));
        assertTrue(stem.fusedRelu());
        assertEquals(stem.outputGrid(), first.inputGrid());
        assertEquals(first.outputGrid(), second.inputGrid());
        QuantizedConv2d conv1 = (QuantizedConv2d) second.getSubmodule("conv1");
        QuantizedConv2d conv2 = (QuantizedConv2d) second.getSubmodule("conv2");
        QuantizedConv2d shortcut = (QuantizedConv2d) second.getSubmodule("downsample.0");
        assertTrue(conv1.fusedRelu() && !conv2.fusedRelu() && !shortcut.fusedRelu());
        assertEquals(first.outputGrid(), shortcut.inputGrid());
        assertEquals(conv1.outputGrid(), conv2.inputGrid());
        assertEquals(0, second.outputGrid().zeroPoint(), "the observer saw the output after its ReLU");
        assertEquals(Set.of("conv1.bias", "conv2.bias", "downsample.0.bias"), second.stateDict().keySet());
        assertEquals(((QuantizedBasicBlock) q.get(5)).outputGrid(), ((QuantizedLinear) q.get(8)).inputGrid(),
                "global average pooling keeps the grid of the block before it");
        q.close();
    }

    @Test
    void blockOutputsLieOnTheirGrid() {
        Sequential q = (Sequential) quantised(Zoo.resnet(10), input(1, 2, 1, 28, 28));
        QuantizedBasicBlock block = (QuantizedBasicBlock) q.get(4);
        try (var g = Autograd.noGrad()) {
            Tensor x = q.get(3).forward(q.get(0).forward(input(2, 2, 1, 28, 28)));
            Uint8Grid grid = block.outputGrid();
            for (float v : block.forward(x).toFloatArray()) {
                float steps = v / grid.scale();
                assertTrue(v >= 0 && Math.abs(Math.rint(steps) - steps) < 1e-3, v + " lies on " + grid);
            }
        }
        q.close();
    }

    @Test
    void zooResNetFusesItsStemAndRunsItsChildrenInOrder() {
        ResNet model = ResNet.resnet18(3, 10);
        model.eval();
        Module q = quantised(model, input(1, 1, 3, 32, 32));
        assertFalse(q.namedChildren().containsKey("bn1"), "bn1 is folded into conv1");
        assertInstanceOf(Identity.class, q.getSubmodule("relu"), "the stem's ReLU is fused into conv1");
        QuantizedConv2d stem = (QuantizedConv2d) q.getSubmodule("conv1");
        assertTrue(stem.fusedRelu());
        assertEquals(stem.outputGrid(), ((QuantizedBasicBlock) q.getSubmodule("layer1.0")).inputGrid(),
                "max pooling keeps the stem's grid");
        assertEquals(((QuantizedBasicBlock) q.getSubmodule("layer4.1")).outputGrid(),
                ((QuantizedLinear) q.getSubmodule("fc")).inputGrid());
        try (var g = Autograd.noGrad()) {
            assertArrayEquals(new int[] {1, 10}, q.forward(input(2, 1, 3, 32, 32)).shape().dims());
        }
        q.close();
    }

    @Test
    void aBlockFirstInTheModelQuantisesItsInputOnConv1sObservedGrid() {
        Sequential model = new Sequential(new BasicBlock(2, 3, 2), new BasicBlock(3));
        model.eval();
        Module prepared = StaticQuantization.prepare(model);
        assertTrue(prepared.namedModules().containsKey("0.conv1.input_activation_post_process"));
        assertTrue(prepared.namedModules().containsKey("0.downsample.0.input_activation_post_process"),
                "the shortcut sees the same input, so its observer gives the same grid");
        Tensor x = input(3, 2, 2, 6, 6);
        try (var g = Autograd.noGrad()) {
            prepared.forward(x);
        }
        Sequential q = (Sequential) StaticQuantization.convert(prepared);
        QuantizedBasicBlock first = (QuantizedBasicBlock) q.get(0);
        assertEquals(first.inputGrid(), ((QuantizedConv2d) first.getSubmodule("downsample.0")).inputGrid());
        try (var g = Autograd.noGrad()) {
            float[] expected = model.forward(x).toFloatArray();
            float[] actual = q.forward(x).toFloatArray();
            float step = ((QuantizedBasicBlock) q.get(1)).outputGrid().scale();
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], actual[k], 6 * step, "element " + k + " of int8 vs F32");
            }
        }
        q.close();
    }

    /**
     * An adaptive average pooling between a quantised layer and a block pools on the layer's grid, as PyTorch's quint8
     * pooling writes onto its input's grid (its rounding: QuantizedAdaptivePoolingPyTorchParityTest), so the block's
     * identity shortcut reads grid values, whose rounding changes nothing.
     */
    @Test
    void aPoolingBeforeABlockPoolsOnTheGridTheBlockReads() {
        Sequential model = new Sequential(Conv2d.builder(1, 2, 3).padding(1).build(), new ReLU(),
                new AdaptiveAvgPool2d(3), new BasicBlock(2));
        model.eval();
        Sequential q = (Sequential) quantised(model, input(1, 2, 1, 6, 6));
        QuantizedBasicBlock block = (QuantizedBasicBlock) q.get(3);
        assertEquals(((QuantizedConv2d) q.get(0)).outputGrid(), block.inputGrid(), "pooling keeps the grid");
        assertEquals(block.inputGrid(), ((AdaptiveAvgPool2d) q.get(2)).grid());
        try (var g = Autograd.noGrad()) {
            Tensor mean = q.get(2).forward(q.get(0).forward(input(2, 2, 1, 6, 6)));
            Uint8Grid in = block.inputGrid();
            Tensor rounded = FakeQuantization.perTensorAffine(mean, in.scale(), in.zeroPoint(), 0, 255);
            assertArrayEquals(rounded.toFloatArray(), mean.toFloatArray(), "the pooled values lie on the grid");
        }
        q.close();
    }

    @Test
    void aBlockAloneIsRefused() {
        BasicBlock block = new BasicBlock(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StaticQuantization.prepare(block));
        assertTrue(e.getMessage().contains("BasicBlock") && e.getMessage().contains("Sequential"), e.getMessage());
    }

    @Test
    void trainingAQuantisedBlockIsRefusedWithItsPath() {
        Sequential q = (Sequential) quantised(Zoo.resnet(10), input(1, 2, 1, 28, 28));
        q.train();
        Tensor x = input(2, 2, 16, 28, 28);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.get(3).forward(x));
        assertTrue(e.getMessage().contains("'3'") && e.getMessage().contains("cannot be trained"), e.getMessage());
        q.close();
    }

    @Test
    void aBasicBlockSubclassStaysF32WithItsConvolutionsQuantised() {
        class Custom extends BasicBlock {
            Custom() {
                super(2);
            }
        }
        Sequential model = new Sequential(Conv2d.builder(1, 2, 3).padding(1).build(), new Custom());
        model.eval();
        Module q = quantised(model, input(1, 2, 1, 6, 6));
        assertInstanceOf(Custom.class, ((Sequential) q).get(1), "only BasicBlock itself has a quantised form");
        assertInstanceOf(QuantizedConv2d.class, q.getSubmodule("1.conv1"));
        q.close();
    }

    /**
     * A block runs conv1 and conv2 as one int8 chain (conv1's output kept in uint8), unless a hook must see their
     * calls: a hook on conv1 sees its output, the same as conv1 alone gives, and the block's output is the same with
     * the hook and without it, bit for bit.
     */
    @Test
    void aBlocksChainGivesTheValuesOfItsConvolutionsCalledOneByOne() {
        Sequential q = (Sequential) quantised(Zoo.resnet(10), input(1, 2, 1, 28, 28));
        QuantizedBasicBlock block = (QuantizedBasicBlock) q.get(4);
        Module conv1 = block.getSubmodule("conv1");
        Tensor[] seen = new Tensor[1];
        try (var g = Autograd.noGrad()) {
            Tensor x = q.get(3).forward(q.get(0).forward(input(2, 2, 1, 28, 28)));
            float[] chained = block.forward(x).toFloatArray();
            HookHandle hook = conv1.registerForwardHook((m, in, out) -> {
                seen[0] = out;
                return null;
            });
            float[] oneByOne = block.forward(x).toFloatArray();
            hook.remove();
            assertArrayEquals(oneByOne, chained);
            assertArrayEquals(conv1.forward(x).toFloatArray(), seen[0].toFloatArray());
            assertArrayEquals(chained, block.forward(x).toFloatArray(), "chained again once the hook is gone");
        }
        q.close();
    }

    /**
     * A downsampling block runs its shortcut convolution beside its chain on the once-quantised input, unless a hook
     * must see the shortcut's call: a hook on downsample.0 sees its output, the same as it alone gives, and the
     * block's output is the same with the hook and without it, bit for bit.
     */
    @Test
    void aBlocksShortcutBesideItsChainGivesTheValuesOfTheShortcutCalledAlone() {
        Sequential q = (Sequential) quantised(Zoo.resnet(10), input(1, 2, 1, 28, 28));
        QuantizedBasicBlock block = (QuantizedBasicBlock) q.get(4);
        Module shortcut = block.getSubmodule("downsample.0");
        Tensor[] seen = new Tensor[1];
        try (var g = Autograd.noGrad()) {
            Tensor x = q.get(3).forward(q.get(0).forward(input(2, 2, 1, 28, 28)));
            float[] beside = block.forward(x).toFloatArray();
            HookHandle hook = shortcut.registerForwardHook((m, in, out) -> {
                seen[0] = out;
                return null;
            });
            float[] apart = block.forward(x).toFloatArray();
            hook.remove();
            assertArrayEquals(apart, beside);
            assertArrayEquals(shortcut.forward(x).toFloatArray(), seen[0].toFloatArray());
        }
        q.close();
    }

    /**
     * A quantised zoo ResNet, whose fc is a {@link QuantizedLinear}, still names itself, so that a wrong input is
     * refused with the shape message rather than a ClassCastException from its toString.
     */
    @Test
    void aQuantisedZooResNetNamesItselfAndRefusesAWrongInputByItsShape() {
        ResNet model = ResNet.resnet18(1, 10);
        model.eval();
        Module q = quantised(model, input(1, 1, 1, 32, 32));
        assertEquals("ResNet18(1 channels -> 10 classes)", q.describe());
        try (var g = Autograd.noGrad()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> q.forward(input(2, 1, 3, 32, 32)));
            assertEquals("ResNet18(1 channels -> 10 classes): input [1, 3, 32, 32] must be [batch, 1, height, width]",
                    e.getMessage());
        }
        q.close();
    }

    /**
     * A ResNet's head fuses into fc as PyTorch runs it on quint8 tensors: the average pooling and Flatten become
     * Identities, and fc pools the last block's output onto its grid, each channel's q the zero point plus the mean of
     * q - zero point rounded half to even (values against PyTorch: {@link StaticInt8GlobalAvgPoolPyTorchParityTest}),
     * before its int8 product.
     */
    @Test
    void aResNetsHeadPoolsOnTheLastBlocksGridInsideFc() {
        Sequential model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(), new BasicBlock(4),
                new GlobalAvgPool2d(), new Flatten(), new Linear(4, 3));
        model.eval();
        Sequential q = (Sequential) quantised(model, input(1, 2, 1, 6, 6));
        assertInstanceOf(Identity.class, q.get(3), "the pooling is fused into fc");
        assertInstanceOf(Identity.class, q.get(4), "the Flatten is fused into fc");
        QuantizedLinear fc = (QuantizedLinear) q.get(5);
        assertTrue(fc.fusesGlobalAvgPool(), fc.toString());
        Uint8Grid grid = fc.inputGrid();
        try (var g = Autograd.noGrad()) {
            Tensor y = q.get(2).forward(q.get(0).forward(input(2, 3, 1, 6, 6)));
            float[] values = y.toFloatArray();
            float[] pooled = new float[3 * 4];
            for (int p = 0; p < pooled.length; p++) {
                int sum = 0;
                for (int i = 0; i < 36; i++) {
                    sum += Math.round(values[p * 36 + i] / grid.scale());
                }
                pooled[p] = (float) Math.rint(sum * (1f / 36)) * grid.scale();
            }
            Tensor expected = StaticInt8Conv.forward(Tensor.fromArray(pooled, 3, 4, 1, 1), fc.packedWeight(),
                    fc.bias(), 1, 0, grid, fc.outputGrid(), false);
            Tensor actual = q.forward(input(2, 3, 1, 6, 6));
            assertArrayEquals(new int[] {3, 3}, actual.shape().dims());
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
        }
        q.close();
    }

    /** A module between the Flatten and the Linear (here a Dropout) leaves the head unfused, as before. */
    @Test
    void aHeadWithAModuleBetweenFlattenAndLinearIsNotFused() {
        Sequential model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(), new BasicBlock(4),
                new GlobalAvgPool2d(), new Flatten(), new Dropout(0.5), new Linear(4, 3));
        model.eval();
        Sequential q = (Sequential) quantised(model, input(1, 2, 1, 6, 6));
        assertInstanceOf(GlobalAvgPool2d.class, q.get(3));
        assertInstanceOf(Flatten.class, q.get(4));
        assertFalse(((QuantizedLinear) q.get(6)).fusesGlobalAvgPool());
        try (var g = Autograd.noGrad()) {
            assertArrayEquals(new int[] {3, 3}, q.forward(input(2, 3, 1, 6, 6)).shape().dims());
        }
        q.close();
    }

    /**
     * A global average pooling not fused into a Linear pools on the grid of the block before it in the converted F32
     * model, as its quantised form does (StaticQuantizationQuantizedTensorTest: 1.13's rounding), not the F32 mean.
     */
    @Test
    void aGlobalPoolingNotFusedIntoALinearPoolsOnTheGridOfTheBlockBeforeIt() {
        Sequential model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(), new BasicBlock(4),
                new GlobalAvgPool2d(), new Flatten(), new Dropout(0.5), new Linear(4, 3));
        model.eval();
        Sequential q = (Sequential) quantised(model, input(1, 2, 1, 6, 6));
        Uint8Grid grid = ((QuantizedBasicBlock) q.get(2)).outputGrid();
        try (var g = Autograd.noGrad()) {
            Tensor block = q.get(2).forward(q.get(1).forward(q.get(0).forward(input(2, 3, 1, 6, 6))));
            QuantizedTensor onGrid = StaticQuantization.forward(q.get(3),
                    Quantize.perTensor(block, grid.scale(), grid.zeroPoint(), QuantizedDType.QUINT8));
            assertArrayEquals(onGrid.dequantize().toFloatArray(), q.get(3).forward(block).toFloatArray());
        }
        q.close();
    }

    /**
     * An AvgPool2d between quantised convolutions keeps the first one's grid, as PyTorch's quantized avg_pool2d (the
     * next convolution reads that grid, with no observer of its own), and pools on it in the converted F32 model as its
     * quantised form does (QuantizedAvgPoolingPyTorchParityTest: 1.13's rounding).
     */
    @Test
    void anAvgPoolingBetweenConvolutionsPoolsOnTheGridOfTheOneBefore() {
        Sequential model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(),
                new AvgPool2d(3, 2, 1), new Conv2d(4, 2, 3));
        model.eval();
        Module prepared = StaticQuantization.prepare(model);
        assertFalse(prepared.namedModules().containsKey("3.input_activation_post_process"));
        prepared.close();
        Sequential q = (Sequential) quantised(model, input(1, 2, 1, 8, 8));
        Uint8Grid grid = ((QuantizedConv2d) q.get(0)).outputGrid();
        assertEquals(grid, ((QuantizedConv2d) q.get(3)).inputGrid());
        try (var g = Autograd.noGrad()) {
            Tensor conv = q.get(0).forward(input(2, 3, 1, 8, 8));
            QuantizedTensor onGrid = StaticQuantization.forward(q.get(2),
                    Quantize.perTensor(conv, grid.scale(), grid.zeroPoint(), QuantizedDType.QUINT8));
            assertArrayEquals(onGrid.dequantize().toFloatArray(), q.get(2).forward(conv).toFloatArray());
        }
        q.close();
    }

    /**
     * One AvgPool2d registered at two places, each after a convolution with a grid of its own, pools on each place's
     * grid in the converted model, as 1.13's quantized avg_pool2d reads each input's own qparams; not on one grid at
     * both places.
     */
    @Test
    void aPoolingSharedByTwoPlacesPoolsOnEachPlacesGrid() {
        AvgPool2d pool = new AvgPool2d(2);
        Sequential model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(), pool,
                Conv2d.builder(4, 4, 3).padding(1).build(), new ReLU(), pool, new Flatten(), new Linear(4 * 2 * 2, 3));
        model.eval();
        Sequential q = (Sequential) quantised(model, input(1, 2, 1, 8, 8));
        Uint8Grid first = ((QuantizedConv2d) q.get(0)).outputGrid();
        Uint8Grid second = ((QuantizedConv2d) q.get(3)).outputGrid();
        assertNotEquals(first, second, "the convolutions' grids");
        assertEquals(first, ((AvgPool2d) q.get(2)).grid());
        assertEquals(second, ((AvgPool2d) q.get(5)).grid());
        assertNotSame(q.get(2), q.get(5), "one instance cannot hold two grids");
        q.close();
    }

    /**
     * Two AvgPool2d in a row between quantised convolutions both pool on the first convolution's grid, as 1.13's
     * quantized avg_pool2d keeps its input's qparams, and the next convolution reads that grid.
     */
    @Test
    void twoPoolingsInARowBothPoolOnTheGridBeforeThem() {
        Sequential model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(), new AvgPool2d(2),
                new AvgPool2d(3, 1, 1, true, false), new Conv2d(4, 2, 3));
        model.eval();
        Sequential q = (Sequential) quantised(model, input(1, 2, 1, 8, 8));
        Uint8Grid grid = ((QuantizedConv2d) q.get(0)).outputGrid();
        assertEquals(grid, ((AvgPool2d) q.get(2)).grid());
        assertEquals(grid, ((AvgPool2d) q.get(3)).grid());
        assertEquals(grid, ((QuantizedConv2d) q.get(4)).inputGrid());
        try (var g = Autograd.noGrad()) {
            Tensor conv = q.get(0).forward(input(2, 3, 1, 8, 8));
            QuantizedTensor onGrid = StaticQuantization.forward(new Sequential(q.get(2), q.get(3)),
                    Quantize.perTensor(conv, grid.scale(), grid.zeroPoint(), QuantizedDType.QUINT8));
            Tensor pooled = q.get(3).forward(q.get(2).forward(conv));
            assertArrayEquals(onGrid.dequantize().toFloatArray(), pooled.toFloatArray());
        }
        q.close();
    }

    /** The zoo's ResNet, whose children run in order, fuses its avgpool and flatten into fc too. */
    @Test
    void zooResNetFusesItsHeadIntoFc() {
        ResNet model = ResNet.resnet18(3, 10);
        model.eval();
        Module q = quantised(model, input(1, 1, 3, 32, 32));
        assertInstanceOf(Identity.class, q.getSubmodule("avgpool"));
        assertInstanceOf(Identity.class, q.getSubmodule("flatten"));
        assertTrue(((QuantizedLinear) q.getSubmodule("fc")).fusesGlobalAvgPool());
        q.close();
    }
}
