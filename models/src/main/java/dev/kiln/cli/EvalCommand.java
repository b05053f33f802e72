package dev.kiln.cli;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Datasets;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.g2p.ErrorRates;
import dev.kiln.g2p.G2pData;
import dev.kiln.g2p.G2pModels;
import dev.kiln.g2p.G2pTraining;
import dev.kiln.g2p.Pronunciation;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.seq2seq.Hypothesis;
import dev.kiln.train.ConfusionMatrix;
import dev.kiln.train.Evaluation;
import dev.kiln.train.FilterPlot;
import dev.kiln.train.GradCam;
import dev.kiln.train.ImageGrid;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kiln eval --checkpoint F}: test loss, accuracy and top-5 accuracy of a trained model; writes
 * {@code confusion_matrix.png}, when the model's first layer is a {@link Conv2d}, {@code filters.png}, and for a model
 * with spatial layers {@code gradcam.png} ({@link GradCam}) next to the checkpoint. {@code kiln eval --onnx F}
 * tests an ONNX classifier instead ({@link OnnxEvalRun}).
 */
final class EvalCommand {
    static final String HELP = """
            Usage: kiln eval --checkpoint FILE [options]
                   kiln eval --onnx FILE --data mnist|fashion-mnist|folder:DIR|csv:DIR [--input-shape S]
            FILE: a checkpoint, e.g. runs/mlp-mnist/checkpoint.safetensors (each kiln train run has its folder:
            runs/MODEL-DATA, runs/MODEL-DATA-2, ...; the newest has the highest number)
            Image models (kiln train mlp, lenet, ...; kiln finetune, also --onnx):
              --data mnist|fashion-mnist|folder:DIR|csv:DIR
                                           data set, of which the test split is read (default: the one the
                                           checkpoint was trained on, read as it was: --channels, --image-size,
                                           --label, --shape and --scale as recorded unless given again)
              --data-dir DIR               data root of mnist and fashion-mnist
              --batch B                    evaluation batch size (default 1000)
            Prints precision, recall and F1 of each class, by its name (a folder's, a CSV label's or a digit).
            Writes confusion_matrix.png (true vs predicted class on the test set) next to the checkpoint,
            and filters.png (the first layer's kernels) for models that start with a convolution, and
            gradcam.png (Grad-CAM: where a CNN looked for the class it predicted in the first 16 test images).
            g2p models (kiln train g2p): word and phoneme error rates, greedy and by beam search
              --split test|validation      which CMUdict split (default test; tune --beam and --alpha on
                                           validation)
              --beam K                     beam width (default 5)
              --alpha A                    length normalisation of beam scores (default 1)
              --data-dir DIR               data root
            ONNX classifiers (kiln export --onnx, torch.onnx.export): [batch, features...] to [batch, classes]
              --onnx FILE                  the model, imported as kiln's ONNX import runs it; test loss,
                                           accuracy, top-5 and per-class figures on --data's test split
              --input-shape S              the shape the model takes per example, e.g. 784 or 1,28,28
                                           (default: the data set's, for MNIST 1,28,28)
              --data, --data-dir, --batch  as above (--data default mnist)
            The last line printed is one JSON object with the figures.
            """;

