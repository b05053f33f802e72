package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A list of sub-modules, PyTorch's {@code torch.nn.ModuleList}: it registers each so that its parameters are the
 * owner's ({@link #parameters()}, the optimizer, {@link #to}, {@link #freeze()}, {@link #copy()}, the state dict),
 * named by position: a {@code ModuleList} registered as {@code "layers"} holding two {@link Linear}s has the keys
 * {@code layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias}, as in PyTorch. It has no forward pass of its
 * own: the owning module calls its elements (through {@link #call(Tensor)}, so that {@link #summary} sees them).
 */
public class ModuleList extends Module implements Iterable<Module> {
    /** The given modules, in order (none gives an empty list). */
    public ModuleList(Module... modules) {
        extend(Arrays.asList(modules));
    }

    /** The given modules, in order. */
    public ModuleList(List<? extends Module> modules) {
        extend(modules);
    }

    /** PyTorch's {@code append}: {@code m} under the next index as its name; returns this. */
    public ModuleList add(Module m) {
        registerModule(Integer.toString(size()), m);
        return this;
    }

    /** PyTorch's {@code extend}: each of {@code modules} appended in order; returns this. */
    public ModuleList extend(List<? extends Module> modules) {
        for (Module m : modules) {
            add(m);
        }
        return this;
    }

    /**
     * PyTorch's {@code insert(index, module)}: {@code m} at {@code index} in [0, size()], the modules from there on
     * moving up one place (and their state-dict names with them, as in PyTorch); returns this.
     *
     * @throws IllegalArgumentException naming the place when {@code m} is null or the list itself; the list unchanged
     */
    public ModuleList insert(int index, Module m) {
        int size = size();
        if (index < 0 || index > size) {
            throw new IndexOutOfBoundsException("ModuleList: insert index " + index + " is out of range [0, " + size + "]");
        }
        List<Module> moved = new ArrayList<>();
        for (int i = index; i < size; i++) {
            moved.add(removeModule(Integer.toString(i)));
        }
        int first = index + 1;
        try {
            registerModule(Integer.toString(index), m);
        } catch (IllegalArgumentException refused) {
            // A refused module (null, or the list itself) leaves the list as it was: the moved modules go back.
            first = index;
            throw refused;
        } finally {
            for (int i = 0; i < moved.size(); i++) {
                registerModule(Integer.toString(first + i), moved.get(i));
            }
        }
        return this;
    }

    /**
     * PyTorch's {@code list[index] = m}: puts {@code m} at {@code index}; returns the old module, which the caller
     * closes (or keeps).
     */
    public Module set(int index, Module m) {
        checkIndex(index);
        return replaceModule(Integer.toString(index), m);
    }

    /** The {@code index}-th module; a negative index counts from the end, as in Python. */
    public Module get(int index) {
        return module(Integer.toString(checkIndex(index)));
    }

    /** Number of modules. */
    public int size() {
        return namedChildren().size();
    }

    /** The modules in order. */
    @Override
    public Iterator<Module> iterator() {
        List<Module> all = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            all.add(get(i));
        }
        return all.iterator();
    }

    /** A deep copy ({@link Module#copy()}): copies of every module, in order. */
    @Override
    public ModuleList copy() {
        return (ModuleList) super.copy();
    }

    /**
     * A list has no forward pass, as in PyTorch: the module that owns it calls its elements.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("ModuleList has no forward pass; call its modules from the module that owns it");
    }

    /** {@code index} as a non-negative index, a negative one counting from the end. */
    private int checkIndex(int index) {
        int size = size();
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("ModuleList: index " + index + " is out of range for " + size + " modules");
        }
        return index < 0 ? index + size : index;
    }
}
