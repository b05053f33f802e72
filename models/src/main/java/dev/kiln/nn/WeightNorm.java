package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Weight normalisation (Salimans and Kingma 2016), as PyTorch 1.13's {@code torch.nn.utils.weight_norm}: a module's
 * parameter {@code w} is replaced by a magnitude {@code g} and a direction {@code v}, and the module reads
 * {@code w = g v / ||v||}, the 2-norm taken over every axis but {@code dim} (each output's weights for dim 0), so that
 * g has w's shape with every other axis of size 1: [out, 1] for a {@link Linear}'s weight, [out, 1, 1, 1] for a
 * {@link Conv2d}'s. {@link #WHOLE_TENSOR} takes one norm of the whole tensor and a scalar g.
 *
 * <p>g and v are the parameters {@code weight_g} and {@code weight_v}, in PyTorch's order (after the module's other
 * parameters), so that a state dict matches PyTorch's key for key. They start at {@code ||w||} and w itself, so the
 * module computes what it computed before; v is the former weight tensor. Make the optimizer after applying it: it
 * trains g and v, which {@link Module#parameters()} lists instead of the weight.
 *
 * <p>The weight is a {@link Module.ComputedParameter}, computed at each read rather than by a forward pre-hook as
 * PyTorch 1.13 does, so that every path that reads it, {@link Sequential}'s fused Linear/Conv2d + activation among
 * them, sees the current g and v; writing into {@code weight()} changes nothing, as in PyTorch: write into g or v.
 */
public final class WeightNorm {
    /** The dim that takes one norm over the whole tensor: PyTorch's {@code dim=None} (which it stores as -1). */
    public static final int WHOLE_TENSOR = -1;

    /** Computes parameter {@code name} from {@code name_g} and {@code name_v}. */
    private record Computation(String name, int dim) implements Module.ComputedParameter {
        @Override
        public Tensor compute(Module module) {
            return weight(module.param(name + "_g"), module.param(name + "_v"), dim);
        }

        @Override
        public String toString() {
            return "WeightNorm";
        }
    }

    private WeightNorm() {
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
     * Weight-normalises {@code module}'s parameter {@code name}, PyTorch's {@code weight_norm(module, name, dim)}:
     * registers {@code name_g} = the norm of the weight over every axis but {@code dim} (in [0, rank), or
     * {@link #WHOLE_TENSOR}) and {@code name_v} = the weight; returns the module.
     *
     * @throws IllegalArgumentException naming the module when it has no parameter {@code name}, the parameter is
     *     normalised already, {@code name_g} or {@code name_v} is taken, or dim is out of range
     */
    public static <M extends Module> M apply(M module, String name, int dim) {
        Tensor weight = Parametrizations.parameterToReplace("WeightNorm.apply", module, name);
        if (dim != WHOLE_TENSOR && (dim < 0 || dim >= weight.rank())) {
            throw new IllegalArgumentException("WeightNorm.apply: dim " + dim + " is out of range [0, " + weight.rank()
                    + ") for parameter '" + name + "' " + weight.shape() + " of " + module.describe()
                    + " (or WHOLE_TENSOR, -1, for one norm over the whole tensor)");
        }
        for (String taken : new String[] {name + "_g", name + "_v"}) {
            if (module.param(taken) != null || module.buffer(taken) != null || module.module(taken) != null) {
                throw new IllegalArgumentException("WeightNorm.apply: " + module.describe() + " already has '" + taken + "'");
            }
        }
        Tensor g = Module.unscoped(() -> norm(weight, dim));
        module.removeParameter(name).clearGrad();
        module.registerParameter(name + "_g", g);
        module.registerParameter(name + "_v", weight);
        module.computeParameter(name, new Computation(name, dim));
        return module;
    }

    /** {@link #remove(Module, String) remove(module, "weight")}. */
    public static <M extends Module> M remove(M module) {
        return remove(module, "weight");
    }

    /**
     * Ends the weight normalisation of {@code module}'s parameter {@code name}, PyTorch's
     * {@code remove_weight_norm(module, name)}: {@code name} is a plain parameter again (registered after the others)
     * holding {@code g v / ||v||}; g and v are closed. Returns the module.
     *
     * @throws IllegalArgumentException naming the module when {@code name} is not weight-normalised
     */
    public static <M extends Module> M remove(M module, String name) {
        if (!(module.computedParameter(name) instanceof Computation)) {
            throw new IllegalArgumentException("WeightNorm.remove: parameter '" + name + "' of " + module.describe()
                    + " is not weight-normalised");
        }
        Tensor weight = Module.unscoped(() -> module.param(name));
        module.stopComputing(name);
        module.removeParameter(name + "_g").close();
        module.removeParameter(name + "_v").close();
        module.registerParameter(name, weight);
        return module;
    }

    /** {@code g v / ||v||}, ||v|| over every axis of v but dim. */
    static Tensor weight(Tensor g, Tensor v, int dim) {
        return Module.consume(Module.consume(norm(v, dim), g::div), v::mul);
    }

    /** The 2-norm of {@code v} over every axis but {@code dim}, kept as size 1 (a scalar for {@link #WHOLE_TENSOR}). */
    static Tensor norm(Tensor v, int dim) {
        if (dim == WHOLE_TENSOR) {
            return v.norm(2);
        }
        if (v.rank() == 1) {
            return v.abs();
        }
        int[] others = new int[v.rank() - 1];
        for (int a = 0, i = 0; a < v.rank(); a++) {
            if (a != dim) {
                others[i++] = a;
            }
        }
        return v.norm(2, others, true);
    }
}
