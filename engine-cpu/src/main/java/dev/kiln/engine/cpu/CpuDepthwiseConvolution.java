package dev.kiln.engine.cpu;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Tensor;

/**
 * Depthwise convolution (groups == inChannels: input channel c convolved with its own {@code multiplier} filters,
 * output channels {@code c * multiplier + m}) in plain Java, one channel and a block of images at a time, split over
 * the threads: forward and the input's gradient by (channel, block), the filter's and bias's gradients by channel,
 * summed over the batch by the thread that owns the channel, so no two threads write one element.
 *
 * <p>The block's input rows are first gathered once per kernel column j ({@link DepthwiseBlock}): the input pixels
 * that tap (i, j) reads for each output column of each image, zero in the padding, the block's images side by side
 * in one row. A tap is then one multiply-add of a whole gathered row into an output row, both read at the same index:
 * the only form of the loop that JDK 17's JIT vectorises. With the input read at an offset from the output (a tap's
 * shift in one padded plane) it stays scalar: 18 ms against 3 ms for 9 taps over 2,048 float planes of 56 x 58 (one
 * thread). The input's gradient at stride 1 is the same computation on the output's gradient with the filters
 * turned; at other strides it adds into gathered rows and spreads them back. The filter's and bias's gradients add
 * products into rows that are summed once per channel, rather than into one scalar per tap (a sequential
 * reduction). A block holds about {@link #ROW} values a row: long enough for the vector loop, short enough that the
 * rows one output row reads stay in the first-level cache (128 and 512 ran within noise of it). F32 runs in float
 * arrays (twice the values per vector, no conversions), F64 in double. A forward and backward pass of a 3 x 3 layer
 * on [64, 32, 56, 56] took 24 ms on two threads against 42 ms for the SPI's default, one GEMM convolution a channel.
 */
final class CpuDepthwiseConvolution {
    /** Values in a row of a block: output columns times images. */
    private static final int ROW = 256;

    private final Parallel parallel;

