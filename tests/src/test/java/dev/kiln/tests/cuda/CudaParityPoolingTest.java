package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.output;
import static dev.kiln.tests.cuda.ParityBackends.random;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.ties;
import static dev.kiln.tests.cuda.ParityBackends.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPI section 6, pooling: max pooling (values, the indices of the maxima, the gradient routed back through
 * them) and average pooling (padding counted as zeros, PyTorch's {@code count_include_pad}) on the backend under
 * test against the CPU backend, for overlapping windows, the default stride, rectangular windows, sizes that
 * leave a remainder, and PyTorch's {@code ceil_mode} (the last windows hang over the input) and
 * {@code count_include_pad=False} (average pooling divides by the input elements in the window), also where the
 * kernel reaches past the padded input by less than the stride, which ceil mode accepts as one window.
 *
 * <p>Max pooling selects and must match exactly, indices included; tied maxima go to the first element in
 * row-major window order, which is also checked against a model written here. The gradients and averages sum
 * a handful of F32 terms: 1e-6 absolute, 1e-5 relative.
 */
class CudaParityPoolingTest extends ParityTest {
    private static final Tolerance POOL_F32 = new Tolerance(1e-6, 1e-5);

    /** One pooling: input shape, kernel, stride (null: the kernel), padding, ceil mode and count_include_pad. */
    record Geometry(String name, int[] input, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                    boolean countIncludePad) {
        /** PyTorch's defaults: rounding down, the padding counted. */
        Geometry(String name, int[] input, int[] kernel, int[] stride, int[] padding) {
            this(name, input, kernel, stride, padding, false, true);
        }

        Pool2dGeometry of() {
            return Pool2dGeometry.of("pool parity", Shape.of(input), kernel, stride, padding, ceilMode, countIncludePad);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Geometry> geometries() {
        return Stream.of(
                new Geometry("3x3, stride 2, padding 1 (overlapping windows)", new int[] {2, 3, 9, 9}, new int[] {3},
                        new int[] {2}, new int[] {1}),
                new Geometry("2x2, default stride", new int[] {2, 4, 8, 6}, new int[] {2}, null, new int[] {0}),
                new Geometry("3x2 kernel, stride (1, 2), padding 1", new int[] {1, 2, 7, 8}, new int[] {3, 2},
                        new int[] {1, 2}, new int[] {1}),
                new Geometry("3x3, stride 3 on 10x11 (a remainder)", new int[] {2, 2, 10, 11}, new int[] {3},
                        new int[] {3}, new int[] {0}),
                new Geometry("2x2, default stride on 7x9, ceil mode (windows hanging over)", new int[] {2, 3, 7, 9},
                        new int[] {2}, null, new int[] {0}, true, true),
                new Geometry("3x3, stride 2, padding 1 on 10x9, ceil mode, padding not counted", new int[] {2, 2, 10, 9},
                        new int[] {3}, new int[] {2}, new int[] {1}, true, false),
                new Geometry("3x2 kernel, stride (2, 3), padding (1, 0), padding not counted", new int[] {1, 2, 8, 7},
                        new int[] {3, 2}, new int[] {2, 3}, new int[] {1, 0}, false, false),
                new Geometry("2x2, stride 2, padding 1 on 5x7, ceil mode without a window starting in the padding",
                        new int[] {1, 2, 5, 7}, new int[] {2}, new int[] {2}, new int[] {1}, true, true),
                new Geometry("3x3, stride 2 on 2x2, ceil mode (the kernel past the input, SqueezeNet's smallest)",
                        new int[] {2, 3, 2, 2}, new int[] {3}, new int[] {2}, new int[] {0}, true, true),
                new Geometry("5x6, stride 2, padding 1 on 2x3, ceil mode (the kernel past the padded input), padding"
                        + " not counted", new int[] {1, 2, 2, 3}, new int[] {5, 6}, new int[] {2}, new int[] {1}, true,
                        false),
                new Geometry("5x3, stride 2, padding 1 on 2x7, ceil mode (the kernel past the padded height only)",
                        new int[] {1, 2, 2, 7}, new int[] {5, 3}, new int[] {2}, new int[] {1}, true, true));
    }

    /** Values and indices of max pooling {@code x} on {@code b}. */
    private static Tensor[] maxPool(Backend b, Pool2dGeometry g, double[] x) {
        Tensor out = output(b, DType.F32, g.outputShape());
        Tensor indices = output(b, DType.I64, g.outputShape());
        b.maxPool2dForward(tensor(b, DType.F32, x, g.inputShape().dims()), g, out, indices);
        return new Tensor[] {out, indices};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void maxPoolingValuesAndIndicesMatchExactly(Geometry geometry) {
        Pool2dGeometry g = geometry.of();
        double[] x = random(reference(), DType.F32, 44, g.inputShape().dims()).toDoubleArray();
        assertParity("maxPool2dForward, " + geometry, new String[] {"values", "indices"}, Tolerance.EXACT,
                b -> maxPool(b, g, x));
    }

    @Test
    void maxPoolingOfSignedZerosKeepsTheCpusSignBitAndFirstIndex() {
        // Windows (2x2, stride 2) of -0 and +0 in every order: Math.max makes +0 of any mix, -0 only of -0s, and the
        // index goes to the first zero. EXACT tolerance cannot see a sign bit, so the bits are compared here.
        double[] x = {-0.0, 0.0, -0.0, -0.0, 0.0, -0.0, 0.0, 0.0,
                      -0.0, -0.0, -0.0, -0.0, 0.0, 0.0, -0.0, 0.0};
        Pool2dGeometry g = Pool2dGeometry.of("pool parity", Shape.of(1, 1, 2, 8), new int[] {2}, null, new int[] {0});
        Tensor[] expected = maxPool(reference(), g, x);
        Tensor[] actual = maxPool(underTest(), g, x);
        assertArrayEquals(bits(expected[0].toFloatArray()), bits(actual[0].toFloatArray()), "values' bits");
        assertArrayEquals(expected[1].toLongArray(), actual[1].toLongArray(), "indices");
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    /** Index {@code h * width + w} of the first maximum of each window in row-major order, padding excluded. */
    private static long[] firstMaximumIndices(Pool2dGeometry g, double[] x) {
        int planes = g.batch() * g.channels();
        long[] out = new long[planes * g.outH() * g.outW()];
        int k = 0;
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    double best = Double.NEGATIVE_INFINITY;
                    long where = -1;
                    for (int kh = 0; kh < g.kernelH(); kh++) {
                        for (int kw = 0; kw < g.kernelW(); kw++) {
                            int h = oh * g.strideH() - g.padH() + kh;
                            int w = ow * g.strideW() - g.padW() + kw;
                            if (h >= 0 && h < g.height() && w >= 0 && w < g.width()) {
                                double v = x[(p * g.height() + h) * g.width() + w];
                                if (v > best) {
                                    best = v;
                                    where = (long) h * g.width() + w;
                                }
                            }
                        }
                    }
                    out[k++] = where;
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void maxPoolingGivesTiedMaximaToTheFirstElementOfTheWindow(Geometry geometry) {
        Pool2dGeometry g = geometry.of();
        double[] x = ties(45, (int) g.inputShape().size(), 0, 1, 2);
        assertParity("maxPool2dForward with ties, " + geometry, new String[] {"values", "indices"}, Tolerance.EXACT,
                b -> maxPool(b, g, x));
        assertArrayEquals(firstMaximumIndices(g, x), maxPool(reference(), g, x)[1].toLongArray(),
                "cpu indices against the first maximum in window order");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void maxPoolingNeverPicksPaddingEvenWhenEveryValueIsNegative(Geometry geometry) {
        Pool2dGeometry g = geometry.of();
        double[] x = uniform(reference(), DType.F32, 46, -2, -1, g.inputShape().dims()).toDoubleArray();
        assertParity("maxPool2dForward of negative values, " + geometry, new String[] {"values", "indices"},
                Tolerance.EXACT, b -> maxPool(b, g, x));
        for (float v : maxPool(underTest(), g, x)[0].toFloatArray()) {
            assertTrue(v < -1 + 1e-6, underTest().name() + ": a maximum of " + v + " came from padding");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void maxPoolingBackwardRoutesEachGradientToItsMaximum(Geometry geometry) {
        Pool2dGeometry g = geometry.of();
        double[] x = ties(47, (int) g.inputShape().size(), -1, 0, 1, 2, 3);
        assertParity("maxPool2dBackward, " + geometry, POOL_F32, b -> {
            Tensor indices = maxPool(b, g, x)[1];
            Tensor gradInput = output(b, DType.F32, g.inputShape());
            b.maxPool2dBackward(random(b, DType.F32, 48, g.outputShape().dims()), indices, g, gradInput);
            return gradInput;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void averagePoolingCountsPaddingAsZerosAndDividesAsPyTorch(Geometry geometry) {
        Pool2dGeometry g = geometry.of();
        assertParity("avgPool2dForward, " + geometry, POOL_F32, b -> {
            Tensor out = output(b, DType.F32, g.outputShape());
            b.avgPool2dForward(uniform(b, DType.F32, 49, 1, 2, g.inputShape().dims()), g, out);
            return out;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void averagePoolingBackwardSpreadsEachGradientOverItsWindow(Geometry geometry) {
        Pool2dGeometry g = geometry.of();
        assertParity("avgPool2dBackward, " + geometry, POOL_F32, b -> {
            Tensor gradInput = output(b, DType.F32, g.inputShape());
            b.avgPool2dBackward(random(b, DType.F32, 50, g.outputShape().dims()), g, gradInput);
            return gradInput;
        });
    }
}
