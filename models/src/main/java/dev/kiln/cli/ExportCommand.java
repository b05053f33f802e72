package dev.kiln.cli;

import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Module;
import dev.kiln.train.Json;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code kiln export --checkpoint F}: a checkpoint's model weights as a plain state dict, the file PyTorch's
 * {@code safetensors.torch.save_file(model.state_dict(), ...)} writes, so that {@code model.load_state_dict(load_file(...))}
 * takes it; for the zoo's MLP and LeNet also the PyTorch code that builds the model.
 */
final class ExportCommand {
    static final String HELP = """
            Usage: kiln export --checkpoint FILE [--onnx] [--out FILE]
              --checkpoint FILE   a checkpoint of kiln train, finetune, pretrain, lm or train g2p
              --onnx              write the model as ONNX (opset 17, dynamic batch axis) for ONNX Runtime instead:
                                  image classifiers of kiln train and finetune (mlp, lenet, resnet18, ..., and
                                  the row readers lstm, gru and rnn); for kiln finetune --onnx, its ONNX file
                                  with the checkpoint's weights
              --out FILE          where to write the state dict (default: model.safetensors beside the checkpoint;
                                  with --onnx, model.onnx)
            Writes the model's weights and buffers (no optimizer state) under PyTorch's state-dict names, with
            the metadata {"format": "pt"} of safetensors.torch. For a model of plain layers (mlp, lenet) it also
            prints the PyTorch module that loads it:
              from safetensors.torch import load_file
              model = nn.Sequential(...); model.load_state_dict(load_file("model.safetensors"))
            The last line printed is one JSON object: the file, its tensors and parameters.
            """;

    private ExportCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, Set.of("onnx"));
        String checkpoint = o.get("checkpoint", null);
        if (checkpoint == null) {
            throw new IllegalArgumentException("--checkpoint FILE is required");
        }
        Path file = Path.of(checkpoint);
        boolean onnx = o.flag("onnx");
        String defaultName = onnx ? "model.onnx" : "model.safetensors";
        Path target = Path.of(o.get("out", file.toAbsolutePath().resolveSibling(defaultName).toString()));
        o.rejectUnknown();
        if (sameFile(target, file)) {
            throw new IllegalArgumentException("--out " + target + " is the checkpoint itself; name another file");
        }
        Map<String, String> meta = Trainer.metadata(file);
        if (onnx) {
            return OnnxExportRun.run(file, meta, target, out);
        }
        Map<String, Tensor> state = Trainer.readModelState(file);
        try {
            if (state.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no model weights (no tensor named model.*);"
                        + " was it written by kiln?");
            }
            Optional<String> definition = definition(file, meta, state);
            SafeTensors.write(target, state, Map.of("format", "pt"));
            long parameters = state.values().stream().filter(t -> t.dtype().isFloating()).mapToLong(Tensor::size).sum();
            out.printf("%s: %d tensors (%,d values) of %s written to %s%n", file, state.size(), parameters,
                    meta.getOrDefault("model", "a model"), target);
            definition.ifPresent(code -> out.println("""
                    In PyTorch:
                      import torch.nn as nn
                      from safetensors.torch import load_file
                      model = %s
                      model.load_state_dict(load_file("%s"))""".formatted(code.replace("\n", "\n  "), target)));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("checkpoint", file.toString());
            summary.put("state_dict", target.toString());
            summary.put("tensors", state.size());
            summary.put("values", parameters);
            summary.put("pytorch_definition", definition.isPresent());
            out.println(Json.line(summary));
        } finally {
            state.values().forEach(Tensor::close);
        }
        return 0;
    }

    /** Whether both name one existing file, however spelled: through {@code .} or {@code ..}, or a link. */
    private static boolean sameFile(Path target, Path checkpoint) throws IOException {
        return Files.exists(target) && Files.exists(checkpoint) && Files.isSameFile(target, checkpoint);
    }

    /** The PyTorch code of an image classifier of plain layers, after checking that the weights fit it. */
    private static Optional<String> definition(Path file, Map<String, String> meta, Map<String, Tensor> state) {
        Module model;
        try {
            model = ClassifierCheckpoints.architecture(file, meta);
        } catch (IllegalArgumentException notAClassifier) {
            return Optional.empty();
        }
        try (model) {
            model.checkStateDict(state, true);
            return PyTorchDefinition.of(model);
        }
    }
}
