package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.optim.SGD;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantizationAwareTraining}'s structure (QAT layers holding the trained tensors under the same names, fused
 * ReLUs, where the input is fake-quantised), training through the fake quantisations, conversion within one output
 * step of the trained model, and its refusals. PyTorch's numbers are
 * {@link QuantizationAwareTrainingPyTorchParityTest}'s.
 */
class QuantizationAwareTrainingTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(7);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Conv + ReLU, pool, conv, flatten, Linear + ReLU, average of nothing, Linear: both layer kinds, fused or not. */
    private static Sequential net() {
        return new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(), new ReLU(), new MaxPool2d(2),
                Conv2d.builder(3, 4, 3).stride(2).build(), new Flatten(), new Linear(4, 6), new ReLU(),
                new Linear(6, 3));
    }

    private static Tensor input(int seed) {
        return PyTorchParity.values(seed, 5, 1, 6, 6).mul(3.0).to(DType.F32);
    }

    @Test
    void prepareQatWrapsEachLayerAroundTheSameTensorsUnderTheSameNames() {
        Sequential model = net();
        Module qat = QuantizationAwareTraining.prepareQat(model);
        Sequential seq = (Sequential) qat;
        assertEquals(model.namedParameters().keySet(), qat.namedParameters().keySet());
        Set<String> plain = new HashSet<>(qat.stateDict().keySet());
        plain.removeIf(k -> k.contains("fake_quant.") || k.contains("activation_post_process."));
        assertEquals(model.stateDict().keySet(), plain, "the model's names and the fake quantisations' state");
        assertTrue(qat.isTraining());
        assertInstanceOf(QatConv2d.class, seq.get(0));
        assertInstanceOf(Identity.class, seq.get(1));
        assertInstanceOf(QatConv2d.class, seq.get(3));
        assertInstanceOf(QatLinear.class, seq.get(5));
        assertInstanceOf(Identity.class, seq.get(6));
        assertInstanceOf(QatLinear.class, seq.get(7));
        assertTrue(((QatLayer) seq.get(0)).fusedRelu());
        assertFalse(((QatLayer) seq.get(3)).fusedRelu());
        // Only the first layer reads the model's input; the others read the grid of the layer in front.
        assertTrue(((QatLayer) seq.get(0)).inputFakeQuant() != null);
        assertEquals("0", ((QatLayer) seq.get(3)).inputSource());
        assertEquals("3", ((QatLayer) seq.get(5)).inputSource());
        assertNull(((QatLayer) seq.get(7)).inputFakeQuant());
        assertSame(qat.getParameter("5.weight"), ((QatLinear) seq.get(5)).weight());
        assertTrue(model.getParameter("0.weight") != qat.getParameter("0.weight"), "a copy");
        qat.close();
    }

    @Test
    void trainingMovesTheWeightsAndTheConvertedModelMatchesTheTrainedOneWithinAStep() {
        Module qat = QuantizationAwareTraining.prepareQat(net());
        SGD sgd = new SGD(qat.trainableParameters(), 0.05);
        Tensor targets = Tensor.fromArray(new long[] {0, 1, 2, 1, 0}, 5);
        float[] before = qat.getParameter("0.weight").toFloatArray();
        double first = 0;
        double last = 0;
        for (int step = 0; step < 30; step++) {
            try (Scope s = Scope.open()) {
                sgd.zeroGrad();
                Tensor loss = new CrossEntropyLoss().compute(qat.forward(input(1 + step % 3)), targets);
                loss.backward();
                sgd.step();
                last = loss.item();
                first = step == 0 ? last : first;
            }
        }
        assertTrue(last < first, "loss " + first + " -> " + last);
        assertFalse(java.util.Arrays.equals(before, qat.getParameter("0.weight").toFloatArray()));
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            Sequential converted = (Sequential) int8;
            assertInstanceOf(QuantizedConv2d.class, converted.get(0));
            assertInstanceOf(QuantizedLinear.class, converted.get(7));
            QatLayer lastLayer = (QatLayer) ((Sequential) qat).get(7);
            Uint8Grid out = lastLayer.outputFakeQuant().grid();
            assertEquals(out, ((QuantizedLinear) converted.get(7)).outputGrid());
            assertArrayEquals(((QatLayer) ((Sequential) qat).get(0)).weightFakeQuant().scales(),
                    ((QuantizedConv2d) converted.get(0)).packedWeight().scales().toFloatArray());
            for (int seed = 10; seed < 13; seed++) {
                float[] expected = qat.forward(input(seed)).toFloatArray();
                float[] actual = int8.forward(input(seed)).toFloatArray();
                assertArrayEquals(expected, actual, out.scale() * 1.0001f, "batch " + seed);
            }
        }
        qat.close();
        sgd.close();
    }

    @Test
    void disabledObserversKeepTheGridsAndEvalModeDoesNot() {
        Module qat = QuantizationAwareTraining.prepareQat(net());
        FakeQuantize output = ((QatLayer) ((Sequential) qat).get(0)).outputFakeQuant();
        try (var g = Autograd.noGrad()) {
            qat.forward(input(1));
            Uint8Grid afterOne = output.grid();
            qat.eval();
            qat.forward(input(2).mul(4.0));
            assertFalse(afterOne.equals(output.grid()), "eval mode leaves the observers on, as PyTorch");
            Uint8Grid kept = output.grid();
            QuantizationAwareTraining.disableObservers(qat);
            qat.forward(input(3).mul(10.0));
            assertEquals(kept, output.grid());
            QuantizationAwareTraining.enableObservers(qat);
            assertTrue(output.observerEnabled());
        }
        qat.close();
    }

    @Test
    void refusesConvolutionFollowedByAnotherBatchNormAndANonQatModel() {
        Sequential withBn = new Sequential(new Linear(2, 2), new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(3)));
        IllegalArgumentException bn = assertThrows(IllegalArgumentException.class,
                () -> QuantizationAwareTraining.prepareQat(withBn));
        assertTrue(bn.getMessage().contains("'1.0'") && bn.getMessage().contains("BatchNorm2d(3")
                && bn.getMessage().contains("Fusion.fuseConvBatchNorm"), bn.getMessage());
        // A Sequential subclass may run its children otherwise, so nothing is folded inside it.
        Sequential subclass = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2)) {
        };
        IllegalArgumentException inSubclass = assertThrows(IllegalArgumentException.class,
                () -> QuantizationAwareTraining.prepareQat(new Sequential(subclass)));
        assertTrue(inSubclass.getMessage().contains("'0.0'"), inSubclass.getMessage());
        IllegalArgumentException bare = assertThrows(IllegalArgumentException.class,
                () -> QuantizationAwareTraining.prepareQat(new Linear(2, 3)));
        assertTrue(bare.getMessage().contains("wrap it in a Sequential"), bare.getMessage());
        IllegalStateException plain = assertThrows(IllegalStateException.class,
                () -> QuantizationAwareTraining.convert(net()));
        assertTrue(plain.getMessage().contains("no QAT layer"), plain.getMessage());
        Sequential grouped = new Sequential(Conv2d.builder(2, 2, 3).groups(2).build());
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class,
                () -> QuantizationAwareTraining.prepareQat(grouped));
        assertTrue(groups.getMessage().contains("'0'"), groups.getMessage());
    }

    @Test
    void convertBeforeAnyForwardPassNamesTheLayer() {
        Module qat = QuantizationAwareTraining.prepareQat(net());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> QuantizationAwareTraining.convert(qat));
        assertTrue(e.getMessage().contains("'0'") && e.getMessage().contains("seen no weight"), e.getMessage());
        qat.close();
    }

    /** The prepared layer's repr spans lines (its fake quantisations); the message names it by describe(). */
    @Test
    void convertBeforeAnyForwardPassNamesTheLayerOnOneLine() {
        try (Sequential qat = (Sequential) QuantizationAwareTraining.prepareQat(net())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> QuantizationAwareTraining.convert(qat));
            assertTrue(e.getMessage().startsWith("QuantizationAwareTraining.convert: '0' (" + qat.get(0).describe()
                    + "): "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void prepareQatDrawsNoRandomNumbers() {
        Sequential model = net();
        long counter = Engine.get().counter();
        QuantizationAwareTraining.prepareQat(model).close();
        assertEquals(counter, Engine.get().counter());
    }

    @Test
    void fakeQuantizeSwitchesItsStepsAsPyTorch() {
        FakeQuantize fq = FakeQuantize.perTensorActivation();
        Tensor x = Tensor.fromArray(new float[] {-1f, 0.3f, 2f}, 3);
        assertEquals(new Uint8Grid(1f, 0), fq.grid(), "PyTorch's initial scale 1, zero point 0");
        fq.disableObserver();
        // Unobserved: the initial grid, q in [0, 255] with scale 1, so -1 clamps to 0 and 0.3 rounds to 0.
        assertArrayEquals(new float[] {0f, 0f, 2f}, fq.forward(x).toFloatArray());
        fq.enableObserver().disableFakeQuant();
        assertSame(x, fq.forward(x));
        assertEquals(3f / 255, fq.grid().scale(), 1e-9f);
        Map<String, Tensor> state = fq.stateDict();
        assertEquals(List.of("fake_quant_enabled", "observer_enabled", "scale", "zero_point",
                "activation_post_process.eps", "activation_post_process.min_val", "activation_post_process.max_val"),
                List.copyOf(state.keySet()), "PyTorch's FakeQuantize state_dict keys");
        assertArrayEquals(new int[] {0}, state.get("fake_quant_enabled").toIntArray());
        assertArrayEquals(new float[] {3f / 255}, state.get("scale").toFloatArray(), 1e-9f);
        FakeQuantize weights = FakeQuantize.perChannelWeight(2);
        assertThrows(IllegalStateException.class, weights::scales);
        assertThrows(IllegalStateException.class, weights::grid);
        assertThrows(IllegalStateException.class, fq::scales);
    }
    /**
     * A copy's buffers are new tensors (so are those of {@code to()}): a state dict loaded into it is read back even when
     * the original wrote its buffers as many times as the load writes the copy's.
     */
    @Test
    void aStateDictLoadedIntoACopyReplacesItsFakeQuantisationState() {
        FakeQuantize original = FakeQuantize.perTensorActivation();
        Tensor x = Tensor.fromArray(new float[] {-1f, 2f}, 2);
        original.forward(x);
        original.forward(x);
        FakeQuantize copy = (FakeQuantize) original.copy();
        Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        copy.stateDict().forEach((name, t) -> state.put(name, t.copy()));
        state.put("observer_enabled", Tensor.fromArray(new int[] {0}, 1));
        state.put("scale", Tensor.fromArray(new float[] {0.5f}, 1));
        state.put("zero_point", Tensor.fromArray(new int[] {7}, 1));
        copy.loadStateDict(state, true);
        assertEquals(new Uint8Grid(0.5f, 7), copy.grid());
        assertFalse(copy.observerEnabled());

        MovingAverageMinMaxObserver observer = new MovingAverageMinMaxObserver();
        observer.forward(x);
        MovingAverageMinMaxObserver observerCopy = (MovingAverageMinMaxObserver) observer.copy();
        observerCopy.loadStateDict(Map.of("eps", Tensor.full(Math.ulp(1f), DType.F32, 1),
                "min_val", Tensor.scalar(-5f), "max_val", Tensor.scalar(7f)), true);
        assertEquals(-5f, observerCopy.minVal());
        assertEquals(7f, observerCopy.maxVal());

        MovingAveragePerChannelMinMaxObserver perChannel = new MovingAveragePerChannelMinMaxObserver(2);
        perChannel.forward(Tensor.fromArray(new float[] {-1f, 2f, 3f, -4f}, 2, 2));
        MovingAveragePerChannelMinMaxObserver perChannelCopy = (MovingAveragePerChannelMinMaxObserver) perChannel.copy();
        perChannelCopy.loadStateDict(Map.of("eps", Tensor.full(Math.ulp(1f), DType.F32, 1),
                "min_val", Tensor.fromArray(new float[] {-8f, -8f}, 2),
                "max_val", Tensor.fromArray(new float[] {8f, 8f}, 2)), true);
        assertArrayEquals(new float[] {8f / 127.5f, 8f / 127.5f}, perChannelCopy.calculateScales(), 1e-7f);
        original.close();
        copy.close();
        observer.close();
        observerCopy.close();
        perChannel.close();
        perChannelCopy.close();
    }

    /** Refusing a model with no QAT layer closes the copy it made: the bytes in use are those before the call. */
    @Test
    void convertOfAModelWithoutQatLayersLeavesNoCopyBehind() {
        Sequential plain = net();
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        assertThrows(IllegalStateException.class, () -> QuantizationAwareTraining.convert(plain));
        assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after the refusal");
        plain.close();
    }

    /**
     * A per-channel observer's ranges and its fake quantisation's qparams take a checkpoint's shape, as PyTorch's:
     * empty ranges and [1] qparams before the first weight, [channels] after, in either direction; the [channels] of
     * infinities that earlier Kiln versions saved unobserved load as empty; a range of other channels is refused.
     */
    @Test
    void perChannelStateTakesTheCheckpointsShapeBeforeAndAfterTheFirstWeight() {
        FakeQuantize trained = FakeQuantize.perChannelWeight(2);
        trained.forward(Tensor.fromArray(new float[] {-1f, 2f, 3f, -4f}, 2, 2));
        FakeQuantize fresh = FakeQuantize.perChannelWeight(2);
        assertEquals(List.of(1L, 1L, 0L, 0L), List.of(fresh.stateDict().get("scale").size(),
                fresh.stateDict().get("zero_point").size(), fresh.stateDict().get(
                "activation_post_process.min_val").size(), fresh.stateDict().get("activation_post_process.max_val")
                .size()), "PyTorch's sizes before the first weight");
        fresh.loadStateDict(trained.stateDict(), true);
        assertArrayEquals(new float[] {2f / 127.5f, 4f / 127.5f}, fresh.scales(), 1e-7f);
        trained.loadStateDict(FakeQuantize.perChannelWeight(2).stateDict(), true);
        assertThrows(IllegalStateException.class, trained::scales, "an unobserved checkpoint leaves it unobserved");

        MovingAveragePerChannelMinMaxObserver observer = new MovingAveragePerChannelMinMaxObserver(2);
        Tensor eps = Tensor.full(Math.ulp(1f), DType.F32, 1);
        observer.loadStateDict(Map.of("eps", eps, "min_val", Tensor.full(Float.POSITIVE_INFINITY, DType.F32, 2),
                "max_val", Tensor.full(Float.NEGATIVE_INFINITY, DType.F32, 2)), true);
        assertFalse(observer.hasObserved());
        assertEquals(0L, observer.stateDict().get("min_val").size(), "saved as PyTorch's empty range");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> observer.loadStateDict(
                Map.of("eps", eps, "min_val", Tensor.zeros(DType.F32, 3), "max_val", Tensor.zeros(DType.F32, 3)),
                true));
        assertEquals("MovingAveragePerChannelMinMaxObserver: checkpoint 'min_val' [3] must be [0] (no weight seen)"
                + " or [2]", e.getMessage());
        trained.close();
        fresh.close();
        observer.close();
    }

    /**
     * An AdaptiveAvgPool2d after a quantised layer pools on that layer's output grid once converted, as after static
     * quantisation (QuantizedAdaptivePoolingPyTorchParityTest: 1.13's rounding), and gives grid values there.
     */
    @Test
    void convertSetsAnAdaptivePoolingAfterAQuantisedLayerToPoolOnItsGrid() {
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(),
                new ReLU(), new AdaptiveAvgPool2d(3, 4), new Flatten(), new Linear(3 * 3 * 4, 2)));
        qat.forward(input(11));
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            Uint8Grid conv = ((QuantizedConv2d) int8.getSubmodule("0")).outputGrid();
            AdaptiveAvgPool2d pool = (AdaptiveAvgPool2d) int8.getSubmodule("2");
            assertEquals(conv, pool.grid());
            float[] pooled = pool.forward(int8.getSubmodule("0").forward(input(12))).toFloatArray();
            for (float v : pooled) {
                assertEquals(v, conv.dequantize(conv.quantize(v)), "a grid value: " + v);
            }
        }
        qat.close();
    }

    /**
     * An AvgPool2d after a QAT layer is not fake-quantised, as in 1.13's prepare_qat: the layer after it reads the
     * layer before it's grid, on which the converted pooling pools (QatAvgPoolPyTorchParityTest: 1.13's values).
     */
    @Test
    void anAvgPoolingKeepsTheGridOfTheLayerBeforeIt() {
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(),
                new ReLU(), new AvgPool2d(2), new Conv2d(3, 2, 3)));
        assertNull(((QatLayer) qat.getSubmodule("3")).inputFakeQuant());
        qat.forward(input(11));
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            Uint8Grid conv = ((QuantizedConv2d) int8.getSubmodule("0")).outputGrid();
            assertEquals(conv, ((AvgPool2d) int8.getSubmodule("2")).grid());
            assertEquals(conv, ((QuantizedConv2d) int8.getSubmodule("3")).inputGrid());
        }
        qat.close();
    }
}
