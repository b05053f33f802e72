package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.ConvolutionCases.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * oneDNN's layouts of convolution weights kept between calls ({@link OneDnnWeights}): a call that reads them gives what
 * one that lays them out afresh gives, bit for bit; every in-place write to the weights is seen by the next call; the
 * memory is counted in the backend's bytes in use and freed with the weights, beyond the budget, and on close.
 */
class OneDnnWeightsTest {
    /** ResNet's 3x3 convolution: a layout oneDNN blocks, so that its weights are reordered. */
    private static final GroupedConv2dGeometry BATCH = geometry(4);
    /** One image, whose forward pass splits its output channels, each thread reading a run of the weights. */
    private static final GroupedConv2dGeometry ONE_IMAGE = geometry(1);

    private static CpuBackend backend;
    private static Parallel parallel;
    private OneDnnConvolution oneDnn;

    @BeforeAll
    static void openBackend() {
        backend = new CpuBackend(2, false);
        parallel = new Parallel(2);
        Loader.load(dnnl.class);
    }

    @AfterAll
    static void closeBackend() {
        parallel.close();
        backend.close();
    }

    @BeforeEach
    void open() {
        oneDnn = OneDnnConvolution.open(backend, parallel);
    }

    @AfterEach
    void close() {
        oneDnn.close();
    }

    private static GroupedConv2dGeometry geometry(int batch) {
        return new GroupedConv2dGeometry(Conv2dGeometry.of("test", Shape.of(batch, 16, 12, 12),
                Shape.of(16, 16, 3, 3), new int[] {1}, new int[] {1}, new int[] {1}), 1);
    }

    private float[] forward(GroupedConv2dGeometry g, Tensor input, Tensor weight) {
        try (Tensor out = Tensor.empty(g.outputShape(), DType.F32, backend)) {
            oneDnn.forward(input, weight, null, g, out);
            return out.toFloatArray();
        }
    }

    private float[] inputGradient(GroupedConv2dGeometry g, Tensor gradOut, Tensor weight) {
        try (Tensor gradInput = Tensor.empty(g.inputShape(), DType.F32, backend)) {
            oneDnn.backwardData(gradOut, weight, g, gradInput);
            return gradInput.toFloatArray();
        }
    }

    /** The forward pass of {@code weight}'s current values on weights of their own, laid out afresh. */
    private float[] forwardOfACopy(GroupedConv2dGeometry g, Tensor input, Tensor weight) {
        try (Tensor fresh = random(backend, g.weightShape(), 0)) {
            fresh.assign(weight);
            return forward(g, input, fresh);
        }
    }

    @Test
    void forwardReadingKeptWeightsEqualsForwardLayingThemOutBitForBit() {
        for (GroupedConv2dGeometry g : new GroupedConv2dGeometry[] {BATCH, ONE_IMAGE}) {
            try (Scope scope = Scope.open()) {
                Tensor input = random(backend, g.inputShape(), 1);
                Tensor weight = random(backend, g.weightShape(), 2);
                float[] laidOut = forward(g, input, weight);
                long kept = oneDnn.weightBytesKept();
                assertTrue(kept > 0, "the weights were not kept: oneDNN read them in Kiln's layout");
                float[] read = forward(g, input, weight);
                assertEquals(kept, oneDnn.weightBytesKept(), "the second call laid the same weights out again");
                assertArrayEquals(laidOut, read, "batch " + g.group().batch());
                assertArrayEquals(laidOut, forwardOfACopy(g, input, weight), "batch " + g.group().batch());
            }
        }
    }

    @Test
    void forwardReadsWeightsAssignedInPlace() {
        for (GroupedConv2dGeometry g : new GroupedConv2dGeometry[] {BATCH, ONE_IMAGE}) {
            try (Scope scope = Scope.open()) {
                Tensor input = random(backend, g.inputShape(), 3);
                Tensor weight = random(backend, g.weightShape(), 4);
                float[] before = forward(g, input, weight);
                weight.assign(random(backend, g.weightShape(), 5));
                float[] after = forward(g, input, weight);
                assertFalse(Arrays.equals(before, after), "batch " + g.group().batch() + ": the old weights were read");
                assertArrayEquals(forwardOfACopy(g, input, weight), after, "batch " + g.group().batch());
            }
        }
    }

