package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.InterpolationMode;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * Adaptive average pooling, like PyTorch's {@code torch.nn.AdaptiveAvgPool2d(output_size)}: input
 * [batch, channels, height, width] (or unbatched [channels, height, width]) to [batch, channels, outH, outW]
 * whatever the input's height and width, each output pixel the mean of its window (PyTorch's windows, see
 * {@link AdaptivePool2d}). {@code AdaptiveAvgPool2d(1)} is {@link GlobalAvgPool2d}. No parameters. In a model
 * converted by {@link StaticQuantization} one that reads a quantised layer's output pools on that layer's uint8 grid,
 * as PyTorch's quantized {@code adaptive_avg_pool2d} rounds.
 */
public class AdaptiveAvgPool2d extends AdaptivePool2d {
    /** The uint8 grid its input lies on in a converted model, which it pools on; null: the F32 mean. */
    private Uint8Grid grid;
    /** Whether its input is the model's input, quantised onto grid as by PyTorch's QuantStub. */
    private boolean stubOutput;

    /** A square {@code outputSize x outputSize} output. */
    public AdaptiveAvgPool2d(int outputSize) {
        super(outputSize);
    }

    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveAvgPool2d(int outH, int outW) {
        super(outH, outW);
    }

    /**
     * Pools on {@code grid} from now on, as PyTorch's quantized {@code adaptive_avg_pool2d} on the channels-last quint8
     * tensor of a quantised layer ({@link GridAveragePooling}): what {@link StaticQuantization#convert} sets for a
     * pooling that reads a quantised layer's output.
     */
    void poolOnGrid(Uint8Grid grid) {
        poolOnGrid(grid, false);
    }

    /**
     * Pools on {@code grid} from now on; with {@code stubOutput} its input is the model's input, which
     * {@link StaticQuantization#convert} sets for a pooling before the first quantised layer: it rounds the input onto
     * the grid, as PyTorch's {@code QuantStub}, and pools as 1.13 pools that contiguous tensor
     * ({@link GridAveragePooling#channelsLast}).
     */
    void poolOnGrid(Uint8Grid grid, boolean stubOutput) {
        this.grid = grid;
        this.stubOutput = stubOutput;
    }

    /**
     * Whether it pools the model's input rounded onto {@link #grid()} (PyTorch's {@code QuantStub} output, a
     * contiguous tensor) rather than a quantised layer's output: 1.13 rounds ties otherwise there, but for one
     * channel.
     */
    public boolean poolsStubOutput() {
        return stubOutput;
    }

    /**
     * The uint8 grid it pools on (that of the quantised layer before it in a model {@link StaticQuantization#convert}
     * or {@link QuantizationAwareTraining#convert} gave), or null where it takes the F32 mean; ONNX export requantises
     * its output onto this grid.
     */
    public Uint8Grid grid() {
        return grid;
    }

    /**
     * On its grid an unbatched [channels, height, width] input pools as 1.13 pools an unbatched quantised tensor, with
     * its kernel for contiguous tensors, whose ties round otherwise than a batch's; else as {@link AdaptivePool2d}.
     */
    @Override
    public Tensor forward(Tensor x) {
        if (grid != null && x.rank() == 3 && x.dim(1) > 0 && x.dim(2) > 0) {
            return GridAveragePooling.pool(x, outH(), outW(), grid, stubOutput);
        }
        return super.forward(x);
    }

    @Override
    Tensor poolEvenly(Tensor x, int kernelH, int kernelW) {
        if (grid != null) {
            return GridAveragePooling.pool(x, x.dim(2) / kernelH, x.dim(3) / kernelW, grid, stubOutput);
        }
        int[] kernel = {kernelH, kernelW};
        return F.avgPool2d(x, kernel, kernel, new int[] {0, 0});
    }

    /**
     * PyTorch's {@code F.interpolate(mode='area')} is this pooling: two matrix products, a window's mean being a mean
     * of its columns' means.
     */
    @Override
    Tensor poolUnevenly(Tensor x, int outH, int outW) {
        if (grid != null) {
            return GridAveragePooling.pool(x, outH, outW, grid, stubOutput);
        }
        return F.interpolate(x, new int[] {outH, outW}, InterpolationMode.AREA, false);
    }
}
