package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link RecurrentState} and {@link RecurrentOutput} print as Python prints what PyTorch's recurrent layers pass around
 * ({@code models/src/test/pytorch/recurrent_state_repr.py}: PyTorch 1.13's {@code print((h, c))},
 * {@code print((out, (h, c)))} and {@code print((out, h))} of these tensors).
 */
class RecurrentStateReprTest {
    private static final String OUT = "tensor([[[0.5000, 0.5000]],\n\n        [[0.5000, 0.5000]]])";

    @Test
    void anLstmStatePrintsAsTheTupleOfHAndC() {
        try (Scope s = Scope.open()) {
            RecurrentState state = new RecurrentState(Tensor.zeros(1, 1, 2), Tensor.ones(1, 1, 2));
            assertEquals("(tensor([[[0., 0.]]]), tensor([[[1., 1.]]]))", state.toString());
        }
    }

    @Test
    void anLstmOutputPrintsAsOutputThenTheStateTuple() {
        try (Scope s = Scope.open()) {
            RecurrentOutput out = new RecurrentOutput(Tensor.full(0.5, DType.F32, 2, 1, 2), Tensor.zeros(1, 1, 2),
                    Tensor.ones(1, 1, 2));
            assertEquals("(" + OUT + ", (tensor([[[0., 0.]]]), tensor([[[1., 1.]]])))", out.toString());
        }
    }

    @Test
    void aGruOutputPrintsItsStateAsOneTensor() {
        try (Scope s = Scope.open()) {
            RecurrentOutput out = new RecurrentOutput(Tensor.full(0.5, DType.F32, 2, 1, 2), Tensor.zeros(1, 1, 2),
                    null);
            assertEquals("(" + OUT + ", tensor([[[0., 0.]]]))", out.toString());
        }
    }
}
