package dev.kiln.optim;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.nn.BatchNorm;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running average of a model's weights, as PyTorch's {@code torch.optim.swa_utils.AveragedModel}: a deep copy of
 * the model whose parameters {@link #updateParameters} moves towards the model's after each optimizer step, and
 * which evaluates like the model ({@link #forward}). Two averages:
 * <ul>
 *   <li>{@link #swa}: the equal mean of every update's weights (stochastic weight averaging, PyTorch's default
 *   {@code avg_fn}): {@code avg += (p - avg) / (n + 1)}.</li>
 *   <li>{@link #ema}: the exponential moving average {@code avg = decay * avg + (1 - decay) * p}, as timm's
 *   ModelEma or PyTorch's {@code get_ema_multi_avg_fn(decay)}.</li>
 * </ul>
 * The first update copies the model's weights, as PyTorch's does. Buffers (batch norm's running statistics) are
 * averaged too with {@code useBuffers}; otherwise they are copied from the model at every update, as PyTorch 2
 * does (1.13 left them at the copy's initial values). Integer buffers (a batch count) are always copied.
 *
 * <p>State dict: the model's under {@code module.} and {@code n_averaged} (I64 scalar), PyTorch's names.
 */
public final class AveragedModel extends Module {
    private final double decay;
    private final boolean useBuffers;

    private AveragedModel(Module model, double decay, boolean useBuffers) {
        this.decay = decay;
        this.useBuffers = useBuffers;
        registerModule("module", model.copy());
        registerBuffer("n_averaged", unscoped(() -> Tensor.zeros(DType.I64)));
    }

    /** The equal mean of every update's weights, parameters only. */
    public static AveragedModel swa(Module model) {
        return swa(model, false);
    }

    /** The equal mean of every update's weights; buffers averaged too when {@code useBuffers}. */
    public static AveragedModel swa(Module model, boolean useBuffers) {
        return new AveragedModel(model, Double.NaN, useBuffers);
    }

    /** The exponential moving average with {@code decay} in [0, 1) (0.999 is common), parameters only. */
    public static AveragedModel ema(Module model, double decay) {
        return ema(model, decay, false);
    }

    /** The exponential moving average with {@code decay} in [0, 1); buffers averaged too when {@code useBuffers}. */
    public static AveragedModel ema(Module model, double decay, boolean useBuffers) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("AveragedModel.ema: decay must be in [0, 1), got " + decay);
        }
        return new AveragedModel(model, decay, useBuffers);
    }

    /** The averaged copy of the model. */
    public Module module() {
        return module("module");
    }

    /** Updates averaged so far (read from the device). */
    public long averaged() {
        return buffer("n_averaged").toLongArray()[0];
    }

    /**
     * Moves the averaged weights towards {@code model}'s, which must have the architecture this average was made
     * from (the same parameters and buffers, in order, of the same shapes).
     */
    public void updateParameters(Module model) {
        List<Tensor> averages = tensors(module());
        List<Tensor> current = tensors(model);
        checkSameArchitecture(averages, current);
        long n = averaged();
        int parameters = module().parameters().size();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            for (int i = 0; i < averages.size(); i++) {
                Tensor average = averages.get(i);
                Tensor weight = current.get(i);
                boolean averagedHere = i < parameters || (useBuffers && weight.dtype().isFloating());
                average.assign(n == 0 || !averagedHere ? weight : averagedWith(average, weight, n));
            }
            buffer("n_averaged").addInPlace(Tensor.ones(DType.I64), 1);
        }
    }

    private Tensor averagedWith(Tensor average, Tensor weight, long n) {
        return Double.isNaN(decay) ? average.add(weight.sub(average).div(n + 1))
                : average.mul(decay).add(weight.mul(1 - decay));
    }

    /** Parameters, then buffers (every buffer: those not averaged are copied). */
    private static List<Tensor> tensors(Module model) {
        List<Tensor> all = new ArrayList<>(model.parameters());
        all.addAll(model.namedBuffers().values());
        return all;
    }

    private static void checkSameArchitecture(List<Tensor> averages, List<Tensor> current) {
        boolean same = averages.size() == current.size();
        for (int i = 0; same && i < averages.size(); i++) {
            same = averages.get(i).shape().equals(current.get(i).shape())
                    && averages.get(i).dtype() == current.get(i).dtype();
        }
        if (!same) {
            throw new IllegalArgumentException("AveragedModel.updateParameters: the model's parameters and buffers "
                    + shapes(current) + " are not those of the averaged copy " + shapes(averages));
        }
    }

    private static List<String> shapes(List<Tensor> tensors) {
        return tensors.stream().map(t -> t.dtype() + " " + t.shape()).toList();
    }

    /**
     * Recomputes the running statistics of every batch norm in {@code model} from the data, as PyTorch's
     * {@code torch.optim.swa_utils.update_bn(loader, model)}: averaged weights were never run through a batch norm, so
     * the statistics they were trained beside do not fit them. Each batch norm's statistics are reset and take the
     * cumulative average over one pass of {@code loader} in training mode, without gradients; momenta and the
     * model's mode are restored afterwards. Frozen batch norms, which keep their statistics in training mode, are left
     * alone.
     */
    public static void updateBatchNorm(DataLoader loader, Module model) {
        Map<BatchNorm, Double> momenta = new LinkedHashMap<>();
        for (Module m : model.namedModules().values()) {
            if (m instanceof BatchNorm norm && !norm.isFrozen()) {
                momenta.put(norm, norm.momentum());
            }
        }
        if (momenta.isEmpty()) {
            return;
        }
        boolean wasTraining = model.isTraining();
        model.train();
        momenta.keySet().forEach(norm -> {
            norm.resetRunningStats();
            norm.setMomentum(null);
        });
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (HostBatch batch : loader.epoch(0)) {
                try (Scope s = Scope.open()) {
                    Tensor features = batch.features();
                    batch.recycle();
                    model.forward(features);
                }
            }
        } finally {
            momenta.forEach(BatchNorm::setMomentum);
            model.train(wasTraining);
        }
    }

    /** The averaged copy's output for {@code x}, in the copy's mode ({@link #train}/{@link #eval}). */
    @Override
    public Tensor forward(Tensor x) {
        return module().forward(x);
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "AveragedModel(" + (Double.isNaN(decay) ? "swa" : "ema decay=" + decay) + ", useBuffers=" + useBuffers
                + ", " + module().describe() + ")";
    }
}
