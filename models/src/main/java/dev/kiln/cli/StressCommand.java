package dev.kiln.cli;

import dev.kiln.data.CharVocabulary;
import dev.kiln.data.CmuDict;
import dev.kiln.data.Datasets;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Json;
import dev.kiln.train.Progress;
import dev.kiln.zoo.WordClassifier;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kiln stress}: which syllable carries a CMUdict word's primary stress (1, 2, 3, or 4 and later),
 * from its spelling, with {@link WordClassifier}; run it with and without {@code --bidirectional} to
 * compare a network that reads the word once with one that also reads it backwards.
 */
final class StressCommand {
    static final String HELP = """
            Usage: kiln stress [options]     primary-stress syllable (1, 2, 3, 4+) of CMUdict words from spelling
              --bidirectional B    true: an LSTM reading each way, final states concatenated (default false)
              --hidden H           LSTM hidden units per direction (default 128)
              --embedding E        character embedding size (default 32)
              --epochs N           epochs (default 3)
              --batch B            words per batch (default 128)
              --lr X               Adam learning rate (default 0.002)
              --train-size N       train on a seeded random N of the training words (default all)
              --seed S             random seed (default 1)
              --data-dir DIR       data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
            Words without a primary stress are left out; the split is kiln lm's (90/5/5 by seed).
            Prints validation accuracy per epoch, then test accuracy beside always guessing the commonest
            class; the last line is one JSON object.
            """;
    private static final int CLASSES = 4;
    private static final int EVAL_BATCH = 512;

    private StressCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        String direction = o.get("bidirectional", "false");
        if (!direction.equals("true") && !direction.equals("false")) {
            throw new IllegalArgumentException("--bidirectional must be true or false, got '" + direction + "'");
        }
        boolean bidirectional = direction.equals("true");
        int hidden = o.getPositiveInt("hidden", 128);
        int embedding = o.getPositiveInt("embedding", 32);
        int epochs = o.getPositiveInt("epochs", 3);
        int batch = o.getPositiveInt("batch", 128);
        double lr = o.getDouble("lr", 0.002);
        int trainSize = DataOptions.trainSize(o);
        long seed = o.getInt("seed", 1);
        Path dataDir = DataOptions.dataDir(o);
        o.rejectUnknown();

        Engine.seed(seed);
        CmuDict dict = CmuDict.load(dataDir);
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (String w : dict.words()) {
            int syllable = CmuDict.primaryStressSyllable(dict.pronunciations().get(w));
            if (syllable > 0 && !w.isEmpty()) {
                labels.put(w, Math.min(syllable, CLASSES) - 1);
            }
        }
        CmuDict.Split split = dict.split(0.05, seed);
        List<String> train = Datasets.sample(labelled(split.train(), labels), trainSize, seed);
        List<String> validation = labelled(split.validation(), labels);
        List<String> test = labelled(split.test(), labels);
        CharVocabulary vocabulary = CharVocabulary.of(dict.words());
        List<List<String>> batches = Datasets.lengthBatches(train, String::length, batch, seed);
        Map<String, Object> summary = new LinkedHashMap<>();
        try (WordClassifier model = new WordClassifier(vocabulary, embedding, hidden, bidirectional, CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), lr)) {
            out.printf(Locale.ROOT, "Primary-stress syllable from spelling: %d training, %d validation, %d test words,"
                            + " %s LSTM %d, %,d parameters, Adam lr %s, batch %d, %d epochs%n", train.size(), validation.size(),
                    test.size(), bidirectional ? "bidirectional" : "one-directional", hidden, model.parameterCount(), lr,
                    batch, epochs);
            double valAccuracy = Double.NaN;
            double seconds = 0;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                model.train();
                long start = System.nanoTime();
                try (Progress progress = new Progress("epoch " + epoch, batches.size(), out)) {
                    for (int b : Datasets.permutation(batches.size(), seed * 1_000_003L + epoch)) {
                        List<String> words = batches.get(b);
                        try (Scope step = Scope.open()) {
                            Tensor loss = F.crossEntropy(model.scores(words), targets(words, labels));
                            loss.backward();
                            adam.step();
                            adam.zeroGrad();
                            progress.step(1, String.format(Locale.ROOT, "loss %.4f", loss.item()));
                        }
                    }
                }
                seconds = (System.nanoTime() - start) / 1e9;
                valAccuracy = accuracy(model, validation, labels);
                out.printf(Locale.ROOT, "epoch %d: val accuracy %.4f | %.1f s%n", epoch, valAccuracy, seconds);
            }
            double testAccuracy = accuracy(model, test, labels);
            double baseline = commonestShare(test, labels);
            out.printf(Locale.ROOT, "test accuracy %.4f (always the commonest class: %.4f)%n", testAccuracy, baseline);
            summary.put("task", "stress");
            summary.put("bidirectional", bidirectional);
            summary.put("hidden", hidden);
            summary.put("parameters", model.parameterCount());
            summary.put("epochs", epochs);
            summary.put("val_accuracy", TrainCommand.round(valAccuracy));
            summary.put("test_accuracy", TrainCommand.round(testAccuracy));
            summary.put("baseline_accuracy", TrainCommand.round(baseline));
            summary.put("last_epoch_s", TrainCommand.round(seconds));
        }
        out.println(Json.line(summary));
        return 0;
    }

    private static List<String> labelled(List<String> words, Map<String, Integer> labels) {
        return words.stream().filter(labels::containsKey).toList();
    }

    private static Tensor targets(List<String> words, Map<String, Integer> labels) {
        long[] t = new long[words.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = labels.get(words.get(i));
        }
        return Tensor.fromArray(t, t.length);
    }

    private static double accuracy(WordClassifier model, List<String> words, Map<String, Integer> labels) {
        model.eval();
        long correct = 0;
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (int i = 0; i < words.size(); i += EVAL_BATCH) {
                List<String> part = words.subList(i, Math.min(words.size(), i + EVAL_BATCH));
                try (Scope s = Scope.open()) {
                    long[] predicted = model.scores(part).argmax(1, false).toLongArray();
                    for (int k = 0; k < predicted.length; k++) {
                        correct += predicted[k] == labels.get(part.get(k)) ? 1 : 0;
                    }
                }
            }
        }
        model.train();
        return (double) correct / words.size();
    }

    private static double commonestShare(List<String> words, Map<String, Integer> labels) {
        long[] counts = new long[CLASSES];
        for (String w : words) {
            counts[labels.get(w)]++;
        }
        long max = 0;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        return (double) max / words.size();
    }
}
