package dev.kiln.g2p;

import dev.kiln.seq2seq.Seq2SeqModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Phoneme symbols as target ids: {@link Seq2SeqModel#PAD}, {@link Seq2SeqModel#BOS} and
 * {@link Seq2SeqModel#EOS} first, then the symbols (ARPAbet with stress digits, {@code AE1}) from id 3 on.
 */
public final class PhonemeVocabulary {
    private static final int FIRST = Seq2SeqModel.EOS + 1;

    private final List<String> symbols;
    private final Map<String, Integer> ids = new HashMap<>();

    /** Ids 3.. for {@code symbols}, which must be distinct and contain no spaces. */
    public PhonemeVocabulary(List<String> symbols) {
        this.symbols = List.copyOf(symbols);
        for (int i = 0; i < symbols.size(); i++) {
            String s = symbols.get(i);
            if (s.isEmpty() || s.contains(" ") || ids.put(s, i + FIRST) != null) {
                throw new IllegalArgumentException("PhonemeVocabulary: symbol '" + s + "' is empty, has a space or repeats");
            }
        }
    }

    /** The symbols of {@code pronunciations}, sorted. */
    public static PhonemeVocabulary of(Collection<Pronunciation> pronunciations) {
        TreeSet<String> set = new TreeSet<>();
        for (Pronunciation p : pronunciations) {
            set.addAll(p.phonemes());
        }
        return new PhonemeVocabulary(new ArrayList<>(set));
    }

    /** The symbols from id 3 on, in order (what a checkpoint stores). */
    public List<String> symbols() {
        return symbols;
    }

    /** Number of ids, PAD, BOS and EOS included. */
    public int size() {
        return symbols.size() + FIRST;
    }

    public int[] encode(List<String> phonemes) {
        int[] out = new int[phonemes.size()];
        for (int i = 0; i < out.length; i++) {
            Integer id = ids.get(phonemes.get(i));
            if (id == null) {
                throw new IllegalArgumentException("PhonemeVocabulary: unknown phoneme '" + phonemes.get(i) + "'");
            }
            out[i] = id;
        }
        return out;
    }

    public List<String> decode(int[] idsToDecode) {
        List<String> out = new ArrayList<>();
        for (int id : idsToDecode) {
            if (id < FIRST || id >= size()) {
                throw new IllegalArgumentException("PhonemeVocabulary: id " + id + " is not a phoneme (" + FIRST + ".." + (size() - 1) + ")");
            }
            out.add(symbols.get(id - FIRST));
        }
        return out;
    }
}
