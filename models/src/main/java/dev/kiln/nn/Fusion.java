package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        String what = "fuseLinearBatchNorm(" + linear + ", " + bn + ")";
        check(what, linear, linear.outFeatures(), "output features", bn);
        return withFolded(linear, linear.weight(), linear.bias(), bn);
    }

    /**
     * A new Sequential of {@code model}'s modules in order, where each {@link Conv1d}, {@link Conv2d} or
     * {@link Conv3d} followed directly by a {@link BatchNorm1d}, {@link BatchNorm2d} or {@link BatchNorm3d}
     * respectively is replaced by their fusion ({@link #fuseConvBatchNorm(Conv2d, BatchNorm)}). Every other module,
     * nested ones included, is the same object in both, so closing one closes it for the other; {@code model} is left
     * as it is. The new Sequential is in evaluation mode when {@code model} is (which a model with a pair to fuse
     * must be, after {@code model.eval()}).
     *
     * @throws IllegalArgumentException as {@link #fuseConvBatchNorm(Conv1d, BatchNorm)} for a pair to fuse
     */
    public static Sequential fuseConvBatchNorm(Sequential model) {
        List<Module> modules = new ArrayList<>();
        for (int i = 0; i < model.size(); i++) {
            Module m = model.get(i);
            Module next = i + 1 < model.size() ? model.get(i + 1) : null;
            Module fused = next == null ? null : fusedPair(m, next);
            modules.add(fused == null ? m : fused);
            if (fused != null) {
                i++;
            }
        }
        Sequential out = new Sequential(modules);
        if (!model.isTraining()) {
            out.eval();
        }
        return out;
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
        return null;
    }

    private static <C extends ConvNd> C fusedConv(C conv, BatchNorm bn) {
        String what = "fuseConvBatchNorm(" + conv + ", " + bn + ")";
        check(what, conv, conv.outChannels(), "output channels", bn);
        return withFolded(conv, conv.param("weight"), conv.bias(), bn);
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

    /** A copy of {@code layer} whose weight and bias are {@code weight} and {@code bias} folded with {@code bn}. */
    @SuppressWarnings("unchecked")
    private static <M extends Module> M withFolded(M layer, Tensor weight, Tensor bias, BatchNorm bn) {
        Tensor foldedWeight = computed(bn, weight, (scale, stats) -> {
            int[] dims = new int[weight.rank()];
            Arrays.fill(dims, 1);
            dims[0] = -1;
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
