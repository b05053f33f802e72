package dev.kiln.seq2seq;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search: each source sequence keeps its {@code width} most likely partial outputs; every step extends
 * each by every token (never PAD or BOS) and keeps the best {@code width} extensions. An extension by EOS
 * becomes a finished hypothesis instead; a sequence is done when it has {@code width} of them, or at the step
 * limit ({@code maxSteps}, or the model's {@link Seq2SeqModel#maxDecodingSteps} if fewer), where its live beams
 * count as unfinished hypotheses. The result is the hypothesis with the best length-normalised score
 * {@code logProb / length^alpha} (length counts EOS; alpha 0 ranks by raw log-probability, which favours short
 * outputs, alpha 1 by the mean log-probability per token).
 *
 * <p>All beams of all sequences of a batch run as rows of one batch ({@code batch * width} rows). With width
 * 1 this is exactly {@link Decoding#greedy} (same tokens, same log-probabilities). As there, each step's tensors
 * are freed once the next step no longer needs them.
 */
public final class BeamSearch {
    private BeamSearch() {
    }

    /**
     * The best hypothesis per source sequence (without attention weights). A sequence none of whose extensions has
     * a finite log-probability gets an empty unfinished hypothesis of log-probability -infinity.
     */
    public static List<Hypothesis> decode(Seq2SeqModel model, SourceBatch source, int width, int maxSteps, double alpha) {
        if (width < 1 || maxSteps < 1 || !(alpha >= 0)) {
            throw new IllegalArgumentException("BeamSearch: width " + width + " and maxSteps " + maxSteps
                    + " must be at least 1 and alpha " + alpha + " at least 0");
        }
        boolean training = model.isTraining();
        model.eval();
        try (Autograd.Guard g = Autograd.noGrad(); Scope scope = Scope.open(); StateHandover handover = new StateHandover()) {
            return search(model, source, width, maxSteps, alpha, handover);
        } finally {
            model.train(training);
        }
    }

    private static List<Hypothesis> search(Seq2SeqModel model, SourceBatch source, int width, int maxSteps, double alpha,
                                           StateHandover handover) {
        int batch = source.batch();
        int rows = batch * width;
        long[] origin = new long[rows];
        for (int r = 0; r < rows; r++) {
            origin[r] = r / width;
        }
        DecoderState start = handover.start(model, source);
        DecoderState state;
        try (Scope scope = Scope.open()) {
            state = handover.handOver(scope, start.select(Tensor.fromArray(origin, rows)));
        }
        double[] score = new double[rows];
        int[][] tokens = new int[rows][0];
        for (int r = 0; r < rows; r++) {
            score[r] = r % width == 0 ? 0 : Double.NEGATIVE_INFINITY;
        }
        List<List<Hypothesis>> finished = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            finished.add(new ArrayList<>());
        }
        boolean[] done = new boolean[batch];
        long[] previous = new long[rows];
        Arrays.fill(previous, Seq2SeqModel.BOS);
        int steps = Math.min(maxSteps, model.maxDecodingSteps());
        for (int t = 0; t < steps && !allTrue(done); t++) {
            try (Scope stepScope = Scope.open()) {
                Step step = model.step(state, Tensor.fromArray(previous, rows));
                int vocabulary = step.logits().dim(1);
                double[] logp = F.logSoftmax(step.logits(), 1).toDoubleArray();
                long[] parents = new long[rows];
                double[] nextScore = new double[rows];
                int[][] nextTokens = new int[rows][];
                for (int b = 0; b < batch; b++) {
                    int filled = done[b] ? 0 : extend(b, width, vocabulary, logp, score, tokens, finished.get(b), parents,
                            nextScore, nextTokens);
                    for (int j = filled; j < width; j++) {
                        int r = b * width + j;
                        parents[r] = r;
                        nextScore[r] = Double.NEGATIVE_INFINITY;
                        nextTokens[r] = new int[0];
                    }
                    done[b] = done[b] || finished.get(b).size() >= width || filled == 0;
                }
                for (int r = 0; r < rows; r++) {
                    int[] path = nextTokens[r];
                    previous[r] = path.length == 0 ? Seq2SeqModel.EOS : path[path.length - 1];
                }
                state = handover.handOver(stepScope, step.next().select(Tensor.fromArray(parents, rows)));
                score = nextScore;
                tokens = nextTokens;
            }
        }
        List<Hypothesis> best = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<Hypothesis> candidates = new ArrayList<>(finished.get(b));
            if (!done[b]) {
                for (int j = 0; j < width; j++) {
                    int r = b * width + j;
                    if (score[r] > Double.NEGATIVE_INFINITY) {
                        candidates.add(new Hypothesis(tokens[r], score[r], false, null));
                    }
                }
            }
            best.add(best(candidates, alpha));
        }
        return best;
    }

    /** The candidate of the best normalised score; an empty unfinished one of log-probability -infinity if none. */
    private static Hypothesis best(List<Hypothesis> candidates, double alpha) {
        Hypothesis top = null;
        for (Hypothesis h : candidates) {
            if (top == null || normalised(h, alpha) > normalised(top, alpha)) {
                top = h;
            }
        }
        return top != null ? top : new Hypothesis(new int[0], Double.NEGATIVE_INFINITY, false, null);
    }

    /**
     * Extends the beams of sequence {@code b} by one token: candidates in order of score (ties by beam, then
     * token), EOS extensions into {@code finished}, the others into the next beams until {@code width} are
     * filled. Returns how many next beams were filled.
     */
    private static int extend(int b, int width, int vocabulary, double[] logp, double[] score, int[][] tokens,
                              List<Hypothesis> finished, long[] parents, double[] nextScore, int[][] nextTokens) {
        int first = Seq2SeqModel.EOS;
        int perBeam = vocabulary - first;
        int count = width * perBeam;
        double[] candidate = new double[count];
        Integer[] order = new Integer[count];
        for (int j = 0; j < width; j++) {
            int r = b * width + j;
            for (int v = first; v < vocabulary; v++) {
                int k = j * perBeam + (v - first);
                candidate[k] = score[r] + logp[r * vocabulary + v];
                order[k] = k;
            }
        }
        Arrays.sort(order, (x, y) -> Double.compare(candidate[y], candidate[x]));
        int filled = 0;
        for (int k : order) {
            if (filled == width || candidate[k] == Double.NEGATIVE_INFINITY) {
                break;
            }
            int j = k / perBeam;
            int token = k % perBeam + first;
            int parent = b * width + j;
            if (token == Seq2SeqModel.EOS) {
                finished.add(new Hypothesis(tokens[parent], candidate[k], true, null));
                if (finished.size() >= width) {
                    break;
                }
                continue;
            }
            int r = b * width + filled;
            parents[r] = parent;
            nextScore[r] = candidate[k];
            nextTokens[r] = Arrays.copyOf(tokens[parent], tokens[parent].length + 1);
            nextTokens[r][tokens[parent].length] = token;
            filled++;
        }
        return filled;
    }

    /** logProb / length^alpha, the length counting EOS when the hypothesis finished. */
    static double normalised(Hypothesis h, double alpha) {
        int length = h.tokens().length + (h.finished() ? 1 : 0);
        return alpha == 0 ? h.logProb() : h.logProb() / Math.pow(Math.max(1, length), alpha);
    }

    private static boolean allTrue(boolean[] v) {
        for (boolean x : v) {
            if (!x) {
                return false;
            }
        }
        return true;
    }
}
