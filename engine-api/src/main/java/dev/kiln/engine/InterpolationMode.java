package dev.kiln.engine;

import java.util.Arrays;
import java.util.Locale;

/**
 * How {@link F#interpolate} computes an output element from the input, as PyTorch's {@code F.interpolate} modes; each
 * takes inputs of the ranks listed ([batch, channels, length], [batch, channels, height, width] or
 * [batch, channels, depth, height, width]).
 */
public enum InterpolationMode {
    /** The input element at {@code floor(o * scale)}, PyTorch's {@code 'nearest'}; 3-D, 4-D and 5-D inputs. */
    NEAREST(3, 4, 5),
    /** The input element at {@code floor((o + 0.5) * scale)}, PyTorch's {@code 'nearest-exact'}; 3-D to 5-D inputs. */
    NEAREST_EXACT(3, 4, 5),
    /** Between the two nearest input elements, PyTorch's {@code 'linear'}; 3-D inputs. */
    LINEAR(3),
    /** Between the four nearest input pixels, PyTorch's {@code 'bilinear'}; 4-D inputs. */
    BILINEAR(4),
    /** Cubic convolution (A = -0.75) of the 4 x 4 nearest input pixels, PyTorch's {@code 'bicubic'}; 4-D inputs. */
    BICUBIC(4),
    /** Between the eight nearest input elements, PyTorch's {@code 'trilinear'}; 5-D inputs. */
    TRILINEAR(5),
    /** The mean of each output element's window: adaptive average pooling, PyTorch's {@code 'area'}; 3-D to 5-D. */
    AREA(3, 4, 5);

    private final int[] ranks;

    InterpolationMode(int... ranks) {
        this.ranks = ranks;
    }

    /** PyTorch's name of the mode: "nearest", "nearest-exact", "bilinear", and so on. */
    public String pytorchName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The mode PyTorch calls {@code name}.
     *
     * @throws IllegalArgumentException listing PyTorch's names when there is none by that name
     */
    public static InterpolationMode of(String name) {
        for (InterpolationMode mode : values()) {
            if (mode.pytorchName().equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("interpolation mode must be one of "
                + Arrays.stream(values()).map(m -> "'" + m.pytorchName() + "'").toList() + ", got '" + name + "'");
    }

    /** Whether the mode interpolates between positions, and so takes {@code alignCorners}. */
    public boolean alignsCorners() {
        return this == LINEAR || this == BILINEAR || this == BICUBIC || this == TRILINEAR;
    }

    /** Whether the mode takes an input of {@code rank} dimensions. */
    public boolean takesRank(int rank) {
        return Arrays.stream(ranks).anyMatch(r -> r == rank);
    }

    /** The ranks of input the mode takes, as in an error message: "3-D" or "3-D, 4-D or 5-D". */
    String ranks() {
        String[] names = Arrays.stream(ranks).mapToObj(r -> r + "-D").toArray(String[]::new);
        return names.length == 1 ? names[0]
                : String.join(", ", Arrays.copyOf(names, names.length - 1)) + " or " + names[names.length - 1];
    }
}
