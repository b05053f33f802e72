package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Module#functionalCall}'s substitution rules and errors; PyTorch's values are in its parity test. */
class FunctionalCallTest {
    private Scope scope;
    private Sequential model;

    @BeforeEach
    void open() {
        scope = Scope.open();
        model = new Sequential(new Linear(2, 2), new ReLU(), new Linear(2, 1));
    }

    @AfterEach
    void close() {
        model.close();
        scope.close();
    }

    @Test
    void theSubstituteIsUsedOnlyInsideTheCall() {
        Tensor x = Tensor.fromArray(new float[] {1, 2}, 1, 2);
        Tensor zeros = Tensor.zeros(1, 2);
        Tensor before = model.call(x);
        Tensor inside = model.functionalCall(Map.of("2.weight", zeros, "2.bias", Tensor.full(7, DType.F32, 1)), x);
        assertArrayEquals(new float[] {7f}, inside.toFloatArray(), "a zero last layer gives its bias");
        assertArrayEquals(before.toFloatArray(), model.call(x).toFloatArray(), "the module's own weights again");
    }

    @Test
    void callsNestAndEachRestoresWhatItFound() {
        Tensor x = Tensor.fromArray(new float[] {1, 2}, 1, 2);
        float[] result = model.functionalCall(Map.of("2.bias", Tensor.full(3, DType.F32, 1), "2.weight", Tensor.zeros(1, 2)),
                () -> {
                    Tensor inner = model.functionalCall(Map.of("2.bias", Tensor.full(5, DType.F32, 1)), x);
                    assertArrayEquals(new float[] {5f}, inner.toFloatArray(), "the inner substitute wins");
                    return model.call(x).toFloatArray();
                });
        assertArrayEquals(new float[] {3f}, result, "the outer substitutes are back after the inner call");
    }

    @Test
    void anExceptionInTheBodyRestoresTheModule() {
        Tensor x = Tensor.fromArray(new float[] {1, 2}, 1, 2);
        Tensor before = model.call(x);
        assertThrows(IllegalStateException.class, () -> model.functionalCall(Map.of("0.weight", Tensor.zeros(2, 2)),
                () -> {
                    throw new IllegalStateException("boom");
                }));
        assertArrayEquals(before.toFloatArray(), model.call(x).toFloatArray());
    }

    @Test
    void aNameThatIsNoParameterOrBufferIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.functionalCall(Map.of("2.weigth", Tensor.zeros(1, 2)), Tensor.zeros(1, 2)));
        assertTrue(e.getMessage().contains("2.weigth") && e.getMessage().contains("[weight, bias]"), e.getMessage());
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> model.functionalCall(Map.of("5.weight", Tensor.zeros(1, 2)), Tensor.zeros(1, 2)));
        assertTrue(path.getMessage().contains("5.weight"), path.getMessage());
    }

    @Test
    void aSubstituteOfAnotherShapeIsRefusedNamingBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.functionalCall(Map.of("0.weight", Tensor.zeros(3, 2)), Tensor.zeros(1, 2)));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("[2, 2]")
                && e.getMessage().contains("[3, 2]"), e.getMessage());
    }

    @Test
    void aSharedLayerGivenTwoDifferentSubstitutesIsRefused() {
        Linear shared = new Linear(2, 2);
        Sequential twice = new Sequential(shared, shared);
        Tensor a = Tensor.zeros(2, 2);
        Tensor b = Tensor.ones(2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> twice.functionalCall(Map.of("0.weight", a, "1.weight", b), Tensor.zeros(1, 2)));
        assertTrue(e.getMessage().contains("same tensor"), e.getMessage());
        assertEquals(2, twice.functionalCall(Map.of("0.weight", a, "1.weight", a), Tensor.zeros(1, 2)).size());
        shared.close();
    }

    @Test
    void aLossModulesWeightBufferIsSubstituted() {
        Tensor logits = Tensor.fromArray(new float[] {1, 0, 0, 0, 2, 0}, 2, 3);
        Tensor target = Tensor.fromArray(new long[] {0, 1}, 2);
        Tensor substitute = Tensor.fromArray(new float[] {1, 3, 1}, 3);
        try (LossModule loss = new LossModule(new CrossEntropyLoss(Tensor.ones(3), 0, -100, Reduction.MEAN))) {
            double expected = new CrossEntropyLoss(substitute, 0, -100, Reduction.MEAN).compute(logits, target).item();
            Tensor inside = loss.functionalCall(Map.of("weight", substitute), () -> loss.call(logits, target));
            assertEquals(expected, inside.item(), 1e-6, "the loss weighed by the substitute class weights");
        }
    }
}
