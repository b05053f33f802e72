package dev.kiln.g2p;

import dev.kiln.data.CharVocabulary;
import dev.kiln.seq2seq.RecurrentSeq2Seq;
import dev.kiln.seq2seq.Seq2SeqModel;
import dev.kiln.seq2seq.TransformerSeq2Seq;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The grapheme-to-phoneme models by name, and their checkpoints: a safetensors file (written by
 * {@link Trainer#writeModel}) whose metadata holds the architecture and both vocabularies, so that a
 * checkpoint alone rebuilds its model.
 *
 * <p>Kinds: {@code none} (encoder-decoder without attention), {@code additive} (Bahdanau), {@code dot} and
 * {@code general} (Luong), all {@link RecurrentSeq2Seq}; {@code transformer}, a {@link TransformerSeq2Seq}.
 */
public final class G2pModels {
    public static final String MODEL = "g2p";
    public static final List<String> KINDS = List.of("none", "additive", "dot", "general", "transformer");
    /** The Transformer's feed-forward width, as a multiple of its model width (4 in Vaswani et al.). */
    public static final int FEED_FORWARD_RATIO = 4;
    /** The longest source and the most decoder inputs a Transformer accepts (letters and phonemes are at most 32). */
    private static final int TRANSFORMER_MAX_LENGTH = 64;

    private G2pModels() {
    }

    /**
     * An architecture: {@code kind} (one of {@link #KINDS}), the recurrent {@code cell} (lstm or gru),
     * {@code embedding} width, {@code hidden} width (decoder units), {@code layers} (encoder layers),
     * {@code dropout}, and attention {@code heads} (1 for the recurrent models). For the Transformer,
     * {@code hidden} is the model width (embeddings included, so {@code embedding} must equal it), {@code layers}
     * the number of encoder and of decoder layers, the feed-forward width {@link #FEED_FORWARD_RATIO} x hidden,
     * and {@code cell} is not used.
     */
    public record Spec(String kind, String cell, int embedding, int hidden, int layers, double dropout, int heads) {
        public Spec {
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("g2p: attention must be one of " + KINDS + ", got '" + kind + "'");
            }
            if (!cell.equals("lstm") && !cell.equals("gru")) {
                throw new IllegalArgumentException("g2p: cell must be lstm or gru, got '" + cell + "'");
            }
            if (heads < 1 || hidden % heads != 0) {
                throw new IllegalArgumentException("g2p: hidden " + hidden + " must be divisible by heads " + heads);
            }
            if (kind.equals("transformer") && embedding != hidden) {
                throw new IllegalArgumentException("g2p: a Transformer's embedding is its model width: embedding "
                        + embedding + " must equal hidden " + hidden);
            }
        }
    }

    /** A model of {@code spec} for the given vocabularies. */
    public static Seq2SeqModel create(Spec spec, CharVocabulary letters, PhonemeVocabulary phonemes) {
        if (spec.kind().equals("transformer")) {
            return new TransformerSeq2Seq(new TransformerSeq2Seq.Config(letters.size(), phonemes.size(), spec.hidden(),
                    spec.heads(), FEED_FORWARD_RATIO * spec.hidden(), spec.layers(), spec.layers(), spec.dropout(),
                    TRANSFORMER_MAX_LENGTH));
        }
        RecurrentSeq2Seq.Score score = RecurrentSeq2Seq.Score.valueOf(spec.kind().toUpperCase(Locale.ROOT));
        RecurrentSeq2Seq.Cell cell = RecurrentSeq2Seq.Cell.valueOf(spec.cell().toUpperCase(Locale.ROOT));
        return new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(letters.size(), phonemes.size(), cell, score,
                spec.embedding(), spec.hidden(), spec.layers(), spec.dropout()));
    }

    /** The checkpoint metadata describing {@code spec} and the vocabularies. */
    public static Map<String, String> metadata(Spec spec, CharVocabulary letters, PhonemeVocabulary phonemes) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", MODEL);
        m.put("attention", spec.kind());
        m.put("cell", spec.cell());
        m.put("embedding", Integer.toString(spec.embedding()));
        m.put("hidden", Integer.toString(spec.hidden()));
        m.put("layers", Integer.toString(spec.layers()));
        m.put("dropout", Double.toString(spec.dropout()));
        m.put("heads", Integer.toString(spec.heads()));
        m.put("letters", letters.chars());
        m.put("phonemes", String.join(" ", phonemes.symbols()));
        return m;
    }

    /** A model loaded from a checkpoint, with what it reads and writes. */
    public record Loaded(Seq2SeqModel model, Spec spec, CharVocabulary letters, PhonemeVocabulary phonemes,
                         Map<String, String> metadata) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /** Rebuilds the model of a checkpoint written with {@link #metadata} and loads its weights. */
    public static Loaded load(Path checkpoint) throws IOException {
        Map<String, String> m = Trainer.metadata(checkpoint);
        if (!MODEL.equals(m.get("model"))) {
            throw new IllegalArgumentException(checkpoint + " holds model '" + m.get("model") + "', not a g2p model");
        }
        Spec spec = new Spec(m.get("attention"), m.get("cell"), Integer.parseInt(m.get("embedding")),
                Integer.parseInt(m.get("hidden")), Integer.parseInt(m.get("layers")), Double.parseDouble(m.get("dropout")),
                Integer.parseInt(m.get("heads")));
        CharVocabulary letters = new CharVocabulary(m.get("letters"));
        PhonemeVocabulary phonemes = new PhonemeVocabulary(Arrays.asList(m.get("phonemes").split(" ")));
        Seq2SeqModel model = create(spec, letters, phonemes);
        Trainer.loadModel(checkpoint, model);
        return new Loaded(model, spec, letters, phonemes, m);
    }
}
