package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link StaticQuantization}'s structure and refusals: what is fused, where grids come from, clear errors. */
class StaticQuantizationTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor input(int seed) {
        return PyTorchParity.values(seed, 2, 1, 8, 8).mul(2).to(DType.F32);
    }

    private static Sequential net() {
        return new Sequential(Conv2d.builder(1, 3, 3).padding(1).build(), new ReLU(), new AvgPool2d(2),
                new Conv2d(3, 4, 3), new Flatten(), new Linear(16, 2));
    }

    private static Module calibrated(Module model) {
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            prepared.forward(input(1));
        }
        return prepared;
    }

    @Test
    void fusesReluAndReadsTheGridBeforeAnAveragePooling() {
        Module prepared = calibrated(net());
        assertTrue(prepared.namedModules().containsKey("0.input_activation_post_process"));
        assertTrue(!prepared.namedModules().containsKey("3.input_activation_post_process"),
                "average pooling keeps layer 0's grid, as PyTorch's quantized avg_pool2d");
        assertTrue(!prepared.namedModules().containsKey("5.input_activation_post_process"),
                "flatten keeps the grid of layer 3");
        Sequential quantised = (Sequential) StaticQuantization.convert(prepared);
        QuantizedConv2d first = assertInstanceOf(QuantizedConv2d.class, quantised.get(0));
        assertTrue(first.fusedRelu());
        assertInstanceOf(Identity.class, quantised.get(1));
        QuantizedConv2d second = assertInstanceOf(QuantizedConv2d.class, quantised.get(3));
        assertEquals(first.outputGrid(), second.inputGrid());
        QuantizedLinear last = assertInstanceOf(QuantizedLinear.class, quantised.get(5));
        assertEquals(second.outputGrid(), last.inputGrid());
        assertTrue(quantised.parameters().isEmpty());
        quantised.close();
    }

    @Test
    void outputsLieOnTheLastGrid() {
        Sequential quantised = (Sequential) StaticQuantization.convert(calibrated(net()));
        QuantizedLinear last = (QuantizedLinear) quantised.get(5);
        try (var g = Autograd.noGrad()) {
            for (float v : quantised.forward(input(2)).toFloatArray()) {
                float steps = v / last.outputGrid().scale();
                assertEquals(Math.rint(steps), steps, 1e-3, "value " + v + " is on the grid");
            }
        }
        quantised.close();
    }

    @Test
    void convertBeforeCalibrationNamesTheLayer() {
        Module prepared = StaticQuantization.prepare(net());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StaticQuantization.convert(prepared));
        assertTrue(e.getMessage().contains("'0'") && e.getMessage().contains("has seen nothing"), e.getMessage());
    }

    /**
     * A model with no Conv2d, Linear or BasicBlock (poolings alone) is refused: it would stay F32, where 1.13's
     * QuantStub quantises the input and its quantized poolings round on that grid.
     */
    @Test
    void aModelWithNothingToQuantiseIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StaticQuantization.prepare(new Sequential(new AvgPool2d(2), new Flatten())));
        assertTrue(e.getMessage().contains("no Conv2d, Linear or BasicBlock"), e.getMessage());
    }

    @Test
    void convertOfAnUnpreparedModelNamesTheLayer() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StaticQuantization.convert(net()));
        assertTrue(e.getMessage().contains("'0'") && e.getMessage().contains("prepare"), e.getMessage());
    }

    @Test
    void groupedConvolutionIsRefusedWithItsPath() {
        Sequential model = new Sequential(new Sequential(Conv2d.builder(2, 2, 3).groups(2).build()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StaticQuantization.prepare(model));
        assertTrue(e.getMessage().contains("'0.0'") && e.getMessage().contains("groups"), e.getMessage());
    }

    @Test
    void backwardThroughAQuantisedLayerIsRefusedWithItsPath() {
        Module quantised = StaticQuantization.convert(calibrated(net()));
        Tensor x = input(3).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> quantised.forward(x));
        assertTrue(e.getMessage().contains("'0'") && e.getMessage().contains("no backward pass"), e.getMessage());
        quantised.close();
    }

    @Test
    void trainingAQuantisedModelIsRefusedWithThePath() {
        Module quantised = StaticQuantization.convert(calibrated(net()));
        quantised.train();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> quantised.forward(input(3)));
        assertTrue(e.getMessage().contains("'0'") && e.getMessage().contains("cannot be trained"), e.getMessage());
        try (var g = Autograd.noGrad()) {
            assertEquals(2, quantised.forward(input(3)).dim(1), "without gradients it evaluates in either mode");
        }
        quantised.close();
    }

    @Test
    void theOriginalModelIsLeftAsItIs() {
        Sequential model = net();
        Module prepared = calibrated(model);
        assertTrue(model.get(0).namedChildren().isEmpty());
        assertTrue(model.isTraining());
        assertTrue(!prepared.isTraining());
    }

    @Test
    void zooResNetStaysWithinFivePercentOfF32() {
        Sequential model = dev.kiln.zoo.Zoo.resnet(10);
        model.eval();
        Tensor x = PyTorchParity.values(4, 2, 1, 28, 28).to(DType.F32);
        Module prepared = StaticQuantization.prepare(model);
        try (var g = Autograd.noGrad()) {
            prepared.forward(x);
            Module quantised = StaticQuantization.convert(prepared);
            long int8Layers = quantised.modules().stream()
                    .filter(m -> m instanceof QuantizedLayer).count();
            assertEquals(model.modules().stream().filter(QuantisedSite::quantisable).count(), int8Layers);
            float[] expected = model.forward(x).toFloatArray();
            float[] actual = quantised.forward(x).toFloatArray();
            double largest = 0;
            double error = 0;
            for (int k = 0; k < expected.length; k++) {
                largest = Math.max(largest, Math.abs(expected[k]));
                error = Math.max(error, Math.abs(expected[k] - actual[k]));
            }
            assertTrue(error < 0.05 * largest, "int8 output off by " + error + " where F32's largest is " + largest);
            quantised.close();
        }
    }

    @Test
    void convertAfterCalibrationOnNonFiniteValuesNamesTheLayerAndTheValue() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Module prepared = StaticQuantization.prepare(net());
            try (var g = Autograd.noGrad()) {
                prepared.forward(input(1));
                float[] x = input(2).toFloatArray();
                x[5] = bad;
                prepared.forward(Tensor.fromArray(x, 2, 1, 8, 8));
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> StaticQuantization.convert(prepared));
            assertTrue(e.getMessage().contains("'0'") && e.getMessage().contains("not finite")
                    && e.getMessage().contains("max_val=" + bad), e.getMessage());
        }
    }

    /**
     * A MaxPool2d right after a convolution (and its fused ReLU) is fused into it, its slot an Identity, and the
     * model gives the very values of the same model where a Dropout between them keeps the pooling apart (the
     * maximum of grid values is the grid value of the maximum, so pooling in uint8 changes nothing): a 3 x 3 pooling
     * of stride 2 and padding 1 on 9 x 9, as a ResNet's stem.
     */
    @Test
    void fusesAMaxPoolingAfterAConvolutionWithTheSameValues() {
        Conv2d conv = Conv2d.builder(1, 3, 3).padding(1).build();
        Conv2d next = new Conv2d(3, 4, 3);
        Linear linear = new Linear(36, 2);
        Module fused = new Sequential(conv, new ReLU(), new MaxPool2d(3, 2, 1), next, new Flatten(), linear);
        Module apart = new Sequential(conv, new ReLU(), new Dropout(0.5), new MaxPool2d(3, 2, 1), next, new Flatten(),
                linear);
        Tensor calibration = PyTorchParity.values(1, 2, 1, 9, 9).mul(2).to(DType.F32);
        Tensor x = PyTorchParity.values(2, 2, 1, 9, 9).mul(2).to(DType.F32);
        Sequential[] quantised = new Sequential[2];
        Module[] models = {fused, apart};
        for (int k = 0; k < 2; k++) {
            Module prepared = StaticQuantization.prepare(models[k]);
            try (var g = Autograd.noGrad()) {
                prepared.forward(calibration);
            }
            quantised[k] = (Sequential) StaticQuantization.convert(prepared);
            prepared.close();
        }
        QuantizedConv2d first = assertInstanceOf(QuantizedConv2d.class, quantised[0].get(0));
        assertTrue(first.toString().endsWith(", max_pool=MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1,"
                + " ceil_mode=False))"), first.toString());
        assertInstanceOf(Identity.class, quantised[0].get(2));
        assertInstanceOf(MaxPool2d.class, quantised[1].get(3));
        try (var g = Autograd.noGrad()) {
            assertArrayEquals(quantised[1].forward(x).toFloatArray(), quantised[0].forward(x).toFloatArray());
        }
        quantised[0].close();
        quantised[1].close();
    }
}
