package dev.kiln.learning;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import java.util.List;
import java.util.function.Function;

/**
 * End-to-end training through the model's own backward rules: true backpropagation for a model of
 * {@link dev.kiln.nn.Linear} layers, feedback alignment for one of {@link FeedbackAlignmentLinear} layers.
 */
public class Backpropagation extends GradientRule {
    public Backpropagation(String name, LayeredMlp model, Function<List<Tensor>, Optimizer> optimizer) {
        super(name, model, optimizer);
    }

    @Override
    public Tensor computeGradients(Tensor features, Tensor labels) {
        Tensor loss = F.crossEntropy(model().forward(features), labels);
        loss.backward();
        return loss;
    }
}
