package dev.kiln.learning;

import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import java.util.List;
import java.util.function.Function;

/**
 * A training method that first computes a gradient-like update for every parameter of the model, then
 * applies all of them with one optimizer: backpropagation, feedback alignment and direct feedback
 * alignment. Separating the two lets {@link GradientAngles} compare a rule's update with the true gradient.
 */
public abstract class GradientRule implements TrainingMethod {
    private final String name;
    private final LayeredMlp model;
    private final Optimizer optimizer;

    /**
     * @param optimizer makes the optimizer over a list of parameters (here the model's trainable ones)
     */
    protected GradientRule(String name, LayeredMlp model, Function<List<Tensor>, Optimizer> optimizer) {
        this.name = name;
        this.model = model;
        this.optimizer = optimizer.apply(model.trainableParameters());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LayeredMlp model() {
        return model;
    }

    /**
     * Fills {@code grad()} of every weight and bias with this rule's update direction for the batch
     * (gradients are zeroed first by the caller).
     *
     * @return the batch's mean cross-entropy loss, a scalar in the caller's scope
     */
    public abstract Tensor computeGradients(Tensor features, Tensor labels);

    @Override
    public Tensor step(Tensor features, Tensor labels) {
        optimizer.zeroGrad();
        Tensor loss = computeGradients(features, labels);
        optimizer.step();
        return loss;
    }

    @Override
    public void close() {
        optimizer.close();
        model.close();
    }
}
