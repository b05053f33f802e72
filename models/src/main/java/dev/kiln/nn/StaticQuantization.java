package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Post-training static quantisation for CPU inference, PyTorch's eager-mode recipe {@code fuse_modules} (Conv2d or
 * Linear + ReLU), {@code prepare}, calibration, {@code convert}, with the qconfig
 * {@code QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8), weight=default_per_channel_weight_observer)}
 * and a {@code QuantStub}/{@code DeQuantStub} around the model:
 *
 * <pre>{@code
 * Module prepared = StaticQuantization.prepare(model);   // a copy, in eval mode, with observers
 * try (var g = Autograd.noGrad()) {
 *     for (Tensor x : calibrationBatches) prepared.forward(x);
 * }
 * Module quantised = StaticQuantization.convert(prepared); // Conv2d / Linear (+ ReLU) now int8
 * }</pre>
 *
 * <p>Every plain {@link Conv2d} and {@link Linear} (the classes themselves) becomes a {@link QuantizedConv2d} or
 * {@link QuantizedLinear}. Within a {@link Sequential}, a {@link BatchNorm2d} right after a Conv2d is folded into it
 * ({@link ConvBatchNormFolding}) and a {@link ReLU} right after the layer (or the folded pair) is fused into it; their
 * slots become {@link Identity}, as after {@code fuse_modules(model, [["0", "1", "2"]])}. Weights are int8 per output channel, symmetric
 * ({@link PerChannelMinMaxObserver}); each layer's output is requantised onto the uint8 grid its
 * {@link MinMaxObserver} gave ({@code activation_post_process}). Tensors between layers stay F32 holding grid values
 * (the outputs PyTorch's {@code DeQuantStub} would give), so the model takes and returns F32 as before.
 *
 * <p>A layer's input grid is the output grid of the quantised layer before it in the same Sequential when only
 * {@link MaxPool2d}, {@link Flatten}, {@link ReLU}, {@link Dropout} or {@link Identity} lie between them (they keep
 * grid values exact, as PyTorch's quantized versions keep the qparams). Any other layer observes its own input
 * ({@code input_activation_post_process}): the first layer, as PyTorch's {@code QuantStub} observes the model input,
 * and one behind a module that changes values (average pooling, batch norm, a residual block's addition), which stays
 * F32 here. PyTorch instead runs those on quantized tensors, needing {@code FloatFunctional} or another
 * {@code QuantStub} with its own observer, so there its grids and roundings differ from Kiln's.
 */
public final class StaticQuantization {
    private StaticQuantization() {
    }

    /**
     * A deep copy of {@code model} ({@link Module#copy()}) in eval mode, each Conv2d + BatchNorm2d pair of a Sequential
     * folded into one Conv2d, with observers attached by forward hooks: a
     * {@link MinMaxObserver} child {@code activation_post_process} on every layer it will quantise (fed the output
     * after a fused ReLU) and one named {@code input_activation_post_process} on each layer that observes its own input.
     * Run calibration batches through the copy's {@link Module#forward} (values as without observers); {@code model} is
     * left as it is. The hooks are not copied: copying the prepared model leaves a copy that observes nothing.
     *
     * @throws IllegalArgumentException naming the module path of a layer it cannot quantise (a grouped convolution,
     *     another padding mode, a computed weight), or when {@code model} is itself a Conv2d or Linear
     */
    public static Module prepare(Module model) {
        if (QuantisedSite.quantisable(model)) {
            throw new IllegalArgumentException("StaticQuantization.prepare: the model is itself " + model
                    + "; wrap it in a Sequential so that its observers run");
        }
        List<QuantisedSite> sites = QuantisedSite.find(model);
        for (QuantisedSite site : sites) {
            site.checkQuantisable();
        }
        Module copy = model.copy();
        copy.eval();
        ConvBatchNormFolding.foldInside(copy);
        for (QuantisedSite site : QuantisedSite.find(copy)) {
            site.attachObservers();
        }
        return copy;
    }

    /**
     * A copy of {@code prepared} with its observed layers quantised as the class comment says and its observers
     * gone; {@code prepared} is left as it is. The quantised model is for inference under
     * {@link Autograd#noGrad()}: its int8 layers have no parameters and no backward pass.
     *
     * @throws IllegalStateException naming the module path of a layer whose observer saw nothing (no calibration) or
     *     which was not prepared
     */
    public static Module convert(Module prepared) {
        Module copy = prepared.copy();
        List<QuantisedSite> sites = QuantisedSite.find(copy);
        List<Module> made = new ArrayList<>();
        try {
            for (QuantisedSite site : sites) {
                made.add(site.quantised());
            }
        } catch (RuntimeException | Error e) {
            made.forEach(Module::close);
            copy.close();
            throw e;
        }
        Set<Tensor> replacedTensors = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < sites.size(); i++) {
            replacedTensors.addAll(sites.get(i).replaceWith(made.get(i)));
        }
        // The replaced layers' F32 tensors are the copy's own; those another module shares (tied weights) stay.
        Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(copy.parameters());
        kept.addAll(copy.namedBuffers().values());
        replacedTensors.stream().filter(t -> !kept.contains(t)).forEach(Tensor::close);
        return copy;
    }

    /** {@code weight} [out, ...] packed with the scales of PyTorch's {@code default_per_channel_weight_observer}. */
    static StaticInt8ConvWeights packPerChannel(Tensor weight) {
        PerChannelMinMaxObserver observer = new PerChannelMinMaxObserver();
        try (Tensor w = weight.detach()) {
            observer.forward(w);
        }
        return pack(weight, observer.calculateScales());
    }

    /** {@code weight} [out, ...] packed with the given per-channel {@code scales} [out]. */
    static StaticInt8ConvWeights pack(Tensor weight, float[] scales) {
        try (Tensor host = Tensor.fromArray(scales, scales.length);
             Tensor onDevice = host.backend() == weight.backend() ? host.copy() : host.to(weight.backend())) {
            return StaticInt8Conv.pack(weight, onDevice);
        }
    }

    /** {@code op}'s result, a refusal of its arguments prefixed with the layer's path in its model. */
    static Tensor naming(String path, Module layer, Supplier<Tensor> op) {
        try {
            return op.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + path + "' " + layer + ": " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("'" + path + "' " + layer + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a forward pass of {@code layer} in training mode with gradients on: int8 layers cannot be trained. */
    static void refuseTraining(String path, Module layer) {
        if (layer.isTraining() && Autograd.isEnabled()) {
            throw new IllegalStateException("'" + path + "' " + layer + " is an int8 inference layer without"
                    + " parameters or backward pass, so it cannot be trained; evaluate it in eval mode under"
                    + " Autograd.noGrad(), or train the F32 model and quantise it again");
        }
    }

    /** An int8 layer runs in F32 only: any other dtype is refused, naming the layer. */
    static void refuseConversion(String path, Module layer, DType dtype) {
        if (dtype != DType.F32) {
            throw new IllegalArgumentException("to(" + dtype + "): " + (path.isEmpty() ? "" : "'" + path + "' is ")
                    + layer + ", an int8 layer that runs in F32 only; convert the F32 model before quantising it");
        }
    }
}
