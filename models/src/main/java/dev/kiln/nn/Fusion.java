package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Folds an evaluation-mode batch norm into the convolution or linear layer before it, as PyTorch's
 * {@code torch.nn.utils.fusion.fuse_conv_bn_eval} and {@code fuse_linear_bn_eval} do: one layer that computes what
 * the pair computed in evaluation mode, with one pass over the activations fewer. With the batch norm's running mean
 * {@code m}, running variance {@code v}, epsilon, weight {@code g} and bias {@code b} (all [channels]) and
 * {@code scale = g / sqrt(v + eps)}, the new layer's weight is the old one times {@code scale} along the output
 * channels (axis 0: [out, in / groups, *kernel] or [out, in]) and its bias {@code (bias - m) * scale + b}, a missing
 * bias counting as zeros; so the fused layer always has a bias. The new layer is a copy of the old one with the
 * same settings and training mode; its weight and bias are new trainable parameters in the old weight's dtype. The
 * layer and batch norm given are left as they are.
 *
 * <p>Only evaluation mode is folded: a batch norm in training mode normalises with each batch's own statistics,
 * which no fixed weight reproduces.
 */
public final class Fusion {
    private Fusion() {
    }

    /**
     * A new {@link Conv1d} computing {@code bn(conv(x))} of evaluation mode.
     *
     * @throws IllegalArgumentException naming both when either is in training mode, the convolution's weight or bias
     *     is computed (weight norm, spectral norm, a parametrization) or the batch norm's channels are not the
     *     convolution's output channels
     */
    public static Conv1d fuseConvBatchNorm(Conv1d conv, BatchNorm bn) {
        return fusedConv(conv, bn);
    }

    /**
     * A new {@link Conv2d} computing {@code bn(conv(x))} of evaluation mode.
     *
     * @throws IllegalArgumentException as {@link #fuseConvBatchNorm(Conv1d, BatchNorm)}
     */
    public static Conv2d fuseConvBatchNorm(Conv2d conv, BatchNorm bn) {
        return fusedConv(conv, bn);
    }

    /**
     * A new {@link Conv3d} computing {@code bn(conv(x))} of evaluation mode.
     *
     * @throws IllegalArgumentException as {@link #fuseConvBatchNorm(Conv1d, BatchNorm)}
     */
    public static Conv3d fuseConvBatchNorm(Conv3d conv, BatchNorm bn) {
        return fusedConv(conv, bn);
    }

    /**
     * A new {@link Linear} computing {@code bn(linear(x))} of evaluation mode, as PyTorch's
     * {@code fuse_linear_bn_eval}: x [batch, in] to [batch, out].
     *
     * @throws IllegalArgumentException naming both when either is in training mode, the layer's weight or bias is
     *     computed or the batch norm's channels are not the layer's output features
     */
    public static Linear fuseLinearBatchNorm(Linear linear, BatchNorm bn) {
        String what = "fuseLinearBatchNorm(" + linear.describe() + ", " + bn.describe() + ")";
        check(what, linear, linear.outFeatures(), "output features", bn);
        return withFolded(linear, linear.weight(), linear.bias(), bn, 0);
    }

    /**
     * A new {@link ConvTranspose1d} computing {@code bn(convTranspose(x))} of evaluation mode: PyTorch's
     * {@code fuse_conv_bn_eval(conv, bn, transpose=True)}, the weight [in, out, kernel] scaled along its output
     * channels (axis 1).
     *
     * @throws IllegalArgumentException as {@link #fuseConvBatchNorm(Conv1d, BatchNorm)}
     */
    public static ConvTranspose1d fuseConvBatchNorm(ConvTranspose1d conv, BatchNorm bn) {
        return fusedConv(conv, bn);
    }

    /**
     * A new {@link ConvTranspose2d} computing {@code bn(convTranspose(x))} of evaluation mode, as
     * {@link #fuseConvBatchNorm(ConvTranspose1d, BatchNorm)}.
     *
     * @throws IllegalArgumentException as {@link #fuseConvBatchNorm(Conv1d, BatchNorm)}
     */
    public static ConvTranspose2d fuseConvBatchNorm(ConvTranspose2d conv, BatchNorm bn) {
        return fusedConv(conv, bn);
    }

