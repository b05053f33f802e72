package dev.kiln.onnx.importer;

import java.util.Map;
import java.util.TreeMap;

/** The op types the ONNX import runs, each with its {@link OnnxConverter}, gathered from the converter families. */
final class OnnxOps {
    private static final Map<String, OnnxConverter> CONVERTERS = converters();

    private OnnxOps() {
    }

    private static Map<String, OnnxConverter> converters() {
        Map<String, OnnxConverter> all = new TreeMap<>();
        ElementwiseConverters.register(all);
        MatrixConverters.register(all);
        ConvolutionConverters.register(all);
        NormalizationConverters.register(all);
        ShapeConverters.register(all);
        all.put("Resize", new ResizeConverter());
        RecurrentConverter.register(all);
        DepthSpaceConverters.register(all);
        ActivationMoreConverters.register(all);
        BooleanConverters.register(all);
        SelectionConverters.register(all);
        ReduceConverters.register(all);
        ArrangeConverters.register(all);
        QuantizationConverters.register(all);
        return all;
    }

    /**
     * The steps for {@code node}, one per output, null for an output Kiln does not compute.
     *
     * @throws IllegalArgumentException naming the op type, the node and the supported op types when Kiln does not
     *     run the op (or it belongs to another domain than ai.onnx), or naming the node and attribute when an
     *     attribute has a value Kiln does not run or is of another kind than ONNX specifies
     */
    static OnnxStep[] compile(OnnxNode node) {
        String domain = node.proto().domain();
        OnnxConverter converter = domain.isEmpty() || domain.equals("ai.onnx") ? CONVERTERS.get(node.opType()) : null;
        if (converter == null) {
            throw new IllegalArgumentException("ONNX import: unsupported op type '" + node.opType() + "'"
                    + (domain.isEmpty() ? "" : " of domain '" + domain + "'") + " in node '" + node.proto().name()
                    + "'; Kiln supports these ai.onnx op types: " + CONVERTERS.keySet());
        }
        try {
            return converter.compileOutputs(node, node.proto().outputs().size());
        } catch (IllegalArgumentException e) {
            throw named(node, e);
        }
    }

    /** {@code e}, or when it does not name the node (an attribute of the wrong kind, say) an error that does. */
    static IllegalArgumentException named(OnnxNode node, IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("ONNX import")) {
            return e;
        }
        IllegalArgumentException named = node.error(e.getMessage());
        named.initCause(e);
        return named;
    }
}