    @Test
    void forwardReadsWeightsAfterAnOptimizerStep() {
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, BATCH.inputShape(), 6);
            Tensor weight = random(backend, BATCH.weightShape(), 7);
            float[] before = forward(BATCH, input, weight);
            Updates.sgd(weight, random(backend, BATCH.weightShape(), 8), null, 0.5, 0, 0, 0, false, true);
            float[] after = forward(BATCH, input, weight);
            assertFalse(Arrays.equals(before, after), "the weights before the step were read");
            assertArrayEquals(forwardOfACopy(BATCH, input, weight), after);
        }
    }

    @Test
    void forwardReadsWeightsWrittenThroughAView() {
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, BATCH.inputShape(), 9);
            Tensor weight = random(backend, BATCH.weightShape(), 10);
            float[] before = forward(BATCH, input, weight);
            float[] values = new float[Math.toIntExact(weight.size())];
            Arrays.fill(values, 0.25f);
            weight.reshape(-1).copyFrom(values);
            float[] after = forward(BATCH, input, weight);
            assertFalse(Arrays.equals(before, after), "the weights before the write were read");
            assertArrayEquals(forwardOfACopy(BATCH, input, weight), after);
        }
    }

    @Test
    void inputGradientReadsWeightsChangedInPlace() {
        try (Scope scope = Scope.open()) {
            Tensor gradOut = random(backend, BATCH.outputShape(), 11);
            Tensor weight = random(backend, BATCH.weightShape(), 12);
            float[] before = inputGradient(BATCH, gradOut, weight);
            assertArrayEquals(before, inputGradient(BATCH, gradOut, weight));
            weight.addInPlace(random(backend, BATCH.weightShape(), 13), 1);
            float[] after = inputGradient(BATCH, gradOut, weight);
            assertFalse(Arrays.equals(before, after), "the weights before the write were read");
            try (Tensor fresh = random(backend, BATCH.weightShape(), 0)) {
                fresh.assign(weight);
                assertArrayEquals(inputGradient(BATCH, gradOut, fresh), after);
            }
        }
    }

    @Test
    void keptWeightsCountInBytesInUseAndAreFreedWithTheirTensor() {
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, BATCH.inputShape(), 14);
            Tensor out = Tensor.empty(BATCH.outputShape(), DType.F32, backend);
            long withoutWeights = backend.bytesInUse();
            Tensor weight = random(backend, BATCH.weightShape(), 15);
            long weightBytes = backend.bytesInUse() - withoutWeights;
            oneDnn.forward(input, weight, null, BATCH, out);
            long kept = oneDnn.weightBytesKept();
            assertTrue(kept > 0, "the weights were not kept");
            assertEquals(withoutWeights + weightBytes + kept, backend.bytesInUse());
            weight.close();
            assertEquals(0, oneDnn.weightBytesKept());
            assertEquals(withoutWeights, backend.bytesInUse());
        }
    }

    @Test
    void theInputGradientsLayoutIsFreedAtTheEndOfItsCall() {
        try (Scope scope = Scope.open()) {
            Tensor weight = random(backend, BATCH.weightShape(), 22);
            Tensor gradOut = random(backend, BATCH.outputShape(), 23);
            Tensor gradInput = Tensor.empty(BATCH.inputShape(), DType.F32, backend);
            long before = backend.bytesInUse();
            oneDnn.backwardData(gradOut, weight, BATCH, gradInput);
            assertEquals(0, oneDnn.weightBytesKept());
            assertEquals(before, backend.bytesInUse());
        }
    }

    @Test
    void closingFreesTheKeptWeights() {
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, BATCH.inputShape(), 16);
            Tensor weight = random(backend, BATCH.weightShape(), 17);
            Tensor out = Tensor.empty(BATCH.outputShape(), DType.F32, backend);
            long before = backend.bytesInUse();
            oneDnn.forward(input, weight, null, BATCH, out);
            assertTrue(backend.bytesInUse() > before, "the weights were not kept");
            oneDnn.close();
            assertEquals(before, backend.bytesInUse());
            oneDnn = OneDnnConvolution.open(backend, parallel);
        }
    }

    @Test
    void laysWeightsOutAgainOnlyWhenTheirVersionMoves() {
        try (OneDnnWeights cache = new OneDnnWeights(backend, 1 << 20); Scope scope = Scope.open();
             Layout layout = new Layout(16)) {
            Tensor weight = random(backend, Shape.of(16), 18);
            AtomicInteger reorders = new AtomicInteger();
            Consumer<FloatPointer> reorder = target -> reorders.incrementAndGet();
            cache.laidOut(cache.source(weight, 0), layout.md, reorder);
            cache.laidOut(cache.source(weight, 0), layout.md, reorder);
            assertEquals(1, reorders.get());
            weight.copyFrom(new float[16]);
            cache.laidOut(cache.source(weight, 0), layout.md, reorder);
            assertEquals(2, reorders.get());
            cache.laidOut(cache.source(weight, 8), layout.md, reorder);
            assertEquals(3, reorders.get(), "weights from another element are other weights");
        }
    }

    @Test
    void trimFreesTheLeastRecentlyUsedWeightsBeyondTheBudget() {
        long entryBytes = 64 * Float.BYTES;
        try (OneDnnWeights cache = new OneDnnWeights(backend, 2 * entryBytes); Scope scope = Scope.open();
             Layout layout = new Layout(64)) {
            Tensor[] weights = {random(backend, Shape.of(64), 19), random(backend, Shape.of(64), 20),
                    random(backend, Shape.of(64), 21)};
            AtomicInteger reorders = new AtomicInteger();
            Consumer<FloatPointer> reorder = target -> reorders.incrementAndGet();
            long before = backend.bytesInUse();
            for (Tensor w : weights) {
                cache.laidOut(cache.source(w, 0), layout.md, reorder);
            }
            cache.laidOut(cache.source(weights[0], 0), layout.md, reorder);
            assertEquals(3 * entryBytes, cache.bytes());
            cache.trim();
            assertEquals(2 * entryBytes, cache.bytes());
            assertEquals(before + 2 * entryBytes, backend.bytesInUse());
            cache.laidOut(cache.source(weights[0], 0), layout.md, reorder);
            assertEquals(3, reorders.get(), "the most recently used weights were freed");
            cache.laidOut(cache.source(weights[1], 0), layout.md, reorder);
            assertEquals(4, reorders.get(), "the least recently used weights were kept");
        }
    }

    /**
     * Weights laid out by two caches (the convolutions' and the GEMMs', which a weight shared by a convolution and a
     * dense layer reaches) are freed from both when the weights are released, not from the last one to see them.
     */
    @Test
    void releasingWeightsFreesTheirLayoutsInEveryCache() {
        try (OneDnnWeights first = new OneDnnWeights(backend, 1 << 20);
             OneDnnWeights second = new OneDnnWeights(backend, 1 << 20); Layout layout = new Layout(16)) {
            long before = backend.bytesInUse();
            Tensor weight = random(backend, Shape.of(16), 22);
            Consumer<FloatPointer> reorder = target -> { };
            first.laidOut(first.source(weight, 0), layout.md, reorder);
            second.laidOut(second.source(weight, 0), layout.md, reorder);
            weight.close();
            assertEquals(0, first.bytes(), "the first cache kept the released weights' layout");
            assertEquals(0, second.bytes(), "the second cache kept the released weights' layout");
            assertEquals(before, backend.bytesInUse());
        }
    }

    /** A plain layout of {@code elements} F32 values, standing for a primitive's. */
    private static final class Layout implements AutoCloseable {
        final dnnl_memory_desc md = new dnnl_memory_desc();

        Layout(long elements) {
            OneDnnPlan.check(dnnl.dnnl_memory_desc_create_with_tag(md, 1, new long[] {elements}, dnnl.dnnl_f32,
                    dnnl.dnnl_x), () -> "dnnl_memory_desc_create_with_tag");
        }

        @Override
        public void close() {
            dnnl.dnnl_memory_desc_destroy(md);
        }
    }
}
