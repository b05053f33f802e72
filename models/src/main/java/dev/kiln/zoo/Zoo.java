package dev.kiln.zoo;

import dev.kiln.nn.Dropout;
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
        return create(name, inputs, classes, 0);
    }

    /** As {@link #create(String, int, int)}, with dropout of probability {@code dropout} after each hidden layer. */
    public static Module create(String name, int inputs, int classes, double dropout) {
        return switch (name) {
            case "mlp" -> mlp(inputs, classes, dropout);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: " + names());
        };
    }

    /** W1 of the benchmark protocol: inputs-512-ReLU-512-ReLU-classes on flattened inputs. */
    public static Sequential mlp(int inputs, int classes) {
        return mlp(inputs, classes, 0);
    }

    /** The W1 network with {@link Dropout} after each hidden ReLU when {@code dropout > 0}. */
    public static Sequential mlp(int inputs, int classes, double dropout) {
        Sequential net = new Sequential(new Flatten(), new Linear(inputs, 512), new ReLU());
        if (dropout > 0) {
            net.add(new Dropout(dropout));
        }
        net.add(new Linear(512, 512)).add(new ReLU());
        if (dropout > 0) {
            net.add(new Dropout(dropout));
        }
        return net.add(new Linear(512, classes));
    }
}
