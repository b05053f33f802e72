package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link Transposes#transpose}: every element lands at its transposed place, for shapes that are and are not
 * multiples of the 4 x 4 blocks and of the tiles, on one thread and split over two.
 */
class TransposesTest {
    private static final int[][] SHAPES = {{1, 1}, {4, 4}, {3, 5}, {5, 3}, {7, 33}, {33, 7}, {128, 1568}, {37, 70},
        {64, 2}, {2, 64}};

    @Test
    void floatsLandAtTheirTransposedPlaces() {
        for (int threads : new int[] {1, 2}) {
            try (Parallel parallel = new Parallel(threads)) {
                for (int[] shape : SHAPES) {
                    int rows = shape[0];
                    int cols = shape[1];
                    float[] src = new float[rows * cols];
                    float[] expected = new float[rows * cols];
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < cols; c++) {
                            src[r * cols + c] = r * 10_000 + c;
                            expected[c * rows + r] = r * 10_000 + c;
                        }
                    }
                    float[] dst = new float[rows * cols];
                    Transposes.transpose(src, rows, cols, dst, parallel);
                    assertArrayEquals(expected, dst, 0f, rows + " x " + cols + " on " + threads + " threads");
                }
            }
        }
    }

    @Test
    void doublesLandAtTheirTransposedPlaces() {
        try (Parallel parallel = new Parallel(2)) {
            for (int[] shape : SHAPES) {
                int rows = shape[0];
                int cols = shape[1];
                double[] src = new double[rows * cols];
                double[] expected = new double[rows * cols];
                for (int i = 0; i < src.length; i++) {
                    src[i] = i;
                    expected[(i % cols) * rows + i / cols] = i;
                }
                double[] dst = new double[rows * cols];
                Transposes.transpose(src, rows, cols, dst, parallel);
                assertArrayEquals(expected, dst, 0, rows + " x " + cols);
            }
        }
    }
}
