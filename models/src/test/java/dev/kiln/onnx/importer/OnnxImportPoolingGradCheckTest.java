package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The input gradients of the pools whose windows {@link OnnxImportOrtAgreementTest} and
 * {@link OnnxImportNewerOpsetsOrtTest} hold to ONNX Runtime (dilated LpPool and AveragePool, ceil mode over uneven
 * pads) against finite differences in F64.
 */
class OnnxImportPoolingGradCheckTest {
    /** x [1, 2, 7] of 0.5 sin(1.3 k + 0.2) + 0.05 k, away from LpPool's zero sums and from max ties. */
    private static Tensor input() {
        double[] v = new double[14];
        for (int k = 0; k < v.length; k++) {
            v[k] = 0.5 * Math.sin(1.3 * k + 0.2) + 0.05 * k;
        }
        return Tensor.fromArray(v, 1, 2, 7).requiresGrad(true);
    }

    private static void check(String op, AttributeProto... attributes) {
        ModelProto proto = OnnxGraphs.model(19, List.of(OnnxGraphs.node(op, List.of("x"), "y", attributes)),
                List.of(), List.of(OnnxGraphs.value("x", 1, 2, 7)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(proto)) {
            model.to(DType.F64);
            GradCheck.check("ONNX " + op, in -> model.forward(in[0]), input());
        }
    }

    @Test
    void dilatedLpPoolInCeilModeOverUnevenPadsHasFiniteDifferenceGradients() {
        check("LpPool", AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("strides", 2),
                AttributeProto.ofInts("dilations", 2), AttributeProto.ofInts("pads", 1, 0),
                AttributeProto.ofInt("ceil_mode", 1), AttributeProto.ofInt("p", 3));
    }

    @Test
    void averagePoolInCeilModeOverUnevenPadsHasFiniteDifferenceGradients() {
        check("AveragePool", AttributeProto.ofInts("kernel_shape", 3), AttributeProto.ofInts("strides", 3),
                AttributeProto.ofInts("pads", 2, 1), AttributeProto.ofInt("ceil_mode", 1));
    }

    @Test
    void dilatedAveragePoolInCeilModeOverUnevenPadsHasFiniteDifferenceGradients() {
        check("AveragePool", AttributeProto.ofInts("kernel_shape", 2), AttributeProto.ofInts("strides", 2),
                AttributeProto.ofInts("dilations", 2), AttributeProto.ofInts("pads", 1, 0),
                AttributeProto.ofInt("ceil_mode", 1));
    }
}
