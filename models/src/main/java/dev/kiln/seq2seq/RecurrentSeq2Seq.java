package dev.kiln.seq2seq;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.AdditiveAttention;
import dev.kiln.nn.Attention;
import dev.kiln.nn.AttentionOutput;
import dev.kiln.nn.DotProductAttention;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.GRU;
import dev.kiln.nn.GRUCell;
import dev.kiln.nn.GeneralAttention;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.LSTMCell;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.RecurrentOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A recurrent encoder-decoder with attention, as in Luong, Pham and Manning (2015) and OpenNMT:
 * <ul>
 * <li>encoder: {@code source_embedding} and a bidirectional, optionally stacked LSTM or GRU
 *     ({@code encoder}) of hidden/2 units per direction, so that its outputs [batch, S, hidden] hold both
 *     directions;</li>
 * <li>bridge: the decoder starts from {@code tanh(bridge(final states of both directions))} (and
 *     {@code bridge_c} for the LSTM's cell state);</li>
 * <li>decoder, one step per token: {@code cell} (an {@link LSTMCell} or {@link GRUCell} of hidden units)
 *     reads the previous token's embedding ({@code target_embedding}) and the previous attentional state
 *     (input feeding); its new state h queries the encoder outputs with {@code attention} (additive =
 *     Bahdanau, dot or general = Luong), padded source positions masked out; the attentional state
 *     {@code tanh(combine([context; h]))} goes through dropout to {@code out}, the next token's scores.</li>
 * </ul>
 * With {@link Score#NONE} there is no attention: the context at every step is the encoder's final state (both
 * directions), the classic encoder-decoder of Cho et al. and Sutskever et al., as the baseline.
 */
public class RecurrentSeq2Seq extends Seq2SeqModel {
    /** The recurrent unit of encoder and decoder. */
    public enum Cell { LSTM, GRU }

    /** How the decoder scores the source positions. */
    public enum Score { NONE, ADDITIVE, DOT, GENERAL }

    /**
     * Sizes: vocabularies (PAD, and on the target side BOS and EOS, included), the {@code embedding} width of
     * both sides, {@code hidden} units of the decoder (even: the encoder has hidden/2 per direction),
     * {@code encoderLayers} stacked, and the {@code dropout} on embeddings, between encoder layers and before
     * the output layer.
     */
    public record Config(int sourceVocabulary, int targetVocabulary, Cell cell, Score score, int embedding, int hidden,
                         int encoderLayers, double dropout) {
        public Config {
            if (sourceVocabulary < 2 || targetVocabulary < 4 || embedding < 1 || hidden < 2 || hidden % 2 != 0
                    || encoderLayers < 1) {
                throw new IllegalArgumentException("RecurrentSeq2Seq: vocabularies " + sourceVocabulary + "/" + targetVocabulary
                        + " (at least 2/4), embedding " + embedding + ", hidden " + hidden + " (even, at least 2), encoder layers "
                        + encoderLayers + " (at least 1)");
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("RecurrentSeq2Seq: dropout must be in [0, 1), got " + dropout);
            }
        }
    }

    private final Config config;

    public RecurrentSeq2Seq(Config config) {
        this.config = config;
        int h = config.hidden();
        registerModule("source_embedding", new Embedding(config.sourceVocabulary(), config.embedding(), PAD));
        Recurrent encoder = config.cell() == Cell.LSTM
                ? LSTM.builder(config.embedding(), h / 2).bidirectional(true).batchFirst(true).layers(config.encoderLayers())
                        .dropout(config.dropout()).build()
                : GRU.builder(config.embedding(), h / 2).bidirectional(true).batchFirst(true).layers(config.encoderLayers())
                        .dropout(config.dropout()).build();
        registerModule("encoder", encoder);
        registerModule("bridge", new Linear(h, h));
        if (config.cell() == Cell.LSTM) {
            registerModule("bridge_c", new Linear(h, h));
        }
        registerModule("target_embedding", new Embedding(config.targetVocabulary(), config.embedding(), PAD));
        registerModule("cell", config.cell() == Cell.LSTM
                ? new LSTMCell(config.embedding() + h, h) : new GRUCell(config.embedding() + h, h));
        switch (config.score()) {
            case ADDITIVE -> registerModule("attention", new AdditiveAttention(h, h, h));
            case DOT -> registerModule("attention", new DotProductAttention(false));
            case GENERAL -> registerModule("attention", new GeneralAttention(h, h));
            case NONE -> { }
        }
        registerModule("combine", new Linear(2 * h, h, false));
        registerModule("out", new Linear(h, config.targetVocabulary()));
    }

    public Config config() {
        return config;
    }

    @Override
    public int targetVocabularySize() {
        return config.targetVocabulary();
    }

    /**
     * The decoder's state, one row per hypothesis: recurrent states h (and c), the last attentional state
     * {@code feed}, the encoder outputs {@code memory} [rows, S, hidden], the attention's prepared keys, the
     * padding mask [rows, 1, S], and for the no-attention model the fixed {@code context} [rows, hidden].
     */
    record State(Tensor h, Tensor c, Tensor feed, Tensor memory, Tensor keys, Tensor mask, Tensor context)
            implements DecoderState {
        @Override
        public DecoderState select(Tensor rows) {
            return new State(pick(h, rows), pick(c, rows), pick(feed, rows), pick(memory, rows), pick(keys, rows),
                    pick(mask, rows), pick(context, rows));
        }

        @Override
        public List<Tensor> tensors() {
            return Stream.of(h, c, feed, memory, keys, mask, context).filter(Objects::nonNull).toList();
        }

        private static Tensor pick(Tensor t, Tensor rows) {
            return t == null ? null : t.indexSelect(0, rows);
        }
    }

    @Override
    public DecoderState start(SourceBatch source) {
        int batch = source.batch();
        int h = config.hidden();
        Tensor embedded = F.dropout(module("source_embedding").call(source.ids()), config.dropout(), isTraining());
        RecurrentOutput encoded = ((Recurrent) module("encoder")).forward(embedded, null, source.lengths());
        Tensor finalH = lastLayerBothDirections(encoded.hN(), batch);
        Tensor h0 = module("bridge").call(finalH).tanh();
        Tensor c0 = config.cell() == Cell.LSTM
                ? module("bridge_c").call(lastLayerBothDirections(encoded.cN(), batch)).tanh() : null;
        Tensor feed = Tensor.zeros(h0.dtype(), batch, h);
        if (config.score() == Score.NONE) {
            return new State(h0, c0, feed, null, null, null, finalH);
        }
        Tensor memory = encoded.output();
        Tensor keys = ((Attention) module("attention")).prepareKeys(memory);
        Tensor mask = Attention.paddingMask(source.lengths(), source.steps(), memory.dtype());
        return new State(h0, c0, feed, memory, keys, mask, null);
    }

    /** The top layer's final states of both directions, [batch, hidden], from states [layers * 2, batch, hidden/2]. */
    private Tensor lastLayerBothDirections(Tensor states, int batch) {
        int rows = states.dim(0);
        int half = config.hidden() / 2;
        return Tensor.cat(List.of(states.narrow(0, rows - 2, 1).reshape(batch, half),
                states.narrow(0, rows - 1, 1).reshape(batch, half)), 1);
    }

    /** Reads {@code previous} [rows] (I64), one token per row of {@code state}, and scores the next token. */
    @Override
    public Step step(DecoderState state, Tensor previous) {
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException(describe() + ": step needs a state from start(), got "
                    + (state == null ? "null" : state.getClass().getName()));
        }
        int rows = s.h().dim(0);
        if (previous.rank() != 1 || previous.dim(0) != rows) {
            throw new IllegalArgumentException(describe() + ": previous tokens " + previous.shape() + " must be ["
                    + rows + "], one per row of the state");
        }
        Tensor embedded = F.dropout(module("target_embedding").call(previous), config.dropout(), isTraining());
        return decode(s, embedded);
    }

    /** One decoder step from the previous token's embedding [rows, embedding]. */
    private Step decode(State s, Tensor embedded) {
        int rows = embedded.dim(0);
        Tensor x = Tensor.cat(List.of(embedded, s.feed()), 1);
        Tensor h;
        Tensor c = null;
        if (config.cell() == Cell.LSTM) {
            F.LstmState next = ((LSTMCell) module("cell")).forward(x, s.h(), s.c());
            h = next.h();
            c = next.c();
        } else {
            h = ((GRUCell) module("cell")).forward(x, s.h());
        }
        Tensor context;
        Tensor weights = null;
        if (config.score() == Score.NONE) {
            context = s.context();
        } else {
            AttentionOutput a = ((Attention) module("attention")).attendPrepared(h.unsqueeze(1), s.keys(), s.memory(), s.mask());
            context = a.context().reshape(rows, config.hidden());
            weights = a.weights().reshape(rows, s.memory().dim(1));
        }
        Tensor feed = module("combine").call(Tensor.cat(List.of(context, h), 1)).tanh();
        Tensor logits = module("out").call(F.dropout(feed, config.dropout(), isTraining()));
        return new Step(logits, weights, new State(h, c, feed, s.memory(), s.keys(), s.mask(), s.context()));
    }

    @Override
    public Tensor logits(SourceBatch source, Tensor decoderInputs, double teacherForcing) {
        if (decoderInputs.rank() != 2 || decoderInputs.dim(0) != source.batch()) {
            throw new IllegalArgumentException(describe() + ": decoder inputs " + decoderInputs.shape() + " must be ["
                    + source.batch() + ", steps]");
        }
        if (!(teacherForcing >= 0 && teacherForcing <= 1)) {
            throw new IllegalArgumentException(describe() + ": teacher forcing ratio must be in [0, 1], got "
                    + teacherForcing);
        }
        int batch = source.batch();
        int steps = decoderInputs.dim(1);
        State state = (State) start(source);
        Tensor gold = F.dropout(module("target_embedding").call(decoderInputs), config.dropout(), isTraining());
        List<Tensor> logits = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            Step step;
            if (t == 0 || teacherForcing == 1) {
                step = decode(state, gold.narrow(1, t, 1).reshape(batch, config.embedding()));
            } else {
                Tensor goldTokens = decoderInputs.narrow(1, t, 1).reshape(batch);
                step = step(state, mixedInputs(goldTokens, logits.get(t - 1), teacherForcing));
            }
            logits.add(step.logits());
            state = (State) step.next();
        }
        return Tensor.stack(logits, 1);
    }

    /**
     * A step's input tokens [batch] (I64) from its gold tokens [batch]: the gold token where a uniform draw falls below
     * {@code teacherForcing} or the gold token is padding, else the last step's best guess. Chosen on the tensors'
     * device, so that a training step on a GPU does not wait for it; the draw is compared in F64, as a float against
     * the double ratio, and its 0/1 outcome taken as I64, the tokens' dtype (a condition of another dtype costs
     * {@code where} three more launches on CUDA).
     */
    private static Tensor mixedInputs(Tensor goldTokens, Tensor previousLogits, double teacherForcing) {
        Tensor guess = previousLogits.detach().argmax(1, false);
        Tensor drawnGold = Tensor.rand(goldTokens.dim(0)).to(DType.F64).lt(teacherForcing).to(DType.I64);
        return Tensor.where(goldTokens.eq(PAD), goldTokens, Tensor.where(drawnGold, goldTokens, guess));
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "RecurrentSeq2Seq(%s, attention=%s, embedding=%d, hidden=%d, encoderLayers=%d, dropout=%s)",
                config.cell(), config.score().name().toLowerCase(Locale.ROOT), config.embedding(), config.hidden(),
                config.encoderLayers(), config.dropout());
    }
}
