package dev.kiln.g2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.CmuDict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class G2pDataTest {
    private static final String DICT = """
            'bout\tB AW1 T
            a\tAH0
            a(2)\tEY1
            cat\tK AE1 T
            cat(2)\tK AE2 T
            dog\tD AO1 G
            dumas\tD UW0 M AA1 # french
            mcdonald's\tM AH0 K D AA1 N AH0 L D Z
            x-ray\tEH1 K S R EY2
            abcdefghijklmnopqrstu\tAH0
            """;

    @Test
    void keepsTheFirstPronunciationOfWordsOfTwoToTwentyLettersOnly() throws IOException {
        G2pData data = G2pData.of(CmuDict.parse(new BufferedReader(new StringReader(DICT)), "test"));
        List<Pronunciation> all = new java.util.ArrayList<>(data.train());
        all.addAll(data.validation());
        all.addAll(data.test());
        assertEquals(List.of("cat", "dog", "dumas"), all.stream().map(Pronunciation::word).sorted().toList());
        Pronunciation cat = all.stream().filter(p -> p.word().equals("cat")).findFirst().orElseThrow();
        assertEquals(List.of("K", "AE1", "T"), cat.phonemes(), "first pronunciation, stress digits kept");
        Pronunciation dumas = all.stream().filter(p -> p.word().equals("dumas")).findFirst().orElseThrow();
        assertEquals(List.of("D", "UW0", "M", "AA1"), dumas.phonemes(), "the comment after # is dropped");
    }

    @Test
    void theSplitDependsOnlyOnTheWord() {
        assertEquals(G2pData.part("pronunciation"), G2pData.part("pronunciation"));
        int[] counts = new int[3];
        for (int i = 0; i < 20_000; i++) {
            counts[G2pData.part("w" + i).ordinal()]++;
        }
        assertEquals(0.90, counts[0] / 20_000.0, 0.01, "train share");
        assertEquals(0.05, counts[1] / 20_000.0, 0.01, "validation share");
        assertEquals(0.05, counts[2] / 20_000.0, 0.01, "test share");
    }

    @Test
    void phonemeIdsStartAfterPadBosAndEos() {
        PhonemeVocabulary v = new PhonemeVocabulary(List.of("AE1", "K", "T"));
        assertEquals(6, v.size());
        assertArrayEquals(new int[] {4, 3, 5}, v.encode(List.of("K", "AE1", "T")));
        assertEquals(List.of("K", "AE1", "T"), v.decode(new int[] {4, 3, 5}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode(List.of("ZZ")));
        assertTrue(e.getMessage().contains("ZZ"));
        assertThrows(IllegalArgumentException.class, () -> v.decode(new int[] {2}));
    }

    @Test
    void wordsWithOtherCharactersAreNotKept() {
        assertTrue(G2pData.keeps("ab"));
        assertFalse(G2pData.keeps("a"));
        assertFalse(G2pData.keeps("x-ray"));
        assertFalse(G2pData.keeps("o'neil"));
        assertFalse(G2pData.keeps("abcdefghijklmnopqrstu"));
    }

    @Test
    void batchesShiftTheTargetsBehindBos() {
        PhonemeVocabulary v = new PhonemeVocabulary(List.of("AE1", "K", "T", "D", "AO1", "G"));
        G2pBatch b = G2pBatch.of(List.of(new Pronunciation("cat", List.of("K", "AE1", "T")),
                new Pronunciation("do", List.of("D", "AO1"))), new dev.kiln.data.CharVocabulary(G2pData.ALPHABET), v);
        assertArrayEquals(new long[] {1, 4, 3, 5, 1, 6, 7, 0}, b.decoderInputs().toLongArray());
        assertArrayEquals(new long[] {4, 3, 5, 2, 6, 7, 2, 0}, b.targets());
        assertArrayEquals(new int[] {3, 2}, b.source().lengths());
        assertEquals(7, b.targetTokens());
    }
}
