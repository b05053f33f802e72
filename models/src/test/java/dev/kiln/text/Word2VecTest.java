package dev.kiln.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Word2VecTest {
    /**
     * Two topics that never share a sentence: animals (cat dog horse cow) and metals (iron gold copper tin),
     * each sentence six words drawn from one topic.
     */
    private static Corpus twoTopics() {
        String[][] topics = {{"cat", "dog", "horse", "cow"}, {"iron", "gold", "copper", "tin"}};
        Random random = new Random(3);
        List<String[]> sentences = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String[] topic = topics[i % 2];
            String[] s = new String[6];
            for (int j = 0; j < s.length; j++) {
                s[j] = topic[random.nextInt(topic.length)];
            }
            sentences.add(s);
        }
        return Corpus.of(sentences);
    }

    private static Word2Vec.Config config(Word2Vec.Mode mode) {
        return new Word2Vec.Config(mode, 16, 2, 3, 1, 0, 0.05, 5, 64, 7);
    }

    private static void assertTopicsSeparate(WordVectors v) {
        for (String word : List.of("cat", "iron")) {
            List<String> topic = word.equals("cat") ? List.of("dog", "horse", "cow") : List.of("gold", "copper", "tin");
            List<String> nearest = v.nearest(word, 3).stream().map(WordVectors.Neighbour::word).toList();
            assertTrue(topic.containsAll(nearest), word + "'s nearest words " + nearest + " should be " + topic);
        }
    }

    /**
     * Zero output vectors at the start make every score 0 and its loss at most (1 + 3) ln 2 per pair, with 3
     * negatives (less when a negative drawn is the target, and skipped).
     */
    @Test
    void skipGramPutsWordsOfOneTopicNearestEachOther() {
        List<Double> losses = new ArrayList<>();
        Corpus corpus = twoTopics();
        WordVectors v = Word2Vec.train(corpus, Vocabulary.build(corpus, 1), config(Word2Vec.Mode.SKIPGRAM),
                p -> losses.add(p.meanLoss()));
        assertTopicsSeparate(v);
        double untrained = 4 * Math.log(2);
        assertTrue(losses.get(0) < 0.8 * untrained, "the first epoch should beat the untrained loss 4 ln 2: " + losses);
        assertTrue(losses.get(losses.size() - 1) < 0.9 * losses.get(0), "loss per pair should keep falling: " + losses);
    }

    @Test
    void cbowPutsWordsOfOneTopicNearestEachOther() {
        Corpus corpus = twoTopics();
        assertTopicsSeparate(Word2Vec.train(corpus, Vocabulary.build(corpus, 1), config(Word2Vec.Mode.CBOW), p -> { }));
    }

    /** 400 sentences of ten words: with window 5, the words near the ends have fewer than 10 neighbours. */
    private static Corpus tenWordSentences() {
        String[] words = {"a", "b", "c", "d", "e", "f", "g", "h"};
        Random random = new Random(5);
        List<String[]> sentences = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String[] s = new String[10];
            for (int j = 0; j < s.length; j++) {
                s[j] = words[random.nextInt(words.length)];
            }
            sentences.add(s);
        }
        return Corpus.of(sentences);
    }

    @Test
    void learningRateFallsWithTheWordsReadToATenThousandthOfItsStart() {
        Corpus corpus = tenWordSentences();
        Word2Vec.Config config = new Word2Vec.Config(Word2Vec.Mode.SKIPGRAM, 8, 5, 2, 1, 0, 0.05, 2, 64, 3);
        List<Word2Vec.Progress> reports = new ArrayList<>();
        Word2Vec.train(corpus, Vocabulary.build(corpus, 1), config, reports::add);
        Word2Vec.Progress endOfFirstEpoch = reports.stream().filter(p -> p.epoch() == 1).reduce((a, b) -> b).orElseThrow();
        Word2Vec.Progress last = reports.get(reports.size() - 1);
        assertEquals(2 * 4000, last.wordsPlanned());
        assertEquals(4000, endOfFirstEpoch.wordsDone());
        assertEquals(0.05 * 0.5, endOfFirstEpoch.learningRate(), 1e-12);
        assertEquals(last.wordsPlanned(), last.wordsDone(), "progress ends at 100%");
        assertEquals(0.05 * 1e-4, last.learningRate(), 1e-12);
    }

    /**
     * Two words of equal count, so that half the negatives drawn are the target. With zero output vectors every
     * term costs ln 2, and the learning rate is too small to move them: the loss per pair counts the terms.
     */
    @Test
    void negativesThatAreTheTargetAreSkipped() {
        List<String[]> sentences = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sentences.add(new String[] {"a", "b"});
        }
        Corpus corpus = Corpus.of(sentences);
        Word2Vec.Config config = new Word2Vec.Config(Word2Vec.Mode.SKIPGRAM, 4, 1, 10, 1, 0, 1e-9, 1, 64, 3);
        List<Double> losses = new ArrayList<>();
        Word2Vec.train(corpus, Vocabulary.build(corpus, 1), config, p -> losses.add(p.meanLoss()));
        double terms = losses.get(losses.size() - 1) / Math.log(2);
        assertEquals(1 + 10 * 0.5, terms, 0.4, "the positive and about half of the 10 negatives");
    }

    @Test
    void vocabularyIsSortedByCountAndDropsRareWords() {
        Corpus corpus = Corpus.of(List.of(Corpus.tokens("the cat and the dog"), Corpus.tokens("the dog ran")));
        Vocabulary v = Vocabulary.build(corpus, 2);
        assertEquals(List.of("the", "dog"), v.words());
        assertEquals(3, v.count(0));
        assertEquals(-1, v.indexOf("cat"));
    }

    @Test
    void unigramTableDrawsInProportionToCountToTheThreeQuarters() {
        Vocabulary v = new Vocabulary(new String[] {"a", "b"}, new long[] {16, 1});
        int[] table = v.unigramTable(10_000);
        long a = java.util.Arrays.stream(table).filter(i -> i == 0).count();
        assertEquals(8.0 / 9.0, a / 10_000.0, 1e-3, "16^0.75 = 8 against 1^0.75 = 1");
    }

    @Test
    void subsamplingKeepsRareWordsAndThinsFrequentOnes() {
        Vocabulary v = new Vocabulary(new String[] {"the", "zebra"}, new long[] {999_000, 1_000});
        assertEquals(1.0, v.keepProbability(1, 1e-3), 0);
        double ratio = 1e-3 * 1_000_000 / 999_000;
        assertEquals(Math.sqrt(ratio) + ratio, v.keepProbability(0, 1e-3), 1e-12);
    }

    @Test
    void tokensAreLowerCaseWordsWithInnerApostrophesAndHyphens() {
        assertArrayEquals(new String[] {"don't", "stop", "the", "well-known", "band"},
                Corpus.tokens("Don't stop -- the well-known band!"));
    }

    @Test
    void wordNetSynsetBecomesItsWordsFollowedByItsGloss(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("data.noun"), "  1 This software and database is being provided\n"
                + "00406612 04 n 02 fold 0 folding 0 005 @ 00404403 n 0000 | the act of folding; \"a double fold\"  \n");
        List<String[]> s = Corpus.read(dir).sentences();
        assertEquals(1, s.size());
        assertArrayEquals(new String[] {"fold", "folding", "the", "act", "of", "folding", "a", "double", "fold"}, s.get(0));
    }

    @Test
    void vectorsSurviveSaveAndLoad(@TempDir Path dir) throws IOException {
        Vocabulary vocabulary = new Vocabulary(new String[] {"a", "b", "c"}, new long[] {3, 2, 1});
        WordVectors v = new WordVectors(vocabulary, new float[] {1, 0, 0, 1, 1, 1}, 2);
        v.save(dir);
        WordVectors back = WordVectors.load(dir);
        assertEquals(List.of("a", "b", "c"), back.vocabulary().words());
        assertEquals("c", back.nearest("a", 1).get(0).word());
        assertEquals(Math.sqrt(0.5), back.nearest("a", 1).get(0).cosine(), 1e-6);
    }

    @Test
    void unknownWordIsAClearError() {
        WordVectors v = new WordVectors(new Vocabulary(new String[] {"a", "b"}, new long[] {2, 1}), new float[] {1, 0, 0, 1}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.nearest("zebra", 1));
        assertTrue(e.getMessage().contains("'zebra' is not in the vocabulary"), e.getMessage());
    }

    @Test
    void fewerThanOneNeighbourIsAClearError() {
        WordVectors v = new WordVectors(new Vocabulary(new String[] {"a", "b"}, new long[] {2, 1}), new float[] {1, 0, 0, 1}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.nearest("a", 0));
        assertEquals("WordVectors.nearest: k must be at least 1, got 0", e.getMessage());
    }

    @Test
    void missingCorpusSaysHowToGetOne(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> Corpus.read(dir.resolve("nothing")));
        assertTrue(e.getMessage().contains("apt-get install wordnet-base"), e.getMessage());
    }
}