    private EvalCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        if (o.has("onnx")) {
            return OnnxEvalRun.run(o, out);
        }
        String checkpoint = o.get("checkpoint", null);
        if (checkpoint == null) {
            throw new IllegalArgumentException("--checkpoint FILE or --onnx FILE is required");
        }
        Path file = Path.of(checkpoint);
        Map<String, String> meta = Trainer.metadata(file);
        if (G2pModels.MODEL.equals(meta.get("model"))) {
            return evaluateG2p(file, o, out);
        }
        ClassificationData data = ClassificationData.fromOptions(o, meta);
        requireRecordedMnist(file, meta, data);
        int batch = o.getPositiveInt("batch", 1000);
        o.rejectUnknown();
        String modelName = meta.get("model");
        try (Module model = ClassifierCheckpoints.architecture(file, meta)) {
            Trainer.loadModel(file, model);
            ClassificationData.Split testSplit = data.test();
            requireModelsData(file, meta, data, testSplit);
            DataLoader test = new DataLoader(testSplit.data(), batch, false, 0);
            ConfusionMatrix confusion = new ConfusionMatrix(testSplit.classNames().size());
            Evaluation e = Trainer.evaluate(model, new CrossEntropyLoss(), test, 5, confusion);
            out.printf("%s on %s test set (%d images): loss %.4f, accuracy %.2f%%, top-%d %.2f%%%n",
                    modelName, data.spec(), e.samples(), e.loss(), 100 * e.accuracy(), e.k(), 100 * e.topK());
            Optional<Path> better = Trainer.betterEpochBeside(file);
            if (better.isPresent()) {
                out.printf("Note: %s holds epoch %s, the run's last; early stopping kept its best epoch, %s, in %s"
                        + " (the training summary's figures): evaluate that with --checkpoint %s%n", file,
                        meta.get("epoch"), Trainer.metadata(better.get()).get("epoch"), better.get(), better.get());
            }
            Path dir = file.toAbsolutePath().getParent();
            Path confusionPng = dir.resolve("confusion_matrix.png");
            out.print(confusion.report(testSplit.classNames()));
            confusion.writePng(confusionPng, modelName + " on " + data.spec() + " test set: true vs predicted",
                    testSplit.classNames());
            out.println("Confusion matrix: " + confusionPng);
            Path filtersPng = null;
            Module first = firstLayer(model);
            if (first instanceof Conv2d conv) {
                filtersPng = dir.resolve("filters.png");
                FilterPlot.write(filtersPng, conv.weight(), modelName + ": first-layer kernels " + conv.weight().shape());
                out.println("First-layer filters: " + filtersPng);
            }
            Path gradCamPng = writeGradCam(model, testSplit, dir.resolve("gradcam.png"), modelName + " on " + data.spec());
            if (gradCamPng != null) {
                out.println("Grad-CAM of the first test images: " + gradCamPng);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", modelName);
            summary.put("data", data.spec());
            summary.put("checkpoint", file.toString());
            summary.put("test_accuracy", TrainCommand.round(e.accuracy()));
            summary.put("test_loss", TrainCommand.round(e.loss()));
            summary.put("test_top" + e.k(), TrainCommand.round(e.topK()));
            summary.put("test_macro_f1", TrainCommand.round(confusion.macroF1()));
            summary.put("confusion_matrix", confusionPng.toString());
            if (filtersPng != null) {
                summary.put("filters", filtersPng.toString());
            }
            if (gradCamPng != null) {
                summary.put("gradcam", gradCamPng.toString());
            }
            summary.put("backend", Engine.get().backend().name());
            out.println(Json.line(summary));
        }
        return 0;
    }

    /**
     * Refuses test data the checkpoint's model cannot classify: features of another shape, another number of
     * classes, or (where the checkpoint recorded them) other class names.
     */
    /**
     * Refuses MNIST for a Fashion-MNIST checkpoint and the reverse: their images have one shape and ten classes, so
     * nothing else would stop an evaluation that scores near chance.
     */
    private static void requireRecordedMnist(Path file, Map<String, String> meta, ClassificationData data) {
        String recorded = meta.get("data");
        if (recorded == null) {
            return;
        }
        boolean bothMnist = ClassificationData.kindOf(meta) == ClassificationData.Kind.MNIST
                && ClassificationData.kindOf(Map.of("data", data.spec())) == ClassificationData.Kind.MNIST;
        if (bothMnist && !recorded.equals(data.spec())) {
            throw new IllegalArgumentException(file + " was trained on --data " + recorded + ", not " + data.spec()
                    + ": leave --data out to evaluate it on " + recorded);
        }
    }

    private static void requireModelsData(Path file, Map<String, String> meta, ClassificationData data,
                                          ClassificationData.Split test) {
        int[] modelShape = ClassificationData.featureShape(meta);
        int[] testShape = test.data().featureShape();
        if (!Arrays.equals(modelShape, testShape)) {
            throw new IllegalArgumentException(file + " takes features of shape " + Arrays.toString(modelShape)
                    + " but the test set of --data " + data.spec() + " has " + Arrays.toString(testShape));
        }
        List<String> modelClasses = ClassificationData.classNames(meta);
        boolean namesRecorded = meta.containsKey("class_names");
        List<String> testClasses = test.classNames();
        if (modelClasses.size() != testClasses.size() || namesRecorded && !modelClasses.equals(testClasses)) {
            throw new IllegalArgumentException(file + " was trained on the classes " + modelClasses + " but the test"
                    + " set of --data " + data.spec() + " has " + testClasses);
        }
    }

