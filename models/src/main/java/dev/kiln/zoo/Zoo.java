package dev.kiln.zoo;

import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.List;

/** Reference models by name, as trained by {@code kiln train MODEL}. */
public final class Zoo {
    private Zoo() {
    }

    /** Names {@link #create} accepts. */
    public static List<String> names() {
        return List.of("mlp");
    }

    /**
     * A new model with fresh weights from the engine's seeded stream.
     *
     * @param inputs  features per sample (784 for 28x28 images)
     * @param classes number of classes
     */
    public static Module create(String name, int inputs, int classes) {
        return switch (name) {
            case "mlp" -> mlp(inputs, classes);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: " + names());
        };
    }

    /** W1 of the benchmark protocol: inputs-512-ReLU-512-ReLU-classes on flattened inputs. */
    public static Sequential mlp(int inputs, int classes) {
        return new Sequential(new Flatten(), new Linear(inputs, 512), new ReLU(), new Linear(512, 512), new ReLU(),
                new Linear(512, classes));
    }
}
