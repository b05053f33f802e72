package dev.kiln.onnx;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.HookHandle;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiHeadAttention;
import dev.kiln.nn.ThreeInputForward;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.nn.TwoInputForward;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * PyTorch's {@code torch.onnx.export}: writes a model as an ONNX file that ONNX Runtime (or any ONNX reader) runs with
 * the model's evaluation-mode forward. Parameters and buffers become F32 initializers under their state-dict names.
 *
 * <p>The exporter first runs the model (in evaluation mode, without gradients) on zeros of {@code inputShape}, so that
 * an input the model cannot take fails with the model's own shape error, and records each module's input and output
 * shapes, which some converters need. Each module is then converted by the converter of its class; composite modules
 * convert their children. The model's training mode is restored afterwards.
 */
public final class OnnxExport {
    /**
     * The IR version of the ONNX release that introduced each opset from 17 (index 0) to
     * {@link OnnxExportOptions#MAX_OPSET}: ONNX 1.12 and 1.13 (IR 8), 1.14 and 1.15 (IR 9), 1.16 and 1.17 (IR 10),
     * 1.18 (IR 11). A reader takes the IR version as the format the file follows, so an opset is stamped with the
     * IR version that defines its types (opset 21's 4-bit integers, for one).
     */
    private static final long[] IR_VERSIONS = {8, 8, 9, 9, 10, 10, 11};
    private static final String BATCH = "batch";
    /** Where a mask goes instead, for a MultiHeadAttention given one (PyTorch's key_padding_mask is an argument). */
    private static final String MASK_ADVICE = "An attention or key padding mask is no input of its call: export the"
            + " TransformerEncoderLayer or TransformerEncoder around it with the mask as the second input"
            + " ([batch, 1, S] for key padding, non-zero = masked)";

    private OnnxExport() {
    }

    /**
     * Writes {@code model} to {@code file} with {@link OnnxExportOptions#defaults()}.
     *
     * @param inputShape one example input's shape, batch axis first, e.g. {@code [1, 1, 28, 28]}
     * @throws IllegalArgumentException when the model does not take the shape, or a module has no converter
     *     (naming its type and path)
     */
    public static void export(Module model, int[] inputShape, Path file) throws IOException {
        export(model, inputShape, file, OnnxExportOptions.defaults());
    }

    /**
     * Writes {@code model} to {@code file} (through a temporary file renamed into place).
     *
     * @throws IllegalArgumentException as {@link #export(Module, int[], Path)}, and for a model past protobuf's 2 GiB
     *     limit on a file (ONNX's external data, which would hold its weights, is not written)
     */
    public static void export(Module model, int[] inputShape, Path file, OnnxExportOptions options)
            throws IOException {
        ModelProto proto = toProto(model, inputShape, options);
        AtomicFiles.write(file, proto::write);
    }

    /** The ONNX model of {@code model}, as {@link #export} writes it. */
    public static ModelProto toProto(Module model, int[] inputShape, OnnxExportOptions options) {
        return toProto(model, inputShape, null, options);
    }

    /**
     * Writes {@code model}, whose forward takes two tensors ({@link TwoInputForward}: MaxUnpool1d, 2d or 3d's input and
     * indices, a TransformerEncoderLayer's or TransformerEncoder's input and attention mask), to {@code file}: the
     * graph's inputs are the input (named, typed and with symbolic axes as {@code options} say) and {@code second}.
     *
     * @throws IllegalArgumentException as {@link #export(Module, int[], Path, OnnxExportOptions)}, for a model that
     *     does not take two inputs, or one whose class has no two-input converter
     */
    public static void export(Module model, int[] inputShape, OnnxSecondInput second, Path file,
            OnnxExportOptions options) throws IOException {
        ModelProto proto = toProto(model, inputShape, second, options);
        AtomicFiles.write(file, proto::write);
    }

