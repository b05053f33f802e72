package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.text.Corpus;
import dev.kiln.text.Vocabulary;
import dev.kiln.text.Word2Vec;
import dev.kiln.text.WordVectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Skip-gram word2vec learns from real English: WordNet's glosses (Debian's wordnet-base, installed by
 * .ci/run), the first 40,000 synsets, one epoch of 50-dimensional vectors.
 *
 * <p>Untrained, every pair costs 6 ln 2 = 4.16 (zero output vectors, 5 negatives). Measured on this budget
 * (11,770 words): loss per pair 3.45, 2.83, 2.75 at the three reports, and 3 of nine colour words among the 20
 * nearest of "red", where chance would put 0.015. The floors (3.2; at least 2 colours) leave room and stay far
 * from what a model that learns nothing shows.
 */
class Word2VecWordNetTest {
    private static final Path WORDNET = Path.of("/usr/share/wordnet");

    @Test
    void skipGramLossFallsAndColoursEndUpNearColours() throws IOException {
        if (!Files.isRegularFile(WORDNET.resolve("data.noun"))) {
            System.out.println("SKIPPED Word2VecWordNetTest: no WordNet at " + WORDNET + " (apt-get install wordnet-base)");
            Assumptions.abort("WordNet is not installed");
        }
        Corpus all = Corpus.read(WORDNET);
        Corpus corpus = Corpus.of(all.sentences().subList(0, 40_000));
        Vocabulary vocabulary = Vocabulary.build(corpus, 5);
        Word2Vec.Config config = new Word2Vec.Config(Word2Vec.Mode.SKIPGRAM, 50, 5, 5, 5, 1e-3, 0.025, 1, 4096, 1);
        List<Double> losses = new ArrayList<>();
        WordVectors vectors = Word2Vec.train(corpus, vocabulary, config, p -> losses.add(p.meanLoss()));
        double colours = vectors.nearest("red", 20).stream()
                .filter(n -> List.of("green", "yellow", "blue", "brown", "orange", "purple", "white", "black", "pink")
                        .contains(n.word())).count();
        System.out.printf("word2vec on %d WordNet sentences (%d words): loss per pair %s; colours among red's 20 nearest: %.0f%n",
                corpus.sentences().size(), vocabulary.size(), losses, colours);
        assertTrue(losses.get(losses.size() - 1) < 3.2, "final loss per pair " + losses);
        assertTrue(colours >= 2, "colours among the 20 nearest words of 'red': " + vectors.nearest("red", 20));
    }
}
