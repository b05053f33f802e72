package dev.kiln.zoo;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.ChildrenInSequence;
import dev.kiln.nn.DynamicQuantizedLinear;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.QuantizedLinear;
import dev.kiln.nn.Sequential;

/**
 * What torchvision's image classifiers here share: a forward pass that is the children applied one after another in
 * the order they were registered (stateless glue such as a flatten registered between them where torchvision calls
 * a function), and the check of the input: [batch, inChannels, height, width] to [batch, classes].
 */
abstract class ImageClassifier extends Module implements ChildrenInSequence {
    private final int inChannels;

    /** @throws IllegalArgumentException naming the model when inChannels or classes is below 1 */
    ImageClassifier(String model, int inChannels, int classes) {
        if (inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException(model + ": needs inChannels >= 1 and classes >= 1, got " + inChannels
                    + " and " + classes);
        }
        this.inChannels = inChannels;
    }

    /** The channels of the images it takes. */
    public int inChannels() {
        return inChannels;
    }

    /** Module {@code index} of the {@link Sequential} child {@code name}. */
    Module layer(String name, int index) {
        return ((Sequential) module(name)).get(index);
    }

    /**
     * The outputs of {@code last}, the classifier's last layer: a Linear's, or those of the QuantizedLinear (its weight
     * rows) or DynamicQuantizedLinear that quantisation puts in its place, so that a quantised model still names itself.
     */
    static int classes(Module last) {
        return last instanceof QuantizedLinear quantized ? quantized.packedWeight().shape().dim(0)
                : last instanceof DynamicQuantizedLinear dynamic ? dynamic.outFeatures() : ((Linear) last).outFeatures();
    }

    /**
     * Puts {@code layer} at {@code index} of the {@link Sequential} child {@code name}, every other module of it
     * staying in its place, as PyTorch's {@code model.classifier[index] = layer} does, and closes the one it replaces.
     */
    void replaceLayer(String name, int index, Module layer) {
        Sequential old = (Sequential) module(name);
        Module replaced = old.get(index);
        Sequential fresh = new Sequential();
        for (int i = 0; i < old.size(); i++) {
            fresh.add(i == index ? layer : old.get(i));
        }
        replaceModule(name, fresh);
        replaced.close();
    }

    /**
     * [batch, inChannels, height, width] to [batch, classes].
     *
     * @throws IllegalArgumentException naming the model and the input shape when it is not 4-D or has other channels
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels
                    + ", height, width]");
        }
        Tensor y = x;
        for (Module child : namedChildren().values()) {
            Tensor next = child.call(y);
            releaseConsumed(y, next, x);
            y = next;
        }
        return y;
    }
}
