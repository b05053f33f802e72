package dev.kiln.nn;

import dev.kiln.engine.PythonFloat;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Values as Python writes them in PyTorch 1.13's module reprs ({@link Module#extraRepr()}). */
final class PythonRepr {
    private PythonRepr() {
    }

    /** {@code True} or {@code False}. */
    static String bool(boolean b) {
        return b ? "True" : "False";
    }

    /** Python's {@code repr} of a float: the shortest digits that read back as it, e.g. 0.1, 1e-05, 1.0. */
    static String number(double v) {
        return PythonFloat.repr(v);
    }

    /** A Python tuple of ints: {@code (3,)}, {@code (5, 5)}. */
    static String tuple(int... v) {
        String items = Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        return "(" + items + (v.length == 1 ? ",)" : ")");
    }

    /**
     * One int where every axis has it, else a tuple: how a layer built from one int per axis prints, PyTorch printing
     * the argument as given (Kiln keeps no record of whether it was an int).
     */
    static String intOrTuple(int... v) {
        return Arrays.stream(v).allMatch(x -> x == v[0]) ? Integer.toString(v[0]) : tuple(v);
    }

    /** Python's {@code _addindent}: every line but the first indented by {@code spaces}. */
    static String indent(String s, int spaces) {
        return s.replace("\n", "\n" + " ".repeat(spaces));
    }
}
