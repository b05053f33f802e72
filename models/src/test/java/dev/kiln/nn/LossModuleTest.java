package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LossModule}: a loss as a module, its class weights as buffers it owns, its hooks and what it refuses. */
class LossModuleTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor classes() {
        return Tensor.fromArray(new long[] {0, 2, 1, 2}, 4);
    }

    private static Tensor classWeights() {
        return Tensor.fromArray(new float[] {0.5f, 2, 1}, 3);
    }

    @Test
    void computesWhatTheWrappedLossComputes() {
        Tensor logits = Tensor.randn(DType.F32, 4, 3);
        CrossEntropyLoss loss = new CrossEntropyLoss(classWeights(), 0.1, -100, Reduction.MEAN);
        try (LossModule module = new LossModule(loss)) {
            assertEquals(loss.compute(logits, classes()).item(), module.call(logits, classes()).item(), 0);
            assertSame(loss, module.loss());
        }
    }

    @Test
    void weightAndPosWeightAreBuffersUnderPyTorchsNames() {
        try (LossModule module = new LossModule(new BCEWithLogitsLoss(classWeights(), classWeights(), Reduction.MEAN));
             LossModule unweighted = new LossModule(new BCEWithLogitsLoss())) {
            assertEquals(List.of("weight", "pos_weight"), List.copyOf(module.namedBuffers().keySet()));
            assertTrue(module.parameters().isEmpty(), "a loss has no parameters");
            assertTrue(unweighted.stateDict().isEmpty(), "PyTorch registers a missing weight as None");
        }
    }

    @Test
    void buffersAreCopiesTheModuleOwns() {
        Tensor weight = classWeights();
        LossModule module = new LossModule(new NLLLoss(weight));
        module.close();
        assertEquals(0.5, weight.toDoubleArray()[0], 0, "closing the module leaves the given weight open");
    }

    @Test
    void classWeightsFollowTheModulesDtype() {
        Tensor logProbs = Tensor.randn(DType.F64, 4, 3);
        try (LossModule module = new LossModule(new NLLLoss(classWeights()))) {
            module.to(DType.F64);
            assertEquals(DType.F64, module.namedBuffers().get("weight").dtype());
            double expected = new NLLLoss(classWeights().to(DType.F64)).compute(logProbs, classes()).item();
            assertEquals(expected, module.call(logProbs, classes()).item(), 1e-15);
        }
    }

    @Test
    void loadedClassWeightsAreTheOnesUsed() {
        Tensor logProbs = Tensor.randn(DType.F32, 4, 3);
        try (LossModule module = new LossModule(new NLLLoss(classWeights()))) {
            module.loadStateDict(Map.of("weight", Tensor.fromArray(new float[] {1, 1, 1}, 3)), true);
            assertEquals(new NLLLoss().compute(logProbs, classes()).item(), module.call(logProbs, classes()).item(),
                    1e-6);
        }
    }

    @Test
    void aLossModuleGivenAsALossRunsItsBackwardHooks() {
        int[] calls = {0};
        try (LossModule module = new LossModule(new MSELoss())) {
            module.registerFullBackwardPreHook((m, gradOutput) -> {
                calls[0]++;
                return null;
            });
            Loss asLoss = module;
            Tensor x = Tensor.randn(DType.F32, 2, 3).requiresGrad(true);
            asLoss.compute(x, Tensor.zeros(DType.F32, 2, 3)).backward();
            assertEquals(1, calls[0]);
        }
    }

    @Test
    void gradientsPassFiniteDifferenceChecksThroughTheModule() {
        try (LossModule module = new LossModule(new CrossEntropyLoss(classWeights(), 0.2, -100, Reduction.SUM))) {
            module.to(DType.F64);
            Tensor logits = Tensor.randn(DType.F64, 4, 3).requiresGrad(true);
            GradCheck.check("CrossEntropyLoss module", in -> module.call(in[0], classes()), logits);
        }
    }

    @Test
    void aCopyHasBuffersOfItsOwn() {
        try (LossModule module = new LossModule(new CrossEntropyLoss(classWeights()));
             LossModule copy = (LossModule) module.copy()) {
            assertTrue(copy.namedBuffers().get("weight") != module.namedBuffers().get("weight"));
            Tensor logits = Tensor.randn(DType.F32, 4, 3);
            assertEquals(module.call(logits, classes()).item(), copy.call(logits, classes()).item(), 0);
        }
    }

    @Test
    void oneInputIsRefusedSayingALossTakesTheTarget() {
        try (LossModule module = new LossModule(new L1Loss())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> module.call(Tensor.zeros(DType.F32, 2)));
            assertEquals("L1Loss(): a loss takes the input and the target; call call(input, target)", e.getMessage());
        }
    }

    @Test
    void aNullLossIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LossModule(null));
        assertEquals("LossModule: loss must not be null", e.getMessage());
    }
}
