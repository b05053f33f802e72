package dev.kiln.onnx.importer;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.GraphProto;
import dev.kiln.onnx.NodeProto;
import dev.kiln.onnx.TensorProto;
import dev.kiln.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An imported ONNX graph compiled into steps: its inputs with their declared shapes, its initializers (read from the
 * {@link OnnxModule} that holds them at each run, so that training, {@code to(DType)} and loaded state dicts take
 * effect), its nodes in graph order, and its outputs. Immutable; a module and its copies share one.
 */
final class OnnxGraph {
    /** An initializer as the module holds it: a parameter, or a buffer when not trainable. */
    record Initializer(String name, boolean trainable) {
    }

    /**
     * One output of a node compiled into its step, with the names the node reads, the output's name, and the values
     * no later step or graph output reads once it has run.
     */
    private record Compiled(OnnxNode node, List<String> inputs, String output, OnnxStep step, List<String> done) {
    }

    private final List<OnnxInput> inputs;
    private final List<Initializer> initializers;
    private final List<Compiled> nodes;
    private final List<String> outputs;

    private OnnxGraph(List<OnnxInput> inputs, List<Initializer> initializers, List<Compiled> nodes,
            List<String> outputs) {
        this.inputs = List.copyOf(inputs);
        this.initializers = List.copyOf(initializers);
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
    }

