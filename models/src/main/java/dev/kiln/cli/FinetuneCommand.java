package dev.kiln.cli;

import dev.kiln.autoencoder.Autoencoder;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Mnist;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.Optimizers;
import dev.kiln.optim.ParamGroup;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.transfer.Transfer;
import dev.kiln.zoo.Zoo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code kiln finetune --from CHECKPOINT ...}: transfer learning. Copies the first layers of a classifier trained
 * by {@code kiln train} (or the encoder of an autoencoder trained by {@code kiln pretrain}), puts a new dense head
 * on them, freezes what was asked, and trains on the target data with {@link Trainer}, writing the same run
 * directory and JSON last line as {@code kiln train}. {@code kiln finetune --onnx F} trains every weight of an
 * imported ONNX classifier instead ({@link OnnxFinetuneRun}).
 */
final class FinetuneCommand {
    static final String HELP = """
            Usage: kiln finetune --from CHECKPOINT [options]
            Copies the first layers of a model trained by kiln train (mlp, lenet, resnet), or the encoder of an
            autoencoder trained by kiln pretrain, puts a new dense head on them and trains on labelled images.
              --from FILE                  checkpoint of the trained model (required)
              --model NAME                 the model the checkpoint must hold (default: the one it names)
              --layers N                   keep the first N modules of the trained model (default: all but the
                                           last of a classifier, i.e. a new output layer; all of an encoder)
              --freeze all|none|K          all: train only the new head (frozen features); none: fine-tune every
                                           layer; K: the head and the top K kept layers that have weights
                                           (default all). Frozen batch norms keep their running statistics.
              --weights pretrained|random  random: the same network with fresh weights, trained the same way:
                                           the from-scratch baseline (default pretrained)
                --data mnist|fashion-mnist|folder:DIR|csv:DIR
                                           target data set (default mnist), with any number of classes; your
                                           own as kiln train reads it (kiln train --help), its images grey
                                           28 x 28 as the trained model's: e.g. --data folder:DIR --channels 1
                                           --image-size 28x28, or --data csv:DIR --shape 1,28,28
              --data-dir DIR               data root of mnist and fashion-mnist (default: $KILN_DATA,
                                           ~/.kiln/data, ../shared/data)
              --channels, --image-size     folder: as kiln train's
              --label, --shape, --scale    csv: as kiln train's
              --per-class N                train on a seeded random N images of each class (default: all images)
              --train-size N               train on a seeded random N images instead
              --epochs N                   epochs (default 10)
              --batch B                    batch size (default 64)
              --lr X                       learning rate of the head (default 0.001)
              --lr-decay D                 each kept layer learns at D times the rate of the layer above it, D in
                                           (0, 1] (discriminative fine-tuning; default 1: one rate for all)
              --optimizer NAME             sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, nadam,
                                           radam, adamax, adadelta, rprop, asgd (default adam)
              --weight-decay X             weight decay of every layer (default: the optimizer's)
              --seed S                     random seed: head, image sample, shuffling (default 1)
              --out DIR                    run directory: checkpoint, metrics.csv, metrics.json, training.png
                                           (default: a new folder per run, runs/finetune-MODEL-DATA, then -2,
                                           -3, ...); kiln eval reads the checkpoint. A DIR that holds another
                                           run's checkpoint is refused
              --overwrite                  let --out DIR replace the run it holds
            The last line printed is one JSON object with the final figures (also DIR/metrics.json).

            Usage: kiln finetune --onnx FILE [--data D] [--input-shape S] [options]
            Imports an ONNX classifier (kiln export --onnx, torch.onnx.export) and trains every one of its
            weights on labelled images, keeping its output layer (the data must have as many classes as it
            has outputs); writes DIR/finetuned.onnx with the trained weights (kiln eval --onnx reads it) and
            the run directory as above (kiln eval --checkpoint reads its checkpoints while FILE stays where it
            is). It trains as PyTorch trains a module: batch norms normalise with each batch's statistics and
            update the running ones that finetuned.onnx carries, dropout drops.
              --onnx FILE                  the model (required)
              --input-shape S              the shape the model takes per example, e.g. 784 or 1,28,28
                                           (default: the data set's)
              --data, --data-dir, --channels, --image-size, --label, --shape, --scale, --per-class,
              --train-size, --epochs, --batch, --lr, --optimizer, --seed, --out, --overwrite
                                           as above (--out default runs/finetune-onnx-DATA, then -2, ...)
            """;

