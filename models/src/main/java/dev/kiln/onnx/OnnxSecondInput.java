package dev.kiln.onnx;

import dev.kiln.engine.DType;
import dev.kiln.nn.TwoInputForward;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The second graph input of a model whose forward takes two tensors ({@link TwoInputForward}), as a second entry of
 * {@code torch.onnx.export}'s args and {@code input_names}: its name, element type (F32, or I64 for indices), the
 * shape it has in the exporter's trial forward pass, and which of its axes are symbolic ({@code dynamic_axes}; none
 * unless {@link #withAxes} names them). MaxUnpool2d's indices are {@code of("indices", DType.I64, n, c, h, w)}
 * {@code .withAxes(Map.of(0, "batch"))}; a Transformer encoder's attention mask {@code of("mask", DType.F32, s, s)}.
 */
public record OnnxSecondInput(String name, DType type, int[] shape, Map<Integer, String> axes) {
    /**
     * @throws IllegalArgumentException for an empty name, a type not F32 or I64, or a symbolic axis outside the shape
     *     or without a name
     */
    public OnnxSecondInput {
        Objects.requireNonNull(shape, "ONNX export: the second input's shape");
        Objects.requireNonNull(axes, "ONNX export: the second input's symbolic axes (Map.of() for none)");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("ONNX export: the second input needs a non-empty name");
        }
        if (type != DType.F32 && type != DType.I64) {
            throw new IllegalArgumentException("ONNX export: the second input's type must be F32 or I64, got " + type);
        }
        shape = shape.clone();
        for (Map.Entry<Integer, String> e : axes.entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= shape.length || e.getValue().isEmpty()) {
                throw new IllegalArgumentException("ONNX export: second input '" + name + "' of shape "
                        + Arrays.toString(shape) + " cannot have symbolic axis " + e.getKey() + " named '"
                        + e.getValue() + "'");
            }
        }
        axes = Map.copyOf(axes);
    }

    /** A second input of fixed shape. */
    public static OnnxSecondInput of(String name, DType type, int... shape) {
        return new OnnxSecondInput(name, type, shape, Map.of());
    }

    /** This input with {@code symbolic} (axis to name) as its symbolic axes. */
    public OnnxSecondInput withAxes(Map<Integer, String> symbolic) {
        return new OnnxSecondInput(name, type, shape, symbolic);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }
}
