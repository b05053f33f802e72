package dev.kiln.cli;

import dev.kiln.data.DataLoader;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Unflatten;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import dev.kiln.train.ConfusionMatrix;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code kiln eval --onnx F --data D}: test loss, accuracy and top-5 accuracy of an ONNX classifier (one that takes
 * [batch, features...] to [batch, classes] logits, as {@code kiln export --onnx} and {@code torch.onnx.export}
 * write), imported with {@link OnnxImport}, on a data set's test split, evaluated as {@code kiln eval --checkpoint}
 * evaluates ({@link Trainer#evaluate}).
 */
final class OnnxEvalRun {
    private OnnxEvalRun() {
    }

    static int run(Options o, PrintStream out) throws Exception {
        Path file = Path.of(o.get("onnx", null));
        if (o.has("checkpoint")) {
            throw new IllegalArgumentException("give --checkpoint FILE or --onnx FILE, not both");
        }
        ClassificationData data = ClassificationData.fromOptions(o);
        int batch = o.getPositiveInt("batch", 1000);
        int[] inputShape = o.has("input-shape") ? o.getPositiveInts("input-shape", null) : null;
        o.rejectUnknown();
        ClassificationData.Split test = data.test();
        if (inputShape != null) {
            requireSameCount(inputShape, test.data().featureShape());
        }
        try (Module model = reshaped(OnnxImport.load(file), inputShape)) {
            DataLoader loader = new DataLoader(test.data(), batch, false, 0);
            ConfusionMatrix confusion = new ConfusionMatrix(test.classNames().size());
            Evaluation e = evaluate(file, model, loader, confusion);
            out.printf("%s on %s test set (%d images): loss %.4f, accuracy %.2f%%, top-%d %.2f%%%n",
                    file.getFileName(), data.spec(), e.samples(), e.loss(), 100 * e.accuracy(), e.k(),
                    100 * e.topK());
            out.print(confusion.report(test.classNames()));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", "onnx");
            summary.put("onnx", file.toString());
            summary.put("data", data.spec());
            summary.put("test_accuracy", TrainCommand.round(e.accuracy()));
            summary.put("test_loss", TrainCommand.round(e.loss()));
            summary.put("test_top" + e.k(), TrainCommand.round(e.topK()));
            summary.put("test_macro_f1", TrainCommand.round(confusion.macroF1()));
            summary.put("backend", Engine.get().backend().name());
            out.println(Json.line(summary));
        }
        return 0;
    }

    /** {@code imported} fed each example reshaped to {@code inputShape}, or as the data set gives it when null. */
    static Module reshaped(OnnxModule imported, int[] inputShape) {
        return inputShape == null ? new Sequential(imported)
                : new Sequential(new Flatten(), new Unflatten(1, inputShape), imported);
    }

    static void requireSameCount(int[] inputShape, int[] features) {
        long values = Arrays.stream(features).asLongStream().reduce(1, (a, b) -> a * b);
        long wanted = Arrays.stream(inputShape).asLongStream().reduce(1, (a, b) -> a * b);
        if (values != wanted) {
            throw new IllegalArgumentException("--input-shape " + Arrays.toString(inputShape) + " holds " + wanted
                    + " values but an example of the test set has " + values + " " + Arrays.toString(features));
        }
    }

    /** The evaluation; a model that does not take the examples fails with a hint at --input-shape. */
    private static Evaluation evaluate(Path file, Module model, DataLoader loader, ConfusionMatrix confusion) {
        try {
            return Trainer.evaluate(model, new CrossEntropyLoss(), loader, 5, confusion);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " cannot classify the test examples: " + e.getMessage()
                    + " (give the shape the model takes per example with --input-shape, e.g. 1,28,28 or 784)", e);
        }
    }
}
