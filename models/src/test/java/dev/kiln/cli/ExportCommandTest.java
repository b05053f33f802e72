package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Module;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.OrtCheck;
import dev.kiln.onnx.TensorProto;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln export}: a checkpoint's model as the state dict PyTorch loads, and the code that builds it. */
class ExportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void anMlpCheckpointBecomesItsStateDictUnderPyTorchsNamesWithItsDefinition() throws IOException {
        Path checkpoint = trainedMlp();
        Path exported = tmp.resolve("mlp.safetensors");
        Result r = kiln("export", "--checkpoint", checkpoint.toString(), "--out", exported.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("""
                In PyTorch:
                  import torch.nn as nn
                  from safetensors.torch import load_file
                  model = nn.Sequential(
                      nn.Flatten(1),
                      nn.Linear(784, 512),
                      nn.ReLU(),
                      nn.Linear(512, 512),
                      nn.ReLU(),
                      nn.Linear(512, 10))
                  model.load_state_dict(load_file("%s"))""".formatted(exported)), r.toString());
        JsonObject summary = r.lastLineJson();
        assertEquals(6, summary.get("tensors").getAsInt());
        assertEquals(784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10, summary.get("values").getAsLong());

        try (Scope s = Scope.open(); SafeTensors.Loaded plain = SafeTensors.read(exported)) {
            assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"),
                    List.copyOf(plain.tensors().keySet()));
            assertEquals(Map.of("format", "pt"), plain.metadata());
            Map<String, Tensor> trained = Trainer.readModelState(checkpoint);
            for (Map.Entry<String, Tensor> e : trained.entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), plain.tensors().get(e.getKey()).toFloatArray(), e.getKey());
            }
        }
    }

    @Test
    void writingOverTheCheckpointIsRefused() throws IOException {
        Path checkpoint = trainedMlp();
        Result r = kiln("export", "--checkpoint", checkpoint.toString(), "--out", checkpoint.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("is the checkpoint itself"), r.toString());
    }

    @Test
    void writingOverTheCheckpointByAnotherPathToItIsRefusedAndLeavesItAsItWas() throws IOException {
        Path checkpoint = trainedMlp();
        byte[] before = Files.readAllBytes(checkpoint);
        Path roundabout = checkpoint.getParent().resolve(".").resolve("..").resolve("run").resolve(Trainer.CHECKPOINT);
        Path link = Files.createSymbolicLink(tmp.resolve("link.safetensors"), checkpoint);
        for (Path other : List.of(roundabout, link)) {
            Result r = kiln("export", "--checkpoint", checkpoint.toString(), "--out", other.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("is the checkpoint itself"), r.toString());
        }
        assertArrayEquals(before, Files.readAllBytes(checkpoint));
    }

    @Test
    @Tag("onnxruntime")
    void anMlpCheckpointBecomesAnOnnxFileThatOnnxRuntimeRunsAsKilnDoes() throws Exception {
        Path checkpoint = trainedMlp();
        Path onnx = tmp.resolve("mlp.onnx");

        Result r = kiln("export", "--checkpoint", checkpoint.toString(), "--onnx", "--out", onnx.toString());

        assertEquals(0, r.code(), r.toString());
        assertEquals(onnx.toString(), r.lastLineJson().get("onnx").getAsString());
        assertEquals("[batch, 1, 28, 28]", r.lastLineJson().get("input").getAsString());
        Map<String, String> meta = Trainer.metadata(checkpoint);
        try (Scope s = Scope.open(); Module model = ClassifierCheckpoints.architecture(checkpoint, meta)) {
            model.loadStateDict(Trainer.readModelState(checkpoint), true);
            OrtCheck.compare(model, onnx, new int[] {3, 1, 28, 28}, "input");
        }
    }

    @Test
    @Tag("onnxruntime")
    void aLenetCheckpointBecomesAnOnnxFileThatOnnxRuntimeRunsAsKilnDoes() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 50);
        Path run = tmp.resolve("lenet");
        Result trained = kiln("train", "lenet", "--data-dir", data.toString(), "--epochs", "1", "--batch", "50",
                "--out", run.toString());
        assertEquals(0, trained.code(), trained.toString());
        Path checkpoint = run.resolve(Trainer.CHECKPOINT);
        Path onnx = tmp.resolve("lenet.onnx");

        Result r = kiln("export", "--checkpoint", checkpoint.toString(), "--onnx", "--out", onnx.toString());

        assertEquals(0, r.code(), r.toString());
        try (Scope s = Scope.open();
             Module model = ClassifierCheckpoints.architecture(checkpoint, Trainer.metadata(checkpoint))) {
            model.loadStateDict(Trainer.readModelState(checkpoint), true);
            OrtCheck.compare(model, onnx, new int[] {3, 1, 28, 28}, "input");
        }
    }

    @Test
    void anOnnxExportGoesBesideTheCheckpointByDefault() throws IOException {
        Path checkpoint = trainedMlp();

        Result r = kiln("export", "--checkpoint", checkpoint.toString(), "--onnx");

        assertEquals(0, r.code(), r.toString());
        Path onnx = checkpoint.resolveSibling("model.onnx");
        assertEquals(onnx.toAbsolutePath().toString(), r.lastLineJson().get("onnx").getAsString());
        assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"),
                ModelProto.parse(onnx).graph().initializers().stream().map(TensorProto::name).toList());
    }

    private Path trainedMlp() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 200, 50);
        Path out = tmp.resolve("run");
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--batch", "50", "--out",
                out.toString());
        assertEquals(0, r.code(), r.toString());
        return out.resolve(Trainer.CHECKPOINT);
    }

    @Test
    @Tag("onnxruntime")
    void anLstmCheckpointBecomesAnOnnxFileThatOnnxRuntimeRunsAsKilnDoes() throws Exception {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 50);
        Path run = tmp.resolve("lstm");
        Result trained = kiln("train", "lstm", "--data-dir", data.toString(), "--epochs", "1", "--batch", "50",
                "--out", run.toString());
        assertEquals(0, trained.code(), trained.toString());
        Path checkpoint = run.resolve(Trainer.CHECKPOINT);
        Path onnx = tmp.resolve("lstm.onnx");

        Result r = kiln("export", "--checkpoint", checkpoint.toString(), "--onnx", "--out", onnx.toString());

        assertEquals(0, r.code(), r.toString());
        try (Scope s = Scope.open();
             Module model = ClassifierCheckpoints.architecture(checkpoint, Trainer.metadata(checkpoint))) {
            model.loadStateDict(Trainer.readModelState(checkpoint), true);
            OrtCheck.compare(model, onnx, new int[] {3, 1, 28, 28}, "input");
        }
    }
}
