package dev.kiln.onnx;

import dev.kiln.nn.Module;

/**
 * Turns one module of type {@code M} that reads three values (MultiHeadAttention's query, key and value) into ONNX
 * nodes, as {@link OnnxConverter} does a module of one: given the names of the three values, it adds the nodes and
 * returns the name of the value the module produces. A composite module converts such a child through
 * {@link OnnxGraph#convert(Module, String, String, String, String)}.
 */
@FunctionalInterface
public interface OnnxThreeInputConverter<M extends Module> {
    String convert(M module, String input, String second, String third, OnnxGraph graph);
}
