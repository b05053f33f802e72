package dev.kiln.distributed;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.EmbeddingBag;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code DistributedDataParallel(module)}: each rank runs this wrapper on its own share of every batch, and
 * the gradients are averaged across the ranks during the backward pass, so that each rank's optimizer takes the step
 * one process would take on the whole batch with a mean loss, and the ranks' weights stay the same bits.
 *
 * <p>When made it sends rank 0's parameters and buffers to every rank. Its state dict is the module's under the prefix
 * {@code module.}, as PyTorch's. The averaging is automatic: a gradient hook on each trainable parameter
 * ({@link Tensor#registerAccumulateGradHook}: not in an {@code Autograd.grad} pass, which gives each process's own
 * gradients, as PyTorch's) fills its bucket ({@link #BUCKET_CAP_MB} per bucket, PyTorch's {@code bucket_cap_mb};
 * the first one, whose gradients the backward pass computes first, 1 MiB at most, as PyTorch's), and each full
 * bucket's all-reduce (AVG) is launched on the process group's communication thread while the backward pass goes on;
 * the hook of the last gradient waits for them all and writes the averages into {@code grad()}, so that the optimizer
 * step reads them as PyTorch's does after its Reducer's end-of-backward callback. A peer's failure is thrown from
 * {@code backward()} with its message. Nothing changes in the training loop or in the {@link dev.kiln.train.Trainer}.
 * Every trainable parameter must get a gradient in each synchronised backward pass; otherwise the next forward with
 * gradients on throws, naming those that got none (PyTorch's {@code find_unused_parameters=False}), and so does every
 * later one, inside {@link #noSync()} too, as PyTorch 1.13's: the wrapper is spent for training. With
 * {@code broadcastBuffers} (the default) a forward first sends rank 0's buffers (running statistics) to every rank
 * when the forward before it was synchronised, by PyTorch's rule ({@link #forward}). A {@link dev.kiln.train.Trainer}
 * given this wrapper trains through it and evaluates and checkpoints {@link #module()}.
 *
 * <p>As PyTorch's, the wrapper takes the module's trainable parameters (and embedding tables) once, when made: a
 * parameter registered or put in later (a sub-module replaced) gets no hook and keeps each rank's own gradient, so
 * wrap the finished model. The buffers are collected afresh at each broadcast, as 1.13 does, so one registered or
 * replaced later is sent from rank 0.
 *
 * <p>Gradient accumulation: the backward pass after a forward inside {@link #noSync()} only accumulates locally; the
 * one after the next forward outside it averages the whole accumulated gradient. As in PyTorch the forward decides,
 * not the backward: a synchronised forward (gradients on, outside {@code noSync()}, in either mode) arms the next
 * backward pass to average even if {@code noSync()} is open while it runs, and the averaging pass disarms it, so a
 * second backward pass over the same graph adds each rank's own gradient. Forwards in a row without a backward pass
 * between them are no error, as in PyTorch 1.13. Closing the wrapper removes its hooks and closes the module, as
 * closing any container does; {@link #copy()} is refused (copy {@link #module()} instead).
 */
public final class DistributedDataParallel extends Module {
    /** PyTorch's default {@code bucket_cap_mb}: megabytes (2^20 bytes) of gradients per all-reduce. */
    public static final double BUCKET_CAP_MB = 25;

    /** What {@link #noSync()} returns: closing it synchronises the backward passes again. */
    public interface NoSync extends AutoCloseable {
        @Override
        void close();
    }

    private final ProcessGroup group;
    private final boolean broadcastBuffers;
    private final GradientBuckets buckets;
    private final List<HookHandle> hooks = new ArrayList<>();
    /** The embedding tables of the module when wrapped: those whose weights the buckets average. */
    private final List<Module> tables = new ArrayList<>();
    private boolean synchronising = true;
    /** PyTorch's {@code require_forward_param_sync}: whether the next forward sends rank 0's buffers. */
    private boolean buffersFromRankZeroNext = true;

    /** Wraps {@code module} with PyTorch's defaults: 25 MB buckets, buffers broadcast from rank 0. */
    public DistributedDataParallel(Module module, ProcessGroup group) {
        this(module, group, BUCKET_CAP_MB, true);
    }

    /**
     * @param module           the model, the same architecture on every rank
     * @param group            this rank's process group
     * @param bucketCapMb      megabytes of gradients per bucket, above 0
     * @param broadcastBuffers whether a forward after a synchronised one sends rank 0's buffers to every rank
     */
    public DistributedDataParallel(Module module, ProcessGroup group, double bucketCapMb, boolean broadcastBuffers) {
        if (!(bucketCapMb > 0)) {
            throw new IllegalArgumentException("DistributedDataParallel: bucketCapMb must be above 0, got "
                    + bucketCapMb);
        }
        registerModule("module", module);
        this.group = group;
        this.broadcastBuffers = broadcastBuffers;
        broadcastFromRankZero(module.namedParameters());
        broadcastFromRankZero(module.namedBuffers());
        Map<String, Tensor> trainable = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) {
                trainable.put(name, p);
            }
        });
        this.buckets = new GradientBuckets(group, trainable, (long) (bucketCapMb * (1 << 20)));
        for (Tensor p : trainable.values()) {
            hooks.add(p.registerAccumulateGradHook(g -> buckets.arrived(p, g)));
        }
        for (Module m : module.modules()) {
            if (m instanceof Embedding || m instanceof EmbeddingBag) {
                tables.add(m);
            }
        }
    }

    private void broadcastFromRankZero(Map<String, Tensor> tensors) {
        for (Tensor t : tensors.values()) {
            group.broadcast(t, 0);
        }
    }

    /** The wrapped module (PyTorch's {@code ddp.module}). */
    public Module module() {
        return module("module");
    }

    /** The process group the gradients are averaged in. */
    public ProcessGroup processGroup() {
        return group;
    }

    /** The number of gradient buckets (each one all-reduce per synchronised backward pass). */
    public int bucketCount() {
        return buckets.size();
    }

    /** The gradient buckets' all-reduces launched so far: {@link #bucketCount()} per averaging backward pass. */
    long allReducesLaunched() {
        return buckets.allReducesLaunched();
    }

    /**
     * PyTorch's {@code with ddp.no_sync():}: the backward passes of forwards run until the guard is closed accumulate
     * gradients locally, without communication; the backward pass of the next forward after it averages everything
     * accumulated. Put the forward inside the guard: it is the forward that decides, as in PyTorch.
     */
    public NoSync noSync() {
        boolean before = synchronising;
        synchronising = false;
        return () -> synchronising = before;
    }

    /**
     * The module's forward pass, first (with gradients on) checking that the last synchronised backward pass averaged
     * every gradient, and sending rank 0's buffers to every rank with {@code broadcastBuffers} when the forward before
     * this one ran with gradients on and outside {@link #noSync()} (and at the first), in training and evaluation mode
     * alike, as PyTorch 1.13 does: under {@code noSync()} only the first forward sends them, and a forward without
     * gradients sends them once after training. Evaluate a rank alone through {@link #module()}, whose forward sends
     * nothing.
     */
    @Override
    public Tensor forward(Tensor x) {
        refuseSparseGradients();
        boolean gradients = Autograd.isEnabled();
        if (gradients) {
            buckets.checkFinished();
        }
        if (broadcastBuffers && buffersFromRankZeroNext) {
            broadcastFromRankZero(module().namedBuffers());
        }
        Tensor out = module().call(x);
        if (gradients && synchronising) {
            buckets.expectGradients();
        }
        buffersFromRankZeroNext = gradients && synchronising;
        return out;
    }

    /**
     * Refuses a table with sparse gradients: its weight's gradient never reaches the gradient hooks, so it would be
     * left out of every average and its bucket would never be sent. Checked at each forward, as a table may be made
     * sparse after wrapping; only the tables there when wrapped, whose weights are the ones averaged (the module tree
     * is not walked at each forward).
     */
    private void refuseSparseGradients() {
        for (Module m : tables) {
            if (m instanceof Embedding e && e.isSparse() || m instanceof EmbeddingBag b && b.isSparse()) {
                throw new UnsupportedOperationException("DistributedDataParallel: " + m + " has sparse gradients,"
                        + " which are not averaged across ranks; make it dense (sparse(false))");
            }
        }
    }

    @Override
    public Module copy() {
        throw new UnsupportedOperationException("DistributedDataParallel.copy: its gradient hooks belong to this"
                + " wrapper's process group; copy the wrapped module, module().copy(), and wrap that");
    }

    @Override
    protected void releaseResources() {
        hooks.forEach(HookHandle::remove);
        hooks.clear();
    }
}
