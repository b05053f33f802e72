package dev.kiln.cli;

import dev.kiln.engine.Engine;
import dev.kiln.text.Corpus;
import dev.kiln.text.Vocabulary;
import dev.kiln.text.Word2Vec;
import dev.kiln.text.WordVectors;
import dev.kiln.train.Json;
import dev.kiln.train.Progress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code kiln word2vec}: trains word vectors on a text corpus and shows the neighbours of common words. */
final class Word2VecCommand {
    static final String DEFAULT_CORPUS = "/usr/share/wordnet";
    static final List<String> SHOWCASE = List.of("water", "king", "music", "red", "city", "dog", "war", "money", "tree", "happy");

    static final String HELP = """
            Usage: kiln word2vec [options]
              Trains word2vec with negative sampling and writes DIR/vectors.safetensors and DIR/vocab.tsv.
              --corpus PATH          a WordNet database directory (default /usr/share/wordnet, from Debian's
                                     wordnet-base: apt-get install wordnet-base) or a text file, one
                                     sentence per line (.gz allowed)
              --mode skipgram|cbow   (default skipgram)
              --dim N                vector size (default 100)
              --window N             maximum window on each side (default 5)
              --negatives N          negative samples per pair (default 5)
              --min-count N          drop words seen fewer times (default 5)
              --subsample T          subsampling threshold of frequent words (default 1e-3; 0 = off)
              --lr X                 starting SGD learning rate, falls linearly (default 0.025)
              --epochs N             passes over the corpus (default 3)
              --batch N              pairs per update (default 4096)
              --seed S               random seed (default 1)
              --out DIR              output directory (default: a new folder per run, runs/word2vec, then
                                     -2, -3, ...). A DIR that holds another run's vectors is refused
              --overwrite            let --out DIR replace the run it holds
            Prints the 5 nearest neighbours of ten common words; the last line is a JSON summary.
            """;

    /** A kiln word2vec run: its vectors mark it. */
    static final RunDirectory.Kind RUNS = RunDirectory.Kind.withoutResume("kiln word2vec", WordVectors.VECTORS_FILE,
            WordVectors.VOCAB_FILE);

    private Word2VecCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, Set.of(RunDirectory.OVERWRITE));
        Path corpusPath = Path.of(o.get("corpus", DEFAULT_CORPUS));
        Word2Vec.Mode mode = switch (o.get("mode", "skipgram")) {
            case "skipgram" -> Word2Vec.Mode.SKIPGRAM;
            case "cbow" -> Word2Vec.Mode.CBOW;
            default -> throw new IllegalArgumentException("--mode must be skipgram or cbow, got '" + o.get("mode", "") + "'");
        };
        Word2Vec.Config config = new Word2Vec.Config(mode, o.getPositiveInt("dim", 100), o.getPositiveInt("window", 5),
                o.getPositiveInt("negatives", 5), o.getInt("min-count", 5), o.getDouble("subsample", 1e-3),
                o.getDouble("lr", 0.025), o.getPositiveInt("epochs", 3), o.getPositiveInt("batch", 4096), o.getInt("seed", 1));
        String outOption = o.get("out", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        o.rejectUnknown();
        Path dir = RunDirectory.choose(RUNS, outOption, null, overwrite, Path.of("runs", "word2vec"), out);
        Corpus corpus = Corpus.read(corpusPath);
        Vocabulary vocabulary = Vocabulary.build(corpus, config.minCount());
        out.printf(Locale.ROOT, "Corpus %s: %d sentences, %d tokens; vocabulary %d words (min count %d); %s, dim %d,"
                        + " window %d, %d negatives, %d epochs, backend %s%n", corpusPath, corpus.sentences().size(),
                corpus.tokenCount(), vocabulary.size(), config.minCount(), mode.name().toLowerCase(Locale.ROOT),
                config.dim(), config.window(), config.negatives(), config.epochs(), Engine.get().backend().name());
        long start = System.nanoTime();
        double[] lastLoss = {Double.NaN};
        double[] firstLoss = {Double.NaN};
        WordVectors vectors;
        try (Progress bar = new Progress("word2vec", 1000, out)) {
            vectors = Word2Vec.train(corpus, vocabulary, config, p -> {
                if (Double.isNaN(firstLoss[0])) {
                    firstLoss[0] = p.meanLoss();
                }
                lastLoss[0] = p.meanLoss();
                long permille = Math.min(1000, p.wordsDone() * 1000 / Math.max(1, p.wordsPlanned()));
                bar.step(permille - bar.current(), String.format(Locale.ROOT, "epoch %d loss %.4f", p.epoch(), p.meanLoss()));
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        vectors.save(dir);
        out.printf(Locale.ROOT, "trained in %.1f s; loss per pair %.4f at the first report, %.4f at the last%n", seconds,
                firstLoss[0], lastLoss[0]);
        Map<String, Object> neighbours = new LinkedHashMap<>();
        for (String word : SHOWCASE) {
            if (vocabulary.indexOf(word) >= 0) {
                List<String> near = vectors.nearest(word, 5).stream().map(WordVectors.Neighbour::word).toList();
                out.println(word + ": " + String.join(", ", near));
                neighbours.put(word, near);
            }
        }
        out.println("outputs: " + dir + " (" + WordVectors.VECTORS_FILE + ", " + WordVectors.VOCAB_FILE + ")");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("corpus", corpusPath.toString());
        summary.put("mode", mode.name().toLowerCase(Locale.ROOT));
        summary.put("vocabulary", vocabulary.size());
        summary.put("tokens", corpus.tokenCount());
        summary.put("epochs", config.epochs());
        summary.put("first_loss", TrainCommand.round(firstLoss[0]));
        summary.put("final_loss", TrainCommand.round(lastLoss[0]));
        summary.put("seconds", Math.round(seconds * 10) / 10.0);
        summary.put("neighbours", neighbours);
        Json.write(dir.resolve("metrics.json"), summary);
        out.println(Json.line(summary));
        return 0;
    }
}
