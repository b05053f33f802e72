package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.cli.KilnRuns.Result;
import dev.kiln.engine.Engine;
import dev.kiln.nn.BytesInUse;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code kiln train}, {@code pretrain} or {@code finetune} run inside a longer-lived JVM (tests, jshell, a search
 * over runs) gives back its model's weights and its optimizer's state when it returns, not when a garbage collection
 * happens to find them.
 */
class TrainCommandMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void aRunHoldsNoTensorOnceItReturns() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("mnist"), 300, 100);
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--batch", "32",
                "--optimizer", "adam", "--out", tmp.resolve("run").toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after the run returned");
    }
    /** An optimizer refused after the model was made (an unknown name, a negative rate) leaves no tensor behind. */
    @Test
    void aRunWhoseOptimizerIsRefusedHoldsNoTensor() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("mnist"), 300, 100);
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        Result r = kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--optimizer", "adam",
                "--lr", "-1", "--out", tmp.resolve("run").toString());
        assertNotEquals(0, r.code(), r.toString());
        assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after the refused run returned");
    }

    /** The same for {@code kiln pretrain}: its autoencoder is closed when its optimizer is refused. */
    @Test
    void aPretrainRunWhoseOptimizerIsRefusedHoldsNoTensor() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("mnist"), 300, 100);
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        Result r = kiln("pretrain", "ae", "--data-dir", data.toString(), "--epochs", "1", "--lr", "-1", "--out",
                tmp.resolve("run").toString());
        assertNotEquals(0, r.code(), r.toString());
        assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after the refused run returned");
    }

    /** The same for {@code kiln finetune}: its new model is closed when its optimizer is refused. */
    @Test
    void aFinetuneRunWhoseOptimizerIsRefusedHoldsNoTensor() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("mnist"), 300, 100);
        Path run = tmp.resolve("run");
        Result trained = kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1", "--out", run.toString());
        assertEquals(0, trained.code(), trained.toString());
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        Result r = kiln("finetune", "--from", run.resolve(Trainer.CHECKPOINT).toString(), "--data-dir",
                data.toString(), "--epochs", "1", "--lr", "-1", "--out", tmp.resolve("finetuned").toString());
        assertNotEquals(0, r.code(), r.toString());
        assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after the refused run returned");
    }
}
