package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.ParametrizationExamples.Doubling;
import dev.kiln.nn.ParametrizationExamples.FirstRow;
import dev.kiln.nn.ParametrizationExamples.RowScale;
import dev.kiln.nn.ParametrizationExamples.Symmetric;
import dev.kiln.optim.SGD;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParametrizeTest {
    private static final String ORIGINAL = "parametrizations.weight.original";

    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    private static Tensor original(Module m) {
        return m.namedParameters().get(ORIGINAL);
    }

    @Test
    void theModuleReadsTheParametrizationOfTheOriginal() {
        try (Linear lin = new Linear(2, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 2, 3, 4);
            Parametrize.registerParametrization(lin, "weight", new Symmetric());
            // the right inverse keeps the upper triangle (1, 2, 0, 4), which forward mirrors
            assertValues(new double[] {1, 2, 0, 4}, original(lin), 0);
            assertValues(new double[] {1, 2, 2, 4}, lin.weight(), 0);
            assertValues(new double[] {5, 10}, lin.forward(Tensor.fromArray(new float[] {1, 2}, 1, 2)), 1e-6);
        }
    }

    @Test
    void theOriginalIsTheFormerParameterSoAnOptimizerMadeBeforeKeepsTrainingIt() {
        try (Linear lin = new Linear(3, 3); Scope s = Scope.open()) {
            Tensor weight = lin.weight();
            SGD sgd = new SGD(lin.trainableParameters(), 0.1);
            Parametrize.registerParametrization(lin, "weight", new Symmetric());
            assertSame(weight, original(lin));
            assertEquals(List.of("bias", ORIGINAL), List.copyOf(lin.namedParameters().keySet()));
            double[] before = weight.toDoubleArray();
            lin.forward(Tensor.ones(1, 3)).sum().backward();
            sgd.step();
            assertFalse(Arrays.equals(before, weight.toDoubleArray()), "the step moved the original");
        }
    }

    @Test
    void aSecondParametrizationIsChainedAfterTheFirst() {
        try (Linear lin = new Linear(2, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 2, 3, 4);
            RowScale scale = new RowScale(2);
            Parametrize.registerParametrization(lin, "weight", new Symmetric());
            Parametrize.registerParametrization(lin, "weight", scale);
            set(scale.param("scale"), 10, -1);
            assertValues(new double[] {10, 20, -2, -4}, lin.weight(), 0);
            assertEquals(List.of(ORIGINAL, "parametrizations.weight.1.scale"),
                    List.copyOf(lin.stateDict().keySet()));
            assertSame(scale, lin.getSubmodule("parametrizations.weight.1"));
        }
    }

    @Test
    void aChainThatStartsByHandingOnTheOriginalKeepsAFrozenOriginalOpenWithoutGradients() {
        try (Linear lin = new Linear(2, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 2, 3, 4);
            Parametrize.registerParametrization(lin, "weight", new Identity());
            Parametrize.registerParametrization(lin, "weight", new Doubling());
            lin.freeze();
            try (Autograd.Guard g = Autograd.noGrad()) {
                assertValues(new double[] {2, 4, 6, 8}, lin.weight(), 0);
                assertValues(new double[] {2, 4, 6, 8}, lin.weight(), 0);
            }
        }
    }

    @Test
    void gradientsOfTheOriginalAndOfTheChainMatchFiniteDifferencesInF64() {
        try (Linear lin = new Linear(3, 3); Scope s = Scope.open()) {
            Parametrize.registerParametrization(lin, "weight", new Symmetric());
            Parametrize.registerParametrization(lin, "weight", new RowScale(3));
            lin.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
            GradCheck.check("Linear with a symmetric, row-scaled weight", in -> lin.forward(in[0]), x, original(lin),
                    lin.getParameter("parametrizations.weight.1.scale"), lin.bias());
        }
    }

    @Test
    void registeringFollowsTheModulesTrainingMode() {
        try (Linear lin = new Linear(2, 2)) {
            lin.eval();
            Symmetric symmetric = new Symmetric();
            Parametrize.registerParametrization(lin, "weight", symmetric);
            assertFalse(symmetric.isTraining());
        }
    }

    @Test
    void insideACachedBlockEachParametrizedTensorIsComputedOnce() {
        try (Linear lin = new Linear(2, 2); Scope s = Scope.open()) {
            Doubling doubling = new Doubling();
            Parametrize.registerParametrization(lin, "weight", doubling, true);
            try (ParametrizationCache c = Parametrize.cached()) {
                Tensor first = lin.weight();
                try (ParametrizationCache nested = Parametrize.cached(); Scope inner = Scope.open()) {
                    assertSame(first, lin.weight());
                }
                assertSame(first, lin.weight(), "a nested block leaves the values to the outer one");
                lin.forward(Tensor.ones(1, 2)).sum().backward();
                assertEquals(1, doubling.forwardPasses);
            }
            assertNotSame(lin.weight(), lin.weight());
            assertEquals(3, doubling.forwardPasses);
        }
    }

    @Test
    void insideACachedBlockASpectralNormIteratesOnceWhateverTheReads() {
        try (Linear lin = SpectralNorm.apply(new Linear(4, 3)); Scope s = Scope.open()) {
            Tensor u = lin.namedBuffers().get("parametrizations.weight.0._u");
            // v far from converged, so that a second iteration would move u
            set(lin.namedBuffers().get("parametrizations.weight.0._v"), 1, 0, 0, 0);
            try (ParametrizationCache c = Parametrize.cached()) {
                lin.weight();
                double[] afterOneIteration = u.toDoubleArray();
                lin.weight();
                assertArrayEquals(afterOneIteration, u.toDoubleArray());
            }
        }
    }

    @Test
    void aCachedValueFirstReadInAnInnerScopeOutlivesIt() {
        try (Linear lin = new Linear(2, 2); Scope s = Scope.open();
                ParametrizationCache c = Parametrize.cached()) {
            Parametrize.registerParametrization(lin, "weight", new Doubling());
            Tensor weight;
            try (Scope inner = Scope.open()) {
                weight = lin.weight();
            }
            assertValues(lin.weight().toDoubleArray(), weight, 0);
        }
    }

    @Test
    void removingItLeavesTheParametrizedValueInTheOriginalTensor() {
        try (Linear lin = new Linear(2, 2, false); Scope s = Scope.open()) {
            Tensor weight = lin.weight();
            set(weight, 1, 2, 3, 4);
            Symmetric symmetric = new Symmetric();
            Parametrize.registerParametrization(lin, "weight", symmetric);
            Parametrize.removeParametrizations(lin, "weight");
            assertFalse(Parametrize.isParametrized(lin));
            assertEquals(List.of("weight"), List.copyOf(lin.stateDict().keySet()));
            assertSame(weight, lin.weight());
            assertValues(new double[] {1, 2, 2, 4}, weight, 0);
        }
    }

    @Test
    void removingItWithoutLeavingItParametrizedKeepsTheOriginalsValue() {
        try (Linear lin = new Linear(2, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 2, 3, 4);
            Parametrize.registerParametrization(lin, "weight", new Symmetric());
            Parametrize.removeParametrizations(lin, "weight", false);
            assertValues(new double[] {1, 2, 0, 4}, lin.weight(), 0);
        }
    }

    @Test
    void anUnsafeParametrizationMayChangeTheShapeAndRemovingItLeavesThatShape() {
        try (Linear lin = new Linear(3, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 2, 3, 4, 5, 6);
            Parametrize.registerParametrization(lin, "weight", new FirstRow(), true);
            assertValues(new double[] {1, 2, 3}, lin.weight(), 0);
            Parametrize.removeParametrizations(lin, "weight");
            assertEquals(1, lin.weight().rank());
            assertEquals(3, lin.weight().dim(0));
            assertTrue(lin.weight().requiresGrad());
        }
    }

    @Test
    void assigningRunsTheValueThroughTheRightInverses() {
        try (Linear lin = new Linear(2, 2, false); Scope s = Scope.open()) {
            Parametrize.registerParametrization(lin, "weight", new Symmetric());
            Parametrize.registerParametrization(lin, "weight", new Doubling());
            Parametrize.assign(lin, "weight", Tensor.fromArray(new float[] {2, 4, 4, 6}, 2, 2));
            assertValues(new double[] {1, 2, 0, 3}, original(lin), 0);
            assertValues(new double[] {2, 4, 4, 6}, lin.weight(), 0);
        }
    }

    @Test
    void aSpectralNormalisedWeightTakesAChainedParametrizationAndRemovingEitherEndsBoth() {
        try (Linear lin = SpectralNorm.apply(new Linear(3, 3)); Scope s = Scope.open()) {
            Parametrize.registerParametrization(lin, "weight", new RowScale(3));
            assertTrue(Parametrize.isParametrized(lin, "weight"));
            SpectralNorm.remove(lin);
            assertFalse(Parametrize.isParametrized(lin, "weight"));
            assertEquals(List.of("bias", "weight"), List.copyOf(lin.stateDict().keySet()));
        }
    }

    @Test
    void aCopyHasAChainOfItsOwn() {
        try (Linear lin = new Linear(2, 2, false); Scope s = Scope.open()) {
            set(lin.weight(), 1, 2, 3, 4);
            Parametrize.registerParametrization(lin, "weight", new Symmetric());
            Parametrize.registerParametrization(lin, "weight", new RowScale(2));
            try (Module copy = lin.copy()) {
                set(lin.getParameter("parametrizations.weight.1.scale"), 0, 0);
                assertValues(new double[] {1, 2, 2, 4}, copy.param("weight"), 0);
            }
        }
    }

    @Test
    void aParametrizationThatChangesTheShapeIsRefusedUnlessUnsafe() {
        try (Linear lin = new Linear(3, 2)) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> Parametrize.registerParametrization(lin, "weight", new FirstRow())).getMessage();
            assertTrue(message.contains("FirstRow.forward maps parameter 'weight' [2, 3] F32 of Linear(in_features=3, out_features=2, bias=True) to [3] F32")
                    && message.contains("unless registered unsafe"), message);
            assertEquals(List.of("weight", "bias"), List.copyOf(lin.stateDict().keySet()), "nothing changed");
        }
    }

    @Test
    void aChainedParametrizationIsCheckedAgainstTheCurrentValue() {
        try (Linear lin = new Linear(3, 2)) {
            Parametrize.registerParametrization(lin, "weight", new RowScale(2));
            String message = assertThrows(IllegalArgumentException.class,
                    () -> Parametrize.registerParametrization(lin, "weight", new FirstRow())).getMessage();
            assertTrue(message.contains("FirstRow.forward maps parameter 'weight' [2, 3]"), message);
        }
    }

    @Test
    void badTargetsAreRefusedNamingTheModuleAndTheParameter() {
        try (Linear lin = WeightNorm.apply(new Linear(3, 2))) {
            String missing = assertThrows(IllegalArgumentException.class,
                    () -> Parametrize.registerParametrization(lin, "kernel", new Symmetric())).getMessage();
            assertTrue(missing.contains("no parameter 'kernel'"), missing);
            String weightNorm = assertThrows(IllegalArgumentException.class,
                    () -> Parametrize.registerParametrization(lin, "weight", new Symmetric())).getMessage();
            assertTrue(weightNorm.contains("parameter 'weight' of Linear(in_features=3, out_features=2, bias=True) is already computed by WeightNorm"),
                    weightNorm);
            String remove = assertThrows(IllegalArgumentException.class,
                    () -> Parametrize.removeParametrizations(lin, "bias")).getMessage();
            assertTrue(remove.contains("parameter 'bias' of Linear(in_features=3, out_features=2, bias=True) is not parametrized"), remove);
        }
    }

    @Test
    void assigningThroughAParametrizationWithoutARightInverseIsRefused() {
        try (Linear lin = new Linear(2, 2)) {
            Parametrize.registerParametrization(lin, "weight", new RowScale(2));
            String message = assertThrows(IllegalArgumentException.class,
                    () -> Parametrize.assign(lin, "weight", Tensor.ones(2, 2))).getMessage();
            assertTrue(message.contains("parametrization 0 of parameter 'weight' of Linear(in_features=2, out_features=2, bias=True), RowScale, implements no"
                    + " RightInverse"), message);
        }
    }
}
