package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * What the padding layers share: the amounts in PyTorch's order (left, right for one axis; left, right, top, bottom
 * for two; then front, back for three), the mode, the constant of the constant layers, their checks, and errors that
 * name the layer. Each layer is {@link F#pad} with its settings; subclasses only name them. No parameters.
 */
abstract class PaddingLayer extends Module {
    private static final String[] AMOUNTS = {"left, right", "left, right, top, bottom",
        "left, right, top, bottom, front, back"};
    private final int[] padding;
    private final PaddingMode mode;
    final double value;

    /** The same amount on every side of {@code axes} axes. */
    PaddingLayer(int padding, int axes, PaddingMode mode, double value) {
        this(filled(padding, axes), axes, mode, value);
    }

    /** @throws IllegalArgumentException naming the layer when {@code padding} does not hold 2 amounts per axis */
    PaddingLayer(int[] padding, int axes, PaddingMode mode, double value) {
        if (padding == null || padding.length != 2 * axes) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": padding must hold " + 2 * axes
                    + " amounts (" + AMOUNTS[axes - 1] + "), got "
                    + Arrays.toString(padding));
        }
        this.padding = padding.clone();
        this.mode = mode;
        this.value = value;
    }

    private static int[] filled(int padding, int axes) {
        int[] amounts = new int[2 * axes];
        Arrays.fill(amounts, padding);
        return amounts;
    }

    /**
     * The amounts, the last axis first: (left, right), (left, right, top, bottom) or (left, right, top, bottom, front,
     * back); negative ones crop.
     */
    public int[] padding() {
        return padding.clone();
    }

    /**
     * The input padded: [..., width], [..., height, width] or [..., depth, height, width] with each axis grown by its
     * two amounts.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when the mode does not take its rank
     *     or its axes are too small for the amounts (see {@link F#pad(Tensor, int[], PaddingMode)})
     */
    @Override
    public Tensor forward(Tensor x) {
        try {
            return mode == PaddingMode.ZEROS ? F.pad(x, padding, value) : F.pad(x, padding, mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + ": " + e.getMessage(), e);
        }
    }

    /** The amounts as PyTorch's repr writes them: {@code (1, 1, 2, 0)}. */
    String amounts() {
        return "(" + String.join(", ", Arrays.stream(padding).mapToObj(Integer::toString).toList()) + ")";
    }

    /** PyTorch's {@code extra_repr}: the amounts, {@code (1, 1, 2, 0)}. */
    @Override
    protected String extraRepr() {
        return amounts();
    }
}
