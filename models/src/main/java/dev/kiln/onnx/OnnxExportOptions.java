package dev.kiln.onnx;

import dev.kiln.engine.DType;
import dev.kiln.nn.Module;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link OnnxExport} writes a model, as {@code torch.onnx.export}'s arguments: the operator set version
 * ({@code opset_version}, 17 by default, 17 to 23 supported), which axes of the input and output are symbolic
 * ({@code dynamic_axes}: by default the first axis of both, named "batch", where the output's first axis has the
 * input's size; {@link #withDynamicAxes} names others), the names of the graph's input and output
 * ({@code input_names}, {@code output_names}: "input" and "output"), the element type of the input (F32, or I64
 * for a model that starts with an Embedding), and converters for module types Kiln's exporter does not know (or
 * in place of its own), as {@code torch.onnx.register_custom_op_symbolic} adds symbolic functions.
 */
public record OnnxExportOptions(int opset, boolean dynamicBatch, Map<Integer, String> inputAxes,
        Map<Integer, String> outputAxes, String inputName, String outputName, DType inputType,
        Map<Class<? extends Module>, OnnxConverter<?>> converters) {
    /** The lowest operator set whose operators the converters emit (LayerNormalization, HardSwish, Pad's inputs). */
    public static final int MIN_OPSET = 17;
    /** The highest operator set whose ONNX release (1.18, IR version 11) the exporter knows. */
    public static final int MAX_OPSET = 23;

    /**
     * @throws IllegalArgumentException for an opset outside 17 to 23, a dynamic batch beside named axes, a negative
     *     axis or an empty axis name, empty or equal names, or an input type not F32/I64
     */
    public OnnxExportOptions {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("ONNX export: opset must be from " + MIN_OPSET + " to " + MAX_OPSET
                    + ", got " + opset);
        }
        Objects.requireNonNull(inputAxes, "ONNX export: input axes (an empty map for none)");
        Objects.requireNonNull(outputAxes, "ONNX export: output axes (an empty map for none)");
        if (dynamicBatch && !(inputAxes.isEmpty() && outputAxes.isEmpty())) {
            throw new IllegalArgumentException("ONNX export: a dynamic batch names its axes itself; got also input axes "
                    + inputAxes + " and output axes " + outputAxes);
        }
        checkAxes("input", inputAxes);
        checkAxes("output", outputAxes);
        if (inputName.isEmpty() || outputName.isEmpty() || inputName.equals(outputName)) {
            throw new IllegalArgumentException("ONNX export: input and output need two different non-empty names, got '"
                    + inputName + "' and '" + outputName + "'");
        }
        if (inputType != DType.F32 && inputType != DType.I64) {
            throw new IllegalArgumentException("ONNX export: the input type must be F32 or I64, got " + inputType);
        }
        inputAxes = Map.copyOf(inputAxes);
        outputAxes = Map.copyOf(outputAxes);
        converters = Map.copyOf(converters);
    }

    private static void checkAxes(String which, Map<Integer, String> axes) {
        axes.forEach((axis, name) -> {
            if (axis < 0 || name.isEmpty()) {
                throw new IllegalArgumentException("ONNX export: a dynamic " + which
                        + " axis needs an axis of at least 0 and a non-empty name, got " + axis + " named '" + name + "'");
            }
        });
    }

    /** Opset 17, a dynamic batch axis, "input" and "output", F32. */
    public static OnnxExportOptions defaults() {
        return new OnnxExportOptions(MIN_OPSET, true, Map.of(), Map.of(), "input", "output", DType.F32, Map.of());
    }

    public OnnxExportOptions withOpset(int version) {
        return new OnnxExportOptions(version, dynamicBatch, inputAxes, outputAxes, inputName, outputName, inputType, converters);
    }

    /** With (or without) the symbolic "batch" first axis of the default, and no other symbolic axes. */
    public OnnxExportOptions withDynamicBatch(boolean dynamic) {
        return new OnnxExportOptions(opset, dynamic, Map.of(), Map.of(), inputName, outputName, inputType, converters);
    }

    /**
     * With exactly these symbolic axes, as {@code dynamic_axes={"input": {0: "batch", 1: "time"}, "output": {...}}}:
     * axis to name for the input and for the output (an output axis is not inferred from the input's). Each axis must
     * lie within its value's rank, and an output axis named as an input axis must have its size in the trial pass.
     */
    public OnnxExportOptions withDynamicAxes(Map<Integer, String> input, Map<Integer, String> output) {
        return new OnnxExportOptions(opset, false, input, output, inputName, outputName, inputType, converters);
    }

    public OnnxExportOptions withNames(String input, String output) {
        return new OnnxExportOptions(opset, dynamicBatch, inputAxes, outputAxes, input, output, inputType, converters);
    }

    public OnnxExportOptions withInputType(DType type) {
        return new OnnxExportOptions(opset, dynamicBatch, inputAxes, outputAxes, inputName, outputName, type, converters);
    }

    /** With {@code converter} for modules of exactly the class {@code type} (see {@link OnnxConverter}). */
    public <M extends Module> OnnxExportOptions withConverter(Class<M> type, OnnxConverter<? super M> converter) {
        Map<Class<? extends Module>, OnnxConverter<?>> more = new HashMap<>(converters);
        more.put(type, converter);
        return new OnnxExportOptions(opset, dynamicBatch, inputAxes, outputAxes, inputName, outputName, inputType,
                more);
    }
}
