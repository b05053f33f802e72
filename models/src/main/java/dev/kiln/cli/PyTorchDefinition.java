package dev.kiln.cli;

import dev.kiln.engine.PaddingMode;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PyTorch code that builds a module with the same state-dict keys and the same arithmetic as a Kiln
 * {@link Sequential} of plain layers (the zoo's MLP and LeNet): {@code nn.Sequential(nn.Flatten(), nn.Linear(784, 512),
 * ...)}. Other modules have none here; their weights still carry PyTorch's names.
 */
final class PyTorchDefinition {
    private PyTorchDefinition() {
    }

    /** The Python expression, or empty when {@code model} holds a layer this class does not translate. */
    static Optional<String> of(Module model) {
        if (!(model instanceof Sequential sequential)) {
            return Optional.empty();
        }
        List<String> layers = new ArrayList<>();
        for (Module layer : sequential.namedChildren().values()) {
            Optional<String> code = layer(layer);
            if (code.isEmpty()) {
                return Optional.empty();
            }
            layers.add(code.get());
        }
        return Optional.of("nn.Sequential(\n    " + String.join(",\n    ", layers) + ")");
    }

    private static Optional<String> layer(Module m) {
        // Exact classes only: a subclass (feedback alignment's Linear, say) computes something else.
        Class<?> type = m.getClass();
        if (type == Linear.class) {
            Linear l = (Linear) m;
            return Optional.of("nn.Linear(" + l.inFeatures() + ", " + l.outFeatures() + bias(l.bias() != null) + ")");
        }
        if (type == Conv2d.class) {
            return Optional.of(conv((Conv2d) m));
        }
        if (type == MaxPool2d.class) {
            MaxPool2d p = (MaxPool2d) m;
            return Optional.of("nn.MaxPool2d(" + p.kernel() + ", stride=" + p.stride() + ", padding=" + p.padding()
                    + (p.ceilMode() ? ", ceil_mode=True" : "") + ")");
        }
        if (type == ReLU.class) {
            return Optional.of("nn.ReLU()");
        }
        if (type == Flatten.class) {
            Flatten f = (Flatten) m;
            return Optional.of("nn.Flatten(" + f.startAxis() + (f.endAxis() == -1 ? "" : ", " + f.endAxis()) + ")");
        }
        if (type == Dropout.class) {
            return Optional.of("nn.Dropout(" + ((Dropout) m).p() + ")");
        }
        return Optional.empty();
    }

    private static String conv(Conv2d c) {
        return "nn.Conv2d(" + c.inChannels() + ", " + c.outChannels() + ", " + pair(c.kernelSize())
                + ", stride=" + pair(c.stride()) + ", padding=" + pair(c.padding()) + ", dilation=" + pair(c.dilation())
                + (c.groups() == 1 ? "" : ", groups=" + c.groups()) + bias(c.bias() != null)
                + (c.paddingMode() == PaddingMode.ZEROS ? "" : ", padding_mode='" + c.paddingMode().pytorchName() + "'")
                + ")";
    }

    private static String pair(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }

    private static String bias(boolean present) {
        return present ? "" : ", bias=False";
    }
}
