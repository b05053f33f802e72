package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters by name, PyTorch's {@code torch.nn.ParameterDict}: it registers each tensor as a parameter under its
 * key, in insertion order, so that a {@code ParameterDict} registered as {@code "offsets"} with a tensor under
 * {@code "shift"} has the state-dict key {@code offsets.shift}, as in PyTorch, and its tensors go with the owner's to
 * the optimizer, {@link #to}, {@link #freeze()} and {@link #copy()}. Keys are non-empty and contain no dot. Each
 * tensor must be an F32 or F64 leaf created outside every {@link dev.kiln.engine.Scope} (see
 * {@link Module#unscoped}); a new one is marked {@code requiresGrad(true)}. Read the tensors through {@link #get} at
 * each use rather than keeping them, since {@link #to} replaces them. It has no forward pass of its own.
 */
public class ParameterDict extends Module {
    /** An empty dict. */
    public ParameterDict() {
    }

    /** The entries of {@code parameters}, in its iteration order (a {@link LinkedHashMap} keeps the caller's). */
    public ParameterDict(Map<String, Tensor> parameters) {
        update(parameters);
    }

    /**
     * PyTorch's {@code dict[key] = p}: a new key goes last; an existing one keeps its place and the old tensor is
     * returned for the caller to close (or keep). Returns null for a new key.
     *
     * @throws IllegalArgumentException naming the key when {@code p} is null, not F32 or F64, or not a leaf; the dict
     *     unchanged
     */
    public Tensor put(String key, Tensor p) {
        if (p == null) {
            throw new IllegalArgumentException("ParameterDict: parameter '" + key + "' is null");
        }
        if (!containsKey(key)) {
            registerParameter(key, p);
            return null;
        }
        // Registration appends, so key's entry and those after it are taken out, in order, and put back with the
        // new tensor in key's place; a refused tensor (not F32 or F64, or not a leaf) puts the old one back.
        Map<String, Tensor> moved = new LinkedHashMap<>();
        boolean seen = false;
        for (String name : keys()) {
            seen |= name.equals(key);
            if (seen) {
                moved.put(name, removeParameter(name));
            }
        }
        Tensor old = moved.get(key);
        try {
            registerParameter(key, p);
            moved.remove(key);
        } finally {
            for (Map.Entry<String, Tensor> e : moved.entrySet()) {
                boolean trainable = e.getValue().requiresGrad();
                registerParameter(e.getKey(), e.getValue()).requiresGrad(trainable);
            }
        }
        return old;
    }

    /** PyTorch's {@code update}: each entry of {@code parameters} put in its iteration order; returns this. */
    public ParameterDict update(Map<String, Tensor> parameters) {
        for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
            put(e.getKey(), e.getValue());
        }
        return this;
    }

    /**
     * The parameter under {@code key}, the live tensor.
     *
     * @throws IllegalArgumentException naming the key and the keys there are, when it is absent
     */
    public Tensor get(String key) {
        if (!containsKey(key)) {
            throw new IllegalArgumentException("ParameterDict: no parameter under '" + key + "'; its keys are " + keys());
        }
        return param(key);
    }

    /** Whether a parameter is registered under {@code key}. */
    public boolean containsKey(String key) {
        return parameterNames().contains(key);
    }

    /**
     * PyTorch's {@code pop(key)}: unregisters the parameter under {@code key} and returns it, open, for the caller to
     * close (or keep).
     *
     * @throws IllegalArgumentException naming the key and the keys there are, when it is absent
     */
    public Tensor remove(String key) {
        get(key);
        return removeParameter(key);
    }

    /** The keys in insertion order. */
    public List<String> keys() {
        return new ArrayList<>(parameterNames());
    }

    /** Number of parameters. */
    public int size() {
        return parameterNames().size();
    }

    /** A deep copy ({@link Module#copy()}): copies of every parameter, under the same keys. */
    @Override
    public ParameterDict copy() {
        return (ParameterDict) super.copy();
    }

    /**
     * A dict has no forward pass, as in PyTorch: the module that owns it reads its parameters.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("ParameterDict has no forward pass; read its parameters from the module that owns it");
    }

    /**
     * PyTorch's {@code extra_repr}: a line per parameter, {@code   (key): Parameter containing: [torch.FloatTensor of
     * size 2x3]} (the legacy type name, as PyTorch's dict prints it), indented by 2 more where there are several.
     */
    @Override
    protected String extraRepr() {
        List<String> lines = new ArrayList<>();
        for (String key : keys()) {
            lines.add(PythonRepr.parameterLine(key, PythonRepr.legacyTypeName(get(key)), get(key)));
        }
        return String.join("\n", lines);
    }
}
