package dev.kiln.cli;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.gan.BceGanLoss;
import dev.kiln.gan.Dcgan;
import dev.kiln.gan.GanCheckpoint;
import dev.kiln.gan.GanEpoch;
import dev.kiln.gan.GanLoss;
import dev.kiln.gan.GanTrainer;
import dev.kiln.gan.WganGpLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.ImageGrid;
import dev.kiln.train.Json;
import dev.kiln.train.MetricsCsv;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingPlot;
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
 * {@code kiln gan}: trains a {@link Dcgan} on MNIST or Fashion-MNIST without labels and draws, after every epoch, the
 * images it makes of one fixed batch of noise; {@code kiln gan --resume FILE} continues a run from its checkpoint
 * ({@link GanCheckpoint}), {@code kiln gan --sample FILE} draws new images from one.
 */
final class GanCommand {
    static final String HELP = """
            Usage: kiln gan [options]               train a DCGAN (PyTorch's DCGAN tutorial scaled to 28x28 images)
                   kiln gan --sample FILE [options] draw images from a kiln gan checkpoint
            Training, on the training images without their labels:
              --data mnist|fashion-mnist   data set (default mnist)
              --data-dir DIR               data root (default: $KILN_DATA, ~/.kiln/data, ../shared/data)
              --epochs N                   the last epoch to train, counted over the whole run: with
                                           --resume, the total, not the epochs to add (default 3)
              --batch B                    batch size (default 64)
              --lr X                       Adam learning rate of both networks (default 0.0002, betas 0.5 and 0.999;
                                           wgan-gp: 0.0005, five times the paper's, betas 0 and 0.9)
              --latent Z                   noise dimensions (default 100)
              --feature-maps F             feature maps of the networks' stages, F and 2F (default 32; the
                                           tutorial's 64 takes about four times as long)
              --loss NAME                  bce: binary cross-entropy, the generator's loss non-saturating
                                           (default); wgan-gp: Wasserstein loss with a gradient penalty (Gulrajani
                                           et al. 2017), the discriminator a critic with layer norm for batch norm
              --critic-steps N             discriminator (critic) updates per generator update (default 1; wgan-gp 5)
              --gp-weight X                wgan-gp's gradient penalty weight lambda (default 10)
              --train-size N               train on a seeded random N of the training images (default all)
              --seed S                     random seed (default 1)
              --out DIR                    run directory (default: a new folder per run, runs/gan-DATA, then
                                           -2, -3, ...; with --resume, the checkpoint's directory):
                                           checkpoint.safetensors (after every epoch: both networks' weights,
                                           both optimizers' state, the fixed noise, each epoch's figures and
                                           the random state), metrics.csv, metrics.json, training.png (both
                                           losses per epoch; wgan-gp also the critic's Wasserstein estimate
                                           and gradient penalty), samples-epochN.png (the images of one fixed
                                           batch of 64 noise vectors after epoch N). A DIR that holds another
                                           run's checkpoint is refused
              --overwrite                  let --out DIR replace the run it holds
              --resume FILE                continue from the checkpoint.safetensors of an earlier run, with the
                                           same options (data, loss, lr, latent, feature maps, critic steps,
                                           gp weight, batch, train size and seed); --epochs may be raised. The
                                           run goes on as if it had not stopped: same batches, noise, sample
                                           grids, metrics.csv and plot. Ctrl-C (or SIGTERM) stops a run at
                                           once and prints the --resume command that continues it
            Sampling:
              --sample FILE                the checkpoint.safetensors of a kiln gan run
              --count N                    images to draw (default 64)
              --seed S                     random seed of the noise (default 1)
              --out PNG                    the image grid (default samples.png beside the checkpoint)
            The last line printed is one JSON object with the figures (also DIR/metrics.json after training).
            """;
    static final String MODEL = "dcgan";
    static final String KIND = "gan";
    /** A kiln gan run: its checkpoint, which --resume continues. */
    static final RunDirectory.Kind RUNS = new RunDirectory.Kind("kiln gan", Trainer.CHECKPOINT,
            List.of(Trainer.CHECKPOINT));
    /** Height and width of MNIST's images. */
    private static final int SIDE = 28;
    private static final int FIXED_SAMPLES = 64;
    /**
     * WGAN-GP's Adam learning rate here: five times the paper's {@value WganGpLoss#LEARNING_RATE}, at which MNIST
     * digits take several times as many generator steps (measured with the LeNet judge of GanConvergenceTest: after
     * 300 generator steps, confidence 0.49 and class entropy 1.58 at the paper's rate, 0.76 and 2.15 at this one).
     */
    private static final double WGAN_GP_LEARNING_RATE = 5e-4;
    private static final int COLUMNS = 8;

