import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.optim.Adam;
import dev.kiln.optim.AdaGrad;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.optim.SparseAdam;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * One training step of a large F32 embedding table, [rows, dim] looked up by a batch of random indices (zeroGrad,
 * lookup, loss sum(y^2), backward, optimizer step): the dense gradient with Adam, SGD and AdaGrad against the sparse
 * one (Embedding.sparse(true)) with SparseAdam, SGD and AdaGrad. Milliseconds per step, medians of 20 after 5
 * warm-ups for the dense steps (tens of milliseconds each) and after 1,000 for the sparse ones, whose first hundreds of
 * steps run before the JIT has compiled them; one table at a time. bench/pytorch_sparse_embedding.py runs the same in
 * PyTorch.
 *
 * Usage: java -cp CLASSPATH bench/SparseEmbeddingBench.java [rows] [dim] [batch] [sparse warm-ups]
 */
public class SparseEmbeddingBench {
    private static int sparseWarmups;

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        sparseWarmups = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        System.out.printf("table [%d, %d] F32, %d indices per step%n", rows, dim, batch);
        report("dense Adam", rows, dim, batch, false, ps -> new Adam(ps, 1e-3));
        report("sparse SparseAdam", rows, dim, batch, true, ps -> new SparseAdam(ps, 1e-3));
        report("dense SGD", rows, dim, batch, false, ps -> new SGD(ps, 0.1));
        report("sparse SGD", rows, dim, batch, true, ps -> new SGD(ps, 0.1));
        report("dense AdaGrad", rows, dim, batch, false, ps -> new AdaGrad(ps, 0.1));
        report("sparse AdaGrad", rows, dim, batch, true, ps -> new AdaGrad(ps, 0.1));
    }

    private static void report(String what, int rows, int dim, int batch, boolean sparse,
                               Function<List<Tensor>, Optimizer> make) {
        Random r = new Random(0);
        double[] ms = new double[20];
        try (Embedding table = new Embedding(rows, dim).sparse(sparse); Optimizer opt = make.apply(table.parameters())) {
            for (int i = sparse ? -sparseWarmups : -5; i < ms.length; i++) {
                long[] indices = r.longs(batch, 0, rows).toArray();
                try (Scope s = Scope.open()) {
                    long t0 = System.nanoTime();
                    opt.zeroGrad();
                    table.forward(Tensor.fromArray(indices, batch)).square().sum().backward();
                    opt.step();
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        ms[i] = (t1 - t0) / 1e6;
                    }
                }
            }
        }
        Arrays.sort(ms);
        System.out.printf("%-20s median %9.2f ms (min %.2f, max %.2f)%n", what, ms[ms.length / 2], ms[0],
                ms[ms.length - 1]);
    }
}
