package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * A {@link Linear} in quantisation-aware training, PyTorch's {@code nn.qat.Linear} (with ReLU fused
 * {@code nn.intrinsic.qat.LinearReLU}) and its {@code activation_post_process}: the forward pass computes with the
 * fake-quantised weight and fake-quantises the output, as {@link QatLayer} says; the gradients reach the weight and
 * bias through the straight-through estimator. Its parameters are the trained layer's own tensors under the same names.
 * Input [*, in] to [*, out]. Made by {@link QuantizationAwareTraining#prepareQat}.
 */
public final class QatLinear extends Linear implements QatLayer {
    private final boolean relu;
    private final String inputSource;

    private QatLinear(Linear linear, boolean relu, String inputSource) {
        super(linear.inFeatures(), linear.outFeatures(), linear.bias() != null);
        this.relu = relu;
        this.inputSource = inputSource;
        QatLayer.takeParameters(this, linear);
        QatLayer.registerFakeQuantizations(this, inputSource);
    }

    /** {@code linear}'s tensors with fake quantisations; its input on {@code inputSource}'s grid (null: its own). */
    static QatLinear of(Linear linear, boolean relu, String inputSource) {
        return QatLayer.withoutRandomDraws(() -> new QatLinear(linear, relu, inputSource));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != inFeatures()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must end in " + inFeatures()
                    + " features");
        }
        Tensor in = inputSource == null ? inputFakeQuant().forward(x) : x;
        Tensor weight = weightFakeQuant().forward(weight());
        int[] outDims = x.shape().with(-1, outFeatures()).dims();
        Tensor rows = F.linear(in.reshape(-1, inFeatures()), weight, bias());
        return QatLayer.activated(this, rows.reshape(outDims));
    }

    @Override
    Tensor forward(Tensor x, FusableActivation activation) {
        throw new IllegalStateException(describe() + " fuses its own ReLU; nothing fuses into it");
    }

    @Override
    public String inputSource() {
        return inputSource;
    }

    @Override
    public boolean fusedRelu() {
        return relu;
    }

    /** PyTorch's names of its QAT layers: {@code Linear}, or {@code LinearReLU} with the ReLU fused. */
    @Override
    protected String typeName() {
        return relu ? "LinearReLU" : "Linear";
    }
}
