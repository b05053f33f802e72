package dev.kiln.nn;

import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link Conv2d} after post-training static quantisation, PyTorch's {@code torch.nn.quantized.Conv2d}, or with
 * ReLU fused PyTorch's {@code torch.nn.intrinsic.quantized.ConvReLU2d}: weights int8 per output channel (symmetric),
 * the input quantised onto the fixed grid calibration gave the tensor in front of it, int32 sums, the F32 bias added,
 * and the output requantised onto this layer's own grid ({@link StaticInt8Conv}). Input [batch, in, height, width]
 * (F32) to [batch, out, outH, outW] (F32 values on {@link #outputGrid()}). With a max pooling fused (a
 * {@link MaxPool2d} right after it, a ResNet's stem: {@link StaticQuantization#convert} leaves an {@link Identity} in
 * its slot) the output is pooled before it leaves uint8 ({@link StaticInt8Conv#chainMaxPool}), [batch, out, pooledH,
 * pooledW] of the values PyTorch's {@code quantized::max_pool2d} gives. Made by {@link StaticQuantization#convert}.
 * Inference only, as {@link QuantizedLayer} says: a call whose input needs a gradient is refused.
 */
public final class QuantizedConv2d extends QuantizedLayer {
    private final int inChannels;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final MaxPooling pool;

    /** The sizes of a fused max pooling, as {@link MaxPool2d}'s (without dilation). */
    private record MaxPooling(int kernel, int stride, int padding, boolean ceilMode) {
    }

    private QuantizedConv2d(String path, Conv2d conv, StaticInt8ConvWeights packed, Uint8Grid inputGrid,
                            Uint8Grid outputGrid, boolean relu, MaxPooling pool) {
        super(path, conv.bias(), packed, inputGrid, outputGrid, relu);
        this.inChannels = conv.inChannels();
        this.stride = conv.stride();
        this.padding = conv.padding();
        this.dilation = conv.dilation();
        this.pool = pool;
    }

    /**
     * {@code conv} (at {@code path} in its model, for messages) with its weight quantised per output channel as
     * {@link PerChannelMinMaxObserver} gives, reading inputs on {@code inputGrid}, writing outputs on
     * {@code outputGrid}, ReLU fused where {@code relu}; {@code conv} is left as it is.
     * It has been checked by {@link QuantisedSite#checkQuantisable}; the result takes its training mode.
     */
    static QuantizedConv2d from(String path, Conv2d conv, Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu) {
        return from(path, conv, inputGrid, outputGrid, relu, null);
    }

    /**
     * As {@link #from(String, Conv2d, Uint8Grid, Uint8Grid, boolean)} with the weight quantised by the given
     * per-channel {@code weightScales} (null: its own {@link PerChannelMinMaxObserver}'s), as quantisation-aware
     * training's weight fake quantisation gives them.
     */
    static QuantizedConv2d from(String path, Conv2d conv, Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu,
                                float[] weightScales) {
        return from(path, conv, inputGrid, outputGrid, relu, weightScales, null);
    }

    /**
     * As {@link #from(String, Conv2d, Uint8Grid, Uint8Grid, boolean, float[])} with {@code pool} (null for none, else
     * without dilation: {@link #fusesWith}) fused after it.
     */
    static QuantizedConv2d from(String path, Conv2d conv, Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu,
                                float[] weightScales, MaxPool2d pool) {
        StaticInt8ConvWeights packed = weightScales == null ? StaticQuantization.packPerChannel(conv.weight())
                : StaticQuantization.pack(conv.weight(), weightScales);
        MaxPooling pooling = pool == null ? null
                : new MaxPooling(pool.kernel(), pool.stride(), pool.padding(), pool.ceilMode());
        QuantizedConv2d q = new QuantizedConv2d(path, conv, packed, inputGrid, outputGrid, relu, pooling);
        q.train(conv.isTraining());
        return q;
    }

    /** Whether {@code m} is a max pooling that fuses into the convolution before it: a plain MaxPool2d, no dilation. */
    static boolean fusesWith(Module m) {
        return m.getClass() == MaxPool2d.class && ((MaxPool2d) m).dilation() == 1;
    }

    /** The stride (height, width). */
    public int[] stride() {
        return stride.clone();
    }

    /** The zero padding (height, width). */
    public int[] padding() {
        return padding.clone();
    }

    /** The dilation (height, width). */
    public int[] dilation() {
        return dilation.clone();
    }

    /**
     * The max pooling fused after it (a new MaxPool2d of its kernel, stride, padding and ceil mode), or null for
     * none.
     */
    public MaxPool2d fusedMaxPool() {
        return pool == null ? null : new MaxPool2d(pool.kernel(), pool.stride(), pool.padding(), pool.ceilMode());
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException naming the layer's path in training mode with gradients on (it cannot be
     *     trained), or when x needs a gradient
     */
    @Override
    public Tensor forward(Tensor x) {
        return forwardOn(x, inputGrid());
    }

    @Override
    Tensor forwardOn(Tensor x, Uint8Grid grid) {
        refuseTraining();
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("'" + path() + "' " + describe() + ": input " + x.shape()
                    + " must be [batch, "
                    + inChannels + ", height, width]");
        }
        if (pool == null) {
            return int8Convolution(x, grid, stride, padding, dilation);
        }
        return StaticQuantization.naming(path(), this, () -> StaticInt8Conv.chainMaxPool(x, grid,
                List.of(chainLayer()), new int[] {pool.kernel()}, new int[] {pool.stride()},
                new int[] {pool.padding()}, pool.ceilMode()));
    }

    /**
     * This layer as one of a {@link StaticInt8Conv#chain}, reading its input on {@link #inputGrid()}, without its
     * fused max pooling.
     */
    StaticInt8Conv.Layer chainLayer() {
        refuseTraining();
        return new StaticInt8Conv.Layer(packedWeight(), bias(), stride, padding, dilation, outputGrid(), fusedRelu());
    }

    /** PyTorch's name: {@code QuantizedConv2d}, or {@code QuantizedConvReLU2d} with the ReLU fused. */
    @Override
    protected String typeName() {
        return fusedRelu() ? "QuantizedConvReLU2d" : "QuantizedConv2d";
    }

    /**
     * PyTorch's {@code extra_repr}: {@code 2, 4, kernel_size=(3, 3), stride=(1, 1), scale=0.0041, zero_point=0,
     * padding=(1, 1)}, then Kiln's fused max pooling where there is one, {@code max_pool=MaxPool2d(...)}.
     */
    @Override
    protected String extraRepr() {
        int[] shape = packedWeight().shape().dims();
        int groups = inChannels / shape[1];
        return inChannels + ", " + shape[0] + ", kernel_size=" + PythonRepr.tuple(shape[2], shape[3]) + ", stride="
                + PythonRepr.tuple(stride) + ", scale=" + PythonRepr.number(outputGrid().scale()) + ", zero_point="
                + outputGrid().zeroPoint() + (Arrays.stream(padding).allMatch(p -> p == 0) ? "" : ", padding="
                + PythonRepr.tuple(padding)) + (Arrays.stream(dilation).allMatch(d -> d == 1) ? "" : ", dilation="
                + PythonRepr.tuple(dilation)) + (groups == 1 ? "" : ", groups=" + groups)
                + (bias() == null ? ", bias=False" : "") + (pool == null ? "" : ", max_pool=" + fusedMaxPool());
    }
}
