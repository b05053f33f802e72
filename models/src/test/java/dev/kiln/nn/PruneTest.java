package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.SGD;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PruneTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    private static Tensor mask(Module m) {
        return m.namedBuffers().get("weight_mask");
    }

    private static long zeros(Tensor t) {
        return Arrays.stream(t.toDoubleArray()).filter(v -> v == 0).count();
    }

    @Test
    void theWeightMovesToWeightOrigWhichAnOptimizerMadeBeforeKeepsTraining() {
        try (Linear lin = new Linear(4, 3)) {
            Tensor weight = lin.weight();
            Prune.l1Unstructured(lin, "weight", 0.5);
            assertEquals(List.of("bias", "weight_orig"), List.copyOf(lin.namedParameters().keySet()));
            assertEquals(List.of("bias", "weight_orig", "weight_mask"), List.copyOf(lin.stateDict().keySet()));
            assertSame(weight, lin.namedParameters().get("weight_orig"));
            assertArrayEquals(new int[] {3, 4}, mask(lin).shape().dims());
        }
    }

    @Test
    void theModuleReadsTheWeightTimesTheMask() {
        try (Linear lin = new Linear(3, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 0.1, -3, 2, -0.5, 4, 0.2);
            Prune.l1Unstructured(lin, "weight", 3);
            assertValues(new double[] {0, 1, 1, 0, 1, 0}, mask(lin), 0);
            assertValues(new double[] {0, -3, 2, 0, 4, 0}, lin.weight(), 0);
            assertValues(new double[] {-1, 4}, lin.forward(Tensor.fromArray(new float[] {1, 1, 1}, 1, 3)), 1e-6);
        }
    }

    @Test
    void gradientsReachOnlyTheUnprunedEntriesOfWeightOrig() {
        try (Linear lin = new Linear(3, 2); Scope s = Scope.open()) {
            set(lin.weight(), 0.1, -3, 2, -0.5, 4, 0.2);
            Prune.l1Unstructured(lin, "weight", 3);
            lin.forward(Tensor.randn(5, 3)).sum().backward();
            double[] grad = lin.namedParameters().get("weight_orig").grad().toDoubleArray();
            double[] kept = mask(lin).toDoubleArray();
            for (int i = 0; i < grad.length; i++) {
                assertEquals(kept[i] == 0, grad[i] == 0, "entry " + i + ": gradient " + grad[i]);
            }
        }
    }

    @Test
    void gradientsOfWeightOrigAndBiasMatchFiniteDifferencesInF64() {
        try (Conv2d conv = new Conv2d(2, 3, 2); Scope s = Scope.open()) {
            Prune.lnStructured(conv, "weight", 1, 2, 0);
            Prune.l1Unstructured(conv, "weight", 0.3);
            conv.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 1, 2, 3, 3).requiresGrad(true);
            GradCheck.check("pruned Conv2d", in -> conv.forward(in[0]), x,
                    conv.namedParameters().get("weight_orig"), conv.bias());
        }
    }

    @Test
    void sequentialFusesAPrunedLinearWithTheMaskedWeight() {
        try (Sequential fused = new Sequential(Prune.l1Unstructured(new Linear(4, 3), "weight", 0.5), new ReLU());
                Scope s = Scope.open()) {
            Linear lin = (Linear) fused.get(0);
            Tensor masked = lin.namedParameters().get("weight_orig").mul(mask(lin));
            Tensor x = Tensor.randn(2, 4);
            assertValues(x.matmul(masked.t()).add(lin.bias()).relu().toDoubleArray(), fused.forward(x), 1e-6);
        }
    }

    @Test
    void anSgdStepLeavesThePrunedWeightZero() {
        try (Linear lin = new Linear(4, 3); Scope s = Scope.open()) {
            SGD sgd = new SGD(lin.trainableParameters(), 0.1);
            Prune.l1Unstructured(lin, "weight", 6);
            lin.forward(Tensor.randn(2, 4)).sum().backward();
            sgd.step();
            assertEquals(6, zeros(lin.weight()));
        }
    }

    @Test
    void aSecondPruningPrunesItsFractionOfTheEntriesLeft() {
        try (Linear lin = new Linear(5, 4)) {
            Prune.l1Unstructured(lin, "weight", 0.5);
            Prune.l1Unstructured(lin, "weight", 0.5);
            assertEquals(15, zeros(mask(lin)), "10 of 20, then 5 of the 10 left");
            assertTrue(Prune.isPruned(lin));
        }
    }

    @Test
    void structuredPruningAfterUnstructuredZeroesWholeRowsAmongThoseLeft() {
        try (Linear lin = new Linear(3, 4, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 1, 1, 2, 2, 2, 0.5, 3, 3, 4, 4, 4);
            Prune.l1Unstructured(lin, "weight", 1);
            // rows' 2-norms after the 0.5 goes: 1.7, 3.5, 4.2, 6.9; the least row goes, then the least of the rest
            Prune.lnStructured(lin, "weight", 1, 2, 0);
            Prune.lnStructured(lin, "weight", 1, 2, 0);
            assertValues(new double[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, mask(lin), 0);
        }
    }

    @Test
    void randomUnstructuredPrunesTheAmountAndRepeatsWithTheSeed() {
        try (Linear a = new Linear(10, 10); Linear b = new Linear(10, 10)) {
            Engine.seed(7);
            Prune.randomUnstructured(a, "weight", 0.3);
            Engine.seed(7);
            Prune.randomUnstructured(b, "weight", 0.3);
            assertEquals(30, zeros(mask(a)));
            assertArrayEquals(mask(a).toDoubleArray(), mask(b).toDoubleArray());
        }
    }

    @Test
    void randomStructuredPrunesWholeChannels() {
        try (Conv2d conv = new Conv2d(4, 6, 3)) {
            Prune.randomStructured(conv, "weight", 2, 1);
            double[] m = mask(conv).toDoubleArray();
            int pruned = 0;
            for (int c = 0; c < 4; c++) {
                double sum = 0;
                for (int o = 0; o < 6; o++) {
                    for (int k = 0; k < 9; k++) {
                        sum += m[(o * 4 + c) * 9 + k];
                    }
                }
                assertTrue(sum == 0 || sum == 54, "channel " + c + " is pruned wholly or not at all: " + sum);
                pruned += sum == 0 ? 1 : 0;
            }
            assertEquals(2, pruned);
        }
    }

    @Test
    void globalUnstructuredPrunesTheSmallestEntriesWhereverTheyAre() {
        try (Linear a = new Linear(2, 1, false); Linear b = new Linear(2, 1, false); Scope s = Scope.open()) {
            set(a.weight(), 5, 6);
            set(b.weight(), 0.1, 0.2);
            Prune.globalUnstructured(List.of(new Prune.Target(a, "weight"), new Prune.Target(b, "weight")),
                    Prune.UnstructuredMethod.L1_UNSTRUCTURED, 2);
            assertValues(new double[] {1, 1}, mask(a), 0);
            assertValues(new double[] {0, 0}, mask(b), 0);
        }
    }

    @Test
    void entriesOfEqualMagnitudeArePrunedLowestIndexFirst() {
        try (Linear lin = new Linear(3, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 0.5, -0.5, 2, 0.5, -1, -0.5);
            Prune.l1Unstructured(lin, "weight", 3);
            assertValues(new double[] {0, 0, 1, 0, 1, 1}, mask(lin), 0);
        }
    }

    @Test
    void aSecondPruningPrunesTheLowestIndicesOfTheEqualEntriesLeft() {
        try (Linear lin = new Linear(3, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 0.5, -1, 1, -0.5, 1);
            Prune.l1Unstructured(lin, "weight", 2);
            Prune.l1Unstructured(lin, "weight", 2);
            assertValues(new double[] {0, 0, 0, 1, 0, 1}, mask(lin), 0);
        }
    }

    @Test
    void channelsOfEqualNormArePrunedLowestIndexFirst() {
        try (Linear lin = new Linear(2, 4, false); Scope s = Scope.open()) {
            set(lin.weight(), 3, 4, 4, 3, -3, 4, 0, 5);
            Prune.lnStructured(lin, "weight", 1, 2, 0);
            assertValues(new double[] {0, 0, 1, 1, 1, 1, 1, 1}, mask(lin), 0);
        }
    }

    @Test
    void aSecondStructuredPruningPrunesTheLowestIndicesOfTheEqualChannelsLeft() {
        try (Linear lin = new Linear(2, 4, false); Scope s = Scope.open()) {
            set(lin.weight(), 3, 4, 0.6, 0.8, -3, 4, 0, 5);
            Prune.lnStructured(lin, "weight", 1, 2, 0);
            Prune.lnStructured(lin, "weight", 2, 2, 0);
            assertValues(new double[] {0, 0, 0, 0, 0, 0, 1, 1}, mask(lin), 0);
        }
    }

    @Test
    void globalUnstructuredPrunesEqualEntriesInTheOrderOfTheTargets() {
        try (Linear a = new Linear(3, 1, false); Linear b = new Linear(2, 1, false); Scope s = Scope.open()) {
            set(a.weight(), 0.5, 2, -0.5);
            set(b.weight(), 0.5, -0.5);
            Prune.globalUnstructured(List.of(new Prune.Target(a, "weight"), new Prune.Target(b, "weight")),
                    Prune.UnstructuredMethod.L1_UNSTRUCTURED, 3);
            assertValues(new double[] {0, 1, 0}, mask(a), 0);
            assertValues(new double[] {0, 1}, mask(b), 0);
        }
    }

    @Test
    void removingItLeavesThePrunedWeightAsAPlainParameterAfterTheOthers() {
        try (Linear lin = new Linear(3, 2); Scope s = Scope.open()) {
            Tensor weight = lin.weight();
            Prune.l1Unstructured(lin, "weight", 2);
            Prune.remove(lin, "weight");
            assertEquals(List.of("bias", "weight"), List.copyOf(lin.stateDict().keySet()));
            assertSame(weight, lin.weight());
            assertEquals(2, zeros(weight));
            assertFalse(Prune.isPruned(lin));
        }
    }

    @Test
    void isPrunedLooksThroughSubModules() {
        try (Sequential model = new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 1))) {
            assertFalse(Prune.isPruned(model));
            Prune.identity(model.getSubmodule("2"), "bias");
            assertTrue(Prune.isPruned(model));
        }
    }

    @Test
    void aStateDictRoundTripCarriesTheMaskAndWeightOrig() {
        try (Linear source = Prune.l1Unstructured(new Linear(4, 3), "weight", 0.5);
                Linear target = Prune.identity(new Linear(4, 3), "weight"); Scope s = Scope.open()) {
            target.loadStateDict(source.stateDict(), true);
            assertArrayEquals(source.weight().toDoubleArray(), target.weight().toDoubleArray());
            assertEquals(6, zeros(mask(target)));
        }
    }

    @Test
    void aCopyAndAnotherDtypeKeepThePruning() {
        try (Linear lin = Prune.l1Unstructured(new Linear(4, 3), "weight", 0.5); Scope s = Scope.open()) {
            double[] pruned = lin.weight().toDoubleArray();
            try (Module copy = lin.copy()) {
                copy.to(DType.F64);
                assertEquals(DType.F64, copy.param("weight").dtype());
                assertValues(pruned, copy.param("weight"), 1e-7);
            }
        }
    }

    @Test
    void amountsOutOfRangeAreRefusedNamingThem() {
        try (Linear lin = new Linear(3, 2)) {
            String fraction = assertThrows(IllegalArgumentException.class,
                    () -> Prune.l1Unstructured(lin, "weight", 1.5)).getMessage();
            assertTrue(fraction.contains("amount 1.5 must be a fraction in [0, 1]"), fraction);
            String negative = assertThrows(IllegalArgumentException.class,
                    () -> Prune.randomUnstructured(lin, "weight", -1)).getMessage();
            assertTrue(negative.contains("amount -1 must be a non-negative count"), negative);
            Prune.l1Unstructured(lin, "weight", 4);
            String tooMany = assertThrows(IllegalArgumentException.class,
                    () -> Prune.l1Unstructured(lin, "weight", 3)).getMessage();
            assertTrue(tooMany.contains("Prune.l1Unstructured: parameter 'weight' of Linear(in_features=3, out_features=2, bias=True): amount 3"
                    + " exceeds the 2 left to prune"), tooMany);
        }
    }

    @Test
    void structuredPruningOfAVectorOrAlongAMissingAxisIsRefused() {
        try (Linear lin = new Linear(3, 2)) {
            String vector = assertThrows(IllegalArgumentException.class,
                    () -> Prune.lnStructured(lin, "bias", 1, 2, 0)).getMessage();
            assertTrue(vector.contains("parameter 'bias'") && vector.contains("rank 2 or more, got shape [2]"), vector);
            String dim = assertThrows(IllegalArgumentException.class,
                    () -> Prune.randomStructured(lin, "weight", 1, 2)).getMessage();
            assertTrue(dim.contains("dim 2 is out of range [-2, 2) for shape [2, 3]"), dim);
            assertEquals(List.of("weight", "bias"), List.copyOf(lin.stateDict().keySet()), "nothing changed");
        }
    }

    /** A user layer with a weight, a bias and a child, so that its repr takes several lines. */
    static final class Gated extends Module {
        Gated() {
            registerParameter("weight", Tensor.ones(2, 3));
            registerParameter("bias", Tensor.zeros(2));
            registerModule("gate", new Sigmoid());
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void shapeMismatchesNameAModuleWithChildrenOnOneLine() {
        try (Gated gated = new Gated(); Scope s = Scope.open()) {
            String mask = assertThrows(IllegalArgumentException.class,
                    () -> Prune.customFromMask(gated, "bias", Tensor.ones(3))).getMessage();
            assertEquals("Prune.customFromMask: mask [3] does not match parameter 'bias' [2] of Gated", mask);
            String scores = assertThrows(IllegalArgumentException.class,
                    () -> Prune.l1Unstructured(gated, "bias", 1, Tensor.ones(2, 1))).getMessage();
            assertEquals("Prune.l1Unstructured: importance scores [2, 1] do not match parameter 'bias' [2] of Gated",
                    scores);
        }
    }

    @Test
    void badTargetsAreRefusedNamingTheModuleAndTheParameter() {
        try (Linear lin = WeightNorm.apply(new Linear(3, 2)); Scope s = Scope.open()) {
            String weightNorm = assertThrows(IllegalArgumentException.class,
                    () -> Prune.l1Unstructured(lin, "weight", 1)).getMessage();
            assertTrue(weightNorm.contains("parameter 'weight' of Linear(in_features=3, out_features=2, bias=True) is already computed by"
                    + " WeightNorm"), weightNorm);
            String missing = assertThrows(IllegalArgumentException.class,
                    () -> Prune.identity(lin, "kernel")).getMessage();
            assertTrue(missing.contains("no parameter 'kernel'"), missing);
            String mask = assertThrows(IllegalArgumentException.class,
                    () -> Prune.customFromMask(lin, "bias", Tensor.ones(3))).getMessage();
            assertTrue(mask.contains("mask [3] does not match parameter 'bias' [2]"), mask);
            String scores = assertThrows(IllegalArgumentException.class,
                    () -> Prune.l1Unstructured(lin, "bias", 1, Tensor.ones(2, 1))).getMessage();
            assertTrue(scores.contains("importance scores [2, 1] do not match parameter 'bias' [2]"), scores);
            String remove = assertThrows(IllegalArgumentException.class, () -> Prune.remove(lin, "bias")).getMessage();
            assertTrue(remove.contains("parameter 'bias' of Linear(in_features=3, out_features=2, bias=True) is not pruned"), remove);
            Prune.identity(lin, "bias");
            String parametrize = assertThrows(IllegalArgumentException.class,
                    () -> Parametrize.registerParametrization(lin, "bias", new Identity())).getMessage();
            assertTrue(parametrize.contains("already computed by Prune"), parametrize);
        }
    }

    @Test
    void aStateDictOfTheUnprunedModuleDoesNotLoadIntoAPrunedOne() {
        try (Linear plain = new Linear(3, 2); Linear pruned = Prune.identity(new Linear(3, 2), "weight")) {
            Map<String, Tensor> state = plain.stateDict();
            String message = assertThrows(IllegalArgumentException.class, () -> pruned.loadStateDict(state, true))
                    .getMessage();
            assertTrue(message.contains("missing keys: [weight_orig, weight_mask]"), message);
            assertNotEquals(state.keySet(), pruned.stateDict().keySet());
        }
    }
}
