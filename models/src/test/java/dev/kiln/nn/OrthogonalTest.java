package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.ParametrizationExamples.Symmetric;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Orthogonal}: orthogonality, gradients, the right inverse and refusals (PyTorch's numbers: its parity test). */
class OrthogonalTest {
    private static final String ORIGINAL = "parametrizations.weight.original";
    private static final String BASE = "parametrizations.weight.0.base";

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Asserts {@code Q^T Q = I} (tall or square) or {@code Q Q^T = I} (wide) for each matrix of w [..., m, n]. */
    static void assertOrthogonal(Tensor w, double tolerance) {
        boolean wide = w.dim(-2) < w.dim(-1);
        Tensor gram = wide ? w.matmul(w.transpose(-2, -1)) : w.transpose(-2, -1).matmul(w);
        int n = gram.dim(-1);
        double[] g = gram.toDoubleArray();
        for (int i = 0; i < g.length; i++) {
            int row = i / n % n;
            int column = i % n;
            assertEquals(row == column ? 1 : 0, g[i], tolerance,
                    "element " + i + " of the Gram matrix of " + w.shape());
        }
    }

    private static Tensor original(Module layer) {
        return layer.namedParameters().get(ORIGINAL);
    }

    /** Sets a tensor that requires a gradient, as a test sets up a state. */
    private static void set(Tensor t, Tensor value) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            t.assign(value);
        }
    }

    private static Linear f64Linear(int in, int out) {
        Linear layer = new Linear(in, out);
        layer.to(DType.F64);
        return layer;
    }

    /**
     * An [rows, columns] original with entries in (-0.5, 0.5) and 1.5 on the diagonal: the householder map reads the
     * diagonal's integer part, which must not jump under the finite differences.
     */
    private static Tensor awayFromIntegersOnTheDiagonal(int rows, int columns) {
        Random random = new Random(7);
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = i / columns == i % columns ? 1.5 : random.nextDouble() - 0.5;
        }
        return Tensor.fromArray(values, rows, columns);
    }

    @ParameterizedTest
    @CsvSource({"matrix_exp, 3, 3", "matrix_exp, 2, 4", "matrix_exp, 4, 2", "cayley, 3, 3", "cayley, 2, 4",
        "cayley, 4, 2", "householder, 3, 3", "householder, 2, 4", "householder, 4, 2"})
    void gradientsOfTheOriginalAndTheInputMatchFiniteDifferencesInF64(String map, int in, int out) {
        Linear layer = Orthogonal.apply(f64Linear(in, out), "weight", map);
        Tensor x = Tensor.randn(DType.F64, 2, in).requiresGrad(true);
        set(original(layer), awayFromIntegersOnTheDiagonal(out, in));
        GradCheck.check("orthogonal " + map + " [" + out + ", " + in + "]", t -> layer.forward(t[0]), x,
                original(layer));
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
    void aVectorOfAModuleWithChildrenIsRefusedNamingTheModuleOnOneLine() {
        try (Gated gated = new Gated()) {
            String message = assertThrows(IllegalArgumentException.class, () -> Orthogonal.apply(gated, "bias"))
                    .getMessage();
            assertEquals("Orthogonal.apply: parameter 'bias' [2] of Gated is no matrix or batch of matrices; expected"
                    + " at least 2 axes, got 1", message);
        }
    }

    @Test
    void gradientThroughABatchOfWideMatricesMatchesFiniteDifferencesInF64() {
        Conv1d conv = new Conv1d(2, 3, 3);
        conv.to(DType.F64);
        Orthogonal.apply(conv, "weight", "cayley");
        set(original(conv), Tensor.randn(DType.F64, 3, 2, 3).mul(0.5));
        Tensor x = Tensor.randn(DType.F64, 1, 2, 5).requiresGrad(true);
        GradCheck.check("orthogonal cayley Conv1d", t -> conv.forward(t[0]), x, original(conv));
    }

    @Test
    void anOrthogonalSquareWeightIsKeptAsItIsAsBase() {
        Linear layer = f64Linear(3, 3);
        Tensor q = Linalg.qr(Tensor.randn(DType.F64, 3, 3)).q();
        set(layer.weight(), q);
        Orthogonal.apply(layer);
        assertArrayEquals(q.toDoubleArray(), layer.namedBuffers().get(BASE).toDoubleArray(), 0,
                "base is the weight itself, not its QR factor");
        assertArrayEquals(q.toDoubleArray(), layer.weight().toDoubleArray(), 1e-15);
    }

    @Test
    void aTallWeightStartsAsTheOrthonormalisedWeightAndItsBaseIsOrthogonal() {
        Linear layer = f64Linear(2, 5);
        Tensor w = layer.weight().copy();
        Orthogonal.apply(layer);
        assertArrayEquals(new int[] {5, 5}, layer.namedBuffers().get(BASE).shape().dims());
        assertOrthogonal(layer.namedBuffers().get(BASE), 1e-12);
        assertOrthogonal(layer.weight(), 1e-12);
        // Its columns span the weight's: the weight's projection onto them is the weight.
        Tensor q = layer.weight();
        assertArrayEquals(w.toDoubleArray(), q.matmul(q.transpose(0, 1).matmul(w)).toDoubleArray(), 1e-12);
    }

    @Test
    void anOptimizerMadeBeforeKeepsTrainingTheOriginal() {
        Linear layer = f64Linear(3, 3);
        Tensor weight = layer.weight();
        Orthogonal.apply(layer);
        assertSame(weight, original(layer));
        assertEquals(List.of("bias", ORIGINAL, BASE), List.copyOf(layer.stateDict().keySet()));
    }

    @Test
    void assigningAnOrthogonalMatrixSetsBaseAndTheWeightReadsIt() {
        Linear layer = Orthogonal.apply(f64Linear(4, 2));
        Tensor q = Linalg.qr(Tensor.randn(DType.F64, 4, 2)).q().transpose(0, 1);
        Parametrize.assign(layer, "weight", q);
        assertArrayEquals(q.toDoubleArray(), layer.weight().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-1, 0, 0, 0, 0, -1, 0, 0}, original(layer).toDoubleArray(), 0);
    }

    @Test
    void householderWithoutTrivializationStartsFromTheWeightsPositiveQr() {
        Linear layer = f64Linear(3, 5);
        Tensor w = layer.weight().copy();
        Orthogonal.apply(layer, "weight", "householder", false);
        Linalg.QR qr = Linalg.qr(w);
        Tensor positive = qr.q().mul(qr.r().diagonal(0, -2, -1).sign().unsqueeze(-2));
        assertArrayEquals(positive.toDoubleArray(), layer.weight().toDoubleArray(), 1e-12);
        assertTrue(layer.namedBuffers().isEmpty(), "no base without trivialization");
    }

    @Test
    void chainedAfterAnotherParametrizationItMapsThatOnesValueWithAnIdentityBase() {
        Linear layer = Parametrize.registerParametrization(f64Linear(3, 3), "weight", new Symmetric());
        Orthogonal.apply(layer);
        assertEquals(List.of("bias", ORIGINAL, "parametrizations.weight.1.base"),
                List.copyOf(layer.stateDict().keySet()));
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1},
                layer.namedBuffers().get("parametrizations.weight.1.base").toDoubleArray(), 0);
        Tensor s = original(layer).triu(0).add(original(layer).triu(1).transpose(0, 1));
        Tensor expected = Linalg.matrixExp(s.tril(0).sub(s.tril(0).transpose(0, 1)));
        assertArrayEquals(expected.toDoubleArray(), layer.weight().toDoubleArray(), 1e-15);
        assertOrthogonal(layer.weight(), 1e-12);
    }

    @Test
    void removingTheParametrizationLeavesAnOrthogonalWeight() {
        Linear layer = Orthogonal.apply(f64Linear(3, 3), "weight", "cayley");
        set(original(layer), Tensor.randn(DType.F64, 3, 3));
        Parametrize.removeParametrizations(layer, "weight");
        assertOrthogonal(layer.weight(), 1e-12);
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.stateDict().keySet()));
    }

    @Test
    void anF32WeightIsOrthogonalToF32Precision() {
        Linear layer = Orthogonal.apply(new Linear(5, 3), "weight", "cayley");
        assertEquals(DType.F32, layer.weight().dtype());
        assertOrthogonal(layer.weight(), 1e-5);
    }

    @Test
    void convertingTheModuleToF64ConvertsBaseAndKeepsTheWeight() {
        Linear layer = Orthogonal.apply(new Linear(3, 3));
        double[] weight = layer.weight().toDoubleArray();
        layer.to(DType.F64);
        assertEquals(DType.F64, layer.namedBuffers().get(BASE).dtype());
        assertArrayEquals(weight, layer.weight().toDoubleArray(), 1e-6);
    }

    @Test
    void aCopyReadsTheSameWeightAndTrainsApart() {
        Linear layer = Orthogonal.apply(f64Linear(3, 3));
        Linear copy = (Linear) layer.copy();
        assertArrayEquals(layer.weight().toDoubleArray(), copy.weight().toDoubleArray(), 0);
        set(original(copy), Tensor.randn(DType.F64, 3, 3));
        assertOrthogonal(copy.weight(), 1e-12);
        assertArrayEquals(new double[] {-1, 0, 0, 0, -1, 0, 0, 0, -1}, original(layer).toDoubleArray(), 0);
    }

    @Test
    void aVectorIsRefusedNamingTheParameterAndTheModule() {
        Linear layer = new Linear(3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Orthogonal.apply(layer, "bias"));
        assertTrue(e.getMessage().contains("parameter 'bias' [3]") && e.getMessage().contains("Linear")
                && e.getMessage().contains("expected at least 2 axes, got 1"), e.getMessage());
    }

    @Test
    void anUnknownMapIsRefusedListingTheMaps() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Orthogonal.apply(new Linear(3, 3), "weight", "qr"));
        assertTrue(e.getMessage().contains("parameter 'weight'") && e.getMessage().contains("\"qr\"")
                && e.getMessage().contains("[matrix_exp, cayley, householder]"), e.getMessage());
    }

    @Test
    void aMissingParameterIsRefusedNamingTheModule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Orthogonal.apply(new Linear(3, 3), "kernel"));
        assertTrue(e.getMessage().contains("Orthogonal.apply") && e.getMessage().contains("'kernel'"), e.getMessage());
    }

    @Test
    void assigningToMatrixExpWithoutTrivializationIsRefused() {
        Linear layer = Orthogonal.apply(new Linear(3, 3), "weight", "matrix_exp", false);
        Tensor w = layer.weight().copy();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parametrize.assign(layer, "weight", w));
        assertTrue(e.getMessage().contains("parameter 'weight' [3, 3]") && e.getMessage().contains("matrix_exp"),
                e.getMessage());
    }

    @Test
    void assigningAMatrixOfAnotherShapeIsRefused() {
        Linear layer = Orthogonal.apply(new Linear(3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parametrize.assign(layer, "weight", Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().contains("parameter 'weight' [3, 3]") && e.getMessage().contains("[3, 2]"),
                e.getMessage());
    }
}
