package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongBinaryOperator;

/**
 * The comparisons and logical ops of masks that torch exports (Less, LessOrEqual, GreaterOrEqual, And, Or, Xor; Equal,
 * Greater, Not and Where are {@link ElementwiseConverters}' and {@link ActivationMoreConverters}'). Kiln has no boolean
 * dtype: an ONNX BOOL value is a 0/1 tensor, in its operands' dtype where a comparison made it (as Kiln's
 * {@link Tensor#lt} gives), I64 where a Cast to BOOL or a BOOL initializer did, and in the first operand's floating
 * dtype (the graph's float type for integer operands) where a logical op did; any non-zero element reads as true.
 * Host operands give host 0/1 values, as shape arithmetic needs.
 */
final class BooleanConverters {
    private BooleanConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("Less", n -> compare(n, (a, b) -> a < b ? 1 : 0, Tensor::lt, Tensor::lt));
        ops.put("LessOrEqual", n -> compare(n, (a, b) -> a <= b ? 1 : 0, Tensor::le, Tensor::le));
        ops.put("GreaterOrEqual", n -> compare(n, (a, b) -> a >= b ? 1 : 0, Tensor::ge, Tensor::ge));
        ops.put("And", n -> logical(n, (a, b) -> a != 0 && b != 0 ? 1 : 0, Tensor::mul));
        ops.put("Or", n -> logical(n, (a, b) -> a != 0 || b != 0 ? 1 : 0, Tensor::maximum));
        ops.put("Xor", n -> logical(n, (a, b) -> (a != 0) != (b != 0) ? 1 : 0, Tensor::ne));
    }

    /**
     * A broadcasting comparison: host 0/1 integers of host operands, a tensor's comparison with a host scalar, or of
     * two tensors in the first one's dtype (Equal's too, whose BOOL operands may be a comparison's 0/1 in a floating
     * dtype and a BOOL initializer's in I64).
     */
    static OnnxStep compare(OnnxNode node, LongBinaryOperator onHost, BiFunction<Tensor, Tensor, Tensor> onTensors,
            BiFunction<Tensor, Double, Tensor> withScalar) {
        return (in, floatType) -> {
            OnnxValue a = in[0];
            OnnxValue b = in[1];
            if (a.isHost() && b.isHost()) {
                return HostArrays.binary(node.opType(), a, b, onHost,
                        (x, y) -> onHost.applyAsLong(Double.compare(x, y), 0));
            }
            if (b.isHost() && OnnxValue.count(b.shape()) == 1 && b.rank() <= a.rank()) {
                return OnnxValue.of(withScalar.apply(a.tensor(floatType), b.doubles()[0]));
            }
            Tensor x = a.tensor(floatType);
            return OnnxValue.of(onTensors.apply(x, sameType(b.tensor(floatType), x.dtype())));
        };
    }

    /**
     * And, Or or Xor of the operands' truth (non-zero), as 0/1 in the first operand's floating dtype, or
     * {@code floatType} for an integer one (Kiln's products and maxima run on floating-point tensors).
     */
    private static OnnxStep logical(OnnxNode node, LongBinaryOperator onHost, BiFunction<Tensor, Tensor, Tensor> onTruths) {
        return (in, floatType) -> {
            if (in[0].isHost() && in[1].isHost()) {
                return HostArrays.binary(node.opType(), in[0], in[1], onHost,
                        (x, y) -> onHost.applyAsLong(x != 0 ? 1 : 0, y != 0 ? 1 : 0));
            }
            Tensor a = in[0].tensor(floatType);
            DType dtype = a.dtype().isFloating() ? a.dtype() : floatType;
            Tensor b = sameType(in[1].tensor(floatType), dtype);
            return OnnxValue.of(onTruths.apply(sameType(a, dtype).ne(0), b.ne(0)));
        };
    }

    private static Tensor sameType(Tensor t, DType dtype) {
        return t.dtype() == dtype ? t : t.to(dtype);
    }
}
