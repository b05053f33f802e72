package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Autocast;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.optim.GradScaler;
import dev.kiln.optim.LBFGS;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Trainer#gradScaler}: the Trainer's step is PyTorch's AMP recipe with the {@link GradScaler} (whose own
 * semantics {@code GradScalerTest} checks against PyTorch), overflowing steps are skipped in training, and the
 * scaler's state travels in checkpoints.
 */
class TrainerGradScalerTest {
    private static final int FEATURES = 8;
    private static final int CLASSES = 3;
    private static final int EXAMPLES = 64;
    private static final int BATCH = 16;

    private static float[] features() {
        Random random = new Random(7);
        float[] x = new float[EXAMPLES * FEATURES];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static long[] labels() {
        long[] y = new long[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            y[i] = i % CLASSES;
        }
        return y;
    }

    private static DataLoader loader() {
        return new DataLoader(new ArrayDataset(features(), labels(), new int[] {FEATURES}, CLASSES), BATCH, false, 1);
    }

    private static Linear model() {
        Engine.seed(5);
        return new Linear(FEATURES, CLASSES);
    }

    /** unscale, clip, step, update after each F16 batch, as PyTorch's AMP example writes it. */
    @Test
    void aStepIsPyTorchsAmpRecipeWithClippingAfterUnscaling() {
        GradScaler trained = new GradScaler(1024, 2, 0.5, 2, true);
        float[] viaTrainer;
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5);
             DataLoader loader = loader()) {
            new Trainer(model, sgd, new CrossEntropyLoss()).precision(Precision.F16).gradScaler(trained)
                    .clipGradNorm(0.05).fit(loader, null, 1);
            viaTrainer = model.weight().toFloatArray();
        }
        GradScaler manual = new GradScaler(1024, 2, 0.5, 2, true);
        float[] x = features();
        long[] y = labels();
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5)) {
            for (int b = 0; b < EXAMPLES / BATCH; b++) {
                Tensor features = Tensor.fromArray(Arrays.copyOfRange(x, b * BATCH * FEATURES,
                        (b + 1) * BATCH * FEATURES), BATCH, FEATURES);
                Tensor labels = Tensor.fromArray(Arrays.copyOfRange(y, b * BATCH, (b + 1) * BATCH), BATCH);
                sgd.zeroGrad();
                Tensor loss;
                try (Autocast.Guard f16 = Autocast.enable(Precision.F16)) {
                    loss = new CrossEntropyLoss().compute(model.forward(features), labels);
                }
                manual.scale(loss).backward();
                manual.unscale(sgd);
                Optimizer.clipGradNorm(model.parameters(), 0.05);
                manual.step(sgd);
                manual.update();
            }
            assertArrayEquals(model.weight().toFloatArray(), viaTrainer, 0f, "the weights after 4 steps");
        }
        assertEquals(manual.stateDict(), trained.stateDict());
        assertEquals(4096.0, trained.getScale(), 0, "grown twice, after steps 2 and 4 (growth interval 2)");
    }

    /** From 2^40 the scaled F16 gradients overflow half at every one of the epoch's 4 steps. */
    @Test
    void overflowingStepsAreSkippedAndEachHalvesTheScale() {
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5);
             DataLoader loader = loader()) {
            float[] before = model.weight().toFloatArray();
            GradScaler scaler = new GradScaler(0x1p40, 2, 0.5, 2000, true);
            new Trainer(model, sgd, new CrossEntropyLoss()).precision(Precision.F16).gradScaler(scaler)
                    .fit(loader, null, 1);
            assertArrayEquals(before, model.weight().toFloatArray(), 0f, "no step was taken");
            assertEquals(0x1p36, scaler.getScale(), 0, "halved at each of the 4 skipped steps");
        }
    }

    @Test
    void checkpointsCarryTheScalerStateWithPyTorchsKeysAndResumeRestoresIt(@TempDir Path dir) throws IOException {
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5);
             DataLoader loader = loader()) {
            new Trainer(model, sgd, new CrossEntropyLoss()).precision(Precision.F16)
                    .gradScaler(new GradScaler(0x1p40, 2, 0.5, 2000, true)).checkpoints(dir, Map.of())
                    .fit(loader, null, 1);
        }
        Map<String, String> metadata = Trainer.metadata(dir.resolve(Trainer.CHECKPOINT));
        assertEquals(Double.toString(0x1p36), metadata.get("grad_scaler.scale"));
        assertEquals("0.0", metadata.get("grad_scaler._growth_tracker"));
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5)) {
            GradScaler fresh = new GradScaler();
            new Trainer(model, sgd, new CrossEntropyLoss()).gradScaler(fresh).resume(dir.resolve(Trainer.CHECKPOINT));
            assertEquals(0x1p36, fresh.getScale(), 0);
        }
    }

    /** Writes the checkpoint of one epoch in {@code precision}, with a GradScaler at scale 2^40 when given one. */
    private static Path checkpointOfOneEpoch(Path dir, Precision precision, boolean scaler) {
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5);
             DataLoader loader = loader()) {
            new Trainer(model, sgd, new CrossEntropyLoss()).precision(precision)
                    .gradScaler(scaler ? new GradScaler(0x1p40, 2, 0.5, 2000, true) : null).checkpoints(dir, Map.of())
                    .fit(loader, null, 1);
        }
        return dir.resolve(Trainer.CHECKPOINT);
    }

    /** What SLF4J (slf4j-simple, to System.err) logs while {@code trainer} resumes from {@code checkpoint}. */
    private static String logOfResume(Trainer trainer, Path checkpoint) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            trainer.resume(checkpoint);
        } finally {
            System.setErr(err);
        }
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anF16CheckpointResumedAtAnotherPrecisionWarnsThatItsLossScaleIsDropped(@TempDir Path dir)
            throws IOException {
        Path checkpoint = checkpointOfOneEpoch(dir, Precision.F16, true);
        assertEquals("f16", Trainer.metadata(checkpoint).get("precision"), "the checkpoint records its precision");
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5)) {
            String log = logOfResume(new Trainer(model, sgd, new CrossEntropyLoss()).precision(Precision.BF16),
                    checkpoint);
            assertTrue(log.contains("WARN") && log.contains(checkpoint.toString())
                    && log.contains("written at precision f16") && log.contains("run at precision bf16")
                    && log.contains("loss scale " + 0x1p36 + " is dropped"), log);
        }
    }

    @Test
    void anF16RunResumedFromACheckpointWithoutScalerStateWarnsThatItStartsFromAFreshScale(@TempDir Path dir)
            throws IOException {
        Path checkpoint = checkpointOfOneEpoch(dir, Precision.FP32, false);
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5)) {
            GradScaler fresh = new GradScaler();
            String log = logOfResume(new Trainer(model, sgd, new CrossEntropyLoss()).precision(Precision.F16)
                    .gradScaler(fresh), checkpoint);
            assertTrue(log.contains("WARN") && log.contains(checkpoint.toString())
                    && log.contains("written at precision fp32") && log.contains("run at precision f16")
                    && log.contains("loss scale " + 65536.0), log);
            assertEquals(65536.0, fresh.getScale(), 0, "PyTorch's initial scale");
        }
    }

    @Test
    void anF16CheckpointResumedWithAScalerWarnsOfNothing(@TempDir Path dir) throws IOException {
        Path checkpoint = checkpointOfOneEpoch(dir, Precision.F16, true);
        try (Scope s = Scope.open(); Linear model = model(); Optimizer sgd = new SGD(model.parameters(), 0.5)) {
            String log = logOfResume(new Trainer(model, sgd, new CrossEntropyLoss()).precision(Precision.F16)
                    .gradScaler(new GradScaler()), checkpoint);
            assertFalse(log.contains("WARN"), log);
        }
    }

    /** As PyTorch's GradScaler refuses closures; a disabled scaler, which only passes steps through, is let in. */
    @Test
    void anOptimizerThatStepsWithAClosureIsRefused() {
        try (Scope s = Scope.open(); Linear model = model(); LBFGS lbfgs = new LBFGS(model.parameters(), 1)) {
            Trainer trainer = new Trainer(model, lbfgs, new CrossEntropyLoss());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.gradScaler(new GradScaler()));
            assertTrue(e.getMessage().contains("closure"), e.getMessage());
            trainer.gradScaler(new GradScaler(65536, 2, 0.5, 2000, false));
        }
    }
}
