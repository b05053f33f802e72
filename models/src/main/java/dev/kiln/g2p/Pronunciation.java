package dev.kiln.g2p;

import java.util.List;

/** A word's spelling and its phonemes, ARPAbet with stress digits, e.g. {@code cat -> [K, AE1, T]}. */
public record Pronunciation(String word, List<String> phonemes) {
    public Pronunciation {
        if (word.isEmpty() || phonemes.isEmpty()) {
            throw new IllegalArgumentException("Pronunciation: word '" + word + "' and phonemes " + phonemes + " must be non-empty");
        }
        phonemes = List.copyOf(phonemes);
    }
}
