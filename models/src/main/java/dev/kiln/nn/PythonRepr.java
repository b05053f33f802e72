package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Device;
import dev.kiln.engine.PythonFloat;
import dev.kiln.engine.Tensor;
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

    /**
     * A setting that PyTorch prints as its user wrote it, where PyTorch's default and common use are ints
     * ({@code Softplus(beta=1, threshold=20)}, {@code LPPool2d(norm_type=2, ...)}): an int where whole, else
     * {@link #number}. Kiln keeps such settings as doubles, with no record of how they were written.
     */
    static String asWritten(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : number(v);
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

    /**
     * A parameter's line in PyTorch's repr of a ParameterList or ParameterDict:
     * {@code   (key): Parameter containing: [TYPE of size 2x3]}, with {@code  (GPU 0)} after the size on a GPU.
     */
    static String parameterLine(String key, String typeName, Tensor p) {
        String size = Arrays.stream(p.shape().dims()).mapToObj(Integer::toString).collect(Collectors.joining("x"));
        String device = p.device().equals(Device.CPU) ? "" : " (GPU " + p.device().index() + ")";
        return "  (" + key + "): Parameter containing: [" + typeName + " of size " + size + device + "]";
    }

    /** {@code torch.typename} of a tensor: {@code torch.FloatTensor}, or {@code torch.cuda.FloatTensor} on a GPU. */
    static String legacyTypeName(Tensor p) {
        String type = switch (p.dtype()) {
            case F32 -> "FloatTensor";
            case F64 -> "DoubleTensor";
            case I32 -> "IntTensor";
            case I64 -> "LongTensor";
        };
        return (p.device().equals(Device.CPU) ? "torch." : "torch.cuda.") + type;
    }

    /** {@code torch.float32}: a dtype as PyTorch prints it. */
    static String dtype(DType dtype) {
        return "torch." + dtype.pytorchName();
    }

    /**
     * PyTorch's {@code print} of a 1-D F32 tensor of {@code values}, as its observers' reprs print per-channel ranges:
     * {@code tensor([])} for none, {@code tensor([-1.2000,  2.0000])}.
     */
    static String floats(float[] values) {
        try (Tensor t = Module.unscoped(() -> Tensor.fromArray(values, values.length))) {
            return t.toString();
        }
    }
}
