package dev.kiln.cli;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.train.ConfusionMatrix;
import dev.kiln.train.Evaluation;
import dev.kiln.train.FilterPlot;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code kiln eval --checkpoint F}: test loss, accuracy and top-5 accuracy of a trained model; writes
 * {@code confusion_matrix.png} and, when the model's first layer is a {@link Conv2d}, {@code filters.png}
 * next to the checkpoint.
 */
final class EvalCommand {
    static final String HELP = """
            Usage: kiln eval --checkpoint FILE [options]
              --data mnist|fashion-mnist   data set (default: the one the checkpoint was trained on)
              --data-dir DIR               data root
              --batch B                    evaluation batch size (default 1000)
            Writes confusion_matrix.png (true vs predicted class on the test set) next to the checkpoint,
            and filters.png (the first layer's kernels) for models that start with a convolution.
            The last line printed is one JSON object with the figures.
            """;

    private EvalCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        String checkpoint = o.get("checkpoint", null);
        if (checkpoint == null) {
            throw new IllegalArgumentException("--checkpoint FILE is required");
        }
        Path file = Path.of(checkpoint);
        Map<String, String> meta = Trainer.metadata(file);
        String data = o.has("data") ? DataOptions.dataSet(o) : meta.getOrDefault("data", "mnist");
        Path dataDir = DataOptions.dataDir(o);
        int batch = o.getInt("batch", 1000);
        o.rejectUnknown();
        String modelName = meta.get("model");
        if (modelName == null) {
            throw new IllegalArgumentException(file + " names no model in its metadata; was it written by kiln train?");
        }
        double dropout = Double.parseDouble(meta.getOrDefault("dropout", "0"));
        try (Module model = modelName.equals(FinetuneCommand.MODEL) ? FinetuneCommand.architecture(meta)
                : Zoo.create(modelName, Mnist.PIXELS, Mnist.CLASSES, dropout)) {
            Trainer.loadModel(file, model);
            DataLoader test = new DataLoader(MnistDataset.load(dataDir, data, Mnist.Split.TEST), batch, false, 0);
            Evaluation e = Trainer.evaluate(model, new CrossEntropyLoss(), test, 5);
            out.printf("%s on %s test set (%d images): loss %.4f, accuracy %.2f%%, top-%d %.2f%%%n",
                    modelName, data, e.samples(), e.loss(), 100 * e.accuracy(), e.k(), 100 * e.topK());
            Path dir = file.toAbsolutePath().getParent();
            Path confusionPng = dir.resolve("confusion_matrix.png");
            ConfusionMatrix.of(model, test, Mnist.CLASSES).writePng(confusionPng,
                    modelName + " on " + data + " test set: true vs predicted");
            out.println("Confusion matrix: " + confusionPng);
            Path filtersPng = null;
            Module first = firstLayer(model);
            if (first instanceof Conv2d conv) {
                filtersPng = dir.resolve("filters.png");
                FilterPlot.write(filtersPng, conv.weight(), modelName + ": first-layer kernels " + conv.weight().shape());
                out.println("First-layer filters: " + filtersPng);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", modelName);
            summary.put("data", data);
            summary.put("checkpoint", file.toString());
            summary.put("test_accuracy", TrainCommand.round(e.accuracy()));
            summary.put("test_loss", TrainCommand.round(e.loss()));
            summary.put("test_top" + e.k(), TrainCommand.round(e.topK()));
            summary.put("confusion_matrix", confusionPng.toString());
            if (filtersPng != null) {
                summary.put("filters", filtersPng.toString());
            }
            summary.put("backend", Engine.get().backend().name());
            out.println(Json.line(summary));
        }
        return 0;
    }

    /** The first module without sub-modules, in registration order (the first layer of a Sequential). */
    static Module firstLayer(Module model) {
        for (Module m : model.namedModules().values()) {
            if (m.namedModules().size() == 1) {
                return m;
            }
        }
        return model;
    }
}
