package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DynamicQuantizedLinear} and {@link Quantization#quantizeDynamic} as modules: inputs of any rank, refusal
 * of gradients and copies, the state dict of the rest of the model, the original left alone, memory freed on close.
 * Their values against PyTorch are {@link DynamicQuantizationPyTorchParityTest}'s.
 */
class DynamicQuantizedLinearTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(3);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void closingTheQuantisedModelFreesTheReplacedLayersTensors() {
        // The replaced Linear's bias was copied through an unclosed detached view, which kept its memory alive.
        try (Sequential model = new Sequential(new Linear(64, 64))) {
            BytesInUse.settle();
            long before = Engine.get().backend().bytesInUse();
            try (Scope s = Scope.open()) {
                Quantization.quantizeDynamic(model).close();
            }
            assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after closing the quantised copy");
        }
    }

    @Test
    void aRefusedLayerLeavesNoCopyBehind() {
        // The second layer's weight is computed, so quantizeDynamic refuses the model after copying it and quantising
        // the first layer: the copy and the first layer's packed weights must go with the refusal.
        try (Sequential model = new Sequential(new Linear(64, 64), WeightNorm.apply(new Linear(64, 8)))) {
            BytesInUse.settle();
            long before = Engine.get().backend().bytesInUse();
            try (Scope s = Scope.open()) {
                assertThrows(IllegalArgumentException.class, () -> Quantization.quantizeDynamic(model));
            }
            assertEquals(before, Engine.get().backend().bytesInUse(), "bytes in use after the refusal");
        }
    }

    @Test
    void leadingDimensionsAreKeptAsLinearKeepsThem() {
        try (Linear linear = new Linear(6, 4); DynamicQuantizedLinear q = DynamicQuantizedLinear.from(linear);
             Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.randn(DType.F32, 2, 3, 6);
            Tensor y = q.forward(x);
            assertArrayEquals(new int[] {2, 3, 4}, y.shape().dims());
            assertArrayEquals(q.forward(x.reshape(6, 6)).toFloatArray(), y.toFloatArray());
        }
    }

    @Test
    void closeToTheFloatLayerWithinAFewQuantisationSteps() {
        try (Linear linear = new Linear(64, 32); DynamicQuantizedLinear q = DynamicQuantizedLinear.from(linear);
             Autograd.Guard g = Autograd.noGrad()) {
            Tensor x = Tensor.randn(DType.F32, 5, 64);
            float[] exact = linear.forward(x).toFloatArray();
            float[] quantised = q.forward(x).toFloatArray();
            double worst = 0;
            for (int i = 0; i < exact.length; i++) {
                worst = Math.max(worst, Math.abs(exact[i] - quantised[i]));
            }
            // Rounding moves each of the 64 products by at most |w| s_x / 2 + |x| s_w / 2: with |x| below 4.5 (range
            // 9, s_x = 9 / 127) and |w| below 1/8 (s_w below 1/1020), 64 (0.0044 + 0.0022) = 0.43 at worst. A kernel
            // that dropped the zero point (about 64 s_x) or a scale is off by whole units.
            assertTrue(worst < 0.43, "largest difference from the F32 layer " + worst);
        }
    }

    @Test
    void refusesAnInputThatNeedsAGradient() {
        try (Linear linear = new Linear(3, 2); DynamicQuantizedLinear q = DynamicQuantizedLinear.from(linear)) {
            Tensor x = Tensor.randn(DType.F32, 1, 3).requiresGrad(true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.forward(x));
            assertTrue(e.getMessage().contains("no backward pass"), e.getMessage());
            assertTrue(q.parameters().isEmpty(), "a quantised layer has no trainable parameters");
        }
    }

    @Test
    void quantizesEveryLinearAndKeepsTheRestOfTheStateDict() {
        Sequential inner = new Sequential(new Linear(8, 8), new ReLU());
        try (Sequential model = new Sequential(new Linear(4, 8), new BatchNorm1d(8), inner, new Linear(8, 2, false))) {
            model.eval();
            Sequential quantised = (Sequential) Quantization.quantizeDynamic(model);
            try {
                assertInstanceOf(DynamicQuantizedLinear.class, quantised.get(0));
                assertInstanceOf(DynamicQuantizedLinear.class, ((Sequential) quantised.get(2)).get(0));
                assertInstanceOf(DynamicQuantizedLinear.class, quantised.get(3));
                assertInstanceOf(Linear.class, model.get(0), "the original keeps its layers");
                assertFalse(model.get(0).parameters().get(0).isClosed(), "the original's weights stay open");
                Map<String, Tensor> state = quantised.stateDict();
                assertEquals(List.of("0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                        "1.num_batches_tracked", "2.0.bias"), List.copyOf(state.keySet()));
                quantised.loadStateDict(model.stateDict(), false);
                assertArrayEquals(((Linear) model.get(0)).bias().toFloatArray(),
                        ((DynamicQuantizedLinear) quantised.get(0)).bias().toFloatArray());
                try (Autograd.Guard g = Autograd.noGrad()) {
                    assertArrayEquals(new int[] {3, 2}, quantised.forward(Tensor.randn(DType.F32, 3, 4)).shape().dims());
                }
            } finally {
                quantised.close();
            }
            assertTrue(((DynamicQuantizedLinear) quantised.get(0)).packedWeight().isClosed(),
                    "closing the model frees the packed weights");
        }
    }

    /**
     * PyTorch's MultiheadAttention reads {@code out_proj}'s weight itself, so {@code quantize_dynamic} leaves that
     * {@code NonDynamicallyQuantizableLinear} in float (its print: {@code ModuleReprPyTorchParityTest}); the rest of an
     * encoder layer's Linears are quantised, and the layer runs.
     */
    @Test
    void attentionsOutputProjectionStaysInFloatAndTheQuantisedEncoderLayerRuns() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0);
             Module quantised = Quantization.quantizeDynamic(layer); Autograd.Guard g = Autograd.noGrad()) {
            quantised.eval();
            assertInstanceOf(NonDynamicallyQuantizableLinear.class, quantised.getSubmodule("self_attn.out_proj"));
            assertInstanceOf(DynamicQuantizedLinear.class, quantised.getSubmodule("linear1"));
            assertArrayEquals(new int[] {2, 3, 8}, quantised.forward(Tensor.randn(2, 3, 8)).shape().dims());
        }
    }

    @Test
    void aLinearRegisteredTwiceIsQuantisedOnceAndStaysShared() {
        Linear shared = new Linear(4, 4);
        try (Sequential model = new Sequential(shared, new ReLU(), shared)) {
            Sequential quantised = (Sequential) Quantization.quantizeDynamic(model);
            try {
                assertSame(quantised.get(0), quantised.get(2));
            } finally {
                quantised.close();
            }
        }
    }

    @Test
    void aQuantisedModelCannotBeCopied() {
        try (Sequential model = new Sequential(new Linear(2, 2))) {
            Module quantised = Quantization.quantizeDynamic(model);
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class, quantised::copy);
                assertTrue(e.getMessage().contains("Int8LinearWeights"), e.getMessage());
                assertTrue(e.getMessage().contains("quantise a copy of the F32 model"), e.getMessage());
            } finally {
                quantised.close();
            }
        }
    }
}
