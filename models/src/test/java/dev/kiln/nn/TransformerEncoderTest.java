package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransformerEncoderTest {
    @Test
    void aPreNormStackEndsInAFinalNormWithTheLayersEps() {
        TransformerLayerOptions options = TransformerLayerOptions.preNorm().withLayerNormEps(1e-3);
        try (TransformerEncoder encoder = new TransformerEncoder(2, 8, 2, 16, 0.1, options)) {
            assertTrue(encoder.stateDict().containsKey("norm.weight"), encoder.stateDict().keySet().toString());
            assertEquals("LayerNorm((8,), eps=0.001, elementwise_affine=True)", encoder.namedModules().get("norm").toString());
        }
    }

    @Test
    void aPostNormStackAddsNoFinalNormAsPyTorchsWithNormNone() {
        Engine.seed(25);
        try (TransformerEncoder encoder = new TransformerEncoder(2, 8, 2, 16, 0.0, TransformerLayerOptions.postNorm());
             Scope s = Scope.open()) {
            encoder.to(DType.F64);
            Set<String> names = encoder.stateDict().keySet();
            assertFalse(names.stream().anyMatch(n -> n.startsWith("norm.")), names.toString());
            Tensor x = Tensor.randn(DType.F64, 2, 3, 8);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            Tensor layers = encoder.layer(1).forward(encoder.layer(0).forward(x, mask), mask);
            assertValues(layers.toDoubleArray(), encoder.forward(x, mask), 0);
        }
    }

    @Test
    void everyLayerReadsTheFloatMaskAndTheKeyPaddingMask() {
        Engine.seed(27);
        try (TransformerEncoder encoder = new TransformerEncoder(2, 8, 2, 16, 0.0, TransformerLayerOptions.postNorm());
             Scope s = Scope.open()) {
            encoder.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, 8);
            AttentionMask bias = AttentionMask.additive(Tensor.randn(DType.F64, 3, 3));
            Tensor padding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3).to(DType.F64);
            Tensor layers = encoder.layer(1).forward(encoder.layer(0).forward(x, bias, padding), bias, padding);
            assertValues(layers.toDoubleArray(), encoder.forward(x, bias, padding), 0);
        }
    }

    @Test
    void aCheckpointedStackGivesThePlainValuesAndGradientsWithDropout() {
        Engine.seed(29);
        try (TransformerEncoder plain = new TransformerEncoder(2, 8, 2, 16, 0.2);
             TransformerEncoder checkpointed = ((TransformerEncoder) plain.copy()).checkpoint(true);
             Scope s = Scope.open()) {
            plain.to(DType.F64);
            checkpointed.to(DType.F64);
            Tensor x = Tensor.randn(DType.F64, 2, 3, 8).requiresGrad(true);
            Tensor mask = Attention.paddingMask(new int[] {3, 2}, 3, DType.F64);
            Tensors.assertSameStep(plain, h -> plain.forward(h, mask), checkpointed, h -> checkpointed.forward(h, mask), x);
            assertFalse(plain.checkpointing(), "off by default");
        }
    }
}
