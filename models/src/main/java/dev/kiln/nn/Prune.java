package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * PyTorch 1.13's {@code torch.nn.utils.prune}: zeroes part of a module's parameter through a mask. Pruning
 * {@code weight} moves the tensor to the parameter {@code weight_orig} (the same tensor, so an optimizer made before
 * keeps training it), registers the buffer {@code weight_mask} (1 where kept, 0 where pruned; the weight's dtype) and
 * makes the module read {@code weight = weight_orig * weight_mask} wherever it reads its weight, so the gradient
 * reaches only the kept entries of {@code weight_orig}; the state-dict names are PyTorch's. {@link #remove} makes the
 * pruned weight a plain parameter again.
 *
 * <p>Pruning a parameter again prunes among what is left, as PyTorch's {@code PruningContainer}: an unstructured method
 * among the entries still kept (a fraction is of those), a structured one among the channels not wholly pruned, and
 * the masks multiply. An amount is a fraction of what is left (a {@code double} in [0, 1], rounded half to even, as
 * Python's {@code round}) or a count (an {@code int}), as PyTorch tells float from int.
 *
 * <p>Which entries go is Kiln's own deterministic rule: those of least importance (magnitude, channel norm, or a
 * random method's uniform draw from the engine's seeded generator, not PyTorch's draws) first and, of equal
 * importances, the lowest index first: the lowest row-major flat index, the lowest channel index, and for
 * {@link #globalUnstructured} the first in the targets' entries laid end to end in their order. PyTorch's CPU
 * {@code topk}, which chooses for PyTorch, is unstable and may prune another of exactly tied entries, so a mask equals
 * PyTorch's wherever the importances are distinct. The weight's values are read on the host, once a call.
 *
 * <p>The weight is a {@link Module.ComputedParameter}, computed at each read (PyTorch 1.13 uses a forward pre-hook), so
 * that every path that reads it, fused ones included, sees the mask. Weight norm, a parametrization and pruning each
 * compute a parameter their own way and do not combine on one parameter.
 */
public final class Prune {
    private static final String ORIG = "_orig";
    private static final String MASK = "_mask";

    /** Reads {@code name} as {@code name_orig * name_mask}. */
    private record Pruned(String name) implements Module.ComputedParameter {
        @Override
        public Tensor compute(Module module) {
            return module.param(name + ORIG).mul(module.buffer(name + MASK));
        }

        @Override
        public String toString() {
            return "Prune";
        }
    }

    /** One parameter to prune: PyTorch's {@code (module, name)} pair of {@code global_unstructured}. */
    public record Target(Module module, String name) {
    }

    /** The methods {@link #globalUnstructured} takes: PyTorch's {@code L1Unstructured} and {@code RandomUnstructured}. */
    public enum UnstructuredMethod {
        L1_UNSTRUCTURED, RANDOM_UNSTRUCTURED
    }

    private Prune() {
    }

    /** PyTorch's {@code prune.identity}: prunes nothing, an all-ones mask (or the mask as it is); returns the module. */
    public static <M extends Module> M identity(M module, String name) {
        return apply("Prune.identity", module, name, PruningMask.identity());
    }

    /** PyTorch's {@code random_unstructured} with a fraction of the entries left; returns the module. */
    public static <M extends Module> M randomUnstructured(M module, String name, double amount) {
        String caller = "Prune.randomUnstructured";
        return apply(caller, module, name, PruningMask.randomUnstructured(PruningMask.Amount.of(caller, amount)));
    }

    /** PyTorch's {@code random_unstructured} with a count of entries; returns the module. */
    public static <M extends Module> M randomUnstructured(M module, String name, int amount) {
        String caller = "Prune.randomUnstructured";
        return apply(caller, module, name, PruningMask.randomUnstructured(PruningMask.Amount.of(caller, amount)));
    }

    /**
     * PyTorch's {@code l1_unstructured}: zeroes the fraction {@code amount} of the entries left of least magnitude;
     * returns the module.
     *
     * @throws IllegalArgumentException naming the module and parameter when it has no such parameter, another way
     *     computes it (weight norm, a parametrization), {@code name_orig} or {@code name_mask} is taken, or the amount
     *     is out of range
     */
    public static <M extends Module> M l1Unstructured(M module, String name, double amount) {
        String caller = "Prune.l1Unstructured";
        return apply(caller, module, name, PruningMask.l1Unstructured(PruningMask.Amount.of(caller, amount)));
    }

    /** {@link #l1Unstructured(Module, String, double)} with a count of entries, at most as many as are left. */
    public static <M extends Module> M l1Unstructured(M module, String name, int amount) {
        String caller = "Prune.l1Unstructured";
        return apply(caller, module, name, PruningMask.l1Unstructured(PruningMask.Amount.of(caller, amount)));
    }

    /**
     * PyTorch's {@code l1_unstructured(module, name, amount, importance_scores)}: ranks the entries left by the
     * magnitude of {@code importanceScores} (the parameter's shape) instead of the weight's.
     */
    public static <M extends Module> M l1Unstructured(M module, String name, double amount, Tensor importanceScores) {
        String caller = "Prune.l1Unstructured";
        return apply(caller, module, name, PruningMask.l1Unstructured(PruningMask.Amount.of(caller, amount)),
                importanceScores);
    }

    /** {@link #l1Unstructured(Module, String, double, Tensor)} with a count of entries. */
    public static <M extends Module> M l1Unstructured(M module, String name, int amount, Tensor importanceScores) {
        String caller = "Prune.l1Unstructured";
        return apply(caller, module, name, PruningMask.l1Unstructured(PruningMask.Amount.of(caller, amount)),
                importanceScores);
    }

    /**
     * PyTorch's {@code random_structured}: zeroes the fraction {@code amount} of the channels along {@code dim} (in
     * [-rank, rank); e.g. 0 for a Linear's or Conv2d's output units) left, drawn uniformly; returns the module.
     */
    public static <M extends Module> M randomStructured(M module, String name, double amount, int dim) {
        String caller = "Prune.randomStructured";
        return apply(caller, module, name, PruningMask.randomStructured(PruningMask.Amount.of(caller, amount), dim));
    }

    /** {@link #randomStructured(Module, String, double, int)} with a count of channels. */
    public static <M extends Module> M randomStructured(M module, String name, int amount, int dim) {
        String caller = "Prune.randomStructured";
        return apply(caller, module, name, PruningMask.randomStructured(PruningMask.Amount.of(caller, amount), dim));
    }

    /**
     * PyTorch's {@code ln_structured}: zeroes the fraction {@code amount} of the channels along {@code dim} left
     * whose {@code n}-norm (over every other axis; n > 0, infinity, or 0 for the count of nonzeros) is least; returns
     * the module.
     *
     * @throws IllegalArgumentException naming the module and parameter as {@link #l1Unstructured} does, and when the
     *     parameter is a vector or dim is out of range
     */
    public static <M extends Module> M lnStructured(M module, String name, double amount, double n, int dim) {
        String caller = "Prune.lnStructured";
        return apply(caller, module, name, PruningMask.lnStructured(PruningMask.Amount.of(caller, amount), norm(n),
                dim));
    }

    /** {@link #lnStructured(Module, String, double, double, int)} with a count of channels. */
    public static <M extends Module> M lnStructured(M module, String name, int amount, double n, int dim) {
        String caller = "Prune.lnStructured";
        return apply(caller, module, name, PruningMask.lnStructured(PruningMask.Amount.of(caller, amount), norm(n),
                dim));
    }

    /**
     * PyTorch's {@code ln_structured(module, name, amount, n, dim, importance_scores)}: ranks the channels left by the
     * norms of {@code importanceScores} (the parameter's shape) instead of the weight's.
     */
    public static <M extends Module> M lnStructured(M module, String name, double amount, double n, int dim,
            Tensor importanceScores) {
        String caller = "Prune.lnStructured";
        return apply(caller, module, name, PruningMask.lnStructured(PruningMask.Amount.of(caller, amount), norm(n),
                dim), importanceScores);
    }

    /** {@link #lnStructured(Module, String, double, double, int, Tensor)} with a count of channels. */
    public static <M extends Module> M lnStructured(M module, String name, int amount, double n, int dim,
            Tensor importanceScores) {
        String caller = "Prune.lnStructured";
        return apply(caller, module, name, PruningMask.lnStructured(PruningMask.Amount.of(caller, amount), norm(n),
                dim), importanceScores);
    }

    private static double norm(double n) {
        if (Double.isNaN(n) || n < 0 && n != Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("Prune.lnStructured: n " + n
                    + " must be a norm order: positive, 0 or infinity (negative infinity: the least magnitude)");
        }
        return n;
    }

    /**
     * PyTorch's {@code custom_from_mask}: multiplies the mask by {@code mask} (the parameter's shape; 1 keeps, 0
     * prunes); returns the module.
     *
     * @throws IllegalArgumentException naming the module and parameter when the shapes differ, or as
     *     {@link #l1Unstructured} does
     */
    public static <M extends Module> M customFromMask(M module, String name, Tensor mask) {
        String caller = "Prune.customFromMask";
        Tensor weight = prunable(caller, module, name);
        if (!mask.shape().equals(weight.shape())) {
            throw new IllegalArgumentException(caller + ": mask " + mask.shape() + " does not match parameter '" + name
                    + "' " + weight.shape() + " of " + module.describe());
        }
        return apply(caller, module, name, PruningMask.custom(mask.toDoubleArray()));
    }

    /** {@link #globalUnstructured(List, UnstructuredMethod, double)} with a count of entries over all the targets. */
    public static void globalUnstructured(List<Target> targets, UnstructuredMethod method, int amount) {
        globalUnstructured(targets, method, PruningMask.Amount.of("Prune.globalUnstructured", amount), Map.of());
    }

    /**
     * PyTorch's {@code global_unstructured(parameters, pruning_method, importance_scores, amount=amount)}: ranks by
     * the scores {@code importanceScores} gives a target (its parameter's shape), by its weight where it gives none.
     */
    public static void globalUnstructured(List<Target> targets, UnstructuredMethod method, double amount,
            Map<Target, Tensor> importanceScores) {
        globalUnstructured(targets, method, PruningMask.Amount.of("Prune.globalUnstructured", amount),
                importanceScores);
    }

    /** {@link #globalUnstructured(List, UnstructuredMethod, double, Map)} with a count of entries. */
    public static void globalUnstructured(List<Target> targets, UnstructuredMethod method, int amount,
            Map<Target, Tensor> importanceScores) {
        globalUnstructured(targets, method, PruningMask.Amount.of("Prune.globalUnstructured", amount),
                importanceScores);
    }

    /**
     * PyTorch's {@code global_unstructured(parameters, pruning_method, amount=amount)}: ranks the entries left of all
     * the targets together, as one vector, prunes the fraction {@code amount} of them with {@code method} (L1: those
     * of least magnitude, wherever they are), and gives each target its part of the mask as
     * {@link #customFromMask} would.
     *
     * @throws IllegalArgumentException when there is no target, or naming a target as {@link #l1Unstructured} does
     */
    public static void globalUnstructured(List<Target> targets, UnstructuredMethod method, double amount) {
        globalUnstructured(targets, method, PruningMask.Amount.of("Prune.globalUnstructured", amount), Map.of());
    }

    private static void globalUnstructured(List<Target> targets, UnstructuredMethod method, PruningMask.Amount amount,
            Map<Target, Tensor> importanceScores) {
        String caller = "Prune.globalUnstructured";
        if (targets.isEmpty()) {
            throw new IllegalArgumentException(caller + ": no parameters to prune");
        }
        List<double[]> values = new ArrayList<>();
        List<double[]> masks = new ArrayList<>();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            for (Target t : targets) {
                Tensor weight = prunable(caller, t.module(), t.name());
                values.add(scores(caller, t.module(), t.name(), weight, importanceScores.get(t)).toDoubleArray());
                masks.add(currentMask(t.module(), t.name(), (int) weight.size()));
            }
        }
        double[] all = concat(values);
        PruningMask.Unstructured chosen = method == UnstructuredMethod.L1_UNSTRUCTURED
                ? PruningMask.l1Unstructured(amount) : PruningMask.randomUnstructured(amount);
        double[] mask = PruningMask.combine(chosen, new PruningMask.Values(all, new int[] {all.length}), concat(masks),
                caller + ": parameters " + targets);
        for (int i = 0, at = 0; i < targets.size(); at += values.get(i).length, i++) {
            Target t = targets.get(i);
            apply(caller, t.module(), t.name(), PruningMask.custom(Arrays.copyOfRange(mask, at,
                    at + values.get(i).length)));
        }
    }

    private static double[] concat(List<double[]> parts) {
        return parts.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    /**
     * PyTorch's {@code prune.remove}: makes {@code name} a plain parameter again, the tensor that was
     * {@code name_orig} (registered after the module's other parameters, as PyTorch's) holding the pruned weight,
     * its pruned entries 0 from now on only in value; the mask is closed. Returns the module.
     *
     * @throws IllegalArgumentException naming the module when {@code name} is not pruned
     */
    public static <M extends Module> M remove(M module, String name) {
        if (!(module.computedParameter(name) instanceof Pruned)) {
            throw new IllegalArgumentException("Prune.remove: parameter '" + name + "' of " + module.describe()
                    + " is not pruned; prune it before removing the pruning");
        }
        Tensor orig = module.param(name + ORIG);
        boolean trainable = orig.requiresGrad();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            orig.assign(module.param(name));
        }
        module.stopComputing(name);
        module.removeParameter(name + ORIG);
        module.removeBuffer(name + MASK).close();
        module.registerParameter(name, orig).requiresGrad(trainable);
        return module;
    }

    /** PyTorch's {@code prune.is_pruned}: whether a parameter of {@code module} or of a sub-module is pruned. */
    public static boolean isPruned(Module module) {
        for (Module m : module.namedModules().values()) {
            for (String p : m.parameterNames()) {
                if (p.endsWith(ORIG) && m.computedParameter(p.substring(0, p.length() - ORIG.length())) instanceof Pruned) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The weight {@code caller} prunes, as the module reads it: pruned already, or a plain parameter whose
     * {@code name_orig} and {@code name_mask} are free.
     */
    private static Tensor prunable(String caller, Module module, String name) {
        if (module.computedParameter(name) instanceof Pruned) {
            return module.param(name);
        }
        Tensor weight = Parametrizations.parameterToReplace(caller, module, name);
        for (String taken : new String[] {name + ORIG, name + MASK}) {
            if (module.param(taken) != null || module.buffer(taken) != null || module.module(taken) != null) {
                throw new IllegalArgumentException(caller + ": " + module.describe() + " already has '" + taken
                        + "', which pruning parameter '" + name + "' would register");
            }
        }
        return weight;
    }

    /**
     * What ranks the entries of {@code weight}: {@code importanceScores}, of its shape, or (null) the weight itself.
     *
     * @throws IllegalArgumentException naming the module and parameter when the shapes differ
     */
    private static Tensor scores(String caller, Module module, String name, Tensor weight, Tensor importanceScores) {
        if (importanceScores == null) {
            return weight;
        }
        if (!importanceScores.shape().equals(weight.shape())) {
            throw new IllegalArgumentException(caller + ": importance scores " + importanceScores.shape()
                    + " do not match parameter '" + name + "' " + weight.shape() + " of " + module.describe());
        }
        return importanceScores;
    }

    /** The mask of {@code name}: its buffer's values, or all ones when it is not pruned yet. */
    private static double[] currentMask(Module module, String name, int size) {
        if (module.computedParameter(name) instanceof Pruned) {
            return module.buffer(name + MASK).toDoubleArray();
        }
        double[] ones = new double[size];
        Arrays.fill(ones, 1);
        return ones;
    }

    /**
     * Prunes {@code name} of {@code module} with {@code method} among what is left: computes the new mask on the
     * host, then registers {@code name_orig} and {@code name_mask} (the first time) or updates the mask.
     */
    private static <M extends Module> M apply(String caller, M module, String name, PruningMask.Method method) {
        return apply(caller, module, name, method, null);
    }

    /** {@link #apply(String, Module, String, PruningMask.Method)} ranking by {@code importanceScores}, or the weight. */
    private static <M extends Module> M apply(String caller, M module, String name, PruningMask.Method method,
            Tensor importanceScores) {
        String what = caller + ": parameter '" + name + "' of " + module.describe();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor weight = prunable(caller, module, name);
            Tensor ranked = scores(caller, module, name, weight, importanceScores);
            double[] mask = PruningMask.combine(method, PruningMask.Values.of(ranked),
                    currentMask(module, name, (int) weight.size()), what);
            Tensor values = Tensor.fromArray(mask, weight.shape().dims()).to(weight.dtype());
            if (module.computedParameter(name) instanceof Pruned) {
                module.buffer(name + MASK).assign(values);
            } else {
                boolean trainable = weight.requiresGrad();
                module.registerParameter(name + ORIG, module.removeParameter(name)).requiresGrad(trainable);
                module.registerBuffer(name + MASK, Module.unscoped(values::copy));
                module.computeParameter(name, new Pruned(name));
            }
        }
        return module;
    }
}
