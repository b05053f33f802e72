package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Connectionist temporal classification loss (Graves et al., 2006), like PyTorch's
 * {@code torch.nn.CTCLoss(blank=0, reduction='mean', zero_infinity=False)}: sample n's loss is
 * {@code -log p(target_n | input_n)}, the probability summed over every alignment of its target with its first
 * {@code inputLengths[n]} steps, an alignment being a path of one class per step that reads as the target once
 * repeats are merged and blanks dropped (so a repeated label needs a blank between its two steps).
 * <p>
 * Shapes: log-probabilities [T, batch, C] (log-softmax outputs, F32 or F64; the blank is one of the C classes),
 * targets [batch, S] padded (values past each target length are ignored) or [sum(targetLengths)] concatenated (I64 or
 * I32), {@code inputLengths} [batch] each in [1, T], {@code targetLengths} [batch] each in [0, S]. Reduced as
 * PyTorch's {@code reduction}: MEAN divides each loss by its target length (at least 1), then averages over the
 * batch; SUM adds the losses; NONE gives them [batch].
 * <p>
 * A target that no alignment fits (it needs more steps than its input length: one per label and one per blank
 * between repeats) has probability 0: loss +infinity and a gradient that is not finite for that sample (PyTorch's
 * is NaN), so that the sample shows; {@code zeroInfinity} makes both 0.
 * <p>
 * Composed of Tensor ops (the alpha recursion over the blank-extended targets, one step per time step for the whole
 * batch), so that autograd gives the gradient and every backend runs it; the targets are read on the host to check
 * them and lay them out (from a device, a small copy and a wait for it: give them as host arrays to avoid that). The
 * gradient is the loss's own in the log-probabilities: at step t and class c, minus the posterior probability that an
 * alignment of the target reads c there. PyTorch's ctc_loss returns that plus {@code exp(log_probs)}, which a
 * log-softmax upstream cancels: through a log-softmax both give the same gradient in the logits. Not a
 * {@link Loss}: it takes the lengths too.
 */
public class CTCLoss {
    /**
     * What stands for log 0 in the recursion: a log-sum-exp over positions that no alignment reaches stays finite,
     * so its gradient is too, and it is exactly 0 wherever a reachable position is summed in.
     */
    static final double LOG_ZERO = -1e30;

    private final int blank;
    private final Reduction reduction;
    private final boolean zeroInfinity;

    /** Blank 0, the mean, infinite losses kept: PyTorch's defaults. */
    public CTCLoss() {
        this(0, Reduction.MEAN, false);
    }

    /**
     * Class {@code blank} (0 or more, below the classes C of the log-probabilities) as the blank, losses reduced by
     * {@code reduction}, infinite losses and their gradients made 0 when {@code zeroInfinity}.
     */
    public CTCLoss(int blank, Reduction reduction, boolean zeroInfinity) {
        if (blank < 0) {
            throw new IllegalArgumentException("CTCLoss: blank must be a class index, 0 or more, got " + blank);
        }
        this.blank = blank;
        this.reduction = Losses.checked("CTCLoss", reduction);
        this.zeroInfinity = zeroInfinity;
    }

    /** The class that stands for "no label at this step". */
    public int blank() {
        return blank;
    }

    /**
     * The loss of {@code logProbs} [T, batch, C] against {@code targets} ([batch, S] or concatenated), each sample
     * reading its first {@code inputLengths[n]} steps and {@code targetLengths[n]} labels; differentiable in
     * {@code logProbs}.
     */
    public Tensor compute(Tensor logProbs, Tensor targets, int[] inputLengths, int[] targetLengths) {
        checkLogProbs(logProbs);
        int steps = longestInput(logProbs, inputLengths);
        return reduced(logProbs, steps, CtcTargets.of(targets, targetLengths, logProbs.dim(1), logProbs.dim(2), blank),
                inputLengths);
    }

    /**
     * As {@link #compute(Tensor, Tensor, int[], int[])} with the targets on the host, {@code targets[n]} sample n's
     * labels (its length the target length): nothing is read back from a device, where a targets tensor would make
     * the host wait for it.
     */
    public Tensor compute(Tensor logProbs, long[][] targets, int[] inputLengths) {
        checkLogProbs(logProbs);
        int steps = longestInput(logProbs, inputLengths);
        return reduced(logProbs, steps, CtcTargets.of(targets, logProbs.dim(1), logProbs.dim(2), blank), inputLengths);
    }

    private Tensor reduced(Tensor logProbs, int steps, CtcTargets labels, int[] inputLengths) {
        Tensor losses = losses(logLikelihood(logProbs.narrow(0, 0, steps), labels, inputLengths));
        return switch (reduction) {
            case MEAN -> losses.div(labels.meanDivisors(logProbs)).mean();
            case SUM -> losses.sum();
            case NONE -> losses;
        };
    }

