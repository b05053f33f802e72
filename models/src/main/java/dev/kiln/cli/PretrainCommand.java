package dev.kiln.cli;

import dev.kiln.autoencoder.Autoencoder;
import dev.kiln.autoencoder.AutoencoderEpoch;
import dev.kiln.autoencoder.AutoencoderTrainer;
import dev.kiln.autoencoder.VariationalAutoencoder;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Datasets;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.Optimizers;
import dev.kiln.train.ImageGrid;
import dev.kiln.train.Json;
import dev.kiln.train.MetricsCsv;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingPlot;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code kiln pretrain MODEL ...}: trains an autoencoder of the zoo on the training images without their labels,
 * for {@code kiln finetune --from DIR/checkpoint.safetensors}. Writes the weights after every epoch, metrics,
 * a loss plot, test images beside their reconstructions and, for the VAE, images sampled from the prior.
 */
final class PretrainCommand {
    static final String HELP = """
            Usage: kiln pretrain MODEL [options]   MODEL: ae (stacked 784-256-64), tied (the same, tied weights),
                                           denoising (ae with masking noise 0.25), sparse (ae with an L1 code
                                           penalty), vae (variational, 784-256-16), conv
                                           (convolutional: 28x28 -> 14x14 -> 7x7 -> 64 codes and back
                                           through transposed convolutions)
            Trains on the training images without their labels.
              --data mnist|fashion-mnist   data set (default mnist)
              --data-dir DIR               data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
              --epochs N                   epochs (default 5)
              --batch B                    batch size (default 128)
              --lr X                       learning rate (default 0.001)
              --optimizer NAME             sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, nadam,
                                           radam, adamax, adadelta, rprop, asgd (default adam)
              --train-size N               train on a seeded random N of the training images (default all)
              --seed S                     random seed (default 1)
              --out DIR                    run directory (default: a new folder per run, runs/pretrain-MODEL-DATA,
                                           then -2, -3, ...): checkpoint.safetensors (weights, after every
                                           epoch), metrics.csv, metrics.json, training.png, reconstructions.png
                                           (test images left, reconstructions right) and, for vae, samples.png
                                           (decoded draws from the prior N(0, I)). A DIR that holds another
                                           run's checkpoint is refused
              --overwrite                  let --out DIR replace the run it holds
            The last line printed is one JSON object with the final figures (also DIR/metrics.json).
            """;

    /** A kiln pretrain run: its checkpoint marks it. */
    static final RunDirectory.Kind RUNS = RunDirectory.Kind.withoutResume("kiln pretrain", Trainer.CHECKPOINT);
    private static final int SHOWN = 32;

