package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.F;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 5-D gridSample at a NaN and an infinite x under border and reflection padding, against PyTorch 1.13: its 5-D CPU
 * kernel clips a NaN coordinate to the axis's last position ({@code std::min(size - 1, std::max(NaN, 0))}), where its
 * 4-D kernel takes position 0.
 */
class GridSampleVolumetricNanTest {
    @ParameterizedTest
    @CsvSource({"BILINEAR, BORDER, 14.75", "BILINEAR, REFLECTION, 14.75", "NEAREST, BORDER, 14",
        "NEAREST, REFLECTION, 14"})
    void nanAndInfiniteCoordinatesSampleAsPyTorch(GridSampleMode mode, GridSamplePadding padding, double third) {
        // x = torch.arange(1., 28.).reshape(1, 1, 3, 3, 3); grid points (nan, 0, 0), (inf, 0, 0), (0.2, 0.1, 0);
        // F.grid_sample(x, grid, mode, padding, align_corners=False): [15, 15, third].
        try (Scope s = Scope.open()) {
            double[] v = new double[27];
            for (int i = 0; i < v.length; i++) {
                v[i] = i + 1;
            }
            Tensor x = Tensor.fromArray(v, 1, 1, 3, 3, 3);
            Tensor grid = Tensor.fromArray(new double[] {Double.NaN, 0, 0, Double.POSITIVE_INFINITY, 0, 0, 0.2, 0.1, 0},
                    1, 1, 1, 3, 3);
            assertArrayEquals(new double[] {15, 15, third},
                    F.gridSample(x, grid, mode, padding, false).toDoubleArray(), 1e-12, mode + " " + padding);
        }
    }
}