    /**
     * Compiles {@code graph}'s nodes, failing on the first that Kiln cannot run.
     *
     * @param initializers the graph's initializers as the module holds them
     * @throws IllegalArgumentException naming the node: an unsupported op type or attribute, an input that no earlier
     *     node, initializer or graph input defines, or an output Kiln does not compute (a second output but those of
     *     Split, LSTM, GRU and RNN) that a later node reads
     */
    static OnnxGraph compile(GraphProto graph, long opset, List<Initializer> initializers) {
        Set<String> defined = new HashSet<>();
        initializers.forEach(i -> defined.add(i.name()));
        List<OnnxInput> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.inputs()) {
            if (defined.add(v.name())) {
                inputs.add(OnnxInput.of(v));
            }
        }
        Set<String> read = new HashSet<>();
        graph.nodes().forEach(n -> read.addAll(n.inputs()));
        graph.outputs().forEach(o -> read.add(o.name()));
        Map<String, Integer> loadTimeTypes = new HashMap<>();
        graph.initializers().forEach(t -> loadTimeTypes.put(t.name(), t.dataType()));
        List<Compiled> nodes = new ArrayList<>();
        for (NodeProto proto : graph.nodes()) {
            OnnxNode node = new OnnxNode(proto, opset, loadTimeTypes);
            constantType(proto).ifPresent(type -> loadTimeTypes.put(proto.outputs().get(0), type));
            OnnxStep[] steps = OnnxOps.compile(node);
            for (String input : proto.inputs()) {
                if (!input.isEmpty() && !defined.contains(input)) {
                    throw node.error("reads '" + input + "', which no earlier node, initializer or graph input "
                            + "defines");
                }
            }
            for (int k = 0; k < steps.length; k++) {
                String output = proto.outputs().get(k);
                if (steps[k] != null && !output.isEmpty()) {
                    defined.add(output);
                    nodes.add(new Compiled(node, proto.inputs(), output, steps[k], List.of()));
                } else if (read.contains(output) && !output.isEmpty()) {
                    throw node.error("output " + k + " '" + output + "' is read; Kiln computes this op's first "
                            + "output only");
                }
            }
        }
        List<String> outputs = graph.outputs().stream().map(ValueInfoProto::name).toList();
        nodes = withLastReads(nodes, outputs);
        for (String output : outputs) {
            if (!defined.contains(output)) {
                throw new IllegalArgumentException("ONNX import: graph output '" + output + "' is defined by no node, "
                        + "initializer or input");
            }
        }
        return new OnnxGraph(inputs, initializers, nodes, outputs);
    }

    /** The ONNX data type of a Constant node's output, where it has one of the attributes Kiln reads. */
    private static Optional<Integer> constantType(NodeProto proto) {
        if (!proto.opType().equals("Constant") || proto.outputs().isEmpty()) {
            return Optional.empty();
        }
        return proto.attribute("value").map(a -> a.t().dataType())
                .or(() -> proto.attribute("value_float").or(() -> proto.attribute("value_floats"))
                        .map(a -> TensorProto.FLOAT))
                .or(() -> proto.attribute("value_int").or(() -> proto.attribute("value_ints"))
                        .map(a -> TensorProto.INT64));
    }

    /** The nodes with, on each, the values whose last reader it is (or its output, when nothing reads it). */
    private static List<Compiled> withLastReads(List<Compiled> nodes, List<String> outputs) {
        Map<String, Integer> lastRead = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) {
            lastRead.putIfAbsent(nodes.get(k).output(), k);
            for (String input : nodes.get(k).inputs()) {
                lastRead.put(input, k);
            }
        }
        outputs.forEach(lastRead::remove);
        lastRead.remove("");
        List<List<String>> done = new ArrayList<>();
        nodes.forEach(n -> done.add(new ArrayList<>()));
        lastRead.forEach((name, k) -> done.get(k).add(name));
        List<Compiled> out = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            Compiled c = nodes.get(k);
            out.add(new Compiled(c.node(), c.inputs(), c.output(), c.step(), List.copyOf(done.get(k))));
        }
        return out;
    }

    List<OnnxInput> inputs() {
        return inputs;
    }

    List<String> outputs() {
        return outputs;
    }

    /**
     * The graph's outputs for {@code values} (one per graph input, in order), computed with {@code module}'s
     * initializers. Without gradients, what the nodes make along the way is freed as soon as no later node reads it.
     */
    List<Tensor> run(OnnxModule module, Tensor[] values) {
        checkInputs(values);
        if (Autograd.isEnabled()) {
            return evaluate(module, values);
        }
        try (Scope scope = Scope.open()) {
            List<Tensor> out = evaluate(module, values);
            out.forEach(scope::keep);
            return out;
        }
    }

    private void checkInputs(Tensor[] values) {
        if (values.length != inputs.size()) {
            throw new IllegalArgumentException("OnnxModule: the graph takes " + inputs.size() + " input(s) "
                    + inputs.stream().map(OnnxInput::describe).toList() + ", got " + values.length);
        }
        Map<String, Integer> symbols = new HashMap<>();
        for (int k = 0; k < values.length; k++) {
            inputs.get(k).check(values[k], symbols);
        }
    }

    private List<Tensor> evaluate(OnnxModule module, Tensor[] values) {
        Map<String, OnnxValue> env = new HashMap<>();
        LiveTensors live = Autograd.isEnabled() ? null : new LiveTensors();
        DType precision = bind(module, values, env, live);
        boolean training = module.isTraining();
        for (Compiled c : nodes) {
            OnnxValue[] args = new OnnxValue[c.inputs().size()];
            for (int k = 0; k < args.length; k++) {
                args[k] = c.inputs().get(k).isEmpty() ? null : env.get(c.inputs().get(k));
            }
            OnnxValue result = apply(c, args, precision, training);
            env.put(c.output(), result);
            if (live != null) {
                live.bind(result);
                c.done().forEach(name -> live.release(env.get(name)));
            }
        }
        List<Tensor> out = new ArrayList<>();
        for (String name : outputs) {
            out.add(env.get(name).tensor(precision));
        }
        return out;
    }

    /**
     * Puts the initializers (as {@code module} holds them now) and the inputs in {@code env}, kept from closing, and
     * returns the precision the graph runs in: its parameters', else its inputs', else F32.
     *
     * @throws IllegalArgumentException naming the input when a floating-point input differs from the parameters
     */
    private DType bind(OnnxModule module, Tensor[] values, Map<String, OnnxValue> env, LiveTensors live) {
        List<Tensor> held = new ArrayList<>();
        DType floatType = null;
        for (Initializer i : initializers) {
            Tensor t = i.trainable() ? module.getParameter(i.name()) : module.getBuffer(i.name());
            floatType = floatType == null && t.dtype().isFloating() ? t.dtype() : floatType;
            env.put(i.name(), OnnxValue.of(t));
            held.add(t);
        }
        for (int k = 0; k < values.length; k++) {
            DType dtype = values[k].dtype();
            if (floatType != null && dtype.isFloating() && dtype != floatType) {
                throw new IllegalArgumentException("OnnxModule: input '" + inputs.get(k).name() + "' is " + dtype
                        + " but the module's parameters are " + floatType + "; convert one (module.to(" + dtype
                        + ") or input.to(" + floatType + "))");
            }
            floatType = floatType == null && dtype.isFloating() ? dtype : floatType;
            env.put(inputs.get(k).name(), OnnxValue.of(values[k]));
            held.add(values[k]);
        }
        if (live != null) {
            held.forEach(live::keep);
        }
        return floatType == null ? DType.F32 : floatType;
    }

    /**
     * Runs one step, a {@link ModalStep} in the module's mode; an error from a Kiln op gains the node's op type and
     * name. A node that breaks what the converter takes from a well-formed file (fewer inputs than its op has, a size
     * past int's range, an empty axis where the converter divides by its size) fails with the node named too, where it
     * would fail with a bare IndexOutOfBoundsException or ArithmeticException.
     */
    private static OnnxValue apply(Compiled c, OnnxValue[] args, DType precision, boolean training) {
        try {
            return c.step() instanceof ModalStep modal ? modal.apply(args, precision, training)
                    : c.step().apply(args, precision);
        } catch (IllegalArgumentException e) {
            throw OnnxOps.named(c.node(), e);
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            IllegalArgumentException named = c.node().error("cannot run on its " + args.length + " input(s) "
                    + shapes(args) + ": " + e);
            named.initCause(e);
            throw named;
        }
    }

    private static List<String> shapes(OnnxValue[] args) {
        List<String> shapes = new ArrayList<>();
        for (OnnxValue v : args) {
            shapes.add(v == null ? "absent" : Arrays.toString(v.shape()));
        }
        return shapes;
    }

    /**
     * Without gradients, the tensors the nodes made, each counted by the names still to be read that hold it (a step
     * may hand its input on, as Identity does): closed when the last is read, so that an evaluation holds the values
     * in flight rather than every value of the graph. Inputs and initializers are never closed.
     */
    private static final class LiveTensors {
        private final Map<Tensor, Integer> names = new IdentityHashMap<>();
        private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());

        void keep(Tensor t) {
            kept.add(t);
        }

        void bind(OnnxValue v) {
            Tensor t = v.deviceTensor();
            if (t != null && !kept.contains(t)) {
                names.merge(t, 1, Integer::sum);
            }
        }

        void release(OnnxValue v) {
            Tensor t = v == null ? null : v.deviceTensor();
            if (t == null || kept.contains(t)) {
                return;
            }
            if (names.merge(t, -1, Integer::sum) == 0) {
                names.remove(t);
                t.close();
            }
        }
    }
}
