package dev.kiln.learning;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Direct feedback alignment (Nøkland 2016): the output error {@code e = dLoss/dLogits} [batch, classes]
 * goes straight to every hidden layer i through its own fixed random matrix B_i [classes, hidden_i]; the
 * layer treats {@code e B_i} as the gradient of its output and back-propagates it only through its own
 * ReLU and weights. Every layer reads its input detached, so no gradient crosses from one layer to the
 * next and no layer waits for the layers above it. The model must be made of plain
 * {@link dev.kiln.nn.Linear} layers.
 *
 * <p>B_i is uniform in +-1/sqrt(classes), drawn once from the engine's seeded stream.
 */
public class DirectFeedbackAlignment extends GradientRule {
    private final List<Tensor> feedback = new ArrayList<>();

    public DirectFeedbackAlignment(LayeredMlp model, Function<List<Tensor>, Optimizer> optimizer) {
        super("dfa", model, optimizer);
        int classes = model.layer(model.depth() - 1).outFeatures();
        double bound = 1 / Math.sqrt(classes);
        for (int i = 0; i + 1 < model.depth(); i++) {
            int hidden = model.layer(i).outFeatures();
            feedback.add(Scope.outside(() -> Tensor.uniform(-bound, bound, DType.F32, classes, hidden)));
        }
    }

    /** B_i [classes, hidden_i] for hidden layer i. */
    public Tensor feedback(int i) {
        return feedback.get(i);
    }

    @Override
    public Tensor computeGradients(Tensor features, Tensor labels) {
        LayeredMlp model = model();
        List<Tensor> hidden = new ArrayList<>();
        Tensor h = model.flattenInput(features);
        for (int i = 0; i + 1 < model.depth(); i++) {
            h = model.layer(i).call(h.detach()).relu();
            hidden.add(h);
        }
        Tensor logits = model.layer(model.depth() - 1).call(h.detach());
        Tensor logitsLeaf = logits.detach().requiresGrad(true);
        Tensor loss = F.crossEntropy(logitsLeaf, labels);
        loss.backward();
        Tensor error = logitsLeaf.grad();
        logits.backward(error);
        for (int i = 0; i < hidden.size(); i++) {
            hidden.get(i).backward(error.matmul(feedback.get(i)));
        }
        return loss;
    }

    @Override
    public void close() {
        super.close();
        feedback.forEach(Tensor::close);
    }
}