    /**
     * A new {@link ConvTranspose3d} computing {@code bn(convTranspose(x))} of evaluation mode, as
     * {@link #fuseConvBatchNorm(ConvTranspose1d, BatchNorm)}.
     *
     * @throws IllegalArgumentException as {@link #fuseConvBatchNorm(Conv1d, BatchNorm)}
     */
    public static ConvTranspose3d fuseConvBatchNorm(ConvTranspose3d conv, BatchNorm bn) {
        return fusedConv(conv, bn);
    }

    /**
     * {@code model} with every convolution (plain or transposed, 1-D to 3-D) that is directly followed by the batch
     * norm of its rank folded into one layer, at every depth, as torch.fx's {@code fuse} does for a whole network. A
     * {@link Sequential} (any subclass, such as {@link Conv2dNormActivation}) fuses its adjacent pairs and becomes a
     * plain Sequential of the rest; a {@link ConvBatchNormBlock} ({@link BasicBlock}) fuses the pairs it names and
     * loses their batch norms; any other module ({@link Residual}, {@link InvertedResidual}, a zoo model) is fused
     * inside. A module with nothing to fuse inside is the same object in both, so closing one closes it for the
     * other; a module around fused layers is a shallow copy of the original (same class, settings and own tensors,
     * no hooks); {@code model} is left as it is.
     *
     * @return a new module of {@code model}'s class (a plain Sequential for a Sequential), or {@code model} itself
     *     when there is nothing to fuse
     * @throws IllegalArgumentException naming the model when it is in training mode, whose batch norms normalise
     *     with each batch's statistics (call {@code eval()} first), and as {@link #fuseConvBatchNorm(Conv1d,
     *     BatchNorm)} for a pair to fuse
     */
    public static Module fuseConvBatchNorm(Module model) {
        if (model.isTraining()) {
            throw new IllegalArgumentException("fuseConvBatchNorm(" + model.describe()
                    + "): the model is in training mode, where"
                    + " a batch norm normalises with each batch's own statistics; fusion folds evaluation mode only,"
                    + " call eval() first");
        }
        return fusedInside(model);
    }

    /**
     * {@link #fuseConvBatchNorm(Module)} of a Sequential: a new Sequential of its modules in order, each pair fused
     * and every other module fused inside ({@code model} itself when it holds nothing to fuse).
     *
     * @throws IllegalArgumentException as {@link #fuseConvBatchNorm(Module)}
     */
    public static Sequential fuseConvBatchNorm(Sequential model) {
        return (Sequential) fuseConvBatchNorm((Module) model);
    }

    private static Module fusedInside(Module m) {
        return m instanceof Sequential sequential ? fusedSequential(sequential) : fusedBlock(m);
    }

    /** A new Sequential of {@code model}'s modules with adjacent pairs fused, or {@code model} when nothing changed. */
    private static Module fusedSequential(Sequential model) {
        List<Module> modules = new ArrayList<>();
        boolean changed = false;
        for (int i = 0; i < model.size(); i++) {
            Module m = model.get(i);
            Module next = i + 1 < model.size() ? model.get(i + 1) : null;
            Module fused = next == null ? null : fusedPair(m, next);
            if (fused != null) {
                i++;
            } else {
                fused = fusedInside(m);
            }
            changed |= fused != m;
            modules.add(fused);
        }
        if (!changed) {
            return model;
        }
        Sequential out = new Sequential(modules);
        out.train(model.isTraining());
        return out;
    }

    /**
     * {@code block} around its fused children, less the batch norms of the pairs a {@link ConvBatchNormBlock} names,
     * or {@code block} when nothing changed.
     */
    private static Module fusedBlock(Module block) {
        Map<String, Module> children = new LinkedHashMap<>();
        boolean changed = false;
        for (Map.Entry<String, Module> child : block.namedChildren().entrySet()) {
            Module fused = fusedInside(child.getValue());
            changed |= fused != child.getValue();
            children.put(child.getKey(), fused);
        }
        if (block instanceof ConvBatchNormBlock pairs) {
            for (Map.Entry<String, String> pair : pairs.convBatchNormPairs().entrySet()) {
                Module conv = children.get(pair.getKey());
                Module bn = children.get(pair.getValue());
                Module fused = conv == null || bn == null ? null : fusedPair(conv, bn);
                if (fused != null) {
                    children.put(pair.getKey(), fused);
                    children.remove(pair.getValue());
                    changed = true;
                }
            }
        }
        return changed ? block.withChildren(children) : block;
    }

