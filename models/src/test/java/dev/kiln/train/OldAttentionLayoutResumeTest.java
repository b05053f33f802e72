package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiHeadAttention;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming training from a checkpoint that Kiln wrote before {@link MultiHeadAttention} packed its q_proj, k_proj and
 * v_proj into PyTorch's in_proj: the optimizer's state (Adam's moments and step counts, per parameter index) is
 * brought into the packed layout as the weights are, so that the next step is the one the run would have taken.
 */
class OldAttentionLayoutResumeTest {
    private static final Pattern STATE_KEY = Pattern.compile("optimizer\\.state\\.(\\d+)\\.(.+)");
    private static final String[] PARTS = {"q_proj", "k_proj", "v_proj"};
    /** The packed parameters' indices in {@link Net}'s order, and the first index after them. */
    private static final int IN_PROJ_WEIGHT = 2;
    private static final int IN_PROJ_BIAS = 3;
    private static final int AFTER_IN_PROJ = 4;

    @TempDir
    Path dir;

    /** embed, self-attention, head: parameters on both sides of the attention's, whose old layout moved their indices. */
    private static final class Net extends Module {
        Net() {
            registerModule("embed", new Linear(4, 4));
            registerModule("attn", new MultiHeadAttention(4, 2, 0.0));
            registerModule("head", new Linear(4, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return module("head").call(module("attn").call(module("embed").call(x)));
        }
    }

    private static void step(Module model, Optimizer optimizer) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(0, 24, 1, DType.F32).sin().reshape(2, 3, 4);
            optimizer.zeroGrad();
            model.forward(x).pow(2).mean().backward();
            optimizer.step();
        }
    }

    @Test
    void trainingResumesFromTheOldLayoutWithTheNextStepOfTheRunThatSavedIt() throws IOException {
        Engine.seed(3);
        try (Net saved = new Net(); Adam savedAdam = new Adam(saved.parameters(), 0.01);
             Net resumed = new Net(); Adam resumedAdam = new Adam(resumed.parameters(), 0.01)) {
            step(saved, savedAdam);
            step(saved, savedAdam);
            Path packed = dir.resolve("packed.safetensors");
            Trainer.writeTrainingState(packed, saved, savedAdam, Map.of());
            Path old = dir.resolve("old.safetensors");
            writeInTheOldLayout(packed, old);

            Trainer.readTrainingState(old, resumed, resumedAdam);
            step(saved, savedAdam);
            step(resumed, resumedAdam);

            List<Tensor> expected = saved.parameters();
            List<Tensor> actual = resumed.parameters();
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i).toFloatArray(), actual.get(i).toFloatArray(), "parameter " + i);
            }
        }
    }

    @Test
    void theOldLayoutIsRefusedNamingWhyForAnOptimizerOfSomeOfTheParameters() throws IOException {
        Engine.seed(4);
        try (Net saved = new Net(); Adam savedAdam = new Adam(saved.parameters(), 0.01); Net resumed = new Net()) {
            step(saved, savedAdam);
            Path packed = dir.resolve("packed.safetensors");
            Trainer.writeTrainingState(packed, saved, savedAdam, Map.of());
            Path old = dir.resolve("old.safetensors");
            writeInTheOldLayout(packed, old);
            try (Adam partial = new Adam(resumed.parameters().subList(0, 4), 0.01)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Trainer.readTrainingState(old, resumed, partial));
                assertTrue(e.getMessage().contains("only for an optimizer of all the model's parameters in its order"),
                        e.getMessage());
            }
        }
    }

    /**
     * {@code packed} as Kiln wrote it before the packing: each in_proj tensor (the weights, and the optimizer's per
     * parameter) split into q_proj, k_proj and v_proj, each with its weight then its bias, and the optimizer's indices
     * after the attention's moved on by the four more parameters.
     */
    private static void writeInTheOldLayout(Path packed, Path old) throws IOException {
        try (SafeTensors.Loaded loaded = SafeTensors.read(packed)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            loaded.tensors().forEach((key, t) -> {
                Matcher m = STATE_KEY.matcher(key);
                if (key.equals("model.attn.in_proj_weight") || key.equals("model.attn.in_proj_bias")) {
                    if (key.endsWith("weight")) {
                        Tensor bias = loaded.tensors().get("model.attn.in_proj_bias");
                        for (int p = 0; p < 3; p++) {
                            out.put("model.attn." + PARTS[p] + ".weight", third(t, p));
                            out.put("model.attn." + PARTS[p] + ".bias", third(bias, p));
                        }
                    }
                } else if (m.matches()) {
                    int index = Integer.parseInt(m.group(1));
                    if (index == IN_PROJ_WEIGHT || index == IN_PROJ_BIAS) {
                        for (int p = 0; p < 3; p++) {
                            String name = "optimizer.state." + (index + 2 * p) + "." + m.group(2);
                            out.put(name, m.group(2).equals("step") ? t : third(t, p));
                        }
                    } else {
                        out.put("optimizer.state." + (index < AFTER_IN_PROJ ? index : index + 4) + "." + m.group(2), t);
                    }
                } else {
                    out.put(key, t);
                }
            });
            assertEquals(loaded.tensors().size() + 4 + 12, out.size(),
                    "four more model keys, twelve more optimizer entries");
            SafeTensors.write(old, out, loaded.metadata());
        }
    }

    /** Rows [p E, (p + 1) E) of a packed [3 E, ...] tensor. */
    private static Tensor third(Tensor packed, int p) {
        int rows = packed.dim(0) / 3;
        return packed.narrow(0, p * rows, rows).copy();
    }
}
