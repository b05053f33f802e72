package dev.kiln.train;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint's optimizer state brought into the model's current layout where the checkpoint holds parameters that
 * an earlier version of a module saved otherwise ({@link Module#upgradedStateDict}: MultiHeadAttention's q_proj, k_proj
 * and v_proj, now packed into in_proj). The optimizer keys its state by parameter index ({@code state.<i>.<name>}), so
 * each saved index is named by the checkpoint's parameters in the order they were saved (the model's order then), each
 * entry is brought up to date as its parameter is (Adam's moments of q, k and v concatenated as in_proj's rows) and
 * indexed again by the model's order now. A one-element entry (a step count) is spread to its parameter's shape for
 * that and must come out one value.
 */
final class OptimizerStateUpgrade {
    private static final Pattern STATE_KEY = Pattern.compile("state\\.(\\d{1,9})\\.(.+)");

    private final Module model;
    /** The checkpoint's parameters (its model entries that are not the model's buffers), in saved order. */
    private final Map<String, Tensor> saved = new LinkedHashMap<>();
    private final List<String> savedNames;

    private OptimizerStateUpgrade(Module model, Map<String, Tensor> modelState) {
        this.model = model;
        Set<String> buffers = model.namedBuffers().keySet();
        modelState.forEach((key, t) -> {
            if (!buffers.contains(key)) {
                saved.put(key, t);
            }
        });
        this.savedNames = List.copyOf(saved.keySet());
    }

    /**
     * {@code optimizerState} as it fits {@code model}'s parameters now, given the checkpoint's {@code modelState} (its
     * keys in saved order); {@code optimizerState} itself where the model's upgrade renames none of the checkpoint's
     * parameters, or where they do not become the model's (its own check names those). Tensors it makes belong to the
     * caller's scope.
     *
     * @throws IllegalArgumentException when parameters are renamed and {@code optimizer} does not hold all of the
     *     model's parameters in its order (no other list can be named from the checkpoint), or when an entry is
     *     neither of its parameter's shape nor one element, or one value differs across the parameters packed into
     *     one
     */
    static Map<String, Tensor> upgraded(Module model, Map<String, Tensor> modelState, Optimizer optimizer,
                                        Map<String, Tensor> optimizerState) {
        return new OptimizerStateUpgrade(model, modelState).of(optimizer, optimizerState);
    }

    private Map<String, Tensor> of(Optimizer optimizer, Map<String, Tensor> optimizerState) {
        Map<String, Tensor> current = model.upgradedStateDict(saved);
        List<String> names = List.copyOf(model.namedParameters().keySet());
        if (current.keySet().equals(saved.keySet()) || !current.keySet().equals(new HashSet<>(names))) {
            return optimizerState;
        }
        if (!sameTensors(optimizer.params(), model.parameters())) {
            Set<String> renamed = new HashSet<>(saved.keySet());
            renamed.removeAll(current.keySet());
            throw new IllegalArgumentException("the checkpoint holds parameters in an earlier layout " + renamed
                    + ", which its optimizer state is brought out of only for an optimizer of all the model's parameters"
                    + " in its order (model.parameters()), not " + optimizer.params().size() + " of its "
                    + names.size());
        }
        Map<String, Map<Integer, Tensor>> entries = new LinkedHashMap<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        optimizerState.forEach((key, t) -> {
            Matcher m = STATE_KEY.matcher(key);
            int index = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            if (index >= 0 && index < savedNames.size()) {
                entries.computeIfAbsent(m.group(2), name -> new LinkedHashMap<>()).put(index, t);
            } else {
                // Group entries, and anything the optimizer's own check will name.
                out.put(key, t);
            }
        });
        entries.forEach((name, byIndex) -> putUpgraded(name, byIndex, names, out));
        return out;
    }

    private static boolean sameTensors(List<Tensor> a, List<Tensor> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The entries {@code name} of the saved parameter indices, upgraded, into {@code out} under the current ones. */
    private void putUpgraded(String name, Map<Integer, Tensor> byIndex, List<String> names, Map<String, Tensor> out) {
        boolean oneValue = false;
        for (Map.Entry<Integer, Tensor> e : byIndex.entrySet()) {
            Tensor parameter = saved.get(savedNames.get(e.getKey()));
            if (!e.getValue().shape().equals(parameter.shape())) {
                if (e.getValue().size() != 1) {
                    throw new IllegalArgumentException("state." + e.getKey() + "." + name + ": shape "
                            + e.getValue().shape() + ", expected its parameter's " + parameter.shape()
                            + " or one element");
                }
                oneValue = true;
            }
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Map.Entry<Integer, Tensor> e : byIndex.entrySet()) {
            String parameter = savedNames.get(e.getKey());
            byName.put(parameter, oneValue
                    ? Tensor.full(e.getValue().item(), DType.F64, saved.get(parameter).shape().dims()) : e.getValue());
        }
        Tensor template = byIndex.values().iterator().next();
        Map<String, Tensor> upgraded = model.upgradedStateDict(byName);
        for (int j = 0; j < names.size(); j++) {
            Tensor t = upgraded.get(names.get(j));
            if (t != null) {
                String key = "state." + j + "." + name;
                out.put(key, oneValue ? single(key, t, template) : t);
            }
        }
    }

    /** The one value that {@code spread} holds everywhere, in {@code template}'s dtype and shape. */
    private static Tensor single(String key, Tensor spread, Tensor template) {
        double min = spread.min().item();
        double max = spread.max().item();
        if (min != max) {
            throw new IllegalArgumentException(key + ": the saved parameters packed into this one hold different"
                    + " values, from " + min + " to " + max);
        }
        return Tensor.full(min, template.dtype(), template.shape().dims());
    }
}
