package dev.kiln.tests.cuda;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cuda.CudaBackend;
import dev.kiln.engine.cuda.CudaOptions;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;

/**
 * The two backends a parity test compares and the helpers every parity test shares.
 *
 * <p>The reference is the provider named {@code cpu}; the backend under test is the provider named by
 * {@code -Dkiln.parity.backend} (default {@code cuda}). Both are found with {@link ServiceLoader}, created
 * once per test class ({@link ParityTest} opens them before the class and closes them after it) and
 * called through the {@link Backend} SPI directly, so that a difference points at one backend method and
 * not at the engine code above it. Where the backend under test is not on the class path, or its provider's
 * {@link BackendProvider#probe() probe} says it cannot run, every parity test is skipped with that exact
 * reason (printed once to standard output as well). {@code -Dkiln.parity.backend=cpu} compares the CPU with
 * a second CPU backend instance: every test then runs, which checks the harness on a machine with no GPU.
 *
 * <p>Inputs are made on the host from seeded {@link Random}s and uploaded to each backend with
 * {@link Backend#copyFromHost}, so both backends start from the same bits.
 */
final class ParityBackends {
    /** The provider name of the backend under test. */
    static final String UNDER_TEST = System.getProperty("kiln.parity.backend", "cuda");
    /** The provider name of the reference backend. */
    static final String REFERENCE = "cpu";
    /** The CPU backend's switch for oneDNN's convolutions. */
    private static final String ONE_DNN = "kiln.cpu.onednn";

    private static boolean probed;
    private static String skipReason;
    private static BackendProvider referenceProvider;
    private static BackendProvider testedProvider;
    private static Backend reference;
    private static Backend underTest;

    private ParityBackends() {
    }

    /**
     * Why the parity tests cannot run here, or null when they can. Asked once per JVM; the first time a
     * reason is found it is printed to standard output.
     */
    static synchronized String skipReason() {
        if (!probed) {
            BackendProvider cpu = provider(REFERENCE);
            BackendProvider tested = provider(UNDER_TEST);
            String reason = null;
            if (tested == null) {
                reason = "no backend provider named '" + UNDER_TEST + "' on the class path";
            } else if (cpu == null) {
                reason = "no backend provider named '" + REFERENCE + "' (the reference) on the class path";
            } else if (!tested.probe().available()) {
                reason = tested.probe().reason();
            } else if (!cpu.probe().available()) {
                reason = "the reference backend cannot run: " + cpu.probe().reason();
            }
            referenceProvider = cpu;
            testedProvider = tested;
            skipReason = reason;
            probed = true;
            if (skipReason != null) {
                System.out.println(skipMessage());
            }
        }
        return skipReason;
    }

    private static String skipMessage() {
        return UNDER_TEST.toUpperCase(Locale.ROOT) + " parity tests skipped: " + skipReason;
    }

    /**
     * Creates both backends for one test class, unless the tests are to be skipped. The reference convolves on
     * OpenBLAS alone ({@code kiln.cpu.onednn=false} while it is created), so that a CPU backend under test, which
     * convolves on oneDNN where that is faster, is checked against OpenBLAS's convolutions.
     */
    static synchronized void open() {
        if (skipReason() == null && reference == null) {
            // Parity is with strict FP32 arithmetic, whatever the environment asks of the CUDA backend.
            System.setProperty("kiln.cuda.tf32", "false");
            String oneDnn = System.getProperty(ONE_DNN);
            System.setProperty(ONE_DNN, "false");
            try {
                reference = referenceProvider.create();
            } finally {
                if (oneDnn == null) {
                    System.clearProperty(ONE_DNN);
                } else {
                    System.setProperty(ONE_DNN, oneDnn);
                }
            }
            underTest = testedProvider.create();
        }
    }

    /**
     * A further CUDA backend beside the one under test, on its device, in strict arithmetic changed by
     * {@code options} (an opt-in to check against the CPU); null where CUDA is not the backend under test or cannot
     * run. The caller closes it.
     */
    static Backend openCuda(UnaryOperator<CudaOptions> options) {
        if (skipReason() != null || !UNDER_TEST.equals("cuda")) {
            return null;
        }
        return new CudaBackend(options.apply(CudaOptions.strict(CudaOptions.fromSystem().device())));
    }

