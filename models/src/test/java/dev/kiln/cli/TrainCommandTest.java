package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.CutMix;
import dev.kiln.data.DataLoader;
import dev.kiln.data.MixUp;
import dev.kiln.data.RandomBatchChoice;
import dev.kiln.data.WeightedRandomSampler;
import dev.kiln.engine.Precision;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures {@code kiln train} and the commands that share its helpers put in their JSON summaries, and the
 * training loader its options build.
 */
class TrainCommandTest {
    /** 90 images of class 0 and 10 of class 1. */
    private static ArrayDataset ninetyTen() {
        long[] labels = new long[100];
        for (int i = 90; i < 100; i++) {
            labels[i] = 1;
        }
        return new ArrayDataset(new float[100], labels, new int[] {1}, 2);
    }

    @Test
    void theTrainingLoaderShufflesAndKeepsThePartialBatchByDefault() {
        DataLoader loader = TrainCommand.trainLoader(ninetyTen(), 32, 1, null, false, false, 1);
        assertTrue(loader.shuffle());
        assertNull(loader.sampler());
        assertEquals(4, loader.batchesPerEpoch());
    }

    @Test
    void balanceClassesDrawsTheTrainingImagesByClassBalancingWeightsAsManyAsThereAre() {
        DataLoader loader = TrainCommand.trainLoader(ninetyTen(), 32, 1, null, true, false, 1);
        assertFalse(loader.shuffle());
        WeightedRandomSampler sampler = assertInstanceOf(WeightedRandomSampler.class, loader.sampler());
        assertEquals(100, sampler.numSamples());
        assertEquals(1.0 / 10, sampler.weights()[99]);
    }

    @Test
    void dropLastDropsThePartialBatch() {
        assertEquals(3, TrainCommand.trainLoader(ninetyTen(), 32, 1, null, true, true, 1).batchesPerEpoch());
    }

    @Test
    void dropLastWithABatchLargerThanTheTrainingSetIsRefusedNamingBothOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.trainLoader(ninetyTen(), 128, 1, null, false, true, 1));
        assertEquals("--drop-last with --batch 128 would drop all 100 training images of every epoch; give --batch 100"
                + " or less", e.getMessage());
    }

    @Test
    void theTrainingLoaderHasTheWorkersAsked() {
        assertEquals(1, TrainCommand.trainLoader(ninetyTen(), 32, 1, null, false, false, 1).workers());
        assertEquals(3, TrainCommand.trainLoader(ninetyTen(), 32, 1, null, true, true, 3).workers());
    }

    @Test
    void roundKeepsFourDecimals() {
        assertEquals(0.1235, TrainCommand.round(0.12345678));
    }

    @Test
    void roundLeavesNaNAndInfinitiesForTheSummaryToWriteAsNull() {
        assertEquals(Double.NaN, TrainCommand.round(Double.NaN));
        assertEquals(Double.POSITIVE_INFINITY, TrainCommand.round(Double.POSITIVE_INFINITY));
        assertEquals(Double.NEGATIVE_INFINITY, TrainCommand.round(Double.NEGATIVE_INFINITY));
    }

    @Test
    void precisionTakesFp32Bf16AndF16AndNamesThemWhenRefusing() {
        assertEquals(Precision.FP32, TrainCommand.precision(Options.parse(new String[0])));
        assertEquals(Precision.BF16, TrainCommand.precision(Options.parse(new String[] {"--precision", "bf16"})));
        assertEquals(Precision.F16, TrainCommand.precision(Options.parse(new String[] {"--precision", "f16"})));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.precision(Options.parse(new String[] {"--precision", "fp16"})));
        assertEquals("--precision must be fp32, bf16 or f16, got 'fp16'", e.getMessage());
    }

    /** As a PyTorch AMP loop pairs float16 autocast with a GradScaler, whose state the checkpoint then holds. */
    @Test
    void f16TrainsWithAGradScalerWhoseStateTheCheckpointKeeps(@TempDir Path tmp) throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 50);
        Path run = tmp.resolve("run");
        KilnRuns.Result trained = KilnRuns.kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1",
                "--batch", "50", "--precision", "f16", "--out", run.toString());
        assertEquals(0, trained.code(), trained.toString());
        assertTrue(trained.out().contains("precision f16"), trained.toString());
        Map<String, String> metadata = Trainer.metadata(run.resolve(Trainer.CHECKPOINT));
        assertEquals("65536.0", metadata.get("grad_scaler.scale"), "two good steps of PyTorch's default scaler");
        assertEquals("2.0", metadata.get("grad_scaler._growth_tracker"));
    }

    @Test
    void mixupAndCutmixChooseTheBatchAugmentationAsTorchvisionsRecipe() {
        assertNull(DataOptions.batchAugmentation(null, null, new int[] {1, 28, 28}, 10));
        MixUp mixup = (MixUp) DataOptions.batchAugmentation(0.2, null, new int[] {1, 28, 28}, 10);
        assertEquals(0.2, mixup.alpha());
        assertEquals(10, mixup.classes());
        CutMix cutmix = (CutMix) DataOptions.batchAugmentation(null, 1.0, new int[] {3, 32, 32}, 100);
        assertEquals(1.0, cutmix.alpha());
        RandomBatchChoice both = (RandomBatchChoice) DataOptions.batchAugmentation(0.8, 1.0, new int[] {3, 32, 32}, 10);
        assertEquals("RandomBatchChoice([CutMix(alpha=1.0, num_classes=10), MixUp(alpha=0.8, num_classes=10)])",
                both.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataOptions.batchAugmentation(1.0, null, new int[] {784}, 10));
        assertTrue(e.getMessage().contains("--mixup and --cutmix mix images [channels, height, width], but the"
                + " examples have shape [784]"), e.getMessage());
    }

    @Test
    void mixupAndCutmixTrainOnMixedBatchesAndAreRecordedForResume(@TempDir Path tmp) throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 50);
        Path run = tmp.resolve("run");
        KilnRuns.Result trained = KilnRuns.kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "1",
                "--batch", "50", "--mixup", "0.2", "--cutmix", "1", "--out", run.toString());
        assertEquals(0, trained.code(), trained.toString());
        assertTrue(trained.out().contains("mix RandomBatchChoice([CutMix(alpha=1.0, num_classes=10), MixUp(alpha=0.2,"
                + " num_classes=10)])"), trained.toString());
        Map<String, String> metadata = Trainer.metadata(run.resolve(Trainer.CHECKPOINT));
        assertEquals("0.2", metadata.get("mixup"));
        assertEquals("1.0", metadata.get("cutmix"));
        KilnRuns.Result resumed = KilnRuns.kiln("train", "mlp", "--data-dir", data.toString(), "--epochs", "2",
                "--batch", "50", "--mixup", "0.4", "--cutmix", "1", "--out", run.toString(), "--resume",
                run.resolve(Trainer.CHECKPOINT).toString());
        assertEquals(2, resumed.code(), resumed.toString());
        assertTrue(resumed.toString().contains("mixup '0.2', this run asks for '0.4'"), resumed.toString());
    }

    /** An optimizer that steps with a closure cannot take a GradScaler's step: refused naming both options. */
    @Test
    void f16RefusesLbfgsNamingBothOptions(@TempDir Path tmp) throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 100, 50);
        KilnRuns.Result refused = KilnRuns.kiln("train", "mlp", "--data-dir", data.toString(), "--optimizer", "lbfgs",
                "--precision", "f16", "--out", tmp.resolve("run").toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("--precision f16 trains with a GradScaler, which cannot step --optimizer"
                + " lbfgs"), refused.toString());
    }
}
