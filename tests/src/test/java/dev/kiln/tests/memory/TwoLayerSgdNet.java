package dev.kiln.tests.memory;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * A two-layer tanh network {@code w2 tanh(w1 x)} (no biases) trained by scoped SGD steps (lr 0.01) on
 * cross-entropy, for the memory tests: its weights live outside every step's scope.
 */
final class TwoLayerSgdNet {
    private final Tensor w1;
    private final Tensor w2;

    /** Weights from the engine's stream: w1 [hidden, inputs], then w2 [classes, hidden], N(0, 1) times {@code scale}. */
    TwoLayerSgdNet(int inputs, int hidden, int classes, double scale) {
        try (Scope setup = Scope.open()) {
            w1 = setup.keep(Tensor.randn(hidden, inputs).mul(scale)).requiresGrad(true);
            w2 = setup.keep(Tensor.randn(classes, hidden).mul(scale)).requiresGrad(true);
        }
    }

    /** One step on ({@code x}, {@code y}); returns the loss read back to the host. */
    double step(Tensor x, Tensor y) {
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
