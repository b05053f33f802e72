package dev.kiln.distributions;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The categorical distribution over classes 0 to K-1, as PyTorch's {@code torch.distributions.Categorical(probs=...)}
 * or {@code (logits=...)}: the parameter is [batch..., K]; the batch shape is its shape less the last axis; values are
 * class indices (I64, or I32 or whole floating values, taken as PyTorch's {@code long()} takes them); events are
 * scalars. Probabilities are normalised to sum to 1 over the last axis and the log-probabilities are their log
 * clamped to [eps, 1 - eps] (eps the dtype's machine epsilon), as in PyTorch; logits are normalised to
 * {@code logits - logsumexp(logits)} and the probabilities are their softmax.
 * <pre>
 * logProb(k) = logits[k]
 * entropy    = -sum over classes of probs * max(logits, lowest finite value)
 * </pre>
 * Discrete: no {@code rsample}; {@code sample} draws I64 class indices by inverting the cumulative probabilities, so a
 * class of probability 0 is never drawn. {@code mean} and {@code variance} are NaN, as in PyTorch.
 */
public final class Categorical extends Distribution {
    private final Tensor probs;
    private final Tensor logits;
    private final boolean fromProbs;

    private Categorical(Tensor probs, Tensor logits, boolean fromProbs, boolean validateArgs) {
        super(probs.shape().without(probs.rank() - 1), Shape.scalar(), validateArgs);
        this.probs = probs;
        this.logits = logits;
        this.fromProbs = fromProbs;
        if (fromProbs) {
            checkParameter("probs (normalised)", probs, Constraint.simplex());
        } else {
            checkParameter("logits (normalised)", logits, Constraint.realVector());
        }
    }

    /**
     * Class probabilities proportional to {@code probs} [batch..., K] (non-negative, not all 0 in a row), validated
     * as {@link Distribution#defaultValidateArgs()} says.
     */
    public static Categorical ofProbs(Tensor probs) {
        return ofProbs(probs, defaultValidateArgs());
    }

    /** Class probabilities proportional to {@code probs}, checking them when {@code validateArgs}. */
    public static Categorical ofProbs(Tensor probs, boolean validateArgs) {
        checkClassAxis("probs", probs);
        Tensor normalised = probs.div(probs.sum(-1, true));
        double eps = Finfo.eps(probs.dtype());
        return new Categorical(normalised, normalised.clamp(eps, 1 - eps).log(), true, validateArgs);
    }

    /** Class probabilities softmax({@code logits}) over [batch..., K], validated as the default says. */
    public static Categorical ofLogits(Tensor logits) {
        return ofLogits(logits, defaultValidateArgs());
    }

    /** Class probabilities softmax({@code logits}), checking that no log-probability is NaN when {@code validateArgs}. */
    public static Categorical ofLogits(Tensor logits, boolean validateArgs) {
        checkClassAxis("logits", logits);
        Tensor normalised = logits.sub(logits.logsumexp(-1, true));
        return new Categorical(F.softmax(normalised, -1), normalised, false, validateArgs);
    }

    private static void checkClassAxis(String name, Tensor parameter) {
        if (parameter.rank() < 1) {
            throw new IllegalArgumentException("Categorical: " + name + " must have an axis of classes, [batch..., K],"
                    + " got shape " + parameter.shape());
        }
    }

    /** The normalised class probabilities [batch..., K]. */
    public Tensor probs() {
        return probs;
    }

    /** The normalised log-probabilities [batch..., K]. */
    public Tensor logits() {
        return logits;
    }

    /** K, the number of classes. */
    public int numEvents() {
        return probs.dim(-1);
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        int classes = numEvents();
        Tensor cumulative = probs.cumsum(-1);
        // u scaled by the total keeps it below the last running sum, which rounding may leave short of 1.
        Tensor u = Tensors.uniform(probs, 0, 1, Tensors.concat(extendedShape(sampleShape), new int[] {1}))
                .mul(cumulative.narrow(-1, classes - 1, 1));
        // The class drawn is how many running sums u reaches: class k when sum(probs[..k-1]) <= u < sum(probs[..k]).
        return cumulative.le(u).sum(-1, false).to(DType.I64).clampMax(classes - 1);
    }

    @Override
    public Tensor logProb(Tensor value) {
        return logProbOf(Tensors.indices(checkedValue("logProb", value)));
    }

    /** logProb of I64 class indices, unchecked, for distributions built on this one that checked them. */
    Tensor logProbOf(Tensor index) {
        Shape shape = Shape.broadcast("Categorical.logProb", index.shape(), batchShape());
        Tensor expandedLogits = Tensors.expandTo(logits, shape.insert(shape.rank(), numEvents()));
        return expandedLogits.gather(-1, Tensors.expandTo(index, shape).unsqueeze(-1)).squeeze(-1);
    }

    @Override
    public Tensor entropy() {
        return logits.clampMin(Finfo.lowest(logits.dtype())).mul(probs).sum(-1, false).neg();
    }

    /** NaN: classes have no mean (PyTorch's). */
    @Override
    public Tensor mean() {
        return undefined();
    }

    /** NaN: classes have no variance (PyTorch's). */
    @Override
    public Tensor variance() {
        return undefined();
    }

    private Tensor undefined() {
        return probs.narrow(-1, 0, 1).squeeze(-1).fullLike(Double.NaN);
    }

    @Override
    public Constraint support() {
        return Constraint.integerInterval(0, numEvents() - 1);
    }

    /** The most probable class, I64 (the first of equals). */
    @Override
    public Tensor mode() {
        return probs.argmax(-1, false);
    }

    @Override
    public boolean hasEnumerateSupport() {
        return true;
    }

    /** The classes 0 to K-1, I64. */
    @Override
    public Tensor enumerateSupport(boolean expand) {
        return enumerated(Tensor.arange(0, numEvents(), 1, DType.I64).to(probs.backend()), expand);
    }

    @Override
    public Categorical expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape).insert(batchShape.length, numEvents());
        return fromProbs ? ofProbs(Tensors.expandTo(probs, shape), validatesArgs())
                : ofLogits(Tensors.expandTo(logits, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "Categorical(" + (fromProbs ? "probs: " : "logits: ") + probs.shape() + ")";
    }
}