    /**
     * The ONNX model of {@code model}, as {@link #export(Module, int[], OnnxSecondInput, Path, OnnxExportOptions)}
     * writes it; {@code second} null for a model of one input.
     */
    public static ModelProto toProto(Module model, int[] inputShape, OnnxSecondInput second,
            OnnxExportOptions options) {
        if (second != null && model instanceof ThreeInputForward && !(model instanceof TwoInputForward)) {
            boolean attention = model instanceof MultiHeadAttention;
            throw new IllegalArgumentException("ONNX export: " + model.describe() + " takes three inputs"
                    + (attention ? " (query, key and value)" : "") + ", not an input and a second input '"
                    + second.name() + "'; give it a second and a third input" + (attention ? ". " + MASK_ADVICE : ""));
        }
        if (second != null && !(model instanceof TwoInputForward)) {
            throw new IllegalArgumentException("ONNX export: " + model.describe()
                    + " takes one input, not a second input '"
                    + second.name() + "'");
        }
        if (second != null && (second.name().equals(options.inputName())
                || second.name().equals(options.outputName()))) {
            throw new IllegalArgumentException("ONNX export: the second input's name '" + second.name() + "' is the "
                    + "input's or the output's ('" + options.inputName() + "', '" + options.outputName() + "')");
        }
        if (second != null && (model instanceof TransformerEncoderLayer || model instanceof TransformerEncoder)) {
            TransformerConverters.checkMask(inputShape, second.shape());
        }
        return build(model, inputShape, second == null ? List.of() : List.of(second), false, options);
    }

    /**
     * Writes {@code model}, whose forward takes three tensors ({@link ThreeInputForward}: MultiHeadAttention's query,
     * key and value, as PyTorch's {@code mha(query, key, value)[0]}), to {@code file}: the graph's inputs are the input
     * (named, typed and with symbolic axes as {@code options} say), {@code second} and {@code third}.
     *
     * @throws IllegalArgumentException as {@link #export(Module, int[], Path, OnnxExportOptions)}, for a model that
     *     does not take three inputs, one whose class has no three-input converter, or a MultiHeadAttention's key or
     *     value not F32 (a key padding mask given as one)
     */
    public static void export(Module model, int[] inputShape, OnnxSecondInput second, OnnxSecondInput third,
            Path file, OnnxExportOptions options) throws IOException {
        ModelProto proto = toProto(model, inputShape, second, third, options);
        AtomicFiles.write(file, proto::write);
    }

    /**
     * The ONNX model of {@code model}, as
     * {@link #export(Module, int[], OnnxSecondInput, OnnxSecondInput, Path, OnnxExportOptions)} writes it.
     */
    public static ModelProto toProto(Module model, int[] inputShape, OnnxSecondInput second, OnnxSecondInput third,
            OnnxExportOptions options) {
        Objects.requireNonNull(second, "ONNX export: the second input");
        Objects.requireNonNull(third, "ONNX export: the third input");
        if (!(model instanceof ThreeInputForward)) {
            throw new IllegalArgumentException("ONNX export: " + model.describe() + " takes "
                    + (model instanceof TwoInputForward
                    ? "two inputs" : "one input") + ", not a second and third input '" + second.name() + "' and '"
                    + third.name() + "'");
        }
        for (OnnxSecondInput extra : List.of(second, third)) {
            if (model instanceof MultiHeadAttention && extra.type() != DType.F32) {
                throw new IllegalArgumentException("ONNX export: " + model.describe()
                        + " takes its query, key and value as F32"
                        + " values, but the " + (extra == second ? "second" : "third") + " input '" + extra.name()
                        + "' is " + extra.type() + " " + Arrays.toString(extra.shape()) + ". " + MASK_ADVICE);
            }
        }
        Set<String> names = new HashSet<>(List.of(options.inputName(), options.outputName()));
        for (OnnxSecondInput extra : List.of(second, third)) {
            if (!names.add(extra.name())) {
                throw new IllegalArgumentException("ONNX export: the inputs and the output need distinct names, got '"
                        + extra.name() + "' twice (input '" + options.inputName() + "', output '"
                        + options.outputName() + "', then '" + second.name() + "' and '" + third.name() + "')");
            }
        }
        return build(model, inputShape, List.of(second, third), false, options);
    }

