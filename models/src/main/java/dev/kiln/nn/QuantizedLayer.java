package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * What {@link QuantizedConv2d} and {@link QuantizedLinear} share: a layer after post-training static quantisation whose
 * int8 weights ({@link #packedWeight()}) read inputs on a fixed grid and write outputs requantised onto their own, ReLU
 * fused or not ({@link StaticInt8Conv}). Inference only: no parameters and no backward pass; run it under
 * {@link Autograd#noGrad()}. Its state dict holds the bias alone; the packed weights live in the backend's memory until
 * {@link #close()}, and it cannot be copied. Besides F32 grid values it takes and returns quantised tensors
 * ({@link #forward(QuantizedTensor)}), as PyTorch's quantised modules do.
 */
public abstract class QuantizedLayer extends Module {
    private final String path;
    private final Uint8Grid inputGrid;
    private final Uint8Grid outputGrid;
    private final boolean relu;
    private final StaticInt8ConvWeights packed;

    /** A copy of {@code bias} (null: none) as the buffer "bias"; {@code packed} is this layer's from now on. */
    QuantizedLayer(String path, Tensor bias, StaticInt8ConvWeights packed, Uint8Grid inputGrid, Uint8Grid outputGrid,
                   boolean relu) {
        this.path = path;
        this.inputGrid = inputGrid;
        this.outputGrid = outputGrid;
        this.relu = relu;
        this.packed = packed;
        registerBuffer("bias", bias == null ? null : unscoped(() -> bias.detach().copy()));
    }

    /** [out], or null for a layer without bias. */
    public Tensor bias() {
        return buffer("bias");
    }

    /** The quantised weight: int8 values and per-channel scales, held until this module closes. */
    public StaticInt8ConvWeights packedWeight() {
        return packed;
    }

    /** The grid its input is quantised onto. */
    public Uint8Grid inputGrid() {
        return inputGrid;
    }

    /** The grid of its output (PyTorch's {@code scale} and {@code zero_point}). */
    public Uint8Grid outputGrid() {
        return outputGrid;
    }

    /** Whether ReLU is fused into it ({@code ConvReLU2d}, {@code LinearReLU}). */
    public boolean fusedRelu() {
        return relu;
    }

    /** The module path it had in its model, for messages. */
    String path() {
        return path;
    }

    /**
     * This layer on a quantised input, as PyTorch's quantised module is called on a quantised tensor: {@code x}
     * (QUINT8, per tensor, of the shape {@link #forward(Tensor)} takes) is read on its own scale and zero point, and
     * the output is the quantised tensor (QUINT8, on {@link #outputGrid()}) whose values {@link #forward(Tensor)}
     * gives as F32. Between two such calls no F32 tensor is handed over; inside, the backend's int8 kernels take the
     * values as F32 grid values, which stand for the uint8 values exactly. Its errors name the layer's path.
     *
     * @throws IllegalArgumentException for an input that is not QUINT8 per tensor, or of the wrong shape
     */
    public QuantizedTensor forward(QuantizedTensor x) {
        Uint8Grid grid = StaticQuantization.gridOf(path, this, x);
        try (Tensor values = x.dequantize(); Tensor y = forwardOn(values, grid)) {
            return Quantize.perTensor(y, outputGrid.scale(), outputGrid.zeroPoint(), QuantizedDType.QUINT8);
        }
    }

    /** {@link #forward(Tensor)} with {@code x} quantised onto {@code grid} instead of {@link #inputGrid()}. */
    abstract Tensor forwardOn(Tensor x, Uint8Grid grid);

    /**
     * The int8 convolution of {@code x} [batch, in, height, width], quantised onto {@code grid}, with this layer's
     * weights, bias, output grid and ReLU, its errors naming the layer's path.
     */
    Tensor int8Convolution(Tensor x, Uint8Grid grid, int[] stride, int[] padding, int[] dilation) {
        return StaticQuantization.naming(path, this, () -> StaticInt8Conv.forward(x, packed, bias(), stride, padding,
                dilation, grid, outputGrid, relu));
    }

    /** Refuses a forward pass in training mode with gradients on, naming the layer's path. */
    void refuseTraining() {
        StaticQuantization.refuseTraining(path, this);
    }

    @Override
    void refuseConversion(String path, DType dtype) {
        StaticQuantization.refuseConversion(path, this, dtype);
    }

    @Override
    protected void releaseResources() {
        packed.close();
    }
}
