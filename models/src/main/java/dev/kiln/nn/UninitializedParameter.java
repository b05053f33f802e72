package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * PyTorch's {@code UninitializedParameter}: the placeholders a lazy module ({@link LazyLinear}, {@link LazyConv2d})
 * registers until its first forward pass. Known by identity, so that an optimizer can refuse exactly them and still
 * take a parameter that merely has no elements, as PyTorch's optimizers do.
 */
public final class UninitializedParameter {
    // Weak: a placeholder is forgotten once its module has replaced it and nothing holds it any more.
    private static final Set<Tensor> PLACEHOLDERS = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private UninitializedParameter() {
    }

    /** True for a lazy module's placeholder, which its first forward pass replaces by the real parameter. */
    public static boolean is(Tensor t) {
        return PLACEHOLDERS.contains(t);
    }

    /** Marks {@code fresh}, a converted or copied {@code old}, as a placeholder where old is one; returns fresh. */
    static Tensor carry(Tensor old, Tensor fresh) {
        return is(old) ? mark(fresh) : fresh;
    }

    /** Marks {@code placeholder} as one, and returns it. */
    static Tensor mark(Tensor placeholder) {
        PLACEHOLDERS.add(placeholder);
        return placeholder;
    }
}
