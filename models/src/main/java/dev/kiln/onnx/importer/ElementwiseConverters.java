package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Element-wise ONNX ops: arithmetic, Max, Min, Equal, Greater and Where with NumPy broadcasting (on the host when the
 * operands are host values, as shape arithmetic is), Floor and Ceil, activations, Clip, Identity, and Dropout (the
 * identity in evaluation, dropping in training).
 */
final class ElementwiseConverters {
    /** ONNX's Selu defaults, float32 roundings of SELU's constants. */
    private static final float SELU_ALPHA = 1.67326319217681884765625f;
    private static final float SELU_GAMMA = 1.05070102214813232421875f;

    private ElementwiseConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("Add", n -> exactOnIntegers(binary(n, Long::sum, Double::sum, Tensor::add, Tensor::add)));
        ops.put("Sub", n -> exactOnIntegers(binary(n, (a, b) -> a - b, (a, b) -> a - b, Tensor::sub, Tensor::sub)));
        ops.put("Mul", n -> exactOnIntegers(binary(n, (a, b) -> a * b, (a, b) -> a * b, Tensor::mul, Tensor::mul)));
        ops.put("Div", n -> binary(n, (a, b) -> a / b, (a, b) -> a / b, Tensor::div, Tensor::div));
        ops.put("Pow", ElementwiseConverters::pow);
        ops.put("Sqrt", n -> unary(Tensor::sqrt));
        ops.put("Erf", n -> unary(Tensor::erf));
        ops.put("Neg", n -> unary(Tensor::neg));
        ops.put("Relu", n -> unary(Tensor::relu));
        ops.put("Sigmoid", n -> unary(Tensor::sigmoid));
        ops.put("Tanh", n -> unary(Tensor::tanh));
        ops.put("LeakyRelu", n -> {
            float alpha = n.floatAttr("alpha", 0.01f);
            return unary(x -> x.leakyRelu(alpha));
        });
        ops.put("Elu", n -> {
            float alpha = n.floatAttr("alpha", 1f);
            return unary(x -> x.elu(alpha));
        });
        ops.put("Selu", n -> {
            float alpha = n.floatAttr("alpha", SELU_ALPHA);
            float gamma = n.floatAttr("gamma", SELU_GAMMA);
            return unary(x -> x.elu(alpha).mul(gamma));
        });
        ops.put("HardSigmoid", n -> {
            float alpha = n.floatAttr("alpha", 0.2f);
            float beta = n.floatAttr("beta", 0.5f);
            return unary(x -> hardSigmoid(x, alpha, beta));
        });
        ops.put("HardSwish", n -> unary(x -> x.mul(hardSigmoid(x, 1 / 6.0, 0.5))));
        ops.put("Exp", n -> unary(Tensor::exp));
        ops.put("Log", n -> unary(Tensor::log));
        ops.put("Abs", n -> unary(Tensor::abs));
        ops.put("Softplus", n -> unary(F::softplus));
        ops.put("PRelu", n -> (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            return OnnxValue.of(x.clampMin(0).add(x.clampMax(0).mul(in[1].tensor(floatType))));
        });
        ops.put("Max", n -> variadic(n, Math::max, Math::max, Tensor::maximum));
        ops.put("Min", n -> variadic(n, Math::min, Math::min, Tensor::minimum));
        ops.put("Equal", n -> BooleanConverters.compare(n, (a, b) -> a == b ? 1 : 0, Tensor::eq, Tensor::eq));
        ops.put("Where", n -> ElementwiseConverters::where);
        ops.put("Clip", n -> ElementwiseConverters::clip);
        ops.put("Identity", n -> (in, floatType) -> in[0]);
        ops.put("Dropout", ElementwiseConverters::dropout);
        ops.put("Greater", n -> binary(n, (a, b) -> a > b ? 1 : 0, (a, b) -> a > b ? 1 : 0, Tensor::gt, Tensor::gt));
        ops.put("Floor", n -> rounding(Math::floor, Tensor::floor));
        ops.put("Ceil", n -> rounding(Math::ceil, Tensor::ceil));
    }

    private static OnnxStep unary(UnaryOperator<Tensor> op) {
        return (in, floatType) -> OnnxValue.of(op.apply(in[0].tensor(floatType)));
    }

    /**
     * Floor or Ceil: on the host for host numbers, where an exported graph works out output sizes from its input's
     * Shape (Kiln's Upsample by a factor), else on the tensor.
     */
    private static OnnxStep rounding(DoubleUnaryOperator onDoubles, UnaryOperator<Tensor> onTensor) {
        return (in, floatType) -> in[0].isHost()
                ? OnnxValue.ofDoubles(in[0].shape(), Arrays.stream(in[0].doubles()).map(onDoubles).toArray())
                : OnnxValue.of(onTensor.apply(in[0].tensor(floatType)));
    }

    /** ONNX's HardSigmoid: max(0, min(1, alpha x + beta)). */
    private static Tensor hardSigmoid(Tensor x, double alpha, double beta) {
        return x.mul(alpha).add(beta).clamp(0, 1);
    }

    /**
     * A broadcasting binary op: on the host when both operands are there, with a scalar when the right operand is a
     * host scalar, else on two tensors.
     */
    private static OnnxStep binary(OnnxNode node, LongBinaryOperator onLongs, DoubleBinaryOperator onDoubles,
            BiFunction<Tensor, Tensor, Tensor> onTensors, BiFunction<Tensor, Double, Tensor> withScalar) {
        return (in, floatType) -> {
            OnnxValue a = in[0];
            OnnxValue b = in[1];
            if (a.isHost() && b.isHost()) {
                return HostArrays.binary(node.opType(), a, b, onLongs, onDoubles);
            }
            if (b.isHost() && OnnxValue.count(b.shape()) == 1 && b.rank() <= a.rank() && !a.isInteger()) {
                return OnnxValue.of(withScalar.apply(a.tensor(floatType), b.doubles()[0]));
            }
            return OnnxValue.of(onTensors.apply(a.tensor(floatType), b.tensor(floatType)));
        };
    }

    /**
     * {@code step} (Add, Sub or Mul) with integer tensor operands run in F64 and given back as I64, where Kiln's
     * arithmetic, floating-point, refuses them: torch exports MaxPool's return_indices as its Indices less a 1x1
     * MaxPool's. Exact below 2^53; host operands alone stay on the host.
     */
    private static OnnxStep exactOnIntegers(OnnxStep step) {
        return (in, floatType) -> {
            if (in[0].isHost() && in[1].isHost() || !in[0].isInteger() || !in[1].isInteger()) {
                return step.apply(in, floatType);
            }
            OnnxValue[] wide = {OnnxValue.of(in[0].tensor(floatType).to(DType.F64)),
                OnnxValue.of(in[1].tensor(floatType).to(DType.F64))};
            return OnnxValue.of(step.apply(wide, floatType).tensor(floatType).to(DType.I64));
        };
    }

    /** Max or Min of any number of inputs, broadcast, folded pairwise in order. */
    private static OnnxStep variadic(OnnxNode node, LongBinaryOperator onLongs, DoubleBinaryOperator onDoubles,
            BiFunction<Tensor, Tensor, Tensor> onTensors) {
        OnnxStep pair = binary(node, onLongs, onDoubles, onTensors, (t, v) -> onTensors.apply(t, t.fullLike(v, Shape.scalar())));
        return (in, floatType) -> {
            OnnxValue result = in[0];
            for (int k = 1; k < in.length; k++) {
                result = pair.apply(new OnnxValue[] {result, in[k]}, floatType);
            }
            return result;
        };
    }

    /** Where: {@code condition != 0 ? x : y}, broadcast; on the host when all three are host values. */
    private static OnnxValue where(OnnxValue[] in, DType floatType) {
        if (in[0].isHost() && in[1].isHost() && in[2].isHost()) {
            return HostArrays.where(in[0], in[1], in[2]);
        }
        Tensor x = in[1].tensor(floatType);
        Tensor y = in[2].tensor(floatType);
        Tensor condition = in[0].tensor(floatType);
        return OnnxValue.of(Tensor.where(condition.dtype() == x.dtype() ? condition : condition.to(x.dtype()), x, y));
    }

    /**
     * Pow: with a scalar exponent (the form exports use, as x ** 2 is; Kiln's export writes its scalars as
     * initializers, so a one-element tensor is read as the exponent too, which then gets no gradient), or element by
     * element with an exponent tensor, broadcast ({@link Tensor#pow(Tensor)}); both operands on the host also work.
     */
    private static OnnxStep pow(OnnxNode node) {
        return (in, floatType) -> {
            OnnxValue x = in[0];
            OnnxValue y = in[1];
            if (x.isHost() && y.isHost()) {
                return HostArrays.binary("Pow", x, y, (a, b) -> (long) Math.pow(a, b), Math::pow);
            }
            if (OnnxValue.count(y.shape()) != 1) {
                return OnnxValue.of(x.tensor(floatType).pow(y.tensor(floatType)));
            }
            return OnnxValue.of(x.tensor(floatType).pow(y.doubles()[0]));
        };
    }

    /** Clip with its optional min and max inputs (constants): clamp, or one-sided clamps when one is left out. */
    private static OnnxValue clip(OnnxValue[] in, DType floatType) {
        Tensor x = in[0].tensor(floatType);
        boolean hasMin = in.length > 1 && in[1] != null;
        boolean hasMax = in.length > 2 && in[2] != null;
        if (hasMin && hasMax) {
            return OnnxValue.of(x.clamp(in[1].doubles()[0], in[2].doubles()[0]));
        }
        if (hasMin) {
            return OnnxValue.of(x.clampMin(in[1].doubles()[0]));
        }
        return OnnxValue.of(hasMax ? x.clampMax(in[2].doubles()[0]) : x);
    }

    /**
     * Dropout in the module's mode, not in the training_mode the file gives (an input from opset 12): the identity in
     * evaluation mode; in training mode each element zeroed with probability ratio (the input from opset 12, else the
     * attribute; 0.5 when absent) from Kiln's random stream and the others scaled by 1 / (1 - ratio). The mask output
     * is not computed.
     */
    private static OnnxStep dropout(OnnxNode node) {
        double attributeRatio = node.floatAttr("ratio", 0.5f);
        ModalStep step = (in, floatType, training) -> {
            if (!training) {
                return in[0];
            }
            double ratio = in.length > 1 && in[1] != null ? in[1].doubles()[0] : attributeRatio;
            if (!(ratio >= 0 && ratio < 1)) {
                throw node.error("ratio must be in [0, 1), got " + ratio);
            }
            return OnnxValue.of(F.dropout(in[0].tensor(floatType), ratio, true));
        };
        return step;
    }
}
