package dev.kiln.cli;

import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Json;
import dev.kiln.train.MetricsCsv;
import dev.kiln.train.TrainingListener;
import dev.kiln.train.TrainingPlot;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code kiln train} shows and leaves in its run directory: a progress bar per epoch, a line per
 * epoch, metrics.csv, training.png (loss and accuracy per epoch) and, at the end, metrics.json plus the
 * same object as the last printed line.
 */
final class RunOutputs implements TrainingListener {
    private final Path dir;
    private final String evalName;
    private final PrintStream out;
    private final MetricsCsv csv;
    private final ProgressBars progress;

    /**
     * @param evalName       "val" or "test": which data the per-epoch evaluation used
     * @param epochsResumed  epochs already in metrics.csv from the run being resumed (0 for a new run)
     * @param resumedEpoch   the figures of the resumed checkpoint's epoch as it recorded them, or null: metrics.csv
     *                       gets their row where it lacks it (the run stopped after the checkpoint, before the row)
     */
    RunOutputs(Path dir, String evalName, PrintStream out, int epochsResumed, EpochMetrics resumedEpoch)
            throws IOException {
        this.dir = dir;
        this.evalName = evalName;
        this.out = out;
        this.progress = new ProgressBars(out);
        Files.createDirectories(dir);
        List<String> columns = List.of("epoch", "train_loss", "train_accuracy", evalName + "_loss", evalName + "_accuracy",
                evalName + "_top5", "lr", "seconds", "samples_per_s");
        this.csv = epochsResumed > 0 ? MetricsCsv.resume(dir, columns, epochsResumed) : new MetricsCsv(dir, columns);
        if (resumedEpoch != null && resumedEpoch.epoch() == epochsResumed && csv.rows() == epochsResumed - 1) {
            csv.append(row(resumedEpoch));
        }
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
        progress.onBatchEnd(epoch, batch, batchesPerEpoch, loss);
    }

    @Override
    public void onEpochEnd(EpochMetrics m) {
        progress.onEpochEnd(m);
        out.printf(Locale.ROOT, "epoch %d: train loss %.4f acc %.4f | %s loss %.4f acc %.4f | %.1f s, %.0f samples/s%n",
                m.epoch(), m.trainLoss(), m.trainAccuracy(), evalName, m.validationLoss(), m.validationAccuracy(),
                m.seconds(), m.samplesPerSecond());
        try {
            csv.append(row(m));
            plot();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run directory " + dir, e);
        }
    }

    /** metrics.csv's row of epoch {@code m}. */
    private Map<String, Object> row(EpochMetrics m) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", m.epoch());
        row.put("train_loss", m.trainLoss());
        row.put("train_accuracy", m.trainAccuracy());
        row.put(evalName + "_loss", m.validationLoss());
        row.put(evalName + "_accuracy", m.validationAccuracy());
        row.put(evalName + "_top5", m.validationTopK());
        row.put("lr", m.learningRate());
        row.put("seconds", m.seconds());
        row.put("samples_per_s", m.samplesPerSecond());
        return row;
    }

    /** Redraws training.png from every row of metrics.csv, so a resumed run's plot covers all epochs. */
    private void plot() throws IOException {
        List<Integer> epochs = csv.column("epoch").stream().map(Double::intValue).toList();
        Map<String, List<Double>> loss = new LinkedHashMap<>();
        Map<String, List<Double>> accuracy = new LinkedHashMap<>();
        loss.put("train", csv.column("train_loss"));
        loss.put(evalName, csv.column(evalName + "_loss"));
        accuracy.put("train", csv.column("train_accuracy"));
        accuracy.put(evalName, csv.column(evalName + "_accuracy"));
        TrainingPlot.write(dir.resolve("training.png"), epochs, loss, accuracy);
    }

    /**
     * Writes metrics.json and prints the same object as the last line; {@code restoredBest}: whether the trainer
     * restored the best epoch's weights (a best.safetensors of an earlier run in the directory is not mentioned).
     */
    void finish(Map<String, Object> summary, boolean restoredBest) throws IOException {
        Json.write(dir.resolve("metrics.json"), summary);
        out.printf("outputs: %s (checkpoint.safetensors%s, metrics.csv, metrics.json, training.png)%n", dir,
                restoredBest ? ", best.safetensors: the restored best epoch" : "");
        out.println(Json.line(summary));
    }
}
