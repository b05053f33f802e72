package dev.kiln.engine.cpu;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/** {@link DepthwiseBlock} of F32 tensors in float arrays, read and written in bulk without conversions. */
final class DepthwiseBlockF32 extends DepthwiseBlock {
    private final float[] planes;
    private final float[][][] columns;
    private final float[][] rows;
    private final float[][] products;

    DepthwiseBlockF32(CpuDepthwiseConvolution.Layout layout) {
        super(layout);
        Conv2dGeometry g = layout.g();
        int row = layout.images() * g.outW();
        planes = new float[layout.images() * Math.max(g.height() * g.width(), g.outH() * g.outW())];
        columns = new float[g.kernelW()][g.height()][row];
        rows = new float[g.outH()][row];
        products = new float[productRows()][row];
    }

    @Override
    void readInput(Tensor input, int channels, int channel, int first, int count) {
        Conv2dGeometry g = layout.g();
        int plane = g.height() * g.width();
        read(input, channels, channel, first, count, plane);
        int step = g.strideW();
        for (int j = 0; j < g.kernelW(); j++) {
            int span = span(j);
            for (int h = 0; h < g.height(); h++) {
                float[] row = columns[j][h];
                for (int k = 0; k < count; k++) {
                    int from = k * plane + h * g.width() + firstInputColumn(j);
                    int to = k * g.outW() + layout.colFirst()[j];
                    if (step == 1) {
                        System.arraycopy(planes, from, row, to, span);
                    } else {
                        for (int ow = 0; ow < span; ow++) {
                            row[to + ow] = planes[from + ow * step];
                        }
                    }
                }
            }
        }
    }

    @Override
    void readRows(Tensor t, int channels, int channel, int first, int count) {
        Conv2dGeometry g = layout.g();
        int plane = g.outH() * g.outW();
        read(t, channels, channel, first, count, plane);
        for (int k = 0; k < count; k++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                System.arraycopy(planes, k * plane + oh * g.outW(), rows[oh], k * g.outW(), g.outW());
            }
        }
    }

    @Override
    void writeRows(Tensor t, int channels, int channel, int first, int count) {
        Conv2dGeometry g = layout.g();
        int plane = g.outH() * g.outW();
        for (int k = 0; k < count; k++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                System.arraycopy(rows[oh], k * g.outW(), planes, k * plane + oh * g.outW(), g.outW());
            }
        }
        write(t, channels, channel, first, count, plane);
    }

    @Override
    void writeInputGradient(Tensor gradInput, int channels, int channel, int first, int count) {
        Conv2dGeometry g = layout.g();
        int plane = g.height() * g.width();
        int step = g.strideW();
        Arrays.fill(planes, 0, count * plane, 0f);
        for (int j = 0; j < g.kernelW(); j++) {
            int span = span(j);
            for (int h = 0; h < g.height(); h++) {
                float[] row = columns[j][h];
                for (int k = 0; k < count; k++) {
                    int to = k * plane + h * g.width() + firstInputColumn(j);
                    int from = k * g.outW() + layout.colFirst()[j];
                    for (int ow = 0; ow < span; ow++) {
                        planes[to + ow * step] += row[from + ow];
                    }
                }
            }
        }
        write(gradInput, channels, channel, first, count, plane);
    }

    /** planes = channel {@code channel}'s planes of images [first, first + count) of t. */
    private void read(Tensor t, int channels, int channel, int first, int count, int plane) {
        FloatBuffer buffer = CpuElementwise.f32(t);
        int offset = CpuElementwise.offset(t);
        for (int k = 0; k < count; k++) {
            buffer.get(offset + planeStart(first + k, channels, channel, plane), planes, k * plane, plane);
        }
    }

    /** Channel {@code channel}'s planes of images [first, first + count) of t = planes. */
    private void write(Tensor t, int channels, int channel, int first, int count, int plane) {
        FloatBuffer buffer = CpuElementwise.f32(t);
        int offset = CpuElementwise.offset(t);
        for (int k = 0; k < count; k++) {
            buffer.put(offset + planeStart(first + k, channels, channel, plane), planes, k * plane, plane);
        }
    }

    @Override
    void clearColumns(int length) {
        for (float[][] column : columns) {
            for (float[] row : column) {
                Arrays.fill(row, 0, length, 0f);
            }
        }
    }

    @Override
    void fillRow(int oh, int length, double value) {
        Arrays.fill(rows[oh], 0, length, (float) value);
    }

    @Override
    void rowAdd(int oh, double tap, int j, int ih, int length) {
        multiplyAdd(rows[oh], (float) tap, columns[j][ih], length);
    }

    @Override
    void columnAdd(int j, int ih, double tap, int oh, int length) {
        multiplyAdd(columns[j][ih], (float) tap, rows[oh], length);
    }

    private static void multiplyAdd(float[] acc, float scale, float[] x, int length) {
        for (int k = 0; k < length; k++) {
            acc[k] += scale * x[k];
        }
    }

    @Override
    void productAdd(int product, int oh, int j, int ih, int length) {
        float[] acc = products[product];
        float[] a = rows[oh];
        float[] b = columns[j][ih];
        for (int k = 0; k < length; k++) {
            acc[k] += a[k] * b[k];
        }
    }

    @Override
    void rowIntoProducts(int product, int oh, int length) {
        float[] acc = products[product];
        float[] a = rows[oh];
        for (int k = 0; k < length; k++) {
            acc[k] += a[k];
        }
    }

    @Override
    void clearProducts() {
        for (float[] p : products) {
            Arrays.fill(p, 0f);
        }
    }

    @Override
    double productSum(int product) {
        double s = 0;
        for (float v : products[product]) {
            s += v;
        }
        return s;
    }
}
