package dev.kiln.onnx.importer;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;

/** Gemm, MatMul and Einsum. */
final class MatrixConverters {
    private MatrixConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("Gemm", MatrixConverters::gemm);
        ops.put("MatMul", n -> (in, floatType) ->
                OnnxValue.of(matmul(in[0].tensor(floatType), in[1].tensor(floatType))));
        ops.put("Einsum", MatrixConverters::einsum);
    }

    /** Einsum as {@link F#einsum}, whose equations are ONNX's (implicit outputs and ellipses among them). */
    private static OnnxStep einsum(OnnxNode node) {
        if (!node.has("equation")) {
            throw node.error("has no equation attribute, which ONNX requires");
        }
        String equation = node.stringAttr("equation", "");
        return (in, floatType) -> {
            Tensor[] operands = new Tensor[in.length];
            for (int k = 0; k < in.length; k++) {
                if (in[k].isInteger()) {
                    throw node.error("operand " + k + " is an integer tensor; Kiln's einsum runs floating-point ones");
                }
                operands[k] = in[k].tensor(floatType);
            }
            return OnnxValue.of(F.einsum(equation, operands));
        };
    }

    /**
     * Gemm, {@code alpha op(A) op(B) + beta C}: a Linear layer's form ({@code transB} 1, alpha and beta 1, C absent
     * or one entry per output, as torch exports nn.Linear) runs as {@link F#linear}; other forms, C of any shape
     * that broadcasts ([1, N], [M, N], a scalar, as other exporters write it) among them, as a product with the
     * scalings and C added.
     */
    private static OnnxStep gemm(OnnxNode node) {
        float alpha = node.floatAttr("alpha", 1f);
        float beta = node.floatAttr("beta", 1f);
        boolean transA = node.intAttr("transA", 0) != 0;
        boolean transB = node.intAttr("transB", 0) != 0;
        boolean linearForm = transB && !transA && alpha == 1f && beta == 1f;
        return (in, floatType) -> {
            Tensor a = in[0].tensor(floatType);
            Tensor b = in[1].tensor(floatType);
            Tensor bias = in.length > 2 && in[2] != null ? in[2].tensor(floatType) : null;
            if (linearForm && (bias == null || bias.rank() == 1 && bias.dim(0) == b.dim(0))) {
                return OnnxValue.of(F.linear(a, b, bias));
            }
            Tensor y = (transA ? a.t() : a).matmul(transB ? b.t() : b);
            if (alpha != 1f) {
                y = y.mul(alpha);
            }
            if (bias != null) {
                y = y.add(beta == 1f ? bias : bias.mul(beta));
            }
            return OnnxValue.of(y);
        };
    }

    /**
     * MatMul as NumPy's matmul: a 1-D operand is a row (left) or column (right) vector dropped from the result, and
     * the axes before the last two broadcast. Runs on Kiln's matmul of 2-D and batched 3-D operands, the batch axes
     * expanded and folded into one.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        boolean rowVector = a.rank() == 1;
        boolean columnVector = b.rank() == 1;
        Tensor left = rowVector ? a.unsqueeze(0) : a;
        Tensor right = columnVector ? b.unsqueeze(1) : b;
        Tensor product = batchedProduct(left, right);
        if (columnVector) {
            product = product.squeeze(-1);
        }
        return rowVector ? product.squeeze(columnVector ? -1 : -2) : product;
    }

    private static Tensor batchedProduct(Tensor a, Tensor b) {
        if (a.rank() <= 3 && b.rank() == 2 || a.rank() == 2 && b.rank() <= 3
                || a.rank() == 3 && b.rank() == 3 && a.dim(0) == b.dim(0)) {
            return a.matmul(b);
        }
        int[] aDims = a.shape().dims();
        int[] bDims = b.shape().dims();
        int[] batch = Shape.broadcast("MatMul", Shape.of(Arrays.copyOf(aDims, aDims.length - 2)),
                Shape.of(Arrays.copyOf(bDims, bDims.length - 2))).dims();
        int count = OnnxValue.count(batch);
        Tensor left = expandBatch(a, batch).reshape(count, a.dim(-2), a.dim(-1));
        Tensor right = expandBatch(b, batch).reshape(count, b.dim(-2), b.dim(-1));
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = a.dim(-2);
        shape[batch.length + 1] = b.dim(-1);
        return left.matmul(right).reshape(shape);
    }

    private static Tensor expandBatch(Tensor t, int[] batch) {
        int[] dims = Arrays.copyOf(batch, batch.length + 2);
        dims[batch.length] = t.dim(-2);
        dims[batch.length + 1] = t.dim(-1);
        return Arrays.equals(dims, t.shape().dims()) ? t : t.expand(dims);
    }
}
