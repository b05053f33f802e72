package dev.kiln.train;

/**
 * The one image PyTorch 1.13's {@code add_images} makes of N images (its {@code make_grid} in
 * {@code convert_to_HWC}): the images side by side in rows of {@code min(N, 8)}, left to right and top to bottom, with
 * no padding between them, grey ones as RGB, and the cells of the last row past the last image black (zero).
 *
 * @param values the grid [3, rows * H, columns * W], row-major, in the images' units (bytes)
 */
record TensorBoardImageGrid(int[] values, int height, int width) {
    /** PyTorch's {@code ncols}, which {@code add_images} does not let a caller change. */
    static final int COLUMNS = 8;

    /**
     * The grid of {@code images} [N, C, H, W], row-major, with C 1 (grey) or 3 (RGB).
     *
     * @param dims {N, C, H, W}, each at least 1
     */
    static TensorBoardImageGrid of(int[] images, int[] dims) {
        int n = dims[0];
        int channels = dims[1];
        int h = dims[2];
        int w = dims[3];
        int columns = Math.min(n, COLUMNS);
        int rows = (n + columns - 1) / columns;
        int height = rows * h;
        int width = columns * w;
        int[] grid = new int[3 * height * width];
        for (int k = 0; k < n; k++) {
            int top = k / columns * h;
            int left = k % columns * w;
            for (int c = 0; c < 3; c++) {
                // A grey image's one channel is each of the grid's three.
                int from = (k * channels + (channels == 1 ? 0 : c)) * h * w;
                for (int y = 0; y < h; y++) {
                    System.arraycopy(images, from + y * w, grid, (c * height + top + y) * width + left, w);
                }
            }
        }
        return new TensorBoardImageGrid(grid, height, width);
    }
}
