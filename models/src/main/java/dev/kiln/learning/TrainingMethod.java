package dev.kiln.learning;

import dev.kiln.engine.Tensor;

/** A way of training a {@link LayeredMlp} on labelled batches: backpropagation or one of its alternatives. */
public interface TrainingMethod extends AutoCloseable {
    /** Short name for tables and plots, e.g. "backprop", "fa", "dfa", "dni". */
    String name();

    /** The network being trained; evaluate it with its own {@code forward}. */
    LayeredMlp model();

    /**
     * One update from a batch: features [batch, ...], labels I64 [batch].
     *
     * @return the batch's mean cross-entropy loss before the update, a scalar in the caller's scope, not read back
     *     (add it up on the device, {@link dev.kiln.train.DeviceSum}, to read an epoch's losses once)
     */
    Tensor step(Tensor features, Tensor labels);

    /** Releases the model, the optimizer state and any auxiliary modules. */
    @Override
    void close();
}
