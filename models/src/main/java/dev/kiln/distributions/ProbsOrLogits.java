package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * What the families of one success probability a batch element share (Bernoulli, Geometric): made from
 * probabilities or from log-odds, the other derived (see {@link #logitsOf}); the batch shape is the parameter's;
 * events are scalars. The given parameter is the one validated, expanded and named by toString.
 */
abstract class ProbsOrLogits extends Distribution {
    final Tensor probs;
    final Tensor logits;
    final boolean fromProbs;
    private final String name;

    /** Checks probs against [0, 1] when made from them, else logits against the reals, when validating. */
    ProbsOrLogits(String name, Tensor probs, Tensor logits, boolean fromProbs, boolean validateArgs) {
        super(probs.shape(), Shape.scalar(), validateArgs);
        this.name = name;
        this.probs = probs;
        this.logits = logits;
        this.fromProbs = fromProbs;
        if (fromProbs) {
            checkParameter("probs", probs, Constraint.unitInterval());
        } else {
            checkParameter("logits", logits, Constraint.real());
        }
    }

    /** log(p') - log(1 - p') with p' clamped to [eps, 1 - eps], eps the dtype's machine epsilon, as in PyTorch. */
    static Tensor logitsOf(Tensor probs) {
        Tensor clamped = probs.clamp(Finfo.eps(probs.dtype()), 1 - Finfo.eps(probs.dtype()));
        return clamped.log().sub(clamped.neg().log1p());
    }

    /** The success probabilities (of 1, for Bernoulli). */
    public Tensor probs() {
        return probs;
    }

    /** The log-odds of success (of 1, for Bernoulli). */
    public Tensor logits() {
        return logits;
    }

    @Override
    public String toString() {
        return name + "(" + (fromProbs ? "probs: " : "logits: ") + probs.shape() + ")";
    }
}
