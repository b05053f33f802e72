package dev.kiln.nn;

import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * A {@link Linear} after post-training static quantisation, PyTorch's {@code torch.nn.quantized.Linear}, or with ReLU
 * fused {@code torch.nn.intrinsic.quantized.LinearReLU}: as {@link QuantizedConv2d}, the weight [out, in] int8 per
 * output row, the input quantised onto the fixed grid in front of it, the output requantised onto its own grid (run as
 * a 1 x 1 int8 convolution: {@link #packedWeight()} is [out, in, 1, 1]). Input [*, in] (F32) to [*, out] (F32 values
 * on {@link #outputGrid()}). With a global average pooling and a Flatten fused (the modules right before it, a
 * ResNet's head: {@link StaticQuantization#convert} leaves Identities in their slots) the input is [batch, in, height,
 * width], pooled onto the input grid as PyTorch's quantized {@code adaptive_avg_pool2d} rounds
 * ({@link StaticInt8Conv#globalAvgPoolForward}), to [batch, out]. Made by {@link StaticQuantization#convert}.
 * Inference only, as {@link QuantizedLayer} says.
 */
public final class QuantizedLinear extends QuantizedLayer {
    private static final int[] ONE = {1};
    private static final int[] ZERO = {0};

    private final int inFeatures;
    private final int outFeatures;
    private final boolean pooled;

    private QuantizedLinear(String path, Linear linear, StaticInt8ConvWeights packed, Uint8Grid inputGrid,
                            Uint8Grid outputGrid, boolean relu, boolean pooled) {
        super(path, linear.bias(), packed, inputGrid, outputGrid, relu);
        this.inFeatures = linear.inFeatures();
        this.outFeatures = linear.outFeatures();
        this.pooled = pooled;
    }

    /**
     * {@code linear} (at {@code path} in its model) with its weight quantised per output row, reading inputs on
     * {@code inputGrid}, writing outputs on {@code outputGrid}, ReLU fused where {@code relu}.
     * It has been checked by {@link QuantisedSite#checkQuantisable}; the result takes its training mode.
     */
    static QuantizedLinear from(String path, Linear linear, Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu) {
        return from(path, linear, inputGrid, outputGrid, relu, null);
    }

    /**
     * As {@link #from(String, Linear, Uint8Grid, Uint8Grid, boolean)} with the weight quantised by the given per-row
     * {@code weightScales} (null: its own {@link PerChannelMinMaxObserver}'s), as quantisation-aware training's
     * weight fake quantisation gives them.
     */
    static QuantizedLinear from(String path, Linear linear, Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu,
                                float[] weightScales) {
        return from(path, linear, inputGrid, outputGrid, relu, weightScales, false);
    }

    /**
     * As {@link #from(String, Linear, Uint8Grid, Uint8Grid, boolean, float[])} with a global average pooling and a
     * Flatten fused before it where {@code pooled}.
     */
    static QuantizedLinear from(String path, Linear linear, Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu,
                                float[] weightScales, boolean pooled) {
        StaticInt8ConvWeights packed;
        try (Tensor asConv = linear.weight().reshape(linear.outFeatures(), linear.inFeatures(), 1, 1)) {
            packed = weightScales == null ? StaticQuantization.packPerChannel(asConv)
                    : StaticQuantization.pack(asConv, weightScales);
        }
        QuantizedLinear q = new QuantizedLinear(path, linear, packed, inputGrid, outputGrid, relu, pooled);
        q.train(linear.isTraining());
        return q;
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
        if (pooled) {
            return pooledForward(x, grid);
        }
        if (x.rank() == 0 || x.dim(-1) != inFeatures) {
            throw new IllegalArgumentException("'" + path() + "' " + describe() + ": input " + x.shape()
                    + " must end in "
                    + inFeatures + " features");
        }
        int[] outDims = x.shape().with(-1, outFeatures).dims();
        Tensor columns = x.reshape(-1, inFeatures, 1, 1);
        Tensor y = consume(columns, c -> int8Convolution(c, grid, ONE, ZERO, ONE));
        return consume(y, t -> t.reshape(outDims));
    }

    /** Whether a global average pooling and a Flatten run before it, in its call, on its input grid. */
    public boolean fusesGlobalAvgPool() {
        return pooled;
    }

    /** x [batch, in, height, width] pooled onto {@code grid}, then this layer: [batch, out]. */
    private Tensor pooledForward(Tensor x, Uint8Grid grid) {
        if (x.rank() != 4 || x.dim(1) != inFeatures) {
            throw new IllegalArgumentException("'" + path() + "' " + describe() + ": input " + x.shape()
                    + " must be [batch, "
                    + inFeatures + ", height, width]");
        }
        StaticInt8Conv.Layer layer = new StaticInt8Conv.Layer(packedWeight(), bias(), ONE, ZERO, ONE, outputGrid(),
                fusedRelu());
        Tensor y = StaticQuantization.naming(path(), this, () -> StaticInt8Conv.globalAvgPoolForward(x, grid,
                layer));
        return consume(y, t -> t.reshape(x.dim(0), outFeatures));
    }

    /** PyTorch's name: {@code QuantizedLinear}, or {@code QuantizedLinearReLU} with the ReLU fused. */
    @Override
    protected String typeName() {
        return fusedRelu() ? "QuantizedLinearReLU" : "QuantizedLinear";
    }

    /**
     * PyTorch's {@code extra_repr}: {@code in_features=16, out_features=8, scale=0.004, zero_point=0,
     * qscheme=torch.per_channel_affine} (its weights have a scale per row), then where Kiln fused the pooling before it
     * {@code pooled_input=AdaptiveAvgPool2d(output_size=1)}.
     */
    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", scale="
                + PythonRepr.number(outputGrid().scale()) + ", zero_point=" + outputGrid().zeroPoint()
                + ", qscheme=torch.per_channel_affine"
                + (pooled ? ", pooled_input=AdaptiveAvgPool2d(output_size=1)" : "");
    }
}
