package dev.kiln.train;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies of everything a trial run changes (a model's parameters and buffers, its training mode, an optimizer's
 * state, learning rates and weight decays, the engine's random state), kept off the model (unscoped) so that
 * {@link #restore} can put them back bit for bit.
 */
final class TrainingSnapshot implements AutoCloseable {
    private final Module model;
    private final Optimizer optimizer;
    private final Map<String, Tensor> modelState;
    private final Map<String, Tensor> optimizerState;
    private final boolean training;
    private final long randomSeed;
    private final long randomCounter;

    TrainingSnapshot(Module model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
        this.modelState = copies(model.stateDict());
        this.optimizerState = copies(optimizer.stateDict());
        this.training = model.isTraining();
        this.randomSeed = Engine.get().seed();
        this.randomCounter = Engine.get().counter();
    }

    /** Copies of {@code state}'s tensors, by the same names, outside every scope: the caller closes them. */
    static Map<String, Tensor> copies(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Autograd.Guard g = Autograd.noGrad()) {
            state.forEach((k, v) -> out.put(k, Scope.outside(v::copy)));
        }
        return out;
    }

    /**
     * Puts the copies back, and forgets the gradients of the trial's last step (whose memory they hold; a training
     * step makes new ones).
     */
    void restore() {
        model.loadStateDict(modelState, true);
        optimizer.loadStateDict(optimizerState);
        optimizer.zeroGrad();
        model.train(training);
        Engine.restoreRandomState(randomSeed, randomCounter);
    }

    @Override
    public void close() {
        modelState.values().forEach(Tensor::close);
        optimizerState.values().forEach(Tensor::close);
    }
}
