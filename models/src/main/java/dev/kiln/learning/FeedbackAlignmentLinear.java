package dev.kiln.learning;

import dev.kiln.engine.CounterRandom;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Function;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;

/**
 * A {@link Linear} layer trained by feedback alignment (Lillicrap et al. 2016): the forward pass is
 * {@code y = x W^T + b} as usual, the weight and bias gradients are the usual ones, but the error sent to
 * the layer below is {@code gradY B} through a fixed random matrix B [out, in] instead of {@code gradY W}.
 * Built on the public autograd API: the layer applies a user {@link Function} with this backward rule.
 *
 * <p>B is drawn once, from the same distribution as the weight's initialisation (uniform in +-1/sqrt(in)),
 * but from a stream of its own keyed by the engine's seed and position, which it leaves where they were: a
 * network of these layers starts from the same weights as the same network of plain {@link Linear} layers.
 * B is kept as the buffer {@code feedback}: saved and loaded with the state dict, never trained.
 */
public class FeedbackAlignmentLinear extends Linear {
    private static final long FEEDBACK_STREAM = 0x6A09E667F3BCC909L;

    public FeedbackAlignmentLinear(int inFeatures, int outFeatures) {
        super(inFeatures, outFeatures, true);
        registerBuffer("feedback", unscoped(() -> drawFeedback(outFeatures, inFeatures)));
    }

    /** [out, in] uniform in +-1/sqrt(in), computed on the host from (seed, counter) without advancing the counter. */
    private static Tensor drawFeedback(int outFeatures, int inFeatures) {
        Engine engine = Engine.get();
        long stream = CounterRandom.bits(engine.seed() ^ FEEDBACK_STREAM, engine.counter());
        double bound = 1 / Math.sqrt(inFeatures);
        float[] values = new float[outFeatures * inFeatures];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (bound * (2 * CounterRandom.uniform(stream, i) - 1));
        }
        return Tensor.fromArray(values, outFeatures, inFeatures);
    }

    /** B [out, in]: the fixed matrix that carries the error to the layer below. */
    public Tensor feedback() {
        return buffer("feedback");
    }

    /** x [batch, in] to [batch, out]; backward sends {@code gradY B} to x. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != inFeatures()) {
            throw new IllegalArgumentException("FeedbackAlignmentLinear(" + inFeatures() + ", " + outFeatures()
                    + "): input " + x.shape() + " must be [batch, " + inFeatures() + "]");
        }
        return new FeedbackProduct(feedback()).apply(x, weight(), bias());
    }

    /** {@code x W^T + b} whose backward uses B where backpropagation would use W. */
    private static final class FeedbackProduct extends Function {
        private final Tensor feedback;

        FeedbackProduct(Tensor feedback) {
            this.feedback = feedback;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            save(in[0]);
            return in[0].matmul(in[1].t()).add(in[2]);
        }

        @Override
        protected Tensor[] backward(Tensor gradY) {
            Tensor x = saved()[0];
            return new Tensor[] {gradY.matmul(feedback), gradY.t().matmul(x), gradY.sum(0, false)};
        }
    }
}
