package dev.kiln.data;

import java.util.Collection;
import java.util.TreeSet;

/**
 * Characters as token ids for character-level models: id {@link #PAD} pads short sequences, id
 * {@link #END} marks both ends of a word (what a language model starts from and must predict last), and
 * ids 2.. are the characters in the order given.
 */
public final class CharVocabulary {
    public static final int PAD = 0;
    public static final int END = 1;

    private final String chars;

    /** Ids 2.. for the characters of {@code chars}, which must be distinct. */
    public CharVocabulary(String chars) {
        if (chars.chars().distinct().count() != chars.length()) {
            throw new IllegalArgumentException("CharVocabulary: characters repeat in '" + chars + "'");
        }
        this.chars = chars;
    }

    /** The characters of {@code words}, sorted. */
    public static CharVocabulary of(Collection<String> words) {
        TreeSet<Character> set = new TreeSet<>();
        for (String w : words) {
            for (char c : w.toCharArray()) {
                set.add(c);
            }
        }
        StringBuilder sb = new StringBuilder();
        set.forEach(sb::append);
        return new CharVocabulary(sb.toString());
    }

    /** The characters with ids 2.., in order. */
    public String chars() {
        return chars;
    }

    /** Number of ids, padding and end marker included. */
    public int size() {
        return chars.length() + 2;
    }

    public int id(char c) {
        int i = chars.indexOf(c);
        if (i < 0) {
            throw new IllegalArgumentException("CharVocabulary: '" + c + "' is not one of '" + chars + "'");
        }
        return i + 2;
    }

    /** The character of an id of 2 or more. */
    public char character(int id) {
        if (id < 2 || id >= size()) {
            throw new IllegalArgumentException("CharVocabulary: id " + id + " is not a character (2.." + (size() - 1) + ")");
        }
        return chars.charAt(id - 2);
    }

    public int[] encode(String word) {
        int[] ids = new int[word.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = id(word.charAt(i));
        }
        return ids;
    }
}
