package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The imported 3-D nodes train: the torch-exported 3-D convolution net's input and parameter gradients, and the input
 * gradients of the volume pools over uneven pads in ceil mode, against central finite differences in F64.
 */
class OnnxImportVolumesGradCheckTest {
    @Test
    void theConv3dNetsInputAndParameterGradientsMatchFiniteDifferences() throws IOException {
        try (OnnxModule model = OnnxImportPyTorchParityTest.loadFixture("volume_conv3d_net.onnx")) {
            OnnxImportPyTorchParityTest.assertGradientsMatchFiniteDifferences("volume_conv3d_net", model,
                    PyTorchParity.values(7, 1, 2, 6, 8, 7));
        }
    }

    /** x [1, 2, 4, 5, 4] of 0.5 sin(1.3 k + 0.2) + 0.01 k, away from LpPool's zero sums and from max ties. */
    private static Tensor input() {
        double[] v = new double[160];
        for (int k = 0; k < v.length; k++) {
            v[k] = 0.5 * Math.sin(1.3 * k + 0.2) + 0.01 * k;
        }
        return Tensor.fromArray(v, 1, 2, 4, 5, 4).requiresGrad(true);
    }

    private static void check(String op, AttributeProto... attributes) {
        ModelProto proto = OnnxGraphs.model(19, List.of(OnnxGraphs.node(op, List.of("x"), "y", attributes)),
                List.of(), List.of(OnnxGraphs.value("x", 1, 2, 4, 5, 4)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(proto)) {
            model.to(DType.F64);
            GradCheck.check("ONNX 3-D " + op, in -> model.forward(in[0]), input());
        }
    }

    @Test
    void maxPoolInCeilModeOverUnevenPadsHasFiniteDifferenceGradients() {
        check("MaxPool", AttributeProto.ofInts("kernel_shape", 2, 3, 2), AttributeProto.ofInts("strides", 2, 2, 1),
                AttributeProto.ofInts("pads", 1, 0, 0, 0, 2, 1), AttributeProto.ofInt("ceil_mode", 1));
    }

    @Test
    void dilatedAveragePoolInCeilModeOverUnevenPadsHasFiniteDifferenceGradients() {
        check("AveragePool", AttributeProto.ofInts("kernel_shape", 2, 2, 2), AttributeProto.ofInts("strides", 2, 2, 1),
                AttributeProto.ofInts("dilations", 1, 2, 1), AttributeProto.ofInts("pads", 1, 0, 1, 0, 1, 0),
                AttributeProto.ofInt("ceil_mode", 1));
    }

    @Test
    void lpPoolOverUnevenPadsHasFiniteDifferenceGradients() {
        check("LpPool", AttributeProto.ofInts("kernel_shape", 2, 2, 3), AttributeProto.ofInts("strides", 1, 2, 2),
                AttributeProto.ofInts("pads", 0, 1, 1, 1, 0, 1), AttributeProto.ofInt("p", 3));
    }
}
