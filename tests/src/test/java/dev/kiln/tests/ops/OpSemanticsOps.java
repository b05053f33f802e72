package dev.kiln.tests.ops;

import com.google.gson.JsonObject;
import dev.kiln.engine.F;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UniqueValues;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Kiln's calls for the op names of {@code op_semantics_cases.py}, each the counterpart of the PyTorch call there (named
 * in the comment where the two differ in more than case): a case's inputs and arguments in, its outputs out.
 */
final class OpSemanticsOps {
    private OpSemanticsOps() {
    }

    static List<Tensor> apply(OpCase c, List<Tensor> in) {
        JsonObject a = c.args();
        Tensor x = in.get(0);
        return switch (c.op()) {
            case "cat" -> List.of(Tensor.cat(in, integer(a, "axis")));
            case "stack" -> List.of(Tensor.stack(in, integer(a, "axis")));
            case "where" -> List.of(Tensor.where(x, in.get(1), in.get(2)));
            case "split" -> x.split(integer(a, "axis"), integers(a, "sizes"));
            case "chunk" -> x.chunk(integer(a, "chunks"), integer(a, "axis"));
            case "sort" -> pair(x.sort(integer(a, "axis"), bool(a, "descending")));
            // torch.topk(x, k, dim, largest, sorted=True)
            case "topk" -> pair(x.topk(integer(a, "k"), integer(a, "axis"), bool(a, "largest"), true));
            case "unique" -> {
                // torch.unique(x, sorted=True, return_inverse=True, return_counts=True)
                UniqueValues u = x.unique(true, true);
                yield List.of(u.values(), u.inverse(), u.counts());
            }
            default -> List.of(in.size() == 1 ? unary(c.op(), x, a) : binary(c.op(), x, in, a));
        };
    }

    private static List<Tensor> pair(IndexedValues v) {
        return List.of(v.values(), v.indices());
    }

    private static Tensor binary(String op, Tensor x, List<Tensor> in, JsonObject a) {
        Tensor y = in.get(1);
        return switch (op) {
            case "add" -> x.add(y);
            case "sub" -> x.sub(y);
            case "mul" -> x.mul(y);
            case "div" -> x.div(y);
            case "maximum" -> x.maximum(y);
            case "minimum" -> x.minimum(y);
            case "atan2" -> x.atan2(y);
            case "hypot" -> x.hypot(y);
            case "logaddexp" -> x.logaddexp(y);
            case "xlogy" -> x.xlogy(y);
            case "copysign" -> x.copysign(y);
            case "remainder" -> x.remainder(y);
            case "fmod" -> x.fmod(y);
            case "floorDivide" -> x.floorDivide(y);
            case "eq" -> x.eq(y);
            case "ne" -> x.ne(y);
            case "lt" -> x.lt(y);
            case "le" -> x.le(y);
            case "gt" -> x.gt(y);
            case "ge" -> x.ge(y);
            case "maskedFill" -> x.maskedFill(y, number(a, "value"));
            case "maskedSelect" -> x.maskedSelect(y);
            case "indexSelect" -> x.indexSelect(integer(a, "axis"), y);
            case "gather" -> x.gather(integer(a, "axis"), y);
            case "scatter" -> x.scatter(integer(a, "axis"), y, in.get(2));
            case "scatterValue" -> x.scatter(integer(a, "axis"), y, number(a, "value"));
            case "scatterAdd" -> x.scatterAdd(integer(a, "axis"), y, in.get(2));
            case "indexAdd" -> x.indexAdd(integer(a, "axis"), y, in.get(2));
            case "indexFill" -> x.indexFill(integer(a, "axis"), y, number(a, "value"));
            case "takeAlongDim" -> x.takeAlongDim(y, integer(a, "axis"));
            case "takeAlongDimFlat" -> x.takeAlongDim(y);
            case "take" -> x.take(y);
            default -> throw new IllegalArgumentException("no Kiln call for the binary op " + op);
        };
    }

    private static Tensor unary(String op, Tensor x, JsonObject a) {
        UnaryOperator<Tensor> elementwise = elementwise(op);
        if (elementwise != null) {
            return elementwise.apply(x);
        }
        return reduction(op, x, a);
    }

    private static UnaryOperator<Tensor> elementwise(String op) {
        return switch (op) {
            case "sign" -> Tensor::sign;
            case "floor" -> Tensor::floor;
            case "ceil" -> Tensor::ceil;
            case "round" -> Tensor::round;
            case "trunc" -> Tensor::trunc;
            case "frac" -> Tensor::frac;
            case "abs" -> Tensor::abs;
            case "neg" -> Tensor::neg;
            case "relu" -> Tensor::relu;
            case "sqrt" -> Tensor::sqrt;
            case "reciprocal" -> Tensor::reciprocal;
            case "square" -> Tensor::square;
            case "exp" -> Tensor::exp;
            case "expm1" -> Tensor::expm1;
            case "log" -> Tensor::log;
            case "log1p" -> Tensor::log1p;
            case "log2" -> Tensor::log2;
            case "rsqrt" -> Tensor::rsqrt;
            case "sigmoid" -> Tensor::sigmoid;
            // F.softplus(x) with its defaults beta 1, threshold 20
            case "softplus" -> F::softplus;
            case "tanh" -> Tensor::tanh;
            case "atan" -> Tensor::atan;
            case "sinh" -> Tensor::sinh;
            case "erf" -> Tensor::erf;
            case "logit" -> Tensor::logit;
            case "isnan" -> Tensor::isnan;
            case "isinf" -> Tensor::isinf;
            case "isfinite" -> Tensor::isfinite;
            case "nanToNum" -> Tensor::nanToNum;
            case "nonzero" -> Tensor::nonzero;
            case "sumAll" -> Tensor::sum;
            case "meanAll" -> Tensor::mean;
            case "maxAll" -> Tensor::max;
            case "minAll" -> Tensor::min;
            case "prodAll" -> Tensor::prod;
            case "varAll" -> Tensor::var;
            case "stdAll" -> Tensor::std;
            default -> null;
        };
    }

