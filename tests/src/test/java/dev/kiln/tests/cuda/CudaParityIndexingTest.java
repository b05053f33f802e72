package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.indices;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.ties;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPI section 7 (index select and index add, gather and scatter add) on the backend under test against the
 * CPU backend, along every axis of a rank-3 tensor and with repeated indices.
 *
 * <p>Selections copy values and must match exactly. The additions accumulate repeated indices in an order of
 * the backend's choosing (a GPU uses atomics): up to a dozen F32 terms of magnitude 1 per element, so 1e-5
 * absolute and relative.
 */
class CudaParityIndexingTest extends ParityTest {
    private static final Tolerance ACCUMULATE_F32 = Tolerance.of(1e-5);
    private static final Shape SRC = Shape.of(5, 6, 7);

    static Stream<Arguments> indexTypesAndAxes() {
        List<Arguments> cases = new ArrayList<>();
        for (DType indexType : new DType[] {DType.I64, DType.I32}) {
            for (int axis = 0; axis < 3; axis++) {
                cases.add(Arguments.of(indexType, axis));
            }
        }
        return cases.stream();
    }

    /** {@code count} seeded indices in [0, bound): with count above bound, some repeat. */
    private static long[] indexValues(long seed, int count, int bound) {
        Random r = new Random(seed);
        long[] v = new long[count];
        for (int i = 0; i < count; i++) {
            v[i] = r.nextInt(bound);
        }
        v[0] = bound - 1;
        v[count - 1] = 0;
        return v;
    }

    @ParameterizedTest(name = "{0} indices along axis {1}")
    @MethodSource("indexTypesAndAxes")
    void indexSelectPicksSlicesWithRepeatedIndices(DType indexType, int axis) {
        long[] idx = indexValues(50 + axis, 9, SRC.dim(axis));
        assertParity("indexSelect " + indexType + " along axis " + axis, Tolerance.EXACT, b -> {
            Tensor out = output(b, DType.F32, SRC.with(axis, idx.length));
            b.indexSelect(random(b, DType.F32, 51, SRC.dims()), axis, indices(b, indexType, idx, idx.length), out);
            return out;
        });
    }

    @Test
    void indexSelectFlattensAnIndexOfAnyShape() {
        long[] idx = {4, 0, 4, 2, 2, 2};
        assertParity("indexSelect with an index of shape [2, 3]", Tolerance.EXACT, b -> {
            Tensor out = output(b, DType.F64, 6, 3);
            b.indexSelect(random(b, DType.F64, 52, 5, 3), 0, indices(b, DType.I64, idx, 2, 3), out);
            return out;
        });
    }

    @ParameterizedTest(name = "{0} indices along axis {1}")
    @MethodSource("indexTypesAndAxes")
    void indexAddAccumulatesRepeatedIndices(DType indexType, int axis) {
        long[] idx = indexValues(53 + axis, 40, SRC.dim(axis));
        assertParity("indexAdd " + indexType + " along axis " + axis, ACCUMULATE_F32, b -> {
            Tensor dst = random(b, DType.F32, 54, SRC.dims());
            b.indexAdd(dst, axis, indices(b, indexType, idx, idx.length), random(b, DType.F32, 55, SRC.with(axis, 40).dims()));
            return dst;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void indexAddAccumulatesIntegerTensors(DType dtype) {
        long[] idx = indexValues(58, 40, SRC.dim(1));
        assertParity("indexAdd of " + dtype + " values", Tolerance.EXACT, b -> {
            Tensor dst = tensor(b, dtype, ties(59, (int) SRC.size(), -3, 0, 5), SRC.dims());
            b.indexAdd(dst, 1, indices(b, DType.I64, idx, idx.length),
                    tensor(b, dtype, ties(60, (int) SRC.with(1, 40).size(), 1, -2, 7), SRC.with(1, 40).dims()));
            return dst;
        });
    }

    /** Gather and scatter indices: {@code SRC} with {@code length} along {@code axis}, each in [0, SRC.dim(axis)). */
    private static long[] gatherIndices(long seed, int axis, int length) {
        return indexValues(seed, Math.toIntExact(SRC.with(axis, length).size()), SRC.dim(axis));
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2})
    void gatherPicksAlongEachAxis(int axis) {
        Shape indexShape = SRC.with(axis, 3);
        long[] idx = gatherIndices(56 + axis, axis, 3);
        assertParity("gather along axis " + axis, Tolerance.EXACT, b -> {
            Tensor out = output(b, DType.F32, indexShape);
            b.gather(random(b, DType.F32, 57, SRC.dims()), axis, indices(b, DType.I64, idx, indexShape.dims()), out);
            return out;
        });
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2})
    void scatterAddAccumulatesRepeatedIndicesAlongEachAxis(int axis) {
        Shape indexShape = SRC.with(axis, 12);
        long[] idx = gatherIndices(58 + axis, axis, 12);
        assertParity("scatterAdd along axis " + axis, ACCUMULATE_F32, b -> {
            Tensor dst = random(b, DType.F32, 59, SRC.dims());
            b.scatterAdd(dst, axis, indices(b, DType.I64, idx, indexShape.dims()), random(b, DType.F32, 60, indexShape.dims()));
            return dst;
        });
    }
}
