package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantisation-aware training, PyTorch's eager-mode recipe {@code fuse_modules_qat} (Conv2d or Linear + ReLU, Conv2d +
 * BatchNorm2d + ReLU, torchvision's quantizable ResNet blocks),
 * {@code prepare_qat}, training, {@code convert}, with the default QAT qconfig of the onednn engine
 * ({@code get_default_qat_qconfig('onednn')} with plain {@code FakeQuantize}: {@link FakeQuantize#perTensorActivation}
 * for activations, {@link FakeQuantize#perChannelWeight} for weights) and a {@code QuantStub} in front of the model:
 *
 * <pre>{@code
 * Module qat = QuantizationAwareTraining.prepareQat(model);   // a copy, in training mode, with fake quantisations
 * Optimizer sgd = new SGD(qat.trainableParameters(), 0.01);   // the same parameters, the same names
 * ... train qat as any model ...
 * Module int8 = QuantizationAwareTraining.convert(qat);       // QuantizedConv2d / QuantizedLinear
 * }</pre>
 *
 * <p>The layers are those {@link StaticQuantization} quantises, found the same way: every plain {@link Conv2d} and
 * {@link Linear} becomes a {@link QatConv2d} or {@link QatLinear} holding the same weight and bias, fused with a
 * {@link ReLU} that follows it directly in a {@link Sequential} (whose slot becomes an {@link Identity}); a Conv2d
 * followed there by a {@link BatchNorm2d} becomes a {@link QatConvBn2d} holding both (the norm's slot an Identity, a
 * ReLU after it fused), which folds the norm into the weight before fake-quantising it. A {@link BasicBlock} (the class
 * itself, its norms BatchNorm2d) becomes a {@link QatBasicBlock}, as torchvision's {@code QuantizableBasicBlock} after
 * {@code fuse_modules_qat} and {@code prepare_qat}: its three convolutions {@link QatConvBn2d}s holding their norms,
 * the residual sum and ReLU fake-quantised ({@code add_relu}). Each fake-quantises its weight per output channel
 * before use and its output after the ReLU; one whose input is not another such layer's or block's output (through
 * max pooling, flattening, ReLU, dropout, identity or average pooling only: 1.13's {@code prepare_qat} fake-quantises
 * no pooling's output) fake-quantises its input too, as the {@code QuantStub} does the model's: before those modules
 * where they come right before it in its Sequential, as the stub sees the raw input. {@link #convert}
 * gives the static int8 model with the fake quantisations' qparams (each QatBasicBlock a
 * {@link QuantizedBasicBlock}; each average pooling pooling on the grid before it as 1.13's quantized poolings),
 * whose outputs match the trained model's (observers disabled) within about one output step (a pooled mean rounded
 * onto its grid may move a later output further, as in 1.13: quantize_qat_avgpool.py).
 *
 * <p>As in PyTorch, {@link Module#eval()} leaves the fake quantisations on and their observers updating: disable the
 * observers ({@link #disableObservers}) before evaluating or converting, as PyTorch's
 * {@code model.apply(torch.ao.quantization.disable_observer)}; {@link #freezeBatchNormStats} is PyTorch's
 * {@code freeze_bn_stats}.
 */
public final class QuantizationAwareTraining {
    private QuantizationAwareTraining() {
    }

    /**
     * A deep copy of {@code model} in training mode with its Conv2d and Linear layers (ReLU fused) and its BasicBlocks
     * replaced as the class comment says; {@code model} is left as it is.
     *
     * @throws IllegalArgumentException naming the module path of a layer it cannot quantise (a grouped convolution,
     *     another padding mode, a computed weight, a weight not F32), of a convolution followed directly by a batch
     *     norm other than a BatchNorm2d of its output channels (fuse it first with {@link Fusion#fuseConvBatchNorm}),
     *     or when {@code model} is itself a Conv2d, Linear or BasicBlock
     */
    public static Module prepareQat(Module model) {
        if (QuantisedSite.quantisable(model) || QuantisedSite.qatBlock(model)) {
            throw new IllegalArgumentException("QuantizationAwareTraining.prepareQat: the model is itself "
                    + model.describe()
                    + "; wrap it in a Sequential so that its input is fake-quantised");
        }
        refuseConvBatchNorm(model, "");
        for (QuantisedSite site : QuantisedSite.find(model)) {
            site.checkQuantisable();
        }
        Module copy = model.copy();
        copy.train();
        Map<Module, BatchNorm2d> norms = takeBatchNorms(copy);
        for (QuantisedSite site : QuantisedSite.find(copy)) {
            String source = site.source() != null ? site.source().path()
                    : site.stubbed() ? site.path() + "." + QatLayer.INPUT_FAKE_QUANT : null;
            BatchNorm2d norm = norms.get(site.layer());
            Module qat = site.layer() instanceof BasicBlock block ? QatBasicBlock.of(site.path(), block,
                    shortcutNorm(block, norms), source, source == null || site.inputPooled())
                    : norm != null ? QatConvBn2d.of((Conv2d) site.layer(), norm, site.fusesRelu(), source)
                    : site.layer() instanceof Conv2d conv ? QatConv2d.of(conv, site.fusesRelu(), source)
                    : QatLinear.of((Linear) site.layer(), site.fusesRelu(), source);
            if (site.stubbed()) {
                site.fakeQuantizeBefore(qat);
            }
            qat.train();
            // The plain layers' tensors now belong to the QAT layer: nothing is closed.
            site.replaceWith(qat);
        }
        return copy;
    }

    /**
     * Takes each BatchNorm2d that follows a plain Conv2d in a Sequential out of its slot (an {@link Identity} now, as
     * PyTorch's fusion leaves it, which {@link QuantisedSite} passes over to the ReLU after it); returns them by their
     * convolution.
     */
    private static Map<Module, BatchNorm2d> takeBatchNorms(Module m) {
        Map<Module, BatchNorm2d> norms = new IdentityHashMap<>();
        m.modules().forEach(child -> {
            if (child.getClass() == Sequential.class) {
                Sequential seq = (Sequential) child;
                for (int i = 0; i + 1 < seq.size(); i++) {
                    if (foldsIntoQat(seq.get(i), seq.get(i + 1))) {
                        norms.put(seq.get(i), (BatchNorm2d) seq.replaceModule(Integer.toString(i + 1), new Identity()));
                    }
                }
            }
        });
        return norms;
    }

    /** The norm taken out of {@code block}'s {@code downsample.1}, or null where it has no shortcut convolution. */
    private static BatchNorm2d shortcutNorm(BasicBlock block, Map<Module, BatchNorm2d> norms) {
        Sequential downsample = (Sequential) block.module("downsample");
        return downsample == null ? null : norms.get(downsample.get(0));
    }

    /** Whether {@code norm} folds into {@code conv} as {@link QatConvBn2d}. */
    private static boolean foldsIntoQat(Module conv, Module norm) {
        return conv.getClass() == Conv2d.class && norm.getClass() == BatchNorm2d.class
                && ((Conv2d) conv).outChannels() == ((BatchNorm2d) norm).channels();
    }

    /**
     * A copy of {@code qat} with each QAT layer replaced by a {@link QuantizedConv2d} or {@link QuantizedLinear}: its
     * weight (a {@link QatConvBn2d}'s with its batch norm folded in by the running statistics) quantised with the
     * weight fake quantisation's scales, its input read on the grid of its own input fake quantisation or of the layer
     * or block in front of it, its output on its output fake quantisation's grid; and each {@link QatBasicBlock} by a
     * {@link QuantizedBasicBlock} of its quantised convolutions that requantises the sum onto its {@code add_relu}
     * grid. {@code qat} is left as it is. For inference under {@link dev.kiln.engine.Autograd#noGrad()}.
     *
     * @throws IllegalStateException naming the module path of a QAT layer whose weight fake quantisation has seen no
     *     weight (no forward pass ran), or when {@code qat} holds no QAT layer
     */
    public static Module convert(Module qat) {
        Module copy = qat.copy();
        Map<String, Module> layers = qatLayers(copy);
        if (layers.isEmpty()) {
            copy.close();
            throw new IllegalStateException("QuantizationAwareTraining.convert: the model has no QAT layer; pass the"
                    + " model QuantizationAwareTraining.prepareQat returned");
        }
        Map<String, Module> made = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Module> e : layers.entrySet()) {
                made.put(e.getKey(), quantised(e.getKey(), e.getValue(), copy));
            }
        } catch (RuntimeException | Error e) {
            made.values().forEach(Module::close);
            copy.close();
            throw e;
        }
        for (Map.Entry<String, Module> e : made.entrySet()) {
            replace(copy, e.getKey(), e.getValue()).close();
        }
        // Each block takes its quantised convolutions: only its fake quantisations go.
        for (Map.Entry<String, QatBasicBlock> e : qatBlocks(copy).entrySet()) {
            QatBasicBlock block = e.getValue();
            replace(copy, e.getKey(), QuantizedBasicBlock.from(e.getKey(), block, block.outputFakeQuant().grid(),
                    block.roundsInput()));
            block.namedChildren().values().stream().filter(m -> m instanceof FakeQuantize || m instanceof QatAddReLU)
                    .forEach(Module::close);
        }
        StaticQuantization.poolOnGrids(copy, null);
        return copy;
    }

    /** Puts {@code replacement} at {@code path} in {@code model}; returns the module that was there. */
    private static Module replace(Module model, String path, Module replacement) {
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? model : model.getSubmodule(path.substring(0, dot));
        return parent.replaceModule(path.substring(dot + 1), replacement);
    }

    /** Turns each fake quantisation's observer off (PyTorch's {@code disable_observer}); returns {@code model}. */
    public static Module disableObservers(Module model) {
        model.modules().stream().filter(m -> m instanceof FakeQuantize).forEach(m -> ((FakeQuantize) m)
                .disableObserver());
        return model;
    }

    /** Turns each fake quantisation's observer on (PyTorch's {@code enable_observer}); returns {@code model}. */
    public static Module enableObservers(Module model) {
        model.modules().stream().filter(m -> m instanceof FakeQuantize).forEach(m -> ((FakeQuantize) m)
                .enableObserver());
        return model;
    }

    /**
     * Makes each {@link QatConvBn2d} normalise with its running statistics from now on and leave them alone
     * ({@link QatConvBn2d#freezeBatchNormStats}), as PyTorch's
     * {@code model.apply(torch.nn.intrinsic.qat.freeze_bn_stats)}; returns {@code model}.
     */
    public static Module freezeBatchNormStats(Module model) {
        model.modules().stream().filter(m -> m instanceof QatConvBn2d).forEach(m -> ((QatConvBn2d) m)
                .freezeBatchNormStats());
        return model;
    }

    /** Undoes {@link #freezeBatchNormStats} (PyTorch's {@code update_bn_stats}); returns {@code model}. */
    public static Module updateBatchNormStats(Module model) {
        model.modules().stream().filter(m -> m instanceof QatConvBn2d).forEach(m -> ((QatConvBn2d) m)
                .updateBatchNormStats());
        return model;
    }

    /** The QAT layers of {@code model} by module path. */
    private static Map<String, Module> qatLayers(Module model) {
        Map<String, Module> layers = new LinkedHashMap<>();
        model.namedModules().forEach((path, m) -> {
            if (m instanceof QatLayer) {
                layers.put(path, m);
            }
        });
        return layers;
    }

    /** The QAT residual blocks of {@code model} by module path. */
    private static Map<String, QatBasicBlock> qatBlocks(Module model) {
        Map<String, QatBasicBlock> blocks = new LinkedHashMap<>();
        model.namedModules().forEach((path, m) -> {
            if (m instanceof QatBasicBlock block) {
                blocks.put(path, block);
            }
        });
        return blocks;
    }

    /**
     * The grid of the module at {@code path} in {@code model}: a fake quantisation's own (a block's input), or the
     * output fake quantisation's of a QAT layer or block.
     */
    private static Uint8Grid gridAt(Module model, String path) {
        Module m = model.getSubmodule(path);
        return m instanceof FakeQuantize fake ? fake.grid() : m instanceof QatBasicBlock block
                ? block.outputFakeQuant().grid() : ((QatLayer) m).outputFakeQuant().grid();
    }

    private static Module quantised(String path, Module layer, Module model) {
        QatLayer qat = (QatLayer) layer;
        Uint8Grid in = qat.inputSource() == null ? qat.inputFakeQuant().grid() : gridAt(model, qat.inputSource());
        Uint8Grid out = qat.outputFakeQuant().grid();
        float[] scales;
        try {
            scales = qat.weightFakeQuant().scales();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("QuantizationAwareTraining.convert: '" + path + "' ("
                    + layer.describe() + "): " + e.getMessage(), e);
        }
        if (layer instanceof QatConvBn2d convBn) {
            try (Conv2d folded = convBn.folded()) {
                return QuantizedConv2d.from(path, folded, in, out, qat.fusedRelu(), scales);
            }
        }
        if (layer instanceof Conv2d conv) {
            return QuantizedConv2d.from(path, conv, in, out, qat.fusedRelu(), scales);
        }
        return QuantizedLinear.from(path, (Linear) layer, in, out, qat.fusedRelu(), scales);
    }

    /**
     * Refuses a Conv2d followed directly by a batch norm in a Sequential that does not fold into a
     * {@link QatConvBn2d}, naming the path.
     */
    private static void refuseConvBatchNorm(Module m, String path) {
        if (m instanceof Sequential seq) {
            for (int i = 0; i + 1 < seq.size(); i++) {
                if (seq.get(i) instanceof Conv2d && seq.get(i + 1) instanceof BatchNorm
                        && (seq.getClass() != Sequential.class || !foldsIntoQat(seq.get(i), seq.get(i + 1)))) {
                    String at = path.isEmpty() ? Integer.toString(i) : path + "." + i;
                    throw new IllegalArgumentException("QuantizationAwareTraining.prepareQat: '" + at + "' ("
                            + seq.get(i).describe() + ") is followed by " + seq.get(i + 1).describe()
                            + "; only a plain Conv2d followed"
                            + " by a BatchNorm2d of its output channels in a plain Sequential folds during"
                            + " quantisation-aware training (PyTorch's ConvBn2d): fuse others first with"
                            + " Fusion.fuseConvBatchNorm on the model in eval mode");
                }
            }
        }
        for (Map.Entry<String, Module> child : m.namedChildren().entrySet()) {
            refuseConvBatchNorm(child.getValue(), path.isEmpty() ? child.getKey() : path + "." + child.getKey());
        }
    }
}
