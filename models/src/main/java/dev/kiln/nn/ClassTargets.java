package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.function.LongPredicate;

/**
 * The class-index targets [n] of a loss on scores [n, classes] with class weights and an ignore index, read as
 * PyTorch's {@code nll_loss} reads them: a row whose target is the ignore index counts for nothing; another row
 * weighs {@code weight[target]} (1 without weights), and a weighted mean divides by the counted rows' summed weights.
 */
final class ClassTargets {
    private final Tensor ignored;
    private final Tensor rowWeights;
    private final Tensor rowLosses;

    private ClassTargets(Tensor ignored, Tensor rowWeights, Tensor rowLosses) {
        this.ignored = ignored;
        this.rowWeights = rowWeights;
        this.rowLosses = rowLosses;
    }

    /**
     * Targets [n] (I64 or I32) of scores [n, classes] (e.g. log-probabilities), weighted by {@code weight}
     * [classes] (null: 1 each; see {@link #checkWeight}); a target outside [0, classes) that is not
     * {@code ignoreIndex} is refused, naming {@code loss}.
     */
    static ClassTargets of(String loss, Tensor scores, Tensor target, Tensor weight, long ignoreIndex) {
        Tensor ignored = target.eq(ignoreIndex);
        // Ignored rows read class 0, which is in range, and weigh 0.
        Tensor index = Tensor.where(ignored, target.fullLike(0), target);
        index = index.dtype() == DType.I64 ? index : index.to(DType.I64);
        Tensor picked;
        try {
            picked = scores.gather(1, index.unsqueeze(1)).reshape(index.dim(0));
        } catch (IllegalArgumentException e) {
            throw outOfRange(loss, target, scores.dim(1), ignoreIndex, e);
        }
        Tensor counted = target.ne(ignoreIndex).to(scores.dtype());
        Tensor rowWeights = weight == null ? counted : weight.indexSelect(0, index).mul(counted);
        // Filled, not multiplied by the weight 0: an ignored row (padding) may score -inf, and 0 * inf is NaN.
        Tensor rowLosses = picked.mul(rowWeights).neg().maskedFill(ignored, 0);
        return new ClassTargets(ignored, rowWeights, rowLosses);
    }

    /**
     * What to throw where an op refused {@code target} with {@code cause}: the error naming {@code loss}, the first
     * target outside [0, classes) that is not {@code ignoreIndex} and that range, where there is one (read back here,
     * on the error's path alone, where the op's own message names the op); otherwise {@code cause}, which refused
     * something else.
     */
    static IllegalArgumentException outOfRange(String loss, Tensor target, int classes, long ignoreIndex,
                                               IllegalArgumentException cause) {
        return outOfRange(loss, target, classes, v -> v == ignoreIndex, " and not the ignore index " + ignoreIndex,
                cause);
    }

    /** {@link #outOfRange(String, Tensor, int, long, IllegalArgumentException)} for a loss without an ignore index. */
    static IllegalArgumentException outOfRange(String loss, Tensor target, int classes,
                                               IllegalArgumentException cause) {
        return outOfRange(loss, target, classes, v -> false, "", cause);
    }

    /**
     * As above, for a loss that also takes the values {@code alsoTaken} outside [0, classes), which {@code besides}
     * names after the range (such as " and not -1, the end of a row's classes").
     */
    static IllegalArgumentException outOfRange(String loss, Tensor target, int classes, LongPredicate alsoTaken,
                                               String besides, IllegalArgumentException cause) {
        for (long v : target.toLongArray()) {
            if ((v < 0 || v >= classes) && !alsoTaken.test(v)) {
                return new IllegalArgumentException(loss + ": target " + v + " is out of range [0, " + classes + ")"
                        + besides, cause);
            }
        }
        return cause;
    }

    /**
     * Whether {@code target} has the shape of {@code scores} [batch, classes, d1, ...] without the class axis (axis 1,
     * or 0 for unbatched scores [classes], whose target is a scalar).
     */
    static boolean fitsWithoutClassAxis(Tensor scores, Tensor target) {
        if (scores.rank() == 0 || target.rank() != scores.rank() - 1) {
            return false;
        }
        int classAxis = scores.rank() == 1 ? 0 : 1;
        for (int a = 0, t = 0; a < scores.rank(); a++) {
            if (a != classAxis && scores.dim(a) != target.dim(t++)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Scores [batch, classes, d1, ...] as rows [positions, classes]: the class axis moved last, then every other axis
     * flattened, positions in the order of a target [batch, d1, ...]; [batch, classes] stays as it is, and unbatched
     * scores [classes] become one row.
     */
    static Tensor rowsOfClasses(Tensor scores) {
        if (scores.rank() <= 2) {
            return scores.rank() == 1 ? scores.unsqueeze(0) : scores;
        }
        int[] classesLast = new int[scores.rank()];
        for (int a = 2; a < scores.rank(); a++) {
            classesLast[a - 1] = a;
        }
        classesLast[scores.rank() - 1] = 1;
        return scores.permute(classesLast).reshape(-1, scores.dim(1));
    }

    /** {@code weight}, refused unless a floating vector or null; its length and dtype are checked by checkWeight. */
    static Tensor checkedWeight(String loss, Tensor weight) {
        if (weight != null && (weight.rank() != 1 || !weight.dtype().isFloating())) {
            throw new IllegalArgumentException(loss + ": weight must be a floating [classes] vector, got "
                    + weight.dtype() + " " + weight.shape());
        }
        return weight;
    }

    /** Refuses a weight [classes] (null: none) that does not fit the {@code classes} of {@code scores}. */
    static void checkWeight(String loss, Tensor scores, int classes, Tensor weight) {
        if (weight == null) {
            return;
        }
        if (weight.dim(0) != classes) {
            throw new IllegalArgumentException(loss + ": weight " + weight.shape() + " does not fit the " + classes
                    + " classes of input " + scores.shape() + ": expected [" + classes + "]");
        }
        if (weight.dtype() != scores.dtype()) {
            throw new IllegalArgumentException(loss + ": weight is " + weight.dtype() + ", input " + scores.dtype()
                    + ": they must match");
        }
    }

    /** Each row's {@code -weight[target] * scores[n, target]} [n], 0 for an ignored row. */
    Tensor rowLosses() {
        return rowLosses;
    }

    /** Where the target is the ignore index [n]: 1, else 0. */
    Tensor ignored() {
        return ignored;
    }

    /**
     * Rows' losses [n] (0 where ignored) as PyTorch reduces them: SUM and NONE as usual, MEAN divides their sum by
     * the counted rows' summed weights (NaN when no row counts, as in PyTorch).
     */
    Tensor reduce(Tensor losses, Reduction reduction) {
        return reduction == Reduction.MEAN ? losses.sum().div(rowWeights.sum()) : Losses.reduce(losses, reduction);
    }
}
