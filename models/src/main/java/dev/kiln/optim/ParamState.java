package dev.kiln.optim;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@link Optimizer} keeps for one parameter: named tensors of the parameter's shape (moments,
 * momentum buffers), a step count, and named numbers (NAdam's momentum product). The tensors live outside
 * every {@link Scope} until the optimizer is closed or loads another state.
 */
public final class ParamState {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Double> numbers = new LinkedHashMap<>();
    private final Map<String, Tensor> numberTensors = new LinkedHashMap<>();
    private long step;
    private Tensor stepTensor;

    /** Updates made to the parameter so far (for optimizers that count them). */
    public long step() {
        return step;
    }

    /** Counts one more update and returns the new count (1 on the first update). */
    public long nextStep() {
        return ++step;
    }

    /** The state tensor {@code name}, or null when there is none yet. */
    public Tensor get(String name) {
        return tensors.get(name);
    }

    /** The state tensor {@code name}, created as zeros of {@code param}'s shape, dtype and device if missing. */
    public Tensor getOrZeros(String name, Tensor param) {
        Tensor t = tensors.get(name);
        if (t == null) {
            t = Updates.stateLike(param);
            tensors.put(name, t);
        }
        return t;
    }

    /** The number {@code name}, or {@code initial} when there is none yet. */
    public double number(String name, double initial) {
        return numbers.getOrDefault(name, initial);
    }

    /** Sets the number {@code name}. */
    public void setNumber(String name, double value) {
        numbers.put(name, value);
    }

    /** True before the first update (and after loading a state without entries for this parameter). */
    public boolean isEmpty() {
        return tensors.isEmpty() && numbers.isEmpty() && step == 0;
    }

    /** The named tensors, in creation order (unmodifiable, live). */
    Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Takes ownership of {@code t} (unscoped) as {@code name}. */
    void put(String name, Tensor t) {
        Tensor old = tensors.put(name, t);
        if (old != null && old != t) {
            old.close();
        }
    }

    void setStep(long step) {
        this.step = step;
    }

    /** The step count as a live one-element I64 tensor, brought up to date (for state dicts). */
    Tensor stepTensor() {
        try (Scope s = Scope.open()) {
            Tensor value = Tensor.fromArray(new long[] {step}, 1);
            if (stepTensor == null) {
                stepTensor = Updates.stateLike(value);
            }
            stepTensor.assign(value);
        }
        return stepTensor;
    }

    /** The numbers, in the order they were first set (unmodifiable, live). */
    Map<String, Double> numbers() {
        return Collections.unmodifiableMap(numbers);
    }

    /** The number {@code name} as a live one-element F64 tensor, brought up to date (for state dicts). */
    Tensor numberTensor(String name) {
        try (Scope s = Scope.open()) {
            Tensor value = Tensor.fromArray(new double[] {numbers.get(name)}, 1);
            return numberTensors.computeIfAbsent(name, n -> Updates.stateLike(value)).assign(value);
        }
    }

    /** Releases every tensor and forgets the step count and the numbers. */
    void clear() {
        tensors.values().forEach(Tensor::close);
        tensors.clear();
        numbers.clear();
        numberTensors.values().forEach(Tensor::close);
        numberTensors.clear();
        if (stepTensor != null) {
            stepTensor.close();
            stepTensor = null;
        }
        step = 0;
    }
}
