package dev.kiln.engine;

/** Doubles written as Python writes them, for the PyTorch-style reprs of tensors and of modules. */
public final class PythonFloat {
    private PythonFloat() {
    }

    /** Python's {@code repr} of a float: the shortest digits that read back as {@code v}, e.g. 0.1, 1e-05, 1.0, inf. */
    public static String repr(double v) {
        return TensorRepr.pythonFloat(v);
    }
}
