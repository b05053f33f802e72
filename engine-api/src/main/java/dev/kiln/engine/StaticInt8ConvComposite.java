package dev.kiln.engine;

import java.util.List;

/**
 * {@link Backend#packStaticInt8Conv}, {@link Backend#staticInt8Conv2d} and {@link Backend#staticInt8Conv2dChain} in
 * SPI operations, for backends without
 * integer kernels: the input quantised onto its grid by multiplying with the scale's reciprocal, rounding and clamping
 * ({@link Uint8Grid#quantize}, element for element), its zero point taken off, the integers convolved in F64 (exact:
 * every sum of int8 x uint8 products stays far below 2^53), and the int32-sized sums requantised in F32 as oneDNN's
 * int8 convolution does: times the input scale and the channel's weight scale, plus the F32 bias, ReLU, divided by the
 * output scale, rounded, the zero point added, clamped to [0, 255].
 */
final class StaticInt8ConvComposite {
    private StaticInt8ConvComposite() {
    }

    /** {@code weight} [out, in, kh, kw] quantised with {@code scales} [out]: held outside every scope. */
    static StaticInt8ConvWeights pack(Backend b, Tensor weight, Tensor scales) {
        int out = weight.dim(0);
        return Scope.outside(() -> {
            Tensor values = Tensor.empty(weight.shape(), DType.F64, b);
            Tensor channelScales = Tensor.empty(Shape.of(out, 1, 1), DType.F32, b);
            b.copy(scales, channelScales);
            try (Scope s = Scope.open()) {
                Tensor inverses = Tensor.empty(Shape.of(out, 1, 1, 1), DType.F32, b);
                b.copy(scales, inverses);
                b.unary(UnaryOp.RECIPROCAL, 0, inverses, inverses);
                Tensor scaled = Tensor.empty(weight.shape(), DType.F32, b);
                b.binary(BinaryOp.MUL, weight, inverses, scaled);
                Int8Steps.roundAndClamp(b, scaled, 0, -128, 127);
                b.copy(scaled, values);
            }
            return new CompositeStaticInt8ConvWeights(b, values, channelScales);
        });
    }

    /** out (F32, on the output grid) = the requantised integer convolution of input on the input grid. */
    static void conv2d(Backend b, Tensor input, StaticInt8ConvWeights weights, Tensor bias, Conv2dGeometry g,
                       Uint8Grid in, Uint8Grid outGrid, boolean relu, Tensor out) {
        if (!(weights instanceof CompositeStaticInt8ConvWeights w)) {
            throw new IllegalArgumentException("staticInt8Conv2d: weights packed by " + weights.backend().name()
                    + "'s own kernel cannot be read by " + b.name() + "'s default; pack them on this backend");
        }
        if (g.batch() == 0) {
            return;
        }
        try (Scope s = Scope.open()) {
            Tensor quantised = Tensor.empty(input.shape(), DType.F32, b);
            b.binary(BinaryOp.MUL, input, Int8Steps.constant(b, 1f / in.scale()), quantised);
            Int8Steps.roundAndClamp(b, quantised, in.zeroPoint(), 0, 255);
            Tensor centred = Tensor.empty(input.shape(), DType.F64, b);
            b.copy(quantised, centred);
            b.affine(centred, 1, -in.zeroPoint(), centred);
            Tensor sums = Tensor.empty(out.shape(), DType.F64, b);
            b.conv2dForward(centred, w.heldValues(), null, g, sums);
            b.copy(sums, out);
            Tensor multipliers = Tensor.empty(Shape.of(g.outChannels(), 1, 1), DType.F32, b);
            b.binary(BinaryOp.MUL, w.heldScales(), Int8Steps.constant(b, in.scale()), multipliers);
            b.binary(BinaryOp.MUL, out, multipliers, out);
            if (bias != null) {
                Tensor channelBias = Tensor.empty(Shape.of(g.outChannels(), 1, 1), DType.F32, b);
                b.copy(bias, channelBias);
                b.binary(BinaryOp.ADD, out, channelBias, out);
            }
            b.binary(BinaryOp.DIV, out, Int8Steps.constant(b, outGrid.scale()), out);
            Int8Steps.roundAndClamp(b, out, outGrid.zeroPoint(), relu ? outGrid.zeroPoint() : 0, 255);
            b.affine(out, 1, -outGrid.zeroPoint(), out);
            b.binary(BinaryOp.MUL, out, Int8Steps.constant(b, outGrid.scale()), out);
        }
    }

