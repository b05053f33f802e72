package dev.kiln.cli;

import dev.kiln.io.AtomicFiles;
import dev.kiln.nn.Module;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import dev.kiln.onnx.importer.OnnxWeights;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The model of a {@code kiln finetune --onnx} checkpoint, for the commands that read checkpoints ({@code kiln eval
 * --checkpoint}, {@code kiln predict}, {@code kiln export}): as a PyTorch state dict needs the module's code, the
 * checkpoint holds the weights and names the ONNX file whose graph they belong to, which is imported again (with the
 * reshaping of the run's {@code --input-shape}) for the weights to be loaded into.
 */
final class OnnxCheckpoints {
    /** The checkpoint metadata's model. */
    static final String MODEL = "onnx";
    private static final String FILE = "onnx";
    private static final String INPUT_SHAPE = "input_shape";

    private OnnxCheckpoints() {
    }

    /** What a fine-tuning run records of its model: the ONNX file, as an absolute path, and the input shape if any. */
    static Map<String, String> metadata(Path onnx, int[] inputShape) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", MODEL);
        m.put(FILE, onnx.toAbsolutePath().normalize().toString());
        if (inputShape != null) {
            m.put(INPUT_SHAPE, Arrays.stream(inputShape).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        }
        return m;
    }

    /**
     * The imported graph of checkpoint {@code file}'s ONNX model, with the file's weights (to be replaced by the
     * checkpoint's).
     *
     * @throws IllegalArgumentException naming the ONNX file when it is no longer there, and the run's
     *     {@value OnnxFinetuneRun#TUNED} to evaluate instead
     */
    static Module architecture(Path file, Map<String, String> meta) {
        try {
            return OnnxEvalRun.reshaped(OnnxImport.load(onnxFile(file, meta)), inputShape(meta));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code kiln export --checkpoint F --onnx} of a fine-tuning checkpoint: its ONNX file with the checkpoint's
     * weights ({@link OnnxWeights}), as the run writes {@value OnnxFinetuneRun#TUNED} at its end.
     *
     * @throws IllegalArgumentException as {@link #architecture}
     */
    static int export(Path file, Map<String, String> meta, Path target, PrintStream out) throws IOException {
        Path onnx = onnxFile(file, meta);
        ModelProto proto = ModelProto.parse(onnx);
        OnnxModule imported = OnnxImport.load(proto);
        try (Module model = OnnxEvalRun.reshaped(imported, inputShape(meta))) {
            Trainer.loadModel(file, model);
            AtomicFiles.write(target, OnnxWeights.withInitializers(proto, imported)::write);
        }
        out.printf("%s: its weights written into the graph of %s as %s, %,d bytes%n", file, onnx, target,
                Files.size(target));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("checkpoint", file.toString());
        summary.put("onnx", target.toString());
        summary.put("bytes", Files.size(target));
        out.println(Json.line(summary));
        return 0;
    }

    private static Path onnxFile(Path file, Map<String, String> meta) {
        Path onnx = Path.of(meta.get(FILE));
        if (!Files.isRegularFile(onnx)) {
            String shape = meta.get(INPUT_SHAPE);
            Path tuned = file.toAbsolutePath().resolveSibling(OnnxFinetuneRun.TUNED);
            throw new IllegalArgumentException(file + " holds weights that kiln finetune --onnx trained for the graph"
                    + " of " + onnx + ", which is not there any more; the run wrote them with their graph to " + tuned
                    + ": kiln eval --onnx " + tuned + (shape == null ? "" : " --input-shape " + shape));
        }
        return onnx;
    }

    private static int[] inputShape(Map<String, String> meta) {
        String shape = meta.get(INPUT_SHAPE);
        return shape == null ? null : Arrays.stream(shape.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
