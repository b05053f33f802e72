package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * {@link Linear} whose input size is inferred, like PyTorch's {@code torch.nn.LazyLinear(out_features, bias)}: the
 * first input [..., in] fixes {@code in}, and the weight [out, in] and bias [out] are then drawn as Linear draws them
 * (uniform in +-1/sqrt(in), weight first), in the input's dtype; before that they are uninitialized (see
 * {@link LazyModule}: make the optimizer after a first forward pass, or it is refused). Afterwards it computes
 * {@code y = x W^T + b} as Linear, input [..., in] to [..., out], and later inputs must end in the same {@code in}.
 */
public class LazyLinear extends LazyModule {
    private final int outFeatures;
    private int inFeatures;

    /** A layer with a bias. */
    public LazyLinear(int outFeatures) {
        this(outFeatures, true);
    }

    /** @throws IllegalArgumentException naming the layer for outFeatures below 1 */
    public LazyLinear(int outFeatures, boolean bias) {
        super(bias);
        if (outFeatures < 1) {
            throw new IllegalArgumentException("LazyLinear: out_features must be at least 1, got " + outFeatures);
        }
        this.outFeatures = outFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** The inferred input size; 0 before the first forward pass. */
    public int inFeatures() {
        return inFeatures;
    }

    /** [out, in] once initialized; an empty placeholder [0] before. */
    public Tensor weight() {
        return param("weight");
    }

    /** [out], or null without bias; an empty placeholder [0] before the first forward pass. */
    public Tensor bias() {
        return param("bias");
    }

    /**
     * [..., in] to [..., out]; the first call fixes {@code in}.
     *
     * @throws IllegalArgumentException naming the layer for a scalar input, or one whose last axis differs from the
     *     inferred {@code in}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) < 1) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must end in at least one feature");
        }
        if (!initialized()) {
            int in = x.dim(-1);
            initializeFor(x, new int[] {outFeatures, in}, outFeatures, 1 / Math.sqrt(in));
            inFeatures = in;
        }
        if (x.dim(-1) != inFeatures) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must end in " + inFeatures
                    + " features, as inferred from the first input");
        }
        if (x.rank() == 2) {
            return F.linear(x, weight(), bias());
        }
        int[] outDims = x.shape().with(-1, outFeatures).dims();
        Tensor rows = consume(x.reshape(-1, inFeatures), t -> F.linear(t, weight(), bias()));
        return consume(rows, t -> t.reshape(outDims));
    }

    /** PyTorch's {@code extra_repr}: {@code in_features=0, out_features=4, bias=True} (0 until inferred). */
    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias="
                + PythonRepr.bool(bias() != null);
    }
}
