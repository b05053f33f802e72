package dev.kiln.onnx;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX graph being built from a model, handed to each {@link OnnxConverter}: it adds nodes, turns parameters into
 * initializers under their state-dict names, adds constants, and knows each module's path in the model and the
 * input and output shapes it had in the exporter's trial forward pass.
 */
public final class OnnxGraph {
    /**
     * What the trial forward pass saw of one module: the shapes of its input and output, and those of a later call of
     * it that differed (null where every call had these), which leave its converter no one shape to read.
     */
    record Shapes(int[] input, int[] output, Shapes differing) {
        Shapes(int[] input, int[] output) {
            this(input, output, null);
        }

        /** These shapes, with {@code next} as the differing ones where they differ and none differed before. */
        Shapes and(Shapes next) {
            boolean same = Arrays.equals(input, next.input) && Arrays.equals(output, next.output);
            return same || differing != null ? this : new Shapes(input, output, next);
        }
    }

    private final OnnxConverters converters;
    private final Map<Module, Shapes> shapes;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Deque<Frame> stack = new ArrayDeque<>();
    private final Map<Integer, String> symbolicInputAxes;
    private int counter;

    /** A module being converted, with its dotted state-dict path ("" for the model itself). */
    private record Frame(Module module, String path) {
    }

    OnnxGraph(OnnxConverters converters, Map<Module, Shapes> shapes, Map<Integer, String> symbolicInputAxes) {
        this.converters = converters;
        this.shapes = shapes;
        this.symbolicInputAxes = Map.copyOf(symbolicInputAxes);
    }

    /**
     * Converts {@code child}, the sub-module registered as {@code name} in the module being converted (or the model
     * itself, with the name {@code ""}, when none is), reading {@code input}; returns the name of its output.
     *
     * @throws IllegalArgumentException naming the module's type and path when no converter takes its type
     */
    public String convert(Module child, String name, String input) {
        String path = stack.isEmpty() || stack.peek().path().isEmpty() ? name : stack.peek().path() + "." + name;
        stack.push(new Frame(child, path));
        try {
            return converters.forType(child, path).convert(child, input, this);
        } finally {
            stack.pop();
        }
    }

    /**
     * Converts {@code child}, which reads two values ({@code input} and {@code second}), as
     * {@link #convert(Module, String, String)} converts a module of one; returns the name of its output.
     *
     * @throws IllegalArgumentException naming the module's type and path when no two-input converter takes its type
     */
    public String convert(Module child, String name, String input, String second) {
        String path = stack.isEmpty() || stack.peek().path().isEmpty() ? name : stack.peek().path() + "." + name;
        stack.push(new Frame(child, path));
        try {
            return converters.forTwoInputType(child, path).convert(child, input, second, this);
        } finally {
            stack.pop();
        }
    }

    /**
     * Converts {@code child}, which reads three values ({@code input}, {@code second} and {@code third}), as
     * {@link #convert(Module, String, String)} converts a module of one; returns the name of its output.
     *
     * @throws IllegalArgumentException naming the module's type and path when no three-input converter takes its type
     */
    public String convert(Module child, String name, String input, String second, String third) {
        String path = stack.isEmpty() || stack.peek().path().isEmpty() ? name : stack.peek().path() + "." + name;
        stack.push(new Frame(child, path));
        try {
            return converters.forThreeInputType(child, path).convert(child, input, second, third, this);
        } finally {
            stack.pop();
        }
    }

    /** The dotted state-dict path of the module being converted ({@code ""} for the model itself). */
    public String path() {
        return stack.peek().path();
    }

    /** The shape of the input of the module being converted, batch axis included, in the trial forward pass. */
    public int[] inputShape() {
        return recorded().input().clone();
    }

    /** The model input's symbolic axes by axis, with their names (the batch's by default). */
    public Map<Integer, String> symbolicInputAxes() {
        return symbolicInputAxes;
    }

    /** The shape of the output of the module being converted, in the trial forward pass. */
    public int[] outputShape() {
        return recorded().output().clone();
    }

