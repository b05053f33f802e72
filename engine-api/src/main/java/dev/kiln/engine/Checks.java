package dev.kiln.engine;

/** Argument checks shared by the ops; each error names the op and what it got. */
final class Checks {
    private Checks() {
    }

    static void open(String op, Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t.isClosed()) {
                throw new IllegalStateException(op + ": tensor " + t.shape() + " " + t.dtype()
                        + " is closed (closed by hand or by the end of its Scope); keep it with Scope.keep to use it later");
            }
        }
    }

    /** {@code size} as one dimension of a shape, refused with the op's name where an int cannot hold it. */
    static int dimension(String op, String what, long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + what + " would be a dimension of " + size + ", beyond the limit of "
                    + Integer.MAX_VALUE + " elements a dimension holds");
        }
        return (int) size;
    }

    static void sameBackend(String op, Tensor a, Tensor b) {
        if (a.backend() != b.backend()) {
            // Two instances of one kind of backend share a device name, which alone would read as no difference.
            String instances = a.device().equals(b.device())
                    ? " (two backend instances of that device; move one tensor with to(other.backend()))" : "";
            throw new IllegalArgumentException(op + ": tensors are on different devices: " + a.device() + " and "
                    + b.device() + instances);
        }
    }

    static void sameDtype(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ: " + a.shape() + " " + a.dtype()
                    + " and " + b.shape() + " " + b.dtype() + "; convert one with to(DType)");
        }
    }

    static void floating(String op, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": needs F32 or F64, got " + t.dtype() + " for " + t.shape());
        }
    }

    /**
     * The name of {@code layer} fused with {@code activation} (e.g. {@code conv2d+relu}), once the activation is one
     * whose derivative its output determines ({@link UnaryOp#derivativeFromOutput}), as a fused op needs.
     */
    static String fused(String layer, UnaryOp activation, double param) {
        String name = layer + "+" + activation.name().toLowerCase(java.util.Locale.ROOT);
        if (!activation.derivativeFromOutput(param)) {
            throw new IllegalArgumentException(name + ": cannot fuse " + activation + " with parameter " + param
                    + "; fusable are TANH, SIGMOID, RELU, LEAKY_RELU with slope >= 0 and ELU with alpha > 0");
        }
        return name;
    }

    static void index(String op, Tensor t) {
        if (t.dtype() != DType.I64 && t.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": indices must be I64 or I32, got " + t.dtype() + " for " + t.shape());
        }
    }

    /**
     * The first value of {@code index} outside [0, limit), or null when all are inside. Indices made on the host
     * ({@link Tensor#fromArray(long[], int...)}) are checked against their recorded range without reading the
     * device: on a GPU, reading them back would make the host wait for all queued work at every training step.
     */
    static Long firstOutside(Tensor index, long limit) {
        return firstOutside(index, limit, null);
    }

    /**
     * As {@link #firstOutside(Tensor, long)}, where {@code allowed} (null: nothing) is also in range; a recorded
     * range that holds {@code allowed} says nothing of the values beside it, so those indices are read.
     */
    static Long firstOutside(Tensor index, long limit, Long allowed) {
        long[] known = index.knownValueRange();
        if (known != null && known[0] >= 0 && known[1] < limit) {
            return null;
        }
        for (long v : index.toLongArray()) {
            if ((v < 0 || v >= limit) && (allowed == null || v != allowed)) {
                return v;
            }
        }
        return null;
    }

    /** Both open, on one backend, of one dtype. */
    static void compatible(String op, Tensor a, Tensor b) {
        open(op, a, b);
        sameBackend(op, a, b);
        sameDtype(op, a, b);
    }

    /**
     * Each of {@code tensors} that is not null is compatible with x and {@code [C]}, one value for each of x's channels
     * (axis 1); {@code names[k]} names {@code tensors[k]} in the message.
     */
    static void perChannel(String op, Tensor x, String[] names, Tensor... tensors) {
        int channels = x.dim(1);
        for (int k = 0; k < tensors.length; k++) {
            Tensor t = tensors[k];
            if (t == null) {
                continue;
            }
            compatible(op, x, t);
            if (t.rank() != 1 || t.dim(0) != channels) {
                throw new IllegalArgumentException(op + ": " + names[k] + " " + t.shape() + " and input " + x.shape()
                        + ": " + names[k] + " must be [" + channels + "], one value per channel (axis 1)");
            }
        }
    }
}
