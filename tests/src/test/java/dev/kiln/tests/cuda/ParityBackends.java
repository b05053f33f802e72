package dev.kiln.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;

/**
 * The two backends a parity test compares: the CPU backend as reference and the backend under test,
 * {@code -Dkiln.parity.backend} (default {@code cuda}). Where the backend under test cannot run, the
 * tests skip with its provider's exact reason. {@code -Dkiln.parity.backend=cpu} compares the CPU with a
 * second CPU backend, which checks the harness itself on a machine without a GPU.
 */
final class ParityBackends {
    static final String UNDER_TEST = System.getProperty("kiln.parity.backend", "cuda");
    private static Backend reference;
    private static Backend underTest;
    private static String unavailable;

    private ParityBackends() {
    }

    /** Opens both backends once per JVM, or skips the calling test with the reason the backend cannot run. */
    static synchronized void require() {
        if (reference == null && unavailable == null) {
            BackendProvider cpu = provider("cpu");
            BackendProvider tested = provider(UNDER_TEST);
            if (tested == null) {
                unavailable = "no backend provider named '" + UNDER_TEST + "' on the class path";
            } else if (!tested.probe().available()) {
                unavailable = tested.probe().reason();
            } else {
                reference = cpu.create();
                underTest = tested.create();
            }
            if (unavailable != null) {
                System.out.println("Parity tests (" + UNDER_TEST + " vs cpu) skipped: " + unavailable);
            }
        }
        Assumptions.assumeTrue(unavailable == null, () -> UNDER_TEST + " parity tests skipped: " + unavailable);
    }

    private static BackendProvider provider(String name) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    static Backend reference() {
        return reference;
    }

    static Backend underTest() {
        return underTest;
    }

    /** Runs {@code op} on both backends and compares the tensor it returns, element by element. */
    static void assertParity(String what, double atol, double rtol, Function<Backend, Tensor> op) {
        Tensor expected = op.apply(reference);
        Tensor actual = op.apply(underTest);
        assertClose(what, expected, actual, atol, rtol);
    }

    /** |actual - expected| <= atol + rtol * |expected| everywhere; NaN must meet NaN. */
    static void assertClose(String what, Tensor expected, Tensor actual, double atol, double rtol) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims(), what + ": shapes differ");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean bothNaN = Double.isNaN(e[i]) && Double.isNaN(a[i]);
            if (!bothNaN && !(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) {
                throw new AssertionError(String.format("%s [%s]: element %d is %s on %s, %s on cpu (atol %g, rtol %g)",
                        what, expected.dtype(), i, a[i], UNDER_TEST, e[i], atol, rtol));
            }
        }
    }

    /** Seeded uniform values in [low, high): the same on every backend because they are made on the host. */
    static double[] values(long seed, int n, double low, double high) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = low + (high - low) * r.nextDouble();
        }
        return v;
    }

    /** A tensor of {@code dtype} on {@code b} holding {@code values} (rounded for F32). */
    static Tensor tensor(Backend b, DType dtype, double[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), dtype, b);
        switch (dtype) {
            case F64 -> b.copyFromHost(DoubleBuffer.wrap(values), t);
            case F32 -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) values[i];
                }
                b.copyFromHost(FloatBuffer.wrap(f), t);
            }
            default -> throw new IllegalArgumentException("use indices() for " + dtype);
        }
        return t;
    }

    /** Random values in [-1, 1) of {@code dtype} on {@code b}. */
    static Tensor random(Backend b, DType dtype, long seed, int... dims) {
        return tensor(b, dtype, values(seed, Math.toIntExact(Shape.of(dims).size()), -1, 1), dims);
    }

    /** I64 indices on {@code b}. */
    static Tensor indices(Backend b, long[] values, int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.I64, b);
        b.copyFromHost(LongBuffer.wrap(values), t);
        return t;
    }

    static Tensor empty(Backend b, DType dtype, int... dims) {
        return Tensor.empty(Shape.of(dims), dtype, b);
    }
}
