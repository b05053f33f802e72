package dev.kiln.engine.cpu;

/**
 * Out-of-place transposes of row-major heap arrays: the convolution's moves between a group's
 * [images, features] layout and its [features, images] one. Tiled, so that both sides are read and written
 * in cache-line runs; split over column tiles with {@link Parallel}.
 */
final class Transposes {
    private static final int TILE = 32;

    private Transposes() {
    }

    /** dst[c * rows + r] = src[r * cols + c]: src [rows, cols] to dst [cols, rows]; both float[] or both double[]. */
    static void transpose(Object src, int rows, int cols, Object dst, Parallel parallel) {
        int tiles = (cols + TILE - 1) / TILE;
        parallel.forRange(tiles, (long) TILE * rows, (start, end) -> {
            for (int t = start; t < end; t++) {
                int c0 = t * TILE;
                int c1 = Math.min(cols, c0 + TILE);
                if (src instanceof float[] s) {
                    transposeColumns(s, (float[]) dst, rows, cols, c0, c1);
                } else {
                    transposeColumns((double[]) src, (double[]) dst, rows, cols, c0, c1);
                }
            }
        });
    }

    private static void transposeColumns(float[] src, float[] dst, int rows, int cols, int c0, int c1) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            int r1 = Math.min(rows, r0 + TILE);
            for (int c = c0; c < c1; c++) {
                int to = c * rows;
                for (int r = r0; r < r1; r++) {
                    dst[to + r] = src[r * cols + c];
                }
            }
        }
    }

    private static void transposeColumns(double[] src, double[] dst, int rows, int cols, int c0, int c1) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            int r1 = Math.min(rows, r0 + TILE);
            for (int c = c0; c < c1; c++) {
                int to = c * rows;
                for (int r = r0; r < r1; r++) {
                    dst[to + r] = src[r * cols + c];
                }
            }
        }
    }
}
