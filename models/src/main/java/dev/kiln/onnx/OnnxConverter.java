package dev.kiln.onnx;

import dev.kiln.nn.Module;

/**
 * Turns one module of type {@code M} into ONNX nodes: given the name of the value the module reads, it adds the nodes
 * (and the initializers they read) to the graph and returns the name of the value the module produces, the same
 * computation as the module's evaluation-mode forward. A composite module converts its children through
 * {@link OnnxGraph#convert}.
 */
@FunctionalInterface
public interface OnnxConverter<M extends Module> {
    String convert(M module, String input, OnnxGraph graph);
}
