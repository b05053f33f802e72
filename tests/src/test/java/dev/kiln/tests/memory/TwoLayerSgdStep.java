package dev.kiln.tests.memory;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/** One scoped SGD step (lr 0.01) of a two-layer tanh network {@code w2 tanh(w1 x)} on cross-entropy, for the memory tests. */
final class TwoLayerSgdStep {
    private TwoLayerSgdStep() {
    }

    /** Trains {@code w1} and {@code w2} one step on ({@code x}, {@code y}); returns the loss read back to the host. */
    static double step(Tensor w1, Tensor w2, Tensor x, Tensor y) {
        try (Scope s = Scope.open()) {
            Tensor loss = F.crossEntropy(F.linear(F.linear(x, w1, null).tanh(), w2, null), y);
            loss.backward();
            try (Autograd.Guard g = Autograd.noGrad()) {
                w1.addInPlace(w1.grad(), -0.01);
                w2.addInPlace(w2.grad(), -0.01);
            }
            w1.zeroGrad();
            w2.zeroGrad();
            return loss.item();
        }
    }
}
