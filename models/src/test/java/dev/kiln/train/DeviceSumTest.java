package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DeviceSum}: a weighted sum kept on the device, the same to the last bit as the host loop it replaces. */
class DeviceSumTest {
    @Test
    void sumsWeightedScalarsAsAHostLoopOfItemTimesWeightDoes() {
        Random random = new Random(7);
        double expected = 0;
        try (DeviceSum sum = new DeviceSum()) {
            for (int i = 0; i < 200; i++) {
                float value = (float) random.nextGaussian();
                int weight = 1 + random.nextInt(300);
                try (Scope s = Scope.open()) {
                    Tensor scalar = Tensor.fromArray(new float[] {value}, 1);
                    sum.add(i % 2 == 0 ? scalar.reshape() : scalar, weight);
                    expected += scalar.item() * weight;
                }
            }
            assertEquals(expected, sum.read(), 0.0, "bit for bit");
        }
    }

    @Test
    void readAndResetStartsTheSumAgain() {
        try (DeviceSum sum = new DeviceSum(); Scope s = Scope.open()) {
            sum.add(Tensor.fromArray(new double[] {2.5}), 2);
            assertEquals(5.0, sum.readAndReset());
            sum.add(Tensor.fromArray(new double[] {1.5}), 1);
            assertEquals(1.5, sum.read());
        }
    }

    @Test
    void refusesAnythingButOneFloatingValue() {
        try (DeviceSum sum = new DeviceSum(); Scope s = Scope.open()) {
            IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
                    () -> sum.add(Tensor.zeros(DType.F32, 2), 1));
            assertTrue(many.getMessage().contains("expected one floating value, got F32 [2]"), many.getMessage());
            IllegalArgumentException integer = assertThrows(IllegalArgumentException.class,
                    () -> sum.add(Tensor.fromArray(new long[] {3}, 1), 1));
            assertTrue(integer.getMessage().contains("got I64 [1]"), integer.getMessage());
        }
    }
}
