package dev.kiln.data;

import dev.kiln.data.RandomRotation.Interpolation;

/**
 * torchvision's affine warp of images [channels, height, width] (its tensor path, {@code F.affine} and
 * {@code F.rotate}), shared by {@link RandomAffine} and {@link RandomRotation}. Offsets are in pixels from the image's
 * centre ((width - 1) / 2, (height - 1) / 2), x to the right and y down.
 */
final class AffineWarp {
    private AffineWarp() {
    }

    /**
     * torchvision's {@code _get_inverse_affine_matrix} about the centre: the 2 x 3 matrix, row-major, that takes an
     * output pixel's offset (x, y, 1) to the offset of the input position it reads. The forward map is translation
     * after rotation by {@code angle} degrees clockwise, scaling by {@code scale} and the shears (degrees) along y
     * then x.
     */
    static double[] inverseMatrix(double angle, double translateX, double translateY, double scale, double shearX,
            double shearY) {
        return inverseMatrix(0, 0, angle, translateX, translateY, scale, shearX, shearY);
    }

    /**
     * {@link #inverseMatrix(double, double, double, double, double, double)} about the point at offset
     * (centreX, centreY) from the image's centre instead of about the centre (torchvision's {@code center}).
     */
    static double[] inverseMatrix(double centreX, double centreY, double angle, double translateX, double translateY,
            double scale, double shearX, double shearY) {
        double rot = Math.toRadians(angle);
        double sx = Math.toRadians(shearX);
        double sy = Math.toRadians(shearY);
        // The rotation-shear matrix [a b; c d], whose determinant is 1, so that its inverse is [d -b; -c a].
        double a = Math.cos(rot - sy) / Math.cos(sy);
        double b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
        double c = Math.sin(rot - sy) / Math.cos(sy);
        double d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
        double[] m = {d / scale, -b / scale, 0, -c / scale, a / scale, 0};
        m[2] += m[0] * (-centreX - translateX) + m[1] * (-centreY - translateY) + centreX;
        m[5] += m[3] * (-centreX - translateX) + m[4] * (-centreY - translateY) + centreY;
        return m;
    }

    /**
     * Warps every [height, width] plane of {@code features[offset, offset + length)}: output pixel offset (x, y)
     * reads the input at {@code inverse} (x, y, 1), as {@code grid_sample} with {@code align_corners=False} reads it;
     * positions outside the image give {@code fill}.
     */
    static void warp(float[] features, int offset, int length, int height, int width, double[] inverse,
            Interpolation interpolation, float fill) {
        warp(features, offset, length, height, width, inverse, interpolation, fill, true);
    }

    /**
     * {@link #warp(float[], int, int, int, int, double[], Interpolation, float)} with torchvision's {@code fill=None}:
     * positions outside the image read 0, and bilinear reads are not blended with a fill.
     */
    static void warpWithoutFill(float[] features, int offset, int length, int height, int width, double[] inverse,
            Interpolation interpolation) {
        warp(features, offset, length, height, width, inverse, interpolation, 0f, false);
    }

    private static void warp(float[] features, int offset, int length, int height, int width, double[] inverse,
            Interpolation interpolation, float fill, boolean blendFill) {
        if (interpolation == Interpolation.NEAREST) {
            warpNearest(features, offset, length, height, width, torchGrid(inverse, height, width), fill);
            return;
        }
        double centreX = (width - 1) * 0.5;
        double centreY = (height - 1) * 0.5;
        int plane = height * width;
        float[] source = new float[plane];
        for (int start = offset; start < offset + length; start += plane) {
            System.arraycopy(features, start, source, 0, plane);
            for (int y = 0; y < height; y++) {
                double dy = y - centreY;
                for (int x = 0; x < width; x++) {
                    double dx = x - centreX;
                    double sourceX = inverse[0] * dx + inverse[1] * dy + inverse[2] + centreX;
                    double sourceY = inverse[3] * dx + inverse[4] * dy + inverse[5] + centreY;
                    features[start + y * width + x] = bilinear(source, height, width, sourceX, sourceY, fill,
                            blendFill);
                }
            }
        }
    }

    /**
     * {@code _gen_affine_grid}'s matrix: {@code inverse} rounded to F32, its first row divided by half the width and
     * its second by half the height, in F32.
     */
    private static float[] torchGrid(double[] inverse, int height, int width) {
        float[] grid = new float[6];
        for (int k = 0; k < 3; k++) {
            grid[k] = (float) inverse[k] / (width / 2f);
            grid[3 + k] = (float) inverse[3 + k] / (height / 2f);
        }
        return grid;
    }

    /**
     * Nearest reads at the positions torch computes, in its F32 arithmetic, so that a position on a rounding tie
     * (whole rows of a shear by 0.2 sit on one) picks torch's pixel rather than the exact position's: the grid value
     * {@code grid (x, y, 1)} of the pixel's offset, rounded after each product and sum as torch's bmm rounds it, taken
     * back to pixels as grid_sample does, {@code (g + 1) size / 2 - 1/2}. Bilinear reads, continuous in the position,
     * keep the exact F64 position.
     */
    private static void warpNearest(float[] features, int offset, int length, int height, int width, float[] grid,
            float fill) {
        float halfWidth = width / 2f;
        float halfHeight = height / 2f;
        int plane = height * width;
        float[] source = new float[plane];
        for (int start = offset; start < offset + length; start += plane) {
            System.arraycopy(features, start, source, 0, plane);
            for (int y = 0; y < height; y++) {
                float dy = y - (height - 1) * 0.5f;
                for (int x = 0; x < width; x++) {
                    float dx = x - (width - 1) * 0.5f;
                    float gridX = dx * grid[0] + dy * grid[1] + grid[2];
                    float gridY = dx * grid[3] + dy * grid[4] + grid[5];
                    float sourceX = (gridX + 1) * halfWidth - 0.5f;
                    float sourceY = (gridY + 1) * halfHeight - 0.5f;
                    features[start + y * width + x] = nearest(source, height, width, sourceX, sourceY, fill);
                }
            }
        }
    }

    /** grid_sample's nearest: the pixel at the rounded position (halves to even), or fill outside the image. */
    private static float nearest(float[] source, int height, int width, double x, double y, float fill) {
        double column = Math.rint(x);
        double row = Math.rint(y);
        boolean inside = row >= 0 && row < height && column >= 0 && column < width;
        return inside ? source[(int) row * width + (int) column] : fill;
    }

    /**
     * grid_sample's bilinear with zeros outside the image, blended with fill by the share of the weight that fell
     * inside. torchvision samples a channel of ones for that share and blends even when fill is 0, so a pixel that
     * straddles the border is scaled by the share twice; kept for parity. Without {@code blendFill} (torchvision's
     * {@code fill=None}) it is grid_sample's value alone.
     */
    private static float bilinear(float[] source, int height, int width, double x, double y, float fill,
            boolean blendFill) {
        int left = (int) Math.floor(x);
        int top = (int) Math.floor(y);
        double right = x - left;
        double bottom = y - top;
        double value = 0;
        double inside = 0;
        for (int corner = 0; corner < 4; corner++) {
            int column = left + (corner & 1);
            int row = top + (corner >> 1);
            if (row >= 0 && row < height && column >= 0 && column < width) {
                double weight = ((corner & 1) == 1 ? right : 1 - right) * ((corner >> 1) == 1 ? bottom : 1 - bottom);
                value += weight * source[row * width + column];
                inside += weight;
            }
        }
        return (float) (blendFill ? value * inside + (1 - inside) * fill : value);
    }
}
