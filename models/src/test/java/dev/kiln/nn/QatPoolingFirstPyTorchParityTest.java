package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantizationAwareTraining} of a net whose first module pools before any QAT layer, against PyTorch 1.13
 * (printed by {@code models/src/test/pytorch/quantize_qat_pool_first.py}): as 1.13's {@code prepare_qat}, the input's
 * fake quantisation runs before the pooling, as the {@code QuantStub}'s, so its grid is the raw input's range and the
 * convolution trains on the F32 mean of grid values; converted, the pooling pools the input on that grid as 1.13 pools
 * the stub's contiguous output. The grid's scale within 2e-6 and zero point exactly, the pooled integers exactly and
 * both models' outputs within one step of PyTorch's.
 */
class QatPoolingFirstPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void theInputIsFakeQuantisedBeforeThePoolingAsByPyTorchsQuantStub() {
        Sequential model = new Sequential(new AvgPool2d(2), Conv2d.builder(2, 4, 3).padding(1).build(), new ReLU(),
                new Flatten(), new Linear(64, 3));
        load(model,
                key("1.weight", 1, 4, 2, 3, 3),
                key("1.bias", 2, 4),
                key("4.weight", 3, 3, 64),
                key("4.bias", 4, 3));
        Module qat = QuantizationAwareTraining.prepareQat(model);
        // parity.py's (2 * pattern(256, 23) + 0.1).reshape(2, 2, 8, 8), computed in F64.
        Tensor x = PyTorchParity.values(23, 2, 2, 8, 8).mul(2.0).add(0.1).to(DType.F32);
        try (var g = Autograd.noGrad()) {
            qat.forward(x);
        }
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        Uint8Grid input = ((QatLayer) qat.getSubmodule("1")).inputFakeQuant().grid();
        assertEquals(0.007832306437194347f, input.scale(), 2e-6f * input.scale(), "the input grid's scale");
        assertEquals(115, input.zeroPoint(), "the input grid's zero point");
        float step = ((QatLayer) qat.getSubmodule("4")).outputFakeQuant().grid().scale();
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertArrayEquals(new float[] {0.187118262052536f, 0.4393211305141449f, 0.38643988966941833f,
                0.2766095995903015f, 0.9844048023223877f, 1.0372860431671143f}, qat.forward(x).toFloatArray(),
                1.0001f * step, "the trained model's outputs");
            Sequential converted = (Sequential) int8;
            assertEquals(input, ((AvgPool2d) converted.get(0)).grid(), "the pooling pools on the input grid");
            float[] pooled = converted.get(0).forward(x).toFloatArray();
            int[] q = new int[pooled.length];
            for (int i = 0; i < q.length; i++) {
                q[i] = input.quantize(pooled[i]);
            }
            assertArrayEquals(new int[] {16, 127, 239, 166, 87, 17, 131, 240, 223, 84, 18, 134, 207, 220, 80, 19, 65,
                210, 218, 77, 23, 68, 212, 216, 148, 22, 71, 214, 240, 144, 20, 75, 154, 240, 140, 20, 25, 157, 240,
                137, 61, 26, 160, 240, 203, 58, 28, 164, 226, 200, 54, 30, 92, 228, 197, 52, 16, 96, 229, 194, 118, 15,
                100, 231}, q, "the pooled integers");
            assertArrayEquals(new float[] {0.1830504834651947f, 0.4352533519268036f, 0.382372111082077f,
                0.2806774079799652f, 0.9762691855430603f, 1.0291504859924316f}, int8.forward(x).toFloatArray(),
                1.0001f * step, "the converted model's outputs");
        }
        qat.close();
    }
}
