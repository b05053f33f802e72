package dev.kiln.cli;

import dev.kiln.data.Datasets;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.g2p.ErrorRates;
import dev.kiln.g2p.G2pBatch;
import dev.kiln.g2p.G2pData;
import dev.kiln.g2p.G2pModels;
import dev.kiln.g2p.G2pTraining;
import dev.kiln.g2p.Pronunciation;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.seq2seq.Seq2SeqModel;
import dev.kiln.train.Json;
import dev.kiln.train.MetricsCsv;
import dev.kiln.train.StepLosses;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingPlot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code kiln train g2p}: an encoder-decoder that spells CMUdict words as phonemes. Each epoch reports the
 * training loss and the validation word and phoneme error rates of greedy decoding; the epoch with the best
 * validation WER is kept as the checkpoint, and its test error rates are reported with greedy decoding and
 * beam search.
 */
final class G2pTrainCommand {
    static final String HELP = """
            Usage: kiln train g2p [options]   grapheme-to-phoneme on CMUdict (90/5/5 split by a hash of the word)
              --attention KIND     additive (Bahdanau), dot or general (Luong), none (no attention: the
                                   encoder's final state is the context), transformer (default additive)
              --cell lstm|gru      recurrent unit of encoder and decoder (default lstm)
              --embedding E        letter and phoneme embedding size (default 64; a Transformer's is --hidden)
              --hidden H           decoder units; the bidirectional encoder has H/2 per direction (default 256).
                                   Transformer: model width, feed-forward 4 x H (default 256)
              --layers L           encoder layers (default 1); Transformer: encoder and decoder layers (default 3)
              --heads N            Transformer attention heads (default 4)
              --dropout P          dropout (default 0.2; Transformer 0.1)
              --teacher-forcing R  share of decoder steps fed the gold phoneme (default 1.0)
              --epochs N           epochs (default 10)
              --stop-after N       end after epoch N of the --epochs schedule (default: all of them);
                                   continue later with --resume
              --batch B            words per batch (default 128)
              --lr X               Adam learning rate, cosine-annealed to 0 (default 0.002; Transformer 0.001)
              --warmup N           steps of linear learning-rate warm-up before the cosine (default 0;
                                   Transformer 1000)
              --clip X             clip the gradient norm to X (default 5)
              --label-smoothing E  train against targets with E spread over all 72 output symbols, as
                                   PyTorch's label_smoothing (default 0)
              --beam K             beam width for the final test figures (default 5)
              --alpha A            length normalisation of beam scores, logP / length^A (default 1)
              --train-size N       train on a seeded random N of the training words (default all)
              --seed S             random seed (default 1)
              --data-dir DIR       data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
              --out DIR            run directory: g2p.safetensors (best validation WER), last.safetensors
                                   (the last epoch, with the optimizer's state), metrics.csv, g2p.png,
                                   metrics.json (default: a new folder per run, runs/g2p-KIND, then -2,
                                   -3, ...; with --resume, the checkpoint's directory). A DIR that holds
                                   another run's checkpoints is refused
              --overwrite          let --out DIR replace the run it holds
              --resume FILE        continue an interrupted run from its DIR/last.safetensors, with the same
                                   options; the remaining epochs follow as if it had not stopped. Ctrl-C (or
                                   SIGTERM) stops a run at once and prints the --resume command that
                                   continues it
            The last line printed is one JSON object with the final figures (also DIR/metrics.json).
            Then: kiln g2p --checkpoint DIR/g2p.safetensors WORD..., kiln eval --checkpoint DIR/g2p.safetensors
            """;
    static final String CHECKPOINT = "g2p.safetensors";
    static final String LAST = "last.safetensors";
    /** A kiln train g2p run: --resume continues its last epoch's state; its best model marks it too. */
    static final RunDirectory.Kind RUNS = new RunDirectory.Kind("kiln train g2p", LAST, List.of(LAST, CHECKPOINT));
    private static final List<String> COLUMNS = List.of("epoch", "train_loss", "val_wer", "val_per", "lr", "seconds");
    private static final int EVAL_BATCH = 512;

