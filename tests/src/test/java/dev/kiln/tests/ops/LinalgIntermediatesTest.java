package dev.kiln.tests.ops;

import static dev.kiln.tests.ops.LinalgInputs.general;
import static dev.kiln.tests.ops.LinalgInputs.spd;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without a scope, {@link Linalg}'s ops close what they make on the way (flattened views, broadcast copies, the LU
 * factors and pivots, the Cholesky infos), as {@link IntermediatesWithoutScopeTest} asks of every op: closing the
 * inputs and the results gives all the memory back.
 */
class LinalgIntermediatesTest {
    @BeforeAll
    static void freeWhatEarlierTestsDroppedUnclosed() {
        BytesInUse.settle();
    }

    private final Backend backend = Engine.get().backend();

    private void assertGivesEverythingBack(String what, Function<Tensor[], Tensor[]> op) {
        long before = backend.bytesInUse();
        Tensor[] inputs = {Tensor.fromArray(spd(1, 2, 4), 2, 4, 4), Tensor.fromArray(general(2, 2, 4), 2, 4, 4),
            Tensor.randn(DType.F64, 3, 1, 4, 2)};
        Tensor[] results = op.apply(inputs);
        for (Tensor t : inputs) {
            t.close();
        }
        for (Tensor t : results) {
            t.close();
        }
        assertEquals(before, backend.bytesInUse(), what + ": bytes still in use after closing the inputs and results");
    }

    @Test
    void factorisationsAndSolvesKeepNoneOfTheirSteps() {
        assertGivesEverythingBack("cholesky", in -> new Tensor[] {Linalg.cholesky(in[0], true)});
        assertGivesEverythingBack("choleskyEx", in -> {
            Linalg.FactorAndInfo r = Linalg.choleskyEx(in[0], false);
            return new Tensor[] {r.factor(), r.info()};
        });
        assertGivesEverythingBack("solveTriangular", in -> new Tensor[] {Linalg.solveTriangular(in[0], in[2], false)});
        assertGivesEverythingBack("choleskySolve", in -> new Tensor[] {Linalg.choleskySolve(in[2], in[0], false)});
        assertGivesEverythingBack("solve", in -> new Tensor[] {Linalg.solve(in[1], in[2])});
        assertGivesEverythingBack("inv", in -> new Tensor[] {Linalg.inv(in[1])});
        assertGivesEverythingBack("det", in -> new Tensor[] {Linalg.det(in[1])});
        assertGivesEverythingBack("slogdet", in -> {
            Linalg.SignAndLogAbsDet r = Linalg.slogdet(in[1]);
            return new Tensor[] {r.sign(), r.logabsdet()};
        });
    }

    @Test
    void decompositionsKeepNoneOfTheirSteps() {
        assertGivesEverythingBack("qr", in -> {
            Linalg.QR r = Linalg.qr(in[2]);
            return new Tensor[] {r.q(), r.r()};
        });
        assertGivesEverythingBack("qr r", in -> new Tensor[] {Linalg.qr(in[1], "r").r()});
        assertGivesEverythingBack("eigh", in -> {
            Linalg.Eigh r = Linalg.eigh(in[0]);
            return new Tensor[] {r.eigenvalues(), r.eigenvectors()};
        });
        assertGivesEverythingBack("eigvalsh", in -> new Tensor[] {Linalg.eigvalsh(in[0])});
        assertGivesEverythingBack("svd", in -> {
            Linalg.SVD r = Linalg.svd(in[2]);
            return new Tensor[] {r.u(), r.s(), r.vh()};
        });
        assertGivesEverythingBack("svdvals", in -> new Tensor[] {Linalg.svdvals(in[1])});
        assertGivesEverythingBack("pinv", in -> new Tensor[] {Linalg.pinv(in[2])});
        assertGivesEverythingBack("matrixNorm", in -> new Tensor[] {Linalg.matrixNorm(in[1], 2)});
        assertGivesEverythingBack("lstsq", in -> new Tensor[] {Linalg.lstsq(in[1], in[2])});
    }

    @Test
    void luOpsAndMatrixFunctionsKeepNoneOfTheirSteps() {
        assertGivesEverythingBack("luFactor and luSolve", in -> {
            Linalg.LuFactorization f = Linalg.luFactor(in[1]);
            return new Tensor[] {f.lu(), f.pivots(), Linalg.luSolve(f.lu(), f.pivots(), in[2], true, true)};
        });
        assertGivesEverythingBack("lu", in -> {
            Linalg.LU r = Linalg.lu(in[1]);
            return new Tensor[] {r.p(), r.l(), r.u()};
        });
        assertGivesEverythingBack("invEx", in -> {
            Linalg.ResultAndInfo r = Linalg.invEx(in[1]);
            return new Tensor[] {r.result(), r.info()};
        });
        assertGivesEverythingBack("solveEx", in -> {
            Linalg.ResultAndInfo r = Linalg.solveEx(in[1], in[2], true);
            return new Tensor[] {r.result(), r.info()};
        });
        assertGivesEverythingBack("matrixPower", in -> new Tensor[] {Linalg.matrixPower(in[1], -3)});
        assertGivesEverythingBack("matrixExp", in -> new Tensor[] {Linalg.matrixExp(in[0])});
        assertGivesEverythingBack("multiDot", in -> withViews(views -> Linalg.multiDot(java.util.List.of(views)),
                in[0].reshape(8, 4), in[1].reshape(4, 8), in[2].reshape(8, 3)));
        assertGivesEverythingBack("vectorNorm and norm", in -> new Tensor[] {
            Linalg.vectorNorm(in[2], -1.5, null, false), Linalg.norm(in[1], 1, new int[] {2, 0}, true)});
        assertGivesEverythingBack("vecdot", in -> new Tensor[] {Linalg.vecdot(in[0], in[1])});
        assertGivesEverythingBack("matrixRank and cond", in -> new Tensor[] {Linalg.matrixRank(in[1]),
            Linalg.cond(in[1]), Linalg.cond(in[1], "fro")});
        assertGivesEverythingBack("choleskyInverse", in -> new Tensor[] {Linalg.choleskyInverse(in[0])});
        assertGivesEverythingBack("householderProduct", in -> {
            Tensor rows = in[2].reshape(6, 4);
            Tensor two = rows.narrow(0, 0, 2);
            return withViews(views -> Linalg.householderProduct(in[1], views[2]), rows, two, two.narrow(1, 0, 3));
        });
    }

    /** The op's result on views of the inputs, the views closed (they hold the inputs' storage). */
    private static Tensor[] withViews(Function<Tensor[], Tensor> op, Tensor... views) {
        Tensor result = op.apply(views);
        for (Tensor view : views) {
            view.close();
        }
        return new Tensor[] {result};
    }

    @Test
    void eigKeepsNoneOfItsSteps() {
        assertGivesEverythingBack("eig", in -> {
            Linalg.Eig r = Linalg.eig(in[1]);
            return new Tensor[] {r.eigenvalues(), r.eigenvectors()};
        });
        assertGivesEverythingBack("eigvals", in -> new Tensor[] {Linalg.eigvals(in[1])});
    }
}
