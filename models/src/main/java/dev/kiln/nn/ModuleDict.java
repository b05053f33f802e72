package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sub-modules by name, PyTorch's {@code torch.nn.ModuleDict}: it registers each under its key, in insertion order, so
 * that its parameters are the owner's ({@link #parameters()}, the optimizer, {@link #to}, {@link #freeze()},
 * {@link #copy()}, the state dict): a {@code ModuleDict} registered as {@code "heads"} with a {@link Linear} under
 * {@code "cls"} has the keys {@code heads.cls.weight, heads.cls.bias}, as in PyTorch. Keys are non-empty and contain
 * no dot. It has no forward pass of its own: the owning module calls its elements.
 */
public class ModuleDict extends Module {
    /** An empty dict. */
    public ModuleDict() {
    }

    /** The entries of {@code modules}, in its iteration order (a {@link LinkedHashMap} keeps the caller's). */
    public ModuleDict(Map<String, ? extends Module> modules) {
        update(modules);
    }

    /**
     * PyTorch's {@code dict[key] = m}: a new key goes last; an existing one keeps its place and the old module is
     * returned for the caller to close (or keep). Returns null for a new key.
     */
    public Module put(String key, Module m) {
        if (namedChildren().containsKey(key)) {
            return replaceModule(key, m);
        }
        registerModule(key, m);
        return null;
    }

    /** PyTorch's {@code update}: each entry of {@code modules} put in its iteration order; returns this. */
    public ModuleDict update(Map<String, ? extends Module> modules) {
        for (Map.Entry<String, ? extends Module> e : modules.entrySet()) {
            put(e.getKey(), e.getValue());
        }
        return this;
    }

    /**
     * The module under {@code key}.
     *
     * @throws IllegalArgumentException naming the key and the keys there are, when it is absent
     */
    public Module get(String key) {
        Module m = module(key);
        if (m == null) {
            throw new IllegalArgumentException("ModuleDict: no module under '" + key + "'; its keys are " + keys());
        }
        return m;
    }

    /** Whether a module is registered under {@code key}. */
    public boolean containsKey(String key) {
        return namedChildren().containsKey(key);
    }

    /**
     * PyTorch's {@code pop(key)}: unregisters the module under {@code key} and returns it, open, for the caller to
     * close (or keep).
     *
     * @throws IllegalArgumentException naming the key and the keys there are, when it is absent
     */
    public Module remove(String key) {
        get(key);
        return removeModule(key);
    }

    /** The keys in insertion order. */
    public List<String> keys() {
        return new ArrayList<>(namedChildren().keySet());
    }

    /** The entries in insertion order, unmodifiable. */
    public Set<Map.Entry<String, Module>> entrySet() {
        return namedChildren().entrySet();
    }

    /** Number of modules. */
    public int size() {
        return namedChildren().size();
    }

    /** A deep copy ({@link Module#copy()}): copies of every module, under the same keys. */
    @Override
    public ModuleDict copy() {
        return (ModuleDict) super.copy();
    }

    /**
     * A dict has no forward pass, as in PyTorch: the module that owns it calls its elements.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("ModuleDict has no forward pass; call its modules from the module that owns it");
    }
}
