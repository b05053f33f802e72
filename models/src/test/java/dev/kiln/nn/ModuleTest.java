package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModuleTest {
    @BeforeEach
    void seed() {
        Engine.seed(123);
    }

    private static Sequential mlp() {
        return new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    }

    @Test
    void stateDictNamesSequentialChildrenByIndex() {
        try (Sequential m = mlp()) {
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(m.stateDict().keySet()));
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(m.namedParameters().keySet()));
            assertEquals(4, m.parameters().size());
            assertEquals(3 * 4 + 4 + 4 * 2 + 2, m.parameterCount());
        }
    }

    @Test
    void nestedModulesGetDottedNamesAndBuffersAppearOnlyInStateDict() {
        try (Sequential m = new Sequential(new Sequential(new Linear(2, 3)), new BatchNorm1d(3))) {
            assertEquals(List.of("0.0.weight", "0.0.bias", "1.weight", "1.bias"), List.copyOf(m.namedParameters().keySet()));
            assertEquals(List.of("0.0.weight", "0.0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                    "1.num_batches_tracked"), List.copyOf(m.stateDict().keySet()));
            assertEquals(List.of("", "0", "0.0", "1"), List.copyOf(m.namedModules().keySet()));
        }
    }

    @Test
    void strictLoadListsMissingUnexpectedAndMismatchedKeysInOneMessage() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            double[] before = ((Linear) m.get(2)).weight().toDoubleArray();
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("0.weight", Tensor.zeros(4, 4));
            state.put("0.bias", Tensor.zeros(4));
            state.put("2.weight", Tensor.zeros(2, 4));
            state.put("3.weight", Tensor.zeros(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(state, true));
            String msg = e.getMessage();
            assertTrue(msg.contains("missing") && msg.contains("2.bias"), msg);
            assertTrue(msg.contains("unexpected") && msg.contains("3.weight"), msg);
            assertTrue(msg.contains("0.weight") && msg.contains("[4, 4]") && msg.contains("[4, 3]"), msg);
            assertArrayEquals(before, ((Linear) m.get(2)).weight().toDoubleArray(), "nothing is loaded on error");
        }
    }

    @Test
    void nonStrictLoadCopiesTheCommonKeysOnly() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            double[] bias2 = ((Linear) m.get(2)).bias().toDoubleArray();
            Map<String, Tensor> state = new HashMap<>();
            state.put("0.bias", Tensor.fromArray(new float[] {1, 2, 3, 4}, 4));
            state.put("extra.weight", Tensor.zeros(7));
            m.loadStateDict(state, false);
            assertValues(new double[] {1, 2, 3, 4}, ((Linear) m.get(0)).bias(), 0);
            assertArrayEquals(bias2, ((Linear) m.get(2)).bias().toDoubleArray());
        }
    }

    @Test
    void nonStrictLoadStillRejectsShapeMismatches() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.loadStateDict(Map.of("0.bias", Tensor.zeros(5)), false));
            assertTrue(e.getMessage().contains("0.bias") && e.getMessage().contains("[5]"), e.getMessage());
        }
    }

    @Test
    void loadingAnotherModelsStateGivesTheSameOutputsAndConvertsDtype() {
        try (Sequential a = mlp(); Sequential b = mlp(); Scope s = Scope.open()) {
            b.to(DType.F64);
            a.loadStateDict(b.stateDict(), true);
            assertEquals(DType.F32, ((Linear) a.get(0)).weight().dtype());
            Tensor x = Tensor.randn(5, 3);
            assertValues(b.forward(x.to(DType.F64)).toDoubleArray(), a.forward(x), 1e-6);
            assertTrue(((Linear) a.get(0)).weight().requiresGrad());
        }
    }

    @Test
    void frozenParametersReceiveNoGradient() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            m.get(0).freeze();
            assertEquals(2, m.trainableParameters().size());
            m.forward(Tensor.randn(5, 3)).square().mean().backward();
            Linear first = (Linear) m.get(0);
            Linear last = (Linear) m.get(2);
            assertNull(first.weight().grad());
            assertNull(first.bias().grad());
            assertNotNull(last.weight().grad());
            assertNotNull(last.bias().grad());
        }
    }

    @Test
    void unfreezeRestoresGradients() {
        try (Sequential m = mlp(); Scope s = Scope.open()) {
            m.freeze();
            assertEquals(0, m.trainableParameters().size());
            m.unfreeze();
            m.forward(Tensor.randn(5, 3)).square().mean().backward();
            for (Tensor p : m.parameters()) {
                assertNotNull(p.grad());
            }
        }
    }

    @Test
    void trainAndEvalAreRecursive() {
        try (Sequential m = new Sequential(new Sequential(new Dropout(0.5)), new BatchNorm1d(2))) {
            assertTrue(m.isTraining());
            m.eval();
            for (Module sub : m.namedModules().values()) {
                assertFalse(sub.isTraining(), sub.toString());
            }
            m.train();
            for (Module sub : m.namedModules().values()) {
                assertTrue(sub.isTraining(), sub.toString());
            }
        }
    }

    @Test
    void toF64ConvertsFloatingParametersAndBuffersButNotCounters() {
        try (Sequential m = new Sequential(new Linear(2, 3), new BatchNorm1d(3))) {
            Tensor old = ((Linear) m.get(0)).weight();
            double[] values = old.toDoubleArray();
            m.to(DType.F64);
            Map<String, Tensor> state = m.stateDict();
            for (String key : List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var")) {
                assertEquals(DType.F64, state.get(key).dtype(), key);
            }
            assertEquals(DType.I64, state.get("1.num_batches_tracked").dtype());
            assertTrue(old.isClosed());
            assertArrayEquals(values, ((Linear) m.get(0)).weight().toDoubleArray());
            assertTrue(((Linear) m.get(0)).weight().requiresGrad());
        }
    }

    @Test
    void parametersOfAModuleBuiltInsideAScopeOutliveTheScope() {
        Linear lin;
        try (Scope s = Scope.open()) {
            lin = new Linear(3, 2);
            lin.to(DType.F64);
        }
        try (Scope s = Scope.open()) {
            assertFalse(lin.weight().isClosed());
            assertArrayEquals(new int[] {4, 2}, lin.forward(Tensor.zeros(DType.F64, 4, 3)).shape().dims());
        }
        lin.close();
    }

    @Test
    void closeReleasesParametersAndBuffersRecursively() {
        Sequential m = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
        Map<String, Tensor> state = m.stateDict();
        m.close();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            assertTrue(e.getValue().isClosed(), e.getKey());
        }
    }

    @Test
    void registeringANameTwiceIsRefused() {
        class Twice extends Module {
            Twice() {
                registerParameter("w", unscoped(() -> Tensor.zeros(2)));
                registerBuffer("w", unscoped(() -> Tensor.zeros(2)));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertThrows(IllegalArgumentException.class, Twice::new);
    }

    @Test
    void summaryListsEveryLayerAndTheTotalParameterCount() {
        try (Sequential m = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 512), new ReLU(),
                new Linear(512, 10))) {
            assertEquals(669_706, m.parameterCount());
            String table = m.summary(1, 784);
            assertTrue(table.contains("Total params: 669,706"), table);
            assertTrue(table.contains("Trainable params: 669,706"), table);
            for (String row : List.of("0", "1", "2", "3", "4")) {
                assertTrue(table.lines().anyMatch(l -> l.startsWith(row + " ")), "row " + row + "\n" + table);
            }
            assertTrue(table.contains("Linear") && table.contains("ReLU") && table.contains("Sequential"), table);
            assertTrue(table.contains("[1, 512]") && table.contains("[1, 10]"), table);
            assertTrue(table.contains("401,920") && table.contains("262,656") && table.contains("5,130"), table);
        }
    }

    @Test
    void summaryRestoresTheTrainingModeAndRecordsNoGraph() {
        try (Sequential m = new Sequential(new Linear(4, 3), new Dropout(0.5), new BatchNorm1d(3))) {
            m.get(1).eval();
            m.summary(2, 4);
            assertTrue(m.isTraining());
            assertFalse(m.get(1).isTraining());
            assertTrue(m.get(2).isTraining());
            assertEquals(0, ((BatchNorm1d) m.get(2)).numBatchesTracked(), "eval mode during summary");
            for (Tensor p : m.parameters()) {
                assertNull(p.grad());
            }
        }
    }

    @Test
    void summaryCountsFrozenParametersAsNonTrainable() {
        try (Sequential m = new Sequential(new Linear(4, 3), new Linear(3, 2))) {
            m.get(0).freeze();
            String table = m.summary(1, 4);
            assertTrue(table.contains("Total params: 23"), table);
            assertTrue(table.contains("Trainable params: 8"), table);
            assertTrue(table.contains("Non-trainable params: 15"), table);
        }
    }

    @Test
    void copyComputesTheSameOutputsWithTensorsOfItsOwn() {
        try (Sequential m = new Sequential(new BasicBlock(2, 4, 2), new BatchNorm2d(4)); Scope s = Scope.open()) {
            m.forward(Tensor.randn(3, 2, 6, 6));
            m.get(1).freeze();
            m.eval();
            try (Sequential c = m.copy()) {
                Tensor x = Tensor.randn(3, 2, 6, 6);
                assertArrayEquals(m.forward(x).toDoubleArray(), c.forward(x).toDoubleArray());
                Map<String, Tensor> own = m.stateDict();
                assertEquals(List.copyOf(own.keySet()), List.copyOf(c.stateDict().keySet()));
                c.stateDict().forEach((k, v) -> {
                    assertTrue(v != own.get(k), k);
                    assertEquals(own.get(k).requiresGrad(), v.requiresGrad(), k);
                    assertArrayEquals(own.get(k).toDoubleArray(), v.toDoubleArray(), k);
                });
                assertEquals(1, ((BatchNorm2d) c.get(1)).numBatchesTracked());
                assertFalse(c.isTraining());
                assertEquals(m.toString(), c.toString());
                set(((Conv2d) c.get(0).namedModules().get("conv1")).weight(), new double[4 * 2 * 9]);
                assertNotEquals(0.0, ((Conv2d) m.get(0).namedModules().get("conv1")).weight().abs().sum().item());
            }
        }
    }

    @Test
    void copyKeepsATensorSharedBetweenTwoPlacesSharedInTheCopy() {
        Linear twice = new Linear(3, 3);
        try (Sequential m = new Sequential(twice, new ReLU(), twice); Sequential c = m.copy()) {
            assertEquals(2, c.parameters().size());
            assertTrue(c.get(0) == c.get(2));
            assertTrue(c.get(0) != twice);
        }
    }

    @Test
    void copyRefusesAModuleThatKeepsASubModuleInAField() {
        class Cached extends Module {
            private final Linear inner = registerModule("inner", new Linear(2, 2));

            @Override
            public Tensor forward(Tensor x) {
                return inner.forward(x);
            }
        }
        try (Cached m = new Cached()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, m::copy);
            assertTrue(e.getMessage().contains("Cached.inner") && e.getMessage().contains("module(name)"), e.getMessage());
        }
    }

    @Test
    void aModuleIsFrozenWhenItHasParametersAndNoneIsTrainable() {
        try (Sequential m = mlp()) {
            assertFalse(m.isFrozen());
            m.get(0).freeze();
            assertFalse(m.isFrozen(), "one layer is still trainable");
            assertTrue(m.get(0).isFrozen());
            assertFalse(m.get(1).isFrozen(), "a ReLU has nothing to freeze");
            m.freeze();
            assertTrue(m.isFrozen());
        }
    }

    @Test
    void initialiserRewritesAParameterInPlace() {
        try (Linear lin = new Linear(3, 2); Scope s = Scope.open()) {
            Tensor w = lin.weight();
            set(w, 1, 2, 3, 4, 5, 6);
            dev.kiln.nn.init.Init.zeros(w);
            assertValues(new double[6], lin.weight(), 0);
            assertTrue(w == lin.weight());
        }
    }
}
