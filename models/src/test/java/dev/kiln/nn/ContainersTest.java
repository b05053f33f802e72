package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ModuleList, ModuleDict, ParameterList and ParameterDict: their list and dict operations, and Module's copy, to, freeze and summary through them. */
class ContainersTest {
    @BeforeEach
    void seed() {
        Engine.seed(3);
    }

    private static Tensor parameter(int n) {
        return Module.unscoped(() -> Tensor.zeros(DType.F32, n));
    }

    @Test
    void moduleListAddsGetsCountsAndIteratesInOrder() {
        Tanh tanh = new Tanh();
        ReLU relu = new ReLU();
        ModuleList list = new ModuleList(tanh).add(relu);
        assertEquals(2, list.size());
        assertSame(relu, list.get(1));
        assertSame(relu, list.get(-1), "a negative index counts from the end");
        List<Module> seen = new ArrayList<>();
        list.forEach(seen::add);
        assertEquals(List.of(tanh, relu), seen);
        assertEquals(List.of("", "0", "1"), List.copyOf(list.namedModules().keySet()));
    }

    @Test
    void moduleListInsertMovesTheLaterModulesAndTheirNamesUp() {
        try (ModuleList list = new ModuleList(new Linear(2, 3), new Linear(3, 1))) {
            Linear middle = new Linear(3, 3);
            list.insert(1, middle).insert(3, new Tanh());
            assertSame(middle, list.get(1));
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"),
                    List.copyOf(list.stateDict().keySet()));
            assertArrayEquals(new int[] {1, 3}, list.stateDict().get("2.weight").shape().dims());
            assertTrue(list.get(3) instanceof Tanh);
        }
    }

    @Test
    void moduleListSetReplacesInPlaceAndReturnsTheOldModule() {
        Tanh old = new Tanh();
        ReLU relu = new ReLU();
        ModuleList list = new ModuleList(new Sigmoid(), old, new GELU());
        assertSame(old, list.set(1, relu));
        assertEquals(List.of("Sigmoid", "ReLU", "GELU"), list.children().stream().map(m -> m.getClass().getSimpleName()).toList());
    }

    @Test
    void moduleListNamesAnIndexOutOfRange() {
        ModuleList list = new ModuleList(new Tanh());
        assertEquals("ModuleList: index 1 is out of range for 1 modules",
                assertThrows(IndexOutOfBoundsException.class, () -> list.get(1)).getMessage());
        assertEquals("ModuleList: insert index 3 is out of range [0, 1]",
                assertThrows(IndexOutOfBoundsException.class, () -> list.insert(3, new ReLU())).getMessage());
    }

    @Test
    void aNullElementIsRefusedNamingItsPlace() {
        assertEquals("ModuleList: sub-module '1' is null",
                assertThrows(IllegalArgumentException.class, () -> new ModuleList(new Tanh(), null)).getMessage());
        assertEquals("ParameterList: parameter 0 is null",
                assertThrows(IllegalArgumentException.class, () -> new ParameterList((Tensor) null)).getMessage());
    }

    @Test
    void containersHaveNoForwardPassOfTheirOwn() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(1, 2);
            assertThrows(UnsupportedOperationException.class, () -> new ModuleList(new Tanh()).forward(x));
            assertThrows(UnsupportedOperationException.class, () -> new ModuleDict().forward(x));
            assertThrows(UnsupportedOperationException.class, () -> new ParameterList().forward(x));
            assertThrows(UnsupportedOperationException.class, () -> new ParameterDict().forward(x));
        }
    }

    @Test
    void moduleDictPutKeepsTheKeyInItsPlaceAndReturnsTheOldModule() {
        Tanh old = new Tanh();
        ModuleDict dict = new ModuleDict(Map.of("a", old));
        assertNull(dict.put("b", new ReLU()));
        assertSame(old, dict.put("a", new Sigmoid()));
        assertEquals(List.of("a", "b"), dict.keys());
        assertTrue(dict.get("a") instanceof Sigmoid);
        assertTrue(dict.containsKey("b"));
        assertEquals(2, dict.size());
    }

    @Test
    void moduleDictRemoveUnregistersAndReturnsTheModule() {
        try (ModuleDict dict = new ModuleDict(Map.of("fc", new Linear(2, 2)))) {
            Module fc = dict.remove("fc");
            assertTrue(fc instanceof Linear);
            assertEquals(0, dict.size());
            assertTrue(dict.stateDict().isEmpty());
            fc.close();
        }
    }

    @Test
    void moduleDictNamesAMissingKeyAndTheKeysItHas() {
        ModuleDict dict = new ModuleDict(Map.of("mean", new Tanh()));
        assertEquals("ModuleDict: no module under 'scale'; its keys are [mean]",
                assertThrows(IllegalArgumentException.class, () -> dict.get("scale")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> dict.put("a.b", new Tanh()), "a dotted key would break state-dict names");
    }

    @Test
    void parameterListRegistersTrainableParametersByPosition() {
        try (ParameterList list = new ParameterList(parameter(2)).add(parameter(3))) {
            assertEquals(2, list.size());
            assertEquals(List.of("0", "1"), List.copyOf(list.stateDict().keySet()));
            assertArrayEquals(new int[] {3}, list.get(-1).shape().dims());
            assertTrue(list.get(0).requiresGrad());
            List<Tensor> seen = new ArrayList<>();
            list.forEach(seen::add);
            assertEquals(list.parameters(), seen);
            assertThrows(IndexOutOfBoundsException.class, () -> list.get(2));
        }
    }

    @Test
    void parameterDictPutKeepsTheKeyInItsPlaceAndTheOthersFrozenState() {
        try (ParameterDict dict = new ParameterDict(Map.of("a", parameter(1)))) {
            dict.put("b", parameter(2));
            dict.get("b").requiresGrad(false);
            Tensor old = dict.put("a", parameter(4));
            assertArrayEquals(new int[] {1}, old.shape().dims());
            old.close();
            assertEquals(List.of("a", "b"), dict.keys());
            assertArrayEquals(new int[] {4}, dict.get("a").shape().dims());
            assertFalse(dict.get("b").requiresGrad(), "moving b behind the new a must not unfreeze it");
            assertEquals("ParameterDict: no parameter under 'c'; its keys are [a, b]",
                    assertThrows(IllegalArgumentException.class, () -> dict.get("c")).getMessage());
            dict.remove("b").close();
            assertEquals(List.of("a"), dict.keys());
        }
    }

    @Test
    void toConvertsTheTensorsOfEveryContainer() {
        try (ContainerNet net = new ContainerNet()) {
            net.to(DType.F64);
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
                assertEquals(DType.F64, e.getValue().dtype(), e.getKey());
            }
            assertSame(net.namedParameters().get("scales.1"), net.scales().get(1), "get reads the converted tensor");
            assertSame(net.namedParameters().get("offsets.shift"), net.offsets().get("shift"));
        }
    }

    @Test
    void copyCopiesEveryContainerAndItsTensors() {
        try (ContainerNet net = new ContainerNet(); Module copy = net.copy(); Scope s = Scope.open()) {
            ContainerNet c = (ContainerNet) copy;
            assertEquals(List.copyOf(net.stateDict().keySet()), List.copyOf(c.stateDict().keySet()));
            assertNotSame(net.layers(), c.layers());
            assertNotSame(net.scales().get(0), c.scales().get(0));
            assertNotSame(net.offsets().get("shift"), c.offsets().get("shift"));
            Tensor x = Tensor.randn(2, 3);
            assertArrayEquals(net.forward(x).toFloatArray(), c.forward(x).toFloatArray());
        }
    }

    @Test
    void freezeReachesTheParametersOfEveryContainer() {
        try (ContainerNet net = new ContainerNet()) {
            net.freeze();
            assertTrue(net.isFrozen());
            assertFalse(net.scales().get(2).requiresGrad());
            assertFalse(net.offsets().get("shift").requiresGrad());
            net.unfreeze();
            assertEquals(14, net.trainableParameters().size());
        }
    }

    @Test
    void summaryListsTheContainersAndCountsTheirParameters() {
        try (ContainerNet net = new ContainerNet()) {
            String table = net.summary(2, 3);
            assertTrue(table.contains("layers.1  ") && table.contains("heads.scale"), table);
            assertTrue(table.contains("scales") && table.contains("ParameterList"), table);
            // Linears 16 + 20 + 10, scales 4 + 4 + 2, heads 6 + 3, shift 3
            assertTrue(table.contains("Total params: 68"), table);
        }
    }

    @Test
    void aRefusedInsertLeavesTheListAsItWas() {
        Tanh tanh = new Tanh();
        ReLU relu = new ReLU();
        ModuleList list = new ModuleList(tanh, relu);
        assertEquals("ModuleList: sub-module '0' is null",
                assertThrows(IllegalArgumentException.class, () -> list.insert(0, null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> list.insert(1, list), "a list cannot hold itself");
        assertEquals(List.of(tanh, relu), list.children());
    }

    @Test
    void aRefusedPutLeavesTheDictAsItWas() {
        try (ParameterDict dict = new ParameterDict(Map.of("a", parameter(1)));
             Scope s = Scope.open()) {
            dict.put("b", parameter(2));
            Tensor a = dict.get("a");
            a.requiresGrad(false);
            Tensor counts = Tensor.zeros(DType.I32, 3);
            assertEquals("ParameterDict: parameter 'a' must be F32 or F64, got I32",
                    assertThrows(IllegalArgumentException.class, () -> dict.put("a", counts)).getMessage());
            assertEquals(List.of("a", "b"), dict.keys());
            assertSame(a, dict.get("a"));
            assertFalse(a.requiresGrad(), "the old tensor put back stays frozen");
        }
    }
}
