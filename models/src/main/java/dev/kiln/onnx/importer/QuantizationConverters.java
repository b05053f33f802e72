package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.TensorProto;
import java.util.Arrays;
import java.util.Map;

/**
 * QuantizeLinear and DequantizeLinear (opset 13 and later, per tensor or per axis) in F32 arithmetic, as Kiln has no
 * integer dtype of eight bits: a quantised value is a floating-point tensor of integers. QuantizeLinear gives
 * {@code clamp(round(x / scale) + zeroPoint, lo, hi)}, rounding halves to even and saturating to the range of the
 * zero point's type (UINT8 [0, 255] or INT8 [-128, 127]; UINT8 without a zero point); DequantizeLinear gives
 * {@code (x - zeroPoint) * scale}, reading UINT8, INT8 and INT32 (a quantised bias) values. QuantizeLinear reads its
 * zero point's type when the model loads, so that zero point must be an initializer or a Constant (DequantizeLinear's
 * may be computed, as torch.onnx.export's Cast of a ConstantOfShape for a bias: its arithmetic is the same). Block quantisation (opset 21's
 * {@code block_size}) and other types (INT16, INT4, the float8 types) are refused, naming the node.
 */
final class QuantizationConverters {
    private QuantizationConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("QuantizeLinear", QuantizationConverters::quantize);
        ops.put("DequantizeLinear", QuantizationConverters::dequantize);
    }

    private static OnnxStep quantize(OnnxNode node) {
        int type = quantisedType(node);
        long lo = type == TensorProto.UINT8 ? 0 : -128;
        long hi = type == TensorProto.UINT8 ? 255 : 127;
        long axis = node.intAttr("axis", 1);
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            Tensor scale = alongAxis(node, in[1].tensor(floatType), axis, x.shape().dims(), floatType);
            Tensor q = x.div(scale).round();
            if (node.hasInput(2)) {
                q = q.add(alongAxis(node, in[2].tensor(floatType), axis, x.shape().dims(), floatType));
            }
            return OnnxValue.of(q.clamp(lo, hi));
        };
    }

    private static OnnxStep dequantize(OnnxNode node) {
        refuseBlocks(node);
        if (node.hasInput(2) && node.loadTimeType(2) != null) {
            zeroPointType(node, true);
        }
        long axis = node.intAttr("axis", 1);
        return (in, floatType) -> {
            Tensor x = asFloat(in[0].tensor(floatType), floatType);
            if (node.hasInput(2)) {
                x = x.sub(alongAxis(node, in[2].tensor(floatType), axis, x.shape().dims(), floatType));
            }
            return OnnxValue.of(x.mul(alongAxis(node, in[1].tensor(floatType), axis, x.shape().dims(), floatType)));
        };
    }

    /**
     * The type QuantizeLinear writes: its zero point's, else opset 21's {@code output_dtype}, else UINT8.
     *
     * @throws IllegalArgumentException naming the node for block quantisation, a type other than UINT8 and INT8, a
     *     zero point whose type is not known at load time, or an {@code output_dtype} that differs from it
     */
    private static int quantisedType(OnnxNode node) {
        refuseBlocks(node);
        long outputType = node.intAttr("output_dtype", 0);
        int type = node.hasInput(2) ? zeroPointType(node, false) : outputType == 0 ? TensorProto.UINT8
                : (int) outputType;
        if (outputType != 0 && outputType != type) {
            throw node.error("output_dtype " + outputType + " differs from the zero point's ONNX data type " + type);
        }
        if (type != TensorProto.UINT8 && type != TensorProto.INT8) {
            throw node.error("quantises to ONNX data type " + type + "; Kiln quantises to UINT8 (2) and INT8 (3)");
        }
        return type;
    }

    /** The zero point's ONNX data type, known at load: UINT8 or INT8, or for DequantizeLinear also INT32. */
    private static int zeroPointType(OnnxNode node, boolean int32Allowed) {
        Integer type = node.loadTimeType(2);
        if (type == null) {
            throw node.error("its zero point '" + node.proto().inputs().get(2) + "' is computed; Kiln reads the"
                    + " quantised type from a zero point that is an initializer or a Constant");
        }
        boolean allowed = type == TensorProto.UINT8 || type == TensorProto.INT8
                || (int32Allowed && type == TensorProto.INT32);
        if (!allowed) {
            throw node.error("its zero point '" + node.proto().inputs().get(2) + "' has ONNX data type " + type
                    + "; Kiln reads UINT8 (2) and INT8 (3)" + (int32Allowed ? " and INT32 (6)" : "")
                    + " zero points");
        }
        return type;
    }

    private static void refuseBlocks(OnnxNode node) {
        long blockSize = node.intAttr("block_size", 0);
        if (blockSize != 0) {
            throw node.error("block_size " + blockSize + ": Kiln quantises per tensor and per axis, not blockwise");
        }
    }

    /**
     * A scale or zero point shaped to broadcast against an input of {@code rank}: a scalar (or one element) as it is,
     * a 1-D tensor along {@code axis} of {@code shape}.
     *
     * @throws IllegalArgumentException naming the node for a tensor of rank 2 or more (blocks), an axis out of range
     *     or a length other than the axis's
     */
    private static Tensor alongAxis(OnnxNode node, Tensor t, long axis, int[] shape, DType floatType) {
        Tensor f = asFloat(t, floatType);
        if (f.rank() == 0 || (f.rank() == 1 && f.dim(0) == 1)) {
            return f.reshape();
        }
        if (f.rank() > 1) {
            throw node.error("a scale or zero point of shape " + f.shape() + " quantises in blocks; Kiln quantises"
                    + " per tensor (a scalar) and per axis (1-D)");
        }
        int a = ShapeConverters.axis(node, axis, shape.length);
        if (f.dim(0) != shape[a]) {
            throw node.error("a scale or zero point of " + f.dim(0) + " values for axis " + axis + " of an input "
                    + Arrays.toString(shape) + "; it needs " + shape[a]);
        }
        int[] dims = new int[shape.length];
        Arrays.fill(dims, 1);
        dims[a] = f.dim(0);
        return f.reshape(dims);
    }

    private static Tensor asFloat(Tensor t, DType floatType) {
        return t.dtype().isFloating() ? t : t.to(floatType);
    }
}