    /** The fusion of a convolution and the batch norm of its rank after it, or null for any other pair. */
    private static Module fusedPair(Module m, Module next) {
        if (m instanceof Conv1d conv && next instanceof BatchNorm1d bn) {
            return fuseConvBatchNorm(conv, bn);
        }
        if (m instanceof Conv2d conv && next instanceof BatchNorm2d bn) {
            return fuseConvBatchNorm(conv, bn);
        }
        if (m instanceof Conv3d conv && next instanceof BatchNorm3d bn) {
            return fuseConvBatchNorm(conv, bn);
        }
        if (m instanceof ConvTranspose1d conv && next instanceof BatchNorm1d bn) {
            return fuseConvBatchNorm(conv, bn);
        }
        if (m instanceof ConvTranspose2d conv && next instanceof BatchNorm2d bn) {
            return fuseConvBatchNorm(conv, bn);
        }
        if (m instanceof ConvTranspose3d conv && next instanceof BatchNorm3d bn) {
            return fuseConvBatchNorm(conv, bn);
        }
        return null;
    }

    private static <C extends ConvNd> C fusedConv(C conv, BatchNorm bn) {
        String what = "fuseConvBatchNorm(" + conv.describe() + ", " + bn.describe() + ")";
        check(what, conv, conv.outChannels(), "output channels", bn);
        return withFolded(conv, conv.param("weight"), conv.bias(), bn, conv.transposed() ? 1 : 0);
    }

    private static void check(String what, Module layer, int outputs, String outputName, BatchNorm bn) {
        if (layer.isTraining() || bn.isTraining()) {
            throw new IllegalArgumentException(what + ": fusion folds evaluation mode only, but the "
                    + (bn.isTraining() ? "batch norm" : "layer") + " is in training mode; call eval() first");
        }
        if (layer.computedParameter("weight") != null || layer.computedParameter("bias") != null) {
            // The copy would keep computing it from tensors that the folded weight no longer matches.
            throw new IllegalArgumentException(what + ": the layer's weight or bias is computed (weight norm, spectral"
                    + " norm or a parametrization); remove that first");
        }
        if (bn.channels() != outputs) {
            throw new IllegalArgumentException(what + ": the layer has " + outputs + " " + outputName
                    + " but the batch norm normalises " + bn.channels() + " channels");
        }
    }

    /**
     * A copy of {@code layer} whose weight and bias are {@code weight} and {@code bias} folded with {@code bn}, the
     * weight's output channels on axis {@code outputAxis} (1 for a transposed convolution's [in, out, *kernel]).
     */
    @SuppressWarnings("unchecked")
    private static <M extends Module> M withFolded(M layer, Tensor weight, Tensor bias, BatchNorm bn, int outputAxis) {
        Tensor foldedWeight = computed(bn, weight, (scale, stats) -> {
            int[] dims = new int[weight.rank()];
            Arrays.fill(dims, 1);
            dims[outputAxis] = -1;
            return weight.mul(scale.reshape(dims));
        });
        Tensor foldedBias = computed(bn, weight, (scale, stats) -> {
            Tensor shifted = bias == null ? stats.runningMean().neg() : bias.sub(stats.runningMean());
            return shifted.mul(scale).add(stats.bias());
        });
        M fused = (M) layer.copy();
        fused.removeParameter("weight").close();
        Tensor oldBias = fused.removeParameter("bias");
        if (oldBias != null) {
            oldBias.close();
        }
        fused.registerParameter("weight", foldedWeight);
        fused.registerParameter("bias", foldedBias);
        return fused;
    }

    /**
     * {@code fold(scale, statistics)} without gradients, owned by no scope (it becomes a parameter), its
     * intermediates freed; everything in the dtype of {@code like}.
     */
    private static Tensor computed(BatchNorm bn, Tensor like, BiFunction<Tensor, Statistics, Tensor> fold) {
        return Scope.outside(() -> {
            try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
                Statistics stats = new Statistics(bn.runningMean().to(like.dtype()), bn.runningVar().to(like.dtype()),
                        bn.weight().to(like.dtype()), bn.bias().to(like.dtype()));
                Tensor scale = stats.weight().mul(stats.runningVar().add(bn.eps()).rsqrt());
                return s.keep(fold.apply(scale, stats));
            }
        });
    }

    /** A batch norm's running statistics and affine parameters in one dtype. */
    private record Statistics(Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias) {
    }
}
