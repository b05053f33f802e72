package dev.kiln.learning;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Decoupled neural interfaces with synthetic gradients (Jaderberg et al. 2017). Every hidden layer i has a
 * predictor M_i, a linear map from its output and the one-hot label to a guess of {@code dLoss/dh_i}
 * ([batch, hidden_i + classes] to [batch, hidden_i], zero-initialised so that training starts from no
 * signal). Each layer updates from its predictor's guess as soon as its own forward pass is done, with its
 * own optimizer, before any layer above it has run. The predictors learn by regression (mean squared
 * error): the top one from the true gradient at the output layer's input, each lower one from the
 * gradient that the layer above it sends back of its own synthetic gradient (bootstrapping).
 *
 * <p>Order of one step, for layers 0..L-1 (L-1 the output layer), as reported to the trace:
 * {@code forward 0, update 0, forward 1, update 1, predictor 0, ..., forward L-1, update L-1, predictor L-2}.
 */
public class SyntheticGradients implements TrainingMethod {
    private final LayeredMlp model;
    private final int classes;
    private final List<Linear> predictors = new ArrayList<>();
    private final List<Optimizer> layerOptimizers = new ArrayList<>();
    private final List<Optimizer> predictorOptimizers = new ArrayList<>();
    private Consumer<String> trace = event -> { };

    /**
     * @param optimizer makes one optimizer over a list of parameters; called once per layer and once per
     *                  predictor
     */
    public SyntheticGradients(LayeredMlp model, Function<List<Tensor>, Optimizer> optimizer) {
        this.model = model;
        this.classes = model.layer(model.depth() - 1).outFeatures();
        for (int i = 0; i < model.depth(); i++) {
            layerOptimizers.add(optimizer.apply(model.layer(i).trainableParameters()));
        }
        for (int i = 0; i + 1 < model.depth(); i++) {
            int hidden = model.layer(i).outFeatures();
            Linear predictor = new Linear(hidden + classes, hidden);
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                predictor.weight().assign(Tensor.zeros(DType.F32, hidden, hidden + classes));
                predictor.bias().assign(Tensor.zeros(DType.F32, hidden));
            }
            predictors.add(predictor);
            predictorOptimizers.add(optimizer.apply(predictor.trainableParameters()));
        }
    }

    /** Receives one line per event of each step ("forward i", "update i", "predictor i"); for inspection. */
    public SyntheticGradients trace(Consumer<String> events) {
        this.trace = events;
        return this;
    }

    /** Predictor M_i of hidden layer i. */
    public Linear predictor(int i) {
        return predictors.get(i);
    }

    @Override
    public String name() {
        return "dni";
    }

    @Override
    public LayeredMlp model() {
        return model;
    }

    @Override
    public Tensor step(Tensor features, Tensor labels) {
        int batch = labels.dim(0);
        Tensor oneHot = Tensor.zeros(DType.F32, batch, classes)
                .scatterAdd(1, labels.reshape(batch, 1), Tensor.ones(DType.F32, batch, 1));
        Tensor input = model.flattenInput(features);
        Tensor guessBelow = null;
        for (int i = 0; i < model.depth(); i++) {
            Tensor in = i == 0 ? input : input.detach().requiresGrad(true);
            Tensor out = model.layer(i).call(in);
            trace.accept("forward " + i);
            boolean isOutput = i + 1 == model.depth();
            Tensor guess = null;
            Tensor loss = null;
            if (isOutput) {
                loss = F.crossEntropy(out, labels);
                loss.backward();
            } else {
                out = out.relu();
                guess = predictors.get(i).call(Tensor.cat(List.of(out.detach(), oneHot), 1));
                out.backward(guess.detach());
            }
            update(layerOptimizers.get(i));
            trace.accept("update " + i);
            if (i > 0) {
                trainPredictor(i - 1, guessBelow, in.grad());
            }
            if (isOutput) {
                return loss;
            }
            guessBelow = guess;
            input = out;
        }
        throw new IllegalStateException("a LayeredMlp has at least one layer");
    }

    /**
     * Regresses predictor i's guess onto {@code target}, the gradient that reached layer i's output from the
     * layer above: true at the top, itself built from a synthetic gradient below that.
     */
    private void trainPredictor(int i, Tensor guess, Tensor target) {
        guess.sub(target.detach()).square().mean().backward();
        update(predictorOptimizers.get(i));
        trace.accept("predictor " + i);
    }

    private static void update(Optimizer optimizer) {
        optimizer.step();
        optimizer.zeroGrad();
    }

    @Override
    public void close() {
        layerOptimizers.forEach(Optimizer::close);
        predictorOptimizers.forEach(Optimizer::close);
        predictors.forEach(Linear::close);
        model.close();
    }
}
