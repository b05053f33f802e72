package dev.kiln.cli;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code kiln export --checkpoint F --onnx}: an image classifier's checkpoint as an ONNX file that takes
 * [batch, features...] (the checkpoint's feature shape, for MNIST [batch, 1, 28, 28]) to [batch, classes] logits; for
 * a checkpoint of {@code kiln finetune --onnx}, its own ONNX graph with the checkpoint's weights.
 */
final class OnnxExportRun {
    private OnnxExportRun() {
    }

    static int run(Path file, Map<String, String> meta, Path target, PrintStream out) throws IOException {
        if (OnnxCheckpoints.MODEL.equals(meta.get("model"))) {
            return OnnxCheckpoints.export(file, meta, target, out);
        }
        Map<String, Tensor> state = Trainer.readModelState(file);
        try (Module model = ClassifierCheckpoints.architecture(file, meta)) {
            model.loadStateDict(state, true);
            int[] features = ClassificationData.featureShape(meta);
            int[] inputShape = new int[features.length + 1];
            inputShape[0] = 1;
            System.arraycopy(features, 0, inputShape, 1, features.length);
            OnnxExport.export(model, inputShape, target);
            out.printf("%s: %s written to %s as ONNX (opset 17), input [batch, %s], %,d bytes%n", file,
                    meta.get("model"), target, joined(features), Files.size(target));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("checkpoint", file.toString());
            summary.put("onnx", target.toString());
            summary.put("input", "[batch, " + joined(features) + "]");
            summary.put("bytes", Files.size(target));
            out.println(Json.line(summary));
        } finally {
            state.values().forEach(Tensor::close);
        }
        return 0;
    }

    private static String joined(int[] dims) {
        StringBuilder b = new StringBuilder();
        for (int d : dims) {
            b.append(b.length() == 0 ? "" : ", ").append(d);
        }
        return b.toString();
    }
}
