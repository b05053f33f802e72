package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.ConvolutionCases.assertClose;
import static dev.kiln.engine.cpu.ConvolutionCases.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.ConvolutionCases.Case;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * oneDNN's convolutions ({@link OneDnnConvolution}, called directly, whatever the backend would choose) give what
 * OpenBLAS's path gives, in every direction, with and without bias, on every family of {@link ConvolutionCases}, the
 * batch split over two threads (odd batches in slices of two sizes) or, for one image's forward pass, its output
 * channels; and oneDNN starts no threads of its own.
 */
class OneDnnConvolutionTest {
    private static CpuBackend openBlas;
    private static CpuBackend backend;
    private static Parallel parallel;
    private static OneDnnConvolution oneDnn;

    @BeforeAll
    static void open() {
        openBlas = new CpuBackend(2, false);
        backend = new CpuBackend(2, false);
        parallel = new Parallel(2);
        oneDnn = OneDnnConvolution.open(backend, parallel);
    }

    @AfterAll
    static void close() {
        oneDnn.close();
        parallel.close();
        backend.close();
        openBlas.close();
    }

    static Stream<Case> cases() {
        return Stream.concat(ConvolutionCases.plain().stream(), ConvolutionCases.grouped().stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesOpenBlasWithAndWithoutBias(Case c) {
        GroupedConv2dGeometry g = c.geometry();
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, g.inputShape(), 1);
            Tensor weight = random(backend, g.weightShape(), 2);
            Tensor bias = random(backend, Shape.of(g.outChannels()), 3);
            for (Tensor b : new Tensor[] {null, bias}) {
                Tensor expected = Tensor.empty(g.outputShape(), DType.F32, openBlas);
                openBlas.groupedConv2dForward(input, weight, b, g, expected);
                Tensor actual = Tensor.empty(g.outputShape(), DType.F32, backend);
                oneDnn.forward(input, weight, b, g, actual);
                assertClose(c + ", forward" + (b == null ? "" : " with bias"), expected, actual);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inputGradientMatchesOpenBlas(Case c) {
        GroupedConv2dGeometry g = c.geometry();
        try (Scope scope = Scope.open()) {
            Tensor gradOut = random(backend, g.outputShape(), 4);
            Tensor weight = random(backend, g.weightShape(), 5);
            Tensor expected = Tensor.empty(g.inputShape(), DType.F32, openBlas);
            openBlas.groupedConv2dBackwardData(gradOut, weight, g, expected);
            Tensor actual = Tensor.empty(g.inputShape(), DType.F32, backend);
            oneDnn.backwardData(gradOut, weight, g, actual);
            assertClose(c + ", input gradient", expected, actual);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void weightAndBiasGradientsMatchOpenBlas(Case c) {
        GroupedConv2dGeometry g = c.geometry();
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, g.inputShape(), 6);
            Tensor gradOut = random(backend, g.outputShape(), 7);
            Tensor expectedWeight = Tensor.empty(g.weightShape(), DType.F32, openBlas);
            Tensor expectedBias = Tensor.empty(Shape.of(g.outChannels()), DType.F32, openBlas);
            openBlas.groupedConv2dBackwardFilter(input, gradOut, g, expectedWeight, expectedBias);
            Tensor weightAlone = Tensor.empty(g.weightShape(), DType.F32, backend);
            oneDnn.backwardFilter(input, gradOut, g, weightAlone, null);
            assertClose(c + ", weight gradient", expectedWeight, weightAlone);
            Tensor weight = Tensor.empty(g.weightShape(), DType.F32, backend);
            Tensor bias = Tensor.empty(Shape.of(g.outChannels()), DType.F32, backend);
            oneDnn.backwardFilter(input, gradOut, g, weight, bias);
            assertClose(c + ", weight gradient beside the bias's", expectedWeight, weight);
            assertClose(c + ", bias gradient", expectedBias, bias);
        }
    }

    /**
     * A weight gradient of 409,600 elements, six chunks of {@link OneDnnConvolution#SUM_CHUNK} and a quarter of a
     * seventh, summed from the batch's two slices, with its bias gradient after it in the slices' buffers: each
     * element is within the bound of an F32 dot product of {@code T} = batch x outH x outW = 64 terms, summed in any
     * order, of the exact (F64) gradient: {@code gamma_T * sum |x * g|}, {@code gamma_T = T u / (1 - T u)},
     * {@code u = 2^-24} (Higham, Accuracy and Stability of Numerical Algorithms, 3.1), about 4e-6 of the sum of
     * magnitudes; OpenBLAS's F32 result is within twice that of oneDNN's. An element of a chunk left out of the sum,
     * or added twice, misses by a whole slice's gradient, about 2 here.
     */
    @Test
    void weightGradientLongerThanOneSummingChunkIsSummedOverEverySlice() {
        GroupedConv2dGeometry g = GroupedConv2dGeometry.of("128 to 128 channels, 5x5", Shape.of(4, 128, 8, 8),
                Shape.of(128, 128, 5, 5), new int[] {1}, new int[] {0}, new int[] {1}, 1);
        assertTrue(g.weightShape().size() > 6L * OneDnnConvolution.SUM_CHUNK, "the weights span several chunks");
        long terms = (long) g.group().batch() * g.group().outH() * g.group().outW();
        double gamma = terms * 0x1p-24 / (1 - terms * 0x1p-24);
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, g.inputShape(), 13);
            Tensor gradOut = random(backend, g.outputShape(), 14);
            Tensor[] exact = weightAndBiasGradients(openBlas, input.to(DType.F64), gradOut.to(DType.F64), g);
            Tensor[] magnitudes = weightAndBiasGradients(openBlas, input.to(DType.F64).abs(),
                    gradOut.to(DType.F64).abs(), g);
            Tensor[] expected = weightAndBiasGradients(openBlas, input, gradOut, g);
            Tensor weight = Tensor.empty(g.weightShape(), DType.F32, backend);
            Tensor bias = Tensor.empty(Shape.of(g.outChannels()), DType.F32, backend);
            oneDnn.backwardFilter(input, gradOut, g, weight, bias);
            assertWithin("weight gradient against F64", exact[0], magnitudes[0], gamma, weight);
            assertWithin("bias gradient against F64", exact[1], magnitudes[1], gamma, bias);
            assertWithin("weight gradient against OpenBLAS", expected[0], magnitudes[0], 2 * gamma, weight);
            assertWithin("bias gradient against OpenBLAS", expected[1], magnitudes[1], 2 * gamma, bias);
        }
    }

    /** {gradWeight, gradBias} of {@code g} on {@code b}, in the dtype of {@code input}. */
    private static Tensor[] weightAndBiasGradients(CpuBackend b, Tensor input, Tensor gradOut,
                                                   GroupedConv2dGeometry g) {
        Tensor weight = Tensor.empty(g.weightShape(), input.dtype(), b);
        Tensor bias = Tensor.empty(Shape.of(g.outChannels()), input.dtype(), b);
        b.groupedConv2dBackwardFilter(input, gradOut, g, weight, bias);
        return new Tensor[] {weight, bias};
    }

    /** Asserts |actual - expected| <= relative * magnitude, element by element. */
    private static void assertWithin(String what, Tensor expected, Tensor magnitude, double relative, Tensor actual) {
        double[] e = expected.toDoubleArray();
        double[] m = magnitude.toDoubleArray();
        double[] a = actual.to(DType.F64).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            double allowed = relative * m[i];
            if (!(Math.abs(a[i] - e[i]) <= allowed)) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " within " + allowed);
            }
        }
    }

    /**
     * One image's forward pass, its 33 output channels split over the two threads (16 and 17), with bias, read from
     * and written into views past the start of their storage: bit for bit what oneDNN on one thread computes. 4.9e6
     * multiply-adds, past {@link OneDnnConvolution#MIN_SPLIT_MULTIPLY_ADDS}: a smaller image would stay on one thread.
     */
    @Test
    void aSingleImageSplitByOutputChannelsGivesWhatOneThreadGives() {
        GroupedConv2dGeometry g = new GroupedConv2dGeometry(Conv2dGeometry.of("one image, 33 channels",
                Shape.of(1, 16, 32, 32), Shape.of(33, 16, 3, 3), new int[] {1}, new int[] {1}, new int[] {1}), 1);
        try (Parallel one = new Parallel(1); OneDnnConvolution alone = OneDnnConvolution.open(backend, one);
             Parallel two = new Parallel(2); OneDnnConvolution split = OneDnnConvolution.open(backend, two);
             Scope scope = Scope.open()) {
            Tensor input = random(backend, g.inputShape(), 15);
            Tensor weight = random(backend, Shape.of(2, 33, 16, 3, 3), 16).narrow(0, 1, 1).reshape(33, 16, 3, 3);
            Tensor bias = random(backend, Shape.of(2, 33), 17).narrow(0, 1, 1).reshape(33);
            Tensor expected = Tensor.empty(g.outputShape(), DType.F32, backend);
            alone.forward(input, weight, bias, g, expected);
            Tensor actual = Tensor.empty(Shape.of(2, 33, 32, 32), DType.F32, backend).narrow(0, 1, 1);
            split.forward(input, weight, bias, g, actual);
            assertEquals(2, split.plansKept(), "one plan per thread's channels: split");
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
            Tensor reference = Tensor.empty(g.outputShape(), DType.F32, openBlas);
            openBlas.groupedConv2dForward(input, weight, bias, g, reference);
            assertClose("one image split by output channels, against OpenBLAS", reference, actual);
        }
    }

    /**
     * Forgetting a single image's forward pass, run split by output channels over two threads, closes the plans of
     * every thread's channels, not only the first's: the batch split gives one image one slice, on the first lane.
     */
    @Test
    void forgettingASingleImageSplitByChannelsClosesEveryThreadsPlan() {
        GroupedConv2dGeometry g = new GroupedConv2dGeometry(Conv2dGeometry.of("one image, 32 channels",
                Shape.of(1, 16, 32, 32), Shape.of(32, 16, 3, 3), new int[] {1}, new int[] {1}, new int[] {1}), 1);
        assertTrue(OneDnnConvolution.multiplyAdds(g) >= OneDnnConvolution.MIN_SPLIT_MULTIPLY_ADDS, "worth splitting");
        try (Parallel two = new Parallel(2); OneDnnConvolution fresh = OneDnnConvolution.open(backend, two);
             Scope scope = Scope.open()) {
            Tensor out = Tensor.empty(g.outputShape(), DType.F32, backend);
            fresh.forward(random(backend, g.inputShape(), 18), random(backend, g.weightShape(), 19), null, g, out);
            assertEquals(2, fresh.plansKept(), "one plan per thread's channels");
            fresh.forget(new ConvolutionKey(g, ConvolutionKey.Direction.FORWARD, false));
            assertEquals(0, fresh.plansKept(), "plans kept after forgetting the convolution");
        }
    }

    /**
     * LeNet's second convolution on one MNIST image, 3.2e5 multiply-adds, runs on one thread, one plan: split over
     * two, handing over and waiting cost more than the half saved (the FGSM tutorial ran 1.5-2x slower).
     */
    @Test
    void aSmallSingleImageStaysOnOneThread() {
        GroupedConv2dGeometry g = new GroupedConv2dGeometry(Conv2dGeometry.of("LeNet conv2, one image",
                Shape.of(1, 10, 12, 12), Shape.of(20, 10, 5, 5), new int[] {1}, new int[] {0}, new int[] {1}), 1);
        assertEquals(320_000, OneDnnConvolution.multiplyAdds(g));
        try (Parallel two = new Parallel(2); OneDnnConvolution fresh = OneDnnConvolution.open(backend, two);
             Scope scope = Scope.open()) {
            Tensor input = random(backend, g.inputShape(), 20);
            Tensor weight = random(backend, g.weightShape(), 21);
            Tensor out = Tensor.empty(g.outputShape(), DType.F32, backend);
            fresh.forward(input, weight, null, g, out);
            assertEquals(1, fresh.plansKept(), "one plan, for the whole image");
            Tensor expected = Tensor.empty(g.outputShape(), DType.F32, openBlas);
            openBlas.groupedConv2dForward(input, weight, null, g, expected);
            assertClose("one image on one thread", expected, out);
        }
    }

    /** Tensors that start inside their storage (views past its first element) are read and written where they start. */
    @Test
    void tensorsOffsetInTheirStorageAreReadAndWrittenInPlace() {
        GroupedConv2dGeometry g = ConvolutionCases.plain().get(0).geometry();
        try (Scope scope = Scope.open()) {
            Tensor input = random(backend, g.inputShape(), 8);
            Tensor weight = random(backend, g.weightShape(), 9);
            Tensor expected = Tensor.empty(g.outputShape(), DType.F32, openBlas);
            openBlas.groupedConv2dForward(input, weight, null, g, expected);
            Tensor padded = random(backend, Shape.of(2 * g.group().batch(), g.inChannels(), g.group().height(),
                    g.group().width()), 10);
            backend.copySlices(input, 0, 0, padded, g.group().batch(), g.group().batch());
            Tensor outputs = Tensor.empty(Shape.of(2 * g.group().batch(), g.outChannels(), g.group().outH(),
                    g.group().outW()), DType.F32, backend);
            Tensor lower = outputs.narrow(0, g.group().batch(), g.group().batch());
            oneDnn.forward(padded.narrow(0, g.group().batch(), g.group().batch()), weight, null, g, lower);
            assertClose("forward into the second half of a tensor", expected, lower);
        }
    }

    /**
     * LeNet's first convolution on an evaluation batch of 1,000, whose output oneDNN wants in a blocked layout: 35 MiB
     * a slice, which the slices hold in chunks instead, within {@link OneDnnConvolution#TEMPORARY_BYTES} each, giving
     * OpenBLAS's output and input gradient.
     */
    @Test
    void aLargeBatchRunsInChunksWhoseTemporariesStayWithinTheBound() {
        GroupedConv2dGeometry g = new GroupedConv2dGeometry(Conv2dGeometry.of("conv1", Shape.of(1000, 1, 28, 28),
                Shape.of(20, 1, 5, 5), new int[] {1}, new int[] {0}, new int[] {1}), 1);
        assertChunksMatchOpenBlas(g, 13, "in chunks");
    }

    /**
     * A grouped, padded, strided convolution on a batch of 301: slices of 150 and 151 images, the odd one in chunks
     * of unequal sizes where the temporaries exceed the bound, gives OpenBLAS's output and input gradient at every
     * image, the chunks' borders included.
     */
    @Test
    void unevenChunksOfAGroupedPaddedConvolutionMatchOpenBlas() {
        GroupedConv2dGeometry g = GroupedConv2dGeometry.of("chunks", Shape.of(301, 16, 33, 33),
                Shape.of(32, 8, 3, 3), new int[] {2}, new int[] {1}, new int[] {1}, 2);
        assertChunksMatchOpenBlas(g, 17, "grouped, in uneven chunks");
    }

    /**
     * oneDNN's forward and input gradient of g, with temporaries of at most two slices' bound at once, give
     * OpenBLAS's; inputs seeded from {@code firstSeed} on, {@code what} in the messages.
     */
    private void assertChunksMatchOpenBlas(GroupedConv2dGeometry g, long firstSeed, String what) {
        try (CpuBackend b = new CpuBackend(2, false); Parallel two = new Parallel(2);
             OneDnnConvolution own = OneDnnConvolution.open(b, two); Scope scope = Scope.open()) {
            Tensor input = random(b, g.inputShape(), firstSeed);
            Tensor weight = random(b, g.weightShape(), firstSeed + 1);
            Tensor bias = random(b, Shape.of(g.outChannels()), firstSeed + 2);
            Tensor gradOut = random(b, g.outputShape(), firstSeed + 3);
            Tensor out = Tensor.empty(g.outputShape(), DType.F32, b);
            Tensor gradInput = Tensor.empty(g.inputShape(), DType.F32, b);
            long live = b.bytesInUse();
            own.forward(input, weight, bias, g, out);
            own.backwardData(gradOut, weight, g, gradInput);
            long temporaries = b.peakBytesInUse() - live;
            assertTrue(temporaries <= 2 * OneDnnConvolution.TEMPORARY_BYTES, "temporaries of two slices at once: "
                    + temporaries + " bytes");
            Tensor expected = Tensor.empty(g.outputShape(), DType.F32, openBlas);
            openBlas.groupedConv2dForward(input, weight, bias, g, expected);
            assertClose("forward " + what, expected, out);
            Tensor expectedGradInput = Tensor.empty(g.inputShape(), DType.F32, openBlas);
            openBlas.groupedConv2dBackwardData(gradOut, weight, g, expectedGradInput);
            assertClose("input gradient " + what, expectedGradInput, gradInput);
        }
    }

    /**
     * oneDNN starts no OpenMP threads beside Kiln's: counted as the threads that carry the calling thread's name (a
     * thread that libgomp starts inherits its starter's name on Linux), which runs the first slice of the batch.
     */
    @Test
    void oneDnnStartsNoThreadsOfItsOwn() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "counts threads through /proc (Linux)");
        String name = "kiln-omp-probe";
        long[] counted = new long[1];
        Throwable[] failure = new Throwable[1];
        Thread caller = new Thread(() -> {
            try (CpuBackend b = new CpuBackend(2, false); Parallel two = new Parallel(2);
                 OneDnnConvolution own = OneDnnConvolution.open(b, two); Scope scope = Scope.open()) {
                GroupedConv2dGeometry g = ConvolutionCases.plain().get(0).geometry();
                Tensor out = Tensor.empty(g.outputShape(), DType.F32, b);
                own.forward(random(b, g.inputShape(), 11), random(b, g.weightShape(), 12), null, g, out);
                counted[0] = threadsNamed(name);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, name);
        caller.start();
        caller.join();
        if (failure[0] != null) {
            throw new AssertionError("the convolution failed", failure[0]);
        }
        assertEquals(1, counted[0], "threads named as the one that called oneDNN");
    }

    private static long threadsNamed(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).trim().equals(name);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }
}
