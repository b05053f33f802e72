package dev.kiln.onnx.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.AttributeProto;
import dev.kiln.onnx.ModelProto;
import dev.kiln.onnx.TensorProto;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forms of the converted ops that torch's exports of the fixtures do not write, on hand-worked values. */
class OnnxConvertersTest {
    private static float[] ones(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1);
        return v;
    }

    @Test
    void convWithUnevenPadsPadsEachEndAsGiven() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {1, 1, 2, 2}, ones(4));
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Conv", List.of("x", "w"), "y",
                AttributeProto.ofInts("pads", 0, 0, 1, 1)), List.of(w), OnnxGraphs.value("x", 1, 1, 2, 2));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(ones(4), 1, 1, 2, 2));

            assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape().dims());
            assertArrayEquals(new float[] {4, 2, 2, 1}, y.toFloatArray());
        }
    }

    @Test
    void gemmScalesTransposesAndAddsC() {
        TensorProto b = TensorProto.ofFloats("b", new long[] {3, 4}, ones(12));
        TensorProto c = TensorProto.ofFloats("c", new long[] {4}, 1, 2, 3, 4);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Gemm", List.of("x", "b", "c"), "y",
                AttributeProto.ofInt("transA", 1), AttributeProto.ofFloat("alpha", 0.5f),
                AttributeProto.ofFloat("beta", 2f)), List.of(b, c), OnnxGraphs.value("x", 3, 2));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(ones(6), 3, 2));

            assertArrayEquals(new float[] {3.5f, 5.5f, 7.5f, 9.5f, 3.5f, 5.5f, 7.5f, 9.5f}, y.toFloatArray());
        }
    }

    /** torch.pow(x, w) of x [2, 3] and w [3]: 2^[1, 2, 3] = [2, 4, 8], (-3)^[1, 2, 3] = [-3, 9, -27]. */
    @Test
    void powWithAnExponentTensorRaisesEachElementToItsBroadcastExponent() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {3}, 1, 2, 3);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Pow", List.of("x", "w"), "y"), List.of(w),
                OnnxGraphs.value("x", 2, 3));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {2, 2, 2, -3, -3, -3}, 2, 3));

            assertArrayEquals(new float[] {2, 4, 8, -3, 9, -27}, y.toFloatArray());
        }
    }

    @Test
    void squeezeWithoutAxesDropsEverySizeOneAxisAndIdentityPassesItOn() {
        ModelProto proto = OnnxGraphs.model(17, List.of(OnnxGraphs.node("Squeeze", List.of("x"), "s"),
                OnnxGraphs.node("Identity", List.of("s"), "y")), List.of(), List.of(OnnxGraphs.value("x", 2, 1, 3, 1)),
                List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            assertArrayEquals(new int[] {2, 3}, model.forward(Tensor.zeros(2, 1, 3, 1)).shape().dims());
        }
    }

    @Test
    void shapeCastAndConstantOfShapeRunOnTheHostAndMeetTheInputAsATensor() {
        TensorProto seven = TensorProto.ofFloats("seven", new long[] {1}, 7);
        ModelProto proto = OnnxGraphs.model(17, List.of(OnnxGraphs.node("Shape", List.of("x"), "shape"),
                OnnxGraphs.node("ConstantOfShape", List.of("shape"), "fill", AttributeProto.ofTensor("value", seven)),
                OnnxGraphs.node("Cast", List.of("shape"), "sizes", AttributeProto.ofInt("to", TensorProto.FLOAT)),
                OnnxGraphs.node("Add", List.of("x", "fill"), "sum"),
                OnnxGraphs.node("Mul", List.of("sum", "sizes"), "y")), List.of(),
                List.of(OnnxGraphs.value("x", 2)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 2}, 2));

            assertArrayEquals(new float[] {16, 18}, y.toFloatArray());
        }
    }

    @Test
    void castToAnotherTypeThanFloatIntegerOrBoolFailsTheLoad() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Cast", List.of("x"), "y",
                AttributeProto.ofInt("to", 10)), List.of(), OnnxGraphs.value("x", 2));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(proto));

        assertTrue(e.getMessage().startsWith("ONNX import: Cast node 'Cast_node': cast to ONNX data type 10"),
                e.getMessage());
    }

    @Test
    void anInputInAnotherPrecisionThanTheParametersIsRefused() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {2}, 1, 2);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Mul", List.of("x", "w"), "y"), List.of(w),
                OnnxGraphs.value("x", 2));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(DType.F64, 2)));

            assertEquals("OnnxModule: input 'x' is F64 but the module's parameters are F32; convert one "
                    + "(module.to(F64) or input.to(F32))", e.getMessage());
        }
    }

    @Test
    void aKilnOpErrorNamesTheNodeItCameFrom() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("MatMul", List.of("x", "x"), "y"), List.of(),
                OnnxGraphs.value("x", 2, 3));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(2, 3)));

            assertTrue(e.getMessage().startsWith("ONNX import: MatMul node 'MatMul_node': "), e.getMessage());
        }
    }

    @Test
    void anAttributeOfAnotherKindFailsTheLoadNamingTheNode() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Softmax", List.of("x"), "y",
                AttributeProto.ofFloat("axis", 1)), List.of(), OnnxGraphs.value("x", 2));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.load(proto));

        assertEquals("ONNX import: Softmax node 'Softmax_node': attribute 'axis' is FLOAT, not INT", e.getMessage());
    }

    @Test
    void beforeOpset13SoftmaxTakesTheAxesFromItsAxisOnAsOne() {
        ModelProto proto = OnnxGraphs.model(12, List.of(OnnxGraphs.node("Softmax", List.of("x"), "y")), List.of(),
                List.of(OnnxGraphs.value("x", 2, 3, 4)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor x = Tensor.rand(2, 3, 4);

            Tensor y = model.forward(x);

            assertArrayEquals(new int[] {2, 3, 4}, y.shape().dims());
            assertArrayEquals(F.softmax(x.reshape(2, 12), 1).toFloatArray(), y.toFloatArray(), 1e-7f);
        }
    }

    @Test
    void atOpset18ReduceMeanAndPadTakeTheirAxesAsInputs() {
        TensorProto axes = TensorProto.ofLongs("axes", new long[] {1}, 1);
        TensorProto pads = TensorProto.ofLongs("pads", new long[] {2}, 1, 0);
        TensorProto padAxes = TensorProto.ofLongs("padAxes", new long[] {1}, -1);
        ModelProto proto = OnnxGraphs.model(18, List.of(
                OnnxGraphs.node("ReduceMean", List.of("x", "axes"), "m", AttributeProto.ofInt("keepdims", 0)),
                OnnxGraphs.node("Pad", List.of("m", "pads", "", "padAxes"), "y")), List.of(axes, pads, padAxes),
                List.of(OnnxGraphs.value("x", 2, 2)), List.of(OnnxGraphs.value("y")));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 3, 5, 7}, 2, 2));

            assertArrayEquals(new float[] {0, 2, 6}, y.toFloatArray());
        }
    }

    /** The module's mode decides, not the training_mode a graph was exported with (OnnxTrainingModeTest trains). */
    @Test
    void dropoutInEvaluationPassesItsInputOnWhenItsTrainingModeInputIsTrue() {
        TensorProto ratio = TensorProto.ofFloats("ratio", new long[0], 0.5f);
        TensorProto training = new TensorProto("training", TensorProto.BOOL, new long[0], new byte[] {1});
        ModelProto trainingMode = OnnxGraphs.single(OnnxGraphs.node("Dropout", List.of("x", "ratio", "training"),
                "y"), List.of(ratio, training), OnnxGraphs.value("x", 3));
        try (OnnxModule model = OnnxImport.load(trainingMode); Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, -2, 3}, 3);

            assertArrayEquals(new float[] {1, -2, 3}, model.forward(x).toFloatArray());
        }
    }

    @Test
    void gemmInLinearFormAddsACOfOneRowBroadcastDownTheBatch() {
        TensorProto w = TensorProto.ofFloats("w", new long[] {2, 3}, 1, 0, 0, 0, 1, 1);
        TensorProto c = TensorProto.ofFloats("c", new long[] {1, 2}, 10, 20);
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("Gemm", List.of("x", "w", "c"), "y",
                AttributeProto.ofInt("transB", 1)), List.of(w, c), OnnxGraphs.value("x", 2, 3));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));

            assertArrayEquals(new float[] {11, 25, 14, 31}, y.toFloatArray());
        }
    }

    @Test
    void averagePoolInCeilModeCountingThePaddingDividesEveryWindowByTheWholeKernel() {
        ModelProto proto = OnnxGraphs.single(OnnxGraphs.node("AveragePool", List.of("x"), "y",
                AttributeProto.ofInts("kernel_shape", 3, 3), AttributeProto.ofInts("strides", 2, 2),
                AttributeProto.ofInts("pads", 1, 1, 1, 1), AttributeProto.ofInt("ceil_mode", 1),
                AttributeProto.ofInt("count_include_pad", 1)), List.of(), OnnxGraphs.value("x", 1, 1, 4, 4));
        try (OnnxModule model = OnnxImport.load(proto); Scope s = Scope.open()) {
            Tensor y = model.forward(Tensor.fromArray(ones(16), 1, 1, 4, 4));

            float[] expected = {4 / 9f, 6 / 9f, 2 / 9f, 6 / 9f, 1, 3 / 9f, 2 / 9f, 3 / 9f, 1 / 9f};
            assertArrayEquals(expected, y.toFloatArray(), 1e-6f);
        }
    }
}