    /**
     * Writes {@code model}, a TransformerEncoderLayer or TransformerEncoder (or another model whose two-input forward
     * takes an attention mask), under a causal mask, {@code model.call(x, Attention.causalMask(S))}: the mask is made
     * in the graph from the input's length S (its second-to-last axis, symbolic or not), so the file takes the input
     * alone.
     *
     * @throws IllegalArgumentException as {@link #export(Module, int[], OnnxSecondInput, Path, OnnxExportOptions)},
     *     or for an input of fewer than two axes
     */
    public static void exportCausal(Module model, int[] inputShape, Path file, OnnxExportOptions options)
            throws IOException {
        ModelProto proto = toProtoCausal(model, inputShape, options);
        AtomicFiles.write(file, proto::write);
    }

    /** The ONNX model of {@code model}, as {@link #exportCausal} writes it. */
    public static ModelProto toProtoCausal(Module model, int[] inputShape, OnnxExportOptions options) {
        if (!(model instanceof TwoInputForward) || inputShape.length < 2) {
            throw new IllegalArgumentException("ONNX export: a causal mask needs a model of an input and a mask and an "
                    + "input of at least [steps, width], got " + model.describe() + " on "
                    + Arrays.toString(inputShape));
        }
        int steps = inputShape[inputShape.length - 2];
        return build(model, inputShape, List.of(OnnxSecondInput.of("causal_mask", DType.F32, steps, steps)), true,
                options);
    }

    /**
     * The model of {@code model} on an input of {@code inputShape} and {@code extra} (none, a second, or a second and
     * a third), which are graph inputs, or with {@code causal} a causal mask the graph makes as the second.
     */
    private static ModelProto build(Module model, int[] inputShape, List<OnnxSecondInput> extra, boolean causal,
            OnnxExportOptions options) {
        Map<Module, Boolean> modes = new LinkedHashMap<>();
        model.namedModules().values().forEach(m -> modes.put(m, m.isTraining()));
        model.eval();
        try (Scope scope = Scope.open(); var noGrad = Autograd.noGrad()) {
            Map<Module, OnnxGraph.Shapes> shapes = new IdentityHashMap<>();
            DType type = trialType(model, options.inputType());
            int[] outputShape = extra.isEmpty() ? trialForward(model, inputShape, type, shapes)
                    : trialForward(model, inputShape, type, extra, shapes);
            OnnxGraph graph = new OnnxGraph(OnnxConverters.with(options.converters()), shapes,
                    inputAxes(options, inputShape));
            String input = options.inputName();
            String output = switch (extra.size()) {
                case 0 -> graph.convert(model, "", input);
                case 1 -> graph.convert(model, "", input, causal ? causalMask(graph, input) : extra.get(0).name());
                default -> graph.convert(model, "", input, extra.get(0).name(), extra.get(1).name());
            };
            return model(graph, output, inputShape, outputShape, options, causal ? List.of() : extra);
        } finally {
            modes.forEach((m, training) -> m.train(training));
        }
    }

    /**
     * {@link dev.kiln.nn.Attention#causalMask}'s mask as [S, S], 1 above the diagonal, S the input's second-to-last
     * size read from its Shape.
     */
    private static String causalMask(OnnxGraph g, String input) {
        String steps = g.node("Shape", input, AttributeProto.ofInt("start", -2), AttributeProto.ofInt("end", -1));
        String square = g.node("Concat", List.of(steps, steps), AttributeProto.ofInt("axis", 0));
        String ones = g.node("ConstantOfShape", square, AttributeProto.ofTensor("value",
                TensorProto.ofFloats("one", new long[] {1}, 1)));
        String aboveDiagonal = g.node("Constant", List.of(), AttributeProto.ofTensor("value",
                TensorProto.ofLongs("k", new long[0], 1)));
        return g.node("Trilu", List.of(ones, aboveDiagonal), AttributeProto.ofInt("upper", 1));
    }

