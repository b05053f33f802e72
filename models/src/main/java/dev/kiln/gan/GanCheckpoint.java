package dev.kiln.gan;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Json;
import dev.kiln.train.TuningChoices;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link GanTrainer}'s run after an epoch, in one safetensors file that is written to a temporary file and renamed
 * over the old one ({@link SafeTensors#write}), so that an interrupted write leaves the previous epoch's: the
 * networks' weights and buffers under {@code model.} (the layout {@code Trainer.loadModel} reads, so that
 * {@code kiln gan --sample} takes it), each optimizer's state under {@code generator_optimizer.} and
 * {@code discriminator_optimizer.}, the fixed noise [n, latent] of the per-epoch sample grids as
 * {@code fixed_noise}, and in the metadata the epoch, the critic updates since the generator's last and that one's
 * loss, each epoch's figures as a JSON object ({@code history_1}, ...) and the engine's random state. From it
 * {@link #resume} continues a run as if it had not stopped, on the same backend, bit for bit: the backend's tuning
 * choices are written beside the file ({@link TuningChoices}) and taken back on resume, so that the resuming process
 * runs each convolution on the kernel the first chose (without them, oneDNN's timed choice could differ between
 * processes and change the last bits: a relative 2e-4 at most in the weights after an epoch of 4 batches, measured on
 * MNIST).
 */
public final class GanCheckpoint {
    private static final String MODEL = "model.";
    private static final String GENERATOR_OPTIMIZER = "generator_optimizer.";
    private static final String DISCRIMINATOR_OPTIMIZER = "discriminator_optimizer.";
    private static final String FIXED_NOISE = "fixed_noise";
    private static final String GENERATOR_SETTINGS = "generator_optimizer";
    private static final String DISCRIMINATOR_SETTINGS = "discriminator_optimizer";
    private static final String EPOCH = "epoch";
    private static final String CRITIC_STEPS_SINCE_GENERATOR = "critic_steps_since_generator";
    private static final String LAST_GENERATOR_LOSS = "last_generator_loss";
    private static final String HISTORY = "history_";
    private static final String RANDOM_SEED = "random_seed";
    private static final String RANDOM_COUNTER = "random_counter";

    private GanCheckpoint() {
    }

    /**
     * What {@link #resume} restored besides the trainer's state.
     *
     * @param epoch    the last epoch the checkpoint's run trained
     * @param history  its figures of epochs 1 to {@code epoch}, in order
     * @param metadata every metadata entry of the file, the run's settings among them
     */
    public record Resumed(int epoch, List<GanEpoch> history, Map<String, String> metadata) {
    }

    /**
     * Writes {@code trainer}'s run after its last epoch ({@link GanTrainer#epoch}) to {@code file}, and the
     * backend's tuning choices beside it ({@link TuningChoices}).
     *
     * @param fixedNoise the noise [n, latent] of the per-epoch sample grids
     * @param history    the figures of every epoch so far, epochs 1 to the trainer's last
     * @param metadata   the run's settings, stored beside the checkpoint's own entries
     */
    public static void write(Path file, GanTrainer trainer, Tensor fixedNoise, List<GanEpoch> history,
                             Map<String, String> metadata) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        trainer.model().stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        trainer.generatorOptimizer().stateDict().forEach((k, v) -> tensors.put(GENERATOR_OPTIMIZER + k, v));
        trainer.discriminatorOptimizer().stateDict().forEach((k, v) -> tensors.put(DISCRIMINATOR_OPTIMIZER + k, v));
        tensors.put(FIXED_NOISE, fixedNoise);
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.putAll(optimizerSettings(trainer));
        all.put(EPOCH, Integer.toString(trainer.epoch()));
        all.put(CRITIC_STEPS_SINCE_GENERATOR, Integer.toString(trainer.criticStepsSinceGenerator()));
        all.put(LAST_GENERATOR_LOSS, Double.toString(trainer.lastGeneratorLoss()));
        for (GanEpoch e : history) {
            all.put(HISTORY + e.epoch(), Json.line(figures(e)));
        }
        all.put(RANDOM_SEED, Long.toString(Engine.get().seed()));
        all.put(RANDOM_COUNTER, Long.toString(Engine.get().counter()));
        SafeTensors.write(file, tensors, all);
        TuningChoices.writeBeside(file);
    }

    /**
     * Loads {@code file} into {@code trainer}'s networks and optimizers and {@code fixedNoise}, sets its epoch and
     * critic count, and restores the engine's random state and the backend's tuning choices written beside it, so that
     * {@link GanTrainer#fit} goes on with the next epoch. Everything is checked first: a file that does not fit leaves
     * all of them as they were.
     *
     * @throws IOException              naming the file when it is missing or not a readable safetensors file
     * @throws IllegalArgumentException naming the file when it holds weights only (no optimizer state: a
     *                                  {@code kiln gan} checkpoint from before resuming existed) or state that does not
     *                                  fit the trainer's networks, optimizers, critic steps or noise
     */
    public static Resumed resume(Path file, GanTrainer trainer, Tensor fixedNoise) throws IOException {
        try (SafeTensors.Loaded loaded = SafeTensors.read(file)) {
            Map<String, Tensor> model = loaded.withPrefix(MODEL);
            Map<String, Tensor> generator = loaded.withPrefix(GENERATOR_OPTIMIZER);
            Map<String, Tensor> discriminator = loaded.withPrefix(DISCRIMINATOR_OPTIMIZER);
            Tensor noise = loaded.tensors().get(FIXED_NOISE);
            if (generator.isEmpty() || discriminator.isEmpty() || noise == null) {
                throw new IllegalArgumentException(file + " holds a GAN's weights without its optimizers' state and"
                        + " fixed noise (written by a kiln gan that could not resume yet): it cannot be resumed");
            }
            Map<String, String> meta = loaded.metadata();
            int epoch;
            List<GanEpoch> history;
            try {
                epoch = integer(meta, EPOCH);
                int criticSteps = integer(meta, CRITIC_STEPS_SINCE_GENERATOR);
                trainer.checkProgress(epoch, criticSteps);
                requireSameOptimizers(meta, optimizerSettings(trainer));
                history = history(meta, epoch);
                trainer.model().checkStateDict(model, true);
                trainer.generatorOptimizer().checkStateDict(generator);
                trainer.discriminatorOptimizer().checkStateDict(discriminator);
                if (!noise.shape().equals(fixedNoise.shape()) || noise.dtype() != fixedNoise.dtype()) {
                    throw new IllegalArgumentException(FIXED_NOISE + " is " + noise.dtype() + " " + noise.shape()
                            + ", this run's " + fixedNoise.dtype() + " " + fixedNoise.shape());
                }
                long seed = longValue(meta, RANDOM_SEED);
                long counter = longValue(meta, RANDOM_COUNTER);
                double lastGeneratorLoss = number(meta, LAST_GENERATOR_LOSS);
                TuningChoices.useBeside(file);
                trainer.model().loadStateDict(model, true);
                trainer.generatorOptimizer().loadStateDict(generator);
                trainer.discriminatorOptimizer().loadStateDict(discriminator);
                try (Autograd.Guard g = Autograd.noGrad()) {
                    fixedNoise.assign(noise);
                }
                trainer.resumeAt(epoch, criticSteps, lastGeneratorLoss);
                Engine.restoreRandomState(seed, counter);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
            return new Resumed(epoch, history, meta);
        }
    }

    /**
     * Each optimizer's class and {@link Optimizer#settings()} (eps, betas' beta2, amsgrad, ...), which its state does not
     * hold, by metadata key: a resume under other ones would not go on as the run would have.
     */
    private static Map<String, String> optimizerSettings(GanTrainer trainer) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(GENERATOR_SETTINGS, describe(trainer.generatorOptimizer()));
        s.put(DISCRIMINATOR_SETTINGS, describe(trainer.discriminatorOptimizer()));
        return s;
    }

    private static String describe(Optimizer optimizer) {
        return optimizer.getClass().getSimpleName() + optimizer.settings();
    }

    /**
     * Refuses optimizers set up otherwise than {@code recorded} says, naming each with both values, as
     * {@code Trainer.resume} does; a checkpoint from before they were recorded has none to compare.
     */
    private static void requireSameOptimizers(Map<String, String> recorded, Map<String, String> current) {
        List<String> differences = new ArrayList<>();
        current.forEach((key, value) -> {
            String written = recorded.get(key);
            if (written != null && !written.equals(value)) {
                differences.add(key + ": checkpoint " + written + ", this trainer " + value);
            }
        });
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", differences));
        }
    }

    /** One epoch's figures as a JSON object's entries (NaN, which JSON cannot hold, becomes null). */
    private static Map<String, Object> figures(GanEpoch e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("discriminator_loss", e.discriminatorLoss());
        m.put("generator_loss", e.generatorLoss());
        m.put("terms", e.terms());
        m.put("seconds", e.seconds());
        m.put("samples_per_s", e.samplesPerSecond());
        return m;
    }

    /** Epochs 1 to {@code epochs} from their {@link #figures} entries. */
    private static List<GanEpoch> history(Map<String, String> meta, int epochs) {
        List<GanEpoch> history = new ArrayList<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Map<String, Object> f = Json.parse(required(meta, HISTORY + epoch));
            Map<String, Double> terms = new LinkedHashMap<>();
            if (f.get("terms") instanceof Map<?, ?> t) {
                t.forEach((name, value) -> terms.put(name.toString(), figure(value)));
            }
            history.add(new GanEpoch(epoch, figure(f.get("discriminator_loss")), figure(f.get("generator_loss")), terms,
                    figure(f.get("seconds")), figure(f.get("samples_per_s"))));
        }
        return history;
    }

    /** A JSON number as a double; null (a NaN written) as NaN. */
    private static double figure(Object value) {
        if (value == null) {
            return Double.NaN;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("an epoch's figure is '" + value + "', not a number");
        }
        return n.doubleValue();
    }

    private static String required(Map<String, String> meta, String key) {
        String value = meta.get(key);
        if (value == null) {
            throw new IllegalArgumentException("its metadata has no '" + key + "'");
        }
        return value;
    }

    private static int integer(Map<String, String> meta, String key) {
        return Math.toIntExact(longValue(meta, key));
    }

    private static long longValue(Map<String, String> meta, String key) {
        String value = required(meta, key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + key + " is '" + value + "', not an integer", e);
        }
    }

    private static double number(Map<String, String> meta, String key) {
        String value = required(meta, key);
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + key + " is '" + value + "', not a number", e);
        }
    }
}
