package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ONNX's Shrink, as Kiln's export writes Hardshrink (bias 0) and Softshrink (bias lambd). */
class OnnxShrinkTest {
    /** x - bias above lambd, x + bias below -lambd: infinities stay infinite (ONNX Runtime's and PyTorch's). */
    @Test
    void shrinkKeepsInfinitiesOutsideTheBand() {
        try (OnnxModule model = OnnxImport.load(OnnxGraphs.single(OnnxGraphs.node("Shrink", List.of("x"), "y",
                        AttributeProto.ofFloat("lambd", 0.5f), AttributeProto.ofFloat("bias", 0.5f)), List.of(),
                OnnxGraphs.value("x", 5)));
             Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.3f, 2, -2}, 5));

            assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 1.5f, -1.5f},
                    y.toFloatArray());
        }
    }
}
