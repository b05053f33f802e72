package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * Average pooling, like PyTorch's {@code torch.nn.AvgPool2d}: input [batch, channels, height, width] to
 * [batch, channels, outH, outW] with {@code outH = (height + 2 padding - kernel) / stride + 1} (likewise outW),
 * rounded up in ceil mode. The stride defaults to the kernel; padding counts as zeros, and by default
 * ({@code count_include_pad=True}) in the divisor too. No parameters. In a model converted by
 * {@link StaticQuantization} one that reads a quantised layer's output pools on that layer's uint8 grid, as PyTorch's
 * quantized {@code avg_pool2d} rounds.
 */
public class AvgPool2d extends Pool2d {
    private final boolean countIncludePad;
    /** The uint8 grid its input lies on in a converted model, which it pools on; null: the F32 mean. */
    private Uint8Grid grid;
    /** Whether its input is the model's input, quantised onto grid as by PyTorch's QuantStub. */
    private boolean stubOutput;

    /** Non-overlapping {@code kernel x kernel} windows: stride {@code kernel}, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false, true);
    }

    /**
     * With {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output size rounds up: the last window may hang
     * over the bottom or right edge, and what hangs over the padded input never counts. With
     * {@code countIncludePad} false ({@code count_include_pad=False}) each window is the mean of the input
     * elements it covers, padding excluded.
     */
    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        super(kernel, stride, padding, ceilMode);
        this.countIncludePad = countIncludePad;
    }

    /**
     * Pools on {@code grid} from now on, as PyTorch's quantized {@code avg_pool2d} on the channels-last quint8 tensor of
     * a quantised layer ({@link GridAveragePooling}): what {@link StaticQuantization#convert} sets for a pooling that
     * reads a quantised layer's output.
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
     * The uint8 grid it pools on (that of the quantised layer before it in a statically quantised model), or null where
     * it takes the F32 mean; ONNX export requantises its output onto this grid.
     */
    public Uint8Grid grid() {
        return grid;
    }

    @Override
    Tensor pool(Tensor x) {
        if (grid != null && (x.rank() == 4 || x.rank() == 3) && GridAveragePooling.outputSize(x.dim(-2), this) > 0
                && GridAveragePooling.outputSize(x.dim(-1), this) > 0) {
            return GridAveragePooling.pool(x, this, grid, stubOutput);
        }
        return F.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Whether padded zeros count in each window's mean ({@code count_include_pad}). */
    public boolean countIncludePad() {
        return countIncludePad;
    }
}
