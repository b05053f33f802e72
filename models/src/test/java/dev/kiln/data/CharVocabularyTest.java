package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CharVocabulary}: ids 0 and 1 reserved, characters sorted from 2, unknown characters refused. */
class CharVocabularyTest {
    @Test
    void charactersOfTheWordsSortedAfterPaddingAndEnd() {
        CharVocabulary v = CharVocabulary.of(List.of("cab", "b'a"));
        assertEquals("'abc", v.chars());
        assertEquals(6, v.size());
        assertArrayEquals(new int[] {5, 3, 4}, v.encode("cab"));
        assertEquals('\'', v.character(2));
    }

    @Test
    void unknownCharacterAndReservedIdsAreRefused() {
        CharVocabulary v = new CharVocabulary("ab");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("abz"));
        assertTrue(e.getMessage().contains("'z'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.character(CharVocabulary.END));
        assertThrows(IllegalArgumentException.class, () -> new CharVocabulary("aba"));
    }
}
