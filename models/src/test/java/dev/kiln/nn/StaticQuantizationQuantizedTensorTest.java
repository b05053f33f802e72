package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.Scope;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A converted static int8 model's layers called on {@link QuantizedTensor}s, layer after layer, as PyTorch's converted
 * modules without a DeQuantStub: the same values as the model's F32 path, requantised.
 */
class StaticQuantizationQuantizedTensorTest {
    private Scope scope;
    private Sequential quantised;
    private Tensor x;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Sequential model = new Sequential(Conv2d.builder(1, 4, 3).padding(1).build(), new ReLU(), new MaxPool2d(2),
                new BasicBlock(4, 6, 2), new BasicBlock(6), Conv2d.builder(6, 5, 3).padding(1).build(), new ReLU(),
                new Flatten(), new Linear(20, 3));
        x = PyTorchParity.values(3, 2, 1, 8, 8).mul(2).to(DType.F32);
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            prepared.forward(x);
        }
        quantised = (Sequential) StaticQuantization.convert(prepared);
        prepared.close();
    }

    @AfterEach
    void close() {
        quantised.close();
        scope.close();
    }

    private <T> T layer(int index, Class<T> type) {
        return assertInstanceOf(type, quantised.module(Integer.toString(index)));
    }

    private static QuantizedTensor onGrid(Tensor t, Uint8Grid grid) {
        return Quantize.perTensor(t, grid.scale(), grid.zeroPoint(), QuantizedDType.QUINT8);
    }

    @Test
    void layersChainedOnQuantizedTensorsGiveTheF32PathsValues() {
        try (var g = Autograd.noGrad()) {
            QuantizedConv2d stem = layer(0, QuantizedConv2d.class);
            QuantizedLinear head = layer(8, QuantizedLinear.class);
            QuantizedTensor q = stem.forward(onGrid(x, stem.inputGrid()));
            assertEquals(stem.outputGrid().zeroPoint(), q.qZeroPoint());
            q = layer(3, QuantizedBasicBlock.class).forward(q);
            q = layer(4, QuantizedBasicBlock.class).forward(q);
            q = layer(5, QuantizedConv2d.class).forward(q);
            q = head.forward(q.reshape(2, -1));
            Tensor y = quantised.forward(x);
            assertEquals(y.shape(), q.shape());
            assertEquals(head.outputGrid().scale(), (float) q.qScale());
            assertArrayEquals(onGrid(y, head.outputGrid()).values(), q.values());
            try (Tensor values = q.dequantize()) {
                assertArrayEquals(y.toFloatArray(), values.toFloatArray());
            }
        }
    }

    @Test
    void theWholeModelRunsOnQuantizedTensors() {
        try (var g = Autograd.noGrad()) {
            QuantizedConv2d stem = layer(0, QuantizedConv2d.class);
            QuantizedTensor q = StaticQuantization.forward(quantised, onGrid(x, stem.inputGrid()));
            Tensor y = quantised.forward(x);
            assertEquals(y.shape(), q.shape());
            assertArrayEquals(onGrid(y, layer(8, QuantizedLinear.class).outputGrid()).values(), q.values());
        }
    }

    @Test
    void aModuleWithoutQuantisedFormIsRefusedByPath() {
        try (var g = Autograd.noGrad()) {
            Sequential model = new Sequential(new Sequential(new Sigmoid()));
            QuantizedTensor q = onGrid(x, new Uint8Grid(0.1f, 10));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StaticQuantization.forward(model, q));
            assertTrue(e.getMessage().contains("'0.0'") && e.getMessage().contains("(Sigmoid) has no quantised"),
                    e.getMessage());
            model.close();
        }
    }

    @Test
    void aLayerReadsItsInputOnTheInputsOwnGrid() {
        try (var g = Autograd.noGrad()) {
            QuantizedConv2d conv = layer(5, QuantizedConv2d.class);
            Uint8Grid grid = conv.inputGrid();
            Uint8Grid finer = new Uint8Grid(grid.scale() / 2, grid.zeroPoint());
            // Within 40 steps of the zero point, most values between two of the layer's own grid's.
            Tensor small = PyTorchParity.values(5, 2, 6, 2, 2).mul(40 * grid.scale()).to(DType.F32);
            QuantizedTensor q = onGrid(small, finer);
            try (Tensor values = q.dequantize();
                 Tensor onFiner = StaticInt8Conv.forward(values, conv.packedWeight(), conv.bias(), conv.stride(),
                         conv.padding(), conv.dilation(), finer, conv.outputGrid(), conv.fusedRelu());
                 Tensor onOwn = conv.forward(values)) {
                int[] expected = onGrid(onFiner, conv.outputGrid()).values();
                assertArrayEquals(expected, conv.forward(q).values());
                assertFalse(Arrays.equals(expected, onGrid(onOwn, conv.outputGrid()).values()),
                        "the two grids should give different outputs here");
            }
        }
    }

    @Test
    void otherQuantizedInputsAreRefusedNamingTheLayer() {
        try (var g = Autograd.noGrad()) {
            QuantizedConv2d stem = layer(0, QuantizedConv2d.class);
            QuantizedTensor signed = Quantize.perTensor(x, 0.1, 0, QuantizedDType.QINT8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stem.forward(signed));
            assertTrue(e.getMessage().startsWith("'0' QuantizedConvReLU2d(")
                    && e.getMessage().contains("must be QUINT8 per tensor, got QINT8 per tensor"), e.getMessage());
            QuantizedBasicBlock block = layer(3, QuantizedBasicBlock.class);
            QuantizedTensor elsewhere = Quantize.perTensor(x.reshape(2, 4, 4, 4), 0.5, 3, QuantizedDType.QUINT8);
            e = assertThrows(IllegalArgumentException.class, () -> block.forward(elsewhere));
            assertTrue(e.getMessage().contains("the input is on Uint8Grid[scale=0.5, zeroPoint=3] but the block reads"),
                    e.getMessage());
            QuantizedTensor perChannel = Quantize.perChannel(x, new double[] {0.1, 0.2}, new int[] {0, 0}, 0,
                    QuantizedDType.QUINT8);
            assertThrows(IllegalStateException.class, () -> perChannel.reshape(2, -1));
            e = assertThrows(IllegalArgumentException.class, () -> stem.forward(perChannel));
            assertTrue(e.getMessage().contains("got QUINT8 per channel"), e.getMessage());
        }
    }

    /**
     * Adaptive average pooling to 1 x 1 on quantised tensors rounds the exact mean of the integers, as PyTorch 1.13's
     * quantized {@code adaptive_avg_pool2d}: ties half to even, where the F32 mean of the dequantised values rounded
     * 0.1 x (20, 21) to 21. References from torch 1.13: {@code F.adaptive_avg_pool2d(
     * torch._make_per_tensor_quantized_tensor(q, scale, zp), 1).int_repr()}.
     */
    @Test
    void averagePoolingToOneRoundsTheIntegersMeanAsPyTorch() {
        assertPooled(new int[] {20, 21, 30, 31, 48, 49, 5, 6}, new int[] {1, 4, 1, 2}, 0.1, 0,
                new int[] {20, 30, 48, 6});
        assertPooled(new int[] {20, 22, 30, 35, 255, 254, 0, 1, 2, 9, 13, 4}, new int[] {2, 2, 1, 3}, 0.05, 7,
                new int[] {24, 181, 1, 9});
    }

    /**
     * PyTorch 1.13 (quantized_tensor_modules.py): ReLU, Flatten, MaxPool2d(2), Identity, Dropout and
     * AdaptiveAvgPool2d(1) on quantize_per_tensor(x, 0.1, 5, quint8) return q_scale 0.1 and q_zero_point 5, the
     * input's own, and these integers.
     */
    @Test
    void modulesKeepingTheGridKeepTheInputsQParamsExactly() {
        QuantizedTensor in = Quantize.perTensor(Tensor.fromArray(new float[] {-1f, 0.3f, 0.7f, 2f}, 1, 1, 2, 2), 0.1,
                5, QuantizedDType.QUINT8);
        Module[] modules = {new ReLU(), new Flatten(), new MaxPool2d(2), new Identity(), new Dropout().eval(),
                new AdaptiveAvgPool2d(1)};
        int[][] expected = {{5, 8, 12, 25}, {0, 8, 12, 25}, {25}, {0, 8, 12, 25}, {0, 8, 12, 25}, {11}};
        for (int i = 0; i < modules.length; i++) {
            QuantizedTensor out = StaticQuantization.forward(modules[i], in);
            assertEquals(0.1, out.qScale(), modules[i].toString());
            assertEquals(5, out.qZeroPoint(), modules[i].toString());
            assertArrayEquals(expected[i], out.values(), modules[i].toString());
        }
    }

    private static void assertPooled(int[] q, int[] dims, double scale, int zeroPoint, int[] expected) {
        float[] grid = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            grid[i] = (q[i] - zeroPoint) * (float) scale;
        }
        QuantizedTensor in = Quantize.perTensor(Tensor.fromArray(grid, dims), scale, zeroPoint, QuantizedDType.QUINT8);
        assertArrayEquals(q, in.values(), "the input's integers");
        for (Module pool : new Module[] {new GlobalAvgPool2d(), new AdaptiveAvgPool2d(1)}) {
            QuantizedTensor out = StaticQuantization.forward(pool, in);
            assertArrayEquals(new int[] {dims[0], dims[1], 1, 1}, out.shape().dims(), pool.toString());
            assertArrayEquals(expected, out.values(), pool.toString());
            assertEquals(zeroPoint, out.qZeroPoint());
        }
    }
}
