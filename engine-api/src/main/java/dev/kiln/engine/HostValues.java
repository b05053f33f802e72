package dev.kiln.engine;

import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.LongSummaryStatistics;

/**
 * Small index tensors written from the host onto another tensor's backend (not the engine's default one, which a
 * tensor of a parity test or a benchmark need not be on), with their range recorded so that no index check reads
 * them back. An upload: not for a step being recorded as a {@link StepGraph}.
 */
final class HostValues {
    private HostValues() {
    }

    /** {@code values} as an I64 tensor of shape {@code dims} on {@code like}'s backend. */
    static Tensor longs(Tensor like, long[] values, int... dims) {
        Tensor t = like.emptyLike(Shape.of(dims), DType.I64);
        like.backend().copyFromHost(LongBuffer.wrap(values), t);
        return recordRange(t, Arrays.stream(values).summaryStatistics());
    }

    /** {@code values} as an I32 tensor of shape {@code dims} on {@code like}'s backend. */
    static Tensor ints(Tensor like, int[] values, int... dims) {
        Tensor t = like.emptyLike(Shape.of(dims), DType.I32);
        like.backend().copyFromHost(IntBuffer.wrap(values), t);
        return recordRange(t, Arrays.stream(values).asLongStream().summaryStatistics());
    }

    private static Tensor recordRange(Tensor t, LongSummaryStatistics values) {
        return values.getCount() > 0 ? t.withValueRange(values.getMin(), values.getMax()) : t;
    }
}