    /** Closes both backends after a test class; every tensor on them must be closed by then. */
    static synchronized void close() {
        try {
            if (underTest != null) {
                underTest.close();
            }
        } finally {
            underTest = null;
            if (reference != null) {
                reference.close();
            }
            reference = null;
        }
    }

    /** Skips the calling test, with the provider's reason, where the backend under test cannot run. */
    static void assumeAvailable() {
        String reason = skipReason();
        Assumptions.assumeTrue(reason == null, ParityBackends::skipMessage);
        if (reference == null) {
            throw new IllegalStateException("parity backends are not open: extend ParityTest");
        }
    }

    /**
     * Skips the calling test unless CUDA is the backend under test: {@code matter} says why the test is CUDA's alone
     * (the message adds which backend is under test).
     */
    static void assumeCudaUnderTest(String matter) {
        Assumptions.assumeTrue(UNDER_TEST.equals("cuda"), () -> matter + "; the backend under test is " + UNDER_TEST);
    }

    private static BackendProvider provider(String name) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** The CPU backend whose results are taken as right. */
    static Backend reference() {
        return reference;
    }

    /** The backend whose results are checked. */
    static Backend underTest() {
        return underTest;
    }

    // ---- Comparing --------------------------------------------------------------------------------

    /** A per-op tolerance: {@code |actual - expected| <= atol + rtol * |expected|}. */
    record Tolerance(double atol, double rtol) {
        static final Tolerance EXACT = new Tolerance(0, 0);

        static Tolerance of(double both) {
            return new Tolerance(both, both);
        }

        boolean accepts(double expected, double actual) {
            // An infinity matches only itself: against it, any difference is within rtol * infinity.
            if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
                return actual == expected;
            }
            return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }

