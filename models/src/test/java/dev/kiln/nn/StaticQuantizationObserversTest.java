package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MinMaxObserver} and {@link PerChannelMinMaxObserver} against PyTorch 1.13's observers of the same names
 * (printed by {@code models/src/test/pytorch/static_quantization_observers.py}): the running ranges and
 * {@code calculate_qparams}' scales and zero points, exactly.
 */
class StaticQuantizationObserversTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).float()}. */
    private static Tensor batch(int seed, int n, double scale, double shift) {
        return PyTorchParity.values(seed, n).mul(scale).add(shift).to(DType.F32);
    }

    private static void observeAll(MinMaxObserver observer, Tensor... batches) {
        for (Tensor b : batches) {
            observer.forward(b);
        }
    }

    @Test
    void mixedSignsOverTwoBatches() {
        MinMaxObserver observer = new MinMaxObserver(false);
        observeAll(observer, batch(1, 40, 3.0, 0.7), batch(2, 30, 5.0, -0.4));
        assertEquals(-2.890411615371704f, observer.minVal());
        assertEquals(2.191967248916626f, observer.maxVal());
        Uint8Grid grid = observer.calculateQParams();
        assertEquals(0.01993089750701306f, grid.scale());
        assertEquals(145, grid.zeroPoint());
    }

    @Test
    void reduceRangeHalvesTheSteps() {
        MinMaxObserver observer = new MinMaxObserver(true);
        observeAll(observer, batch(1, 40, 3.0, 0.7), batch(2, 30, 5.0, -0.4));
        assertEquals(-2.890411615371704f, observer.minVal());
        assertEquals(2.191967248916626f, observer.maxVal());
        Uint8Grid grid = observer.calculateQParams();
        assertEquals(0.04001873121486874f, grid.scale());
        assertEquals(72, grid.zeroPoint());
    }

    @Test
    void allPositiveKeepsZeroInRange() {
        MinMaxObserver observer = new MinMaxObserver(false);
        observeAll(observer, batch(3, 25, 1.0, 2.0));
        assertEquals(1.5000048875808716f, observer.minVal());
        assertEquals(2.474562168121338f, observer.maxVal());
        Uint8Grid grid = observer.calculateQParams();
        assertEquals(0.009704165365181717f, grid.scale());
        assertEquals(0, grid.zeroPoint());
    }

    @Test
    void allNegativeTakesTheTopZeroPoint() {
        MinMaxObserver observer = new MinMaxObserver(false);
        observeAll(observer, batch(4, 25, 1.0, -2.0));
        assertEquals(-2.4984500408172607f, observer.minVal());
        assertEquals(-1.5150550603866577f, observer.maxVal());
        Uint8Grid grid = observer.calculateQParams();
        assertEquals(0.00979784329732259f, grid.scale());
        assertEquals(255, grid.zeroPoint());
    }

    @Test
    void zeroRangeTakesEpsilon() {
        MinMaxObserver observer = new MinMaxObserver(false);
        observeAll(observer, batch(5, 10, 0.0, 0.0));
        assertEquals(0.0f, observer.minVal());
        assertEquals(0.0f, observer.maxVal());
        Uint8Grid grid = observer.calculateQParams();
        assertEquals(1.1920928955078125e-07f, grid.scale());
        assertEquals(0, grid.zeroPoint());
    }

    @Test
    void perChannelSymmetricScales() {
        double[] values = PyTorchParity.pattern(48, 6);
        for (int k = 0; k < values.length; k++) {
            values[k] = k / 12 == 2 ? 0 : 2 * values[k];
        }
        Tensor weight = Tensor.fromArray(values, 4, 3, 2, 2).to(DType.F32);
        PerChannelMinMaxObserver observer = new PerChannelMinMaxObserver();
        observer.forward(weight);
        assertArrayEquals(new float[] {-0.9566349983215332f, -0.9658881425857544f, 0.0f, -0.9740490317344666f}, observer.minVals());
        assertArrayEquals(new float[] {0.9989413619041443f, 0.9968298077583313f, 0.0f, 0.9935910105705261f}, observer.maxVals());
        assertArrayEquals(new float[] {0.007834834211012897f, 0.007818273002026128f, 1.1920928955078125e-07f, 0.0077928706711413815f}, observer.calculateScales());
    }
}
