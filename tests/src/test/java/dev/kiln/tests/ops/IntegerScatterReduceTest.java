package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#scatterReduce} of I32 and I64 tensors against PyTorch 1.13's {@code scatter_reduce}: each reduction
 * with and without self, in the input's dtype, exact where F64 would round (I64 beyond 2^53), mean rounding down as
 * PyTorch's integer division (values printed by {@code models/src/test/pytorch/integer_extremes.py}).
 */
class IntegerScatterReduceTest {
    private static final long TWO_53 = 1L << 53;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** self [1, 4]; index [[0, 0, 1, 1, 1, 2]] sends two entries to element 0, three to 1, one to 2, none to 3. */
    private static void assertReduced(DType dtype, String reduce, long[] withSelf, long[] withoutSelf) {
        boolean i64 = dtype == DType.I64;
        Tensor self = i64 ? Tensor.fromArray(new long[] {TWO_53 + 1, -4, 10, 7}, 1, 4)
                : Tensor.fromArray(new int[] {5, -4, 10, 7}, 1, 4);
        Tensor src = i64 ? Tensor.fromArray(new long[] {TWO_53 + 2, 3, -5, 2, 7, 9}, 1, 6)
                : Tensor.fromArray(new int[] {-6, 3, -5, 2, 8, 9}, 1, 6);
        Tensor index = Tensor.fromArray(new long[] {0, 0, 1, 1, 1, 2}, 1, 6);
        for (boolean includeSelf : new boolean[] {true, false}) {
            Tensor y = self.scatterReduce(1, index, src, reduce, includeSelf);
            assertEquals(dtype, y.dtype(), reduce + " include_self=" + includeSelf);
            assertArrayEquals(new int[] {1, 4}, y.shape().dims());
            assertArrayEquals(includeSelf ? withSelf : withoutSelf, y.toLongArray(), reduce + " include_self="
                    + includeSelf);
        }
    }

    @Test
    void sumOfI64ExactBeyond2To53WithAndWithoutSelfAsPyTorchs() {
        // self64.scatter_reduce(1, index, src64, 'sum', include_self=True / False): torch.int64 [1, 4]
        assertReduced(DType.I64, "sum", new long[] {18014398509481990L, 0L, 19L, 7L},
                new long[] {9007199254740997L, 4L, 9L, 7L});
    }

    @Test
    void sumOfI32WithAndWithoutSelfAsPyTorchs() {
        // self32.scatter_reduce(1, index, src32, 'sum', include_self=True / False): torch.int32 [1, 4]
        assertReduced(DType.I32, "sum", new long[] {2L, 1L, 19L, 7L},
                new long[] {-3L, 5L, 9L, 7L});
    }

    @Test
    void prodOfI64ExactBeyond2To53WithAndWithoutSelfAsPyTorchs() {
        // self64.scatter_reduce(1, index, src64, 'prod', include_self=True / False): torch.int64 [1, 4]
        assertReduced(DType.I64, "prod", new long[] {81064793292668934L, 280L, 90L, 7L},
                new long[] {27021597764222982L, -70L, 9L, 7L});
    }

    @Test
    void prodOfI32WithAndWithoutSelfAsPyTorchs() {
        // self32.scatter_reduce(1, index, src32, 'prod', include_self=True / False): torch.int32 [1, 4]
        assertReduced(DType.I32, "prod", new long[] {-90L, 320L, 90L, 7L},
                new long[] {-18L, -80L, 9L, 7L});
    }

    @Test
    void meanOfI64RoundsDownExactBeyond2To53WithAndWithoutSelfAsPyTorchs() {
        // self64.scatter_reduce(1, index, src64, 'mean', include_self=True / False): torch.int64 [1, 4]
        assertReduced(DType.I64, "mean", new long[] {6004799503160663L, 0L, 9L, 7L},
                new long[] {4503599627370498L, 1L, 9L, 7L});
    }

    @Test
    void meanOfI32RoundsDownWithAndWithoutSelfAsPyTorchs() {
        // self32.scatter_reduce(1, index, src32, 'mean', include_self=True / False): torch.int32 [1, 4]
        assertReduced(DType.I32, "mean", new long[] {0L, 0L, 9L, 7L},
                new long[] {-2L, 1L, 9L, 7L});
    }

    @Test
    void amaxOfI64ExactBeyond2To53WithAndWithoutSelfAsPyTorchs() {
        // self64.scatter_reduce(1, index, src64, 'amax', include_self=True / False): torch.int64 [1, 4]
        assertReduced(DType.I64, "amax", new long[] {9007199254740994L, 7L, 10L, 7L},
                new long[] {9007199254740994L, 7L, 9L, 7L});
    }

    @Test
    void amaxOfI32WithAndWithoutSelfAsPyTorchs() {
        // self32.scatter_reduce(1, index, src32, 'amax', include_self=True / False): torch.int32 [1, 4]
        assertReduced(DType.I32, "amax", new long[] {5L, 8L, 10L, 7L},
                new long[] {3L, 8L, 9L, 7L});
    }

    @Test
    void aminOfI64WithAndWithoutSelfAsPyTorchs() {
        // self64.scatter_reduce(1, index, src64, 'amin', include_self=True / False): torch.int64 [1, 4]
        assertReduced(DType.I64, "amin", new long[] {3L, -5L, 9L, 7L},
                new long[] {3L, -5L, 9L, 7L});
    }

    @Test
    void aminOfI32WithAndWithoutSelfAsPyTorchs() {
        // self32.scatter_reduce(1, index, src32, 'amin', include_self=True / False): torch.int32 [1, 4]
        assertReduced(DType.I32, "amin", new long[] {-6L, -5L, 9L, 7L},
                new long[] {-6L, -5L, 9L, 7L});
    }
}