    /**
     * Word and phoneme error rates of a g2p checkpoint on the test (or validation) split, greedy and with beam
     * search, and some of its mistakes.
     */
    private static int evaluateG2p(Path file, Options o, PrintStream out) throws Exception {
        Path dataDir = DataOptions.dataDir(o);
        String split = o.get("split", "test");
        int beam = o.getPositiveInt("beam", 5);
        double alpha = o.getDouble("alpha", 1);
        o.rejectUnknown();
        if (!split.equals("test") && !split.equals("validation")) {
            throw new IllegalArgumentException("--split must be test or validation, got '" + split + "'");
        }
        G2pData data = G2pData.load(dataDir);
        List<Pronunciation> pronunciations = split.equals("test") ? data.test() : data.validation();
        Map<String, Object> summary = new LinkedHashMap<>();
        try (G2pModels.Loaded loaded = G2pModels.load(file)) {
            List<String> words = pronunciations.stream().map(Pronunciation::word).toList();
            List<Hypothesis> greedy = G2pTraining.predict(loaded.model(), loaded.letters(), words, 1, alpha, 512, null);
            List<int[]> reference = pronunciations.stream().map(p -> loaded.phonemes().encode(p.phonemes())).toList();
            ErrorRates greedyRates = ErrorRates.of(greedy.stream().map(Hypothesis::tokens).toList(), reference);
            List<Hypothesis> beamed = G2pTraining.predict(loaded.model(), loaded.letters(), words, beam, alpha,
                    Math.max(1, 512 / beam), null);
            ErrorRates beamRates = ErrorRates.of(beamed.stream().map(Hypothesis::tokens).toList(), reference);
            out.printf(Locale.ROOT, "g2p (%s) on the CMUdict %s split (%d words): WER %.2f%%, PER %.2f%% greedy;"
                            + " WER %.2f%%, PER %.2f%% beam %d (alpha %s)%n", loaded.spec().kind(), split, words.size(),
                    100 * greedyRates.wordErrorRate(), 100 * greedyRates.phonemeErrorRate(), 100 * beamRates.wordErrorRate(),
                    100 * beamRates.phonemeErrorRate(), beam, alpha);
            int shown = 0;
            for (int i = 0; i < words.size() && shown < 10; i++) {
                if (!Arrays.equals(beamed.get(i).tokens(), reference.get(i))) {
                    out.printf(Locale.ROOT, "  %-14s predicted %-24s reference %s%n", words.get(i),
                            String.join(" ", loaded.phonemes().decode(beamed.get(i).tokens())),
                            String.join(" ", pronunciations.get(i).phonemes()));
                    shown++;
                }
            }
            summary.put("model", G2pModels.MODEL);
            summary.put("attention", loaded.spec().kind());
            summary.put("data", "cmudict");
            summary.put("checkpoint", file.toString());
            summary.put(split + "_words", words.size());
            summary.put(split + "_wer", TrainCommand.round(beamRates.wordErrorRate()));
            summary.put(split + "_per", TrainCommand.round(beamRates.phonemeErrorRate()));
            summary.put("beam", beam);
            summary.put("alpha", alpha);
            summary.put(split + "_wer_greedy", TrainCommand.round(greedyRates.wordErrorRate()));
            summary.put(split + "_per_greedy", TrainCommand.round(greedyRates.phonemeErrorRate()));
            summary.put("backend", Engine.get().backend().name());
        }
        out.println(Json.line(summary));
        return 0;
    }

    /**
     * Writes the Grad-CAM maps of the predicted class for the first {@value #GRAD_CAM_IMAGES} test images at the
     * model's last spatial layer ({@link GradCam#lastSpatialLayer}) to {@code png}; null, writing nothing, for a
     * model without one (an MLP).
     */
    private static Path writeGradCam(Module model, ClassificationData.Split test, Path png, String what)
            throws IOException {
        int[] shape = test.data().featureShape();
        int n = Math.min(GRAD_CAM_IMAGES, test.data().size());
        if (shape.length != 3 || n == 0) {
            return null;
        }
        try (Scope s = Scope.open()) {
            Tensor images = Tensor.fromArray(Datasets.firstFeatures(test.data(), n), n, shape[0], shape[1], shape[2]);
            Module layer;
            try {
                layer = GradCam.lastSpatialLayer(model, images.narrow(0, 0, 1));
            } catch (IllegalArgumentException noSpatialLayer) {
                return null;
            }
            GradCam.Maps maps = GradCam.maps(model, layer, images, null);
            List<String> names = test.classNames();
            List<String> captions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                captions.add(names.get((int) test.data().label(i)) + " -> " + names.get(maps.classes()[i]));
            }
            Tensor grey = shape[0] == 1 ? images : images.mean(1, true);
            ImageGrid.withHeatMaps(png, grey, maps.values(), captions, shape[1], shape[2], 4,
                    "Grad-CAM, " + what + ": true -> predicted class, where the model looked for it");
            return png;
        }
    }

    private static final int GRAD_CAM_IMAGES = 16;

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
