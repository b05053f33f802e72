package dev.kiln.engine.cpu;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * One thread's arrays for {@link CpuDepthwiseConvolution}, for one input channel and a block of images at a time,
 * each row {@code images * outW} long with the block's images side by side: gathered input rows
 * {@code columns[j][h]} (the input pixel that kernel column j reads for each output column, zero in the padding),
 * output or gradient rows {@code rows[oh]}, and rows of products whose sums are the filter's and bias's gradients.
 * The arithmetic reads two rows at the same index, the loop that the JIT vectorises. {@link DepthwiseBlockF32} keeps
 * F32 tensors in float arrays, {@link DepthwiseBlockF64} F64 tensors in double arrays.
 */
abstract class DepthwiseBlock {
    final CpuDepthwiseConvolution.Layout layout;

    DepthwiseBlock(CpuDepthwiseConvolution.Layout layout) {
        this.layout = layout;
    }

    /** A block's arrays for tensors of {@code dtype} (F32 or F64). */
    static DepthwiseBlock of(DType dtype, CpuDepthwiseConvolution.Layout layout) {
        return dtype == DType.F32 ? new DepthwiseBlockF32(layout) : new DepthwiseBlockF64(layout);
    }

    /** Number of product rows: one per filter tap, then one per output channel of the input channel (the bias's). */
    int productRows() {
        return layout.multiplier() * layout.taps() + layout.multiplier();
    }

    /** Element where channel {@code channel}'s plane of image n starts, in a tensor of {@code channels} channels. */
    static int planeStart(int n, int channels, int channel, int plane) {
        return (n * channels + channel) * plane;
    }

    /** Input column read by output column {@code layout.colFirst()[j]} under kernel column j (its first in range). */
    int firstInputColumn(int j) {
        Conv2dGeometry g = layout.g();
        return layout.colFirst()[j] * g.strideW() + j * g.dilationW() - g.padW();
    }

    /** Output columns under kernel column j that read inside the input. */
    int span(int j) {
        return layout.colEnd()[j] - layout.colFirst()[j];
    }

    /**
     * columns = channel {@code channel}'s input rows of images [first, first + count) of {@code input}, a tensor of
     * {@code channels} channels, gathered per kernel column.
     */
    abstract void readInput(Tensor input, int channels, int channel, int first, int count);

    /** rows = channel {@code channel}'s output rows of images [first, first + count) of {@code t}. */
    abstract void readRows(Tensor t, int channels, int channel, int first, int count);

    /** Channel {@code channel}'s output planes of images [first, first + count) of {@code t} = rows. */
    abstract void writeRows(Tensor t, int channels, int channel, int first, int count);

    /**
     * Channel {@code channel}'s input planes of images [first, first + count) of {@code gradInput} = each gathered
     * value added back where {@link #readInput} would have taken it.
     */
    abstract void writeInputGradient(Tensor gradInput, int channels, int channel, int first, int count);

    /** The first {@code length} values of every gathered row = 0. */
    abstract void clearColumns(int length);

    /** rows[oh][0, length) = value. */
    abstract void fillRow(int oh, int length, double value);

    /** rows[oh] += tap * columns[j][ih] over [0, length). */
    abstract void rowAdd(int oh, double tap, int j, int ih, int length);

    /** columns[j][ih] += tap * rows[oh] over [0, length). */
    abstract void columnAdd(int j, int ih, double tap, int oh, int length);

    /** products[product] += rows[oh] * columns[j][ih] over [0, length). */
    abstract void productAdd(int product, int oh, int j, int ih, int length);

    /** products[product] += rows[oh] over [0, length). */
    abstract void rowIntoProducts(int product, int oh, int length);

    /** Every product row = 0. */
    abstract void clearProducts();

    /** The sum of product row {@code product}. */
    abstract double productSum(int product);
}
