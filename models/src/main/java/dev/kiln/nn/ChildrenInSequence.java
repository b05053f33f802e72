package dev.kiln.nn;

/**
 * A module whose forward pass applies its children one after another in registration order, each to the output of
 * the one before, as a {@link Sequential} does (torchvision's image classifiers in the zoo, such as
 * {@link dev.kiln.zoo.ResNet}). {@link StaticQuantization} and {@link QuantizationAwareTraining} walk it as they walk
 * a Sequential: a ReLU after a layer fuses into it, and a layer reads its input on the grid of the quantised layer or
 * block before it.
 */
public interface ChildrenInSequence {
}
