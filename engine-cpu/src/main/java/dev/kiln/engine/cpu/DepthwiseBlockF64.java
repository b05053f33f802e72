package dev.kiln.engine.cpu;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/** {@link DepthwiseBlock} of F64 tensors in double arrays, read and written in bulk. */
final class DepthwiseBlockF64 extends DepthwiseBlock {
    private final double[] planes;
    private final double[][][] columns;
    private final double[][] rows;
    private final double[][] products;

    DepthwiseBlockF64(CpuDepthwiseConvolution.Layout layout) {
        super(layout);
        Conv2dGeometry g = layout.g();
        int row = layout.images() * g.outW();
        planes = new double[layout.images() * Math.max(g.height() * g.width(), g.outH() * g.outW())];
        columns = new double[g.kernelW()][g.height()][row];
        rows = new double[g.outH()][row];
        products = new double[productRows()][row];
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
                double[] row = columns[j][h];
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
        Arrays.fill(planes, 0, count * plane, 0);
        for (int j = 0; j < g.kernelW(); j++) {
            int span = span(j);
            for (int h = 0; h < g.height(); h++) {
                double[] row = columns[j][h];
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
        Data data = Data.of(t);
        for (int k = 0; k < count; k++) {
            data.read(planeStart(first + k, channels, channel, plane), planes, k * plane, plane);
        }
    }

    /** Channel {@code channel}'s planes of images [first, first + count) of t = planes. */
    private void write(Tensor t, int channels, int channel, int first, int count, int plane) {
        Data data = Data.of(t);
        for (int k = 0; k < count; k++) {
            data.write(planeStart(first + k, channels, channel, plane), planes, k * plane, plane);
        }
    }

    @Override
    void clearColumns(int length) {
        for (double[][] column : columns) {
            for (double[] row : column) {
                Arrays.fill(row, 0, length, 0);
            }
        }
    }

    @Override
    void fillRow(int oh, int length, double value) {
        Arrays.fill(rows[oh], 0, length, value);
    }

    @Override
    void rowAdd(int oh, double tap, int j, int ih, int length) {
        multiplyAdd(rows[oh], tap, columns[j][ih], length);
    }

    @Override
    void columnAdd(int j, int ih, double tap, int oh, int length) {
        multiplyAdd(columns[j][ih], tap, rows[oh], length);
    }

    private static void multiplyAdd(double[] acc, double scale, double[] x, int length) {
        for (int k = 0; k < length; k++) {
            acc[k] += scale * x[k];
        }
    }

    @Override
    void productAdd(int product, int oh, int j, int ih, int length) {
        double[] acc = products[product];
        double[] a = rows[oh];
        double[] b = columns[j][ih];
        for (int k = 0; k < length; k++) {
            acc[k] += a[k] * b[k];
        }
    }

    @Override
    void rowIntoProducts(int product, int oh, int length) {
        double[] acc = products[product];
        double[] a = rows[oh];
        for (int k = 0; k < length; k++) {
            acc[k] += a[k];
        }
    }

    @Override
    void clearProducts() {
        for (double[] p : products) {
            Arrays.fill(p, 0);
        }
    }

    @Override
    double productSum(int product) {
        double s = 0;
        for (double v : products[product]) {
            s += v;
        }
        return s;
    }
}
