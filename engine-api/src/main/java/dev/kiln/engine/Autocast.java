package dev.kiln.engine;

/**
 * Mixed precision for the current thread, like PyTorch's {@code torch.autocast}: inside
 * {@code try (var a = Autocast.enable(Precision.BF16)) { ... }} matrix products ({@link Tensor#matmul},
 * {@link F#linear}), convolutions ({@link F#conv2d}) and the recurrent layers' GEMMs on F32 tensors run with
 * bfloat16 operands and F32 accumulation ({@link Precision#BF16}), or with half operands ({@link Precision#F16},
 * PyTorch's {@code torch.autocast("cuda", torch.float16)}; pair it with a loss scale). An op records the precision
 * it ran with, so its backward pass uses the same one wherever {@code backward()} is called. F64 tensors always run in full
 * precision (gradient checks stay exact).
 */
public final class Autocast {
    private static final ThreadLocal<Precision> CURRENT = ThreadLocal.withInitial(() -> Precision.FP32);

    private Autocast() {
    }

    /** The precision new matrix products and convolutions of this thread use on F32 tensors. */
    public static Precision current() {
        return CURRENT.get();
    }

    /** Sets this thread's precision until the returned guard closes, which restores the previous one. */
    public static Guard enable(Precision precision) {
        if (precision == null) {
            throw new IllegalArgumentException(
                    "Autocast.enable: precision must not be null; use Precision.FP32 for full precision");
        }
        Precision previous = CURRENT.get();
        CURRENT.set(precision);
        return () -> CURRENT.set(previous);
    }

    /** The precision an op on {@code operand} runs with: the thread's for F32, FP32 for every other dtype. */
    static Precision forOperand(Tensor operand) {
        return operand.dtype() == DType.F32 ? CURRENT.get() : Precision.FP32;
    }

    /** Restores the previous precision when closed; never throws. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }
}