    private PretrainCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("name an autoencoder: kiln pretrain MODEL, one of " + Zoo.autoencoderNames());
        }
        String modelName = args[0];
        Options o = Options.parse(java.util.Arrays.copyOfRange(args, 1, args.length), Set.of(RunDirectory.OVERWRITE));
        String data = DataOptions.dataSet(o);
        Path dataDir = DataOptions.dataDir(o);
        int epochs = o.getPositiveInt("epochs", 5);
        int batch = o.getPositiveInt("batch", 128);
        double lr = o.getDouble("lr", 1e-3);
        String optimizerName = o.get("optimizer", "adam");
        int trainSize = DataOptions.trainSize(o);
        long seed = o.getInt("seed", 1);
        String outOption = o.get("out", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        o.rejectUnknown();
        Path outDir = RunDirectory.choose(RUNS, outOption, null, overwrite,
                Path.of("runs", "pretrain-" + modelName + "-" + data), out);

        Engine.seed(seed);
        // Closed on every way out (a refused optimizer, missing data, a failed write), so that a run inside a
        // longer-lived JVM frees its weights and the optimizer's state at once.
        try (Autoencoder model = Zoo.autoencoder(modelName, Mnist.PIXELS);
             Optimizer optimizer = Optimizers.create(optimizerName, model.trainableParameters(), lr)) {
            Dataset train = new DataOptions.Sampling(trainSize, 0).apply(MnistDataset.load(dataDir, data, Mnist.Split.TRAIN), seed);
            Dataset test = MnistDataset.load(dataDir, data, Mnist.Split.TEST);
            DataLoader trainLoader = new DataLoader(train, batch, true, seed);
            DataLoader testLoader = new DataLoader(test, 1000, false, seed);

            Files.createDirectories(outDir);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("model", modelName);
            metadata.put("kind", "autoencoder");
            metadata.put("data", data);
            metadata.put("optimizer", optimizerName);
            MetricsCsv csv = new MetricsCsv(outDir, List.of("epoch", "train_loss", "test_loss", "test_reconstruction_mse",
                    "seconds", "samples_per_s"));
            List<AutoencoderEpoch> history = new ArrayList<>();
            AutoencoderTrainer trainer = new AutoencoderTrainer(model, optimizer)
                    .batchListener(new ProgressBars(out))
                    .epochListener(e -> {
                        history.add(e);
                        out.printf(Locale.ROOT, "epoch %d: train loss %.5f | test loss %.5f, reconstruction MSE %.5f | %.1f s,"
                                + " %.0f samples/s%n", e.epoch(), e.trainLoss(), e.validationLoss(), e.validationError(),
                                e.seconds(), e.samplesPerSecond());
                        try {
                            metadata.put("epoch", Integer.toString(e.epoch()));
                            Trainer.writeModel(outDir.resolve(Trainer.CHECKPOINT), model, metadata);
                            csv.append(row(e));
                            plot(outDir.resolve("training.png"), history);
                        } catch (IOException x) {
                            throw new UncheckedIOException("cannot write the run directory " + outDir, x);
                        }
                    });
            out.printf("Pretraining %s (%s) on %s without labels: %d training images, batch %d, %s lr %s, %d epochs, backend %s,"
                    + " output %s%n", modelName, model, data, train.size(), batch, optimizerName, lr, epochs,
                    Engine.get().backend().name(), outDir);
            out.print(model.summary(1, 1, 28, 28));
            long start = System.nanoTime();
            trainer.fit(trainLoader, testLoader, epochs);
            double seconds = (System.nanoTime() - start) / 1e9;

            Path reconstructions = outDir.resolve("reconstructions.png");
            drawReconstructions(reconstructions, model, test, modelName + " on " + data + ": test images | reconstructions");
            out.println("Reconstructions: " + reconstructions);
            Path samples = null;
            if (model instanceof VariationalAutoencoder vae) {
                samples = outDir.resolve("samples.png");
                try (Scope s = Scope.open()) {
                    ImageGrid.grid(samples, vae.sample(64), 28, 28, 8, modelName + ": 64 samples from the prior N(0, I)");
                }
                out.println("Samples: " + samples);
            }
            AutoencoderTrainer.Evaluation result = AutoencoderTrainer.evaluate(model, testLoader);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", modelName);
            summary.put("data", data);
            summary.put("epochs", history.isEmpty() ? 0 : history.get(history.size() - 1).epoch());
            summary.put("train_images", train.size());
            summary.put("test_loss", TrainCommand.round(result.loss(), 5));
            summary.put("test_reconstruction_mse", TrainCommand.round(result.error(), 5));
            summary.put("samples_per_s", history.isEmpty() ? 0 : Math.round(medianSamplesPerSecond(history) * 10) / 10.0);
            summary.put("seconds", Math.round(seconds * 10) / 10.0);
            summary.put("checkpoint", outDir.resolve(Trainer.CHECKPOINT).toString());
            summary.put("reconstructions", reconstructions.toString());
            if (samples != null) {
                summary.put("samples", samples.toString());
            }
            summary.put("backend", Engine.get().backend().name());
            Json.write(outDir.resolve("metrics.json"), summary);
            out.println(Json.line(summary));
            return 0;
        }
    }

    private static Map<String, Object> row(AutoencoderEpoch e) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", e.epoch());
        row.put("train_loss", e.trainLoss());
        row.put("test_loss", e.validationLoss());
        row.put("test_reconstruction_mse", e.validationError());
        row.put("seconds", e.seconds());
        row.put("samples_per_s", e.samplesPerSecond());
        return row;
    }

    private static void plot(Path png, List<AutoencoderEpoch> history) throws IOException {
        List<Integer> epochs = new ArrayList<>();
        Map<String, List<Double>> loss = new LinkedHashMap<>();
        loss.put("train", new ArrayList<>());
        loss.put("test", new ArrayList<>());
        for (AutoencoderEpoch e : history) {
            epochs.add(e.epoch());
            loss.get("train").add(e.trainLoss());
            loss.get("test").add(e.validationLoss());
        }
        TrainingPlot.write(png, epochs, loss, Map.of());
    }

    /** The first {@value #SHOWN} test images beside their reconstructions in evaluation mode. */
    private static void drawReconstructions(Path png, Autoencoder model, Dataset test, String title) throws IOException {
        int n = Math.min(SHOWN, test.size());
        float[] pixels = Datasets.firstFeatures(test, n);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.fromArray(pixels, n, Mnist.PIXELS);
            ImageGrid.pairs(png, x, model.forward(x), 28, 28, 4, title);
        } finally {
            model.train(wasTraining);
        }
    }

    /** Median of the epochs' throughput, leaving out epoch 1 (warm-up) when there are more. */
    private static double medianSamplesPerSecond(List<AutoencoderEpoch> history) {
        return TrainCommand.medianAfterWarmUp(history.stream().mapToDouble(AutoencoderEpoch::samplesPerSecond)
                .toArray());
    }
}
