package dev.kiln.cli;

import dev.kiln.data.DataDirectory;
import dev.kiln.data.Mnist;
import dev.kiln.engine.Engine;
import dev.kiln.zoo.TwoLayerTraining;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The {@code kiln} command. {@code kiln demo} trains a two-layer network written with raw tensor ops on
 * MNIST and prints its test accuracy; the last line is one JSON object with the final figures.
 */
public final class Kiln {
    private static final String USAGE = """
            Usage: kiln <command> [options]

            Commands:
              demo      Train a 784-hidden-10 network (raw tensor ops, plain SGD) on MNIST and print
                        test accuracy. Options:
                          --data mnist|fashion-mnist   data set (default mnist)
                          --data-dir DIR               data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
                          --epochs N                   epochs (default 1)
                          --batch B                    batch size (default 16)
                          --lr X                       learning rate (default 0.2)
                          --hidden H                   hidden units (default 256)
                          --seed S                     random seed (default 1)
              backends  List the backends on the class path and whether they can run here.

            Options for every command: --help. Backend: -Dkiln.backend=cpu|cuda or KILN_BACKEND.
            """;

    private Kiln() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "demo" -> demo(Options.parse(rest), out);
                case "backends" -> {
                    Engine.describeProviders().forEach(out::println);
                    yield 0;
                }
                default -> {
                    err.println("kiln: unknown command '" + args[0] + "'\n");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (Options.HelpRequested h) {
            out.print(USAGE);
            return 0;
        } catch (IllegalArgumentException | DataDirectory.DataMissingException e) {
            err.println("kiln " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            err.println("kiln " + args[0] + ": cannot read data: " + e.getMessage());
            return 1;
        }
    }

    private static int demo(Options options, PrintStream out) throws java.io.IOException, DataDirectory.DataMissingException {
        String data = options.get("data", "mnist");
        if (!data.equals("mnist") && !data.equals("fashion-mnist")) {
            throw new IllegalArgumentException("--data must be mnist or fashion-mnist, got '" + data + "'");
        }
        Path dataDir = options.has("data-dir") ? Path.of(options.get("data-dir", null)) : null;
        TwoLayerTraining.Config config = new TwoLayerTraining.Config(
                options.getInt("hidden", 256), options.getInt("batch", 16), options.getDouble("lr", 0.2),
                options.getInt("epochs", 1), options.getInt("seed", 1));
        options.rejectUnknown();
        Mnist train = Mnist.load(dataDir, data, Mnist.Split.TRAIN);
        Mnist test = Mnist.load(dataDir, data, Mnist.Split.TEST);
        out.printf("Training 784-%d-10 on %s: %d images, batch %d, lr %s, %d epoch(s), backend %s%n",
                config.hidden(), data, train.count(), config.batch(), config.learningRate(), config.epochs(),
                Engine.get().backend().name());
        TwoLayerTraining.Result r = TwoLayerTraining.run(train, test, config, 200, p ->
                out.printf("epoch %d  batch %5d/%d  loss %.4f%n", p.epoch(), p.batchesDone(), p.batchesPerEpoch(), p.meanLoss()));
        out.printf("test accuracy %.2f%%  (last epoch %.1f s, %.0f samples/s)%n",
                100 * r.testAccuracy(), r.lastEpochSeconds(), r.samplesPerSecond());
        out.println(String.format(Locale.ROOT,
                "{\"model\":\"two-layer\",\"data\":\"%s\",\"epochs\":%d,\"test_accuracy\":%.4f,\"train_loss\":%.4f,"
                        + "\"samples_per_s\":%.1f,\"backend\":\"%s\"}",
                data, config.epochs(), r.testAccuracy(), r.lastEpochLoss(), r.samplesPerSecond(), Engine.get().backend().name()));
        return 0;
    }
}
