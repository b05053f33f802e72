package dev.kiln.g2p;

import dev.kiln.data.CharVocabulary;
import dev.kiln.data.CmuDict;
import dev.kiln.data.DataDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Grapheme-to-phoneme data from CMUdict: the first pronunciation of each word (alternates {@code word(2)}
 * dropped), words of 2 to 20 letters a-z only (no apostrophes, dots, hyphens or digits), stress digits kept.
 * The split is by a hash of the word, so that it never depends on the file's order or on a seed and a word
 * stays in its part when the dictionary grows: CRC-32 of its UTF-8 bytes modulo 20 is 0 for validation,
 * 1 for test and 2..19 for training (90/5/5).
 */
public record G2pData(List<Pronunciation> train, List<Pronunciation> validation, List<Pronunciation> test,
                      CharVocabulary letters, PhonemeVocabulary phonemes) {
    public static final int MIN_LETTERS = 2;
    public static final int MAX_LETTERS = 20;
    /** The source alphabet: letters a-z, ids 2..27 ({@link CharVocabulary}; PAD 0, id 1 unused). */
    public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    /** The part of the split a word falls in. */
    public enum Part { TRAIN, VALIDATION, TEST }

    /** Loads and splits CMUdict from the data directory (null: the default search, {@link DataDirectory}). */
    public static G2pData load(Path dataDir) throws IOException, DataDirectory.DataMissingException {
        return of(CmuDict.load(dataDir));
    }

    /** Filters and splits a dictionary; the phoneme vocabulary is that of the kept words. */
    public static G2pData of(CmuDict dict) {
        List<Pronunciation> train = new ArrayList<>();
        List<Pronunciation> validation = new ArrayList<>();
        List<Pronunciation> test = new ArrayList<>();
        List<Pronunciation> all = new ArrayList<>();
        for (String word : dict.words()) {
            if (!keeps(word)) {
                continue;
            }
            Pronunciation p = new Pronunciation(word, Arrays.asList(dict.pronunciations().get(word).trim().split("\\s+")));
            all.add(p);
            switch (part(word)) {
                case TRAIN -> train.add(p);
                case VALIDATION -> validation.add(p);
                case TEST -> test.add(p);
            }
        }
        return new G2pData(train, validation, test, new CharVocabulary(ALPHABET), PhonemeVocabulary.of(all));
    }

    /** Whether a word is kept: 2 to 20 letters, each a-z. */
    public static boolean keeps(String word) {
        return word.length() >= MIN_LETTERS && word.length() <= MAX_LETTERS && word.chars().allMatch(c -> c >= 'a' && c <= 'z');
    }

    /** The part of the split {@code word} belongs to. */
    public static Part part(String word) {
        CRC32 crc = new CRC32();
        crc.update(word.getBytes(StandardCharsets.UTF_8));
        int bucket = (int) (crc.getValue() % 20);
        return bucket == 0 ? Part.VALIDATION : bucket == 1 ? Part.TEST : Part.TRAIN;
    }
}
