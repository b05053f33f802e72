package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.data.DataDirectory;
import dev.kiln.engine.Engine;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.onnx.OnnxExport;
import dev.kiln.onnx.importer.OnnxImport;
import dev.kiln.onnx.importer.OnnxModule;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln finetune --onnx}: an ONNX classifier's weights all trained on a data set and written back as ONNX. */
class OnnxFinetuneCommandTest {
    @TempDir
    Path tmp;

    /**
     * A fresh Linear(784, 10) scores about chance on real MNIST; two epochs on 2,000 images lift what kiln eval --onnx
     * measures of the written file above 70%, the figure the fine-tuning run itself reports.
     */
    @Test
    void aFreshLinearModelLearnsMnistAndItsWrittenFileScoresWhatTheRunReports() throws IOException {
        String data;
        try {
            data = DataDirectory.find(null, "mnist", List.of("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))
                    .getParent().toString();
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("real MNIST not present: " + e.getMessage());
            return;
        }
        Path onnx = linear(10);
        double before = kiln("eval", "--onnx", onnx.toString(), "--data-dir", data, "--input-shape", "784")
                .lastLineJson().get("test_accuracy").getAsDouble();
        Path run = tmp.resolve("run");

        Result r = kiln("finetune", "--onnx", onnx.toString(), "--data-dir", data, "--input-shape", "784",
                "--train-size", "2000", "--epochs", "2", "--lr", "0.01", "--out", run.toString());

        assertEquals(0, r.code(), r.toString());
        JsonObject summary = r.lastLineJson();
        Path tuned = run.resolve(OnnxFinetuneRun.TUNED);
        assertEquals(tuned.toString(), summary.get("finetuned_onnx").getAsString());
        JsonObject after = kiln("eval", "--onnx", tuned.toString(), "--data-dir", data, "--input-shape", "784")
                .lastLineJson();
        double accuracy = after.get("test_accuracy").getAsDouble();
        assertTrue(before < 0.3 && accuracy > 0.7, "accuracy before " + before + ", after " + accuracy);
        assertEquals(summary.get("test_accuracy"), after.get("test_accuracy"));
        assertEquals(7850, summary.get("trainable_params").getAsLong());
    }

    @Test
    void aModelOfAnotherNumberOfOutputsThanClassesIsRefused() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 20, 10);

        Result r = kiln("finetune", "--onnx", linear(5).toString(), "--data-dir", data.toString(), "--input-shape",
                "784", "--epochs", "1", "--out", tmp.resolve("run").toString());

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("gives scores of shape [1, 5] per batch of one, but the data has 10 classes"),
                r.toString());
    }

    @Test
    void examplesTheModelCannotTakePointAtInputShape() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 20, 10);

        Result r = kiln("finetune", "--onnx", linear(10).toString(), "--data-dir", data.toString(), "--epochs", "1",
                "--out", tmp.resolve("run").toString());

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("cannot classify the training examples") && r.err().contains("--input-shape"),
                r.toString());
    }

    @Test
    void onnxAndFromTogetherAreRefused() throws IOException {
        Result r = kiln("finetune", "--onnx", linear(10).toString(), "--from", "x.safetensors");

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("give --from CHECKPOINT or --onnx FILE, not both"), r.toString());
    }

    @Test
    void itsCheckpointIsReadByEvalCheckpointAndScoresAsItsWrittenFile() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 40, 20);
        Path run = tmp.resolve("run");
        kiln("finetune", "--onnx", linear(10).toString(), "--data-dir", data.toString(), "--input-shape", "784",
                "--epochs", "1", "--out", run.toString());

        Result r = kiln("eval", "--checkpoint", run.resolve(Trainer.CHECKPOINT).toString(), "--data-dir",
                data.toString());

        assertEquals(0, r.code(), r.toString());
        JsonObject written = kiln("eval", "--onnx", run.resolve(OnnxFinetuneRun.TUNED).toString(), "--data-dir",
                data.toString(), "--input-shape", "784").lastLineJson();
        assertEquals(written.get("test_loss"), r.lastLineJson().get("test_loss"));
    }

    @Test
    void evalOfACheckpointWhoseOnnxFileIsGoneNamesTheRunsWrittenFile() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 40, 20);
        Path run = tmp.resolve("run");
        Path onnx = linear(10);
        kiln("finetune", "--onnx", onnx.toString(), "--data-dir", data.toString(), "--input-shape", "784",
                "--epochs", "1", "--out", run.toString());
        Files.delete(onnx);

        Result r = kiln("eval", "--checkpoint", run.resolve(Trainer.CHECKPOINT).toString(), "--data-dir",
                data.toString());

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(onnx + ", which is not there any more") && r.err().contains("kiln eval --onnx "
                + run.resolve(OnnxFinetuneRun.TUNED).toAbsolutePath() + " --input-shape 784"), r.toString());
    }

    @Test
    void exportOfItsCheckpointAsOnnxWritesItsGraphWithTheCheckpointsWeights() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 40, 20);
        Path run = tmp.resolve("run");
        kiln("finetune", "--onnx", linear(10).toString(), "--data-dir", data.toString(), "--input-shape", "784",
                "--epochs", "1", "--out", run.toString());
        Path exported = tmp.resolve("exported.onnx");

        Result r = kiln("export", "--checkpoint", run.resolve(Trainer.CHECKPOINT).toString(), "--onnx", "--out",
                exported.toString());

        assertEquals(0, r.code(), r.toString());
        JsonObject written = kiln("eval", "--onnx", run.resolve(OnnxFinetuneRun.TUNED).toString(), "--data-dir",
                data.toString(), "--input-shape", "784").lastLineJson();
        JsonObject fromCheckpoint = kiln("eval", "--onnx", exported.toString(), "--data-dir", data.toString(),
                "--input-shape", "784").lastLineJson();
        assertEquals(written.get("test_loss"), fromCheckpoint.get("test_loss"));
    }

    /** Fine-tuning trains BatchNormalization on the batches: the written file carries the running statistics. */
    @Test
    void theWrittenFileCarriesTheRunningStatisticsThatFineTuningUpdated() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 40, 20);
        Path onnx = tmp.resolve("bn.onnx");
        Engine.seed(3);
        try (Sequential model = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new Flatten(),
                new Linear(2 * 26 * 26, 10))) {
            OnnxExport.export(model, new int[] {1, 1, 28, 28}, onnx);
        }
        Path run = tmp.resolve("run");

        Result r = kiln("finetune", "--onnx", onnx.toString(), "--data-dir", data.toString(), "--epochs", "1",
                "--out", run.toString());

        assertEquals(0, r.code(), r.toString());
        try (OnnxModule tuned = OnnxImport.load(run.resolve(OnnxFinetuneRun.TUNED))) {
            double[] runningVar = tuned.getBuffer("1.running_var").toDoubleArray();
            assertTrue(runningVar[0] != 1 && runningVar[1] != 1, Arrays.toString(runningVar));
        }
    }

    /** A Linear(784, classes) as ONNX, taking [batch, 784]. */
    private Path linear(int classes) throws IOException {
        Path onnx = tmp.resolve("linear" + classes + ".onnx");
        Engine.seed(3);
        try (Sequential model = new Sequential(new Linear(784, classes))) {
            OnnxExport.export(model, new int[] {1, 784}, onnx);
        }
        return onnx;
    }
}
