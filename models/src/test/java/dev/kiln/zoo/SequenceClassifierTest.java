package dev.kiln.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.DynamicQuantizedGRU;
import dev.kiln.nn.DynamicQuantizedLSTM;
import dev.kiln.nn.DynamicQuantizedLinear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Quantization;
import dev.kiln.nn.Recurrent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The zoo's row readers (W3: an image's 28 rows as 28 steps, a recurrent layer of 128, a dense layer to 10
 * scores): layout handling against the layers run by hand, PyTorch-sized parameters, and the errors.
 */
class SequenceClassifierTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250307L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void scoresAreTheDenseLayerOfTheLastHiddenStateOverTheRows(String kind) {
        try (Module model = Zoo.create(kind, 784, 10)) {
            Tensor images = Tensor.rand(3, 1, 28, 28);
            Tensor scores = model.forward(images);
            assertArrayEquals(new int[] {3, 10}, scores.shape().dims());
            assertArrayEquals(scores.toDoubleArray(), model.forward(images.reshape(3, 784)).toDoubleArray(), 0);
            Map<String, Tensor> p = model.namedParameters();
            Recurrent rnn = (Recurrent) model.namedModules().get("rnn");
            Tensor rows = images.reshape(3, 28, 28).transpose(0, 1);
            Tensor hN = rnn.forward(rows, null).hN().reshape(3, 128);
            Tensor expected = F.linear(hN, p.get("fc.weight"), p.get("fc.bias"));
            assertArrayEquals(expected.toDoubleArray(), scores.toDoubleArray(), 1e-6);
        }
    }

    @Test
    void lstmHasTheParametersOfPyTorchsW3() {
        try (Module model = Zoo.create("lstm", 784, 10)) {
            assertEquals(List.of("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "fc.weight",
                    "fc.bias"), List.copyOf(model.namedParameters().keySet()));
            // LSTM(28, 128): 4*128*28 + 4*128*128 + 2*4*128; Linear(128, 10): 1,290.
            assertEquals(82_186, model.parameterCount());
        }
    }

    @Test
    void inputsThatAreNotTwentyEightRowsOfTwentyEightAreRefused() {
        try (Module model = Zoo.create("gru", 784, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(2, 780)));
            assertTrue(e.getMessage().contains("[2, 780]") && e.getMessage().contains("28 x 28"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Zoo.create("lstm", 100, 10));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru"})
    void aRowReaderQuantisesAsItsLayersDo(String kind) {
        try (SequenceClassifier model = Zoo.rowReader(kind, 10, 0.2); Module quantised = Quantization.quantizeDynamic(model);
             Autograd.Guard g = Autograd.noGrad()) {
            model.eval();
            quantised.eval();
            Map<String, Module> layers = quantised.namedModules();
            Class<? extends Module> rnn = kind.equals("lstm") ? DynamicQuantizedLSTM.class : DynamicQuantizedGRU.class;
            assertInstanceOf(rnn, layers.get("rnn"));
            assertInstanceOf(DynamicQuantizedLinear.class, layers.get("fc"));
            Tensor images = Tensor.rand(4, 784);
            Tensor exact = model.forward(images);
            Tensor int8 = quantised.forward(images);
            assertArrayEquals(exact.toDoubleArray(), int8.toDoubleArray(), 0.05, "the quantised layers run, not the F32 ones");
        }
    }
}
