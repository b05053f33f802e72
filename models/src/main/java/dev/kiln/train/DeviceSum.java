package dev.kiln.train;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * A weighted sum of scalars (batch losses, say) kept on the device in F64 and read once, instead of reading each
 * scalar back as it is made: on a GPU every read waits for all the work queued before it.
 * <pre>{@code
 * try (DeviceSum loss = new DeviceSum()) {
 *     for (HostBatch batch : loader.epoch(0)) {
 *         try (Scope s = Scope.open()) {
 *             loss.add(model.loss(batch.features()), batch.size());
 *         }
 *     }
 *     double mean = loss.read() / samples;
 * }
 * }</pre>
 * Each value is widened to F64 and multiplied by its weight in F64, and the products are added in order, as a host
 * loop of {@code sum += value.item() * weight} would: the same sum to the last bit.
 */
public final class DeviceSum implements AutoCloseable {
    private final Tensor total = Scope.outside(() -> Tensor.zeros(DType.F64));

    /** Adds {@code weight} times the one-element tensor {@code value} (any floating dtype, no gradient recorded). */
    public void add(Tensor value, double weight) {
        if (value.size() != 1 || !value.dtype().isFloating()) {
            throw new IllegalArgumentException("DeviceSum.add: expected one floating value, got " + value.dtype() + " "
                    + value.shape());
        }
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor wide = value.detach().to(DType.F64).reshape();
            total.addInPlace(weight == 1 ? wide : wide.mul(weight), 1);
        }
    }

    /** The sum so far, read from the device. */
    public double read() {
        return total.item();
    }

    /** The sum so far, read from the device; the sum starts again from zero. */
    public double readAndReset() {
        double value = read();
        try (Scope s = Scope.open()) {
            total.assign(Tensor.zeros(DType.F64));
        }
        return value;
    }

    @Override
    public void close() {
        total.close();
    }
}