    /**
     * The type of the zeros the trial forward pass runs on: I64 indices as asked, else the model's own floating type
     * (an F64 model takes F64 input; its ONNX file is F32 all the same).
     */
    private static DType trialType(Module model, DType inputType) {
        if (inputType == DType.I64) {
            return DType.I64;
        }
        return model.parameters().stream().map(Tensor::dtype).filter(DType::isFloating).findFirst().orElse(DType.F32);
    }

    /**
     * Runs the model on zeros, recording every module's input and output shapes (a module run more than once keeps
     * the first, and a differing later call's); returns the output's shape.
     */
    private static int[] trialForward(Module model, int[] inputShape, DType type,
            Map<Module, OnnxGraph.Shapes> shapes) {
        List<HookHandle> hooks = hooks(model, shapes, null);
        try {
            return model.call(Tensor.zeros(type, inputShape)).shape().dims();
        } finally {
            hooks.forEach(HookHandle::remove);
        }
    }

    /** Hooks recording the shapes of {@code model}'s modules but {@code unhooked}. */
    private static List<HookHandle> hooks(Module model, Map<Module, OnnxGraph.Shapes> shapes, Module unhooked) {
        List<HookHandle> hooks = new ArrayList<>();
        for (Module m : model.namedModules().values()) {
            if (m != unhooked) {
                hooks.add(m.registerForwardHook((module, in, out) -> {
                    shapes.merge(module, new OnnxGraph.Shapes(in.shape().dims(), out.shape().dims()),
                            OnnxGraph.Shapes::and);
                    return null;
                }));
            }
        }
        return hooks;
    }

    /**
     * {@link #trialForward(Module, int[], DType, Map)} of a model of two or three inputs, zeros of each of
     * {@code extra}'s shape and type the others: the model's own shapes (its call of several inputs runs no forward
     * hooks, and refuses to run with any) are recorded from its first input and its output.
     */
    private static int[] trialForward(Module model, int[] inputShape, DType type, List<OnnxSecondInput> extra,
            Map<Module, OnnxGraph.Shapes> shapes) {
        List<HookHandle> hooks = hooks(model, shapes, model);
        try {
            Tensor x = Tensor.zeros(type, inputShape);
            List<Tensor> others = extra.stream().map(e -> Tensor.zeros(e.type(), e.shape())).toList();
            Tensor y = others.size() == 1 ? model.call(x, others.get(0)) : model.call(x, others.get(0), others.get(1));
            int[] out = y.shape().dims();
            shapes.put(model, new OnnxGraph.Shapes(inputShape.clone(), out));
            return out;
        } finally {
            hooks.forEach(HookHandle::remove);
        }
    }

    private static ModelProto model(OnnxGraph graph, String output, int[] inputShape, int[] outputShape,
            OnnxExportOptions options, List<OnnxSecondInput> extra) {
        List<NodeProto> nodes = new ArrayList<>(graph.nodes());
        if (!output.equals(options.outputName())) {
            nodes = renameOutput(nodes, output, options.outputName());
        }
        int inputElem = options.inputType() == DType.I64 ? TensorProto.INT64 : TensorProto.FLOAT;
        ValueInfoProto in = new ValueInfoProto(options.inputName(),
                new TypeProto(inputElem, shape(inputShape, inputAxes(options, inputShape))));
        ValueInfoProto out = new ValueInfoProto(options.outputName(),
                new TypeProto(TensorProto.FLOAT, shape(outputShape, outputAxes(options, inputShape, outputShape))));
        List<ValueInfoProto> inputs = new ArrayList<>(List.of(in));
        for (OnnxSecondInput e : extra) {
            inputs.add(new ValueInfoProto(e.name(), new TypeProto(e.type() == DType.I64 ? TensorProto.INT64
                    : TensorProto.FLOAT, shape(e.shape(), e.axes()))));
        }
        GraphProto g = new GraphProto("kiln", nodes, graph.initializers(), inputs, List.of(out), List.of());
        return new ModelProto(irVersion(options.opset()), List.of(new OperatorSetIdProto("", options.opset())), "kiln",
                "", "", 0, "", g);
    }

    /** The IR version the file declares for {@code opset}: that of the ONNX release that introduced the opset. */
    static long irVersion(int opset) {
        return IR_VERSIONS[opset - OnnxExportOptions.MIN_OPSET];
    }

