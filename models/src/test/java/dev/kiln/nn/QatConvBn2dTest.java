package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.optim.SGD;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QatConvBn2d} in {@link QuantizationAwareTraining}: the pairs it folds and PyTorch's state-dict names, the
 * batch norm's statistics in training, frozen and evaluation mode, and conversion within one output step of the
 * trained model, the fake quantisations' state-dict buffers after {@code to(F64)}, and the fold's gradients against
 * finite differences in F64. PyTorch's numbers are
 * {@link QatConvBn2dPyTorchParityTest}'s.
 */
class QatConvBn2dTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Conv (no bias) + BN + ReLU, pool, conv + BN, flatten, Linear: [5, 1, 6, 6] to [5, 3]. */
    private static Sequential net() {
        return new Sequential(Conv2d.builder(1, 3, 3).padding(1).bias(false).build(), new BatchNorm2d(3), new ReLU(),
                new MaxPool2d(2), Conv2d.builder(3, 4, 3).stride(2).build(), new BatchNorm2d(4), new Flatten(),
                new Linear(4, 3));
    }

    private static Tensor input(int seed) {
        return PyTorchParity.values(seed, 5, 1, 6, 6).mul(3.0).add(0.2).to(DType.F32);
    }

    private static QatConvBn2d convBn(Module qat, String path) {
        return (QatConvBn2d) qat.getSubmodule(path);
    }

    @Test
    void prepareQatFoldsEachConvBatchNormPairUnderPyTorchsNames() {
        Sequential model = net();
        long counter = Engine.get().counter();
        Module qat = QuantizationAwareTraining.prepareQat(model);
        assertEquals(counter, Engine.get().counter(), "no random draws");
        Sequential seq = (Sequential) qat;
        assertEquals(Set.of("0.weight", "0.bn.weight", "0.bn.bias", "4.weight", "4.bias", "4.bn.weight", "4.bn.bias",
                "7.weight", "7.bias"), qat.namedParameters().keySet());
        Set<String> norms = new HashSet<>(qat.namedBuffers().keySet());
        norms.removeIf(k -> k.contains("fake_quant.") || k.contains("activation_post_process."));
        assertEquals(Set.of("0.bn.running_mean", "0.bn.running_var", "0.bn.num_batches_tracked", "4.bn.running_mean",
                "4.bn.running_var", "4.bn.num_batches_tracked"), norms);
        assertTrue(convBn(qat, "0").fusedRelu());
        assertInstanceOf(Identity.class, seq.get(1));
        assertInstanceOf(Identity.class, seq.get(2));
        assertFalse(convBn(qat, "4").fusedRelu());
        assertInstanceOf(Identity.class, seq.get(5));
        assertEquals("0", convBn(qat, "4").inputSource());
        assertEquals("4", ((QatLayer) seq.get(7)).inputSource());
        assertNull(convBn(qat, "4").inputFakeQuant());
        assertSame(qat.getParameter("0.bn.weight"), convBn(qat, "0").norm().weight());
        assertArrayEquals(model.getParameter("5.weight").toFloatArray(),
                qat.getParameter("4.bn.weight").toFloatArray());
        assertTrue(model.getParameter("1.weight") != qat.getParameter("0.bn.weight"), "a copy");
        assertEquals("ConvBnReLU2d(1, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)",
                seq.get(0).describe());
        qat.close();
    }

    @Test
    void frozenStatisticsStayThroughTrainModeAndNormaliseAsEvalMode() {
        Module qat = QuantizationAwareTraining.prepareQat(net());
        BatchNorm2d norm = convBn(qat, "0").norm();
        try (var g = Autograd.noGrad()) {
            qat.forward(input(1));
            assertEquals(1, norm.numBatchesTracked());
            float[] mean = norm.runningMean().toFloatArray();
            QuantizationAwareTraining.freezeBatchNormStats(qat);
            QuantizationAwareTraining.disableObservers(qat);
            qat.train();
            float[] frozen = qat.forward(input(2)).toFloatArray();
            assertEquals(1, norm.numBatchesTracked(), "frozen statistics are left alone");
            assertArrayEquals(mean, norm.runningMean().toFloatArray());
            assertTrue(convBn(qat, "4").batchNormStatsFrozen());
            qat.eval();
            assertArrayEquals(qat.forward(input(2)).toFloatArray(), frozen, "frozen normalises as eval mode");
            qat.train();
            QuantizationAwareTraining.updateBatchNormStats(qat);
            assertFalse(java.util.Arrays.equals(frozen, qat.forward(input(2)).toFloatArray()), "batch statistics");
            assertEquals(2, norm.numBatchesTracked());
        }
        qat.close();
    }

    @Test
    void convertFoldsTheBatchNormIntoAQuantizedConvolutionWithinAStep() {
        Module qat = QuantizationAwareTraining.prepareQat(net());
        SGD sgd = new SGD(qat.trainableParameters(), 0.05);
        Tensor targets = Tensor.fromArray(new long[] {0, 1, 2, 1, 0}, 5);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 20; step++) {
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
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            Sequential converted = (Sequential) int8;
            QuantizedConv2d conv = assertInstanceOf(QuantizedConv2d.class, converted.get(0));
            assertTrue(conv.fusedRelu());
            assertInstanceOf(QuantizedConv2d.class, converted.get(4));
            assertArrayEquals(convBn(qat, "0").weightFakeQuant().scales(),
                    conv.packedWeight().scales().toFloatArray());
            assertEquals(3, conv.bias().dim(0), "the folded bias of a convolution without one");
            Uint8Grid out = ((QatLayer) ((Sequential) qat).get(7)).outputFakeQuant().grid();
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
    void aQatModelConvertedToF64KeepsItsFakeQuantisationStateInF64Buffers() {
        Module qat = QuantizationAwareTraining.prepareQat(net()).to(DType.F64);
        try (var g = Autograd.noGrad()) {
            Tensor y = qat.forward(input(1).to(DType.F64));
            assertEquals(DType.F64, y.dtype());
        }
        Tensor max = qat.stateDict().get("4.activation_post_process.activation_post_process.max_val");
        assertEquals(DType.F64, max.dtype());
        MovingAverageMinMaxObserver observer = (MovingAverageMinMaxObserver) convBn(qat, "4").outputFakeQuant()
                .observer();
        assertEquals(observer.maxVal(), (float) max.item());
        assertTrue(observer.hasObserved());
        qat.close();
    }

    @Test
    void gradientsThroughTheFoldedBatchNormMatchFiniteDifferencesInF64() {
        Module qat = QuantizationAwareTraining.prepareQat(new Sequential(Conv2d.builder(2, 3, 3).padding(1).build(),
                new BatchNorm2d(3), new Flatten())).to(DType.F64);
        QatConvBn2d layer = convBn(qat, "0");
        try (var g = Autograd.noGrad()) {
            layer.norm().weight().assign(PyTorchParity.values(5, 3).add(1.0));
            layer.norm().bias().assign(PyTorchParity.values(6, 3));
            layer.norm().runningVar().assign(PyTorchParity.values(7, 3).add(1.0));
        }
        // Rounding has no finite differences: the fold alone, as PyTorch's fake quantisation switched off.
        qat.modules().stream().filter(m -> m instanceof FakeQuantize)
                .forEach(m -> ((FakeQuantize) m).disableObserver().disableFakeQuant());
        Tensor x = PyTorchParity.values(8, 2, 2, 4, 4).mul(2.0).requiresGrad(true);
        Tensor[] inputs = {x, layer.weight(), layer.bias(), layer.norm().weight(), layer.norm().bias()};
        GradCheck.check("QatConvBn2d, batch statistics", in -> layer.forward(in[0]), inputs);
        layer.freezeBatchNormStats();
        GradCheck.check("QatConvBn2d, frozen statistics", in -> layer.forward(in[0]), inputs);
        qat.close();
    }
}