    private Shapes recorded() {
        Shapes s = shapes.get(stack.peek().module());
        String module = stack.peek().module().getClass().getSimpleName() + " at '" + path() + "'";
        if (s == null) {
            throw new IllegalArgumentException(module + " did not run in the forward pass of the model, so its shapes"
                    + " are unknown");
        }
        if (s.differing() != null) {
            throw new IllegalArgumentException("ONNX export: " + module + " ran on inputs " + Arrays.toString(s.input())
                    + " and " + Arrays.toString(s.differing().input()) + " in the trial forward pass, and its converter"
                    + " reads one input shape");
        }
        return s;
    }

    /**
     * Adds the parameter or buffer {@code tensor} of the module being converted as an F32 initializer named by its
     * state-dict name ({@code path.name}), once; returns that name.
     */
    public String parameter(String name, Tensor tensor) {
        String full = path().isEmpty() ? name : path() + "." + name;
        initializers.computeIfAbsent(full, n -> TensorProto.ofFloats(n, longs(tensor.shape().dims()),
                tensor.toFloatArray()));
        return full;
    }

    /**
     * Adds {@code values}, of the one-byte ONNX type {@code dataType} (INT8 or UINT8), as an initializer named
     * {@code path.name} under the module being converted, once; returns that name. Quantised weights are written so.
     */
    String byteParameter(String name, int dataType, long[] dims, byte[] values) {
        String full = path().isEmpty() ? name : path() + "." + name;
        initializers.computeIfAbsent(full, n -> new TensorProto(n, dataType, dims, values.clone()));
        return full;
    }

    /** Adds a constant of the one-byte ONNX type {@code dataType} (INT8 or UINT8) and shape {@code dims}. */
    String byteConstant(int dataType, long[] dims, byte... values) {
        return addConstant(new TensorProto(freshName("const"), dataType, dims, values.clone()));
    }

    /** Adds an F32 constant of shape {@code dims}; returns its name. */
    public String constant(long[] dims, float... values) {
        return addConstant(TensorProto.ofFloats(freshName("const"), dims, values));
    }

    /** Adds an F32 scalar constant (shape []); returns its name. */
    public String scalar(float value) {
        return constant(new long[0], value);
    }

    /** Adds a 1-D INT64 constant, as shapes, pads and axes are given to ONNX operators; returns its name. */
    public String int64s(long... values) {
        return addConstant(TensorProto.ofLongs(freshName("const"), new long[] {values.length}, values));
    }

    /**
     * Adds a 1-D DOUBLE Constant node, for size arithmetic that rounds as Kiln's double arithmetic; returns its
     * output's name. A node, not an initializer: importers take floating-point initializers for weights.
     */
    public String doubles(double... values) {
        return node("Constant", List.of(), AttributeProto.ofTensor("value",
                TensorProto.ofDoubles(freshName("const"), new long[] {values.length}, values)));
    }

    private String addConstant(TensorProto tensor) {
        initializers.put(tensor.name(), tensor);
        return tensor.name();
    }

    /**
     * Adds a node of ONNX operator {@code opType} (default domain) reading {@code inputs}; returns the name of its
     * one output.
     */
    public String node(String opType, List<String> inputs, AttributeProto... attributes) {
        String output = freshName(opType + "_output");
        nodes.add(new NodeProto(inputs, List.of(output), freshName(opType), opType, "", Arrays.asList(attributes)));
        return output;
    }

    /** A node of one input. */
    public String node(String opType, String input, AttributeProto... attributes) {
        return node(opType, List.of(input), attributes);
    }

    /** A name not used before, under the path of the module being converted, as PyTorch's "/fc/Gemm". */
    private String freshName(String what) {
        String prefix = stack.isEmpty() || path().isEmpty() ? "" : "/" + path().replace('.', '/');
        return prefix + "/" + what + "_" + counter++;
    }

    List<NodeProto> nodes() {
        return nodes;
    }

    List<TensorProto> initializers() {
        return List.copyOf(initializers.values());
    }

    static long[] longs(int[] dims) {
        return Arrays.stream(dims).asLongStream().toArray();
    }

    /**
     * Whether the module being converted ran through {@link Module#call} in the trial forward pass, so that
     * {@link #inputShape} and {@link #outputShape} know its shapes: a parent may run a child's forward directly (as
     * TransformerEncoder runs its layers), and the converter of such a child then works without them.
     */
    public boolean hasShapes() {
        return shapes.containsKey(stack.peek().module());
    }
}
