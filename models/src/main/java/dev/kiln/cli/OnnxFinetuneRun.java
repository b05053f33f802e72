package dev.kiln.cli;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import dev.kiln.onnx.importer.OnnxWeights;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.Optimizers;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kiln finetune --onnx F --data D}: an ONNX classifier imported with {@link OnnxImport} and every one of its
 * weights trained on a data set with {@link Trainer}, as {@code kiln train} trains (run directory, metrics, JSON last
 * line), then written back as {@code finetuned.onnx} ({@link OnnxWeights}) for {@code kiln eval --onnx} or ONNX
 * Runtime. The model keeps its own output layer, so the data must have as many classes as it has outputs. It trains
 * as a PyTorch module trains: its BatchNormalization nodes on each batch's statistics, updating the running ones that
 * the written file carries, and its Dropout nodes dropping. The run's checkpoints name the ONNX file, so that
 * {@code kiln eval --checkpoint} and {@code kiln predict} read them ({@link OnnxCheckpoints}).
 */
final class OnnxFinetuneRun {
    /** The fine-tuned model's file in the run directory. */
    static final String TUNED = "finetuned.onnx";

    private OnnxFinetuneRun() {
    }

    static int run(Options o, PrintStream out) throws Exception {
        Path file = Path.of(o.get("onnx", null));
        if (o.has("from")) {
            throw new IllegalArgumentException("give --from CHECKPOINT or --onnx FILE, not both");
        }
        ClassificationData target = ClassificationData.fromOptions(o);
        DataOptions.Sampling sampling = DataOptions.sampling(o);
        int[] inputShape = o.has("input-shape") ? o.getPositiveInts("input-shape", null) : null;
        int epochs = o.getPositiveInt("epochs", 10);
        int batch = o.getPositiveInt("batch", 64);
        double lr = o.getDouble("lr", 1e-3);
        String optimizerName = o.get("optimizer", "adam");
        long seed = o.getInt("seed", 1);
        String outOption = o.get("out", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        o.rejectUnknown();
        Path outDir = RunDirectory.choose(FinetuneCommand.RUNS, outOption, null, overwrite,
                Path.of("runs", "finetune-onnx-" + target.runName()), out);
        ClassificationData.TrainAndTest splits = target.trainAndTest();
        if (inputShape != null) {
            OnnxEvalRun.requireSameCount(inputShape, splits.train().data().featureShape());
        }
        ModelProto proto = ModelProto.parse(file);
        Engine.seed(seed);
        try (OnnxModule imported = OnnxImport.load(proto); Module model = OnnxEvalRun.reshaped(imported, inputShape);
             Optimizer optimizer = Optimizers.create(optimizerName, model.parameters(), lr)) {
            int classes = splits.train().classNames().size();
            requireClasses(file, model, splits.train().data(), classes);
            Dataset train = sampling.apply(splits.train().data(), seed);
            DataLoader trainLoader = new DataLoader(train, batch, true, seed);
            DataLoader testLoader = new DataLoader(splits.test().data(), 1000, false, seed);
            Map<String, String> metadata = new LinkedHashMap<>(OnnxCheckpoints.metadata(file, inputShape));
            metadata.put("data", target.spec());
            metadata.put("optimizer", optimizerName);
            metadata.putAll(target.metadata(splits.train()));
            Trainer trainer = new Trainer(model, optimizer, new CrossEntropyLoss()).checkpoints(outDir, metadata);
            RunOutputs outputs = new RunOutputs(outDir, "test", out, 0, null);
            trainer.listener(outputs);
            out.printf("Fine-tuning every weight of %s (%,d parameters) on %s: %d training images, batch %d, %s lr %s,"
                            + " %d epochs, backend %s, output %s%n", file, model.parameterCount(), target.spec(),
                    train.size(), batch, optimizerName, lr, epochs, Engine.get().backend().name(), outDir);
            List<EpochMetrics> history = trainer.fit(trainLoader, testLoader, epochs);
            Evaluation result = trainer.evaluate(testLoader);
            Path tuned = outDir.resolve(TUNED);
            AtomicFiles.write(tuned, OnnxWeights.withInitializers(proto, imported)::write);
            out.printf("Fine-tuned model: %s (%,d bytes; kiln eval --onnx %s)%n", tuned, Files.size(tuned), tuned);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", "onnx");
            summary.put("onnx", file.toString());
            summary.put("finetuned_onnx", tuned.toString());
            summary.put("data", target.spec());
            summary.put("classes", classes);
            summary.put("train_images", train.size());
            summary.put("epochs", history.isEmpty() ? 0 : history.get(history.size() - 1).epoch());
            summary.put("test_accuracy", TrainCommand.round(result.accuracy()));
            summary.put("test_loss", TrainCommand.round(result.loss()));
            summary.put("trainable_params", model.trainableParameters().stream().mapToLong(Tensor::size).sum());
            summary.put("backend", Engine.get().backend().name());
            outputs.finish(summary, trainer.restoredBestWeights());
            optimizer.close();
        }
        return 0;
    }

    /** Refuses data of another number of classes than the model's outputs, or examples it cannot take. */
    private static void requireClasses(Path file, Module model, Dataset train, int classes) {
        int[] shape = train.featureShape();
        int[] dims = new int[shape.length + 1];
        dims[0] = 1;
        System.arraycopy(shape, 0, dims, 1, shape.length);
        int[] scores;
        try (Scope s = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            scores = model.forward(Tensor.zeros(dims)).shape().dims();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " cannot classify the training examples: " + e.getMessage()
                    + " (give the shape the model takes per example with --input-shape, e.g. 1,28,28 or 784)", e);
        }
        if (scores.length != 2 || scores[1] != classes) {
            throw new IllegalArgumentException(file + " gives scores of shape " + Arrays.toString(scores)
                    + " per batch of one, but the data has " + classes + " classes: kiln finetune --onnx trains the"
                    + " model's own output layer, so it needs [1, " + classes + "]");
        }
    }
}
