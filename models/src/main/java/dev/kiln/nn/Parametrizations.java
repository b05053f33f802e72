package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * PyTorch's {@code module.parametrizations} ({@code torch.nn.utils.parametrize}): the ModuleDict that registering a
 * parametrization adds to a module, holding a {@link ParametrizationList} for each parametrized tensor. Its place in
 * the module tree gives PyTorch's state-dict names: {@code parametrizations.weight.original} for the tensor that is
 * trained and {@code parametrizations.weight.0.*} for the parametrization's own state. The module reads the
 * parametrized tensor through {@link Module#param(String)}, a {@link Module.ComputedParameter} that applies the
 * parametrization to the original at each read. It has no forward pass of its own.
 */
final class Parametrizations extends Module {
    /** The sub-module's name, as PyTorch's. */
    static final String NAME = "parametrizations";

    /** Reads {@code name} as its parametrization applied to its original. */
    private record Parametrized(String name) implements ComputedParameter {
        @Override
        public Tensor compute(Module module) {
            return list(module, name).value();
        }
    }

    private Parametrizations() {
    }

    /**
     * The parameter {@code name} of {@code module} that {@code caller} (e.g. {@code "SpectralNorm.apply"}) is to
     * replace.
     *
     * @throws IllegalArgumentException naming the module and the parameter when it is computed already (weight norm or
     *     a parametrization: one at a time) or the module has no parameter of that name (listing those it has)
     */
    static Tensor parameterToReplace(String caller, Module module, String name) {
        ComputedParameter c = module.computedParameter(name);
        if (c != null) {
            throw new IllegalArgumentException(caller + ": parameter '" + name + "' of " + module
                    + " is already computed by " + describe(module, name, c) + "; remove that first");
        }
        Tensor t = module.param(name);
        if (t == null) {
            throw new IllegalArgumentException(caller + ": " + module + " has no parameter '" + name
                    + "'; its parameters are " + module.parameterNames());
        }
        return t;
    }

    private static String describe(Module module, String name, ComputedParameter c) {
        return c instanceof Parametrized ? list(module, name).parametrization().getClass().getSimpleName()
                : c.toString();
    }

    /**
     * Makes {@code module}'s parameter {@code name} read as {@code parametrization.forward(original)}: the tensor
     * itself moves to {@code parametrizations.name.original} (so an optimizer given it before keeps training it) and
     * {@code parametrization} to {@code parametrizations.name.0}, in the module's training mode. The caller has checked
     * the name with {@link #parameterToReplace}.
     */
    static void register(Module module, String name, Module parametrization) {
        Module dict = module.module(NAME);
        if (dict == null) {
            dict = module.registerModule(NAME, new Parametrizations());
        } else if (!(dict instanceof Parametrizations)) {
            throw new IllegalArgumentException(module + ": sub-module '" + NAME + "' is a " + dict
                    + ", not the parametrizations it would hold");
        }
        parametrization.train(module.isTraining());
        dict.registerModule(name, new ParametrizationList(module.removeParameter(name), parametrization));
        module.computeParameter(name, new Parametrized(name));
    }

    /**
     * The parametrization of {@code module}'s parameter {@code name}, or null when it has none (no parametrization, or
     * weight norm).
     */
    static Module parametrization(Module module, String name) {
        return module.computedParameter(name) instanceof Parametrized ? list(module, name).parametrization() : null;
    }

    /**
     * Ends the parametrization of {@code name} (which {@link #parametrization} found), as PyTorch's
     * {@code remove_parametrizations(module, name, leave_parametrized=True)}: the original tensor becomes the parameter
     * again, holding the parametrized value computed in the module's current mode, and the parametrization is closed;
     * the dict goes with its last entry.
     */
    static void remove(Module module, String name) {
        Module dict = module.module(NAME);
        ParametrizationList list = list(module, name);
        Tensor original = list.original();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            original.assign(module.param(name));
        }
        module.stopComputing(name);
        dict.removeModule(name);
        list.removeParameter(ParametrizationList.ORIGINAL);
        list.close();
        if (dict.namedChildren().isEmpty()) {
            module.removeModule(NAME);
        }
        boolean trainable = original.requiresGrad();
        module.registerParameter(name, original).requiresGrad(trainable);
    }

    private static ParametrizationList list(Module module, String name) {
        return (ParametrizationList) module.module(NAME).module(name);
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(NAME + ": holds parametrizations, which their module reads through"
                + " its parameters; it has no forward pass");
    }
}
