package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The convolutions that the CPU backend's two kernels are compared on, and the comparison. Each family that
 * OpenBLAS's path handles differently or that oneDNN takes as another parameter: padding, stride (also one that
 * leaves input pixels unread, where oneDNN's right padding would be negative), dilation, rectangular kernels with
 * per-axis stride and padding, a single input channel (LeNet's first layer), a plane smaller than oneDNN's channel
 * block, 1 x 1 shortcuts, a batch of one, padding beyond the kernel, a kernel beyond its input, a stride beyond the
 * kernel, groups, depthwise, and depthwise with two filters per channel.
 */
final class ConvolutionCases {
    /**
     * Largest difference allowed between the kernels, relative to the largest magnitude of the OpenBLAS result. Both
     * sum the same products in F32 in different orders; each result's rounding error is about
     * {@code eps * sqrt(terms)} of the magnitudes summed, {@code 6e-8 * sqrt(4,608) = 4e-6} for the longest sums
     * here (LeNet's weight gradient, over 8 images of 24 x 24 outputs), and the differences measured stay below
     * 1e-6 (9.7e-7 there). A wrong
     * layout, padding, stride or group differs by the order of the values themselves.
     */
    static final double TOLERANCE = 1e-5;

    private ConvolutionCases() {
    }

    /** A named convolution. */
    record Case(String name, GroupedConv2dGeometry geometry) {
        @Override
        public String toString() {
            return name;
        }

        Conv2dGeometry plain() {
            return geometry.group();
        }
    }

    static List<Case> plain() {
        return List.of(
                plain("3x3, padding 1 (ResNet)", 4, 16, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1),
                plain("3x3, stride 2, padding 1", 4, 8, 11, 11, 16, 3, 3, 2, 2, 1, 1, 1, 1),
                plain("1x1, stride 2, no padding (shortcut, last row unread)", 4, 16, 9, 9, 32, 1, 1, 2, 2, 0, 0, 1, 1),
                plain("3x3, stride 2, no padding, pixels unread", 3, 8, 8, 8, 8, 3, 3, 2, 2, 0, 0, 1, 1),
                plain("3x3, dilation 2, padding 2", 2, 8, 10, 10, 8, 3, 3, 1, 1, 2, 2, 2, 2),
                plain("3x5, stride (2, 1), padding (1, 2), dilation (1, 2)", 2, 6, 9, 13, 10, 3, 5, 2, 1, 1, 2, 1, 2),
                plain("5x5 on one channel (LeNet's first layer)", 8, 1, 28, 28, 6, 5, 5, 1, 1, 0, 0, 1, 1),
                plain("3 to 7 channels, 4x4 plane", 5, 3, 4, 4, 7, 3, 3, 1, 1, 1, 1, 1, 1),
                plain("batch of one", 1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1),
                plain("1x1, padding 2 (padding beyond the kernel)", 3, 4, 5, 5, 6, 1, 1, 1, 1, 2, 2, 1, 1),
                plain("3x3 on a 2x2 plane, padding 2 (kernel beyond the input)", 3, 4, 2, 2, 6, 3, 3, 1, 1, 2, 2, 1, 1),
                plain("2x2, stride 4, padding 1 (stride beyond the kernel)", 3, 8, 11, 10, 16, 2, 2, 4, 4, 1, 1, 1, 1));
    }

    static List<Case> grouped() {
        return List.of(
                grouped("2 groups of 8 channels", 4, 16, 10, 10, 24, 3, 3, 1, 1, 2),
                grouped("depthwise, 16 channels", 4, 16, 10, 10, 16, 3, 3, 1, 1, 16),
                grouped("depthwise, stride 2, two filters a channel", 4, 8, 11, 11, 16, 3, 3, 2, 1, 8));
    }

    private static Case plain(String name, int n, int c, int h, int w, int outC, int kh, int kw, int sh, int sw,
                              int ph, int pw, int dh, int dw) {
        return new Case(name, new GroupedConv2dGeometry(Conv2dGeometry.of(name, Shape.of(n, c, h, w),
                Shape.of(outC, c, kh, kw), new int[] {sh, sw}, new int[] {ph, pw}, new int[] {dh, dw}), 1));
    }

    private static Case grouped(String name, int n, int c, int h, int w, int outC, int kh, int kw, int stride,
                                int padding, int groups) {
        return new Case(name, GroupedConv2dGeometry.of(name, Shape.of(n, c, h, w), Shape.of(outC, c / groups, kh, kw),
                new int[] {stride}, new int[] {padding}, new int[] {1}, groups));
    }

    /** A tensor of {@code shape} on {@code backend} holding values drawn evenly from [-1, 1) with {@code seed}. */
    static Tensor random(CpuBackend backend, Shape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        Tensor t = Tensor.empty(shape, DType.F32, backend);
        backend.copyFromHost(FloatBuffer.wrap(values), t);
        return t;
    }

    /** Asserts that {@code actual} is within {@link #TOLERANCE} of {@code expected}'s largest magnitude of it. */
    static void assertClose(String what, Tensor expected, Tensor actual) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        assertTrue(scale > 0, what + ": the expected values are all zero, which compares nothing");
        assertTrue(worst <= TOLERANCE * scale, what + ": differs by " + worst + " where the values reach " + scale
                + " (relative " + worst / scale + ", allowed " + TOLERANCE + ")");
    }
}
