package dev.kiln.onnx;

import dev.kiln.engine.DType;
import dev.kiln.nn.Module;
import java.util.HashMap;
import java.util.Map;

/**
 * How {@link OnnxExport} writes a model, as {@code torch.onnx.export}'s arguments: the operator set version
 * ({@code opset_version}, 17 by default and the lowest supported), whether the first axis of the input and output is
 * the symbolic "batch" ({@code dynamic_axes}; on by default), the names of the graph's input and output
 * ({@code input_names}, {@code output_names}: "input" and "output"), the element type of the input (F32, or I64
 * for a model that starts with an Embedding), and converters for module types Kiln's exporter does not know (or
 * in place of its own), as {@code torch.onnx.register_custom_op_symbolic} adds symbolic functions.
 */
public record OnnxExportOptions(int opset, boolean dynamicBatch, String inputName, String outputName,
        DType inputType, Map<Class<? extends Module>, OnnxConverter<?>> converters) {
    /** The lowest operator set whose operators the converters emit (LayerNormalization, HardSwish, Pad's inputs). */
    public static final int MIN_OPSET = 17;

    /** @throws IllegalArgumentException for an opset below 17, empty or equal names, or an input type not F32/I64 */
    public OnnxExportOptions {
        if (opset < MIN_OPSET) {
            throw new IllegalArgumentException("ONNX export: opset must be at least " + MIN_OPSET + ", got " + opset);
        }
        if (inputName.isEmpty() || outputName.isEmpty() || inputName.equals(outputName)) {
            throw new IllegalArgumentException("ONNX export: input and output need two different non-empty names, got '"
                    + inputName + "' and '" + outputName + "'");
        }
        if (inputType != DType.F32 && inputType != DType.I64) {
            throw new IllegalArgumentException("ONNX export: the input type must be F32 or I64, got " + inputType);
        }
        converters = Map.copyOf(converters);
    }

    /** Opset 17, a dynamic batch axis, "input" and "output", F32. */
    public static OnnxExportOptions defaults() {
        return new OnnxExportOptions(MIN_OPSET, true, "input", "output", DType.F32, Map.of());
    }

    public OnnxExportOptions withOpset(int version) {
        return new OnnxExportOptions(version, dynamicBatch, inputName, outputName, inputType, converters);
    }

    public OnnxExportOptions withDynamicBatch(boolean dynamic) {
        return new OnnxExportOptions(opset, dynamic, inputName, outputName, inputType, converters);
    }

    public OnnxExportOptions withNames(String input, String output) {
        return new OnnxExportOptions(opset, dynamicBatch, input, output, inputType, converters);
    }

    public OnnxExportOptions withInputType(DType type) {
        return new OnnxExportOptions(opset, dynamicBatch, inputName, outputName, type, converters);
    }

    /** With {@code converter} for modules of exactly the class {@code type} (see {@link OnnxConverter}). */
    public <M extends Module> OnnxExportOptions withConverter(Class<M> type, OnnxConverter<? super M> converter) {
        Map<Class<? extends Module>, OnnxConverter<?>> more = new HashMap<>(converters);
        more.put(type, converter);
        return new OnnxExportOptions(opset, dynamicBatch, inputName, outputName, inputType, more);
    }
}
