package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.engine.Engine;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln eval --onnx}: an ONNX classifier imported and tested as kiln eval tests a checkpoint. */
class OnnxEvalCommandTest {
    @TempDir
    Path tmp;

    @Test
    void anExportedMlpScoresWhatItsCheckpointScores() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 200, 60);
        Path run = tmp.resolve("run");
        Result trained = kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--batch", "50",
                "--out", run.toString());
        assertEquals(0, trained.code(), trained.toString());
        Path checkpoint = run.resolve(Trainer.CHECKPOINT);
        Path onnx = tmp.resolve("mlp.onnx");
        Result exported = kiln("export", "--checkpoint", checkpoint.toString(), "--onnx", "--out", onnx.toString());
        assertEquals(0, exported.code(), exported.toString());

        Result r = kiln("eval", "--onnx", onnx.toString(), "--data", "mnist", "--data-dir", data.toString());

        assertEquals(0, r.code(), r.toString());
        JsonObject fromOnnx = r.lastLineJson();
        JsonObject fromCheckpoint = kiln("eval", "--checkpoint", checkpoint.toString(), "--data-dir", data.toString())
                .lastLineJson();
        assertEquals("onnx", fromOnnx.get("model").getAsString());
        assertEquals(onnx.toString(), fromOnnx.get("onnx").getAsString());
        for (String figure : new String[] {"test_accuracy", "test_top5", "test_macro_f1"}) {
            assertEquals(fromCheckpoint.get(figure), fromOnnx.get(figure), figure);
        }
        assertEquals(fromCheckpoint.get("test_loss").getAsDouble(), fromOnnx.get("test_loss").getAsDouble(), 1e-4);
        assertTrue(r.out().contains("mlp.onnx on mnist test set (60 images): loss "), r.toString());
    }

    @Test
    void aModelOfFlatFeaturesTakesTheImagesReshapedByInputShape() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 10, 30);
        Path onnx = flatLinear();

        Result r = kiln("eval", "--onnx", onnx.toString(), "--data-dir", data.toString(), "--input-shape", "784");

        assertEquals(0, r.code(), r.toString());
        assertEquals("mnist", r.lastLineJson().get("data").getAsString());
    }

    @Test
    void aModelOfFlatFeaturesFedImagesPointsAtInputShape() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 10, 30);

        Result r = kiln("eval", "--onnx", flatLinear().toString(), "--data-dir", data.toString());

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("cannot classify the test examples") && r.err().contains("--input-shape"),
                r.toString());
    }

    @Test
    void anInputShapeOfAnotherSizeThanTheExamplesIsRefusedByName() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 10, 30);

        Result r = kiln("eval", "--onnx", flatLinear().toString(), "--data-dir", data.toString(),
                "--input-shape", "1,28,27");

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--input-shape [1, 28, 27] holds 756 values but an example of the test set has "
                + "784 [1, 28, 28]"), r.toString());
    }

    @Test
    void onnxAndCheckpointTogetherAreRefused() throws IOException {
        Result r = kiln("eval", "--onnx", flatLinear().toString(), "--checkpoint", "x.safetensors");

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("give --checkpoint FILE or --onnx FILE, not both"), r.toString());
    }

    /** A Linear(784, 10) as ONNX, taking [batch, 784]. */
    private Path flatLinear() throws IOException {
        Path onnx = tmp.resolve("linear.onnx");
        Engine.seed(3);
        try (Sequential model = new Sequential(new Linear(784, 10))) {
            OnnxExport.export(model, new int[] {1, 784}, onnx);
        }
        return onnx;
    }
}
