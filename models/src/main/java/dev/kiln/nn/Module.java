package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Base class of every layer and model, after PyTorch's {@code torch.nn.Module}: named parameters
 * (trainable tensors), buffers (state that is saved but not trained, such as running means) and
 * sub-modules, a training/evaluation mode, a state dict for saving and loading, and freezing for
 * transfer learning. {@link #forward} maps a batch to a batch, e.g. [batch, in] to [batch, out]; each
 * layer documents its shapes.
 *
 * <p>Names follow PyTorch's {@code state_dict}: dotted paths such as {@code "layers.0.weight"}; a
 * module's own parameters come first, then its buffers, then each sub-module in registration order.
 *
 * <p>Parameters and buffers live until {@link #close()}; they must not belong to a {@link Scope}. Create
 * them with {@link #unscoped(Supplier)}, which is safe even when the module is built inside a scope.
 *
 * <p>A subclass that wants {@link #to(DType)} to work reads its tensors through {@link #param(String)} and
 * {@link #buffer(String)} at each forward call rather than caching them in fields, because {@code to}
 * replaces them. Likewise a subclass that wants {@link #copy()} to work reads its sub-modules through
 * {@link #module(String)} rather than keeping them in fields, because a copy must not share them. Composite
 * modules run their children with {@link #call(Tensor)} (PyTorch's {@code module(x)}) so that
 * {@link #summary(int...)} sees every output shape.
 */
public abstract class Module implements AutoCloseable, Cloneable {
    // Not final: copy() gives each copy maps of its own.
    private Map<String, Tensor> parameters = new LinkedHashMap<>();
    private Map<String, Tensor> buffers = new LinkedHashMap<>();
    private Map<String, Module> modules = new LinkedHashMap<>();
    private Map<String, ComputedParameter> computed = new LinkedHashMap<>();
    /** What stands in for own parameters and buffers during a {@link #functionalCall}; empty otherwise. */
    private Map<String, Tensor> substitutes = Map.of();
    private boolean training = true;

    /** Null until a forward hook is registered; a copy starts without. */
    private ForwardHooks forwardHooks;

    /** When set (by {@link #summary}), {@link #call} records the shape of its output. */
    boolean recordShapes;
    Shape lastOutputShape;

    // ---- Registration -------------------------------------------------------------------------------

    /**
     * Registers a trainable tensor under {@code name} and marks it {@code requiresGrad(true)}. A null
     * tensor (PyTorch's {@code bias=None}) registers nothing and returns null.
     *
     * @return {@code t}
     */
    protected Tensor registerParameter(String name, Tensor t) {
        checkName(name);
        if (t == null) {
            return null;
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name + "' must be F32 or F64, got "
                    + t.dtype());
        }
        if (!t.isLeaf()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name + "' was made by op "
                    + t.gradFnName() + "; parameters are leaves (detach() it or create it directly)");
        }
        t.requiresGrad(true);
        parameters.put(name, t);
        return t;
    }

    /** Registers non-trainable state (running statistics, counters) saved in the state dict; returns {@code t}. */
    protected Tensor registerBuffer(String name, Tensor t) {
        checkName(name);
        if (t == null) {
            return null;
        }
        buffers.put(name, t);
        return t;
    }

    /**
     * Puts {@code t} in place of this module's buffer {@code name}, for state whose shape changes (an observer's range
     * that a first tensor sizes), and closes the old buffer; returns {@code t}.
     *
     * @throws IllegalArgumentException when {@code name} is not a buffer of this module
     */
    protected Tensor replaceBuffer(String name, Tensor t) {
        Tensor old = buffers.get(name);
        if (old == null || t == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + notA("buffer", name)
                    + " to replace by " + (t == null ? "null" : t.shape()));
        }
        buffers.put(name, t);
        old.close();
        return t;
    }

    /**
     * Whether this module's buffer {@code name} takes the shape of the checkpoint's tensor in {@link #loadStateDict}
     * instead of refusing another shape, as PyTorch's observers resize their ranges and {@code FakeQuantize} its
     * qparams in {@code _load_from_state_dict} (empty or [1] before the first tensor, [channels] after). None by
     * default.
     */
    protected boolean resizesOnLoad(String name) {
        return false;
    }

    /** Registers a sub-module whose parameters appear under {@code name.}; returns {@code m}. */
    protected <M extends Module> M registerModule(String name, M m) {
        checkName(name);
        if (m == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": sub-module '" + name + "' is null");
        }
        if (m == this) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a module cannot contain itself");
        }
        modules.put(name, m);
        return m;
    }

    /**
     * Puts {@code m} in place of the direct sub-module {@code name}, in the same position, as PyTorch's
     * {@code model.name = m} does; returns the old one, which the caller closes (or keeps).
     *
     * @throws IllegalArgumentException naming both when this module has no sub-module {@code name}
     */
    protected Module replaceModule(String name, Module m) {
        if (!modules.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no sub-module '" + name + "' to replace;"
                    + " it has " + modules.keySet());
        }
        if (m == null || m == this) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": sub-module '" + name + "' cannot be "
                    + (m == null ? "null" : "the module itself"));
        }
        return modules.put(name, m);
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' must be non-empty and contain no '.'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || modules.containsKey(name)
                || computed.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already registered");
        }
    }

    /**
     * This module's own parameter {@code name} (not a sub-module's), or null when registered as null/absent. A
     * computed parameter ({@link ComputedParameter}: {@link WeightNorm}, {@link SpectralNorm}) is computed afresh at
     * each call, in the caller's scope and with gradients to the tensors it is computed from.
     */
    protected Tensor param(String name) {
        Tensor substitute = substitutes.get(name);
        if (substitute != null) {
            return substitute;
        }
        ComputedParameter c = computed.get(name);
        return c == null ? parameters.get(name) : c.compute(this);
    }

    // ---- Computed parameters ------------------------------------------------------------------------

    /**
     * A parameter that a module reads through {@link #param(String)} like any other but does not hold: it is computed
     * at each read from tensors the module does hold, as PyTorch's parametrizations and its weight norm's pre-hook
     * compute a module's {@code weight}. Layers read their weights through {@code param} at each forward pass, so
     * every path computes with it unchanged: {@link #forward}, {@link #call}, {@link Sequential}'s fused
     * Linear/Conv2d + activation, and code that reads {@code weight()} outside a forward pass. (A forward pre-hook, the
     * other way to do it, runs only through {@link #call}: a fused layer or a direct forward would miss it.) The
     * optimizer sees the tensors it is computed from, which {@link #namedParameters()} and the state dict list
     * instead of it. An implementation keeps no tensor or module of its own, reading them from the module it is given,
     * so that {@link #copy()} and {@link #to(DType)} carry it over.
     */
    @FunctionalInterface
    interface ComputedParameter {
        /** The parameter's value for {@code module}, which holds the tensors it is computed from. */
        Tensor compute(Module module);
    }

    /** Makes {@link #param(String) param(name)} compute {@code c}; {@code name} must be free (no parameter of it). */
    void computeParameter(String name, ComputedParameter c) {
        checkName(name);
        computed.put(name, c);
    }

    /** What computes parameter {@code name}, or null when it is not computed. */
    ComputedParameter computedParameter(String name) {
        return computed.get(name);
    }

    /** Stops computing parameter {@code name}, freeing the name. */
    void stopComputing(String name) {
        computed.remove(name);
    }

    /** Unregisters own parameter {@code name} and returns it, open: the caller registers it elsewhere or closes it. */
    Tensor removeParameter(String name) {
        return parameters.remove(name);
    }

    /** Unregisters own buffer {@code name} and returns it, open: the caller registers it elsewhere or closes it. */
    Tensor removeBuffer(String name) {
        return buffers.remove(name);
    }

    /** Unregisters direct sub-module {@code name} and returns it, open. */
    Module removeModule(String name) {
        return modules.remove(name);
    }

    /** The names of this module's own parameters, in registration order. */
    Set<String> parameterNames() {
        return Collections.unmodifiableSet(parameters.keySet());
    }

    /** This module's own buffer {@code name}, or null. */
    protected Tensor buffer(String name) {
        Tensor substitute = substitutes.get(name);
        return substitute != null ? substitute : buffers.get(name);
    }

    /** This module's direct sub-module {@code name}, or null. */
    protected Module module(String name) {
        return modules.get(name);
    }

    /** The direct sub-modules by name, in registration order (PyTorch's {@code named_children}); unmodifiable. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(modules);
    }

    /**
     * Runs {@code create} outside every {@link Scope} with gradients off: use it to create parameters and
     * buffers, so that a module built inside a scope keeps its tensors when the scope closes.
     */
    protected static Tensor unscoped(Supplier<Tensor> create) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            return Scope.outside(create);
        }
    }

    // ---- Forward ------------------------------------------------------------------------------------

    /** Computes this module's output; shapes are documented by each layer. */
    public abstract Tensor forward(Tensor x);

    /**
     * Runs {@link #forward}, as PyTorch's {@code module(x)} does: composite modules call their children
     * through this so that {@link #summary} can record each output shape. Forward and backward hooks run here only.
     */
    public final Tensor call(Tensor x) {
        if (!hasHooks()) {
            return recordOutput(forward(x));
        }
        return recordOutput(callHooked(new Tensor[] {x}, in -> forward(in[0])));
    }

    /** Called by {@link #call} with the module and its input before {@link #forward}. */
    @FunctionalInterface
    public interface ForwardPreHook {
        /** Returns the input forward should take instead, or null to keep {@code input}. */
        Tensor beforeForward(Module module, Tensor input);
    }

    /** Called by {@link #call} with the module, its input and its output after {@link #forward}. */
    @FunctionalInterface
    public interface ForwardHook {
        /** Returns the output to hand on instead, or null to keep {@code output}. */
        Tensor afterForward(Module module, Tensor input, Tensor output);
    }

    /**
     * PyTorch's {@code register_forward_pre_hook}: {@code hook} runs each time this module is called
     * ({@link #call}, not a direct {@link #forward}), before forward, and may replace the input. Hooks run in
     * the order registered. A {@link Sequential} does not fuse a hooked layer with the activation after it.
     * {@link #copy()} does not copy hooks.
     */
    public HookHandle registerForwardPreHook(ForwardPreHook hook) {
        return forwardHooks().addPreHook(hook);
    }

    /**
     * PyTorch's {@code register_forward_hook}: {@code hook} runs each time this module is called ({@link #call}),
     * after forward, with the input forward took and its output, and may replace the output: to read a layer's
     * activations (feature extraction, Grad-CAM with {@link Tensor#retainGrad()}) or change them. Hooks run in the
     * order registered. A {@link Sequential} does not fuse a hooked layer with the activation after it.
     * {@link #copy()} does not copy hooks. In a training step replayed as a CUDA graph ({@code Trainer.cudaGraphs}) a
     * hook runs while the step is recorded: the operations it queues replay, what it does on the host does not.
     */
    public HookHandle registerForwardHook(ForwardHook hook) {
        return forwardHooks().addHook(hook);
    }

    /** Whether a forward hook or pre-hook is registered on this module (not its children). */
    public boolean hasForwardHooks() {
        return forwardHooks != null && !forwardHooks.isEmpty();
    }

    private ForwardHooks forwardHooks() {
        if (forwardHooks == null) {
            forwardHooks = new ForwardHooks();
        }
        return forwardHooks;
    }

    /**
     * Frees {@code intermediate}, a tensor a composite module's forward pass made along the way, once
     * {@code next} has been made from it, where nothing can read it any more: with gradients off, which record
     * nothing for a backward pass, and unless it is {@code next} itself (a layer that hands on its input) or a
     * parameter. So a forward pass without gradients, an evaluation, holds a few activations at a time rather
     * than all of them until its scope closes. A view made from it keeps the memory it shares. A tensor a forward
     * hook was given is left to its scope, as the hook may keep it.
     */
    protected static void releaseConsumed(Tensor intermediate, Tensor next) {
        if (!Autograd.isEnabled() && intermediate != next && !intermediate.requiresGrad()
                && !ForwardHooks.seenWithoutGradients(intermediate)) {
            intermediate.close();
        }
    }

    /** {@link #releaseConsumed(Tensor, Tensor)}, unless {@code intermediate} is the caller's {@code input}. */
    protected static void releaseConsumed(Tensor intermediate, Tensor next, Tensor input) {
        if (intermediate != input) {
            releaseConsumed(intermediate, next);
        }
    }

    /**
     * {@code op} applied to {@code intermediate}, a tensor the layer made, which is then released as
     * {@link #releaseConsumed} does: for a chain of ops inside one layer's forward pass.
     */
    protected static Tensor consume(Tensor intermediate, UnaryOperator<Tensor> op) {
        Tensor next = op.apply(intermediate);
        releaseConsumed(intermediate, next);
        return next;
    }

    /** Notes y's shape for {@link #summary} while one is being taken; returns y. */
    final Tensor recordOutput(Tensor y) {
        if (recordShapes && y != null) {
            lastOutputShape = y.shape();
        }
        return y;
    }

    // ---- Mode ---------------------------------------------------------------------------------------

    /** Sets training mode on this module and every sub-module; returns this. */
    public Module train() {
        return train(true);
    }

    /** Sets training ({@code true}) or evaluation mode recursively, like PyTorch's {@code train(mode)}. */
    public Module train(boolean mode) {
        for (Module m : namedModules().values()) {
            m.training = mode;
        }
        return this;
    }

    /** Sets evaluation mode recursively (dropout off, batch norm on running statistics); returns this. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    // ---- Parameters, buffers, modules ---------------------------------------------------------------

    /**
     * This module (under the name {@code ""}, as PyTorch does) and every sub-module, depth first, by
     * dotted name; a module reachable twice appears once.
     */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void collectModules(String prefix, Module m, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(m)) {
            return;
        }
        out.put(prefix, m);
        for (Map.Entry<String, Module> e : m.modules.entrySet()) {
            collectModules(join(prefix, e.getKey()), e.getValue(), out, seen);
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** This module and every sub-module, in {@link #namedModules()} order (PyTorch's {@code modules()}). */
    public List<Module> modules() {
        return new ArrayList<>(namedModules().values());
    }

    /**
     * The direct sub-modules in registration order (PyTorch's {@code children()}); one registered under two
     * names appears once.
     */
    public List<Module> children() {
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Module> out = new ArrayList<>();
        for (Module m : modules.values()) {
            if (seen.add(m)) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Runs {@code fn} on every sub-module and then on this module, as PyTorch's {@code module.apply(fn)} does: each
     * child's whole subtree first (recursively, in registration order), this module last; e.g. to initialise every
     * {@link Linear} of a model. A module reachable through two parents is visited once through each, as in PyTorch.
     *
     * @return this
     */
    public Module apply(Consumer<? super Module> fn) {
        for (Module child : children()) {
            child.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    /**
     * The sub-module at dotted path {@code target} ({@code "encoder.layers.0"}), or this module for {@code ""}, as
     * PyTorch's {@code get_submodule}: one lookup per path element rather than a walk of every module.
     *
     * @throws IllegalArgumentException naming the path, the module reached and the element it lacks (with the
     *     sub-modules it has), or the element that names a parameter or buffer rather than a module
     */
    public Module getSubmodule(String target) {
        return submodule("getSubmodule", target, target);
    }

    /**
     * The parameter at dotted path {@code target} ({@code "encoder.layers.0.linear1.weight"}), as PyTorch's
     * {@code get_parameter}: the module at the path before the last dot ({@link #getSubmodule}), then its own
     * parameter named by the rest. The tensor is the live one.
     *
     * @throws IllegalArgumentException naming the path, the module reached and the missing part: a path element
     *     that is not a sub-module, or a last element that is no parameter of it (with the parameters it has)
     */
    public Tensor getParameter(String target) {
        return ownTensor("getParameter", "parameter", target, m -> m.parameters);
    }

    /**
     * The buffer at dotted path {@code target} ({@code "features.1.running_mean"}), as PyTorch's {@code get_buffer}:
     * the module at the path before the last dot ({@link #getSubmodule}), then its own buffer named by the rest. The
     * tensor is the live one.
     *
     * @throws IllegalArgumentException naming the path, the module reached and the missing part: a path element
     *     that is not a sub-module, or a last element that is no buffer of it (with the buffers it has)
     */
    public Tensor getBuffer(String target) {
        return ownTensor("getBuffer", "buffer", target, m -> m.buffers);
    }

    /**
     * {@code call(input)} with the given tensors in place of the parameters and buffers of those dotted names, as
     * PyTorch's {@code torch.func.functional_call(module, parameters_and_buffers, (input,))}: see
     * {@link #functionalCall(Map, Supplier)}.
     */
    public Tensor functionalCall(Map<String, Tensor> parametersAndBuffers, Tensor input) {
        return functionalCall(parametersAndBuffers, () -> call(input));
    }

    /**
     * Runs {@code body} with the given tensors in place of this module's (and its sub-modules') parameters and
     * buffers of those dotted names ({@code "0.weight"}, {@code "bn.running_mean"}), as PyTorch's
     * {@code torch.func.functional_call}; the others stay. The substitutes may be results of other ops (a
     * meta-learner's fast weights {@code w - lr * grad}, computed with {@code createGraph}), so gradients flow through
     * them to whatever made them; a substitute buffer is what a training-mode forward pass updates in place. The
     * module's own tensors, its state dict and its optimizer's view are untouched, and everything is as before once
     * {@code body} returns or throws. Calls nest. As in PyTorch, the substitution is seen by every thread that uses the
     * module meanwhile.
     *
     * @throws IllegalArgumentException before running anything, naming the entry: a name that is no parameter or
     *     buffer (PyTorch 1.13 ignores it), a tensor of another shape or dtype than the one it stands for, or two
     *     different tensors for one parameter reached by two paths
     */
    public <T> T functionalCall(Map<String, Tensor> parametersAndBuffers, Supplier<T> body) {
        Map<Module, Map<String, Tensor>> byOwner = substitutesByOwner(parametersAndBuffers);
        Map<Module, Map<String, Tensor>> previous = new IdentityHashMap<>();
        for (Map.Entry<Module, Map<String, Tensor>> e : byOwner.entrySet()) {
            Module owner = e.getKey();
            previous.put(owner, owner.substitutes);
            Map<String, Tensor> merged = new LinkedHashMap<>(owner.substitutes);
            merged.putAll(e.getValue());
            owner.substitutes = merged;
        }
        try {
            return body.get();
        } finally {
            previous.forEach((owner, old) -> owner.substitutes = old);
        }
    }

    /** Each entry checked and filed under the module that owns the tensor it stands for. */
    private Map<Module, Map<String, Tensor>> substitutesByOwner(Map<String, Tensor> parametersAndBuffers) {
        Map<Module, Map<String, Tensor>> byOwner = new IdentityHashMap<>();
        for (Map.Entry<String, Tensor> e : parametersAndBuffers.entrySet()) {
            String target = e.getKey();
            Owned at = owned("functionalCall", target);
            Module owner = at.owner();
            String name = at.name();
            Tensor own = owner.parameters.containsKey(name) ? owner.parameters.get(name) : owner.buffers.get(name);
            if (own == null) {
                throw new IllegalArgumentException("functionalCall(\"" + target + "\"): " + describe(owner, at.path())
                        + owner.notA("parameter or buffer", name) + "; its parameters are " + owner.parameters.keySet()
                        + " and its buffers " + owner.buffers.keySet());
            }
            Tensor substitute = e.getValue();
            if (substitute == null || !substitute.shape().equals(own.shape()) || substitute.dtype() != own.dtype()) {
                throw new IllegalArgumentException("functionalCall(\"" + target + "\"): the substitute must be "
                        + own.dtype() + own.shape() + " as the tensor it stands for, got "
                        + (substitute == null ? "null" : substitute.dtype() + "" + substitute.shape()));
            }
            Tensor earlier = byOwner.computeIfAbsent(owner, m -> new LinkedHashMap<>()).put(name, substitute);
            if (earlier != null && earlier != substitute) {
                throw new IllegalArgumentException("functionalCall(\"" + target + "\"): another entry names the same "
                        + "tensor (a module shared under two paths) with a different substitute");
            }
        }
        return byOwner;
    }

    /** The tensor of {@code kind} at dotted {@code target}: the owner's entry of {@code tensors} named by the last part. */
    private Tensor ownTensor(String caller, String kind, String target, Function<Module, Map<String, Tensor>> tensors) {
        Owned at = owned(caller, target);
        Tensor t = tensors.apply(at.owner()).get(at.name());
        if (t == null) {
            throw new IllegalArgumentException(caller + "(\"" + target + "\"): " + describe(at.owner(), at.path())
                    + at.owner().notA(kind, at.name()) + "; its " + kind + "s are "
                    + tensors.apply(at.owner()).keySet());
        }
        return t;
    }

    /** A dotted target's owner: the module at the path before its last dot, and the last part, its own name there. */
    private record Owned(Module owner, String path, String name) {
    }

    private Owned owned(String caller, String target) {
        int dot = target.lastIndexOf('.');
        String path = dot < 0 ? "" : target.substring(0, dot);
        return new Owned(submodule(caller, target, path), path, target.substring(dot + 1));
    }

    /** The module at dotted {@code path} below this one; errors name {@code caller} and its whole {@code target}. */
    private Module submodule(String caller, String target, String path) {
        if (path.isEmpty()) {
            return this;
        }
        Module m = this;
        String reached = "";
        for (String item : path.split("\\.", -1)) {
            Module next = m.modules.get(item);
            if (next == null) {
                throw new IllegalArgumentException(caller + "(\"" + target + "\"): " + describe(m, reached)
                        + m.notA("sub-module", item) + "; its sub-modules are " + m.modules.keySet());
            }
            m = next;
            reached = join(reached, item);
        }
        return m;
    }

    /** "Linear 'fc' " for a module at {@code path}, or "Linear " for the root. */
    private static String describe(Module m, String path) {
        return m.getClass().getSimpleName() + (path.isEmpty() ? " " : " '" + path + "' ");
    }

    /** Why {@code name} is not this module's {@code kind}: absent, or registered as something else. */
    private String notA(String kind, String name) {
        String what = parameters.containsKey(name) ? "a parameter" : buffers.containsKey(name) ? "a buffer"
                : modules.containsKey(name) ? "a sub-module" : computed.containsKey(name) ? "a computed parameter" : null;
        return what == null ? "has no " + kind + " '" + name + "'" : "has '" + name + "' as " + what + ", not a " + kind;
    }

    /** Every parameter by dotted name ({@code "0.weight"}), recursive; a shared tensor appears once. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            for (Map.Entry<String, Tensor> p : e.getValue().parameters.entrySet()) {
                if (seen.add(p.getValue())) {
                    out.put(join(e.getKey(), p.getKey()), p.getValue());
                }
            }
        }
        return out;
    }

    /** Every parameter, in {@link #namedParameters()} order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Forgets every parameter's gradient, dense and sparse: PyTorch's {@code zero_grad(set_to_none=True)}, as
     * {@link dev.kiln.optim.Optimizer#zeroGrad()} and the Trainer do. PyTorch 1.13's {@code zero_grad()} without an
     * argument is {@code set_to_none=False}, which is {@link #zeroGrad(boolean) zeroGrad(false)} here.
     */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * PyTorch's {@code Module.zero_grad(set_to_none)} over every parameter, frozen ones included: true is
     * {@link #zeroGrad()}; false (PyTorch 1.13's default) zeroes each dense gradient in place, keeping the tensor, so
     * the next backward pass accumulates into it, and leaves each sparse gradient ({@link Tensor#sparseGrad()})
     * without entries, as {@link dev.kiln.optim.Optimizer#zeroGrad(boolean)} does.
     */
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : parameters()) {
            if (setToNone) {
                p.clearGrad();
            } else {
                p.zeroGrad();
            }
        }
    }

    /** The parameters that are not frozen ({@code requiresGrad} true): what an optimizer updates. */
    public List<Tensor> trainableParameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : namedParameters().values()) {
            if (t.requiresGrad()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Every buffer by dotted name, recursive. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            for (Map.Entry<String, Tensor> b : e.getValue().buffers.entrySet()) {
                out.put(join(e.getKey(), b.getKey()), b.getValue());
            }
        }
        return out;
    }

    /**
     * Parameters and buffers by dotted name, in PyTorch's {@code state_dict} order (each module's
     * parameters, then its buffers, then its sub-modules). The tensors are the live ones, not copies.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", this, out);
        return out;
    }

    private static void collectState(String prefix, Module m, Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> p : m.parameters.entrySet()) {
            out.put(join(prefix, p.getKey()), p.getValue());
        }
        for (Map.Entry<String, Tensor> b : m.buffers.entrySet()) {
            out.put(join(prefix, b.getKey()), b.getValue());
        }
        for (Map.Entry<String, Module> e : m.modules.entrySet()) {
            collectState(join(prefix, e.getKey()), e.getValue(), out);
        }
    }

    /**
     * {@link #loadStateDict(Map, boolean)} with {@code strict}, PyTorch's default for {@code load_state_dict(state)}:
     * every key must match.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /**
     * Copies {@code state}'s values into this module's parameters and buffers (converting the dtype
     * where it differs, as PyTorch's {@code copy_} does). With {@code strict}, every key must match: an
     * {@link IllegalArgumentException} lists all missing keys, unexpected keys and shape mismatches at
     * once, and nothing is loaded. Without it, the keys present on both sides are loaded; shape
     * mismatches are still an error (and nothing is loaded), but for a buffer that {@link #resizesOnLoad}, which takes
     * the checkpoint's shape. Entries that an earlier version of a layer saved are
     * first brought up to date by its {@link #upgradeStateDict}; {@code state} itself is left as it is.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Map<String, Tensor> current = upgradedStateDict(state);
            check(current, strict);
            resizeBuffers(current);
            for (Map.Entry<String, Tensor> e : stateDict().entrySet()) {
                Tensor source = current.get(e.getKey());
                if (source == null) {
                    continue;
                }
                Tensor target = e.getValue();
                if (source == target) {
                    continue;
                }
                target.assign(source.dtype() == target.dtype() ? source : source.to(target.dtype()));
            }
        }
    }

    /** Gives each buffer that {@link #resizesOnLoad} lets {@code state} reshape its shape there (zeros, loaded next). */
    private void resizeBuffers(Map<String, Tensor> state) {
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            Module m = e.getValue();
            for (String name : new ArrayList<>(m.buffers.keySet())) {
                Tensor source = state.get(join(e.getKey(), name));
                Tensor target = m.buffers.get(name);
                if (source != null && m.resizesOnLoad(name) && !source.shape().equals(target.shape())) {
                    m.replaceBuffer(name, unscoped(() -> Tensor.zeros(target.dtype(), source.shape().dims())));
                }
            }
        }
    }

    /** The dotted names of the buffers that {@link #resizesOnLoad} lets a checkpoint reshape. */
    private Set<String> resizableBuffers() {
        Set<String> out = new HashSet<>();
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            for (String name : e.getValue().buffers.keySet()) {
                if (e.getValue().resizesOnLoad(name)) {
                    out.add(join(e.getKey(), name));
                }
            }
        }
        return out;
    }

    /**
     * Throws the {@link IllegalArgumentException} that {@link #loadStateDict} would throw for {@code state}, and
     * loads nothing: for checking every part of a checkpoint before loading any of it.
     */
    public void checkStateDict(Map<String, Tensor> state, boolean strict) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            check(upgradedStateDict(state), strict);
        }
    }

    /**
     * Rewrites, in {@code state}, the entries that an earlier version of this class saved under {@code prefix} (this
     * module's dotted path and a dot, or "" for the root) into the names and layout it holds now, as PyTorch's
     * {@code _load_from_state_dict} upgrades old checkpoints: {@link #loadStateDict} and {@link #checkStateDict} call
     * it on every module, parents first, on a copy of the caller's map, before they match the keys. Tensors it makes
     * belong to the caller's scope. By default it changes nothing.
     *
     * @throws IllegalArgumentException naming the keys when old entries cannot be brought up to date
     */
    protected void upgradeStateDict(String prefix, Map<String, Tensor> state) {
    }

    /**
     * A copy of {@code state} with the entries that an earlier version of a module saved brought up to date by every
     * module's {@link #upgradeStateDict}, as {@link #loadStateDict} reads it; also for other tensors keyed by the
     * parameters' names, such as an optimizer's moments of each. Tensors it makes belong to the caller's scope.
     *
     * @throws IllegalArgumentException naming the keys when old entries cannot be brought up to date
     */
    public Map<String, Tensor> upgradedStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>(state);
        upgrade("", this, out);
        return out;
    }

    private static void upgrade(String path, Module m, Map<String, Tensor> state) {
        m.upgradeStateDict(path.isEmpty() ? "" : path + ".", state);
        for (Map.Entry<String, Module> e : m.modules.entrySet()) {
            upgrade(join(path, e.getKey()), e.getValue(), state);
        }
    }

    /** The error of {@link #checkStateDict} for an up-to-date {@code state}. */
    private void check(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        Set<String> resizable = resizableBuffers();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor source = state.get(e.getKey());
            if (source == null) {
                missing.add(e.getKey());
            } else if (!source.shape().equals(e.getValue().shape()) && !resizable.contains(e.getKey())) {
                mismatched.add(e.getKey() + ": checkpoint " + source.shape() + ", model " + e.getValue().shape());
            }
        }
        for (String key : state.keySet()) {
            if (!own.containsKey(key)) {
                unexpected.add(key);
            }
        }
        boolean keysFail = strict && (!missing.isEmpty() || !unexpected.isEmpty());
        if (keysFail || !mismatched.isEmpty()) {
            StringBuilder msg = new StringBuilder("loadStateDict: error(s) loading the state dict of ")
                    .append(getClass().getSimpleName()).append(':');
            if (strict && !missing.isEmpty()) {
                msg.append("\n  missing keys: ").append(missing);
            }
            if (strict && !unexpected.isEmpty()) {
                msg.append("\n  unexpected keys: ").append(unexpected);
            }
            if (!mismatched.isEmpty()) {
                msg.append("\n  shape mismatches: ").append(mismatched);
            }
            throw new IllegalArgumentException(msg.toString());
        }
    }

    /**
     * Replaces every floating-point parameter and buffer by a copy converted to {@code dtype} (the old
     * tensors are closed, gradients dropped, {@code requiresGrad} kept), recursively, like PyTorch's
     * {@code module.to(torch.float64)}. Integer buffers are left as they are. Returns this.
     */
    public Module to(DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("to: modules hold F32 or F64 parameters, got " + dtype);
        }
        // Every refusal before any conversion, so that a refused model is left as it was.
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            e.getValue().refuseConversion(e.getKey(), dtype);
        }
        Map<Tensor, Tensor> converted = new IdentityHashMap<>();
        for (Module m : namedModules().values()) {
            m.convert(m.parameters, dtype, converted, true);
            m.convert(m.buffers, dtype, converted, false);
        }
        for (Tensor old : converted.keySet()) {
            old.close();
        }
        return this;
    }

    private void convert(Map<String, Tensor> tensors, DType dtype, Map<Tensor, Tensor> converted, boolean parameter) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor old = e.getValue();
            if (!old.dtype().isFloating() || old.dtype() == dtype) {
                continue;
            }
            Tensor fresh = converted.get(old);
            if (fresh == null) {
                fresh = UninitializedParameter.carry(old, unscoped(() -> old.to(dtype)));
                if (parameter) {
                    fresh.requiresGrad(old.requiresGrad());
                }
                converted.put(old, fresh);
            }
            e.setValue(fresh);
        }
    }

    // ---- Freezing -----------------------------------------------------------------------------------

    /**
     * Stops training every parameter, recursively: {@code requiresGrad(false)}, so backward computes and
     * stores no gradient for them; gradients already stored are released. Returns this.
     */
    public Module freeze() {
        for (Tensor p : namedParameters().values()) {
            p.requiresGrad(false);
            p.clearGrad();
        }
        return this;
    }

    /** Makes every parameter trainable again, recursively; returns this. */
    public Module unfreeze() {
        for (Tensor p : namedParameters().values()) {
            p.requiresGrad(true);
        }
        return this;
    }

    /**
     * True when this module holds parameters (itself or its sub-modules) and none of them is trainable,
     * as after {@link #freeze()}. A module without parameters (ReLU, pooling) is never frozen.
     */
    public boolean isFrozen() {
        Map<String, Tensor> ps = namedParameters();
        if (ps.isEmpty()) {
            return false;
        }
        for (Tensor p : ps.values()) {
            if (p.requiresGrad()) {
                return false;
            }
        }
        return true;
    }

    // ---- Copying ------------------------------------------------------------------------------------

    /**
     * A deep copy, like Python's {@code copy.deepcopy(module)}: the same class and settings, with copies of
     * every parameter and buffer (outside every {@link Scope}, {@code requiresGrad} kept, no gradients) and
     * of every sub-module, and the same training mode. Training the copy leaves this module alone. Sharing
     * inside the module is kept: a sub-module or tensor registered twice is copied once.
     *
     * @throws IllegalStateException naming the class and field when a subclass keeps a module, tensor,
     *     collection or object array in a field of its own, which a copy would share with this module
     */
    public Module copy() {
        return copy(new IdentityHashMap<>(), new IdentityHashMap<>());
    }

    private Module copy(Map<Module, Module> copiedModules, Map<Tensor, Tensor> copiedTensors) {
        Module done = copiedModules.get(this);
        if (done != null) {
            return done;
        }
        checkCopyable(getClass());
        Module c;
        try {
            c = (Module) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("Module implements Cloneable", e);
        }
        copiedModules.put(this, c);
        c.parameters = copyTensors(parameters, copiedTensors, true);
        c.buffers = copyTensors(buffers, copiedTensors, false);
        c.modules = new LinkedHashMap<>();
        c.computed = new LinkedHashMap<>(computed);
        c.substitutes = Map.of();
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            c.modules.put(e.getKey(), e.getValue().copy(copiedModules, copiedTensors));
        }
        c.forwardHooks = null;
        c.backwardHooks = null;
        c.recordShapes = false;
        c.lastOutputShape = null;
        return c;
    }

    private static Map<String, Tensor> copyTensors(Map<String, Tensor> source, Map<Tensor, Tensor> copied, boolean parameter) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : source.entrySet()) {
            Tensor t = e.getValue();
            Tensor c = copied.get(t);
            if (c == null) {
                c = UninitializedParameter.carry(t, unscoped(t::copy));
                if (parameter) {
                    c.requiresGrad(t.requiresGrad());
                }
                copied.put(t, c);
            }
            out.put(e.getKey(), c);
        }
        return out;
    }

    /** Refuses classes whose own fields would be shared between a module and its copy. */
    private static void checkCopyable(Class<?> type) {
        for (Class<?> k = type; k != Module.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                    continue;
                }
                Class<?> t = f.getType();
                // AutoCloseable covers native resources too, such as DynamicQuantizedLinear's packed weights.
                boolean shared = AutoCloseable.class.isAssignableFrom(t)
                        || Collection.class.isAssignableFrom(t) || Map.class.isAssignableFrom(t)
                        || (t.isArray() && !t.getComponentType().isPrimitive());
                if (shared) {
                    throw new IllegalStateException("copy: " + type.getSimpleName() + " keeps a " + t.getSimpleName()
                            + " in field '" + k.getSimpleName() + "." + f.getName() + "', which a copy would share; "
                            + (registrable(t) ? "register it and read it through module(name), param(name) or"
                                    + " buffer(name) instead"
                                    : "copy the model it was made from instead (a quantised model: quantise a copy of"
                                    + " the F32 model)"));
                }
            }
        }
    }

    /** Whether a field's value could be registered as a submodule, parameter or buffer. */
    private static boolean registrable(Class<?> t) {
        return Module.class.isAssignableFrom(t) || Tensor.class.isAssignableFrom(t)
                || !AutoCloseable.class.isAssignableFrom(t);
    }

    // ---- Inspection ---------------------------------------------------------------------------------

    /** Number of parameter elements, recursive (shared tensors counted once). */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) {
            n += p.size();
        }
        return n;
    }

    /** {@link #summary(DType, int...)} with the dtype of the first parameter (F32 when there is none). */
    public String summary(int... inputShape) {
        List<Tensor> ps = parameters();
        return summary(ps.isEmpty() ? DType.F32 : ps.get(0).dtype(), inputShape);
    }

    /**
     * Runs forward on zeros of {@code inputShape} (gradients off, evaluation mode, the previous modes
     * restored afterwards) and returns a table: each module's dotted name ({@code (root)} for this one),
     * type, output shape ({@code -} when its parent did not run it through {@link #call}) and own
     * parameter count, then the total, trainable and non-trainable counts, e.g. for a 784-512-512-10
     * MLP {@code Total params: 669,706}.
     */
    public String summary(DType dtype, int... inputShape) {
        Map<String, Module> all = namedModules();
        Map<Module, Boolean> modes = new IdentityHashMap<>();
        for (Module m : all.values()) {
            modes.put(m, m.training);
            m.recordShapes = true;
            m.lastOutputShape = null;
        }
        try {
            eval();
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                call(Tensor.zeros(dtype, inputShape));
            }
        } finally {
            for (Module m : all.values()) {
                m.training = modes.get(m);
                m.recordShapes = false;
            }
        }
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, Module> e : all.entrySet()) {
            Module m = e.getValue();
            long own = 0;
            for (Tensor p : m.parameters.values()) {
                own += p.size();
            }
            rows.add(new String[] {e.getKey().isEmpty() ? "(root)" : e.getKey(), m.getClass().getSimpleName(),
                    m.lastOutputShape == null ? "-" : m.lastOutputShape.toString(), String.format(Locale.ROOT, "%,d", own)});
            m.lastOutputShape = null;
        }
        String[] header = {"Layer", "Type", "Output shape", "Params"};
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        int total = 0;
        for (int w : width) {
            total += w + 2;
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header, width);
        sb.append("-".repeat(total)).append('\n');
        for (String[] r : rows) {
            appendRow(sb, r, width);
        }
        sb.append("=".repeat(total)).append('\n');
        long trainable = 0;
        for (Tensor p : trainableParameters()) {
            trainable += p.size();
        }
        long count = parameterCount();
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", count));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", count - trainable));
        sb.append("Input shape: ").append(Shape.of(inputShape)).append(' ').append(dtype).append('\n');
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] cells, int[] width) {
        for (int i = 0; i < cells.length; i++) {
            if (i == cells.length - 1) {
                sb.append(" ".repeat(width[i] - cells[i].length())).append(cells[i]);
            } else {
                sb.append(cells[i]).append(" ".repeat(width[i] - cells[i].length() + 2));
            }
        }
        sb.append('\n');
    }

    /**
     * PyTorch's {@code print(model)}: the class name, then in parentheses the layer's settings ({@link #extraRepr()})
     * and each registered sub-module as {@code (name): repr} on lines of its own, indented by 2 a level, e.g.
     * <pre>
     * NeuralNetwork(
     *   (flatten): Flatten(start_dim=1, end_dim=-1)
     *   (linear_relu_stack): Sequential(
     *     (0): Linear(in_features=784, out_features=512, bias=True)
     *     ...
     * </pre>
     * Messages name a module by {@link #describe()}, one line.
     */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        String extra = extraRepr();
        if (!extra.isEmpty()) {
            lines.addAll(List.of(extra.split("\n")));
        }
        boolean leaf = modules.isEmpty();
        modules.forEach((name, m) -> lines.add("(" + name + "): " + PythonRepr.indent(m.toString(), 2)));
        String body = lines.isEmpty() ? "" : leaf && lines.size() == 1 ? lines.get(0)
                : "\n  " + String.join("\n  ", lines) + "\n";
        return reprName() + "(" + body + ")";
    }

    /**
     * The name the repr prints: {@link #typeName()}, with PyTorch's {@code Parametrized} in front while a parameter of
     * this module is parametrized ({@code ParametrizedLinear}), as PyTorch's parametrized module's class is named.
     */
    private String reprName() {
        return (Parametrize.isParametrized(this) ? "Parametrized" : "") + typeName();
    }

    /**
     * The layer's settings as PyTorch's {@code extra_repr} prints them, e.g. {@code in_features=784,
     * out_features=512, bias=True} of a Linear; empty by default. Override it (not {@link #toString()}) in a layer of
     * your own, so that the layout of the models holding it prints whole.
     */
    protected String extraRepr() {
        return "";
    }

    /** The class's name, as PyTorch's {@code _get_name()}; "Module" for an anonymous class. */
    protected String typeName() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? "Module" : simple;
    }

    /**
     * One line naming this module for messages: its repr where that is one line, else its class name with its
     * settings where those are one line ({@code Linear(in_features=3, out_features=2, bias=True)} of a parametrized
     * Linear), else its class name. A layer whose repr leaves settings out overrides it to name them
     * ({@code MultiheadAttention(embed_dim=8, num_heads=2, dropout=0.0, batch_first=True)}, a zoo model's
     * {@code ResNet18(3 channels -> 10 classes)}).
     */
    public String describe() {
        String repr = toString();
        if (!repr.contains("\n")) {
            return repr;
        }
        String extra = extraRepr();
        return extra.isEmpty() || extra.contains("\n") ? typeName() : typeName() + "(" + extra + ")";
    }

    /** Releases every parameter and buffer (and their gradients), recursively; idempotent. */
    @Override
    public void close() {
        for (Module m : namedModules().values()) {
            m.parameters.values().forEach(Tensor::close);
            m.buffers.values().forEach(Tensor::close);
            m.releaseResources();
        }
    }

    // ---- Backward hooks -----------------------------------------------------------------------------

    /** Null until a backward hook is registered; a copy starts without. */
    private BackwardHooks backwardHooks;

    /**
     * Called in the backward pass with the module, the gradients of its inputs and that of its output, once both are
     * computed. {@code gradInput} has one entry per input (a one-input module: one), null for an input that needs no
     * gradient; {@code gradOutput} has one entry, the output's gradient.
     */
    @FunctionalInterface
    public interface BackwardHook {
        /**
         * Returns the gradients to hand on to the inputs instead (as many entries as {@code gradInput}, each null or
         * of that input's shape and dtype), or null to keep {@code gradInput}.
         */
        Tensor[] afterBackward(Module module, Tensor[] gradInput, Tensor[] gradOutput);
    }

    /** Called in the backward pass with the module and the gradient of its output, before the module's gradients. */
    @FunctionalInterface
    public interface BackwardPreHook {
        /** Returns the output gradient to use instead (one entry, of the output's shape and dtype), or null. */
        Tensor[] beforeBackward(Module module, Tensor[] gradOutput);
    }

    /**
     * PyTorch's {@code register_full_backward_hook}: each call of this module ({@link #call}, not a direct
     * {@link #forward}) with gradients on wraps its inputs and output in identity autograd functions, and in the
     * backward pass {@code hook} runs once the gradients of the module's inputs are computed, with those (the
     * gradients with respect to the inputs, not the parameters: [batch, in] for a [batch, in] input) and the output's
     * gradient (of the output's shape). What it returns replaces the input gradients handed on. An input that requires
     * no gradient gets a null entry; when none of them requires one, the hook runs as soon as the output's gradient is
     * known, with only nulls, and may not replace them. An input that requires a gradient and received none gets
     * zeros, as in PyTorch. Hooks run in the order registered, each seeing what the one before returned, with
     * gradients off (on in {@link Autograd#grad} with {@code createGraph}, whose graph records what they compute, so
     * that a second pass differentiates a replaced gradient and runs the hooks again). A pass that reaches the inputs
     * without passing the output runs no hook, as in PyTorch. The hooks registered when the module is called are
     * those that run. A module without backward hooks records nothing extra; a {@link Sequential} does not fuse a
     * hooked layer with the activation after it. {@link #copy()} does not copy hooks. The tensors a hook is given stay
     * open until the caller's scope closes, as a hook may keep them. In a training step replayed as a CUDA graph
     * ({@code Trainer.cudaGraphs}) a hook runs while the step is recorded: the operations it queues replay, what it
     * does on the host does not.
     *
     * <p>PyTorch refuses a forward that writes a wrapped input in place; Kiln refuses any in-place write to a tensor
     * made by an op (a wrapped input is one) at the write, and a write through {@code detach()} to an input's memory
     * during forward makes the backward pass throw, naming {@code BackwardHookInputs}.
     *
     * @throws IllegalStateException in the backward pass, naming this module, when a hook returns the wrong number of
     *     gradients, a gradient of another shape or dtype, or one for an input that needs none
     */
    public HookHandle registerFullBackwardHook(BackwardHook hook) {
        return backwardHooks().addHook(hook);
    }

    /**
     * PyTorch 2.0's {@code register_full_backward_pre_hook} (PyTorch 1.13 has none): {@code hook} runs in the backward
     * pass of each call of this module ({@link #call}) when the gradient of its output is known, before the gradients
     * of the module's inputs and parameters are computed from it, and what it returns replaces that output gradient,
     * which the module's backward and its full backward hooks then see. Hooks run in the order registered, each
     * seeing what the one before returned; otherwise as {@link #registerFullBackwardHook}.
     */
    public HookHandle registerFullBackwardPreHook(BackwardPreHook hook) {
        return backwardHooks().addPreHook(hook);
    }

    /** Whether a full backward hook or pre-hook is registered on this module (not its children). */
    public boolean hasBackwardHooks() {
        return backwardHooks != null && !backwardHooks.isEmpty();
    }

    /** Whether a forward or backward hook is registered on this module: then it runs its own forward, unfused. */
    boolean hasHooks() {
        return hasForwardHooks() || hasBackwardHooks();
    }

    private BackwardHooks backwardHooks() {
        if (backwardHooks == null) {
            backwardHooks = new BackwardHooks();
        }
        return backwardHooks;
    }

    /**
     * Runs {@link TwoInputForward#forward(Tensor, Tensor)} of a two-input module with its backward hooks, whose
     * {@code gradInput} then has two entries, as PyTorch's {@code module(x1, x2)} does; for the modules that implement
     * {@link TwoInputForward}. Forward hooks take one input, so a module that has them refuses this call: remove them
     * and work on the output of this call instead.
     *
     * @throws UnsupportedOperationException naming this module when it does not take two inputs
     * @throws IllegalStateException naming this module, and saying what to do, when it has forward hooks
     */
    public final Tensor call(Tensor x1, Tensor x2) {
        if (!(this instanceof TwoInputForward twoInputs)) {
            throw new UnsupportedOperationException(describe() + " takes one input; call call(x)");
        }
        if (hasForwardHooks()) {
            throw new IllegalStateException(describe()
                    + ": its forward hooks take one input, so call(x1, x2) cannot run"
                    + " them; remove them (HookHandle.remove()) and read or replace the output of call(x1, x2)"
                    + " instead, or hook a one-input module around this one. call(x1, x2) runs backward hooks.");
        }
        if (!hasBackwardHooks()) {
            return recordOutput(twoInputs.forward(x1, x2));
        }
        return recordOutput(callHooked(new Tensor[] {x1, x2}, in -> twoInputs.forward(in[0], in[1])));
    }

    /**
     * {@code forward} run with the hooks, in PyTorch's order: forward pre-hooks, the inputs wrapped for the backward
     * hooks, forward, forward hooks (which see the wrapped input), the output wrapped.
     */
    private Tensor callHooked(Tensor[] inputs, Function<Tensor[], Tensor> forward) {
        boolean forwardHooked = hasForwardHooks();
        Tensor[] in = forwardHooked ? new Tensor[] {forwardHooks.beforeForward(this, inputs[0])} : inputs;
        BackwardHookCall backward = hasBackwardHooks() ? backwardHooks.start(this, in) : null;
        if (backward != null) {
            in = backward.inputs();
        }
        Tensor y = forward.apply(in);
        if (forwardHooked) {
            y = forwardHooks.afterForward(this, in[0], y);
        }
        return backward == null ? y : backward.output(y);
    }

    // ---- Rebuilding around new children (Fusion) ---------------------------------------------------

    /**
     * A shallow copy of this module with {@code children} in place of its sub-modules: the same class, settings,
     * training mode and own parameters and buffers (the same tensors), no hooks. {@link Fusion} rebuilds a block
     * around fused layers with it, sharing everything else.
     *
     * @throws IllegalStateException as {@link #copy()} for a class that keeps modules or tensors in fields
     */
    Module withChildren(Map<String, Module> children) {
        checkCopyable(getClass());
        Module c;
        try {
            c = (Module) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("Module implements Cloneable", e);
        }
        c.parameters = new LinkedHashMap<>(parameters);
        c.buffers = new LinkedHashMap<>(buffers);
        c.computed = new LinkedHashMap<>(computed);
        c.substitutes = Map.of();
        c.modules = new LinkedHashMap<>(children);
        c.forwardHooks = null;
        c.backwardHooks = null;
        c.recordShapes = false;
        c.lastOutputShape = null;
        return c;
    }

    /**
     * Frees what this module holds besides its registered tensors, such as weights packed in a backend's memory
     * ({@link DynamicQuantizedLinear}): {@link #close()} calls it on every module, so it must be idempotent. Nothing
     * by default.
     */
    protected void releaseResources() {
    }

    // ---- Three inputs --------------------------------------------------------------------------------

    /**
     * Runs {@link ThreeInputForward#forward(Tensor, Tensor, Tensor)} of a three-input module (the losses of three
     * inputs) with its backward hooks, whose {@code gradInput} then has three entries, as PyTorch's
     * {@code module(a, b, c)} does. Forward hooks take one input, so a module that has them refuses this call, as
     * {@link #call(Tensor, Tensor)}.
     *
     * @throws UnsupportedOperationException naming this module when it does not take three inputs
     * @throws IllegalStateException naming this module, and saying what to do, when it has forward hooks
     */
    public final Tensor call(Tensor x1, Tensor x2, Tensor x3) {
        if (!(this instanceof ThreeInputForward threeInputs)) {
            throw new UnsupportedOperationException(describe() + " does not take three inputs");
        }
        if (hasForwardHooks()) {
            throw new IllegalStateException(describe()
                    + ": its forward hooks take one input, so call(x1, x2, x3) cannot run"
                    + " them; remove them (HookHandle.remove()) and read or replace the output of call(x1, x2, x3)"
                    + " instead. call(x1, x2, x3) runs backward hooks.");
        }
        if (!hasBackwardHooks()) {
            return recordOutput(threeInputs.forward(x1, x2, x3));
        }
        return recordOutput(callHooked(new Tensor[] {x1, x2, x3}, in -> threeInputs.forward(in[0], in[1], in[2])));
    }

    /**
     * Throws IllegalArgumentException when this module, at {@code path} in the model, cannot take {@link #to(DType)}
     * to {@code dtype}; by default it takes every floating dtype.
     */
    void refuseConversion(String path, DType dtype) {
    }
}
