package dev.kiln.nn;

import java.util.Map;

/**
 * A module whose forward pass applies a batch norm child directly to a convolution child's output, and which runs
 * without that batch norm child once {@link Fusion#fuseConvBatchNorm(Module)} has folded it into the convolution
 * ({@link BasicBlock}, torchvision's ResNet stem).
 */
public interface ConvBatchNormBlock {
    /** The names of each convolution child and of the batch norm child applied right after it. */
    Map<String, String> convBatchNormPairs();
}
