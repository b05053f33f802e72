package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.CpuBackendProvider;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A gradient penalty through a whole LSTM sequence inside a checkpoint records a second graph (the segment recomputed,
 * the sequence recomputed step by step in it), which lives in the step's scope: each step, on a backend of its own,
 * frees everything it made when its scope closes.
 */
class RecurrentDoubleBackwardMemoryTest {
    private static final int STEPS = 20;

    @Test
    void gradientPenaltyStepsThroughACheckpointedLstmFreeEverythingTheyMake() {
        Engine.seed(4);
        try (Backend backend = new CpuBackendProvider().create(); Scope model = Scope.open()) {
            Tensor weightIh = weight(backend, 16, 3);
            Tensor weightHh = weight(backend, 16, 4);
            Tensor bias = weight(backend, 16);
            Tensor head = weight(backend, 4, 1);
            Tensor x = Tensor.randn(DType.F32, 5, 6, 3).to(backend).requiresGrad(true);
            List<Tensor> parameters = List.of(weightIh, weightHh, bias, head);
            UnaryOperator<Tensor> lastState = h -> F.lstmSequence(F.linear(h.reshape(30, 3), weightIh, bias)
                    .reshape(5, 6, 16), null, null, weightHh, new int[] {5, 5, 4, 3, 2, 1}, false).h();
            long before = backend.bytesInUse();
            for (int step = 0; step < STEPS; step++) {
                long during;
                try (Scope s = Scope.open()) {
                    Tensor score = Checkpoint.apply(lastState, x).matmul(head);
                    Tensor g = Autograd.grad(List.of(score), List.of(x), List.of(score.fullLike(1)),
                            GradOptions.DEFAULT.withCreateGraph()).get(0);
                    Tensor loss = score.mean().add(g.norm(2, new int[] {0, 2}, false).sub(1).square().mean());
                    List<Tensor> grads = Autograd.grad(loss, parameters);
                    assertTrue(grads.get(1).abs().sum().item() > 0, "the penalty reached weightHh");
                    during = backend.bytesInUse();
                }
                assertTrue(during > before, "step " + step + " made tensors on the backend");
                assertEquals(before, backend.bytesInUse(), "bytes in use after step " + step + "'s scope closed");
            }
        }
    }

    private static Tensor weight(Backend backend, int... dims) {
        return Tensor.randn(DType.F32, dims).mul(0.3).to(backend).requiresGrad(true);
    }
}