    /**
     * The nodes with the value {@code from} renamed to the graph's output name; where the model passes its input on
     * unchanged ({@code from} is the input), an Identity node makes the output.
     */
    private static List<NodeProto> renameOutput(List<NodeProto> nodes, String from, String to) {
        List<NodeProto> renamed = new ArrayList<>();
        boolean produced = false;
        for (NodeProto n : nodes) {
            List<String> inputs = n.inputs().stream().map(v -> v.equals(from) ? to : v).toList();
            List<String> outputs = n.outputs().stream().map(v -> v.equals(from) ? to : v).toList();
            produced |= n.outputs().contains(from);
            renamed.add(new NodeProto(inputs, outputs, n.name(), n.opType(), n.domain(), n.attributes()));
        }
        if (!produced) {
            renamed.add(new NodeProto(List.of(from), List.of(to), "/Identity", "Identity", "", List.of()));
        }
        return renamed;
    }

    /** The input's symbolic axes: the default batch, or those asked for, each within the input's rank. */
    private static Map<Integer, String> inputAxes(OnnxExportOptions options, int[] inputShape) {
        if (options.dynamicBatch()) {
            return Map.of(0, BATCH);
        }
        withinRank("input", options.inputAxes(), inputShape);
        sameSizeWhereSameName(options.inputAxes(), inputShape);
        return options.inputAxes();
    }

    /** Refuses input axes that share a name, so one symbolic size, but differ in the trial input. */
    private static void sameSizeWhereSameName(Map<Integer, String> axes, int[] shape) {
        Map<String, Integer> first = new HashMap<>();
        axes.keySet().stream().sorted().forEach(axis -> {
            Integer other = first.putIfAbsent(axes.get(axis), axis);
            if (other != null && shape[other] != shape[axis]) {
                throw new IllegalArgumentException("ONNX export: input axes " + other + " and " + axis + " are both "
                        + "named '" + axes.get(axis) + "' but have sizes " + shape[other] + " and " + shape[axis]
                        + " (input " + Arrays.toString(shape) + ")");
            }
        });
    }

    private static void withinRank(String which, Map<Integer, String> axes, int[] shape) {
        axes.forEach((axis, name) -> {
            if (axis >= shape.length) {
                throw new IllegalArgumentException("ONNX export: dynamic " + which + " axis " + axis + " ('" + name
                        + "') is past the " + which + "'s rank " + shape.length + " (" + Arrays.toString(shape) + ")");
            }
        });
    }

    /**
     * The output's symbolic axes: the default batch where the output's first axis has the input's size, else those
     * asked for, each within the output's rank and, where named as an input axis, of that axis's size.
     */
    private static Map<Integer, String> outputAxes(OnnxExportOptions options, int[] inputShape, int[] outputShape) {
        if (options.dynamicBatch()) {
            return outputShape.length > 0 && inputShape.length > 0 && outputShape[0] == inputShape[0]
                    ? Map.of(0, BATCH) : Map.of();
        }
        Map<String, Integer> inputSizes = new HashMap<>();
        options.inputAxes().forEach((axis, name) -> inputSizes.put(name, inputShape[axis]));
        withinRank("output", options.outputAxes(), outputShape);
        options.outputAxes().forEach((axis, name) -> {
            Integer size = inputSizes.get(name);
            if (size != null && size != outputShape[axis]) {
                throw new IllegalArgumentException("ONNX export: output axis " + axis + " is named '" + name
                        + "' as an input axis of size " + size + ", but has size " + outputShape[axis] + " (output "
                        + Arrays.toString(outputShape) + ")");
            }
        });
        return options.outputAxes();
    }

    private static TensorShapeProto shape(int[] dims, Map<Integer, String> symbolic) {
        List<TensorShapeProto.Dimension> list = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            String name = symbolic.get(i);
            list.add(name != null ? TensorShapeProto.Dimension.symbolic(name) : TensorShapeProto.Dimension.of(dims[i]));
        }
        return new TensorShapeProto(list);
    }
}
