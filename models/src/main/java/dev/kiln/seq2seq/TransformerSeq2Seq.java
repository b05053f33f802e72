package dev.kiln.seq2seq;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Attention;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.KeyValueCache;
import dev.kiln.nn.Linear;
import dev.kiln.nn.PositionalEncoding;
import dev.kiln.nn.TransformerDecoder;
import dev.kiln.nn.TransformerDecoderOutput;
import dev.kiln.nn.TransformerDecoderStep;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerLayerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * A Transformer encoder-decoder (Vaswani et al. 2017) for short sequences, with pre-norm ReLU layers by default
 * (PyTorch's {@code norm_first=True}; see {@link dev.kiln.nn.TransformerEncoderLayer}), or the layers of given
 * {@link TransformerLayerOptions}:
 * <pre>
 * memory = encoder(dropout(PE(source_embedding(source) * sqrt(dModel))), sourcePadding)
 * logits = output(decoder(dropout(PE(target_embedding(decoderInputs) * sqrt(dModel))), memory,
 *                         causal, sourcePadding))
 * </pre>
 * Sub-modules: {@code source_embedding} and {@code target_embedding} ({@link Embedding} with padding row
 * {@link #PAD}), {@code positional_encoding} (sinusoidal, no parameters), {@code dropout}, {@code encoder}
 * ({@link TransformerEncoder}: {@code layers.i}, and a final {@code norm} for pre-norm layers), {@code decoder}
 * ({@link TransformerDecoder}, likewise) and {@code output} ({@link Linear} [targetVocabulary, dModel]).
 * The embeddings start from N(0, 1/dModel) rather than {@link Embedding}'s N(0, 1) (as fairseq does), so
 * that after the sqrt(dModel) scaling they have unit variance, the scale of the positional encoding.
 *
 * <p>Training ({@link #logits}) reads the whole gold target at once under a causal mask; decoding
 * ({@link #start}, {@link #step}) encodes the source once, projects it into every layer's cross-attention
 * keys and values once, and at each step runs the decoder over the new position only, its self-attention
 * reading the keys and values of the earlier positions from a {@link KeyValueCache}. The attention a step
 * reports is the last decoder layer's cross-attention of that position, averaged over the heads.
 */
public class TransformerSeq2Seq extends Seq2SeqModel {
    /**
     * Sizes of a {@link TransformerSeq2Seq}.
     *
     * @param sourceVocabulary number of source ids, {@link #PAD} included
     * @param targetVocabulary number of target ids, PAD, BOS and EOS included
     * @param dModel model width, divisible by {@code heads}
     * @param heads attention heads
     * @param feedForward hidden width of each feed-forward network
     * @param encoderLayers number of encoder layers (at least 1)
     * @param decoderLayers number of decoder layers (at least 1)
     * @param dropout dropout probability in [0, 1), everywhere (embeddings, residual branches, attention weights)
     * @param maxLength the longest source and the most decoding steps (decoder inputs) the model accepts
     */
    public record Config(int sourceVocabulary, int targetVocabulary, int dModel, int heads, int feedForward,
                         int encoderLayers, int decoderLayers, double dropout, int maxLength) {
        public Config {
            if (sourceVocabulary <= PAD + 1 || targetVocabulary <= EOS + 1) {
                throw new IllegalArgumentException("TransformerSeq2Seq.Config: vocabularies need a token besides the "
                        + "reserved ids, got source " + sourceVocabulary + " and target " + targetVocabulary);
            }
            if (dModel <= 0 || heads <= 0 || dModel % heads != 0) {
                throw new IllegalArgumentException("TransformerSeq2Seq.Config: dModel " + dModel
                        + " must be positive and divisible by heads " + heads);
            }
            if (feedForward <= 0 || encoderLayers <= 0 || decoderLayers <= 0 || maxLength <= 0) {
                throw new IllegalArgumentException("TransformerSeq2Seq.Config: feedForward, layer counts and maxLength "
                        + "must be positive, got " + feedForward + ", " + encoderLayers + ", " + decoderLayers + ", "
                        + maxLength);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("TransformerSeq2Seq.Config: dropout must be in [0, 1), got " + dropout);
            }
        }
    }

    /**
     * The decoding state: the source's padding mask [rows, 1, S], each decoder layer's cache, and the
     * {@code position} of the next token (the number of tokens read so far).
     */
    record State(Tensor memoryMask, List<KeyValueCache> caches, int position) implements DecoderState {
        @Override
        public DecoderState select(Tensor rows) {
            return new State(memoryMask.indexSelect(0, rows), caches.stream().map(c -> c.select(rows)).toList(), position);
        }

        @Override
        public List<Tensor> tensors() {
            List<Tensor> all = new ArrayList<>(List.of(memoryMask));
            caches.forEach(c -> all.addAll(c.tensors()));
            return all;
        }
    }

    private final Config config;

    /** Pre-norm layers with ReLU ({@link TransformerLayerOptions#preNorm()}). */
    public TransformerSeq2Seq(Config config) {
        this(config, TransformerLayerOptions.preNorm());
    }

    /** Encoder and decoder layers (and stacks) with the given norm order, activation and LayerNorm eps. */
    public TransformerSeq2Seq(Config config, TransformerLayerOptions layers) {
        this.config = config;
        int d = config.dModel();
        Embedding source = registerModule("source_embedding", new Embedding(config.sourceVocabulary(), d, PAD));
        Embedding target = registerModule("target_embedding", new Embedding(config.targetVocabulary(), d, PAD));
        for (Embedding e : List.of(source, target)) {
            // N(0, 1) scaled to N(0, 1/d); the padding row stays zero.
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                e.weight().assign(e.weight().mul(1 / Math.sqrt(d)));
            }
        }
        registerModule("positional_encoding", new PositionalEncoding(d, config.maxLength()));
        registerModule("dropout", new Dropout(config.dropout()));
        registerModule("encoder", new TransformerEncoder(config.encoderLayers(), d, config.heads(), config.feedForward(),
                config.dropout(), layers));
        registerModule("decoder", new TransformerDecoder(config.decoderLayers(), d, config.heads(), config.feedForward(),
                config.dropout(), layers));
        registerModule("output", new Linear(d, config.targetVocabulary()));
    }

    public Config config() {
        return config;
    }

    @Override
    public int targetVocabularySize() {
        return config.targetVocabulary();
    }

    /** {@code maxLength}: the positional encoding covers that many decoder positions. */
    @Override
    public int maxDecodingSteps() {
        return config.maxLength();
    }

    /**
     * Scores [batch, T, targetVocabulary] for decoder inputs [batch, T] (I64), all positions at once under a
     * causal mask. {@code teacherForcing} must be 1: a Transformer trains in parallel on the gold inputs.
     */
    @Override
    public Tensor logits(SourceBatch source, Tensor decoderInputs, double teacherForcing) {
        if (teacherForcing != 1) {
            throw new IllegalArgumentException("TransformerSeq2Seq: teacherForcing must be 1, got " + teacherForcing
                    + "; a Transformer trains in parallel on the gold decoder inputs (all positions at once), so it "
                    + "cannot feed back its own guesses");
        }
        if (decoderInputs.rank() != 2 || decoderInputs.dim(0) != source.batch()) {
            throw new IllegalArgumentException("TransformerSeq2Seq: decoder inputs " + decoderInputs.shape() + " must be ["
                    + source.batch() + ", steps] for a source batch of " + source.batch());
        }
        Tensor memoryMask = memoryMask(source);
        Tensor memory = encode(source, memoryMask);
        return output().call(decode(decoderInputs, memory, memoryMask).output());
    }

    /** Encodes the source once; the state holds its padding mask and the layers' caches, no tokens yet. */
    @Override
    public DecoderState start(SourceBatch source) {
        Tensor memoryMask = memoryMask(source);
        return new State(memoryMask, decoder().startCaches(encode(source, memoryMask)), 0);
    }

    /**
     * Reads {@code previous} [rows] (I64) at the next position and returns its logits [rows, targetVocabulary]
     * and cross-attention [rows, S]; at most {@code maxLength} steps from {@link #start}.
     */
    @Override
    public Step step(DecoderState state, Tensor previous) {
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException("TransformerSeq2Seq: step needs a state from start(), got "
                    + (state == null ? "null" : state.getClass().getName()));
        }
        int rows = s.memoryMask().dim(0);
        if (previous.rank() != 1 || previous.dim(0) != rows) {
            throw new IllegalArgumentException("TransformerSeq2Seq: previous tokens " + previous.shape() + " must be ["
                    + rows + "], one per row of the state");
        }
        if (s.position() >= config.maxLength()) {
            throw new IllegalArgumentException("TransformerSeq2Seq: step " + (s.position() + 1) + " is beyond maxLength "
                    + config.maxLength() + ", the most decoder positions the positional encoding covers");
        }
        Tensor y = embed("target_embedding", previous.reshape(rows, 1), s.position());
        TransformerDecoderStep decoded = decoder().step(y, s.caches(), s.memoryMask());
        int sourceSteps = s.memoryMask().dim(2);
        return new Step(output().call(decoded.output().reshape(rows, config.dModel())),
                decoded.crossAttention().reshape(rows, sourceSteps),
                new State(s.memoryMask(), decoded.caches(), s.position() + 1));
    }

    /** Memory [batch, S, dModel] of the source. */
    private Tensor encode(SourceBatch source, Tensor memoryMask) {
        Tensor x = embed("source_embedding", source.ids(), 0);
        return ((TransformerEncoder) module("encoder")).forward(x, memoryMask);
    }

    private TransformerDecoderOutput decode(Tensor tokens, Tensor memory, Tensor memoryMask) {
        Tensor y = embed("target_embedding", tokens, 0);
        Tensor causal = Attention.causalMask(tokens.dim(1), dtype());
        return decoder().forward(y, memory, causal, memoryMask);
    }

    /**
     * dropout(PE(embedding(ids) * sqrt(dModel))) with positions from {@code offset}: [batch, steps] to
     * [batch, steps, dModel].
     */
    private Tensor embed(String embedding, Tensor ids, int offset) {
        Tensor x = module(embedding).call(ids).mul(Math.sqrt(config.dModel()));
        return module("dropout").call(((PositionalEncoding) module("positional_encoding")).forward(x, offset));
    }

    private TransformerDecoder decoder() {
        return (TransformerDecoder) module("decoder");
    }

    private Tensor memoryMask(SourceBatch source) {
        return Attention.paddingMask(source.lengths(), source.steps(), dtype());
    }

    private Linear output() {
        return (Linear) module("output");
    }

    /** The parameters' dtype (F32, or F64 after {@code to(F64)}). */
    private DType dtype() {
        return output().weight().dtype();
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "TransformerSeq2Seq(" + config + ")";
    }
}