    private static Tensor reduction(String op, Tensor x, JsonObject a) {
        return switch (op) {
            case "sum" -> x.sum(integer(a, "axis"), bool(a, "keepDim"));
            case "mean" -> x.mean(integer(a, "axis"), bool(a, "keepDim"));
            // x.max(dim, keepdim).values, x.min(dim, keepdim).values
            case "max" -> x.max(integer(a, "axis"), bool(a, "keepDim"));
            case "min" -> x.min(integer(a, "axis"), bool(a, "keepDim"));
            case "argmax" -> x.argmax(integer(a, "axis"), bool(a, "keepDim"));
            case "argmin" -> x.argmin(integer(a, "axis"), bool(a, "keepDim"));
            case "prod" -> x.prod(integer(a, "axis"), bool(a, "keepDim"));
            case "logsumexp" -> x.logsumexp(integer(a, "axis"), bool(a, "keepDim"));
            case "cumsum" -> x.cumsum(integer(a, "axis"));
            case "cumprod" -> x.cumprod(integer(a, "axis"));
            case "var" -> x.var(integers(a, "axes"), integer(a, "correction"), bool(a, "keepDim"));
            case "std" -> x.std(integers(a, "axes"), integer(a, "correction"), bool(a, "keepDim"));
            case "amax" -> x.amax(integers(a, "axes"), bool(a, "keepDim"));
            case "amin" -> x.amin(integers(a, "axes"), bool(a, "keepDim"));
            // torch.linalg.vector_norm(x, p, dim, keepdim)
            case "norm" -> x.norm(number(a, "p"), integers(a, "axes"), bool(a, "keepDim"));
            case "normAll" -> x.norm(number(a, "p"));
            case "argsort" -> x.argsort(integer(a, "axis"), bool(a, "descending"));
            default -> shaped(op, x, a);
        };
    }

    private static Tensor shaped(String op, Tensor x, JsonObject a) {
        return switch (op) {
            case "reshape" -> x.reshape(integers(a, "dims"));
            case "flatten" -> x.flatten(integer(a, "startAxis"));
            case "unsqueeze" -> x.unsqueeze(integer(a, "axis"));
            case "squeeze" -> x.squeeze(integer(a, "axis"));
            case "transpose" -> x.transpose(integer(a, "a"), integer(a, "b"));
            case "permute" -> x.permute(integers(a, "perm"));
            case "expand" -> x.expand(integers(a, "dims"));
            case "repeat" -> x.repeat(integers(a, "repeats"));
            case "tile" -> x.tile(integers(a, "repeats"));
            case "narrow" -> x.narrow(integer(a, "axis"), integer(a, "start"), integer(a, "length"));
            case "rollFlat" -> x.roll(integer(a, "shift"));
            case "roll" -> x.roll(integers(a, "shifts"), integers(a, "axes"));
            case "flip" -> x.flip(integers(a, "axes"));
            case "movedim" -> x.movedim(integers(a, "source"), integers(a, "destination"));
            case "tril" -> x.tril(integer(a, "k"));
            case "triu" -> x.triu(integer(a, "k"));
            case "diag" -> x.diag(integer(a, "offset"));
            case "diagonal" -> x.diagonal(integer(a, "offset"), integer(a, "dim1"), integer(a, "dim2"));
            case "addScalar" -> x.add(number(a, "value"));
            case "subScalar" -> x.sub(number(a, "value"));
            case "mulScalar" -> x.mul(number(a, "value"));
            case "divScalar" -> x.div(number(a, "value"));
            case "clamp" -> x.clamp(number(a, "min"), number(a, "max"));
            case "clampMin" -> x.clampMin(number(a, "min"));
            case "clampMax" -> x.clampMax(number(a, "max"));
            case "pow" -> x.pow(number(a, "exponent"));
            default -> throw new IllegalArgumentException("no Kiln call for the op " + op);
        };
    }

    private static int integer(JsonObject a, String name) {
        return a.get(name).getAsInt();
    }

    private static int[] integers(JsonObject a, String name) {
        return OpCase.ints(a.getAsJsonArray(name));
    }

    private static double number(JsonObject a, String name) {
        return a.get(name).getAsDouble();
    }

    private static boolean bool(JsonObject a, String name) {
        return a.get(name).getAsBoolean();
    }
}
