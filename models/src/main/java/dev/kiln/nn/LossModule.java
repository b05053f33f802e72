package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Loss} as a module, as PyTorch's losses are ({@code nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)}):
 * {@code new LossModule(new CrossEntropyLoss(w, 0.1, -100, Reduction.MEAN))}, with the wrapped loss's constructor
 * taking PyTorch's options. {@code call(input, target)} runs the loss with the module's backward hooks (a
 * {@code gradInput} of two entries, null for class indices); the loss's tensors ({@code weight}, and
 * {@code pos_weight} of {@link BCEWithLogitsLoss}) are registered as buffers under PyTorch's names, copies owned by the
 * module, so they appear in its state dict, follow {@code to(dtype)} and close with it; the arithmetic is the wrapped
 * loss's, run on those buffers. As a {@link Loss} itself it can go to a {@code Trainer}, which then runs the hooks.
 * Its {@code toString} is PyTorch's repr, e.g. {@code CrossEntropyLoss()}. The losses of one input and one target
 * implement {@link Loss}; those of three inputs (GaussianNLLLoss, MarginRankingLoss, CosineEmbeddingLoss,
 * TripletMarginLoss, TripletMarginWithDistanceLoss) are modules themselves ({@link ThreeInputForward}), and CTCLoss
 * (four) is not wrapped.
 */
public final class LossModule extends Module implements TwoInputForward, Loss {
    private final Loss loss;

    /** @throws IllegalArgumentException when loss is null */
    public LossModule(Loss loss) {
        if (loss == null) {
            throw new IllegalArgumentException("LossModule: loss must not be null");
        }
        this.loss = loss;
        if (loss instanceof WeightedLoss weighted) {
            weighted.buffers().forEach((name, t) -> registerBuffer(name, unscoped(t::copy)));
        }
    }

    /** The wrapped loss, as made (its tensors are the ones given to it, not this module's buffers). */
    public Loss loss() {
        return loss;
    }

    /** The loss of {@code input} against {@code target}, shapes as the wrapped loss documents. */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        Loss current = loss instanceof WeightedLoss weighted ? weighted.withBuffers(ownBuffers()) : loss;
        return current.compute(input, target);
    }

    /** The buffers by name as {@link #buffer} reads them, so that {@link #functionalCall}'s substitutes count. */
    private Map<String, Tensor> ownBuffers() {
        Map<String, Tensor> current = new LinkedHashMap<>();
        namedBuffers().keySet().forEach(name -> current.put(name, buffer(name)));
        return current;
    }

    /** @throws IllegalArgumentException always: a loss takes the input and the target */
    @Override
    public Tensor forward(Tensor x) {
        throw new IllegalArgumentException(describe() + ": a loss takes the input and the target; call call(input, target)");
    }

    /** {@link #call(Tensor, Tensor)}: the loss with this module's hooks. */
    @Override
    public Tensor compute(Tensor output, Tensor target) {
        return call(output, target);
    }

    /** The wrapped loss's class name, as PyTorch's repr names the loss: {@code CrossEntropyLoss()}. */
    @Override
    protected String typeName() {
        return loss.getClass().getSimpleName();
    }
}