    private GanCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, Set.of(RunDirectory.OVERWRITE));
        return o.has("sample") ? sample(o, out) : train(o, args, out);
    }

    /** A loss's paper settings: Adam's, the critic steps per generator step and the discriminator's norm. */
    private record Recipe(double lr, double beta1, double beta2, int criticSteps, Dcgan.DiscriminatorNorm norm) {
        static Recipe of(GanLoss loss) {
            return loss instanceof WganGpLoss
                    ? new Recipe(WGAN_GP_LEARNING_RATE, WganGpLoss.BETA1, WganGpLoss.BETA2, WganGpLoss.CRITIC_STEPS,
                    Dcgan.DiscriminatorNorm.LAYER)
                    : new Recipe(GanTrainer.LEARNING_RATE, GanTrainer.BETA1, GanTrainer.BETA2, 1,
                    Dcgan.DiscriminatorNorm.BATCH);
        }
    }

    /** The loss {@code --loss} names, with {@code --gp-weight} where it is wgan-gp (and refused elsewhere). */
    private static GanLoss loss(Options o) {
        GanLoss loss = GanLoss.named(o.get("loss", BceGanLoss.NAME));
        if (!(loss instanceof WganGpLoss)) {
            if (o.has("gp-weight")) {
                throw new IllegalArgumentException("--gp-weight applies to --loss " + WganGpLoss.NAME + " only, not "
                        + loss.name());
            }
            return loss;
        }
        return new WganGpLoss(o.getPositiveDouble("gp-weight", WganGpLoss.GP_WEIGHT));
    }

    private static int train(Options o, String[] args, PrintStream out) throws Exception {
        String data = DataOptions.dataSet(o);
        Path dataDir = DataOptions.dataDir(o);
        int epochs = o.getPositiveInt("epochs", 3);
        int batch = o.getPositiveInt("batch", 64);
        GanLoss loss = loss(o);
        Recipe recipe = Recipe.of(loss);
        double lr = o.getPositiveDouble("lr", recipe.lr());
        int criticSteps = o.getPositiveInt("critic-steps", recipe.criticSteps());
        int latent = o.getPositiveInt("latent", 100);
        int featureMaps = o.getPositiveInt("feature-maps", 32);
        int trainSize = DataOptions.trainSize(o);
        long seed = o.getInt("seed", 1);
        String outOption = o.get("out", null);
        String resume = o.get("resume", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        o.rejectUnknown();
        Path outDir = RunDirectory.choose(RUNS, outOption, resume, overwrite, Path.of("runs", "gan-" + data), out);

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("model", MODEL);
        metadata.put("kind", KIND);
        metadata.put("data", data);
        metadata.put("loss", loss.name());
        metadata.put("latent", Integer.toString(latent));
        metadata.put("feature_maps", Integer.toString(featureMaps));
        metadata.put("discriminator_norm", recipe.norm().label());
        metadata.put("channels", "1");
        metadata.put("height", Integer.toString(SIDE));
        metadata.put("width", Integer.toString(SIDE));
        metadata.put("lr", Double.toString(lr));
        metadata.put("critic_steps", Integer.toString(criticSteps));
        if (loss instanceof WganGpLoss w) {
            metadata.put("gp_weight", Double.toString(w.gpWeight()));
        }
        metadata.put("batch", Integer.toString(batch));
        metadata.put("train_size", Integer.toString(trainSize));
        metadata.put("seed", Long.toString(seed));
        if (resume != null) {
            requireSameRun(Path.of(resume), metadata);
        }

        Engine.seed(seed);
        Dataset train = new DataOptions.Sampling(trainSize, 0).apply(MnistDataset.load(dataDir, data, Mnist.Split.TRAIN),
                seed);
        Files.createDirectories(outDir);
        List<String> columns = new ArrayList<>(List.of("epoch", "discriminator_loss", "generator_loss"));
        columns.addAll(loss.termNames());
        columns.addAll(List.of("seconds", "samples_per_s"));
        List<GanEpoch> history = new ArrayList<>();
        Path[] lastSamples = new Path[1];
        try (Dcgan model = new Dcgan(latent, featureMaps, 1, SIDE, SIDE, recipe.norm());
             Tensor fixedNoise = Scope.outside(() -> model.noise(FIXED_SAMPLES));
             Optimizer generatorAdam = new Adam(model.generator().trainableParameters(), lr)
                     .betas(recipe.beta1(), recipe.beta2());
             Optimizer discriminatorAdam = new Adam(model.discriminator().trainableParameters(), lr)
                     .betas(recipe.beta1(), recipe.beta2());
             DataLoader loader = new DataLoader(train, batch, true, seed)) {
            ProgressBars bars = new ProgressBars(out);
            GanTrainer trainer = new GanTrainer(model, loss, generatorAdam, discriminatorAdam).criticSteps(criticSteps)
                    .stepListener((epoch, step, steps, d, g, terms) -> bars.onBatchEnd(epoch, step, steps,
                            String.format(Locale.ROOT, "D %.4f G %.4f", d, g) + listed(terms, " ")));
            if (resume != null) {
                GanCheckpoint.Resumed resumed = GanCheckpoint.resume(Path.of(resume), trainer, fixedNoise);
                if (resumed.epoch() >= epochs) {
                    out.printf("%s is already at epoch %d of --epochs %d: nothing to train; %s is left as it was%n",
                            resume, resumed.epoch(), epochs, outDir);
                    return 0;
                }
                history.addAll(resumed.history());
                out.printf("resumed after epoch %d of %s%n", resumed.epoch(), resume);
            }
            MetricsCsv csv = metricsCsv(outDir, columns, history);
            trainer.epochListener(e -> {
                history.add(e);
                out.printf(Locale.ROOT, "epoch %d: discriminator loss %.4f | generator loss %.4f%s | %.1f s,"
                        + " %.0f images/s%n", e.epoch(), e.discriminatorLoss(), e.generatorLoss(),
                        listed(e.terms(), " | "), e.seconds(), e.samplesPerSecond());
                try {
                    GanCheckpoint.write(outDir.resolve(Trainer.CHECKPOINT), trainer, fixedNoise, history, metadata);
                    csv.append(row(e));
                    plot(outDir.resolve("training.png"), history);
                    lastSamples[0] = outDir.resolve("samples-epoch" + e.epoch() + ".png");
                    draw(lastSamples[0], model, fixedNoise, MODEL + " on " + data + ", epoch " + e.epoch()
                            + ": " + FIXED_SAMPLES + " images of fixed noise");
                } catch (IOException x) {
                    throw new UncheckedIOException("cannot write the run directory " + outDir, x);
                }
            });
            out.printf("Training a GAN (%s) on %s without labels: %d training images, batch %d, %s, %d discriminator"
                    + " step(s) per generator step, Adam lr %s betas (%s, %s), %d epochs, backend %s, output %s%n",
                    model, data, train.size(), batch, described(loss), criticSteps, lr, recipe.beta1(), recipe.beta2(),
                    epochs, Engine.get().backend().name(), outDir);
            out.printf(Locale.ROOT, "%,d generator and %,d discriminator parameters%n",
                    model.generator().parameterCount(), model.discriminator().parameterCount());
            long start = System.nanoTime();
            try (InterruptedRun watched = InterruptedRun.watch(RUNS, List.of(args), outDir, resume, out)) {
                trainer.fit(loader, epochs - trainer.epoch());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println("Samples: " + lastSamples[0]);
            GanEpoch last = history.get(history.size() - 1);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", MODEL);
            summary.put("data", data);
            summary.put("loss", loss.name());
            summary.put("critic_steps", criticSteps);
            summary.put("epochs", last.epoch());
            summary.put("train_images", train.size());
            summary.put("discriminator_loss", TrainCommand.round(last.discriminatorLoss(), 5));
            summary.put("generator_loss", TrainCommand.round(last.generatorLoss(), 5));
            last.terms().forEach((name, value) -> summary.put(name, TrainCommand.round(value, 5)));
            summary.put("samples_per_s", Math.round(TrainCommand.medianAfterWarmUp(history.stream()
                    .mapToDouble(GanEpoch::samplesPerSecond).toArray()) * 10) / 10.0);
            summary.put("seconds", Math.round(seconds * 10) / 10.0);
            summary.put("checkpoint", outDir.resolve(Trainer.CHECKPOINT).toString());
            summary.put("samples", lastSamples[0].toString());
            summary.put("backend", Engine.get().backend().name());
            Json.write(outDir.resolve("metrics.json"), summary);
            out.println(Json.line(summary));
        }
        return 0;
    }

    /**
     * Refuses to resume from {@code file} unless it is a kiln gan checkpoint trained with this run's {@code settings},
     * before any data is loaded.
     */
    private static void requireSameRun(Path file, Map<String, String> settings) throws IOException {
        Map<String, String> recorded = Trainer.metadata(file);
        if (!MODEL.equals(recorded.get("model"))) {
            throw new IllegalArgumentException("--resume " + file + " is not a kiln gan checkpoint (model "
                    + recorded.get("model") + ")");
        }
        ResumeCheck.requireSameRun(recorded, settings, file.toString());
    }

    /** metrics.csv with a row for each epoch of {@code history}: those of the run being resumed, or none. */
    private static MetricsCsv metricsCsv(Path dir, List<String> columns, List<GanEpoch> history) throws IOException {
        MetricsCsv csv = new MetricsCsv(dir, columns);
        for (GanEpoch e : history) {
            csv.append(row(e));
        }
        return csv;
    }

    private static int sample(Options o, PrintStream out) throws IOException {
        Path file = Path.of(o.get("sample", null));
        int count = o.getPositiveInt("count", FIXED_SAMPLES);
        long seed = o.getInt("seed", 1);
        Path png = Path.of(o.get("out", file.toAbsolutePath().resolveSibling("samples.png").toString()));
        o.rejectUnknown();
        Map<String, String> meta = Trainer.metadata(file);
        if (!MODEL.equals(meta.get("model"))) {
            throw new IllegalArgumentException(file + " is not a kiln gan checkpoint (model " + meta.get("model") + ")");
        }
        Engine.seed(seed);
        try (Dcgan model = architecture(meta)) {
            Trainer.loadModel(file, model);
            try (Scope s = Scope.open()) {
                draw(png, model, model.noise(count), MODEL + " on " + meta.get("data") + ", epoch " + meta.get("epoch")
                        + ": " + count + " images, seed " + seed);
            }
        }
        out.println("Samples: " + png);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("checkpoint", file.toString());
        summary.put("samples", png.toString());
        summary.put("count", count);
        summary.put("seed", seed);
        out.println(Json.line(summary));
        return 0;
    }

    /** The network a checkpoint's metadata describes, with fresh weights to load its own into. */
    private static Dcgan architecture(Map<String, String> meta) {
        return new Dcgan(Integer.parseInt(meta.get("latent")), Integer.parseInt(meta.get("feature_maps")),
                Integer.parseInt(meta.get("channels")), Integer.parseInt(meta.get("height")),
                Integer.parseInt(meta.get("width")), Dcgan.DiscriminatorNorm.labelled(meta.getOrDefault(
                "discriminator_norm", Dcgan.DiscriminatorNorm.BATCH.label())));
    }

    /**
     * The generator's images of {@code noise} as a grid of pixels in [0, 1], in evaluation mode (batch norm with its
     * running statistics) and without recording gradients; the previous mode is restored.
     */
    private static void draw(Path png, Dcgan model, Tensor noise, String title) throws IOException {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            ImageGrid.grid(png, Dcgan.toPixels(model.generate(noise)), model.height(), model.width(), COLUMNS, title);
        } finally {
            model.train(wasTraining);
        }
    }

    private static Map<String, Object> row(GanEpoch e) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", e.epoch());
        row.put("discriminator_loss", e.discriminatorLoss());
        row.put("generator_loss", e.generatorLoss());
        row.putAll(e.terms());
        row.put("seconds", e.seconds());
        row.put("samples_per_s", e.samplesPerSecond());
        return row;
    }

    /** "bce loss", or "wgan-gp loss (gradient penalty weight 10.0)". */
    private static String described(GanLoss loss) {
        return loss.name() + " loss" + (loss instanceof WganGpLoss w ? " (gradient penalty weight " + w.gpWeight() + ")"
                : "");
    }

    /** Both losses per epoch, and beside them the discriminator loss's terms where it has any. */
    private static void plot(Path png, List<GanEpoch> history) throws IOException {
        List<Integer> epochs = new ArrayList<>();
        Map<String, List<Double>> loss = new LinkedHashMap<>();
        loss.put("discriminator", new ArrayList<>());
        loss.put("generator", new ArrayList<>());
        Map<String, List<Double>> terms = new LinkedHashMap<>();
        for (GanEpoch e : history) {
            epochs.add(e.epoch());
            loss.get("discriminator").add(e.discriminatorLoss());
            loss.get("generator").add(e.generatorLoss());
            e.terms().forEach((name, value) -> terms.computeIfAbsent(spaced(name), k -> new ArrayList<>()).add(value));
        }
        List<TrainingPlot.Panel> panels = new ArrayList<>(List.of(new TrainingPlot.Panel("Loss", "loss", loss)));
        if (!terms.isEmpty()) {
            panels.add(new TrainingPlot.Panel("The discriminator loss's terms", "value", terms));
        }
        TrainingPlot.write(png, epochs, panels);
    }

    /** Each term as {@code separator + "name value"}, its name spaced: " | wasserstein estimate 0.1234", say. */
    private static String listed(Map<String, Double> terms, String separator) {
        StringBuilder s = new StringBuilder();
        terms.forEach((name, value) -> s.append(separator).append(spaced(name))
                .append(String.format(Locale.ROOT, " %.4f", value)));
        return s.toString();
    }

    private static String spaced(String name) {
        return name.replace('_', ' ');
    }
}
