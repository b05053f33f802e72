package dev.kiln.engine;

/**
 * The residual sum of a statically quantised network requantised onto its own uint8 grid, with or without a ReLU:
 * PyTorch's {@code torch.ops.quantized.add} / {@code add_relu} (as {@code FloatFunctional.add_relu} calls it after
 * {@code convert}) on F32 tensors of grid values, as Kiln has no uint8 dtype. One pass on a backend that fuses it
 * ({@link Backend#requantizedAddRelu}). There is no backward pass, as PyTorch's quantized operators have none.
 */
public final class RequantizedAdd {
    private static final String OP = "RequantizedAdd.forward";

    private RequantizedAdd() {
    }

    /**
     * {@code scale * clamp(round((a + b) * (1 / scale)), relu ? 0 : -zeroPoint, 255 - zeroPoint)} for a and b of one
     * shape (F32), of that shape (F32): {@code FakeQuantization.perTensorAffine(a.add(b), scale, zeroPoint,
     * relu ? zeroPoint : 0, 255)} in values, NaN to the lowest value. Records no gradient.
     *
     * @throws IllegalArgumentException naming the shapes or dtypes when a and b differ in shape or are not F32, or
     *     when they lie on different backends
     * @throws IllegalStateException when gradients are enabled and a or b needs one: run under
     *     {@link Autograd#noGrad()}
     */
    public static Tensor forward(Tensor a, Tensor b, Uint8Grid grid, boolean relu) {
        Checks.open(OP, a, b);
        Checks.sameBackend(OP, a, b);
        if (a.dtype() != DType.F32 || b.dtype() != DType.F32) {
            throw new IllegalArgumentException(OP + ": a and b must be F32, got " + a.dtype() + " and " + b.dtype());
        }
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(OP + ": a and b must have one shape, got " + a.shape() + " and "
                    + b.shape());
        }
        if (Autograd.isEnabled() && (a.requiresGrad() || b.requiresGrad())) {
            throw new IllegalStateException(OP + ": requantised sums have no backward pass (as PyTorch's quantized"
                    + " add_relu), but " + (a.requiresGrad() ? "a" : "b") + " requires a gradient; run inference"
                    + " under Autograd.noGrad()");
        }
        Tensor out = a.emptyLike(a.shape(), DType.F32);
        a.backend().requantizedAddRelu(a, b, grid, relu, out);
        return out;
    }
}
