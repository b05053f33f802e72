package dev.kiln.engine;

import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * A transposed convolution whose output padding reaches the stride on some axis, which PyTorch takes where it stays
 * below the dilation. The backends compute a transposed convolution as a convolution's input gradient, whose extra
 * rows stop below the stride; so on such an axis the output is computed with no output padding and the padding
 * lowered to {@code max(0, padding - outputPadding)}, then cropped at the start by the padding it then lacks and
 * extended with zeros at the end by what the output padding exceeds the padding with (rows no input reaches); the bias
 * is added after that, to those rows too. With L the uncropped length {@code (in - 1) stride + dilation (kernel - 1) +
 * 1}, both give the uncropped output's rows [padding, L - padding + outputPadding), zeros past L.
 */
final class OutputPaddingBeyondStride {
    private OutputPaddingBeyondStride() {
    }

    /** Whether some axis's output padding is at or above its stride. */
    static boolean applies(int[] outputPadding, int[] stride) {
        for (int a = 0; a < stride.length; a++) {
            if (outputPadding[a] >= stride[a]) {
                return true;
            }
        }
        return false;
    }

    /**
     * The transposed convolution of {@code input} with these parameters per spatial axis (the output's last axes, in
     * order) plus {@code bias} [outChannels] (or null), from {@code withinStride}, which computes it without a bias for
     * a (padding, output padding) whose output padding is below the stride. The output padding must have been checked
     * against the stride and the dilation.
     */
    static Tensor apply(Tensor input, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                        BiFunction<int[], int[], Tensor> withinStride) {
        int axes = stride.length;
        int[] lowered = padding.clone();
        int[] within = outputPadding.clone();
        int[] pads = new int[2 * axes];
        for (int a = 0; a < axes; a++) {
            if (outputPadding[a] >= stride[a]) {
                lowered[a] = Math.max(0, padding[a] - outputPadding[a]);
                within[a] = 0;
                // F.pad's pairs run from the last axis.
                pads[2 * (axes - 1 - a)] = lowered[a] - padding[a];
                pads[2 * (axes - 1 - a) + 1] = Math.max(0, outputPadding[a] - padding[a]);
            }
        }
        Tensor out = Tensor.consume(withinStride.apply(lowered, within), input, t -> F.pad(t, pads));
        if (bias == null) {
            return out;
        }
        int[] perChannel = new int[axes + 1];
        Arrays.fill(perChannel, 1);
        perChannel[0] = bias.dim(0);
        return Tensor.consume(out, input, t -> t.add(bias.reshape(perChannel)));
    }
}
