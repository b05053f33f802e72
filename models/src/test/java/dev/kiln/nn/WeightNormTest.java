package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WeightNormTest {
    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    @Test
    void theOptimizerSeesGAndVInsteadOfTheWeight() {
        try (Linear lin = new Linear(5, 3)) {
            Tensor weight = lin.weight();
            WeightNorm.apply(lin);
            assertEquals(List.of("bias", "weight_g", "weight_v"), List.copyOf(lin.namedParameters().keySet()));
            assertArrayEquals(new int[] {3, 1}, lin.namedParameters().get("weight_g").shape().dims());
            assertSame(weight, lin.namedParameters().get("weight_v"), "v is the former weight");
            assertTrue(lin.namedParameters().get("weight_g").requiresGrad());
        }
    }

    @Test
    void theWeightStartsAsItWas() {
        try (Conv2d conv = new Conv2d(2, 4, 3); Scope s = Scope.open()) {
            double[] before = conv.weight().toDoubleArray();
            WeightNorm.apply(conv);
            assertArrayEquals(new int[] {4, 1, 1, 1}, conv.namedParameters().get("weight_g").shape().dims());
            assertValues(before, conv.weight(), 1e-6);
        }
    }

    @Test
    void theWeightFollowsGAndVAfterAnUpdate() {
        try (Linear lin = WeightNorm.apply(new Linear(2, 2, false)); Scope s = Scope.open()) {
            try (Autograd.Guard g = Autograd.noGrad()) {
                lin.namedParameters().get("weight_g").assign(Tensor.fromArray(new float[] {2, -1}, 2, 1));
                lin.namedParameters().get("weight_v").assign(Tensor.fromArray(new float[] {3, 4, 1, 0}, 2, 2));
            }
            // rows (3, 4) / 5 * 2 and (1, 0) / 1 * -1
            assertValues(new double[] {1.2, 1.6, -1, 0}, lin.weight(), 1e-6);
        }
    }

    @Test
    void gradientsOfGAndVMatchFiniteDifferencesInF64() {
        try (Linear lin = WeightNorm.apply(new Linear(4, 3)); Scope s = Scope.open()) {
            lin.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 4).requiresGrad(true);
            GradCheck.check("weight-normalised Linear", in -> lin.forward(in[0]), x,
                    lin.namedParameters().get("weight_g"), lin.namedParameters().get("weight_v"), lin.bias());
        }
    }

    @Test
    void gradientsOfAConv2dOverItsInputAxisMatchFiniteDifferencesInF64() {
        try (Conv2d conv = WeightNorm.apply(Conv2d.builder(2, 3, 3).padding(1).build(), "weight", 1);
             Scope s = Scope.open()) {
            conv.to(DType.F64);
            assertArrayEquals(new int[] {1, 2, 1, 1}, conv.namedParameters().get("weight_g").shape().dims());
            Tensor x = Tensor.randn(DType.F64, 1, 2, 4, 4).requiresGrad(true);
            GradCheck.check("weight-normalised Conv2d, dim 1", in -> conv.forward(in[0]), x,
                    conv.namedParameters().get("weight_g"), conv.namedParameters().get("weight_v"));
        }
    }

    @Test
    void gradientsOverTheWholeTensorMatchFiniteDifferencesInF64() {
        try (Linear lin = WeightNorm.apply(new Linear(3, 2), "weight", WeightNorm.WHOLE_TENSOR);
             Scope s = Scope.open()) {
            lin.to(DType.F64);
            assertEquals(0, lin.namedParameters().get("weight_g").rank(), "one magnitude for the whole tensor");
            Tensor x = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
            GradCheck.check("weight-normalised Linear, whole tensor", in -> lin.forward(in[0]), x,
                    lin.namedParameters().get("weight_g"), lin.namedParameters().get("weight_v"));
        }
    }

    @Test
    void sequentialFusesAWeightNormalisedLinearWithTheWeightItComputes() {
        try (Sequential fused = new Sequential(WeightNorm.apply(new Linear(4, 3)), new ReLU());
             Scope s = Scope.open()) {
            Linear lin = (Linear) fused.get(0);
            try (Autograd.Guard g = Autograd.noGrad()) {
                lin.namedParameters().get("weight_g").assign(Tensor.full(3, DType.F32, 3, 1));
            }
            Tensor x = Tensor.randn(2, 4);
            assertValues(lin.forward(x).relu().toDoubleArray(), fused.forward(x), 1e-6);
        }
    }

    @Test
    void aCopyComputesTheSameWeightFromGAndVOfItsOwn() {
        try (Linear lin = WeightNorm.apply(new Linear(3, 2)); Linear copy = (Linear) lin.copy();
             Scope s = Scope.open()) {
            assertEquals(lin.stateDict().keySet(), copy.stateDict().keySet());
            assertValues(lin.weight().toDoubleArray(), copy.weight(), 0);
            try (Autograd.Guard g = Autograd.noGrad()) {
                copy.namedParameters().get("weight_g").assign(Tensor.zeros(2, 1));
            }
            assertNotEquals(0, lin.weight().abs().sum().item(), "the original keeps its g");
        }
    }

    @Test
    void removingItLeavesTheComputedWeightAsAPlainParameter() {
        try (Linear lin = WeightNorm.apply(new Linear(3, 2)); Scope s = Scope.open()) {
            try (Autograd.Guard g = Autograd.noGrad()) {
                lin.namedParameters().get("weight_g").assign(Tensor.full(0.5, DType.F32, 2, 1));
            }
            double[] computed = lin.weight().toDoubleArray();
            WeightNorm.remove(lin);
            assertEquals(List.of("bias", "weight"), List.copyOf(lin.namedParameters().keySet()));
            assertTrue(lin.weight().isLeaf() && lin.weight().requiresGrad());
            assertValues(computed, lin.weight(), 0);
        }
    }

    @Test
    void anUnknownParameterIsRefusedNamingThoseThereAre() {
        try (Linear lin = new Linear(3, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WeightNorm.apply(lin, "wieght"));
            assertTrue(e.getMessage().contains("no parameter 'wieght'") && e.getMessage().contains("[weight, bias]"),
                    e.getMessage());
        }
    }

    @Test
    void aDimOutOfRangeIsRefused() {
        try (Linear lin = new Linear(3, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WeightNorm.apply(lin, "weight", 2));
            assertTrue(e.getMessage().contains("dim 2 is out of range [0, 2)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> WeightNorm.apply(lin, "weight", -2));
            assertEquals(List.of("weight", "bias"), List.copyOf(lin.namedParameters().keySet()), "nothing changed");
        }
    }

    @Test
    void applyingItTwiceIsRefused() {
        try (Linear lin = WeightNorm.apply(new Linear(3, 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightNorm.apply(lin));
            assertTrue(e.getMessage().contains("'weight'") && e.getMessage().contains("already computed by WeightNorm"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> SpectralNorm.apply(lin));
            assertTrue(e.getMessage().contains("already computed by WeightNorm"), e.getMessage());
        }
    }

    @Test
    void removingItWhereItIsNotAppliedIsRefused() {
        try (Linear lin = SpectralNorm.apply(new Linear(3, 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightNorm.remove(lin));
            assertTrue(e.getMessage().contains("is not weight-normalised"), e.getMessage());
        }
    }
}
