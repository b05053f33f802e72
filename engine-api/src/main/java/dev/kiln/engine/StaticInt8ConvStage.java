package dev.kiln.engine;

/**
 * One convolution of a chain run by {@link Backend#staticInt8Conv2dChain}: its packed weights, its bias [out] (F32,
 * null for none), its geometry (the input it reads, the output it writes), the grid its output is requantised onto
 * (which the next stage reads its input on) and whether ReLU is fused.
 *
 * @param weights the packed int8 weights [out, in, kernelH, kernelW]
 * @param bias F32 [out], or null
 * @param geometry the stage's convolution: its batch, channels and spatial size are the previous stage's output
 * @param outputGrid the grid of its output
 * @param relu whether ReLU is applied before the output is requantised
 */
public record StaticInt8ConvStage(StaticInt8ConvWeights weights, Tensor bias, Conv2dGeometry geometry,
                                  Uint8Grid outputGrid, boolean relu) {
}
