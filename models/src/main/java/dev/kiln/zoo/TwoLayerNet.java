package dev.kiln.zoo;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.train.Accuracy;
import java.util.List;

/**
 * A two-layer perceptron written directly with tensor ops and trained with plain SGD: the smallest
 * end-to-end proof that the tensor API, autograd and the backend learn. Weights use PyTorch's layout
 * ([out, in]) and its default initialisation, uniform in +-1/sqrt(fan_in).
 */
public final class TwoLayerNet implements AutoCloseable {
    private final Tensor w1;
    private final Tensor b1;
    private final Tensor w2;
    private final Tensor b2;

    /** Builds an inputs-hidden-ReLU-classes network from the engine's seeded random stream. */
    public TwoLayerNet(int inputs, int hidden, int classes) {
        this.w1 = init(inputs, hidden, inputs);
        this.b1 = init(inputs, hidden);
        this.w2 = init(hidden, classes, hidden);
        this.b2 = init(hidden, classes);
    }

    private static Tensor init(int fanIn, int... dims) {
        double bound = 1 / Math.sqrt(fanIn);
        return Tensor.uniform(-bound, bound, DType.F32, dims).requiresGrad(true);
    }

    /** The trainable tensors. */
    public List<Tensor> parameters() {
        return List.of(w1, b1, w2, b2);
    }

    /** Class scores: x [n, inputs] -> [n, classes]. */
    public Tensor logits(Tensor x) {
        return F.linear(F.linear(x, w1, b1).relu(), w2, b2);
    }

    /**
     * One SGD step on a batch.
     *
     * @param x  [n, inputs] F32
     * @param y  [n] I64 class indices
     * @return the batch's mean cross-entropy before the step
     */
    public double trainStep(Tensor x, Tensor y, double learningRate) {
        try (Scope step = Scope.open()) {
            Tensor loss = F.crossEntropy(logits(x), y);
            loss.backward();
            try (Autograd.Guard g = Autograd.noGrad()) {
                for (Tensor p : parameters()) {
                    p.addInPlace(p.grad(), -learningRate);
                    p.zeroGrad();
                }
            }
            return loss.item();
        }
    }

    /** Number of rows whose highest score is at their label. */
    public int correct(Tensor x, Tensor y) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            return (int) Accuracy.correct(logits(x), y);
        }
    }

    @Override
    public void close() {
        parameters().forEach(Tensor::close);
    }
}
