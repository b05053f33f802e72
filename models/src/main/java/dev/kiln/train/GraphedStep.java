package dev.kiln.train;

import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.Autocast;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.PendingItem;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StepGraph;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import java.util.Arrays;
import java.util.List;

/**
 * {@link Trainer} steps replayed as a recorded step graph ({@link Backend#captureStep}: a CUDA graph). After
 * {@value #EAGER_STEPS} eager steps ({@link #takes}), the forward pass, the loss and the backward pass are recorded
 * once on fixed input tensors; from then on every step copies its batch into those inputs, replays the graph,
 * which writes the parameters' gradients where the recording put them, and runs the optimizer eagerly on them (one
 * launch for Adam), so that learning-rate schedules and step counts stay on the host.
 *
 * <p>A graph replays one batch shape, the loader's full batch, so a partial last batch is skipped from the first
 * step on ({@link #fits}, {@link #batchesPerEpoch}); and it replays the same random numbers, so a step that draws
 * any (dropout) is refused.
 */
final class GraphedStep implements AutoCloseable {
    static final int EAGER_STEPS = 2;

    private final Module model;
    private final Optimizer optimizer;
    private final GradientClipping clipping;
    private final Loss loss;
    private final Precision precision;
    private final int batchSize;
    private Tensor features;
    private Tensor labels;
    private int[] featureShape;
    private int eagerSteps;
    private StepGraph graph;
    private List<Tensor> recorded = List.of();
    private Tensor scores;
    private Tensor lossValue;

    /**
     * @param clipping  null, or the clipping of the replayed gradients before each optimizer step
     * @param batchSize the training loader's batch size: the graph's inputs hold one full batch
     */
    GraphedStep(Module model, Optimizer optimizer, GradientClipping clipping, Loss loss, Precision precision,
                int batchSize) {
        this.model = model;
        this.optimizer = optimizer;
        this.clipping = clipping;
        this.loss = loss;
        this.precision = precision;
        this.batchSize = batchSize;
    }

    /**
     * Whether {@code batch} is a full one, of the shape of the graph's inputs (any feature shape before they exist).
     * Partial batches are skipped before the recording too, so that the recording never takes their shape.
     */
    boolean fits(HostBatch batch) {
        return batch.size() == batchSize && (features == null || Arrays.equals(batch.featureShape(), featureShape));
    }

    /** The batches an epoch of {@code train} trains: its full ones, which listeners are told to expect. */
    static int batchesPerEpoch(DataLoader train) {
        return train.examplesPerEpoch() / train.batchSize();
    }

    /**
     * Whether this step is the graph's: false for the first {@value #EAGER_STEPS} calls, whose steps the trainer
     * runs eagerly (kernel compilation, cuDNN's algorithm choice and the allocator's cache happen there, outside
     * the recording), true from then on.
     */
    boolean takes() {
        if (eagerSteps < EAGER_STEPS) {
            eagerSteps++;
            return false;
        }
        return true;
    }

    /**
     * Queues one training step on {@code batch}, recorded first if need be: returns its loss on its way
     * ({@link Tensor#itemAsync}) and adds its hits. What the
     * eager part makes (the optimizer's temporaries, say) is freed with the step's scope; the recording's tensors
     * live with the graph.
     */
    PendingItem step(HostBatch batch, Tensor hits) {
        try (Scope step = Scope.open()) {
            load(batch);
            if (graph == null) {
                record();
            }
            checkLabels(batch);
            batch.recycle();
            graph.replay();
            if (clipping != null) {
                clipping.clip(optimizer);
            }
            optimizer.step();
            Accuracy.accumulate(scores, labels, hits);
            return lossValue.itemAsync();
        }
    }

    private void load(HostBatch batch) {
        if (features == null) {
            featureShape = batch.featureShape();
            int[] dims = new int[featureShape.length + 1];
            dims[0] = batch.size();
            System.arraycopy(featureShape, 0, dims, 1, featureShape.length);
            Backend backend = Engine.get().backend();
            features = Scope.outside(() -> Tensor.empty(Shape.of(dims), DType.F32, backend));
            labels = Scope.outside(() -> Tensor.empty(Shape.of(batch.size()), DType.I64, backend));
        }
        features.copyFrom(batch.featureData());
        labels.copyFrom(batch.labelData());
    }

    /**
     * Records forward, loss and backward. Gradients are cleared first, so that the recorded backward pass writes
     * them afresh instead of adding to them at every replay.
     */
    private void record() {
        optimizer.zeroGrad();
        long randomBefore = Engine.get().counter();
        Scope scope = Scope.open();
        try {
            graph = Engine.get().backend().captureStep(() -> {
                try (Autocast.Guard mixed = Autocast.enable(precision)) {
                    scores = model.forward(features);
                    lossValue = Trainer.scalarLoss(loss, scores, labels);
                }
                lossValue.backward();
            });
        } finally {
            recorded = scope.detach();
            if (graph == null) {
                closeRecorded();
            }
        }
        if (Engine.get().counter() != randomBefore) {
            close();
            throw new IllegalStateException("CUDA graphs: the training step draws random numbers (dropout or noise"
                    + " layers), which a replayed graph would repeat unchanged at every step; train without"
                    + " --cuda-graphs, or without the random layers");
        }
    }

    /** A replay checks nothing on the device: the labels are checked here, on the host, against the classes. */
    private void checkLabels(HostBatch batch) {
        int classes = scores.dim(1);
        for (long label : batch.labelData()) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " is outside [0, " + classes + ") (the model's"
                        + " classes)");
            }
        }
    }

    private void closeRecorded() {
        recorded.forEach(Tensor::close);
        recorded = List.of();
    }

    @Override
    public void close() {
        if (graph != null) {
            graph.close();
            graph = null;
        }
        closeRecorded();
        if (features != null) {
            features.close();
            labels.close();
            features = null;
        }
    }
}
