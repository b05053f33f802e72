package dev.kiln.gan;

import dev.kiln.engine.PendingItem;
import dev.kiln.engine.Tensor;
import dev.kiln.train.StepLosses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One epoch's step scalars of a {@link GanTrainer}, read as {@link StepLosses} reads a loss: all of step n's when
 * step n + 1 has been queued (or at once, with its property {@value StepLosses#WAIT_FOR_EACH_LOSS}), so that an
 * asynchronous device runs on meanwhile. Every value of a step is read together, also the generator's loss of a step
 * that has one, which a device keeps only so long (CUDA: the last 64 values). Adds them up per example and tells the
 * step listeners about each step as it arrives.
 */
final class GanEpochLosses {
    private final int epoch;
    private final int steps;
    private final List<String> termNames;
    private final List<GanTrainer.StepListener> listeners;
    private final boolean waitForEach = Boolean.getBoolean(StepLosses.WAIT_FOR_EACH_LOSS);
    private final double[] termSums;
    private Pending pending;
    private int read;
    private double discriminatorSum;
    private long samples;
    private double generatorSum;
    private long generatorSamples;
    private double lastGenerator;

    /** A queued step's values: the generator's null in a step without its update. */
    private record Pending(PendingItem discriminator, List<PendingItem> terms, PendingItem generator, int size) {
    }

    /**
     * @param termNames     the discriminator loss's terms ({@link GanLoss#termNames}), each step's in this order
     * @param lastGenerator the generator loss to report until this epoch's first one arrives (NaN: none yet)
     */
    GanEpochLosses(int epoch, int steps, List<String> termNames, List<GanTrainer.StepListener> listeners,
                   double lastGenerator) {
        this.epoch = epoch;
        this.steps = steps;
        this.termNames = termNames;
        this.listeners = listeners;
        this.termSums = new double[termNames.size()];
        this.lastGenerator = lastGenerator;
    }

    /** A step of {@code size} real images was queued: reads the step before it, then keeps this one's values. */
    void queued(GanTrainer.Step step, int size) {
        readPending();
        List<PendingItem> terms = new ArrayList<>();
        for (String name : termNames) {
            Tensor term = step.terms().get(name);
            if (term == null) {
                throw new IllegalStateException("the discriminator's loss reported the terms " + step.terms().keySet()
                        + ", not its named term '" + name + "'");
            }
            terms.add(term.itemAsync());
        }
        PendingItem generator = step.generatorLoss() == null ? null : step.generatorLoss().itemAsync();
        pending = new Pending(step.discriminatorLoss().itemAsync(), terms, generator, size);
        if (waitForEach) {
            readPending();
        }
    }

    /** Reads the last step's values: the epoch's steps are done. */
    void finish() {
        readPending();
    }

    /** The generator's latest loss read, or the one given at the start when none has been. */
    double lastGenerator() {
        return lastGenerator;
    }

    /**
     * The epoch's means per example: the discriminator's loss and terms over every step, the generator's loss over
     * the steps that updated it (NaN without one).
     */
    GanEpoch summary(double seconds) {
        Map<String, Double> terms = new LinkedHashMap<>();
        for (int i = 0; i < termSums.length; i++) {
            terms.put(termNames.get(i), termSums[i] / samples);
        }
        double generator = generatorSamples == 0 ? Double.NaN : generatorSum / generatorSamples;
        return new GanEpoch(epoch, discriminatorSum / samples, generator, terms, seconds, samples / seconds);
    }

    private void readPending() {
        if (pending == null) {
            return;
        }
        Pending p = pending;
        pending = null;
        double discriminator = p.discriminator().get();
        discriminatorSum += discriminator * p.size();
        samples += p.size();
        Map<String, Double> terms = new LinkedHashMap<>();
        for (int i = 0; i < termSums.length; i++) {
            double value = p.terms().get(i).get();
            termSums[i] += value * p.size();
            terms.put(termNames.get(i), value);
        }
        if (p.generator() != null) {
            lastGenerator = p.generator().get();
            generatorSum += lastGenerator * p.size();
            generatorSamples += p.size();
        }
        int step = ++read;
        listeners.forEach(l -> l.onStep(epoch, step, steps, discriminator, lastGenerator, terms));
    }
}
