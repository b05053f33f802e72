package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.optim.SGD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantizationAwareTraining} of a net with an {@link AvgPool2d} between two convolutions against PyTorch 1.13
 * (printed by {@code models/src/test/pytorch/quantize_qat_avgpool.py}): as 1.13's {@code prepare_qat}, nothing
 * fake-quantises the pooling's output, so the second convolution trains on the F32 mean of the first one's grid
 * values; converted, the pooling runs on the first convolution's grid as 1.13's quantized {@code avg_pool2d} (padding,
 * ceil mode, {@code count_include_pad=False}) and the second convolution reads that grid. Losses within 1e-5, scales
 * within 2e-6, the pooled integers exactly and both models' outputs within one step of PyTorch's.
 */
class QatAvgPoolPyTorchParityTest {
    private static final long[] TARGETS = {0, 3, 4};
    private static final float STEP = 0.01033157017081976f;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(3, 2, 10, 10).float()}, computed in F64. */
    private static Tensor batch(int seed, double scale, double shift) {
        return PyTorchParity.values(seed, 3, 2, 10, 10).mul(scale).add(shift).to(DType.F32);
    }

    private static QatLayer layer(Module qat, String path) {
        return (QatLayer) qat.getSubmodule(path);
    }

    private static void assertGrid(String what, Uint8Grid grid, float scale, int zeroPoint) {
        assertEquals(scale, grid.scale(), 2e-6f * scale, what + " scale");
        assertEquals(zeroPoint, grid.zeroPoint(), what + " zero point");
    }

    private static void assertWithinOneStep(String what, float step, float[] expected, float[] actual) {
        assertArrayEquals(expected, actual, step * 1.0001f, what);
    }

    @Test
    void avgPoolKeepsTheGridBeforeItAsPyTorch() {
        Sequential model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).build(), new ReLU(),
                new AvgPool2d(3, 2, 1, true, false), Conv2d.builder(4, 6, 3).stride(2).build(), new Flatten(),
                new Linear(24, 5));
        load(model,
                key("0.weight", 1, 4, 2, 3, 3),
                key("0.bias", 2, 4),
                key("3.weight", 3, 6, 4, 3, 3),
                key("3.bias", 4, 6),
                key("5.weight", 5, 5, 24),
                key("5.bias", 6, 5));
        Module qat = QuantizationAwareTraining.prepareQat(model);
        assertNull(layer(qat, "3").inputFakeQuant(), "1.13 fake-quantises no pooling output");
        assertEquals("0", layer(qat, "3").inputSource());
        SGD sgd = new SGD(qat.trainableParameters(), 0.1);
        Tensor targets = Tensor.fromArray(TARGETS, TARGETS.length);
        Tensor[] batches = {batch(11, 2.0, 0.3), batch(12, 1.5, -0.2)};
        double[] losses = new double[batches.length];
        for (int i = 0; i < batches.length; i++) {
            sgd.zeroGrad();
            Tensor loss = new CrossEntropyLoss().compute(qat.forward(batches[i]), targets);
            loss.backward();
            sgd.step();
            losses[i] = loss.item();
        }
        assertArrayEquals(new double[] {2.1135060787200928, 1.648791790008545}, losses, 1e-5, "losses");
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        assertGrid("input", layer(qat, "0").inputFakeQuant().grid(), 0.007823474705219269f, 90);
        Uint8Grid first = layer(qat, "0").outputFakeQuant().grid();
        assertGrid("layer 0", first, 0.008241130970418453f, 0);
        assertGrid("layer 3", layer(qat, "3").outputFakeQuant().grid(), 0.027113698422908783f, 121);
        assertGrid("layer 5", layer(qat, "5").outputFakeQuant().grid(), 0.01033157017081976f, 113);
        Tensor x = batch(15, 2.0, 0.0);
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertWithinOneStep("trained model's outputs", STEP, new float[] {
                0.7128783464431763f, -1.167467474937439f, -0.6198942065238953f, -1.167467474937439f,
                0.2686208188533783f, 1.4670829772949219f, -1.167467474937439f, -0.21696297824382782f,
                1.4670829772949219f, -1.167467474937439f, 1.4670829772949219f, -1.167467474937439f,
                0.19629983603954315f, 1.4670829772949219f, -1.167467474937439f}, qat.forward(x).toFloatArray());
            Sequential converted = (Sequential) int8;
            Uint8Grid grid = ((QuantizedConv2d) converted.get(0)).outputGrid();
            assertEquals(grid, ((AvgPool2d) converted.get(2)).grid(), "the pooling pools on layer 0's grid");
            Tensor pooled = converted.get(2).forward(converted.get(1).forward(converted.get(0).forward(x)));
            assertArrayEquals(pooledValues(grid, new int[] {
                18, 84, 147, 106, 17, 0, 102, 158, 78, 8, 40, 92, 114, 76, 7, 41, 137, 157, 32, 7, 43, 146, 117,
                42, 6, 61, 145, 111, 26, 0, 17, 151, 169, 26, 0, 0, 7, 53, 97, 76, 11, 0, 62, 107, 45, 3, 25, 62,
                64, 42, 2, 26, 93, 107, 9, 1, 28, 102, 74, 18, 0, 43, 103, 72, 10, 0, 0, 111, 124, 11, 0, 0, 0, 35,
                66, 54, 5, 0, 37, 72, 25, 0, 14, 39, 30, 24, 0, 14, 60, 68, 0, 0, 16, 69, 48, 5, 0, 32, 71, 46, 5,
                0, 0, 88, 91, 0, 0, 0, 0, 30, 58, 50, 5, 0, 30, 62, 22, 0, 10, 29, 24, 21, 0, 10, 49, 55, 0, 0, 11,
                56, 40, 2, 0, 26, 60, 40, 4, 0, 0, 78, 85, 0, 0, 0, 104, 153, 73, 1, 56, 96, 96, 48, 2, 57, 145,
                140, 16, 2, 61, 155, 96, 24, 4, 65, 156, 98, 12, 0, 96, 146, 87, 12, 37, 72, 183, 128, 8, 0, 95,
                164, 64, 108, 56, 0, 40, 72, 54, 29, 0, 40, 100, 88, 4, 0, 40, 109, 61, 6, 0, 42, 108, 63, 6, 0,
                65, 103, 55, 6, 23, 45, 139, 91, 0, 0, 66, 121, 34, 75, 43, 0, 27, 52, 24, 16, 0, 27, 68, 56, 0, 0,
                28, 75, 37, 0, 0, 29, 74, 37, 2, 0, 48, 74, 34, 2, 14, 29, 105, 68, 0, 0, 43, 87, 24, 65, 41, 0,
                22, 45, 18, 14, 0, 21, 56, 47, 0, 0, 22, 63, 32, 0, 0, 23, 63, 32, 1, 0, 41, 64, 29, 1, 11, 24, 94,
                64, 0, 0, 32, 73, 109, 52, 14, 89, 133, 106, 9, 10, 95, 157, 70, 9, 16, 98, 157, 71, 6, 0, 111,
                157, 68, 6, 46, 101, 100, 61, 10, 65, 139, 134, 38, 0, 16, 158, 154, 38, 74, 38, 7, 56, 85, 68, 2,
                5, 63, 107, 39, 0, 9, 66, 106, 38, 1, 0, 69, 106, 35, 0, 31, 71, 58, 34, 0, 46, 98, 88, 16, 0, 1,
                115, 111, 0, 52, 26, 1, 37, 58, 48, 0, 1, 39, 72, 23, 0, 3, 42, 72, 23, 0, 0, 42, 72, 22, 0, 19,
                48, 27, 21, 0, 34, 70, 63, 0, 0, 0, 91, 89, 0, 48, 24, 0, 31, 50, 42, 0, 0, 31, 61, 20, 0, 0, 32,
                61, 20, 0, 0, 32, 61, 19, 0, 13, 37, 21, 18, 0, 28, 59, 54, 0, 0, 0, 81, 83, 0}), pooled.toFloatArray(), "pooled values");
            assertWithinOneStep("converted model's outputs", STEP, new float[] {
                0.7025467753410339f, -1.167467474937439f, -0.6198942065238953f, -1.167467474937439f,
                0.2686208188533783f, 1.4670829772949219f, -1.167467474937439f, -0.2376261204481125f,
                1.4670829772949219f, -1.167467474937439f, 1.4670829772949219f, -1.167467474937439f,
                0.20663140714168549f, 1.4670829772949219f, -1.167467474937439f}, int8.forward(x).toFloatArray());
        }
        qat.close();
        sgd.close();
    }

    /** PyTorch's pooled integers as values on Kiln's grid. */
    private static float[] pooledValues(Uint8Grid grid, int[] q) {
        float[] values = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            values[i] = grid.dequantize(q[i]);
        }
        return values;
    }
}
