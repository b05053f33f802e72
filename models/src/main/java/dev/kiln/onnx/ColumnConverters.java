package dev.kiln.onnx;

import dev.kiln.nn.Fold;
import dev.kiln.nn.Unfold;
import java.util.List;

/**
 * Unfold (im2col) and Fold (col2im) as a grouped Conv and ConvTranspose whose constant kernels pick each window
 * position: channel c's block position (i, j) is row c kh kw + i kw + j of the columns, as in PyTorch.
 */
final class ColumnConverters {
    private ColumnConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Unfold.class, ColumnConverters::unfold);
        c.put(Fold.class, ColumnConverters::fold);
    }

    /** [batch, c, h, w] convolved by the picking kernels in c groups, [batch, c kh kw, outH, outW] flattened to L. */
    private static String unfold(Unfold m, String x, OnnxGraph g) {
        int channels = g.inputShape()[1];
        int[] k = m.kernelSize();
        int[] p = m.padding();
        String blocks = g.node("Conv", List.of(x, picking(channels, k, g)),
                AttributeProto.ofInts("kernel_shape", k),
                AttributeProto.ofInts("strides", m.stride()),
                AttributeProto.ofInts("pads", p[0], p[1], p[0], p[1]),
                AttributeProto.ofInts("dilations", m.dilation()),
                AttributeProto.ofInt("group", channels));
        return g.node("Reshape", List.of(blocks, g.int64s(0, (long) channels * k[0] * k[1], -1)));
    }

    /**
     * The columns as [batch, c kh kw, blocksH, blocksW], each summed back into its window by a ConvTranspose with the
     * picking kernels in c groups; output_padding adds the rows and columns no block reaches, up to the output size.
     */
    private static String fold(Fold m, String x, OnnxGraph g) {
        int[] k = m.kernelSize();
        int[] d = m.dilation();
        int[] p = m.padding();
        int[] s = m.stride();
        int[] size = m.outputSize();
        int rows = g.inputShape()[1];
        int[] blocks = new int[2];
        int[] extra = new int[2];
        for (int a = 0; a < 2; a++) {
            blocks[a] = (size[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) / s[a] + 1;
            extra[a] = size[a] - ((blocks[a] - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + 1);
        }
        String grid = g.node("Reshape", List.of(x, g.int64s(0, rows, blocks[0], blocks[1])));
        int channels = rows / (k[0] * k[1]);
        return g.node("ConvTranspose", List.of(grid, picking(channels, k, g)),
                AttributeProto.ofInts("kernel_shape", k),
                AttributeProto.ofInts("strides", s),
                AttributeProto.ofInts("pads", p[0], p[1], p[0], p[1]),
                AttributeProto.ofInts("output_padding", extra),
                AttributeProto.ofInts("dilations", d),
                AttributeProto.ofInt("group", channels));
    }

    /** [c kh kw, 1, kh, kw]: kernel c kh kw + i kw + j is 1 at (i, j) and 0 elsewhere. */
    private static String picking(int channels, int[] k, OnnxGraph g) {
        int positions = k[0] * k[1];
        float[] w = new float[channels * positions * positions];
        for (int row = 0; row < channels * positions; row++) {
            w[row * positions + row % positions] = 1;
        }
        return g.constant(new long[] {(long) channels * positions, 1, k[0], k[1]}, w);
    }
}
