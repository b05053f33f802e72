package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Efficient softmax approximation for many classes (Grave et al., 2017), like PyTorch's
 * {@code torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value, head_bias)}. The classes are
 * split by the cutoffs into a shortlist {@code [0, cutoffs[0])} and clusters {@code [cutoffs[i], cutoffs[i + 1])}
 * (the last ending at nClasses). The {@code head} ({@link Linear} inFeatures to shortlist + clusters, with a bias
 * when {@code headBias}) scores the shortlist's classes and one entry per cluster; cluster i's {@code tail.i}
 * ({@link Sequential} of {@code tail.i.0}, inFeatures to {@code floor(inFeatures / divValue^(i + 1))}, and
 * {@code tail.i.1}, to the cluster's size, both without bias) scores the classes within it. A class's log-probability
 * is its head log-softmax entry for a shortlist class, else its cluster's head entry plus its log-softmax within the
 * cluster. State-dict names and default initialisations are PyTorch's.
 *
 * <p>Input [batch, inFeatures] with targets [batch] (I64 or I32), or one example [inFeatures] with a scalar target.
 * The targets are read on the host to route each example to its cluster, as PyTorch does.
 */
public class AdaptiveLogSoftmaxWithLoss extends Module {
    private final int inFeatures;
    private final int nClasses;
    /** The cutoffs with nClasses appended, as PyTorch's {@code self.cutoffs}. */
    private final int[] cutoffs;
    private final double divValue;

    /** PyTorch's defaults: {@code div_value=4.0}, no head bias. */
    public AdaptiveLogSoftmaxWithLoss(int inFeatures, int nClasses, int[] cutoffs) {
        this(inFeatures, nClasses, cutoffs, 4.0, false);
    }

    /**
     * @throws IllegalArgumentException naming the layer unless the cutoffs are unique, increasing and in
     *     [1, nClasses - 1], or for inFeatures below 1
     */
    public AdaptiveLogSoftmaxWithLoss(int inFeatures, int nClasses, int[] cutoffs, double divValue,
                                      boolean headBias) {
        if (inFeatures < 1) {
            throw new IllegalArgumentException("AdaptiveLogSoftmaxWithLoss: inFeatures must be at least 1, got "
                    + inFeatures);
        }
        checkCutoffs(nClasses, cutoffs);
        checkProjections(inFeatures, cutoffs.length, divValue);
        this.inFeatures = inFeatures;
        this.nClasses = nClasses;
        this.cutoffs = Arrays.copyOf(cutoffs, cutoffs.length + 1);
        this.cutoffs[cutoffs.length] = nClasses;
        this.divValue = divValue;
        int shortlist = cutoffs[0];
        registerModule("head", new Linear(inFeatures, shortlist + cutoffs.length, headBias));
        ModuleList tail = new ModuleList();
        for (int i = 0; i < cutoffs.length; i++) {
            int hidden = (int) Math.floor(inFeatures / Math.pow(divValue, i + 1));
            tail.add(new Sequential(new Linear(inFeatures, hidden, false),
                    new Linear(hidden, this.cutoffs[i + 1] - this.cutoffs[i], false)));
        }
        registerModule("tail", tail);
    }

    /**
     * Refuses a divValue that would give a tail cluster a projection of no features, floor(inFeatures / divValue^(i +
     * 1)) = 0, which PyTorch makes as an empty Linear and Kiln's Linear refuses, or that is not a positive number.
     */
    private static void checkProjections(int inFeatures, int clusters, double divValue) {
        if (!(divValue > 0) || Double.isInfinite(divValue)) {
            throw new IllegalArgumentException("AdaptiveLogSoftmaxWithLoss: divValue must be a positive number, got "
                    + divValue);
        }
        int last = clusters - 1;
        if (Math.floor(inFeatures / Math.pow(divValue, last + 1)) < 1) {
            throw new IllegalArgumentException("AdaptiveLogSoftmaxWithLoss: tail cluster " + last + " would project "
                    + inFeatures + " features to floor(" + inFeatures + " / " + divValue + "^" + (last + 1)
                    + ") = 0 (an empty Linear, which Kiln does not make); give a divValue of at most "
                    + Math.pow(inFeatures, 1.0 / (last + 1)) + " or fewer cutoffs");
        }
    }

    private static void checkCutoffs(int nClasses, int[] cutoffs) {
        boolean valid = cutoffs.length > 0 && cutoffs[0] > 0 && cutoffs[cutoffs.length - 1] <= nClasses - 1;
        for (int i = 1; i < cutoffs.length && valid; i++) {
            valid = cutoffs[i] > cutoffs[i - 1];
        }
        if (!valid) {
            throw new IllegalArgumentException("AdaptiveLogSoftmaxWithLoss: cutoffs should be unique, positive"
                    + " integers sorted in increasing order, each between 1 and nClasses - 1 = " + (nClasses - 1)
                    + ", got " + Arrays.toString(cutoffs));
        }
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int nClasses() {
        return nClasses;
    }

    /** The size of the shortlist, the classes the head scores itself: {@code cutoffs[0]}. */
    public int shortlistSize() {
        return cutoffs[0];
    }

    /** The number of tail clusters. */
    public int clusters() {
        return cutoffs.length - 1;
    }

    private Module cluster(int i) {
        return module("tail").module(String.valueOf(i));
    }

    /** This layer takes input and targets: see {@link #forward(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(describe() + " takes input and targets; call forward(input, target), or"
                + " logProb(input) or predict(input)");
    }

    /**
     * Each example's log-probability of its target class, and the loss (their negated mean); only each example's own
     * cluster is computed.
     *
     * @param input [batch, inFeatures], or [inFeatures] with a scalar target
     * @param target [batch] class indices (I64 or I32) in [0, nClasses), or a scalar
     * @throws IllegalArgumentException naming this layer for shapes that do not fit, integer targets expected, or a
     *     target out of range
     */
    public AdaptiveSoftmaxOutput forward(Tensor input, Tensor target) {
        checkTargets(input, target);
        boolean unbatched = target.rank() == 0;
        Tensor x = unbatched ? input.unsqueeze(0) : input;
        long[] classes = target.toLongArray();
        AdaptiveSoftmaxOutput result;
        if (Autograd.isEnabled()) {
            result = targetLogProbs(x, classes);
        } else {
            try (Scope scope = Scope.open()) {
                result = targetLogProbs(x, classes);
                scope.keep(result.output());
                scope.keep(result.loss());
            }
        }
        return unbatched ? new AdaptiveSoftmaxOutput(result.output().reshape(), result.loss()) : result;
    }

    private void checkTargets(Tensor input, Tensor target) {
        if (target.dtype().isFloating()) {
            throw new IllegalArgumentException(describe() + ": targets must be class indices (I64 or I32), got "
                    + target.dtype());
        }
        boolean fits = target.rank() == 1 ? input.rank() == 2 && input.dim(0) == target.dim(0)
                : target.rank() == 0 && input.rank() == 1;
        if (!fits || input.dim(-1) != inFeatures) {
            throw new IllegalArgumentException(describe() + ": input " + input.shape() + " and target " + target.shape()
                    + " must be [batch, " + inFeatures + "] and [batch], or [" + inFeatures + "] and a scalar");
        }
        for (long c : target.toLongArray()) {
            if (c < 0 || c >= nClasses) {
                throw new IllegalArgumentException(describe() + ": target " + c + " is out of range [0, " + nClasses + ")");
            }
        }
    }

    /**
     * The head's log-probability of each row's shortlist class or cluster, plus, for a row in a cluster, its class's
     * log-probability within that cluster: the rows of each cluster go through its tail together, and their terms are
     * put back in row order by one gather.
     */
    private AdaptiveSoftmaxOutput targetLogProbs(Tensor x, long[] classes) {
        int rows = classes.length;
        int shortlist = shortlistSize();
        long[] headColumn = new long[rows];
        List<Tensor> pieces = new ArrayList<>();
        long[] rowOfPiece = new long[rows];
        int placed = 0;
        for (int i = 0; i <= clusters(); i++) {
            int low = i == 0 ? 0 : cutoffs[i - 1];
            int high = cutoffs[i];
            long[] members = Arrays.stream(rowsIn(classes, low, high)).mapToLong(r -> r).toArray();
            // The shortlist's piece even when empty, so that an empty batch still has one to concatenate.
            if (members.length == 0 && i > 0) {
                continue;
            }
            long[] within = new long[members.length];
            for (int k = 0; k < members.length; k++) {
                int r = (int) members[k];
                headColumn[r] = i == 0 ? classes[r] : shortlist + i - 1;
                within[k] = classes[r] - low;
                rowOfPiece[placed + k] = r;
            }
            pieces.add(i == 0 ? x.fullLike(0, Shape.of(members.length)) : clusterTerms(x, i - 1, members, within));
            placed += members.length;
        }
        Tensor headTerms = F.logSoftmax(module("head").call(x), 1)
                .gather(1, indexColumn(x, headColumn)).reshape(rows);
        Tensor clusterTerms = Tensor.cat(pieces, 0).indexSelect(0, index(x, inverse(rowOfPiece)));
        Tensor output = headTerms.add(clusterTerms);
        return new AdaptiveSoftmaxOutput(output, output.mean().neg());
    }

    /** The log-probabilities within tail cluster {@code c} of classes {@code within} for input rows {@code members}. */
    private Tensor clusterTerms(Tensor x, int c, long[] members, long[] within) {
        Tensor scores = cluster(c).call(x.indexSelect(0, index(x, members)));
        return F.logSoftmax(scores, 1).gather(1, indexColumn(x, within)).reshape(members.length);
    }

    private static int[] rowsIn(long[] classes, int low, int high) {
        return IntStream.range(0, classes.length)
                .filter(r -> classes[r] >= low && classes[r] < high).toArray();
    }

    private static long[] inverse(long[] permutation) {
        long[] inverse = new long[permutation.length];
        for (int k = 0; k < permutation.length; k++) {
            inverse[(int) permutation[k]] = k;
        }
        return inverse;
    }

    private static Tensor index(Tensor like, long[] values) {
        return Tensor.fromArray(values, values.length).to(like.backend());
    }

    private static Tensor indexColumn(Tensor like, long[] values) {
        return Tensor.fromArray(values, values.length, 1).to(like.backend());
    }

    /**
     * The log-probability of every class, PyTorch's {@code log_prob}: [batch, inFeatures] to [batch, nClasses].
     *
     * @throws IllegalArgumentException naming this layer for an input that is not [batch, inFeatures]
     */
    public Tensor logProb(Tensor input) {
        checkInput(input);
        return Temporaries.freedWithoutGradients(() -> fullLogProb(input, module("head").call(input)));
    }

    private Tensor fullLogProb(Tensor x, Tensor headScores) {
        Tensor head = F.logSoftmax(headScores, 1);
        int shortlist = shortlistSize();
        List<Tensor> columns = new ArrayList<>();
        columns.add(head.narrow(1, 0, shortlist));
        for (int c = 0; c < clusters(); c++) {
            Tensor within = F.logSoftmax(cluster(c).call(x), 1);
            columns.add(within.add(head.narrow(1, shortlist + c, 1)));
        }
        return Tensor.cat(columns, 1);
    }

    /**
     * The most probable class of each example, PyTorch's {@code predict}, I64 [batch]: the head's best entry where it
     * is a shortlist class (no tail class can beat it), else the best class of the full distribution.
     *
     * @throws IllegalArgumentException naming this layer for an input that is not [batch, inFeatures]
     */
    public Tensor predict(Tensor input) {
        checkInput(input);
        try (Autograd.Guard g = Autograd.noGrad(); Scope scope = Scope.open()) {
            Tensor headScores = module("head").call(input);
            Tensor best = headScores.argmax(1, false);
            if (Arrays.stream(best.toLongArray()).allMatch(c -> c < shortlistSize())) {
                return scope.keep(best);
            }
            Tensor full = fullLogProb(input, headScores).argmax(1, false);
            return scope.keep(Tensor.where(best.ge(shortlistSize()), full, best));
        }
    }

    private void checkInput(Tensor input) {
        if (input.rank() != 2 || input.dim(1) != inFeatures) {
            throw new IllegalArgumentException(describe() + ": input " + input.shape() + " must be [batch, " + inFeatures
                    + "]");
        }
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code AdaptiveLogSoftmaxWithLoss(in_features=8,
     * n_classes=12, cutoffs=[4, 9], div_value=2.0)}; {@link #toString()} prints its head and tail, as PyTorch's repr.
     */
    @Override
    public String describe() {
        return "AdaptiveLogSoftmaxWithLoss(in_features=" + inFeatures + ", n_classes=" + nClasses + ", cutoffs="
                + Arrays.toString(Arrays.copyOf(cutoffs, cutoffs.length - 1)) + ", div_value="
                + PythonRepr.number(divValue) + ")";
    }
}
