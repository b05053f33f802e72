package dev.kiln.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words of a corpus seen at least {@code minCount} times, most frequent first (ties by spelling), with
 * their counts; index 0 is the most frequent word.
 */
public final class Vocabulary {
    private final String[] words;
    private final long[] counts;
    private final Map<String, Integer> index = new HashMap<>();
    private final long total;

    public Vocabulary(String[] words, long[] counts) {
        if (words.length != counts.length) {
            throw new IllegalArgumentException("Vocabulary: " + words.length + " words but " + counts.length + " counts");
        }
        this.words = words.clone();
        this.counts = counts.clone();
        long sum = 0;
        for (int i = 0; i < words.length; i++) {
            if (index.put(words[i], i) != null) {
                throw new IllegalArgumentException("Vocabulary: word '" + words[i] + "' appears twice");
            }
            sum += counts[i];
        }
        this.total = sum;
    }

    /** Counts the corpus's words and keeps those seen at least {@code minCount} times. */
    public static Vocabulary build(Corpus corpus, int minCount) {
        Map<String, long[]> counts = new HashMap<>();
        for (String[] sentence : corpus.sentences()) {
            for (String w : sentence) {
                counts.computeIfAbsent(w, k -> new long[1])[0]++;
            }
        }
        List<Map.Entry<String, long[]>> kept = new ArrayList<>();
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            if (e.getValue()[0] >= minCount) {
                kept.add(e);
            }
        }
        kept.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
                ? Long.compare(b.getValue()[0], a.getValue()[0]) : a.getKey().compareTo(b.getKey()));
        String[] words = kept.stream().map(Map.Entry::getKey).toArray(String[]::new);
        long[] c = kept.stream().mapToLong(e -> e.getValue()[0]).toArray();
        return new Vocabulary(words, c);
    }

    public int size() {
        return words.length;
    }

    /** The index of {@code word}, or -1 when it is not in the vocabulary. */
    public int indexOf(String word) {
        return index.getOrDefault(word, -1);
    }

    public String word(int i) {
        return words[i];
    }

    public long count(int i) {
        return counts[i];
    }

    /** Occurrences of all vocabulary words. */
    public long total() {
        return total;
    }

    /**
     * Mikolov et al.'s subsampling: the probability of keeping an occurrence of word i,
     * {@code min(1, sqrt(t / f) + t / f)} with f its frequency (as in the word2vec C code).
     */
    public double keepProbability(int i, double threshold) {
        if (threshold <= 0) {
            return 1;
        }
        double ratio = threshold * total / counts[i];
        return Math.min(1, Math.sqrt(ratio) + ratio);
    }

    /**
     * The negative-sampling table: {@code size} slots filled with word indices in proportion to
     * count^0.75, so that a uniform slot draws from the smoothed unigram distribution.
     */
    public int[] unigramTable(int size) {
        double[] weights = new double[words.length];
        double sum = 0;
        for (int i = 0; i < words.length; i++) {
            weights[i] = Math.pow(counts[i], 0.75);
            sum += weights[i];
        }
        int[] table = new int[size];
        int word = 0;
        double cumulative = weights[0] / sum;
        for (int slot = 0; slot < size; slot++) {
            table[slot] = word;
            if ((slot + 1) / (double) size > cumulative && word + 1 < words.length) {
                word++;
                cumulative += weights[word] / sum;
            }
        }
        return table;
    }

    /** The words, most frequent first. */
    public List<String> words() {
        return Arrays.asList(words.clone());
    }
}
