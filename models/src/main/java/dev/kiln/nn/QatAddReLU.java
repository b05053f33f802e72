package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * The residual sum of a {@link QatBasicBlock} in quantisation-aware training, PyTorch's {@code FloatFunctional}
 * called as {@code add_relu} after {@code prepare_qat}: {@code relu(a + b)} through its fake quantisation, child
 * {@code activation_post_process} ({@link FakeQuantize#perTensorActivation}), whose grid {@code convert} requantises
 * the sum onto. Inputs two tensors of the same shape, output that shape.
 */
public final class QatAddReLU extends Module implements TwoInputForward {
    public QatAddReLU() {
        registerModule(FakeQuantize.OBSERVER, FakeQuantize.perTensorActivation());
    }

    /** The sum's fake quantisation, {@code activation_post_process}. */
    public FakeQuantize fakeQuant() {
        return (FakeQuantize) module(FakeQuantize.OBSERVER);
    }

    /** The fake-quantised {@code relu(a + b)}, as {@code FloatFunctional.add_relu}. */
    @Override
    public Tensor forward(Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(describe() + ": the two summands must have one shape, got " + a.shape()
                    + " and " + b.shape());
        }
        return fakeQuant().call(consume(a.add(b), Tensor::relu));
    }

    /** Refused: it adds two tensors. */
    @Override
    public Tensor forward(Tensor x) {
        throw TwoInputs.unsupported(this);
    }

    /** PyTorch's name of it, {@code FloatFunctional}, which prints its fake quantisation as the child it is. */
    @Override
    protected String typeName() {
        return "FloatFunctional";
    }
}
