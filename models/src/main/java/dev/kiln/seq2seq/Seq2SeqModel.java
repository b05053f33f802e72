package dev.kiln.seq2seq;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import java.util.List;

/**
 * An encoder-decoder that maps a token sequence to another (spelling to phonemes, one language to another).
 * Source ids and target ids have vocabularies of their own; both use id {@link #PAD} for padding, and the
 * target side reserves {@link #BOS} (what the decoder reads first) and {@link #EOS} (what it writes last).
 *
 * <p>Two ways to run it: {@link #logits} for training, which reads the gold target (teacher forcing) and
 * scores every position at once, and {@link #start} / {@link #step} for decoding, one token per step for
 * every row, which {@link Decoding} (greedy) and {@link BeamSearch} drive.
 */
public abstract class Seq2SeqModel extends Module {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;

    /**
     * Scores [batch, T, targetVocabulary] of the next token at every position, given the decoder inputs
     * [batch, T] (I64: BOS, then the target without its EOS, padded with PAD). With {@code teacherForcing}
     * below 1 a recurrent decoder reads, at each step and for each row with probability
     * {@code 1 - teacherForcing}, its own best guess of the step before instead of the gold token.
     */
    public abstract Tensor logits(SourceBatch source, Tensor decoderInputs, double teacherForcing);

    /** Encodes the source and returns the state before the first decoding step (one row per sequence). */
    public abstract DecoderState start(SourceBatch source);

    /** Reads the previous tokens {@code previous} [rows] (I64; BOS at the first step) and scores the next. */
    public abstract Step step(DecoderState state, Tensor previous);

    /** Number of target ids, PAD, BOS and EOS included. */
    public abstract int targetVocabularySize();

    /**
     * The most steps {@link #step} takes from the state {@link #start} returns; {@link Decoding} and
     * {@link BeamSearch} stop there. {@link Integer#MAX_VALUE} (no limit) unless the model has a longest output.
     */
    public int maxDecodingSteps() {
        return Integer.MAX_VALUE;
    }

    /**
     * Greedy decoding of {@code source} [batch, S] (I64, full-length sequences) for at most 2S + 10 steps (and
     * {@link #maxDecodingSteps}): the
     * predicted ids [batch, T] without BOS and EOS, T the longest output (at least 1), each shorter output padded
     * with PAD.
     */
    @Override
    public Tensor forward(Tensor source) {
        int batch = source.dim(0);
        int steps = source.dim(1);
        int[] lengths = new int[batch];
        java.util.Arrays.fill(lengths, steps);
        List<Hypothesis> decoded = Decoding.greedy(this, new SourceBatch(source, lengths), 2 * steps + 10);
        int longest = decoded.stream().mapToInt(h -> h.tokens().length).max().orElse(0);
        long[] ids = new long[batch * Math.max(1, longest)];
        for (int b = 0; b < batch; b++) {
            int[] t = decoded.get(b).tokens();
            for (int i = 0; i < t.length; i++) {
                ids[b * Math.max(1, longest) + i] = t[i];
            }
        }
        return Tensor.fromArray(ids, batch, Math.max(1, longest));
    }
}
