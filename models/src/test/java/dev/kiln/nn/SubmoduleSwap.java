package dev.kiln.nn;

/**
 * Puts a module in place of another's direct sub-module, for tests outside this package that build a stock layer with
 * options its constructor does not take (an encoder layer whose attention appends keys, say).
 */
public final class SubmoduleSwap {
    private SubmoduleSwap() {
    }

    /** {@link Module#replaceModule} of {@code parent}; returns the old sub-module, which the caller closes. */
    public static Module replace(Module parent, String name, Module m) {
        return parent.replaceModule(name, m);
    }
}