    private void checkLogProbs(Tensor logProbs) {
        if (logProbs.rank() != 3 || !logProbs.dtype().isFloating()) {
            throw new IllegalArgumentException("CTCLoss: log-probabilities " + logProbs.dtype() + " " + logProbs.shape()
                    + ": expected [T, batch, classes], F32 or F64");
        }
        if (blank >= logProbs.dim(2)) {
            throw new IllegalArgumentException("CTCLoss: blank " + blank + " is not one of the " + logProbs.dim(2)
                    + " classes of log-probabilities " + logProbs.shape() + ": expected 0 <= blank < "
                    + logProbs.dim(2));
        }
    }

    /** The longest input length, after checking that there is one per sample, each in [1, T]. */
    private static int longestInput(Tensor logProbs, int[] inputLengths) {
        int batch = logProbs.dim(1);
        int steps = logProbs.dim(0);
        if (inputLengths.length != batch) {
            throw new IllegalArgumentException("CTCLoss: input lengths has " + inputLengths.length
                    + " entries, expected one per sample: " + batch);
        }
        int longest = 0;
        for (int n = 0; n < batch; n++) {
            if (inputLengths[n] < 1 || inputLengths[n] > steps) {
                throw new IllegalArgumentException("CTCLoss: input length " + inputLengths[n] + " of sample " + n
                        + " must be in [1, " + steps + "], T of log-probabilities " + logProbs.shape());
            }
            longest = Math.max(longest, inputLengths[n]);
        }
        return longest;
    }

    /**
     * Each sample's {@code log p(target | input)} [batch]: alpha_t(s), the log-probability of the alignments of the
     * first t + 1 steps that end at extended position s, stepped forward over the batch at once; a sample's alpha
     * stays as it was once its input has ended.
     */
    private static Tensor logLikelihood(Tensor logProbs, CtcTargets labels, int[] inputLengths) {
        int steps = logProbs.dim(0);
        int batch = logProbs.dim(1);
        Tensor emissions = logProbs.reshape(steps, batch * logProbs.dim(2)).indexSelect(1, labels.columns(logProbs))
                .reshape(steps, batch, labels.width()).clampMin(LOG_ZERO);
        Tensor noSkip = labels.noSkip(logProbs);
        Tensor alpha = emission(emissions, 0).maskedFill(labels.unreachableAtStart(logProbs), LOG_ZERO);
        for (int t = 1; t < steps; t++) {
            Tensor next = step(alpha, noSkip).add(emission(emissions, t));
            alpha = endsBefore(inputLengths, t) ? Tensor.where(running(logProbs, inputLengths, t), next, alpha) : next;
        }
        Tensor ends = alpha.gather(1, labels.ends(logProbs)).maskedFill(labels.missingEnds(logProbs), LOG_ZERO);
        return ends.logsumexp(1, false);
    }

    /** Step t's log-probabilities of the extended labels [batch, width]. */
    private static Tensor emission(Tensor emissions, int t) {
        return emissions.narrow(0, t, 1).reshape(emissions.dim(1), emissions.dim(2));
    }

    /** The log-sum over the positions alpha(s) may come from: s itself, s - 1, and s - 2 where skipping is allowed. */
    private static Tensor step(Tensor alpha, Tensor noSkip) {
        Tensor previous = F.pad(alpha, new int[] {1, -1}, LOG_ZERO);
        Tensor skipped = F.pad(alpha, new int[] {2, -2}, LOG_ZERO).maskedFill(noSkip, LOG_ZERO);
        return Tensor.stack(List.of(alpha, previous, skipped), 2).logsumexp(2, false);
    }

    /** Whether some input ends at or before step t, so that its alpha must be held. */
    private static boolean endsBefore(int[] inputLengths, int t) {
        for (int length : inputLengths) {
            if (length <= t) {
                return true;
            }
        }
        return false;
    }

    /** [batch, 1]: 1 for the samples whose input runs through step t. */
    private static Tensor running(Tensor like, int[] inputLengths, int t) {
        double[] mask = new double[inputLengths.length];
        for (int n = 0; n < mask.length; n++) {
            mask[n] = inputLengths[n] > t ? 1 : 0;
        }
        return CtcTargets.constant(like, mask, mask.length, 1);
    }

    /** -log p per sample; where no alignment exists (the log-likelihood holds LOG_ZERO), +infinity or 0. */
    private Tensor losses(Tensor logLikelihood) {
        Tensor impossible = logLikelihood.lt(LOG_ZERO / 2);
        Tensor negative = logLikelihood.neg();
        if (zeroInfinity) {
            return negative.maskedFill(impossible, 0);
        }
        // Scaled by +infinity rather than filled with it, so that the gradient is not finite either, as PyTorch's.
        return negative.mul(impossible.fullLike(1).maskedFill(impossible, Double.POSITIVE_INFINITY));
    }
}
