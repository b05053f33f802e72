package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import dev.kiln.onnx.TensorProto;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** ONNX tensors ({@link TensorProto}) as Kiln's tensors and as host values. */
final class OnnxTensors {
    private OnnxTensors() {
    }

    static boolean isFloating(int dataType) {
        return dataType == TensorProto.FLOAT || dataType == TensorProto.DOUBLE;
    }

    static boolean isInteger(int dataType) {
        return switch (dataType) {
            case TensorProto.INT64, TensorProto.INT32, TensorProto.INT16, TensorProto.INT8, TensorProto.UINT8,
                    TensorProto.UINT16, TensorProto.UINT32, TensorProto.BOOL -> true;
            default -> false;
        };
    }

    static int[] dims(TensorProto t) {
        return Arrays.stream(t.dims()).mapToInt(Math::toIntExact).toArray();
    }

    /** An F32 (FLOAT) or F64 (DOUBLE) tensor, or an I64 one holding any integer type. */
    static Tensor toTensor(TensorProto t) {
        int[] dims = dims(t);
        return switch (t.dataType()) {
            case TensorProto.FLOAT -> Tensor.fromArray(t.floats(), dims);
            case TensorProto.DOUBLE -> Tensor.fromArray(t.doubles(), dims);
            default -> Tensor.fromArray(integers(t), dims);
        };
    }

    /** A host value: floating-point numbers for FLOAT and DOUBLE, integers for the integer types and BOOL. */
    static OnnxValue toHost(TensorProto t) {
        int[] dims = dims(t);
        return switch (t.dataType()) {
            case TensorProto.FLOAT -> {
                float[] f = t.floats();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                yield OnnxValue.ofDoubles(dims, d);
            }
            case TensorProto.DOUBLE -> OnnxValue.ofDoubles(dims, t.doubles());
            default -> OnnxValue.ofLongs(dims, integers(t));
        };
    }

    /**
     * The elements of an integer (or BOOL) tensor as longs.
     *
     * @throws IllegalArgumentException naming the tensor and its data type for another type
     */
    static long[] integers(TensorProto t) {
        if (!isInteger(t.dataType())) {
            throw new IllegalArgumentException("ONNX import: tensor '" + t.name() + "' has data type "
                    + t.dataType() + "; Kiln reads FLOAT, DOUBLE and the integer types (INT64, INT32, INT16, INT8, "
                    + "UINT8, UINT16, UINT32, BOOL)");
        }
        if (t.dataType() == TensorProto.INT64) {
            return t.longs();
        }
        ByteBuffer b = t.rawData();
        long[] out = new long[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (t.dataType()) {
                case TensorProto.INT32 -> b.getInt();
                case TensorProto.UINT32 -> Integer.toUnsignedLong(b.getInt());
                case TensorProto.INT16 -> b.getShort();
                case TensorProto.UINT16 -> Short.toUnsignedInt(b.getShort());
                case TensorProto.INT8 -> b.get();
                default -> Byte.toUnsignedInt(b.get());
            };
        }
        return out;
    }
}
