package dev.kiln.cli;

import dev.kiln.data.Datasets;
import dev.kiln.data.Dataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.engine.Engine;
import dev.kiln.io.AtomicFiles;
import dev.kiln.learning.MethodComparison;
import dev.kiln.learning.MethodComparison.EpochResult;
import dev.kiln.train.Json;
import dev.kiln.train.TrainingPlot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code kiln methods}: trains one MLP with backpropagation, feedback alignment, direct feedback alignment
 * and synthetic gradients and compares them: a table, methods.csv, methods.png (loss, test accuracy and
 * the angle of the hidden layers' updates to the true gradient, per epoch) and a JSON summary.
 */
final class MethodsCommand {
    static final String HELP = """
            Usage: kiln methods [options]
              Trains the same MLP with each training method and compares test accuracy, wall time and
              the angle between each hidden layer's update and the true (backpropagation) gradient.
              --methods LIST               comma-separated, from backprop, fa, dfa, dni (default all four)
                                           and readout (only the output layer learns: a baseline)
              --data mnist|fashion-mnist   data set (default mnist)
              --data-dir DIR               data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
              --hidden LIST                hidden widths (default 256,256)
              --epochs N                   epochs per method (default 10)
              --batch B                    batch size (default 128)
              --lr X                       Adam learning rate for every method (default 0.001)
              --train-size N               train on a seeded random N of the training images (default all)
              --seed S                     random seed (default 1)
              --out DIR                    output directory (default: a new folder per run, runs/methods-DATA,
                                           then -2, -3, ...). A DIR that holds another run's methods.csv is
                                           refused
              --overwrite                  let --out DIR replace the run it holds
            Angles are measured after each epoch on the first 1,000 training images.
            The last line printed is one JSON object with the final figures (also DIR/metrics.json).
            """;

    /** A kiln methods run: its table or its summary marks it. */
    static final RunDirectory.Kind RUNS = RunDirectory.Kind.withoutResume("kiln methods", "methods.csv",
            "metrics.json");

    private MethodsCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, Set.of(RunDirectory.OVERWRITE));
        String data = DataOptions.dataSet(o);
        Path dataDir = DataOptions.dataDir(o);
        List<String> methods = List.of(o.get("methods", String.join(",", MethodComparison.METHODS)).split(","));
        int[] hidden = o.getPositiveInts("hidden", "256,256");
        int epochs = o.getPositiveInt("epochs", 10);
        int batch = o.getPositiveInt("batch", 128);
        double lr = o.getDouble("lr", 1e-3);
        int trainSize = DataOptions.trainSize(o);
        long seed = o.getInt("seed", 1);
        String outOption = o.get("out", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        o.rejectUnknown();
        Path dir = RunDirectory.choose(RUNS, outOption, null, overwrite, Path.of("runs", "methods-" + data), out);
        for (String m : methods) {
            if (!MethodComparison.ALL.contains(m)) {
                throw new IllegalArgumentException("unknown training method '" + m + "'; known: " + MethodComparison.ALL);
            }
        }
        Dataset train = MnistDataset.load(dataDir, data, Mnist.Split.TRAIN);
        if (trainSize > 0) {
            train = Datasets.take(train, trainSize, seed);
        }
        Dataset test = MnistDataset.load(dataDir, data, Mnist.Split.TEST);
        Subset angleBatch = new Subset(train, java.util.stream.IntStream.range(0, Math.min(1000, train.size())).toArray());
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = train.featureSize();
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = train.classes();
        MethodComparison.Config config = new MethodComparison.Config(sizes, batch, lr, epochs, seed);
        out.printf("Comparing %s on %s: MLP %s, Adam lr %s, batch %d, %d epochs each, backend %s%n", methods, data,
                Arrays.toString(sizes), lr, batch, epochs, Engine.get().backend().name());
        Map<String, List<EpochResult>> results = new LinkedHashMap<>();
        for (String m : methods) {
            results.put(m, MethodComparison.run(m, train, test, config, angleBatch, r -> out.println(describe(r))));
        }
        writeCsv(dir.resolve("methods.csv"), results);
        writePlot(dir.resolve("methods.png"), epochs, results, hidden.length);
        printTable(out, results);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("data", data);
        summary.put("sizes", sizes);
        summary.put("epochs", epochs);
        results.forEach((m, rs) -> {
            EpochResult last = rs.get(rs.size() - 1);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("test_accuracy", TrainCommand.round(last.testAccuracy()));
            s.put("train_seconds", Math.round(rs.stream().mapToDouble(EpochResult::seconds).sum() * 10) / 10.0);
            if (last.angles().length > 0) {
                s.put("final_angles_deg", Arrays.stream(last.angles()).map(a -> TrainCommand.round(a, 1)).toArray());
            }
            summary.put(m, s);
        });
        summary.put("backend", Engine.get().backend().name());
        Json.write(dir.resolve("metrics.json"), summary);
        out.println("outputs: " + dir + " (methods.csv, methods.png, metrics.json)");
        out.println(Json.line(summary));
        return 0;
    }

    private static String describe(EpochResult r) {
        String angles = r.angles().length == 0 ? "" : "  angles to backprop " + formatAngles(r.angles());
        return String.format(Locale.ROOT, "%-8s epoch %2d: %.1f s, train loss %.4f, test accuracy %.4f%s", r.method(),
                r.epoch(), r.seconds(), r.trainLoss(), r.testAccuracy(), angles);
    }

    private static String formatAngles(double[] angles) {
        StringBuilder b = new StringBuilder();
        for (double a : angles) {
            b.append(b.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.1f", a));
        }
        return b.append(" deg").toString();
    }

    private static void writeCsv(Path file, Map<String, List<EpochResult>> results) throws java.io.IOException {
        int depth = results.values().stream().flatMap(List::stream).mapToInt(r -> r.angles().length).max().orElse(0);
        StringBuilder csv = new StringBuilder("method,epoch,seconds,train_loss,test_accuracy");
        for (int i = 0; i < depth; i++) {
            csv.append(",angle_layer").append(i);
        }
        csv.append('\n');
        for (List<EpochResult> rs : results.values()) {
            for (EpochResult r : rs) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%.3f,%.6f,%.4f", r.method(), r.epoch(), r.seconds(),
                        r.trainLoss(), r.testAccuracy()));
                for (int i = 0; i < depth; i++) {
                    csv.append(',').append(i < r.angles().length ? String.format(Locale.ROOT, "%.2f", r.angles()[i]) : "");
                }
                csv.append('\n');
            }
        }
        AtomicFiles.writeString(file, csv.toString());
    }

    private static void writePlot(Path png, int epochs, Map<String, List<EpochResult>> results, int hiddenLayers)
            throws java.io.IOException {
        List<Integer> x = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            x.add(e);
        }
        Map<String, List<Double>> loss = new LinkedHashMap<>();
        Map<String, List<Double>> accuracy = new LinkedHashMap<>();
        Map<String, List<Double>> angles = new LinkedHashMap<>();
        results.forEach((m, rs) -> {
            loss.put(m, rs.stream().map(EpochResult::trainLoss).toList());
            accuracy.put(m, rs.stream().map(EpochResult::testAccuracy).toList());
            if ((m.equals("fa") || m.equals("dfa")) && !rs.isEmpty() && rs.get(0).angles().length > 0) {
                for (int layer = 0; layer < hiddenLayers; layer++) {
                    int l = layer;
                    angles.put(m + " layer " + l, rs.stream().map(r -> r.angles()[l]).toList());
                }
            }
        });
        List<TrainingPlot.Panel> panels = new ArrayList<>(List.of(
                new TrainingPlot.Panel("Training loss", "loss", loss),
                new TrainingPlot.Panel("Test accuracy", "accuracy", accuracy)));
        if (!angles.isEmpty()) {
            panels.add(new TrainingPlot.Panel("Angle of hidden-layer updates to the true gradient", "degrees", angles));
        }
        TrainingPlot.write(png, x, panels);
    }

    private static void printTable(PrintStream out, Map<String, List<EpochResult>> results) {
        out.println();
        out.println("| method | test accuracy | train time (s) | final angles to backprop (deg) |");
        out.println("| --- | --- | --- | --- |");
        results.forEach((m, rs) -> {
            EpochResult last = rs.get(rs.size() - 1);
            double seconds = rs.stream().mapToDouble(EpochResult::seconds).sum();
            out.printf(Locale.ROOT, "| %s | %.4f | %.1f | %s |%n", m, last.testAccuracy(), seconds,
                    last.angles().length == 0 ? "-" : formatAngles(last.angles()));
        });
    }
}