        @Override
        public String toString() {
            return "atol " + atol + ", rtol " + rtol;
        }
    }

    /**
     * Runs {@code op} on the reference, then on the backend under test, and compares the tensor each returns
     * element by element.
     */
    static void assertParity(String what, Tolerance tolerance, Function<Backend, Tensor> op) {
        Tensor expected = op.apply(reference);
        Tensor actual = op.apply(underTest);
        assertClose(what, expected, actual, tolerance);
    }

    /**
     * Like {@link #assertParity} for ops whose reference result holds NaN on purpose (NaN propagation): every
     * NaN of the reference must be NaN on the backend under test, and every other element within
     * {@code tolerance}. A reference without any NaN fails the test:
     * its input would not exercise the propagation.
     */
    static void assertParityWithNaN(String what, Tolerance tolerance, Function<Backend, Tensor> op) {
        double[] e = op.apply(reference).toDoubleArray();
        Tensor actualTensor = op.apply(underTest);
        double[] a = actualTensor.toDoubleArray();
        int nans = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) {
                nans++;
                if (!Double.isNaN(a[i])) {
                    throw mismatch(what, actualTensor, i, Double.toString(a[i]), "NaN", "NaN propagates");
                }
            } else if (!tolerance.accepts(e[i], a[i])) {
                throw mismatch(what, actualTensor, i, Double.toString(a[i]), Double.toString(e[i]), tolerance.toString());
            }
        }
        if (nans == 0) {
            throw new AssertionError(what + ": the reference result has no NaN, so this test checks no propagation");
        }
    }

    /** Like {@link #assertParity} for ops with several outputs: {@code op} returns them in a fixed order. */
    static void assertParity(String what, String[] names, Tolerance tolerance, Function<Backend, Tensor[]> op) {
        Tensor[] expected = op.apply(reference);
        Tensor[] actual = op.apply(underTest);
        for (int k = 0; k < names.length; k++) {
            assertClose(what + ": " + names[k], expected[k], actual[k], tolerance);
        }
    }

    /**
     * Same shape and dtype, and every element within {@code tolerance} of the reference. The reference must
     * be free of NaN: outputs start as NaN ({@link #output}), so an element that an op failed to write is
     * never taken for a match. Integer tensors are compared as longs, exactly.
     */
    static void assertClose(String what, Tensor expected, Tensor actual, Tolerance tolerance) {
        if (!Arrays.equals(expected.shape().dims(), actual.shape().dims()) || expected.dtype() != actual.dtype()) {
            throw new AssertionError(what + ": " + UNDER_TEST + " gave " + actual.dtype() + " " + actual.shape()
                    + ", cpu " + expected.dtype() + " " + expected.shape());
        }
        if (!expected.dtype().isFloating()) {
            long[] e = expected.toLongArray();
            long[] a = actual.toLongArray();
            for (int i = 0; i < e.length; i++) {
                if (e[i] != a[i]) {
                    throw mismatch(what, expected, i, Long.toString(a[i]), Long.toString(e[i]), "exact");
                }
            }
            return;
        }
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) {
                throw mismatch(what, expected, i, Double.toString(a[i]), "NaN", "the reference must not be NaN");
            }
            if (!tolerance.accepts(e[i], a[i])) {
                throw mismatch(what, expected, i, Double.toString(a[i]), Double.toString(e[i]), tolerance.toString());
            }
        }
    }

    private static AssertionError mismatch(String what, Tensor t, int flat, String actual, String expected,
                                           String tolerance) {
        return new AssertionError(String.format(Locale.ROOT, "%s [%s %s]: element %d %s is %s on %s but %s on cpu (%s)",
                what, t.dtype(), t.shape(), flat, Arrays.toString(unravel(t.shape(), flat)), actual, UNDER_TEST, expected,
                tolerance));
    }

    /** The multi-index of row-major element {@code flat}. */
    static int[] unravel(Shape shape, long flat) {
        int[] index = new int[shape.rank()];
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            index[axis] = (int) (flat % shape.dim(axis));
            flat /= shape.dim(axis);
        }
        return index;
    }

    // ---- Inputs -----------------------------------------------------------------------------------

    /** Seeded uniform values in [low, high): the same on every backend because they are made on the host. */
    static double[] values(long seed, int n, double low, double high) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = low + (high - low) * r.nextDouble();
        }
        return v;
    }

    /** Seeded values drawn from {@code choices}: inputs with many exact ties (maxima, comparisons, argmax). */
    static double[] ties(long seed, int n, double... choices) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = choices[r.nextInt(choices.length)];
        }
        return v;
    }

    /**
     * A tensor of {@code dtype} on {@code b} holding {@code values}: rounded to nearest for F32, truncated
     * toward zero for the integer types. Uploaded with {@link Backend#copyFromHost}.
     */
    static Tensor tensor(Backend b, DType dtype, double[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), dtype, b);
        if (t.size() != values.length) {
            throw new IllegalArgumentException(values.length + " values for shape " + t.shape());
        }
        switch (dtype) {
            case F64 -> b.copyFromHost(DoubleBuffer.wrap(values.clone()), t);
            case F32 -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) values[i];
                }
                b.copyFromHost(FloatBuffer.wrap(f), t);
            }
            case I32 -> {
                int[] v = new int[values.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (int) values[i];
                }
                b.copyFromHost(IntBuffer.wrap(v), t);
            }
            case I64 -> {
                long[] v = new long[values.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (long) values[i];
                }
                b.copyFromHost(LongBuffer.wrap(v), t);
            }
        }
        return t;
    }

    /** Seeded values in [-1, 1) of {@code dtype} on {@code b}. */
    static Tensor random(Backend b, DType dtype, long seed, int... dims) {
        return tensor(b, dtype, values(seed, Math.toIntExact(Shape.of(dims).size()), -1, 1), dims);
    }

    /** Seeded values in [low, high) of {@code dtype} on {@code b}. */
    static Tensor uniform(Backend b, DType dtype, long seed, double low, double high, int... dims) {
        return tensor(b, dtype, values(seed, Math.toIntExact(Shape.of(dims).size()), low, high), dims);
    }

    /** Index values of {@code dtype} (I64 or I32) on {@code b}. */
    static Tensor indices(Backend b, DType dtype, long[] values, int... dims) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return tensor(b, dtype, v, dims);
    }

    /**
     * An output tensor on {@code b}: floating outputs start as NaN, so that {@link #assertClose} notices an
     * element that an op should have written and did not. Integer outputs start as -1.
     */
    static Tensor output(Backend b, DType dtype, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), dtype, b);
        b.fill(t, dtype.isFloating() ? Double.NaN : -1);
        return t;
    }

    /** {@link #output} of a shape. */
    static Tensor output(Backend b, DType dtype, Shape shape) {
        return output(b, dtype, shape.dims());
    }

    /** A tensor of {@code dtype} on {@code b} with every element {@code value}. */
    static Tensor full(Backend b, DType dtype, double value, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), dtype, b);
        b.fill(t, value);
        return t;
    }
}
