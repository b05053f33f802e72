package dev.kiln.engine.cpu;

import dev.kiln.engine.Pool2dGeometry;

/**
 * The output columns [fullFrom, fullTo) of a 2-D pooling whose windows lie wholly inside the input's columns, neither
 * in the left or right padding nor hanging over the right edge (ceil mode): the columns a pooling reads without
 * clipping. Columns before and after them are clipped; none lie between.
 */
record MaxPoolColumns(int fullFrom, int fullTo) {
    static MaxPoolColumns of(Pool2dGeometry g) {
        int outW = g.outW();
        // The first column whose window starts at or after column 0: ceil(padW / strideW).
        int from = Math.min((g.padW() + g.strideW() - 1) / g.strideW(), outW);
        // One past the last column whose window ends by the right edge: left + kernelW <= width.
        int room = g.width() + g.padW() - g.kernelW();
        int to = room < 0 ? 0 : Math.min(room / g.strideW() + 1, outW);
        return new MaxPoolColumns(from, Math.max(from, to));
    }
}
