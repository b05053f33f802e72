package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Engine;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.AveragedModel;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.OneCycleLR;
import dev.kiln.optim.schedule.StepLR;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming with a model, optimizer or trainer other than the interrupted run's is refused before anything is loaded,
 * naming what differs, never a silent start. For the model, as PyTorch 1.13's {@code load_state_dict} reports it:
 * missing keys, unexpected keys, each size mismatch with both shapes. For the optimizer, PyTorch loads silently (Adam's
 * state into AdamW or SGD, its {@code param_groups} replacing the new optimizer's eps, betas, nesterov and weight decay;
 * {@code models/src/test/pytorch/resume_mismatch.py}); Kiln builds the optimizer with its settings and refuses other
 * ones, naming both values.
 */
class TrainerResumeMismatchTest {
    private static final ArrayDataset DATA = data();

    private static ArrayDataset data() {
        Random random = new Random(2);
        float[] x = new float[32 * 6];
        long[] y = new long[32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(3);
        }
        return new ArrayDataset(x, y, new int[] {6}, 3);
    }

    private static Module mlp(int hidden) {
        return new Sequential(new Linear(6, hidden), new ReLU(), new Linear(hidden, 3));
    }

    private static Module deeper() {
        return new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 8), new ReLU(), new Linear(8, 3));
    }

    private static Map<String, String> weights(Module m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, Arrays.toString(v.toFloatArray())));
        return out;
    }

    /**
     * Trains one epoch of {@code model} with {@code optimizer} and {@code setUp} into {@code dir}, then resumes from its
     * checkpoint with the other model, optimizer and set-up: returns the refusal, after checking that it left the
     * model's weights as they were.
     */
    private static IllegalArgumentException refusal(Path dir, Supplier<Module> model, Function<Module, Optimizer> optimizer,
                                                    Consumer<Trainer> setUp, Supplier<Module> otherModel,
                                                    Function<Module, Optimizer> otherOptimizer,
                                                    Consumer<Trainer> otherSetUp) throws IOException {
        Engine.seed(1);
        try (Module m = model.get(); Optimizer o = optimizer.apply(m)) {
            Trainer t = new Trainer(m, o, new CrossEntropyLoss()).checkpoints(dir, Map.of());
            setUp.accept(t);
            t.fit(new DataLoader(DATA, 8, true, 1), null, 1);
        }
        try (Module m = otherModel.get(); Optimizer o = otherOptimizer.apply(m)) {
            Trainer t = new Trainer(m, o, new CrossEntropyLoss());
            otherSetUp.accept(t);
            Map<String, String> before = weights(m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.resume(dir.resolve(Trainer.CHECKPOINT)));
            assertEquals(before, weights(m), "a refused checkpoint leaves the model as it was");
            assertTrue(e.getMessage().startsWith(dir.resolve(Trainer.CHECKPOINT).toString()), e.getMessage());
            return e;
        }
    }

    private static IllegalArgumentException refusedModel(Path dir, Supplier<Module> model, Supplier<Module> other)
            throws IOException {
        Function<Module, Optimizer> adam = m -> new Adam(m.trainableParameters(), 0.01);
        return refusal(dir, model, adam, t -> { }, other, adam, t -> { });
    }

    private static IllegalArgumentException refusedOptimizer(Path dir, Function<Module, Optimizer> optimizer,
                                                             Function<Module, Optimizer> other) throws IOException {
        return refusal(dir, () -> mlp(8), optimizer, t -> { }, () -> mlp(8), other, t -> { });
    }

    private static IllegalArgumentException refusedTrainer(Path dir, Consumer<Trainer> setUp, Consumer<Trainer> other)
            throws IOException {
        Function<Module, Optimizer> adam = m -> new Adam(m.trainableParameters(), 0.01);
        return refusal(dir, () -> mlp(8), adam, setUp, () -> mlp(8), adam, other);
    }

    @Test
    void aModelOfAnotherWidthIsRefusedNamingEachSizeMismatchWithBothShapes(@TempDir Path dir) throws IOException {
        String message = refusedModel(dir, () -> mlp(8), () -> mlp(9)).getMessage();
        assertTrue(message.contains("shape mismatches: [0.weight: checkpoint [8, 6], model [9, 6], 0.bias: checkpoint [8],"
                + " model [9], 2.weight: checkpoint [3, 8], model [3, 9]]"), message);
    }

    @Test
    void aModelWithAnExtraLayerIsRefusedNamingTheMissingKeys(@TempDir Path dir) throws IOException {
        String message = refusedModel(dir, () -> mlp(8), TrainerResumeMismatchTest::deeper).getMessage();
        assertTrue(message.contains("missing keys: [4.weight, 4.bias]"), message);
        assertTrue(message.contains("2.weight: checkpoint [3, 8], model [8, 8]"), message);
    }

    @Test
    void aModelWithoutALayerIsRefusedNamingTheUnexpectedKeys(@TempDir Path dir) throws IOException {
        String message = refusedModel(dir, TrainerResumeMismatchTest::deeper, () -> mlp(8)).getMessage();
        assertTrue(message.contains("unexpected keys: [4.weight, 4.bias]"), message);
    }

    @Test
    void anotherOptimizerWithTheSameStateIsRefusedNamingBoth(@TempDir Path dir) throws IOException {
        String message = refusedOptimizer(dir, m -> new Adam(m.trainableParameters(), 0.01),
                m -> new AdamW(m.trainableParameters(), 0.01)).getMessage();
        assertTrue(message.contains("optimizer: checkpoint Adam{maximize=false, beta2=0.999, eps=1.0E-8, amsgrad=false},"
                + " this trainer AdamW{maximize=false, beta2=0.999, eps=1.0E-8, amsgrad=false}"), message);
    }

    @Test
    void anAdamOfAnotherEpsIsRefusedNamingBothValues(@TempDir Path dir) throws IOException {
        String message = refusedOptimizer(dir, m -> new Adam(m.trainableParameters(), 0.01),
                m -> new Adam(m.trainableParameters(), 0.01, 0.9, 0.999, 1e-3, 0)).getMessage();
        assertTrue(message.contains("eps=1.0E-8, amsgrad=false}, this trainer Adam{maximize=false, beta2=0.999,"
                + " eps=0.001, amsgrad=false}"), message);
    }

    @Test
    void anSgdWithNesterovFromOneWithoutIsRefusedNamingBoth(@TempDir Path dir) throws IOException {
        String message = refusedOptimizer(dir, m -> new SGD(m.trainableParameters(), 0.01, 0.9, false, 0),
                m -> new SGD(m.trainableParameters(), 0.01, 0.9, true, 0)).getMessage();
        assertTrue(message.contains("checkpoint SGD{maximize=false, dampening=0.0, nesterov=false}, this trainer"
                + " SGD{maximize=false, dampening=0.0, nesterov=true}"), message);
    }

    @Test
    void anOptimizerOfAnotherStateIsRefusedNamingTheStateItKeeps(@TempDir Path dir) throws IOException {
        String message = refusedOptimizer(dir, m -> new Adam(m.trainableParameters(), 0.01),
                m -> new SGD(m.trainableParameters(), 0.01, 0.9, false, 0)).getMessage();
        assertTrue(message.contains("optimizer: checkpoint Adam{"), message);
    }

    @Test
    void otherAccumulationClippingAndScheduleAreRefusedEachNamedWithBothValues(@TempDir Path dir) throws IOException {
        String message = refusedTrainer(dir, t -> { },
                t -> t.accumulateGradients(2).clipGradNorm(1).schedule(new StepLR(t.optimizer(), 1, 0.5))).getMessage();
        assertTrue(message.contains("schedule: checkpoint none, this trainer StepLR"), message);
        assertTrue(message.contains("accumulate_grad_batches: checkpoint 1, this trainer 2"), message);
        assertTrue(message.contains("clip_grad_norm: checkpoint none, this trainer max_norm 1.0, norm_type 2.0"),
                message);
    }

    @Test
    void aScheduleToBeGivenOnlyAfterResumeIsRefusedSayingToSetItUpBefore(@TempDir Path dir) throws IOException {
        // Given after resume, a schedule would miss the checkpoint's state (ReduceLROnPlateau's best loss).
        String message = refusedTrainer(dir, t -> t.schedule(new StepLR(t.optimizer(), 1, 0.5)), t -> { }).getMessage();
        assertTrue(message.contains("schedule: checkpoint StepLR, this trainer none"), message);
        assertTrue(message.contains("set this trainer up as that run's before calling resume"), message);
    }

    @Test
    void aPerStepScheduleResumedOnALoaderOfAnotherEpochLengthIsRefusedNamingBoth(@TempDir Path dir) throws IOException {
        Function<Trainer, Trainer> oneCycle = t -> t.schedulePerStep(new OneCycleLR(t.optimizer(), 0.1, 40));
        Engine.seed(1);
        try (Module m = mlp(8); Optimizer o = new Adam(m.trainableParameters(), 0.01)) {
            oneCycle.apply(new Trainer(m, o, new CrossEntropyLoss()).checkpoints(dir, Map.of()))
                    .fit(new DataLoader(DATA, 8, true, 1), null, 2);
        }
        try (Module m = mlp(8); Optimizer o = new Adam(m.trainableParameters(), 0.01)) {
            Trainer t = oneCycle.apply(new Trainer(m, o, new CrossEntropyLoss()));
            t.resume(dir.resolve(Trainer.CHECKPOINT));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> t.fit(new DataLoader(DATA, 4, true, 1), null, 4));
            assertEquals("Trainer.fit: the run resumed took 8 optimizer steps in 2 epochs and this loader's epochs take"
                    + " 8, so the per-step schedule OneCycleLR would go on from step 16, not from step 8 where the run"
                    + " stopped; train on a loader of the run's batch size, sampler and drop-last", e.getMessage());
        }
    }

    @Test
    void aRunThatAveragedItsWeightsResumedWithoutAnAverageIsRefused(@TempDir Path dir) throws IOException {
        String message = refusedTrainer(dir, t -> t.averageWeights(AveragedModel.swa(t.model())), t -> { }).getMessage();
        assertTrue(message.endsWith(" holds averaged weights: it was written by a run with averageWeights, which this"
                + " one has not, so its average would end here"), message);
    }

    /**
     * Trains {@code lastEpoch} epochs of an Adam run accumulating 3 batches of 5 (a shorter last group) under a
     * per-step OneCycleLR, from {@code checkpoint} when not null, checkpointing into {@code dir} when not null: its
     * final weights.
     */
    private static Map<String, String> oneCycleRun(Path dir, Path checkpoint, int lastEpoch) throws IOException {
        Engine.seed(1);
        try (Module m = mlp(8); Optimizer o = new Adam(m.trainableParameters(), 0.01)) {
            Trainer t = new Trainer(m, o, new CrossEntropyLoss()).accumulateGradients(3)
                    .schedulePerStep(new OneCycleLR(o, 0.1, 12));
            if (dir != null) {
                t.checkpoints(dir, Map.of());
            }
            if (checkpoint != null) {
                t.resume(checkpoint);
            }
            t.fit(new DataLoader(DATA, 5, true, 1), null, lastEpoch);
            return weights(m);
        }
    }

    @Test
    void aCheckpointWrittenBeforeTheSettingsAndStepsWereRecordedStillResumesExactly(@TempDir Path dir)
            throws IOException {
        Map<String, String> uninterrupted = oneCycleRun(null, null, 4);
        oneCycleRun(dir, null, 2);
        Path checkpoint = dir.resolve(Trainer.CHECKPOINT);
        try (SafeTensors.Loaded loaded = SafeTensors.read(checkpoint)) {
            Map<String, String> earlier = new LinkedHashMap<>(loaded.metadata());
            earlier.keySet().removeIf(k -> k.startsWith("trainer.") || k.equals("optimizer_steps"));
            SafeTensors.write(checkpoint, loaded.tensors(), earlier);
        }
        assertEquals(uninterrupted, oneCycleRun(null, checkpoint, 4));
    }
}
