package dev.kiln.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The words of the CMU Pronouncing Dictionary (file {@code cmudict/cmudict.tsv}, raw or gzipped, lines
 * {@code word<TAB>ARPAbet phonemes}) with the first pronunciation of each: alternates written
 * {@code word(2)} are folded into their word, so every word appears once, in the file's order. A comment after
 * {@code #} on a line (some entries say {@code # foreign} or {@code # name}) is not part of the pronunciation.
 *
 * @param words          distinct words, lower case as in the file
 * @param pronunciations the first pronunciation of each word, e.g. {@code "K AE1 T"}
 */
public record CmuDict(List<String> words, Map<String, String> pronunciations) {
    public static final String NAME = "cmudict";
    public static final String FILE = "cmudict.tsv";

    /** Three disjoint parts of the words. */
    public record Split(List<String> train, List<String> validation, List<String> test) {
    }

    /** Loads the dictionary from the data directory ({@link DataDirectory}; null for the default search). */
    public static CmuDict load(Path dataDir) throws IOException, DataDirectory.DataMissingException {
        Path dir = DataDirectory.find(dataDir, NAME, List.of(FILE));
        Path file = DataDirectory.file(dir, FILE);
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parse(reader, file.toString());
        }
    }

    /** Parses {@code word<TAB>phonemes} lines; {@code source} names the input in errors. */
    public static CmuDict parse(BufferedReader reader, String source) throws IOException {
        Map<String, String> first = new LinkedHashMap<>();
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab <= 0 || tab == line.length() - 1) {
                throw new IOException(source + ":" + number + ": expected word<TAB>phonemes, got '" + line + "'");
            }
            String word = line.substring(0, tab);
            int alternate = word.indexOf('(');
            if (alternate > 0 && word.endsWith(")")) {
                word = word.substring(0, alternate);
            }
            String phonemes = line.substring(tab + 1);
            int comment = phonemes.indexOf('#');
            phonemes = (comment >= 0 ? phonemes.substring(0, comment) : phonemes).trim();
            if (phonemes.isEmpty()) {
                throw new IOException(source + ":" + number + ": no phonemes before the comment in '" + line + "'");
            }
            first.putIfAbsent(word, phonemes);
        }
        return new CmuDict(List.copyOf(first.keySet()), first);
    }

    /**
     * A seeded shuffle of the words cut into train, validation and test parts of {@code 1 - 2 * heldOut},
     * {@code heldOut} and {@code heldOut} of them.
     */
    public Split split(double heldOut, long seed) {
        if (!(heldOut > 0 && heldOut < 0.5)) {
            throw new IllegalArgumentException("CmuDict.split: held-out fraction must be in (0, 0.5), got " + heldOut);
        }
        int[] order = Datasets.permutation(words.size(), seed);
        int held = (int) Math.round(words.size() * heldOut);
        List<String> train = new ArrayList<>();
        List<String> validation = new ArrayList<>();
        List<String> test = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            (i < held ? validation : i < 2 * held ? test : train).add(words.get(order[i]));
        }
        return new Split(train, validation, test);
    }

    /**
     * The syllable that carries the primary stress, counted from 1, in ARPAbet {@code phonemes} (every
     * vowel carries a stress digit; the primary one is 1), or 0 when none does, e.g. 2 for about
     * ({@code AH0 B AW1 T}).
     */
    public static int primaryStressSyllable(String phonemes) {
        int syllable = 0;
        for (String p : phonemes.trim().split("\\s+")) {
            char last = p.isEmpty() ? ' ' : p.charAt(p.length() - 1);
            if (Character.isDigit(last)) {
                syllable++;
                if (last == '1') {
                    return syllable;
                }
            }
        }
        return 0;
    }
}
