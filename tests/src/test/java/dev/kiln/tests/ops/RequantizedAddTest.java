package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.FakeQuantization;
import dev.kiln.engine.RequantizedAdd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequantizedAdd} against its definition, the sum fake-quantised onto the grid with quantMin the zero point
 * under the ReLU ({@link FakeQuantization#perTensorAffine}, whose values match PyTorch's bit for bit), and its
 * refusals. The CPU kernel against the SPI's default is {@code BackendDefaultsTest}'s.
 */
class RequantizedAddTest {
    private static final Uint8Grid GRID = new Uint8Grid(0.05f, 100);

    /** Ties, values beyond the grid, NaN and infinities in a [3, 4, 5, 7] sum, the ReLU on and off. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void equalsTheFakeQuantisedSum(boolean relu) {
        Random random = new Random(5);
        float[] x = new float[420];
        float[] y = new float[420];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 3 == 0 ? (random.nextInt(1200) - 600) * 0.5f * GRID.scale() : (float) random.nextGaussian() * 8;
            y[i] = (float) random.nextGaussian() * 0.1f;
        }
        x[0] = Float.NaN;
        x[1] = Float.POSITIVE_INFINITY;
        x[2] = Float.NEGATIVE_INFINITY;
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(x, 3, 4, 5, 7);
            Tensor b = Tensor.fromArray(y, 3, 4, 5, 7);
            float[] expected = FakeQuantization.perTensorAffine(a.add(b), GRID.scale(), GRID.zeroPoint(),
                    relu ? GRID.zeroPoint() : 0, 255).toFloatArray();
            Tensor out = RequantizedAdd.forward(a, b, GRID, relu);
            assertEquals(a.shape(), out.shape());
            float[] actual = out.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(expected[i], actual[i], 0f, "element " + i + ": " + x[i] + " + " + y[i]);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"2 3, 3 2, F32, F32", "2 3, 2 3, F64, F64"})
    void refusesMismatchedShapesAndNonF32(String aDims, String bDims, DType aType, DType bType) {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(aType, dims(aDims));
            Tensor b = Tensor.zeros(bType, dims(bDims));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RequantizedAdd.forward(a, b, GRID, true));
            assertTrue(e.getMessage().startsWith("RequantizedAdd.forward: "), e.getMessage());
        }
    }

    @Test
    void refusesAnInputThatNeedsAGradient() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F32, 2, 3).requiresGrad(true);
            Tensor b = Tensor.zeros(DType.F32, 2, 3);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> RequantizedAdd.forward(a, b, GRID, true));
            assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
            try (Autograd.Guard g = Autograd.noGrad()) {
                assertEquals(a.shape(), RequantizedAdd.forward(a, b, GRID, true).shape());
            }
        }
    }

    private static int[] dims(String text) {
        String[] parts = text.split(" ");
        int[] dims = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            dims[i] = Integer.parseInt(parts[i]);
        }
        return dims;
    }
}
