package dev.kiln.g2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorRatesTest {
    @Test
    void editDistanceCountsSubstitutionsInsertionsAndDeletions() {
        assertEquals(0, ErrorRates.editDistance(new int[] {1, 2, 3}, new int[] {1, 2, 3}));
        assertEquals(1, ErrorRates.editDistance(new int[] {1, 9, 3}, new int[] {1, 2, 3}), "one substitution");
        assertEquals(1, ErrorRates.editDistance(new int[] {1, 3}, new int[] {1, 2, 3}), "one deletion");
        assertEquals(1, ErrorRates.editDistance(new int[] {1, 2, 2, 3}, new int[] {1, 2, 3}), "one insertion");
        assertEquals(3, ErrorRates.editDistance(new int[] {}, new int[] {1, 2, 3}));
        assertEquals(3, ErrorRates.editDistance(new int[] {3, 2, 1, 4}, new int[] {1, 2, 3}), "kitten/sitting style");
    }

    @Test
    void wordErrorRateIsTheShareOfWrongWordsAndPhonemeErrorRateTheEditsPerReferencePhoneme() {
        ErrorRates r = ErrorRates.of(List.of(new int[] {1, 2, 3}, new int[] {4, 5}, new int[] {6}),
                List.of(new int[] {1, 2, 3}, new int[] {4, 6}, new int[] {6, 7, 8}));
        assertEquals(2 / 3.0, r.wordErrorRate(), 1e-12);
        assertEquals(3 / 8.0, r.phonemeErrorRate(), 1e-12);
        assertEquals(3, r.words());
    }

    @Test
    void countsMustMatch() {
        assertThrows(IllegalArgumentException.class, () -> ErrorRates.of(List.of(new int[] {1}), List.of()));
    }
}
