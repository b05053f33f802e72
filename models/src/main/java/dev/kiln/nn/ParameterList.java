package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A list of parameters, PyTorch's {@code torch.nn.ParameterList}: it registers each tensor as a parameter named by
 * its position, so that a {@code ParameterList} registered as {@code "scales"} holding two tensors has the state-dict
 * keys {@code scales.0, scales.1}, as in PyTorch, and its tensors go with the owner's to the optimizer, {@link #to},
 * {@link #freeze()} and {@link #copy()}. Each tensor must be an F32 or F64 leaf created outside every
 * {@link dev.kiln.engine.Scope} (see {@link Module#unscoped}); it is marked {@code requiresGrad(true)}. Read the
 * tensors through {@link #get} at each use rather than keeping them, since {@link #to} replaces them. It has no
 * forward pass of its own.
 */
public class ParameterList extends Module implements Iterable<Tensor> {
    /** The given tensors, in order (none gives an empty list). */
    public ParameterList(Tensor... parameters) {
        extend(Arrays.asList(parameters));
    }

    /** The given tensors, in order. */
    public ParameterList(List<Tensor> parameters) {
        extend(parameters);
    }

    /** PyTorch's {@code append}: {@code p} as a parameter under the next index; returns this. */
    public ParameterList add(Tensor p) {
        if (p == null) {
            throw new IllegalArgumentException("ParameterList: parameter " + size() + " is null");
        }
        registerParameter(Integer.toString(size()), p);
        return this;
    }

    /** PyTorch's {@code extend}: each of {@code parameters} appended in order; returns this. */
    public ParameterList extend(List<Tensor> parameters) {
        for (Tensor p : parameters) {
            add(p);
        }
        return this;
    }

    /** The {@code index}-th parameter, the live tensor; a negative index counts from the end, as in Python. */
    public Tensor get(int index) {
        int size = size();
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("ParameterList: index " + index + " is out of range for " + size + " parameters");
        }
        return param(Integer.toString(index < 0 ? index + size : index));
    }

    /** Number of parameters. */
    public int size() {
        return parameterNames().size();
    }

    /** The parameters in order. */
    @Override
    public Iterator<Tensor> iterator() {
        List<Tensor> all = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            all.add(get(i));
        }
        return all.iterator();
    }

    /** A deep copy ({@link Module#copy()}): copies of every parameter, in order. */
    @Override
    public ParameterList copy() {
        return (ParameterList) super.copy();
    }

    /**
     * A list has no forward pass, as in PyTorch: the module that owns it reads its parameters.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("ParameterList has no forward pass; read its parameters from the module that owns it");
    }

    /**
     * PyTorch's {@code extra_repr}: a line per parameter, {@code   (0): Parameter containing: [torch.float32 of size
     * 2x3]}, which the repr indents by 2 more where there are several.
     */
    @Override
    protected String extraRepr() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            lines.add(PythonRepr.parameterLine(Integer.toString(i), PythonRepr.dtype(get(i).dtype()), get(i)));
        }
        return String.join("\n", lines);
    }
}
