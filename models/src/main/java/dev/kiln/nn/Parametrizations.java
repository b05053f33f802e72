package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.stream.Collectors;

/**
 * PyTorch's {@code module.parametrizations} ({@code torch.nn.utils.parametrize}): the ModuleDict that registering a
 * parametrization adds to a module, holding a {@link ParametrizationList} for each parametrized tensor. Its place in
 * the module tree gives PyTorch's state-dict names: {@code parametrizations.weight.original} for the tensor that is
 * trained and {@code parametrizations.weight.0.*}, {@code .1.*}, ... for the parametrizations' own state. The module
 * reads the parametrized tensor through {@link Module#param(String)}, a {@link Module.ComputedParameter} that applies
 * the chain to the original at each read (once inside {@link Parametrize#cached()}). It has no forward pass of its
 * own. {@link Parametrize} is the public entry; {@link SpectralNorm} registers through it too.
 */
final class Parametrizations extends Module {
    /** The sub-module's name, as PyTorch's. */
    static final String NAME = "parametrizations";

    /** Reads {@code name} as its chain of parametrizations applied to its original. */
    private record Parametrized(String name) implements ComputedParameter {
        @Override
        public Tensor compute(Module module) {
            return ParametrizationCache.value(module, name, () -> list(module, name).value());
        }
    }

    private Parametrizations() {
    }

    /**
     * The parameter {@code name} of {@code module} that {@code caller} (e.g. {@code "SpectralNorm.apply"}) is to
     * replace.
     *
     * @throws IllegalArgumentException naming the module and the parameter when it is computed already (weight norm,
     *     pruning or a parametrization: one at a time) or the module has no parameter of that name (listing those it
     *     has)
     */
    static Tensor parameterToReplace(String caller, Module module, String name) {
        Module.ComputedParameter c = module.computedParameter(name);
        if (c != null) {
            throw new IllegalArgumentException(caller + ": parameter '" + name + "' of " + module.describe()
                    + " is already computed by " + describe(module, name, c) + "; remove that first");
        }
        Tensor t = module.param(name);
        if (t == null) {
            throw new IllegalArgumentException(caller + ": " + module.describe() + " has no parameter '" + name
                    + "'; its parameters are " + module.parameterNames());
        }
        return t;
    }

    private static String describe(Module module, String name, Module.ComputedParameter c) {
        return c instanceof Parametrized
                ? list(module, name).parametrizations().stream().map(p -> p.getClass().getSimpleName())
                        .collect(Collectors.joining(", "))
                : c.toString();
    }

    /**
     * Makes {@code module}'s parameter {@code name} read as {@code parametrization.forward(original)}: the tensor
     * itself moves to {@code parametrizations.name.original} (so an optimizer given it before keeps training it) and
     * {@code parametrization} to {@code parametrizations.name.0}, in the module's training mode. The caller has checked
     * the name with {@link #parameterToReplace} and set the original's value.
     */
    static void register(Module module, String name, Module parametrization) {
        ParametrizationList list = new ParametrizationList(module.removeParameter(name), parametrization);
        registerList(module, name, parametrization, list);
    }

    /**
     * Like {@link #register}, for a parametrization that reads several originals: they become the parameters
     * {@code parametrizations.name.original0}, {@code .original1}, ... (the caller made them, unscoped, requiring a
     * gradient where the parameter did); the former parameter is closed.
     */
    static void register(Module module, String name, Parametrize.SeveralOriginals parametrization,
            List<Tensor> originals) {
        module.removeParameter(name).close();
        registerList(module, name, (Module) parametrization, new ParametrizationList(originals, parametrization));
    }

    private static void registerList(Module module, String name, Module parametrization, ParametrizationList list) {
        Module dict = module.module(NAME);
        if (dict == null) {
            dict = module.registerModule(NAME, new Parametrizations());
        } else if (!(dict instanceof Parametrizations)) {
            throw new IllegalArgumentException(module.describe() + ": sub-module '" + NAME + "' is a " + dict
                    + ", not the parametrizations it would hold");
        }
        parametrization.train(module.isTraining());
        dict.registerModule(name, list);
        module.computeParameter(name, new Parametrized(name));
    }

    /** Adds {@code parametrization} at the end of the chain of {@code name}, which {@link #isParametrized}. */
    static void append(Module module, String name, Module parametrization) {
        parametrization.train(module.isTraining());
        list(module, name).append(parametrization);
        ParametrizationCache.forget(module, name);
    }

