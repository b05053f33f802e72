package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticQuantization} of nets whose first modules pool before any quantised layer, against PyTorch 1.13
 * (printed by {@code models/src/test/pytorch/quantize_static_pool_first.py}): Sequential(poolings, Conv2d(C, 4, 3,
 * padding=1), ReLU, Flatten, Linear(n, 3)), calibrated on two batches. As 1.13's {@code QuantStub}, the first
 * layer's input observer sees the raw input, and the poolings run on that grid as 1.13's quantized poolings round the
 * stub's contiguous output (the channels-last rounding where the input has one channel), on F32 values and on
 * quantised tensors ({@link StaticQuantization#forward(Module, QuantizedTensor)}): the grids, the pooled integers
 * exactly and the outputs within one step of PyTorch's.
 */
class StaticQuantizationPoolingFirstPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(dims).float()}. */
    private static Tensor batch(int seed, double scale, double shift, int... dims) {
        return PyTorchParity.values(seed, dims).mul(scale).add(shift).to(DType.F32);
    }

    /** The script's net after {@code poolings}, its parameters parity.py's pattern, quantised on its two batches. */
    private static Sequential quantised(double shift, int[] dims, int flat, Module... poolings) {
        List<Module> modules = new ArrayList<>(Arrays.asList(poolings));
        modules.addAll(List.of(Conv2d.builder(dims[1], 4, 3).padding(1).build(), new ReLU(), new Flatten(),
                new Linear(flat, 3)));
        Sequential model = new Sequential(modules);
        int k = poolings.length;
        load(model,
                key(k + ".weight", 1, 4, dims[1], 3, 3),
                key(k + ".bias", 2, 4),
                key((k + 3) + ".weight", 3, 3, flat),
                key((k + 3) + ".bias", 4, 3));
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            prepared.forward(batch(21, 2.0, shift, dims));
            prepared.forward(batch(22, 1.5, -0.2, dims));
        }
        Module quantised = StaticQuantization.convert(prepared);
        prepared.close();
        return (Sequential) quantised;
    }

    /**
     * The grids' zero points exactly and their scales to 1e-6 (the input's range is parity.py's sines, whose last bit
     * Java's sine may round otherwise; the layers' are F32 sums in other orders), the pooled integers of the third
     * batch exactly and the outputs within one step of the last grid.
     */
    private static void assertMatches(Sequential quantised, int poolings, int[] dims, Uint8Grid input, Uint8Grid conv,
                                      Uint8Grid linear, int[] pooled, double... outputs) {
        QuantizedConv2d first = (QuantizedConv2d) quantised.get(poolings);
        assertGrid("the input grid, the QuantStub's", input, first.inputGrid());
        assertGrid("the convolution's output grid", conv, first.outputGrid());
        QuantizedLinear last = (QuantizedLinear) quantised.get(poolings + 3);
        assertGrid("the Linear's output grid", linear, last.outputGrid());
        Tensor x = batch(23, 2.0, 0.1, dims);
        try (var g = Autograd.noGrad()) {
            Tensor y = x;
            for (int i = 0; i < poolings; i++) {
                y = quantised.get(i).forward(y);
            }
            float[] values = y.toFloatArray();
            Uint8Grid grid = first.inputGrid();
            int[] q = new int[values.length];
            for (int i = 0; i < q.length; i++) {
                q[i] = grid.quantize(values[i]);
                assertEquals(grid.dequantize(q[i]), values[i], "pooled value " + i + " lies on the input grid");
            }
            assertArrayEquals(pooled, q, "the pooled integers");
            QuantizedTensor stub = Quantize.perTensor(x, grid.scale(), grid.zeroPoint(), QuantizedDType.QUINT8);
            for (int i = 0; i < poolings; i++) {
                stub = StaticQuantization.forward(quantised.get(i), stub);
            }
            assertArrayEquals(pooled, stub.values(), "the pooled integers on quantised tensors");
            assertWithinOneStep(quantised.forward(x).toFloatArray(), linear.scale(), outputs);
        }
    }

    private static void assertGrid(String what, Uint8Grid expected, Uint8Grid actual) {
        assertEquals(expected.scale(), actual.scale(), 1e-6 * expected.scale(), what + ": scale");
        assertEquals(expected.zeroPoint(), actual.zeroPoint(), what + ": zero point");
    }

    private static void assertWithinOneStep(float[] actual, float step, double... expected) {
        assertEquals(expected.length, actual.length);
        for (int k = 0; k < actual.length; k++) {
            assertTrue(Math.abs(actual[k] - expected[k]) <= 1.0001 * step, "output " + k + ": " + actual[k]
                    + " vs PyTorch's " + expected[k] + ", step " + step);
        }
    }

    @Test
    void windowedPoolingOnThreeChannelsRoundsAsPyTorchsContiguousKernel() {
        int[] dims = {2, 3, 9, 8};
        Sequential quantised = quantised(0.0, dims, 100, new AvgPool2d(3, 2, 1, true, false));
        assertMatches(quantised, 1, dims, new Uint8Grid(0.007842998020350933f, 127),
                new Uint8Grid(0.009548664093017578f, 0), new Uint8Grid(0.006929732888352637f, 207),
                new int[] {28, 104, 224, 203, 140, 74, 50, 140, 227, 229, 200, 105, 51, 143, 210, 228, 213, 102, 51,
                    77, 150, 228, 195, 67, 20, 32, 118, 229, 192, 124, 64, 53, 152, 227, 220, 188, 94, 54, 155, 219,
                    232, 205, 91, 55, 90, 166, 233, 183, 58, 20, 38, 131, 234, 180, 108, 55, 58, 164, 227, 210, 177, 83,
                    59, 167, 228, 236, 197, 81, 60, 103, 180, 237, 171, 51, 22, 45, 145, 237, 168, 92, 48, 64, 176, 226,
                    200, 164, 74, 66, 179, 236, 238, 187, 72, 67, 117, 193, 238, 158, 45, 26, 54, 157, 238, 155, 78, 43,
                    71, 186, 222, 190, 152, 66, 74, 189, 241, 238, 177, 65, 76, 131, 204, 238, 146, 41, 32, 64, 170,
                    237, 142, 64, 40, 80, 196, 217, 177, 138, 60, 83, 198, 243, 235, 166, 58, 85, 146, 215, 234, 132,
                    39, 41},
                0.33262717723846436, 0.33262717723846436, -0.15245412290096283, 0.33262717723846436,
                0.33262717723846436, 0.1871027946472168);
    }

    @Test
    void adaptivePoolingOnOneChannelRoundsAsPyTorchsChannelsLastKernel() {
        int[] dims = {2, 1, 6, 8};
        Sequential quantised = quantised(0.0, dims, 48, new AdaptiveAvgPool2d(3, 4));
        assertMatches(quantised, 1, dims, new Uint8Grid(0.007781533990055323f, 127),
                new Uint8Grid(0.003309458377314549f, 0), new Uint8Grid(0.006361357604756075f, 181),
                new int[] {28, 139, 246, 179, 99, 29, 143, 247, 232, 96, 29, 147, 217, 230, 92, 30, 77, 219, 228, 89,
                    34, 80, 221, 225},
                -0.6488584280014038, -0.07633628696203232, 0.36259737610816956, -0.5788835287094116,
                -0.08269764482975006, 0.2989838123321533);
    }

    @Test
    void adaptivePoolingOnTwoChannelsRoundsAsPyTorchsContiguousKernel() {
        int[] dims = {2, 2, 6, 8};
        Sequential quantised = quantised(0.3, dims, 24, new AdaptiveAvgPool2d(3, 2));
        assertMatches(quantised, 1, dims, new Uint8Grid(0.00881073996424675f, 107),
                new Uint8Grid(0.0022177771026012944f, 0), new Uint8Grid(0.0047721500490225995f, 147),
                new int[] {68, 185, 51, 169, 141, 72, 195, 49, 127, 136, 46, 196, 80, 132, 176, 47, 180, 76, 86, 172,
                    44, 183, 121, 90},
                -0.5965187549591064, -0.2863290011882782, 0.5153921842575073, -0.2433796525001526,
                -0.31973403692245483, 0.1956581473350525);
    }

    @Test
    void maxPoolingAndReluBeforeThePoolingLeaveTheStubObservingTheRawInput() {
        int[] dims = {2, 2, 8, 8};
        Sequential quantised = quantised(0.3, dims, 16, new MaxPool2d(2), new ReLU(), new AvgPool2d(2));
        assertMatches(quantised, 3, dims, new Uint8Grid(0.0088230911642313f, 108),
                new Uint8Grid(0.002962236077177758f, 0), new Uint8Grid(0.0023939255405874813f, 189),
                new int[] {140, 218, 212, 140, 152, 211, 188, 155, 190, 185, 147, 192, 213, 142, 141, 214},
                -0.4069673418998718, -0.36148276925086975, 0.10533272475004196, -0.41175520420074463,
                -0.3303617238998413, 0.12209020555019379);
    }
}
