package dev.kiln.nn;

import static dev.kiln.nn.Int8WeightsAssertions.assertInts;
import static dev.kiln.nn.Int8WeightsAssertions.assertScales;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Quantization#quantizeDynamic} against PyTorch 1.13's {@code quantize_dynamic} with
 * {@code per_channel_dynamic_qconfig} (printed by {@code models/src/test/pytorch/quantize_dynamic.py}): the same int8
 * weights and scales exactly, and outputs within one input quantisation step carried through the layers.
 */
class DynamicQuantizationPyTorchParityTest {
    /** One input step in one element of each layer's input, carried through the layers after it (the script's). */
    private static final double TOLERANCE = 0.09763384998027005;

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
    void mlpMatchesPyTorch() {
        Sequential model = new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 5));
        load(model,
                key("0.weight", 1, 16, 20),
                key("0.bias", 2, 16),
                key("2.weight", 3, 5, 16),
                key("2.bias", 4, 5));
        Sequential quantised = (Sequential) Quantization.quantizeDynamic(model);
        try {
            DynamicQuantizedLinear layer0 = (DynamicQuantizedLinear) quantised.get(0);
            assertInts("layer 0 int8 values", layer0.packedWeight().values(),
                    127, 111, 43, -45, -112, -126, -81, 2, 85, 127, 110, 41, -47, -113, -126, -80, 4, 86, 127, 109,
                    39, -49, -114, -125, -78, 6, 87, 127, 107, 37, -51, -115, -125, -76, 9, 89, 127, 106, 35, -53,
                    -115, -124, -74, 11, 90, 127, 105, 33, -55, -116, -123, -72, 13, 92, 127, 103, 30, -57, -117, -123,
                    -70, 15, 93, 127, 102, 28, -58, -118, -122, -68, 17, 95, 127, 100, 26, -60, -119, -121, -67, 19,
                    96, 127, 99, 24, -62, -119, -120, -65, 21, 97, 127, 98, 22, -64, -120, -120, -63, 23, 99, 127,
                    96, 20, -66, -121, -119, -61, 26, 100, 127, 95, 18, -68, -121, -118, -59, 28, 101, 127, 94, 16,
                    -70, -122, -117, -57, 30, 103, 127, 92, 14, -71, -123, -117, -55, 32, 104, 127, 91, 11, -73, -123,
                    -116, -54, 34, 106, 127, 89, 9, -75, -124, -115, -52, 36, 107, 127, 88, 7, -77, -125, -114, -50,
                    38, 108, 127, 87, 5, -79, -126, -113, -48, 40, 110, 127, 85, 3, -81, -126, -112, -46, 42, 111,
                    127, 84, 1, -83, -127, -112, -44, 45, 112, 127, 82, -1, -84, -127, -111, -42, 47, 113, 127, 80,
                    -4, -86, -127, -109, -40, 48, 114, 126, 78, -6, -87, -128, -108, -38, 50, 115, 125, 77, -8, -89,
                    -127, -106, -35, 52, 115, 124, 74, -10, -90, -127, -105, -33, 54, 116, 123, 73, -12, -91, -127, -104,
                    -31, 56, 117, 123, 71, -14, -93, -127, -102, -29, 58, 118, 122, 69, -16, -94, -127, -101, -27, 60,
                    118, 121, 67, -19, -95, -127, -100, -25, 62, 119, 120, 65, -21, -97, -128, -98, -23, 63, 120, 120,
                    63, -23, -98, -128, -97, -21, 65, 121, 119, 62, -25, -100, -127, -95, -18, 67, 121, 118, 60, -27,
                    -101, -128, -94, -16, 69, 122, 117, 58, -29, -102, -127, -93, -14, 71, 123, 117, 56, -31, -104, -127);
            assertScales("layer 0 scales", layer0.packedWeight().scales(),
                    0.003884734826929429, 0.0039005676905314126, 0.003911989810420018, 0.003918988330691468,
                0.003921554836572385, 0.003919686990625718, 0.003913386429057402, 0.0039026606316659965,
                0.003887521519380457, 0.0038719280093323953, 0.003890652048821543, 0.003910483565984987,
                0.003918179577472163, 0.00392144474328733, 0.003921414590349385, 0.0039180281115513225);
            DynamicQuantizedLinear layer2 = (DynamicQuantizedLinear) quantised.get(2);
            assertInts("layer 2 int8 values", layer2.packedWeight().values(),
                    -96, -127, -99, -23, 63, 120, 120, 64, -22, -98, -128, -97, -21, 65, 120, 119, 62, -24, -99, -128,
                    -96, -19, 67, 121, 118, 60, -26, -101, -127, -94, -17, 69, 122, 118, 58, -29, -102, -128, -93, -15,
                    70, 122, 117, 56, -31, -103, -127, -92, -13, 72, 123, 116, 55, -33, -105, -128, -90, -11, 74, 124,
                    115, 53, -35, -106, -128, -89, -8, 76, 125, 115, 51, -37, -107, -127, -87, -6, 78, 125, 114, 49);
            assertScales("layer 2 scales", layer2.packedWeight().scales(),
                    0.00392153029348336, 0.003920684141271255, 0.003915666832643397, 0.00390622148326799,
                0.003899841682583678);
            Tensor x = values(50, 7, 20).mul(3).add(0.7).to(DType.F32);
            Tensor y;
            try (Autograd.Guard g = Autograd.noGrad()) {
                y = quantised.forward(x);
            }
            double[] expected = {-1.8105597496032715, -1.1340762376785278, 1.2021222114562988, 1.830697774887085,
                0.06785252690315247, -0.30189287662506104, -0.7115819454193115, -0.19549992680549622,
                0.8771385550498962, 1.0808663368225098, -0.826025664806366, -3.1389410495758057,
                -0.6438585519790649, 3.0871829986572266, 2.393944501876831, -1.3517451286315918,
                -3.5979208946228027, -0.2583440840244293, 3.7162158489227295, 2.2687642574310303,
                -0.05437101796269417, -0.7734490633010864, -0.3964427709579468, 0.8236654996871948,
                1.2444422245025635, 1.209418535232544, -0.08392158895730972, -1.4302024841308594,
                -0.2610737979412079, 1.8635061979293823, 0.809311032295227, -0.6817059516906738,
                -1.298440933227539, 0.3813932240009308, 1.9563394784927368};
            double[] got = y.toDoubleArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], TOLERANCE, "output element " + i);
            }
        } finally {
            quantised.close();
            model.close();
        }
    }
}
