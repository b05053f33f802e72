package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.ParametrizationExamples.Symmetric;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WeightNormParametrization} and the several originals of {@link Parametrize} it needs: gradients, assignment,
 * chaining and refusals (PyTorch's numbers: its parity test).
 */
class WeightNormParametrizationTest {
    private static final String G = "parametrizations.weight.original0";
    private static final String V = "parametrizations.weight.original1";

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Linear f64Linear(int in, int out) {
        Linear layer = new Linear(in, out);
        layer.to(DType.F64);
        return layer;
    }

    @Test
    void gradientsOfGAndVMatchFiniteDifferencesInF64() {
        Linear layer = WeightNormParametrization.apply(f64Linear(3, 4));
        Tensor x = Tensor.randn(DType.F64, 2, 3).requiresGrad(true);
        GradCheck.check("weight-normalised Linear", t -> layer.forward(t[0]), x,
                layer.namedParameters().get(G), layer.namedParameters().get(V));
    }

    @Test
    void theOriginalsAreNewTrainableTensorsAndTheWeightStartsUnchanged() {
        Linear layer = f64Linear(3, 4);
        double[] weight = layer.weight().toDoubleArray();
        WeightNormParametrization.apply(layer);
        assertEquals(List.of("bias", G, V), List.copyOf(layer.namedParameters().keySet()));
        assertArrayEquals(new int[] {4, 1}, layer.namedParameters().get(G).shape().dims());
        assertTrue(layer.namedParameters().get(G).requiresGrad() && layer.namedParameters().get(V).requiresGrad());
        assertArrayEquals(weight, layer.weight().toDoubleArray(), 1e-15);
    }

    @Test
    void assigningAWeightSetsGToItsNormsAndVToIt() {
        Linear layer = WeightNormParametrization.apply(f64Linear(2, 2), "weight", WeightNorm.WHOLE_TENSOR);
        Parametrize.assign(layer, "weight", Tensor.fromArray(new double[] {3, 0, 0, 4}, 2, 2));
        assertArrayEquals(new double[] {5}, layer.namedParameters().get(G).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {3, 0, 0, 4}, layer.namedParameters().get(V).toDoubleArray(), 0);
        assertArrayEquals(new double[] {3, 0, 0, 4}, layer.weight().toDoubleArray(), 1e-15);
    }

    @Test
    void aParametrizationChainedAfterItMapsTheNormalisedWeight() {
        Linear layer = WeightNormParametrization.apply(f64Linear(3, 3));
        Tensor normalised = layer.weight().copy();
        Parametrize.registerParametrization(layer, "weight", new Symmetric());
        assertArrayEquals(normalised.triu(0).add(normalised.triu(1).transpose(0, 1)).toDoubleArray(),
                layer.weight().toDoubleArray(), 1e-15);
        assertEquals(List.of("bias", G, V), List.copyOf(layer.namedParameters().keySet()));
    }

    @Test
    void itIsRefusedAfterAnotherParametrizationNamingTheModuleAndTheParameter() {
        Linear layer = Parametrize.registerParametrization(new Linear(3, 3), "weight", new Symmetric());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightNormParametrization.apply(layer));
        assertTrue(e.getMessage().contains("WeightNormParametrization.apply") && e.getMessage().contains("'weight'")
                && e.getMessage().contains("Symmetric"), e.getMessage());
    }

    @Test
    void aDimOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightNormParametrization.apply(new Linear(3, 3), "weight", 2));
        assertTrue(e.getMessage().contains("dim 2 is out of range [0, 2)") && e.getMessage().contains("'weight'"),
                e.getMessage());
    }

    /** With its weight parametrized the Linear prints over lines (ParametrizedLinear); the message names it on one. */
    @Test
    void aDimOutOfRangeOfAParametrizedLayerIsRefusedNamingItOnOneLine() {
        Linear layer = Parametrize.registerParametrization(new Linear(3, 3), "weight", new Symmetric());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightNormParametrization.apply(layer, "bias", 1));
        assertEquals("WeightNormParametrization.apply: dim 1 is out of range [0, 1) for parameter 'bias' [3] of"
                + " Linear(in_features=3, out_features=3, bias=True) (or WeightNorm.WHOLE_TENSOR, -1, for one norm over"
                + " the whole tensor)", e.getMessage());
    }

    @Test
    void removingItWithoutLeavingTheWeightIsRefusedAndChangesNothing() {
        Linear layer = WeightNormParametrization.apply(new Linear(3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parametrize.removeParametrizations(layer, "weight", false));
        assertTrue(e.getMessage().contains("parameter 'weight'") && e.getMessage().contains("several originals"),
                e.getMessage());
        assertTrue(Parametrize.isParametrized(layer, "weight"));
        assertEquals(List.of("bias", G, V), List.copyOf(layer.namedParameters().keySet()));
    }

    @Test
    void removingItLeavesTheNormalisedWeightInANewParameter() {
        Linear layer = WeightNormParametrization.apply(f64Linear(3, 2));
        Tensor g = layer.namedParameters().get(G);
        double[] weight = layer.weight().toDoubleArray();
        Parametrize.removeParametrizations(layer, "weight");
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.namedParameters().keySet()));
        assertArrayEquals(weight, layer.weight().toDoubleArray(), 0);
        assertTrue(g.isClosed(), "the originals are closed");
    }
}