    /** One {@link Backend#staticInt8Conv2d} per stage, each but the last into an F32 temporary closed after use. */
    static void chain(Backend b, Tensor input, Uint8Grid inputGrid, List<StaticInt8ConvStage> stages, Tensor out) {
        Tensor x = input;
        Uint8Grid grid = inputGrid;
        for (int k = 0; k < stages.size(); k++) {
            StaticInt8ConvStage stage = stages.get(k);
            boolean last = k == stages.size() - 1;
            Tensor y = last ? out : Tensor.empty(stage.geometry().outputShape(), DType.F32, b);
            try {
                b.staticInt8Conv2d(x, stage.weights(), stage.bias(), stage.geometry(), grid, stage.outputGrid(),
                        stage.relu(), y);
            } catch (RuntimeException | Error e) {
                if (!last) {
                    y.close();
                }
                throw e;
            } finally {
                if (x != input) {
                    x.close();
                }
            }
            x = y;
            grid = stage.outputGrid();
        }
    }

    /**
     * The q values of input's grid values less the zero point ({@code round(x * (1 / scale))}: exact, a grid value
     * being {@code (q - zeroPoint) * scale}), summed over each channel's height x width exactly (as PyTorch's integer
     * sums), rounded to F32 once, times {@code 1 / n} in F32, rounded half to even: the pooled q less the zero point,
     * of a mean of values in [0, 255] so in range without clamping; as grid values into an F32 temporary, which
     * {@link Backend#staticInt8Conv2d} reads.
     */
    static void globalAvgPoolConv2d(Backend b, Tensor input, Uint8Grid grid, StaticInt8ConvStage stage, Tensor out) {
        int batch = input.dim(0);
        int channels = input.dim(1);
        int height = input.dim(2);
        int n = height * input.dim(3);
        try (Scope s = Scope.open()) {
            Tensor centred = Tensor.empty(input.shape(), DType.F32, b);
            b.binary(BinaryOp.MUL, input, Int8Steps.constant(b, 1f / grid.scale()), centred);
            b.unary(UnaryOp.ROUND, 0, centred, centred);
            // F32 sums whole numbers of magnitude <= 255 exactly up to 2^24 / 255 of them; longer planes sum in F64.
            DType sums = (long) n * 255 < (1 << 24) ? DType.F32 : DType.F64;
            Tensor summed = centred;
            if (sums == DType.F64) {
                summed = Tensor.empty(input.shape(), DType.F64, b);
                b.copy(centred, summed);
            }
            Tensor rows = Tensor.empty(Shape.of(batch, channels, height, 1), sums, b);
            b.reduce(ReduceOp.SUM, summed, 3, rows);
            Tensor total = Tensor.empty(Shape.of(batch, channels, 1, 1), sums, b);
            b.reduce(ReduceOp.SUM, rows, 2, total);
            Tensor pooled = total;
            if (sums == DType.F64) {
                pooled = Tensor.empty(total.shape(), DType.F32, b);
                b.copy(total, pooled);
            }
            b.binary(BinaryOp.MUL, pooled, Int8Steps.constant(b, 1f / n), pooled);
            b.unary(UnaryOp.ROUND, 0, pooled, pooled);
            b.binary(BinaryOp.MUL, pooled, Int8Steps.constant(b, grid.scale()), pooled);
            b.staticInt8Conv2d(pooled, stage.weights(), stage.bias(), stage.geometry(), grid, stage.outputGrid(),
                    stage.relu(), out);
        }
    }
}
