package dev.kiln.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.Optimizers;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.SGD;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transfer learning: new models from the first layers of a trained one (copied or shared), new heads,
 * frozen layers (no gradient, no update, batch norm statistics kept), unfreezing the top layers, and
 * per-layer learning rates. References are the source model's own values and hand-computed SGD steps.
 */
class TransferTest {
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(7);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    /**
     * A small CNN on [batch, 1, 6, 6]: conv 1->2 3x3, batch norm, ReLU, flatten (32), dense 32->5, ReLU, dense
     * 5->3. Weighted layers: 0 (conv), 1 (batch norm), 4 and 6 (dense).
     */
    private static Sequential cnn() {
        return new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU(), new Flatten(), new Linear(32, 5),
                new ReLU(), new Linear(5, 3));
    }

    private static Tensor images() {
        return Tensor.randn(4, 1, 6, 6);
    }

    private static Map<String, double[]> values(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    private static void assertSameValues(Map<String, double[]> expected, Module m) {
        Map<String, double[]> actual = values(m);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    /** One step of {@code optimizer} on the mean square of the model's output. */
    private static void step(Module model, Optimizer optimizer, Tensor x) {
        try (Scope s = Scope.open()) {
            optimizer.zeroGrad();
            model.forward(x).square().mean().backward();
            optimizer.step();
        }
    }

    // ---- New models from trained layers ---------------------------------------------------------------

    @Test
    void firstLayersAreCopiesWithTheSourcesValuesAndNames() {
        try (Sequential source = cnn(); Sequential body = Transfer.firstLayers(source, 5)) {
            assertEquals(5, body.size());
            Map<String, Tensor> sourceState = source.stateDict();
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                    "1.num_batches_tracked", "4.weight", "4.bias"), List.copyOf(body.stateDict().keySet()));
            body.stateDict().forEach((k, v) -> {
                assertNotSame(sourceState.get(k), v, k + " is a tensor of its own");
                assertArrayEquals(sourceState.get(k).toDoubleArray(), v.toDoubleArray(), k);
            });
            for (int i = 0; i < 5; i++) {
                assertNotSame(source.get(i), body.get(i));
                assertSame(source.get(i).getClass(), body.get(i).getClass());
            }
        }
    }

    @Test
    void trainingCopiedLayersLeavesTheSourceUnchanged() {
        try (Sequential source = cnn(); Sequential model = Transfer.withNewHead(source, 5, new Linear(5, 2))) {
            Map<String, double[]> before = values(source);
            try (Optimizer adam = new Adam(model.trainableParameters(), 0.1)) {
                step(model, adam, images());
            }
            assertSameValues(before, source);
            assertFalse(Arrays.equals(before.get("0.weight"), model.stateDict().get("0.weight").toDoubleArray()),
                    "the copy itself was trained");
        }
    }

    @Test
    void sharedLayersAreTheSourcesOwnSoTrainingOneTrainsBoth() {
        Sequential source = cnn();
        Sequential shared = Transfer.firstLayers(source, 5, Transfer.Weights.SHARE);
        for (int i = 0; i < 5; i++) {
            assertSame(source.get(i), shared.get(i));
        }
        double[] before = ((Conv2d) source.get(0)).weight().toDoubleArray();
        try (Optimizer sgd = new SGD(shared.trainableParameters(), 0.5)) {
            step(shared, sgd, images());
        }
        assertFalse(Arrays.equals(before, ((Conv2d) source.get(0)).weight().toDoubleArray()));
        source.close();
    }

    @Test
    void aNewHeadSitsOnTopOfTheCopiedLayers() {
        try (Sequential source = cnn(); Sequential model = Transfer.withNewHead(source, 5, new Linear(5, 10))) {
            assertEquals(6, model.size());
            Tensor x = images();
            source.eval();
            model.eval();
            Tensor features = Transfer.firstLayers(source, 5, Transfer.Weights.SHARE).forward(x);
            Linear head = (Linear) model.get(5);
            Tensor expected = features.matmul(head.weight().t()).add(head.bias());
            assertArrayEquals(expected.toDoubleArray(), model.forward(x).toDoubleArray(), 1e-6);
            assertArrayEquals(new int[] {4, 10}, model.forward(x).shape().dims());
        }
    }

    @Test
    void firstLayersOutOfRangeIsAClearError() {
        try (Sequential source = cnn()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transfer.firstLayers(source, 8));
            assertTrue(e.getMessage().contains("[0, 7]") && e.getMessage().contains("got 8"), e.getMessage());
        }
    }

    // ---- Freezing -------------------------------------------------------------------------------------

    @Test
    void frozenLayersRecordNoGraphAndGetNoGradient() {
        try (Sequential source = cnn(); Sequential model = Transfer.withNewHead(source, 5, new Linear(5, 2))) {
            Transfer.freezeAllButTop(model, 1);
            Tensor features = Transfer.firstLayers(model, 5, Transfer.Weights.SHARE).forward(images());
            assertFalse(features.requiresGrad(), "nothing below the head is recorded, so backward computes nothing there");
            model.forward(images()).square().mean().backward();
            model.namedParameters().forEach((name, p) -> {
                if (name.startsWith("5.")) {
                    assertNotNull(p.grad(), name);
                } else {
                    assertNull(p.grad(), name + " is frozen");
                }
            });
        }
    }

    @Test
    void frozenParametersAreUnchangedByOptimizerStepsEvenWithWeightDecay() {
        try (Sequential source = cnn(); Sequential model = Transfer.withNewHead(source, 5, new Linear(5, 2))) {
            Transfer.freezeAllButTop(model, 1);
            Map<String, double[]> frozenBefore = values(Transfer.firstLayers(model, 5, Transfer.Weights.SHARE));
            double[] headBefore = ((Linear) model.get(5)).weight().toDoubleArray();
            try (Optimizer adam = new Adam(model.parameters(), 0.05).weightDecay(0.1);
                 Optimizer momentum = new SGD(model.parameters(), 0.05, 0.9, false, 0.1)) {
                for (int i = 0; i < 3; i++) {
                    step(model, adam, images());
                    step(model, momentum, images());
                }
            }
            assertSameValues(frozenBefore, Transfer.firstLayers(model, 5, Transfer.Weights.SHARE));
            assertFalse(Arrays.equals(headBefore, ((Linear) model.get(5)).weight().toDoubleArray()));
        }
    }

    @Test
    void frozenBatchNormKeepsItsRunningStatisticsInTrainingMode() {
        try (Sequential model = cnn()) {
            BatchNorm2d bn = (BatchNorm2d) model.get(1);
            model.train();
            model.forward(images());
            Map<String, double[]> before = values(bn);
            Tensor x = images();
            Sequential convAndBn = Transfer.firstLayers(model, 2, Transfer.Weights.SHARE);
            convAndBn.eval();
            double[] evalOutput = convAndBn.forward(x).toDoubleArray();

            bn.freeze();
            convAndBn.train();
            assertTrue(bn.isTraining(), "the mode itself is left as set");
            double[] trainOutput = convAndBn.forward(x).toDoubleArray();
            model.forward(images());

            assertSameValues(before, bn);
            assertEquals(1, bn.numBatchesTracked(), "only the batch before freezing was counted");
            assertArrayEquals(evalOutput, trainOutput, 0, "normalised with the running statistics");
        }
    }

    @Test
    void unfrozenBatchNormTracksStatisticsAgain() {
        try (Sequential model = cnn()) {
            BatchNorm2d bn = (BatchNorm2d) model.get(1);
            bn.freeze();
            model.forward(images());
            assertEquals(0, bn.numBatchesTracked());
            bn.unfreeze();
            model.forward(images());
            assertEquals(1, bn.numBatchesTracked());
            assertNotEquals(0.0, bn.runningMean().abs().sum().item());
        }
    }

    @Test
    void freezeAllButTopLeavesExactlyTheTopKWeightedLayersTrainable() {
        try (Sequential model = cnn()) {
            assertEquals(List.of(model.get(0), model.get(1), model.get(4), model.get(6)), Transfer.weightedLayers(model));
            Transfer.freezeAllButTop(model, 2);
            assertTrue(model.get(0).isFrozen());
            assertTrue(model.get(1).isFrozen());
            assertFalse(model.get(4).isFrozen());
            assertFalse(model.get(6).isFrozen());
            List<Tensor> trainable = new ArrayList<>(model.get(4).parameters());
            trainable.addAll(model.get(6).parameters());
            assertEquals(trainable, model.trainableParameters());
            Transfer.freezeAllButTop(model, 4);
            assertEquals(model.parameters(), model.trainableParameters());
            Transfer.freezeAllButTop(model, 0);
            assertTrue(model.isFrozen());
        }
    }

    @Test
    void unfreezeTopTrainsLayersThatTheOptimizerAlreadyHeldWhileFrozen() {
        try (Sequential model = cnn()) {
            Transfer.freezeAllButTop(model, 1);
            try (Optimizer sgd = Optimizers.createForGroups("sgd", Transfer.layerGroups(model, 0.1, 1))) {
                step(model, sgd, images());
                double[] dense = ((Linear) model.get(4)).weight().toDoubleArray();
                double[] conv = ((Conv2d) model.get(0)).weight().toDoubleArray();
                Transfer.unfreezeTop(model, 2);
                assertFalse(model.get(4).isFrozen());
                assertTrue(model.get(0).isFrozen(), "below the top 2: left as it was");
                step(model, sgd, images());
                assertFalse(Arrays.equals(dense, ((Linear) model.get(4)).weight().toDoubleArray()));
                assertArrayEquals(conv, ((Conv2d) model.get(0)).weight().toDoubleArray());
            }
        }
    }

    @Test
    void kOutOfRangeNamesTheNumberOfWeightedLayers() {
        try (Sequential model = cnn()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transfer.freezeAllButTop(model, 5));
            assertTrue(e.getMessage().contains("4 layers with parameters") && e.getMessage().contains("got 5"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Transfer.unfreezeTop(model, -1));
        }
    }

    // ---- Discriminative learning rates ----------------------------------------------------------------

    @Test
    void layerGroupsDivideTheLearningRateByTheDecayPerLayerDownwards() {
        try (Sequential model = cnn()) {
            List<ParamGroup> groups = Transfer.layerGroups(model, 0.1, 0.5);
            assertEquals(4, groups.size());
            double[] expected = {0.0125, 0.025, 0.05, 0.1};
            List<Module> layers = Transfer.weightedLayers(model);
            for (int i = 0; i < 4; i++) {
                assertEquals(expected[i], groups.get(i).lr(), 1e-15, "group " + i);
                assertEquals(layers.get(i).parameters(), groups.get(i).params());
            }
        }
    }

    @Test
    void eachGroupStepsWithItsOwnLearningRate() {
        try (Sequential model = cnn(); Optimizer sgd = Optimizers.createForGroups("sgd", Transfer.layerGroups(model, 0.1, 0.5))) {
            List<Tensor> params = model.parameters();
            List<double[]> before = new ArrayList<>();
            for (Tensor p : params) {
                before.add(p.toDoubleArray());
            }
            sgd.zeroGrad();
            model.forward(images()).square().mean().backward();
            List<double[]> grads = new ArrayList<>();
            for (Tensor p : params) {
                grads.add(p.grad().toDoubleArray());
            }
            sgd.step();
            // Parameters in order: conv (lr 0.0125), batch norm (0.025), dense 4 (0.05), dense 6 (0.1), two each.
            double[] lrs = {0.0125, 0.0125, 0.025, 0.025, 0.05, 0.05, 0.1, 0.1};
            for (int k = 0; k < params.size(); k++) {
                double[] after = params.get(k).toDoubleArray();
                for (int i = 0; i < after.length; i++) {
                    assertEquals(before.get(k)[i] - lrs[k] * grads.get(k)[i], after[i], 1e-6, "parameter " + k + " element " + i);
                }
            }
        }
    }

    @Test
    void decayOutsideZeroToOneIsAClearError() {
        try (Sequential model = cnn()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transfer.layerGroups(model, 0.1, 1.5));
            assertTrue(e.getMessage().contains("decay") && e.getMessage().contains("1.5"), e.getMessage());
        }
    }

    @Test
    void copiedLayersKeepTheSourcesFrozenStateAndTheSourceKeepsItsOwn() {
        try (Sequential source = cnn()) {
            source.get(0).freeze();
            try (Sequential body = Transfer.firstLayers(source, 2)) {
                assertTrue(body.get(0).isFrozen());
                body.get(0).unfreeze();
                assertTrue(source.get(0).isFrozen());
            }
        }
    }
}