    /** The metadata value of {@code model} in a fine-tuned checkpoint. */
    static final String MODEL = "finetune";
    /** A kiln finetune run (either kind): its checkpoint, or the ONNX file it writes, marks it. */
    static final RunDirectory.Kind RUNS = RunDirectory.Kind.withoutResume("kiln finetune", Trainer.CHECKPOINT,
            OnnxFinetuneRun.TUNED);

    /** What a model of kiln train on MNIST or Fashion-MNIST, or of kiln pretrain, takes: one grey 28 x 28 image. */
    private static final int[] SOURCE_SHAPE = {1, 28, 28};

    private FinetuneCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, Set.of(RunDirectory.OVERWRITE));
        if (o.has("onnx")) {
            return OnnxFinetuneRun.run(o, out);
        }
        String from = o.get("from", null);
        if (from == null) {
            throw new IllegalArgumentException("--from CHECKPOINT is required: a checkpoint of kiln train or kiln pretrain");
        }
        String expectedModel = o.get("model", null);
        Integer layersOption = o.has("layers") ? o.getInt("layers", 0) : null;
        String freeze = o.get("freeze", "all");
        String weights = o.get("weights", "pretrained");
        ClassificationData target = ClassificationData.fromOptions(o);
        DataOptions.Sampling sampling = DataOptions.sampling(o);
        int epochs = o.getPositiveInt("epochs", 10);
        int batch = o.getPositiveInt("batch", 64);
        double lr = o.getDouble("lr", 1e-3);
        double lrDecay = o.getDouble("lr-decay", 1);
        String optimizerName = o.get("optimizer", "adam");
        Double weightDecay = o.has("weight-decay") ? o.getDouble("weight-decay", 0) : null;
        long seed = o.getInt("seed", 1);
        String outOption = o.get("out", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        o.rejectUnknown();
        if (!weights.equals("pretrained") && !weights.equals("random")) {
            throw new IllegalArgumentException("--weights must be pretrained or random, got '" + weights + "'");
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw new IllegalArgumentException("--lr-decay must be in (0, 1], got " + lrDecay);
        }

        Path file = Path.of(from);
        Map<String, String> meta = Trainer.metadata(file);
        String sourceModel = meta.get("model");
        if (sourceModel == null || sourceModel.equals(MODEL)) {
            throw new IllegalArgumentException(file + (sourceModel == null ? " names no model in its metadata"
                    : " is itself a fine-tuned model") + "; give a checkpoint of kiln train or kiln pretrain");
        }
        if (ClassificationData.kindOf(meta) != ClassificationData.Kind.MNIST) {
            throw new IllegalArgumentException(file + " was trained on --data " + meta.get("data") + "; kiln finetune"
                    + " starts from a model trained on mnist or fashion-mnist");
        }
        if (expectedModel != null && !expectedModel.equals(sourceModel)) {
            throw new IllegalArgumentException("--model " + expectedModel + ": " + file + " holds a " + sourceModel);
        }
        String kind = meta.getOrDefault("kind", "classifier");
        double dropout = Double.parseDouble(meta.getOrDefault("dropout", "0"));
        Path outDir = RunDirectory.choose(RUNS, outOption, null, overwrite,
                Path.of("runs", "finetune-" + sourceModel + "-" + target.runName()), out);
        ClassificationData.TrainAndTest splits = target.trainAndTest();
        requireSourceShape(file, sourceModel, target, splits.train());
        int classes = splits.train().classNames().size();

        Engine.seed(seed);
        Sequential model;
        int layers;
        int kept;
        try (Module source = source(kind, sourceModel, dropout)) {
            if (weights.equals("pretrained")) {
                Trainer.loadModel(file, source);
            }
            Sequential sourceLayers = layersOf(source);
            layers = layersOption != null ? layersOption : kind.equals("autoencoder") ? sourceLayers.size() : sourceLayers.size() - 1;
            if (layers < 0 || layers > sourceLayers.size()) {
                throw new IllegalArgumentException("--layers " + layers + ": " + sourceModel + " has " + sourceLayers.size()
                        + " modules to keep from, so N must be in [0, " + sourceLayers.size() + "]");
            }
            model = withHead(sourceLayers, layers, classes);
            kept = Transfer.weightedLayers(Transfer.firstLayers(sourceLayers, layers, Transfer.Weights.SHARE)).size();
        }
        // Closed on every way out (a refused --freeze or optimizer, a failed write), so that a run inside a
        // longer-lived JVM frees its weights and the optimizer's state at once.
        try (model; Optimizer optimizer = Optimizers.createForGroups(optimizerName,
                trainableGroups(model, freeze, kept, lr, lrDecay, weightDecay))) {
            Dataset train = sampling.apply(splits.train().data(), seed);
            Dataset test = splits.test().data();
            DataLoader trainLoader = new DataLoader(train, batch, true, seed);
            DataLoader testLoader = new DataLoader(test, 1000, false, seed);

            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("model", MODEL);
            metadata.put("source_model", sourceModel);
            metadata.put("source_kind", kind);
            metadata.put("dropout", Double.toString(dropout));
            metadata.put("layers", Integer.toString(layers));
            metadata.put("from", file.toString());
            metadata.put("weights", weights);
            metadata.put("freeze", freeze);
            metadata.put("data", target.spec());
            metadata.putAll(target.metadata(splits.train()));
            metadata.put("optimizer", optimizerName);
            Trainer trainer = new Trainer(model, optimizer, new CrossEntropyLoss()).checkpoints(outDir, metadata);
            RunOutputs outputs = new RunOutputs(outDir, "test", out, 0, null);
            trainer.listener(outputs);
            long trainable = model.trainableParameters().stream().mapToLong(Tensor::size).sum();
            out.printf("Fine-tuning the first %d modules of %s (%s weights from %s) with a new head %s; freeze %s: %,d of %,d"
                            + " parameters trainable%n", layers, sourceModel, weights, file, model.get(model.size() - 1), freeze,
                    trainable, model.parameterCount());
            out.printf("%s: %d training images, batch %d, %s lr %s (x%s per layer down), %d epochs, backend %s, output %s%n",
                    target.spec(), train.size(), batch, optimizerName, lr, lrDecay, epochs, Engine.get().backend().name(),
                    outDir);
            out.print(model.summary(1, 1, 28, 28));
            long start = System.nanoTime();
            List<EpochMetrics> history = trainer.fit(trainLoader, testLoader, epochs);
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation result = trainer.evaluate(testLoader);
            Evaluation onTrain = trainer.evaluate(new DataLoader(train, 1000, false, seed));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", MODEL);
            summary.put("source_model", sourceModel);
            summary.put("from", file.toString());
            summary.put("weights", weights);
            summary.put("layers", layers);
            summary.put("freeze", freeze);
            summary.put("data", target.spec());
            summary.put("classes", classes);
            summary.put("train_images", train.size());
            summary.put("epochs", history.isEmpty() ? 0 : history.get(history.size() - 1).epoch());
            summary.put("test_accuracy", TrainCommand.round(result.accuracy()));
            summary.put("test_loss", TrainCommand.round(result.loss()));
            summary.put("train_accuracy", TrainCommand.round(onTrain.accuracy()));
            summary.put("trainable_params", trainable);
            summary.put("samples_per_s", history.isEmpty() ? 0 : Math.round(TrainCommand.median(history) * 10) / 10.0);
            summary.put("train_seconds", Math.round(history.stream().mapToDouble(EpochMetrics::seconds).sum() * 10) / 10.0);
            summary.put("seconds", Math.round(seconds * 10) / 10.0);
            summary.put("backend", Engine.get().backend().name());
            outputs.finish(summary, trainer.restoredBestWeights());
            return 0;
        }
    }

    /**
     * Freezes the model but its head and the top kept layers that {@code --freeze} leaves trainable; returns the
     * trainable layers' parameter groups ({@link Transfer#layerGroups}), with {@code weightDecay} where given.
     */
    private static List<ParamGroup> trainableGroups(Sequential model, String freeze, int kept, double lr,
                                                    double lrDecay, Double weightDecay) {
        int trainableTop = switch (freeze) {
            case "all" -> 0;
            case "none" -> kept;
            default -> parseK(freeze, kept);
        };
        Transfer.freezeAllButTop(model, trainableTop + 1);
        List<ParamGroup> groups = Transfer.layerGroups(model, lr, lrDecay);
        if (weightDecay != null) {
            groups.forEach(g -> g.setWeightDecay(weightDecay));
        }
        return groups;
    }

    /** Refuses target data whose features are not the [1, 28, 28] images the trained model takes. */
    private static void requireSourceShape(Path file, String sourceModel, ClassificationData target,
                                           ClassificationData.Split train) {
        int[] shape = train.data().featureShape();
        if (!Arrays.equals(shape, SOURCE_SHAPE)) {
            throw new IllegalArgumentException("--data " + target.spec() + " has features of shape "
                    + Arrays.toString(shape) + ", but " + sourceModel + " of " + file + " takes "
                    + Arrays.toString(SOURCE_SHAPE) + ": give folder data --channels 1 --image-size 28x28, csv data"
                    + " --shape 1,28,28");
        }
    }

    private static int parseK(String freeze, int kept) {
        int k;
        try {
            k = Integer.parseInt(freeze);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--freeze must be all, none or a number of layers, got '" + freeze + "'");
        }
        if (k < 0 || k > kept) {
            throw new IllegalArgumentException("--freeze " + k + ": the kept layers hold " + kept
                    + " layers with weights, so K must be in [0, " + kept + "]");
        }
        return k;
    }

    /** A fresh trained-model architecture: a zoo classifier or autoencoder, by the checkpoint's kind and name. */
    static Module source(String kind, String name, double dropout) {
        return switch (kind) {
            case "classifier" -> Zoo.create(name, Mnist.PIXELS, Mnist.CLASSES, dropout);
            case "autoencoder" -> Zoo.autoencoder(name, Mnist.PIXELS);
            default -> throw new IllegalArgumentException("unknown model kind '" + kind + "' in the checkpoint's metadata");
        };
    }

    /** The modules to keep from: a classifier's own, or an autoencoder's encoder. */
    static Sequential layersOf(Module source) {
        if (source instanceof Autoencoder ae) {
            return ae.encoder();
        }
        if (source instanceof Sequential s) {
            return s;
        }
        throw new IllegalArgumentException(source + " is not a Sequential model; only Sequential layers can be kept");
    }

    /**
     * Copies of the first {@code layers} modules of {@code source}, a {@link Flatten} when they end in more than
     * [batch, features], and a new head Linear(features, classes): the network kiln finetune trains.
     */
    static Sequential withHead(Sequential source, int layers, int classes) {
        Sequential body = Transfer.firstLayers(source, layers);
        Shape out;
        boolean wasTraining = body.isTraining();
        body.eval();
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            out = body.forward(Tensor.zeros(1, 1, 28, 28)).shape();
        }
        body.train(wasTraining);
        if (out.rank() != 2) {
            body.add(new Flatten());
        }
        return body.add(new Linear((int) (out.size() / out.dims()[0]), classes));
    }

    /** The architecture of a checkpoint written by kiln finetune, with fresh weights, to load it into. */
    static Sequential architecture(Map<String, String> meta) {
        try (Module source = source(meta.getOrDefault("source_kind", "classifier"), meta.get("source_model"),
                Double.parseDouble(meta.getOrDefault("dropout", "0")))) {
            return withHead(layersOf(source), Integer.parseInt(meta.get("layers")),
                    ClassificationData.classNames(meta).size());
        }
    }
}
