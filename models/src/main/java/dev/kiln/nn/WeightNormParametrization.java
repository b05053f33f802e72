package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Weight normalisation as a parametrization, PyTorch 2.1's {@code torch.nn.utils.parametrizations.weight_norm}: the
 * module reads {@code w = g v / ||v||}, the 2-norm over every axis but {@code dim} (as {@link WeightNorm}, the older
 * {@code torch.nn.utils.weight_norm}, computes it), through {@link Parametrize}. g and v are the parameters
 * {@code parametrizations.weight.original0} (w's shape with every axis but dim of size 1; a scalar for
 * {@link WeightNorm#WHOLE_TENSOR}) and {@code .original1} (w's shape), PyTorch's names, starting at {@code ||w||} and
 * w, so the module first computes what it computed before. They are new tensors: make the optimizer after applying
 * it. {@link Parametrize#removeParametrizations(Module, String)} leaves w in a new parameter; other parametrizations
 * may be chained after this one. PyTorch's hook that loads a state dict with the older {@code weight_g} and
 * {@code weight_v} keys is not reproduced.
 */
public final class WeightNormParametrization extends Module implements Parametrize.SeveralOriginals {
    private static final String APPLY = "WeightNormParametrization.apply";

    private final int dim;

    private WeightNormParametrization(int dim) {
        this.dim = dim;
    }

    /** {@link #apply(Module, String, int) apply(module, "weight", 0)}. */
    public static <M extends Module> M apply(M module) {
        return apply(module, "weight", 0);
    }

    /** {@link #apply(Module, String, int) apply(module, name, 0)}, PyTorch's default dim. */
    public static <M extends Module> M apply(M module, String name) {
        return apply(module, name, 0);
    }

    /**
     * PyTorch's {@code parametrizations.weight_norm(module, name, dim)}: registers the parametrization on
     * {@code module}'s parameter {@code name}, which must not be parametrized yet; returns the module. dim is in
     * [0, rank), or {@link WeightNorm#WHOLE_TENSOR} (PyTorch's None) for one norm over the whole tensor.
     *
     * @throws IllegalArgumentException naming the module and the parameter when it has no such parameter, it is
     *     computed already (a parametrization, weight norm or pruning), or dim is out of range
     */
    public static <M extends Module> M apply(M module, String name, int dim) {
        Tensor weight = Parametrizations.parameterToReplace(APPLY, module, name);
        if (dim != WeightNorm.WHOLE_TENSOR && (dim < 0 || dim >= weight.rank())) {
            throw new IllegalArgumentException(APPLY + ": dim " + dim + " is out of range [0, " + weight.rank()
                    + ") for parameter '" + name + "' " + weight.shape() + " of " + module.describe()
                    + " (or WeightNorm.WHOLE_TENSOR, -1, for one norm over the whole tensor)");
        }
        return Parametrize.registerParametrization(module, name, new WeightNormParametrization(dim), true);
    }

    /** PyTorch's {@code right_inverse}: g = the norm of {@code weight} over every axis but dim, and v = weight. */
    @Override
    public List<Tensor> rightInverses(Tensor weight) {
        return List.of(WeightNorm.norm(weight, dim), weight);
    }

    /** {@code g v / ||v||} from the originals [g, v]. */
    @Override
    public Tensor forward(List<Tensor> originals) {
        if (originals.size() != 2) {
            throw new IllegalArgumentException("WeightNormParametrization.forward: expected the originals [g, v], got "
                    + originals.size() + " tensors");
        }
        return WeightNorm.weight(originals.get(0), originals.get(1), dim);
    }

    /** Refused: the module reads {@link #forward(List)} of g and v. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("WeightNormParametrization reads two originals, g and v: call"
                + " forward(List.of(g, v))");
    }

    /** The axis kept, in PyTorch's style (PyTorch 1.13 has no such parametrization): {@code dim=0}. */
    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
