package dev.kiln.engine;

/** Element types of a {@link Tensor}. F32 trains; F64 gives exact gradient checks; I32/I64 hold indices and labels. */
public enum DType {
    F32(4, true),
    F64(8, true),
    I32(4, false),
    I64(8, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** True for F32 and F64, the types that carry gradients. */
    public boolean isFloating() {
        return floating;
    }

    /** PyTorch's name of the dtype, as its reprs print it after {@code torch.}: float32, float64, int32, int64. */
    public String pytorchName() {
        return switch (this) {
            case F32 -> "float32";
            case F64 -> "float64";
            case I32 -> "int32";
            case I64 -> "int64";
        };
    }
}
