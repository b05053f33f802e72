package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * Global average pooling, like PyTorch's {@code torch.nn.AdaptiveAvgPool2d(1)}: input
 * [batch, channels, height, width] to [batch, channels, 1, 1], the mean of each channel over height and
 * width. Follow it with {@link Flatten} for a {@link Linear} layer. No parameters. In a model converted by
 * {@link StaticQuantization} one that reads a quantised layer's output and is not fused into a Linear pools on that
 * layer's uint8 grid, as PyTorch's quantized {@code adaptive_avg_pool2d} rounds.
 */
public class GlobalAvgPool2d extends Module {
    /** The uint8 grid its input lies on in a converted model, which it pools on; null: the F32 mean. */
    private Uint8Grid grid;
    /** Whether its input is the model's input, quantised onto grid as by PyTorch's QuantStub. */
    private boolean stubOutput;

    /**
     * Pools on {@code grid} from now on, as PyTorch's quantized {@code adaptive_avg_pool2d(x, 1)} on the channels-last
     * quint8 tensor of a quantised layer ({@link GridAveragePooling}): what {@link StaticQuantization#convert} sets for
     * a pooling that reads a quantised layer's output and is not fused into a Linear.
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
     * The uint8 grid it pools on (that of the quantised layer before it in a converted model), or null where it takes
     * the F32 mean; ONNX export requantises its output onto this grid.
     */
    public Uint8Grid grid() {
        return grid;
    }

    /**
     * [batch, channels, height, width] to [batch, channels, 1, 1].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D
     */
    @Override
    public Tensor forward(Tensor x) {
        if (grid != null && x.rank() == 4 && x.dim(2) * x.dim(3) > 0) {
            return GridAveragePooling.pool(x, 1, 1, grid, stubOutput);
        }
        try {
            return F.globalAvgPool2d(x);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GlobalAvgPool2d: input " + x.shape() + ": " + e.getMessage(), e);
        }
    }
}
