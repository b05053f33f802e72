package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Fft;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Fft}'s n-dimensional complex transforms, the transforms of real tensors and stft's pad modes: F64
 * finite-difference gradient checks, second derivatives of the one-axis transforms (whose gradients are the FFT the
 * other way, and the real-input FFT and its adjoint each other's), round trips, and the errors. Values against PyTorch
 * are in {@link FftNdPyTorchParityTest}.
 */
class FftNdTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        Engine.seed(20261207L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    static Stream<Arguments> differentiable() {
        return Stream.of(
                Arguments.of("fft2 zero-padded", new int[] {2, 3, 2, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.fft2(in[0], new int[] {4, 3}, null, "ortho")),
                Arguments.of("ifft2 dims (0, 2) trimmed", new int[] {3, 2, 4, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.ifft2(in[0], new int[] {2, 3}, new int[] {0, 2}, null)),
                Arguments.of("fftn of every axis", new int[] {2, 3, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.fftn(in[0])),
                Arguments.of("ifftn forward", new int[] {3, 2, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.ifftn(in[0], null, null, "forward")),
                Arguments.of("fft of a real tensor", new int[] {2, 5}, (Function<Tensor[], Tensor>)
                        in -> Fft.fftOfReal(in[0], 6, -1, null)),
                Arguments.of("ifft of a real tensor", new int[] {4, 3}, (Function<Tensor[], Tensor>)
                        in -> Fft.ifftOfReal(in[0], -1, 0, "ortho")),
                Arguments.of("fft of prime length 17", new int[] {17, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.fft(in[0])),
                Arguments.of("stft pad mode constant", new int[] {2, 20}, (Function<Tensor[], Tensor>)
                        in -> Fft.stft(in[0], 6, 2, null, true, PaddingMode.ZEROS, false, true)),
                Arguments.of("stft pad mode replicate", new int[] {20}, (Function<Tensor[], Tensor>)
                        in -> Fft.stft(in[0], 6, 2, null, true, PaddingMode.REPLICATE, true, true)),
                Arguments.of("stft pad mode circular", new int[] {20}, (Function<Tensor[], Tensor>)
                        in -> Fft.stft(in[0], 6, 2, null, true, PaddingMode.CIRCULAR, false, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiable")
    void gradientMatchesFiniteDifferences(String name, int[] dims, Function<Tensor[], Tensor> f) {
        GradCheck.check(name, f, input(dims));
    }

    /**
     * Transforms squared, so that their gradients depend on the input: the second derivative runs through the
     * transforms' recorded backward rules (a linear op alone has a gradient that does not depend on its input).
     */
    static Stream<Arguments> twiceDifferentiable() {
        return Stream.of(
                Arguments.of("fft", new int[] {2, 5, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.fft(in[0]).square()),
                Arguments.of("ifft of prime length 17", new int[] {17, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.ifft(in[0]).square()),
                Arguments.of("rfft", new int[] {3, 6}, (Function<Tensor[], Tensor>)
                        in -> Fft.rfft(in[0], -1, -1, "ortho").square()),
                Arguments.of("irfft odd n", new int[] {2, 4, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.irfft(in[0], 7, -1, null).square()),
                Arguments.of("stft", new int[] {16}, (Function<Tensor[], Tensor>)
                        in -> Fft.stft(in[0], 6, 2, null).square()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("twiceDifferentiable")
    void secondDerivativeMatchesFiniteDifferences(String name, int[] dims, Function<Tensor[], Tensor> f) {
        DoubleBackwardTest.checkSecondOrder(name, f, input(dims));
    }

    @Test
    void ifftnOfFftnGivesTheSignalBack() {
        Tensor c = Tensor.randn(DType.F64, 3, 4, 5, 2);
        assertClose(c, Fft.ifftn(Fft.fftn(c)), 1e-12);
        assertClose(c, Fft.ifft2(Fft.fft2(c, null, null, "ortho"), null, null, "ortho"), 1e-12);
    }

    @Test
    void theFftOfARealTensorHasTheRfftAsItsFirstHalf() {
        Tensor x = Tensor.randn(DType.F64, 3, 10);
        assertClose(Fft.rfft(x), Fft.fftOfReal(x).narrow(1, 0, 6), 1e-12);
        assertClose(Fft.ifft(Fft.fftOfReal(x)).narrow(2, 0, 1).squeeze(2), x, 1e-12);
    }

    @Test
    void ifftOfARealTensorIsTheConjugateOfItsFftOverN() {
        Tensor x = Tensor.randn(DType.F64, 7);
        double[] forward = Fft.fftOfReal(x).toDoubleArray();
        double[] inverse = Fft.ifftOfReal(x).toDoubleArray();
        for (int k = 0; k < forward.length; k++) {
            assertEquals((k % 2 == 0 ? 1 : -1) * forward[k] / 7, inverse[k], 1e-13, "element " + k);
        }
    }

    @ParameterizedTest
    @EnumSource(PaddingMode.class)
    void istftOfStftGivesTheSignalBackInEveryPadMode(PaddingMode mode) {
        Tensor x = Tensor.randn(DType.F64, 2, 50);
        Tensor window = Fft.hannWindow(16, true, DType.F64);
        Tensor spectrum = Fft.stft(x, 16, 4, window, true, mode, false, true);
        assertClose(x, Fft.istft(spectrum, 16, 4, window, true, false, true, 50), 1e-12);
    }

    @Test
    void reflectIsTheDefaultPadMode() {
        Tensor x = Tensor.randn(DType.F64, 30);
        assertClose(Fft.stft(x, 8, 3, null), Fft.stft(x, 8, 3, null, true, PaddingMode.REFLECT, false, true), 0);
    }

    @Test
    void aNullPadModeIsRefusedWithTheModes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.stft(Tensor.zeros(DType.F32, 40), 8, 2, null, true, null, false, true));
        assertTrue(e.getMessage().startsWith("stft") && e.getMessage().contains("CIRCULAR"), e.getMessage());
    }

    @Test
    void circularPaddingRefusesASignalShorterThanItsWrap() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.stft(Tensor.zeros(DType.F32, 3), 8, 2, null, true, PaddingMode.CIRCULAR, false, true));
        assertTrue(e.getMessage().contains("n_fft / 2 = 4") && e.getMessage().contains("length 3"), e.getMessage());
    }

    @Test
    void replicationPadsASignalShorterThanHalfAFrame() {
        Tensor x = Tensor.ones(DType.F64, 3);
        Tensor spectrum = Fft.stft(x, 8, 2, null, true, PaddingMode.REPLICATE, false, true);
        assertEquals(8, spectrum.narrow(0, 0, 1).narrow(1, 0, 1).narrow(2, 0, 1).item(), 1e-12,
                "a constant's DC bin in the first frame");
    }

    @Test
    void fftnRefusesAnAxisNamedTwiceAndSizesThatDoNotMatchItsDims() {
        Tensor c = Tensor.zeros(DType.F64, 3, 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.fftn(c, null, new int[] {1, -1}, null));
        assertTrue(e.getMessage().startsWith("fftn") && e.getMessage().contains("[1, -1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Fft.ifft2(c, new int[] {3}, null, null));
        assertTrue(e.getMessage().startsWith("ifft2") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void theTransformsOfRealTensorsRefuseIntegers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.ifftOfReal(Tensor.zeros(DType.I64, 4)));
        assertTrue(e.getMessage().startsWith("ifftOfReal"), e.getMessage());
    }

    private static Tensor input(int... dims) {
        return Tensor.uniform(-1, 1, DType.F64, dims).requiresGrad(true);
    }

    private static void assertClose(Tensor expected, Tensor actual, double tolerance) {
        assertEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tolerance);
    }
}