    CpuDepthwiseConvolution(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * The sizes of one call: the geometry of one channel, the input channels, how many images a block holds, and for
     * each kernel column j the output columns [colFirst[j], colEnd[j]) whose input column
     * {@code ow * strideW - padW + j * dilationW} lies inside the input (the others read padding).
     */
    record Layout(Conv2dGeometry g, int channels, int images, int[] colFirst, int[] colEnd) {
        static Layout of(GroupedConv2dGeometry grouped) {
            return of(grouped.group(), grouped.groups());
        }

        /** The layout of {@code g}, one channel's convolution, over {@code channels} channels. */
        static Layout of(Conv2dGeometry g, int channels) {
            int images = Math.min(g.batch(), Math.max(1, (ROW + g.outW() - 1) / g.outW()));
            int[] first = new int[g.kernelW()];
            int[] end = new int[g.kernelW()];
            for (int j = 0; j < g.kernelW(); j++) {
                int shift = g.padW() - j * g.dilationW();
                first[j] = Math.min(g.outW(), Math.max(0, -Math.floorDiv(-shift, g.strideW())));
                end[j] = Math.max(first[j], Math.min(g.outW(), Math.floorDiv(g.width() - 1 + shift, g.strideW()) + 1));
            }
            return new Layout(g, channels, images, first, end);
        }

        int multiplier() {
            return g.outChannels();
        }

        int taps() {
            return g.kernelH() * g.kernelW();
        }

        int blocks() {
            return (g.batch() + images - 1) / images;
        }

        /** Images in block {@code block}: {@link #images}, fewer in the last. */
        int count(int block) {
            return Math.min(images, g.batch() - block * images);
        }

        /** Input row of output row oh under kernel row i, or -1 where that is padding. */
        int inputRow(int oh, int i) {
            int ih = oh * g.strideH() - g.padH() + i * g.dilationH();
            return ih >= 0 && ih < g.height() ? ih : -1;
        }

        /** Work per (channel, block): a multiply-add per output pixel, tap and filter. */
        long blockWork() {
            return (long) images * multiplier() * g.outH() * g.outW() * taps();
        }
    }

    /** out [N, C * M, outH, outW] = each input channel convolved with its M filters of weight [C * M, 1, kh, kw]. */
    void forward(Tensor input, Tensor weight, Tensor bias, GroupedConv2dGeometry grouped, Tensor out) {
        Layout l = Layout.of(grouped);
        Conv2dGeometry g = l.g();
        double[] w = values(weight);
        double[] b = bias == null ? null : values(bias);
        parallel.forRange(l.channels() * l.blocks(), l.blockWork(), (start, end) -> {
            DepthwiseBlock block = DepthwiseBlock.of(input.dtype(), l);
            for (int unit = start; unit < end; unit++) {
                int c = unit / l.blocks();
                int first = unit % l.blocks() * l.images();
                int count = l.count(unit % l.blocks());
                int length = count * g.outW();
                block.readInput(input, l.channels(), c, first, count);
                for (int m = 0; m < l.multiplier(); m++) {
                    int channel = c * l.multiplier() + m;
                    for (int oh = 0; oh < g.outH(); oh++) {
                        block.fillRow(oh, length, b == null ? 0 : b[channel]);
                        for (int i = 0; i < g.kernelH(); i++) {
                            int ih = l.inputRow(oh, i);
                            if (ih < 0) {
                                continue;
                            }
                            for (int j = 0; j < g.kernelW(); j++) {
                                block.rowAdd(oh, w[(channel * g.kernelH() + i) * g.kernelW() + j], j, ih, length);
                            }
                        }
                    }
                    block.writeRows(out, l.channels() * l.multiplier(), channel, first, count);
                }
            }
        });
    }

    /**
     * gradInput [N, C, H, W] = each input channel's share of its M output channels' gradients: at stride 1 the
     * convolution of those gradients with the turned filters ({@link #turned}), as {@link #forward} computes it; at
     * other strides, or with more padding than the kernel spans, added into gathered rows and spread back over the
     * input (a scalar loop: the spreading reads and writes at different offsets).
     */
    void backwardData(Tensor gradOut, Tensor weight, GroupedConv2dGeometry grouped, Tensor gradInput) {
        Conv2dGeometry turned = turned(grouped.group());
        if (turned != null) {
            backwardDataByTurnedFilters(gradOut, weight, grouped, turned, gradInput);
        } else {
            backwardDataBySpreading(gradOut, weight, grouped, gradInput);
        }
    }

    /**
     * The convolution that gives a stride-1 convolution's input gradient from its output gradient: over the output
     * plane, each filter turned by 180 degrees, padding {@code dilation (kernel - 1) - padding}, whose output is the
     * input plane; null at other strides or where that padding would be negative.
     */
    private static Conv2dGeometry turned(Conv2dGeometry g) {
        int padH = g.dilationH() * (g.kernelH() - 1) - g.padH();
        int padW = g.dilationW() * (g.kernelW() - 1) - g.padW();
        if (g.strideH() != 1 || g.strideW() != 1 || padH < 0 || padW < 0) {
            return null;
        }
        return new Conv2dGeometry(g.batch(), 1, g.outH(), g.outW(), 1, g.kernelH(), g.kernelW(), 1, 1, padH, padW,
                g.dilationH(), g.dilationW());
    }

    private void backwardDataByTurnedFilters(Tensor gradOut, Tensor weight, GroupedConv2dGeometry grouped,
                                             Conv2dGeometry turned, Tensor gradInput) {
        Layout l = Layout.of(turned, grouped.groups());
        int multiplier = grouped.group().outChannels();
        int taps = l.taps();
        double[] w = values(weight);
        parallel.forRange(l.channels() * l.blocks(), multiplier * l.blockWork(), (start, end) -> {
            DepthwiseBlock block = DepthwiseBlock.of(gradOut.dtype(), l);
            for (int unit = start; unit < end; unit++) {
                int c = unit / l.blocks();
                int first = unit % l.blocks() * l.images();
                int count = l.count(unit % l.blocks());
                int length = count * turned.outW();
                for (int h = 0; h < turned.outH(); h++) {
                    block.fillRow(h, length, 0);
                }
                for (int m = 0; m < multiplier; m++) {
                    int channel = c * multiplier + m;
                    block.readInput(gradOut, l.channels() * multiplier, channel, first, count);
                    for (int h = 0; h < turned.outH(); h++) {
                        for (int i = 0; i < turned.kernelH(); i++) {
                            int oh = l.inputRow(h, i);
                            if (oh < 0) {
                                continue;
                            }
                            for (int j = 0; j < turned.kernelW(); j++) {
                                double tap = w[(channel + 1) * taps - 1 - (i * turned.kernelW() + j)];
                                block.rowAdd(h, tap, j, oh, length);
                            }
                        }
                    }
                }
                block.writeRows(gradInput, l.channels(), c, first, count);
            }
        });
    }

    private void backwardDataBySpreading(Tensor gradOut, Tensor weight, GroupedConv2dGeometry grouped,
                                         Tensor gradInput) {
        Layout l = Layout.of(grouped);
        Conv2dGeometry g = l.g();
        double[] w = values(weight);
        parallel.forRange(l.channels() * l.blocks(), l.blockWork(), (start, end) -> {
            DepthwiseBlock block = DepthwiseBlock.of(gradOut.dtype(), l);
            for (int unit = start; unit < end; unit++) {
                int c = unit / l.blocks();
                int first = unit % l.blocks() * l.images();
                int count = l.count(unit % l.blocks());
                int length = count * g.outW();
                block.clearColumns(length);
                for (int m = 0; m < l.multiplier(); m++) {
                    int channel = c * l.multiplier() + m;
                    block.readRows(gradOut, l.channels() * l.multiplier(), channel, first, count);
                    for (int oh = 0; oh < g.outH(); oh++) {
                        for (int i = 0; i < g.kernelH(); i++) {
                            int ih = l.inputRow(oh, i);
                            if (ih < 0) {
                                continue;
                            }
                            for (int j = 0; j < g.kernelW(); j++) {
                                block.columnAdd(j, ih, w[(channel * g.kernelH() + i) * g.kernelW() + j], oh, length);
                            }
                        }
                    }
                }
                block.writeInputGradient(gradInput, l.channels(), c, first, count);
            }
        });
    }

    /**
     * gradWeight [C * M, 1, kh, kw] and gradBias [C * M] (nullable), summed over the batch: per input channel, over
     * every block, the products of the gathered input rows and each output channel's gradient rows.
     */
    void backwardFilter(Tensor input, Tensor gradOut, GroupedConv2dGeometry grouped, Tensor gradWeight,
                        Tensor gradBias) {
        Layout l = Layout.of(grouped);
        Conv2dGeometry g = l.g();
        int taps = l.taps();
        int filters = l.multiplier() * taps;
        Data gw = Data.of(gradWeight);
        Data gb = gradBias == null ? null : Data.of(gradBias);
        parallel.forRange(l.channels(), l.blocks() * l.blockWork(), (start, end) -> {
            DepthwiseBlock block = DepthwiseBlock.of(input.dtype(), l);
            double[] sums = new double[filters + l.multiplier()];
            for (int c = start; c < end; c++) {
                block.clearProducts();
                for (int blockIndex = 0; blockIndex < l.blocks(); blockIndex++) {
                    int first = blockIndex * l.images();
                    int count = l.count(blockIndex);
                    int length = count * g.outW();
                    block.readInput(input, l.channels(), c, first, count);
                    for (int m = 0; m < l.multiplier(); m++) {
                        block.readRows(gradOut, l.channels() * l.multiplier(), c * l.multiplier() + m, first, count);
                        for (int oh = 0; oh < g.outH(); oh++) {
                            block.rowIntoProducts(filters + m, oh, length);
                            for (int i = 0; i < g.kernelH(); i++) {
                                int ih = l.inputRow(oh, i);
                                if (ih < 0) {
                                    continue;
                                }
                                for (int j = 0; j < g.kernelW(); j++) {
                                    block.productAdd(m * taps + i * g.kernelW() + j, oh, j, ih, length);
                                }
                            }
                        }
                    }
                }
                for (int f = 0; f < sums.length; f++) {
                    sums[f] = block.productSum(f);
                }
                gw.write(c * filters, sums, 0, filters);
                if (gb != null) {
                    gb.write(c * l.multiplier(), sums, filters, l.multiplier());
                }
            }
        });
    }

    private static double[] values(Tensor t) {
        double[] v = new double[Math.toIntExact(t.size())];
        Data.of(t).read(0, v, 0, v.length);
        return v;
    }
}
