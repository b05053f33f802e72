package dev.kiln.cli;

import dev.kiln.data.Mnist;
import dev.kiln.engine.Engine;
import dev.kiln.train.Json;
import dev.kiln.zoo.TwoLayerTraining;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code kiln demo}: the two-layer network written with raw tensor ops, trained with plain SGD. */
final class DemoCommand {
    static final String HELP = """
            Usage: kiln demo [options]
              Trains a 784-hidden-10 network written with raw tensor ops (no layer library) with plain
              SGD on MNIST and prints its test accuracy.
              --data mnist|fashion-mnist   data set (default mnist)
              --data-dir DIR               data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
              --epochs N                   epochs (default 1)
              --batch B                    batch size (default 16)
              --lr X                       learning rate (default 0.2)
              --hidden H                   hidden units (default 256)
              --seed S                     random seed (default 1)
            """;

    private DemoCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args);
        String data = DataOptions.dataSet(options);
        Path dataDir = DataOptions.dataDir(options);
        TwoLayerTraining.Config config = new TwoLayerTraining.Config(
                options.getPositiveInt("hidden", 256), options.getPositiveInt("batch", 16), options.getDouble("lr", 0.2),
                options.getPositiveInt("epochs", 1), options.getInt("seed", 1));
        options.rejectUnknown();
        Mnist train = Mnist.load(dataDir, data, Mnist.Split.TRAIN);
        Mnist test = Mnist.load(dataDir, data, Mnist.Split.TEST);
        out.printf("Training 784-%d-10 on %s: %d images, batch %d, lr %s, %d epoch(s), backend %s%n",
                config.hidden(), data, train.count(), config.batch(), config.learningRate(), config.epochs(),
                Engine.get().backend().name());
        TwoLayerTraining.Result r = TwoLayerTraining.run(train, test, config, 500, p ->
                out.printf("epoch %d  batch %5d/%d  loss %.4f%n", p.epoch(), p.batchesDone(), p.batchesPerEpoch(), p.meanLoss()));
        out.printf("test accuracy %.2f%%  (last epoch %.1f s, %.0f samples/s)%n",
                100 * r.testAccuracy(), r.lastEpochSeconds(), r.samplesPerSecond());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model", "two-layer");
        summary.put("data", data);
        summary.put("epochs", config.epochs());
        summary.put("test_accuracy", TrainCommand.round(r.testAccuracy()));
        summary.put("train_loss", TrainCommand.round(r.lastEpochLoss()));
        summary.put("samples_per_s", Math.round(r.samplesPerSecond() * 10) / 10.0);
        summary.put("backend", Engine.get().backend().name());
        out.println(Json.line(summary));
        return 0;
    }
}
