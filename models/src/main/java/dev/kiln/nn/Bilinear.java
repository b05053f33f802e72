package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * Bilinear layer {@code y_o = x1^T A_o x2 + b_o}, like PyTorch's {@code torch.nn.Bilinear(in1, in2, out, bias)}:
 * inputs [batch, in1] and [batch, in2] (or [..., in1] and [..., in2] with the same leading axes, or [in1] and [in2]),
 * output [batch, out] (the leading axes, then out). Weight [out, in1, in2] and bias [out] in PyTorch's layout and
 * with its default initialisation: uniform in +-1/sqrt(in1) for both (weight drawn first). A two-input module: call
 * {@link #forward(Tensor, Tensor)}.
 */
public class Bilinear extends Module implements TwoInputForward {
    private final int in1Features;
    private final int in2Features;
    private final int outFeatures;

    /** A layer with a bias. */
    public Bilinear(int in1Features, int in2Features, int outFeatures) {
        this(in1Features, in2Features, outFeatures, true);
    }

    /** @throws IllegalArgumentException naming the layer when a size is not positive */
    public Bilinear(int in1Features, int in2Features, int outFeatures, boolean bias) {
        if (in1Features <= 0 || in2Features <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Bilinear: features must be positive, got in1=" + in1Features + ", in2="
                    + in2Features + ", out=" + outFeatures);
        }
        this.in1Features = in1Features;
        this.in2Features = in2Features;
        this.outFeatures = outFeatures;
        double bound = 1 / Math.sqrt(in1Features);
        registerParameter("weight", unscoped(
                () -> Tensor.uniform(-bound, bound, DType.F32, outFeatures, in1Features, in2Features)));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outFeatures)) : null);
    }

    /** [out, in1, in2]. */
    public Tensor weight() {
        return param("weight");
    }

    /** [out], or null for a layer without bias. */
    public Tensor bias() {
        return param("bias");
    }

    public int in1Features() {
        return in1Features;
    }

    public int in2Features() {
        return in2Features;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /**
     * [..., in1] and [..., in2] to [..., out].
     *
     * @throws IllegalArgumentException naming this layer, the expected and the actual shape when x1 does not end in
     *     in1 features or x2 is not x1's leading axes followed by in2
     */
    public Tensor forward(Tensor x1, Tensor x2) {
        checkInputs(x1, x2);
        int[] outDims = x1.shape().with(-1, outFeatures).dims();
        Tensor rows1 = x1.reshape(-1, in1Features);
        Tensor rows2 = x2.reshape(-1, in2Features);
        Tensor y = F.einsum("bi,oij,bj->bo", rows1, weight(), rows2);
        if (bias() != null) {
            y = consume(y, t -> t.add(bias()));
        }
        return consume(y, t -> t.reshape(outDims));
    }

    private void checkInputs(Tensor x1, Tensor x2) {
        if (x1.rank() == 0 || x1.dim(-1) != in1Features) {
            throw new IllegalArgumentException(describe() + ": input1 " + x1.shape() + " must end in " + in1Features
                    + " features");
        }
        Shape expected = x1.shape().with(-1, in2Features);
        if (!x2.shape().equals(expected)) {
            throw new IllegalArgumentException(describe() + ": input2 " + x2.shape() + " must be " + expected
                    + ", input1's leading axes and " + in2Features + " features");
        }
    }

    /** Not available: call {@link #forward(Tensor, Tensor)} with the two inputs. */
    @Override
    public Tensor forward(Tensor x) {
        throw TwoInputs.unsupported(this);
    }

    /** PyTorch's {@code extra_repr}: {@code in1_features=2, in2_features=3, out_features=4, bias=True}. */
    @Override
    protected String extraRepr() {
        return "in1_features=" + in1Features + ", in2_features=" + in2Features + ", out_features=" + outFeatures
                + ", bias=" + PythonRepr.bool(bias() != null);
    }
}
