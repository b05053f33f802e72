package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * PyTorch 1.13's {@code torch.nn.utils.parametrize}: makes a module read one of its parameters as a function of another
 * tensor, the one that is trained, e.g. a weight constrained to be symmetric or orthogonal. After
 * {@code registerParametrization(linear, "weight", p)} the module reads {@code p.forward(original)} wherever it reads
 * its weight (each forward pass, {@link Sequential}'s fused paths, {@code weight()}), with gradients through
 * {@code p} to the original. The names are PyTorch's, so state dicts carry over key for key: the original is the
 * parameter {@code parametrizations.weight.original} (the former weight tensor itself, so an optimizer made before
 * keeps training it) and {@code p} the sub-module {@code parametrizations.weight.0}, its own parameters and buffers
 * below it. Registering another parametrization on the same tensor chains it after the first, as
 * {@code parametrizations.weight.1}: the module reads {@code p1.forward(p0.forward(original))}.
 *
 * <p>A parametrization is any {@link Module} whose {@code forward} maps a tensor to one of the same shape and dtype (or
 * any, with {@code unsafe}); one that implements {@link RightInverse} also sets the original at registration and
 * through {@link #assign}. {@link SpectralNorm} and {@link Orthogonal} are such. One that implements
 * {@link SeveralOriginals}, as {@link WeightNormParametrization}, reads several originals instead, PyTorch's
 * {@code original0}, {@code original1}, ... (its right_inverse returning a sequence); it comes first in its chain.
 * Kiln parametrizes parameters, not buffers. {@link WeightNorm} and pruning compute a parameter in their own way and
 * do not combine with a parametrization of it.
 */
public final class Parametrize {
    private static final String REGISTER = "Parametrize.registerParametrization";

    /**
     * PyTorch's {@code right_inverse} of a parametrization: a tensor that the parametrization's forward pass maps to
     * {@code value}, {@code forward(rightInverse(value)) == value} (or near it, where forward is not onto), of
     * {@code value}'s shape and dtype. Called without gradients on registration, where it gives the original its first
     * value (the parametrized tensor then starts as the parameter was), and by {@link Parametrize#assign}.
     */
    public interface RightInverse {
        /** The tensor that forward maps to {@code value}, same shape and dtype. */
        Tensor rightInverse(Tensor value);
    }

    /**
     * A parametrization that reads several tensors, PyTorch's whose {@code right_inverse} returns a sequence: the
     * originals become the parameters {@code parametrizations.name.original0}, {@code .original1}, ... in the order of
     * {@link #rightInverses}, and the module reads {@link #forward(List)} of them. The {@link Module} that implements
     * it is registered first in its chain; its one-tensor forward pass is not called.
     */
    public interface SeveralOriginals {
        /** The originals, {@code original0} first, that {@link #forward(List)} maps to {@code value}. */
        List<Tensor> rightInverses(Tensor value);

        /** The parametrized tensor from the originals, in the order of {@link #rightInverses}. */
        Tensor forward(List<Tensor> originals);
    }

    private Parametrize() {
    }

    /** {@link #registerParametrization(Module, String, Module, boolean)} with the checks ({@code unsafe} false). */
    public static <M extends Module> M registerParametrization(M module, String name, Module parametrization) {
        return registerParametrization(module, name, parametrization, false);
    }

    /**
     * PyTorch's {@code register_parametrization(module, name, parametrization, unsafe=unsafe)}: makes
     * {@code module}'s parameter {@code name} read as {@code parametrization.forward} of what it read before, in the
     * module's training mode; returns the module. On a plain parameter the tensor moves to
     * {@code parametrizations.name.original}, holding {@code parametrization.rightInverse(weight)} where it is a
     * {@link RightInverse}; on one parametrized already the parametrization is chained after the others. Unless
     * {@code unsafe}, it first runs the parametrization (and its right inverse) once without gradients, and refuses
     * one that changes the tensor's shape or dtype.
     *
     * @throws IllegalArgumentException naming the module and the parameter when it has no such parameter, it is
     *     computed by weight norm or pruning, or the parametrization (or its right inverse) changes its shape or dtype
     */
    public static <M extends Module> M registerParametrization(M module, String name, Module parametrization,
            boolean unsafe) {
        if (parametrization == null || parametrization == module) {
            throw new IllegalArgumentException(REGISTER + ": parametrization of parameter '" + name + "' of "
                    + module.describe()
                    + " is " + (parametrization == null ? "null" : "the module itself"));
        }
        if (parametrization instanceof SeveralOriginals several) {
            return registerSeveral(module, name, several, unsafe);
        }
        if (Parametrizations.isParametrized(module, name)) {
            if (!unsafe) {
                checkChained(module, name, parametrization);
            }
            Parametrizations.append(module, name, parametrization);
            return module;
        }
        Tensor original = Parametrizations.parameterToReplace(REGISTER, module, name);
        parametrization.train(module.isTraining());
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor start = parametrization instanceof RightInverse r
                    ? checked(r.rightInverse(original), original, parametrization, "rightInverse", module, name)
                    : original;
            if (!unsafe) {
                checked(parametrization.forward(start), original, parametrization, "forward", module, name);
            }
            if (start != original) {
                original.assign(start);
            }
        }
        Parametrizations.register(module, name, parametrization);
        return module;
    }

    /** Registers a parametrization of several originals, which must come first in the chain; returns the module. */
    private static <M extends Module> M registerSeveral(M module, String name, SeveralOriginals parametrization,
            boolean unsafe) {
        Module p = (Module) parametrization;
        if (Parametrizations.isParametrized(module, name)) {
            throw new IllegalArgumentException(REGISTER + ": " + p.getClass().getSimpleName() + " reads several"
                    + " originals, so it must come first, but parameter '" + name + "' of " + module.describe()
                    + " is parametrized already");
        }
        Tensor weight = Parametrizations.parameterToReplace(REGISTER, module, name);
        p.train(module.isTraining());
        List<Tensor> originals;
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            originals = parametrization.rightInverses(weight).stream()
                    .map(t -> Module.unscoped(t::copy).requiresGrad(weight.requiresGrad())).toList();
        }
        if (!unsafe) {
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                checked(parametrization.forward(originals), weight, p, "forward", module, name);
            }
        }
        Parametrizations.register(module, name, parametrization, originals);
        return module;
    }

    /** PyTorch's checks of a chained parametrization: forward, then its right inverse, keep the current value's form. */
    private static void checkChained(Module module, String name, Module parametrization) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor current = module.param(name);
            Tensor mapped = checked(parametrization.forward(current), current, parametrization, "forward", module, name);
            if (parametrization instanceof RightInverse r) {
                checked(r.rightInverse(mapped), current, parametrization, "rightInverse", module, name);
            }
        }
    }

    /** {@code result}, which {@code parametrization}'s {@code method} made, when it has {@code like}'s shape and dtype. */
    private static Tensor checked(Tensor result, Tensor like, Module parametrization, String method, Module module,
            String name) {
        if (result == null || !result.shape().equals(like.shape()) || result.dtype() != like.dtype()) {
            throw new IllegalArgumentException(REGISTER + ": " + parametrization.getClass().getSimpleName() + "."
                    + method + " maps parameter '" + name + "' " + like.shape() + " " + like.dtype() + " of "
                    + module.describe()
                    + " to " + (result == null ? "null" : result.shape() + " " + result.dtype())
                    + "; a parametrization may change neither shape nor dtype"
                    + (method.equals("forward") ? " unless registered unsafe" : ""));
        }
        return result;
    }

    /** PyTorch's {@code is_parametrized(module)}: whether any parameter of {@code module} (not its children) is. */
    public static boolean isParametrized(Module module) {
        return module.module(Parametrizations.NAME) instanceof Parametrizations;
    }

    /** PyTorch's {@code is_parametrized(module, name)}: whether {@code module}'s parameter {@code name} is. */
    public static boolean isParametrized(Module module, String name) {
        return Parametrizations.isParametrized(module, name);
    }

    /** {@link #removeParametrizations(Module, String, boolean) removeParametrizations(module, name, true)}. */
    public static <M extends Module> M removeParametrizations(M module, String name) {
        return removeParametrizations(module, name, true);
    }

    /**
     * PyTorch's {@code remove_parametrizations(module, name, leave_parametrized)}: {@code name} is a plain parameter
     * again, the tensor that was {@code parametrizations.name.original} (so an optimizer keeps training it), holding
     * the parametrized value computed in the module's current mode with {@code leaveParametrized}, else the original's
     * own value (a parametrized value of another shape or dtype, from an unsafe parametrization, goes into a new
     * tensor instead, the original closed: give an optimizer the new one). Several originals
     * ({@link SeveralOriginals}) are closed and the parametrized value goes into a new tensor; they cannot be left
     * unparametrized. The whole chain goes; the parametrizations the caller registered stay open (close them when
     * done), those that Kiln made ({@link SpectralNorm}, {@link Orthogonal}, {@link WeightNormParametrization}) are
     * closed. Returns the module.
     *
     * @throws IllegalArgumentException naming the module when {@code name} is not parametrized, or is parametrized in
     *     terms of several originals and {@code leaveParametrized} is false
     */
    public static <M extends Module> M removeParametrizations(M module, String name, boolean leaveParametrized) {
        requireParametrized("Parametrize.removeParametrizations", module, name);
        Parametrizations.remove(module, name, leaveParametrized);
        return module;
    }

    /**
     * PyTorch's {@code module.name = value} on a parametrized tensor: runs {@code value} through the right inverses of
     * the chain, last first, without gradients, and writes the result into the original (the originals, for a
     * {@link SeveralOriginals} first), so that the module then reads {@code value} (where the parametrizations are
     * onto). Returns the module.
     *
     * @throws IllegalArgumentException naming the module when {@code name} is not parametrized, a parametrization of
     *     the chain is no {@link RightInverse}, or a right inverse gives another shape or dtype than the original's
     */
    public static <M extends Module> M assign(M module, String name, Tensor value) {
        requireParametrized("Parametrize.assign", module, name);
        List<Module> chain = Parametrizations.parametrizations(module, name);
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = value;
            int first = chain.get(0) instanceof SeveralOriginals ? 1 : 0;
            for (int i = chain.size() - 1; i >= first; i--) {
                if (!(chain.get(i) instanceof RightInverse r)) {
                    throw new IllegalArgumentException("Parametrize.assign: parametrization " + i + " of parameter '"
                            + name + "' of " + module.describe() + ", " + chain.get(i).getClass().getSimpleName()
                            + ", implements no RightInverse");
                }
                x = r.rightInverse(x);
            }
            List<Tensor> targets = Parametrizations.originals(module, name);
            List<Tensor> values = chain.get(0) instanceof SeveralOriginals several ? several.rightInverses(x)
                    : List.of(x);
            for (int i = 0; i < targets.size(); i++) {
                assignOriginal(module, name, value, i, targets.get(i), i < values.size() ? values.get(i) : null);
            }
        }
        ParametrizationCache.forget(module, name);
        return module;
    }

    /** Writes {@code x}, which the right inverses made from {@code value}, into original {@code i}. */
    private static void assignOriginal(Module module, String name, Tensor value, int i, Tensor original, Tensor x) {
        if (x == null || !x.shape().equals(original.shape()) || x.dtype() != original.dtype()) {
            throw new IllegalArgumentException("Parametrize.assign: the right inverses map " + value.shape() + " "
                    + value.dtype() + " to " + (x == null ? "nothing" : x.shape() + " " + x.dtype()) + ", but original "
                    + i + " of parameter '" + name + "' of " + module.describe() + " is " + original.shape() + " "
                    + original.dtype());
        }
        original.assign(x);
    }

    /**
     * PyTorch's {@code parametrize.cached()}: opens a block (try-with-resources) in which each parametrized tensor this
     * thread reads is computed once; see {@link ParametrizationCache}.
     */
    public static ParametrizationCache cached() {
        return ParametrizationCache.open();
    }

    private static void requireParametrized(String caller, Module module, String name) {
        if (!Parametrizations.isParametrized(module, name)) {
            throw new IllegalArgumentException(caller + ": parameter '" + name + "' of " + module.describe()
                    + " is not parametrized; its parametrized parameters are "
                    + (isParametrized(module) ? module.module(Parametrizations.NAME).namedChildren().keySet() : "[]"));
        }
    }
}
