package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * An ONNX model imported by {@link OnnxImport#load}, as a trainable Kiln module. Its parameters are the graph's
 * floating-point initializers, named as in the file (the state dict's keys are the initializers' names, so a
 * safetensors checkpoint or state dict of the same model loads by name); its buffers are the integer initializers and
 * the running statistics that BatchNormalization nodes read. {@link #forward} runs the graph's nodes in order with
 * Kiln's tensor ops, so gradients reach the parameters and the inputs, and it runs on whichever backend the tensors
 * live on.
 *
 * <p>Like Kiln's own layers it has two modes, and it loads in evaluation mode: there BatchNormalization normalises with
 * its running statistics and Dropout passes its input on, as an inference graph runs. {@link #train()} switches them
 * as PyTorch's {@code BatchNorm} and {@code Dropout} switch: BatchNormalization normalises with the batch's statistics
 * and updates its running mean and variance (PyTorch's momentum is 1 minus the node's; the variance entered unbiased),
 * and Dropout zeroes elements with its ratio from Kiln's random stream and scales the others by 1 / (1 - ratio). The
 * training_mode a file was exported with does not fix a node's mode: the module's does.
 * {@link OnnxWeights#withInitializers} writes the updated running statistics back with the weights.
 */
public class OnnxModule extends OnnxNamespace {
    private final OnnxGraph graph;

    OnnxModule(OnnxGraph graph) {
        this.graph = graph;
    }

    /**
     * The output of a graph with one input and one output, such as torch exports for a module: shapes as declared in
     * the file (e.g. input [batch, 1, 28, 28] to output [batch, 10]).
     *
     * @throws IllegalArgumentException naming the input's declared shape when {@code x}'s rank or a fixed size differs
     * @throws IllegalStateException when the graph has more than one input or output; call {@link #forwardAll}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalStateException("OnnxModule: the graph takes inputs " + inputNames() + " and gives outputs "
                    + outputNames() + "; forward(x) runs a graph of one input and one output, call forwardAll");
        }
        return forwardAll(x).get(0);
    }

    /**
     * The graph's outputs, in {@link #outputNames()} order, for one tensor per graph input in {@link #inputNames()}
     * order.
     *
     * @throws IllegalArgumentException for another number of inputs than the graph takes, an input whose rank or fixed
     *     size differs from its declared shape (named in the message), or an op that fails on what it is given (the
     *     node named)
     */
    public List<Tensor> forwardAll(Tensor... inputs) {
        return graph.run(this, inputs);
    }

    /** The graph inputs that the caller gives (the initializers excluded), in order. */
    public List<String> inputNames() {
        return graph.inputs().stream().map(OnnxInput::name).toList();
    }

    /** The graph outputs, in order. */
    public List<String> outputNames() {
        return graph.outputs();
    }

    /** Kiln's settings in PyTorch's style, before the namespaces of its tensors: the graph's inputs and outputs. */
    @Override
    protected String extraRepr() {
        return "inputs=" + graph.inputs().stream().map(OnnxInput::describe).toList() + ", outputs=" + graph.outputs();
    }
}
