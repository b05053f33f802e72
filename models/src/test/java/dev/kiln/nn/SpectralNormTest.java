package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static dev.kiln.nn.Tensors.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SpectralNormTest {
    private static final String U = "parametrizations.weight.0._u";
    private static final String V = "parametrizations.weight.0._v";

    @BeforeEach
    void seed() {
        Engine.seed(42);
    }

    private static Tensor trained(Module m) {
        return m.namedParameters().get("parametrizations.weight.original");
    }

    @Test
    void theOriginalWeightIsTrainedAndUAndVAreBuffers() {
        try (Linear lin = new Linear(5, 3)) {
            Tensor weight = lin.weight();
            SpectralNorm.apply(lin);
            assertEquals(List.of("bias", "parametrizations.weight.original"),
                    List.copyOf(lin.namedParameters().keySet()));
            assertSame(weight, trained(lin), "an optimizer made before keeps training it");
            assertArrayEquals(new int[] {3}, lin.namedBuffers().get(U).shape().dims());
            assertArrayEquals(new int[] {5}, lin.namedBuffers().get(V).shape().dims());
        }
    }

    @Test
    void registrationEstimatesTheLargestSingularValue() {
        // rows (3, 0, 0, 0), (0, 1, 0, 0), (0, 0, 0.5, 0): singular values 3, 1 and 0.5; 15 iterations from a random
        // start find 3 to far below 1e-6, where a single one would not
        try (Linear lin = new Linear(4, 3, false); Scope s = Scope.open()) {
            set(lin.weight(), 3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.5, 0);
            SpectralNorm.apply(lin).eval();
            assertValues(new double[] {1, 0, 0, 0, 0, 1 / 3.0, 0, 0, 0, 0, 0.5 / 3, 0}, lin.weight(), 1e-6);
        }
    }

    @Test
    void evaluationModeReadsUseTheStoredVectors() {
        try (Linear lin = SpectralNorm.apply(new Linear(4, 3)); Scope s = Scope.open()) {
            lin.eval();
            double[] u = lin.namedBuffers().get(U).toDoubleArray();
            double[] v = lin.namedBuffers().get(V).toDoubleArray();
            lin.forward(Tensor.randn(2, 4));
            lin.forward(Tensor.randn(2, 4));
            assertArrayEquals(u, lin.namedBuffers().get(U).toDoubleArray());
            assertArrayEquals(v, lin.namedBuffers().get(V).toDoubleArray());
        }
    }

    @Test
    void eachTrainingModeReadIteratesOnce() {
        try (Linear lin = SpectralNorm.apply(new Linear(4, 3)); Scope s = Scope.open()) {
            set(lin.namedBuffers().get(V), 1, 0, 0, 0);
            lin.forward(Tensor.randn(2, 4));
            Tensor w = trained(lin).detach();
            Tensor u = w.matmul(Tensor.fromArray(new float[] {1, 0, 0, 0}, 4, 1)).reshape(-1);
            u = u.div(u.norm(2));
            Tensor v = u.reshape(1, -1).matmul(w).reshape(-1);
            assertValues(u.toDoubleArray(), lin.namedBuffers().get(U), 1e-6);
            assertValues(v.div(v.norm(2)).toDoubleArray(), lin.namedBuffers().get(V), 1e-6);
        }
    }

    @Test
    void gradientOfTheOriginalMatchesFiniteDifferencesInF64() {
        try (Linear lin = SpectralNorm.apply(new Linear(4, 3)); Scope s = Scope.open()) {
            lin.to(DType.F64).eval();
            Tensor x = Tensor.randn(DType.F64, 2, 4).requiresGrad(true);
            GradCheck.check("spectral-normalised Linear", in -> lin.forward(in[0]), x, trained(lin), lin.bias());
        }
    }

    @Test
    void gradientOfAConvTransposeOverItsOutputAxisMatchesFiniteDifferencesInF64() {
        try (ConvTranspose2d conv = SpectralNorm.apply(new ConvTranspose2d(2, 3, 2)); Scope s = Scope.open()) {
            conv.to(DType.F64).eval();
            assertArrayEquals(new int[] {3}, conv.namedBuffers().get(U).shape().dims(), "u has one entry an output");
            Tensor x = Tensor.randn(DType.F64, 1, 2, 3, 3).requiresGrad(true);
            GradCheck.check("spectral-normalised ConvTranspose2d", in -> conv.forward(in[0]), x, trained(conv));
        }
    }

    @Test
    void aConvTranspose1dIsNormalisedOverItsOutputAxisByDefault() {
        // weight [in 2, out 3, kernel 4]: PyTorch's default dim is 1 for every ConvTranspose, so u has the 3 outputs
        try (ConvTranspose1d conv = SpectralNorm.apply(new ConvTranspose1d(2, 3, 4))) {
            assertArrayEquals(new int[] {3}, conv.namedBuffers().get(U).shape().dims());
            assertArrayEquals(new int[] {8}, conv.namedBuffers().get(V).shape().dims());
        }
    }

    @Test
    void aVectorIsDividedByItsNorm() {
        try (Linear lin = SpectralNorm.apply(new Linear(2, 2), "bias"); Scope s = Scope.open()) {
            set(lin.namedParameters().get("parametrizations.bias.original"), 3, -4);
            assertTrue(lin.namedBuffers().isEmpty(), "no u or v for a vector");
            assertValues(new double[] {0.6, -0.8}, lin.bias(), 1e-6);
        }
    }

    @Test
    void twoPassesBeforeOneBackwardEachKeepTheVectorsTheyRead() {
        // A GAN's discriminator reads real and generated images before one backward pass: each pass's gradient must use
        // the u and v it read, not those the next pass's power iteration wrote
        try (Linear lin = SpectralNorm.apply(new Linear(4, 3)); Scope s = Scope.open()) {
            lin.to(DType.F64);
            Tensor a = Tensor.randn(DType.F64, 2, 4);
            Tensor b = Tensor.randn(DType.F64, 2, 4);
            Tensor u = lin.namedBuffers().get(U).copy();
            Tensor v = lin.namedBuffers().get(V).copy();
            lin.forward(a).sum().add(lin.forward(b).square().sum()).backward();
            double[] together = trained(lin).grad().toDoubleArray();
            trained(lin).clearGrad();
            lin.namedBuffers().get(U).assign(u);
            lin.namedBuffers().get(V).assign(v);
            lin.forward(a).sum().backward();
            lin.forward(b).square().sum().backward();
            assertValues(together, trained(lin).grad(), 1e-12);
        }
    }

    @Test
    void aCopyHasVectorsOfItsOwn() {
        try (Linear lin = SpectralNorm.apply(new Linear(4, 3)); Linear copy = (Linear) lin.copy();
             Scope s = Scope.open()) {
            assertEquals(lin.stateDict().keySet(), copy.stateDict().keySet());
            double[] u = lin.namedBuffers().get(U).toDoubleArray();
            copy.forward(Tensor.randn(2, 4));
            assertArrayEquals(u, lin.namedBuffers().get(U).toDoubleArray(), "the copy iterates on its own u");
        }
    }

    @Test
    void removingItLeavesTheNormalisedWeightInTheOriginalTensor() {
        try (Linear lin = new Linear(4, 3); Scope s = Scope.open()) {
            Tensor weight = lin.weight();
            SpectralNorm.apply(lin).eval();
            double[] normalised = lin.weight().toDoubleArray();
            SpectralNorm.remove(lin);
            assertEquals(List.of("bias", "weight"), List.copyOf(lin.stateDict().keySet()), "parametrizations gone");
            assertSame(weight, lin.weight());
            assertValues(normalised, lin.weight(), 0);
        }
    }

    @Test
    void removingOneOfTwoKeepsTheOther() {
        try (Linear lin = SpectralNorm.apply(SpectralNorm.apply(new Linear(4, 3)), "bias")) {
            SpectralNorm.remove(lin, "bias");
            assertEquals(List.of("bias", "parametrizations.weight.original", U, V),
                    List.copyOf(lin.stateDict().keySet()));
        }
    }

    @Test
    void badArgumentsAreRefusedNamingThem() {
        try (Linear lin = new Linear(4, 3)) {
            String dim = assertThrows(IllegalArgumentException.class,
                    () -> SpectralNorm.apply(lin, "weight", 1, 1e-12, 2)).getMessage();
            assertTrue(dim.contains("dim 2 is out of range [-2, 2)"), dim);
            String iterations = assertThrows(IllegalArgumentException.class,
                    () -> SpectralNorm.apply(lin, "weight", 0, 1e-12)).getMessage();
            assertTrue(iterations.contains("nPowerIterations must be at least 1, got 0"), iterations);
            String eps = assertThrows(IllegalArgumentException.class, () -> SpectralNorm.apply(lin, "weight", 1, 0))
                    .getMessage();
            assertTrue(eps.contains("eps must be positive"), eps);
            String name = assertThrows(IllegalArgumentException.class,
                    () -> SpectralNorm.apply(lin, "kernel")).getMessage();
            assertTrue(name.contains("no parameter 'kernel'") && name.contains("[weight, bias]"), name);
            assertEquals(List.of("weight", "bias"), List.copyOf(lin.stateDict().keySet()), "nothing changed");
        }
    }

    @Test
    void applyingItTwiceOrRemovingItWhereItIsNotAppliedIsRefused() {
        try (Linear lin = SpectralNorm.apply(new Linear(4, 3))) {
            String twice = assertThrows(IllegalArgumentException.class, () -> SpectralNorm.apply(lin)).getMessage();
            assertTrue(twice.contains("already computed by SpectralNorm"), twice);
            String weightNorm = assertThrows(IllegalArgumentException.class, () -> WeightNorm.apply(lin)).getMessage();
            assertTrue(weightNorm.contains("already computed by SpectralNorm"), weightNorm);
            String remove = assertThrows(IllegalArgumentException.class,
                    () -> SpectralNorm.remove(lin, "bias")).getMessage();
            assertTrue(remove.contains("'bias'") && remove.contains("is not spectral-normalised"), remove);
        }
    }
}
