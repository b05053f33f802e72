package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/** The per-channel observers leave the tensor they observe as it was, a [out, in] F32 weight included. */
class PerChannelMinMaxObserverTest {
    @Test
    void observingATwoDimensionalF32WeightLeavesItOpen() {
        try (Tensor weight = Tensor.fromArray(new float[] {-1, 2, 0.5f, -4}, 2, 2);
             PerChannelMinMaxObserver observer = new PerChannelMinMaxObserver()) {
            observer.forward(weight);
            assertFalse(weight.isClosed(), "the observed weight was closed");
            assertArrayEquals(new float[] {-1, -4}, observer.minVals());
            assertArrayEquals(new float[] {2, 0.5f}, observer.maxVals());
        }
    }

    @Test
    void theMovingAverageObserverLeavesATwoDimensionalF32WeightOpen() {
        try (Tensor weight = Tensor.fromArray(new float[] {-1, 2, 0.5f, -4}, 2, 2);
             MovingAveragePerChannelMinMaxObserver observer = new MovingAveragePerChannelMinMaxObserver(2)) {
            observer.forward(weight);
            assertFalse(weight.isClosed(), "the observed weight was closed");
            assertArrayEquals(new float[] {2 / 127.5f, 4 / 127.5f}, observer.calculateScales());
        }
    }
}