    /** Whether {@code module}'s parameter {@code name} is read through a chain of parametrizations. */
    static boolean isParametrized(Module module, String name) {
        return module.computedParameter(name) instanceof Parametrized;
    }

    /** The chain of {@code name}, first applied first, or an empty list when it has none. */
    static List<Module> parametrizations(Module module, String name) {
        return isParametrized(module, name) ? list(module, name).parametrizations() : List.of();
    }

    /** The tensor that is trained in place of {@code name}, which {@link #isParametrized}; null with several. */
    static Tensor original(Module module, String name) {
        return list(module, name).original();
    }

    /** The tensors that are trained in place of {@code name}, which {@link #isParametrized}: one, or several. */
    static List<Tensor> originals(Module module, String name) {
        return list(module, name).originals();
    }

    /**
     * Ends the parametrization of {@code name} (which {@link #isParametrized}), as PyTorch's
     * {@code remove_parametrizations(module, name, leave_parametrized)}: the original tensor becomes the parameter
     * again, holding, with {@code leaveParametrized}, the parametrized value computed in the module's current mode
     * (in place where it has the original's shape and dtype, else in a new tensor, the original closed). Several
     * originals are closed, the value going into a new tensor (refused without {@code leaveParametrized}, as PyTorch
     * refuses it, before anything changes). The dict goes with its last entry. The parametrizations of the chain that
     * Kiln made ({@link SpectralNorm}, {@link Orthogonal}, {@link WeightNormParametrization}) are closed; those the
     * caller made stay open to it.
     */
    static void remove(Module module, String name, boolean leaveParametrized) {
        Module dict = module.module(NAME);
        ParametrizationList list = list(module, name);
        List<Tensor> originals = list.originals();
        boolean trainable = originals.get(0).requiresGrad();
        Tensor original;
        if (list.hasSeveralOriginals()) {
            original = valueOfSeveral(module, name, leaveParametrized);
        } else if (leaveParametrized) {
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                original = valueInto(originals.get(0), module.param(name));
            }
        } else {
            original = originals.get(0);
        }
        module.stopComputing(name);
        ParametrizationCache.forget(module, name);
        dict.removeModule(name);
        if (list.hasSeveralOriginals()) {
            for (int i = 0; i < originals.size(); i++) {
                list.removeParameter(ParametrizationList.ORIGINAL + i).close();
            }
        } else {
            list.removeParameter(ParametrizationList.ORIGINAL);
        }
        if (dict.namedChildren().isEmpty()) {
            module.removeModule(NAME);
        }
        module.registerParameter(name, original).requiresGrad(trainable);
        list.parametrizations().stream()
                .filter(p -> p instanceof SpectralNorm || p instanceof Orthogonal
                        || p instanceof WeightNormParametrization)
                .forEach(Module::close);
    }

    /**
     * The parametrized value of {@code name}, read from several originals, in a new leaf: PyTorch keeps no original to
     * leave it unparametrized in.
     */
    private static Tensor valueOfSeveral(Module module, String name, boolean leaveParametrized) {
        if (!leaveParametrized) {
            throw new IllegalArgumentException("Parametrize.removeParametrizations: parameter '" + name + "' of "
                    + module.describe()
                    + " is parametrized in terms of several originals, so it cannot be left unparametrized"
                    + " (leaveParametrized false)");
        }
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor value = module.param(name);
            return unscoped(value::copy);
        }
    }

    /**
     * {@code original} holding {@code value}: itself, assigned, or (another shape or dtype: an unsafe parametrization)
     * a new leaf instead. Gradients are off.
     */
    private static Tensor valueInto(Tensor original, Tensor value) {
        if (value.shape().equals(original.shape()) && value.dtype() == original.dtype()) {
            original.assign(value);
            return original;
        }
        Tensor fresh = unscoped(value::copy);
        original.close();
        return fresh;
    }

    private static ParametrizationList list(Module module, String name) {
        return (ParametrizationList) module.module(NAME).module(name);
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(NAME + ": holds parametrizations, which their module reads through"
                + " its parameters; it has no forward pass");
    }

    /** PyTorch's class of the {@code parametrizations} dict, {@code ModuleDict}, which its repr prints. */
    @Override
    protected String typeName() {
        return "ModuleDict";
    }
}
