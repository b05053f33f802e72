package dev.kiln.cli;

import dev.kiln.data.CharVocabulary;
import dev.kiln.data.CmuDict;
import dev.kiln.data.Datasets;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Json;
import dev.kiln.train.StepLosses;
import dev.kiln.zoo.CharLanguageModel;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code kiln lm}: trains {@link CharLanguageModel} on the words of CMUdict (90% train, 5% validation, 5%
 * test by a seeded shuffle) and reports perplexity per character. Batches hold words of similar length
 * (sorted after a seeded shuffle, the order of batches shuffled every epoch), so that little is padding.
 */
final class LmCommand {
    static final String HELP = """
            Usage: kiln lm [options]     character-level LSTM language model of the words of CMUdict
              --data-dir DIR       data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
              --epochs N           epochs (default 5)
              --batch B            words per batch (default 128)
              --lr X               Adam learning rate (default 0.002)
              --embedding E        character embedding size (default 32)
              --hidden H           LSTM hidden units (default 256)
              --layers L           stacked LSTM layers (default 2)
              --dropout P          dropout between the LSTM layers (default 0.2)
              --clip X             clip the gradient norm to X (default 5)
              --train-size N       train on a seeded random N of the training words (default all)
              --seed S             random seed (default 1)
              --out DIR            run directory: charlm.safetensors, metrics.json (default: a new folder per
                                   run, runs/charlm-cmudict, then -2, -3, ...). A DIR that holds another
                                   run's checkpoint is refused
              --overwrite          let --out DIR replace the run it holds
            Prints training and validation perplexity per character each epoch, then test perplexity and
            ten sampled words; the last line is one JSON object with the figures (also DIR/metrics.json).
            Sample more with: kiln sample --checkpoint DIR/charlm.safetensors
            """;
    static final String CHECKPOINT = "charlm.safetensors";
    /** A kiln lm run: its checkpoint marks it. */
    static final RunDirectory.Kind RUNS = RunDirectory.Kind.withoutResume("kiln lm", CHECKPOINT);
    private static final int EVAL_BATCH = 512;

    private LmCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, Set.of(RunDirectory.OVERWRITE));
        Path dataDir = DataOptions.dataDir(o);
        int epochs = o.getPositiveInt("epochs", 5);
        int batch = o.getPositiveInt("batch", 128);
        double lr = o.getDouble("lr", 0.002);
        int embedding = o.getPositiveInt("embedding", 32);
        int hidden = o.getPositiveInt("hidden", 256);
        int layers = o.getPositiveInt("layers", 2);
        double dropout = o.getDouble("dropout", 0.2);
        double clip = o.getPositiveDouble("clip", 5);
        int trainSize = DataOptions.trainSize(o);
        long seed = o.getInt("seed", 1);
        String outOption = o.get("out", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        o.rejectUnknown();
        Path outDir = RunDirectory.choose(RUNS, outOption, null, overwrite, Path.of("runs", "charlm-cmudict"), out);

        Engine.seed(seed);
        CmuDict dict = CmuDict.load(dataDir);
        CmuDict.Split split = dict.split(0.05, seed);
        List<String> train = Datasets.sample(split.train(), trainSize, seed);
        CharVocabulary vocabulary = CharVocabulary.of(dict.words());
        List<List<String>> batches = Datasets.lengthBatches(train, String::length, batch, seed);
        Files.createDirectories(outDir);
        out.printf(Locale.ROOT, "Training a character LSTM language model on CMUdict: %d training, %d validation, %d test"
                        + " words, %d characters + end and padding, embedding %d, %d x LSTM %d, dropout %s, Adam lr %s,"
                        + " batch %d, %d epochs, backend %s, output %s%n", train.size(), split.validation().size(),
                split.test().size(), vocabulary.chars().length(), embedding, layers, hidden, dropout, lr, batch, epochs,
                Engine.get().backend().name(), outDir);
        Map<String, Object> summary = new LinkedHashMap<>();
        try (CharLanguageModel model = new CharLanguageModel(vocabulary, embedding, hidden, layers, dropout);
             Optimizer adam = new Adam(model.trainableParameters(), lr)) {
            out.printf(Locale.ROOT, "%,d parameters%n", model.parameterCount());
            List<Double> rates = new ArrayList<>();
            double trainPpl = Double.NaN;
            double valPpl = Double.NaN;
            ProgressBars bars = new ProgressBars(out, nats -> String.format(Locale.ROOT, "ppl %.3f", Math.exp(nats)));
            for (int epoch = 1; epoch <= epochs; epoch++) {
                model.train();
                int[] order = Datasets.permutation(batches.size(), seed * 1_000_003L + epoch);
                // Losses (nats per character) are read one step late, weighted by the batch's predictions.
                StepLosses losses = new StepLosses(epoch, batches.size(), List.of(bars));
                long start = System.nanoTime();
                for (int b : order) {
                    List<String> words = batches.get(b);
                    try (Scope step = Scope.open()) {
                        Tensor loss = model.loss(words);
                        loss.backward();
                        Optimizer.clipGradNorm(model.trainableParameters(), clip);
                        adam.step();
                        adam.zeroGrad();
                        losses.queued(loss.itemAsync(), Math.toIntExact(CharLanguageModel.predictions(words)));
                    }
                }
                losses.finish();
                double seconds = (System.nanoTime() - start) / 1e9;
                long predictions = losses.samples();
                rates.add(predictions / seconds);
                trainPpl = Math.exp(losses.weightedSum() / predictions);
                valPpl = model.perplexity(split.validation(), EVAL_BATCH);
                out.printf(Locale.ROOT, "epoch %d: train ppl %.3f | val ppl %.3f | %.1f s, %.0f characters/s%n", epoch,
                        trainPpl, valPpl, seconds, predictions / seconds);
            }
            double testPpl = model.perplexity(split.test(), EVAL_BATCH);
            List<String> samples = model.sample(10, 1.0, 30, seed);
            out.printf(Locale.ROOT, "test ppl %.3f; sampled words: %s%n", testPpl, String.join(" ", samples));
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("model", "charlm");
            metadata.put("vocabulary", vocabulary.chars());
            metadata.put("embedding", Integer.toString(embedding));
            metadata.put("hidden", Integer.toString(hidden));
            metadata.put("layers", Integer.toString(layers));
            metadata.put("dropout", Double.toString(dropout));
            metadata.put("epochs", Integer.toString(epochs));
            Path checkpoint = outDir.resolve(CHECKPOINT);
            SafeTensors.write(checkpoint, model.stateDict(), metadata);
            summary.put("model", "charlm");
            summary.put("data", "cmudict");
            summary.put("epochs", epochs);
            summary.put("train_ppl", TrainCommand.round(trainPpl));
            summary.put("val_ppl", TrainCommand.round(valPpl));
            summary.put("test_ppl", TrainCommand.round(testPpl));
            summary.put("characters_per_s", Math.round(median(rates)));
            summary.put("samples", samples);
            summary.put("checkpoint", checkpoint.toString());
            summary.put("backend", Engine.get().backend().name());
        }
        Json.write(outDir.resolve("metrics.json"), summary);
        out.println(Json.line(summary));
        return 0;
    }

    /** Median over epochs 2..N (epoch 1 warms up), or epoch 1 alone. */
    private static double median(List<Double> rates) {
        return TrainCommand.medianAfterWarmUp(rates.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
