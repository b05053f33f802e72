package dev.kiln.func;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * PyTorch's pytrees for {@link Fn}'s arguments and results: lists, maps (in their iteration order) and records are
 * nodes; null is an empty tree (PyTorch's None), so a record's absent part holds no leaf; tensors and every other
 * value are leaves.
 */
final class Trees {
    private Trees() {
    }

    /** Every leaf of {@code tree}, depth first, in order. */
    static List<Object> leaves(Object tree) {
        List<Object> out = new ArrayList<>();
        collect(tree, out);
        return out;
    }

    /** {@code tree} with each leaf replaced by the next of {@code leaves}, in the order of {@link #leaves}. */
    static Object rebuild(Object tree, Iterator<?> leaves) {
        if (tree == null) {
            return null;
        }
        if (tree instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object child : list) {
                out.add(rebuild(child, leaves));
            }
            return Collections.unmodifiableList(out);
        }
        if (tree instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, rebuild(v, leaves)));
            return Collections.unmodifiableMap(out);
        }
        if (tree instanceof Record record) {
            RecordComponent[] parts = record.getClass().getRecordComponents();
            Object[] values = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = rebuild(component(record, parts[i]), leaves);
            }
            return construct(record.getClass(), parts, values);
        }
        return leaves.next();
    }

    /** {@code tree} with {@code f} applied to each tensor leaf; other leaves stay. */
    static Object mapTensors(Object tree, UnaryOperator<Tensor> f) {
        List<Object> mapped = new ArrayList<>();
        for (Object leaf : leaves(tree)) {
            mapped.add(leaf instanceof Tensor t ? f.apply(t) : leaf);
        }
        return rebuild(tree, mapped.iterator());
    }

    /** The tensor leaves of {@code tree}. */
    static List<Tensor> tensors(Object tree) {
        List<Tensor> out = new ArrayList<>();
        for (Object leaf : leaves(tree)) {
            if (leaf instanceof Tensor t) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Hands {@code result} out of {@code scope}: with {@code withGraph} everything the scope owns (the graph a
     * recorded result's gradient reaches back through), else only the result's tensors. Returns {@code result}.
     */
    static Object handOut(Scope scope, Object result, boolean withGraph) {
        if (withGraph) {
            scope.keepAll();
        } else {
            tensors(result).forEach(scope::keep);
        }
        return result;
    }

    /** A short description of a leaf's kind for error messages, as PyTorch's {@code type(x)}. */
    static String kind(Object leaf) {
        return leaf == null ? "null" : leaf.getClass().getName();
    }

    private static void collect(Object tree, List<Object> out) {
        if (tree instanceof List<?> list) {
            list.forEach(child -> collect(child, out));
        } else if (tree instanceof Map<?, ?> map) {
            map.values().forEach(child -> collect(child, out));
        } else if (tree instanceof Record record) {
            for (RecordComponent part : record.getClass().getRecordComponents()) {
                collect(component(record, part), out);
            }
        } else if (tree != null) {
            out.add(tree);
        }
    }

    private static Object component(Record record, RecordComponent part) {
        try {
            return part.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("dev.kiln.func: cannot read component " + part.getName() + " of record "
                    + record.getClass().getName() + " (make the record public): " + e, e);
        }
    }

    private static Object construct(Class<?> type, RecordComponent[] parts, Object[] values) {
        Class<?>[] types = new Class<?>[parts.length];
        for (int i = 0; i < parts.length; i++) {
            types[i] = parts[i].getType();
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            return canonical.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("dev.kiln.func: cannot rebuild record " + type.getName()
                    + " (make it public, its components of type Object or Tensor): " + e, e);
        }
    }
}
