import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Sparse;
import dev.kiln.engine.SparseCoo;
import dev.kiln.engine.SparseCsr;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Sparse.mm of a graph-like [n, n] SparseCoo (nnz seeded random positions, coalesced) with a dense [n, k], F32:
 * milliseconds per call, forward alone and forward with backward to the dense operand and the values (the gradient of
 * out.sum(), the gradients cleared first), the same for the matrix as a SparseCsr, the sparse x sparse product of the
 * matrix with itself (COO, and CSR; forward), and the dense product of the same matrix; medians of 20 after 5
 * warm-ups. bench/pytorch_sparse_mm.py runs the same in PyTorch.
 *
 * Usage: java -cp CLASSPATH bench/SparseMmBench.java [n] [nnz] [k] [dense: true/false]
 */
public class SparseMmBench {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int nnz = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        boolean dense = args.length <= 3 || Boolean.parseBoolean(args[3]);
        Random r = new Random(0);
        long[] positions = new long[2 * nnz];
        float[] values = new float[nnz];
        for (int j = 0; j < nnz; j++) {
            positions[j] = r.nextInt(n);
            positions[nnz + j] = r.nextInt(n);
            values[j] = r.nextFloat();
        }
        try (Scope s = Scope.open()) {
            Tensor v = Tensor.fromArray(values, nnz).requiresGrad(true);
            SparseCoo a = SparseCoo.of(Tensor.fromArray(positions, 2, nnz), v, n, n).coalesce();
            Tensor vc = a.values().detach().requiresGrad(true);
            SparseCoo leaf = SparseCoo.of(a.indices(), vc, n, n);
            Tensor x = Tensor.rand(DType.F32, n, k).requiresGrad(true);
            System.out.printf("n %d, nnz %d (coalesced %d), k %d%n", n, nnz, leaf.nnz(), k);
            report("sparse forward", () -> Sparse.mm(leaf, x.detach()));
            report("sparse forward+backward", () -> {
                x.clearGrad();
                vc.clearGrad();
                Tensor out = Sparse.mm(leaf, x);
                out.sum().backward();
                return out;
            });
            SparseCsr pattern = leaf.toSparseCsr();
            SparseCsr csr = SparseCsr.of(pattern.crowIndices(), pattern.colIndices(), vc, n, n);
            report("csr forward", () -> Sparse.mm(csr, x.detach()));
            report("csr forward+backward", () -> {
                x.clearGrad();
                vc.clearGrad();
                Tensor out = Sparse.mm(csr, x);
                out.sum().backward();
                return out;
            });
            // The square's pairs number about nnz * nnz / n: skipped where they would not fit in memory.
            if ((long) nnz * nnz / n <= 5_000_000) {
                SparseCoo constant = SparseCoo.of(leaf.indices(), vc.detach(), n, n);
                SparseCsr constantCsr = constant.toSparseCsr();
                report("coo x coo forward", () -> Sparse.mm(constant, constant).values());
                report("csr x csr forward", () -> Sparse.mm(constantCsr, constantCsr).values());
            }
            if (dense) {
                Tensor m = leaf.toDense().detach();
                report("dense forward", () -> m.matmul(x.detach()));
                Tensor mg = m.requiresGrad(true);
                report("dense forward+backward", () -> {
                    x.clearGrad();
                    mg.clearGrad();
                    Tensor out = mg.matmul(x);
                    out.sum().backward();
                    return out;
                });
            }
        }
    }

    private static void report(String what, Supplier<Tensor> call) {
        double[] ms = new double[20];
        for (int i = -5; i < ms.length; i++) {
            try (Scope s = Scope.open()) {
                long t0 = System.nanoTime();
                Tensor out = call.get();
                (out.rank() == 2 ? out.narrow(0, 0, 1).narrow(1, 0, 1) : out.narrow(0, 0, 1)).sum().item();
                long t1 = System.nanoTime();
                if (i >= 0) {
                    ms[i] = (t1 - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        System.out.printf("%-26s median %8.2f ms (min %.2f, max %.2f)%n", what, ms[ms.length / 2], ms[0],
                ms[ms.length - 1]);
    }
}