    private G2pTrainCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, Set.of(RunDirectory.OVERWRITE));
        String kind = o.get("attention", "additive");
        boolean transformer = kind.equals("transformer");
        int hidden = o.getPositiveInt("hidden", 256);
        G2pModels.Spec spec = new G2pModels.Spec(kind, o.get("cell", "lstm"),
                o.getPositiveInt("embedding", transformer ? hidden : 64), hidden, o.getPositiveInt("layers", transformer ? 3 : 1),
                o.getDouble("dropout", transformer ? 0.1 : 0.2), o.getPositiveInt("heads", transformer ? 4 : 1));
        double teacherForcing = o.getDouble("teacher-forcing", 1.0);
        if (transformer && teacherForcing != 1) {
            throw new IllegalArgumentException("--teacher-forcing must be 1 for the Transformer (it reads all gold "
                    + "phonemes at once), got " + teacherForcing);
        }
        int epochs = o.getInt("epochs", 10);
        int batch = o.getInt("batch", 128);
        double lr = o.getDouble("lr", transformer ? 1e-3 : 2e-3);
        int warmup = o.getInt("warmup", transformer ? 1000 : 0);
        double clip = o.getPositiveDouble("clip", 5);
        double labelSmoothing = o.getDouble("label-smoothing", 0);
        int beam = o.getInt("beam", 5);
        double alpha = o.getDouble("alpha", 1);
        int trainSize = DataOptions.trainSize(o);
        long seed = o.getInt("seed", 1);
        Path dataDir = DataOptions.dataDir(o);
        String outOption = o.get("out", null);
        String resume = o.get("resume", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        int stopAfter = o.getInt("stop-after", epochs);
        o.rejectUnknown();
        Path outDir = RunDirectory.choose(RUNS, outOption, resume, overwrite, Path.of("runs", "g2p-" + kind), out);
        G2pTraining.StepSettings stepSettings = new G2pTraining.StepSettings(teacherForcing, labelSmoothing, clip);
        if (epochs < 1 || batch < 1 || beam < 1 || warmup < 0) {
            throw new IllegalArgumentException("--epochs, --batch and --beam must be at least 1 and --warmup at least 0,"
                    + " got " + epochs + ", " + batch + ", " + beam + " and " + warmup);
        }
        if (stopAfter < 1 || stopAfter > epochs) {
            throw new IllegalArgumentException("--stop-after must be between 1 and --epochs (" + epochs + "), got " + stopAfter);
        }

        Engine.seed(seed);
        G2pData data = G2pData.load(dataDir);
        List<Pronunciation> train = Datasets.sample(data.train(), trainSize, seed);
        List<List<Pronunciation>> batches = Datasets.lengthBatches(train, p -> p.word().length(), batch, seed);
        Files.createDirectories(outDir);
        Path checkpoint = outDir.resolve(CHECKPOINT);
        Map<String, String> modelMetadata = G2pModels.metadata(spec, data.letters(), data.phonemes());
        Map<String, String> settings = new LinkedHashMap<>(modelMetadata);
        settings.put("epochs", Integer.toString(epochs));
        settings.put("batch", Integer.toString(batch));
        settings.put("lr", Double.toString(lr));
        settings.put("warmup", Integer.toString(warmup));
        settings.put("clip", Double.toString(clip));
        settings.put("teacher_forcing", Double.toString(teacherForcing));
        settings.put("label_smoothing", Double.toString(labelSmoothing));
        settings.put("train_size", Integer.toString(trainSize));
        settings.put("seed", Long.toString(seed));
        Map<String, Object> summary = new LinkedHashMap<>();
        try (Seq2SeqModel model = G2pModels.create(spec, data.letters(), data.phonemes());
             Optimizer adam = new Adam(model.trainableParameters(), lr)) {
            out.printf(Locale.ROOT, "Grapheme-to-phoneme on CMUdict: %d training, %d validation, %d test words, %d phonemes;"
                            + " %s, %,d parameters; Adam lr %s (%d warm-up steps, cosine), batch %d, %d epochs, teacher forcing %s,"
                            + " label smoothing %s, backend %s, output %s%n", train.size(), data.validation().size(),
                    data.test().size(), data.phonemes().symbols().size(), model, model.parameterCount(), lr, warmup, batch,
                    epochs, teacherForcing, labelSmoothing, Engine.get().backend().name(), outDir);
            RunState state = resume == null ? new RunState() : resumed(Path.of(resume), settings, model, adam, out);
            MetricsCsv csv = state.epoch > 0 ? MetricsCsv.resume(outDir, COLUMNS, state.epoch) : new MetricsCsv(outDir, COLUMNS);
            long steps = (long) epochs * batches.size();
            long done = (long) state.epoch * batches.size();
            ProgressBars bars = new ProgressBars(out);
            try (InterruptedRun watched = InterruptedRun.watch(RUNS, List.of(args), outDir, resume, out)) {
                for (int epoch = state.epoch + 1; epoch <= stopAfter; epoch++) {
                    model.train();
                    // Losses are read one step late, weighted by the batch's target tokens.
                    StepLosses losses = new StepLosses(epoch, batches.size(), List.of(bars));
                    long start = System.nanoTime();
                    for (int b : Datasets.permutation(batches.size(), seed * 1_000_003L + epoch)) {
                        G2pTraining.setLearningRate(adam, G2pTraining.warmupCosine(lr, done++, steps, warmup));
                        // The batch's tensors are freed with the step, not left to the garbage collector.
                        try (Scope batchScope = Scope.open()) {
                            G2pBatch example = G2pBatch.of(batches.get(b), data.letters(), data.phonemes());
                            losses.queued(G2pTraining.step(model, adam, example, stepSettings), example.targetTokens());
                        }
                    }
                    losses.finish();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    state.trainSeconds += seconds;
                    ErrorRates val = G2pTraining.evaluate(model, data.letters(), data.phonemes(), data.validation(), 1, alpha,
                            EVAL_BATCH);
                    double trainLoss = losses.weightedSum() / losses.samples();
                    out.printf(Locale.ROOT, "epoch %d: train loss %.4f | val WER %.2f%%, PER %.2f%% (greedy) | %.1f s, %.0f words/s%n",
                            epoch, trainLoss, 100 * val.wordErrorRate(), 100 * val.phonemeErrorRate(), seconds, train.size() / seconds);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("epoch", epoch);
                    row.put("train_loss", trainLoss);
                    row.put("val_wer", val.wordErrorRate());
                    row.put("val_per", val.phonemeErrorRate());
                    row.put("lr", adam.groups().get(0).lr());
                    row.put("seconds", seconds);
                    csv.append(row);
                    plot(outDir, csv);
                    if (val.wordErrorRate() < state.bestWer) {
                        state.bestWer = val.wordErrorRate();
                        state.bestEpoch = epoch;
                        Trainer.writeModel(checkpoint, model, modelMetadata);
                    }
                    state.epoch = epoch;
                    Trainer.writeTrainingState(outDir.resolve(LAST), model, adam, state.metadata(settings));
                }
            }
            Trainer.loadModel(checkpoint, model);
            ErrorRates greedy = G2pTraining.evaluate(model, data.letters(), data.phonemes(), data.test(), 1, alpha, EVAL_BATCH);
            ErrorRates beamed = G2pTraining.evaluate(model, data.letters(), data.phonemes(), data.test(), beam, alpha,
                    Math.max(1, EVAL_BATCH / beam));
            out.printf(Locale.ROOT, "best epoch %d (val WER %.2f%%); test WER %.2f%%, PER %.2f%% greedy; WER %.2f%%, PER %.2f%%"
                            + " beam %d%n", state.bestEpoch, 100 * state.bestWer, 100 * greedy.wordErrorRate(), 100 * greedy.phonemeErrorRate(),
                    100 * beamed.wordErrorRate(), 100 * beamed.phonemeErrorRate(), beam);
            summary.put("model", G2pModels.MODEL);
            summary.put("attention", kind);
            if (!transformer) {
                summary.put("cell", spec.cell());
            }
            summary.put("data", "cmudict");
            summary.put("parameters", model.parameterCount());
            summary.put("epochs", epochs);
            summary.put("label_smoothing", labelSmoothing);
            summary.put("best_epoch", state.bestEpoch);
            summary.put("val_wer", TrainCommand.round(state.bestWer));
            summary.put("test_wer", TrainCommand.round(beamed.wordErrorRate()));
            summary.put("test_per", TrainCommand.round(beamed.phonemeErrorRate()));
            summary.put("beam", beam);
            summary.put("test_wer_greedy", TrainCommand.round(greedy.wordErrorRate()));
            summary.put("test_per_greedy", TrainCommand.round(greedy.phonemeErrorRate()));
            summary.put("train_seconds", Math.round(state.trainSeconds));
            summary.put("words_per_s", Math.round(train.size() * (double) epochs / state.trainSeconds));
            summary.put("checkpoint", checkpoint.toString());
            summary.put("backend", Engine.get().backend().name());
        }
        Json.write(outDir.resolve("metrics.json"), summary);
        out.println(Json.line(summary));
        return 0;
    }

    /**
     * Loads an interrupted run's last state after checking that this run repeats its settings; the run
     * then continues with the next epoch, its learning-rate schedule, data order and random stream as they
     * would have been.
     */
    private static RunState resumed(Path file, Map<String, String> settings, Seq2SeqModel model, Optimizer adam,
                                    PrintStream out) throws IOException {
        Map<String, String> recorded = Trainer.metadata(file);
        if (!recorded.containsKey("epoch") || !recorded.containsKey("best_wer")) {
            throw new IllegalArgumentException("--resume " + file + ": not the " + LAST + " of a g2p run (its metadata has"
                    + " no epoch or best_wer); g2p.safetensors holds the best epoch's weights only");
        }
        ResumeCheck.requireSameRun(recorded, settings, file.toString());
        Trainer.readTrainingState(file, model, adam);
        RunState state = new RunState();
        state.epoch = Integer.parseInt(recorded.get("epoch"));
        state.bestWer = Double.parseDouble(recorded.get("best_wer"));
        state.bestEpoch = Integer.parseInt(recorded.get("best_epoch"));
        state.trainSeconds = Double.parseDouble(recorded.get("train_seconds"));
        out.printf(Locale.ROOT, "resumed after epoch %d of %s (best so far: epoch %d, val WER %.2f%%)%n", state.epoch, file,
                state.bestEpoch, 100 * state.bestWer);
        return state;
    }

    /** Redraws g2p.png from every row of metrics.csv, so a resumed run's plot covers all its epochs. */
    private static void plot(Path outDir, MetricsCsv csv) throws IOException {
        List<Integer> epochs = csv.column("epoch").stream().map(Double::intValue).toList();
        TrainingPlot.write(outDir.resolve("g2p.png"), epochs, List.of(
                new TrainingPlot.Panel("Training loss", "cross-entropy per phoneme", Map.of("train", csv.column("train_loss"))),
                new TrainingPlot.Panel("Validation error (greedy)", "error rate",
                        Map.of("WER", csv.column("val_wer"), "PER", csv.column("val_per")))));
    }

    /** Where a run stands after its last finished epoch: what last.safetensors records beside the weights. */
    private static final class RunState {
        int epoch;
        double bestWer = Double.POSITIVE_INFINITY;
        int bestEpoch;
        double trainSeconds;

        Map<String, String> metadata(Map<String, String> settings) {
            Map<String, String> m = new LinkedHashMap<>(settings);
            m.put("epoch", Integer.toString(epoch));
            m.put("best_wer", Double.toString(bestWer));
            m.put("best_epoch", Integer.toString(bestEpoch));
            m.put("train_seconds", Double.toString(trainSeconds));
            return m;
        }
    }
}
