package dev.kiln.seq2seq;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding: at every step each sequence takes its most likely next token (never PAD or BOS) until it
 * writes EOS or reaches the step limit ({@code maxSteps}, or the model's {@link Seq2SeqModel#maxDecodingSteps} if
 * fewer). Runs in evaluation mode without gradients, all sequences of a batch together; the model's mode is
 * restored afterwards. Each step's tensors are freed once the next step no longer needs them, so that memory
 * does not grow with the steps beyond the state the model carries.
 */
public final class Decoding {
    private Decoding() {
    }

    /** One {@link Hypothesis} per source sequence, with attention weights when the model has attention. */
    public static List<Hypothesis> greedy(Seq2SeqModel model, SourceBatch source, int maxSteps) {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("Decoding.greedy: maxSteps must be at least 1, got " + maxSteps);
        }
        boolean training = model.isTraining();
        model.eval();
        int batch = source.batch();
        List<List<Integer>> tokens = new ArrayList<>();
        List<List<float[]>> attention = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            tokens.add(new ArrayList<>());
            attention.add(new ArrayList<>());
        }
        double[] logProb = new double[batch];
        boolean[] finished = new boolean[batch];
        boolean hasAttention = true;
        try (Autograd.Guard g = Autograd.noGrad(); Scope scope = Scope.open(); StateHandover handover = new StateHandover()) {
            DecoderState state = handover.start(model, source);
            long[] previous = new long[batch];
            Arrays.fill(previous, Seq2SeqModel.BOS);
            int open = batch;
            int steps = Math.min(maxSteps, model.maxDecodingSteps());
            for (int t = 0; t < steps && open > 0; t++) {
                try (Scope stepScope = Scope.open()) {
                    Step step = model.step(state, Tensor.fromArray(previous, batch));
                    double[] logp = F.logSoftmax(step.logits(), 1).toDoubleArray();
                    float[] weights = step.attention() == null ? null : step.attention().toFloatArray();
                    hasAttention = weights != null;
                    int vocabulary = step.logits().dim(1);
                    int sourceSteps = source.steps();
                    for (int b = 0; b < batch; b++) {
                        if (finished[b]) {
                            continue;
                        }
                        int best = bestToken(logp, b * vocabulary, vocabulary);
                        logProb[b] += logp[b * vocabulary + best];
                        if (weights != null) {
                            attention.get(b).add(Arrays.copyOfRange(weights, b * sourceSteps, b * sourceSteps + source.lengths()[b]));
                        }
                        if (best == Seq2SeqModel.EOS) {
                            finished[b] = true;
                            open--;
                        } else {
                            tokens.get(b).add(best);
                        }
                        previous[b] = best;
                    }
                    state = handover.handOver(stepScope, step.next());
                }
            }
        } finally {
            model.train(training);
        }
        List<Hypothesis> result = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] ids = tokens.get(b).stream().mapToInt(Integer::intValue).toArray();
            float[][] weights = hasAttention ? attention.get(b).toArray(new float[0][]) : null;
            result.add(new Hypothesis(ids, logProb[b], finished[b], weights));
        }
        return result;
    }

    /** The most likely token of one row of log-probabilities, PAD and BOS excluded. */
    static int bestToken(double[] logp, int offset, int vocabulary) {
        int best = Seq2SeqModel.EOS;
        for (int v = Seq2SeqModel.EOS + 1; v < vocabulary; v++) {
            if (logp[offset + v] > logp[offset + best]) {
                best = v;
            }
        }
        return best;
    }
}
