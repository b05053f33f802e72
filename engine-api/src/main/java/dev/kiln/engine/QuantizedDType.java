package dev.kiln.engine;

/**
 * The integer type of a {@link QuantizedTensor}, PyTorch's {@code torch.quint8}, {@code torch.qint8} and
 * {@code torch.qint32}: the range its values and zero points lie in.
 */
public enum QuantizedDType {
    /** Unsigned 8-bit, [0, 255]. */
    QUINT8(0, 255, "torch.quint8"),
    /** Signed 8-bit, [-128, 127]. */
    QINT8(-128, 127, "torch.qint8"),
    /** Signed 32-bit, [-2^31, 2^31 - 1]. */
    QINT32(Integer.MIN_VALUE, Integer.MAX_VALUE, "torch.qint32");

    private final int min;
    private final int max;
    private final String torchName;

    QuantizedDType(int min, int max, String torchName) {
        this.min = min;
        this.max = max;
        this.torchName = torchName;
    }

    /** The smallest value. */
    public int min() {
        return min;
    }

    /** The largest value. */
    public int max() {
        return max;
    }

    /** PyTorch's name, for printing. */
    public String torchName() {
        return torchName;
    }

    /** Refuses a zero point outside the range, naming {@code op} and the zero point's place. */
    void checkZeroPoint(String op, String which, long zeroPoint) {
        if (zeroPoint < min || zeroPoint > max) {
            throw new IllegalArgumentException(op + ": " + which + " " + zeroPoint + " is outside " + this + "'s range ["
                    + min + ", " + max + "]");
        }
    }
}
