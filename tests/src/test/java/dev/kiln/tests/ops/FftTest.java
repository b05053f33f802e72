package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Fft;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Fft}: F64 finite-difference gradient checks of every transform (first order; second order for abs and angle,
 * whose gradients are their own rules), round trips (irfft of rfft with odd and even n, ifft of fft, irfft2 of rfft2,
 * istft of stft), and the errors for a tensor that is not in view_as_real form, a bad norm and a bad n. Values against
 * PyTorch are in {@link FftPyTorchParityTest}. Transforms free their intermediates (moved axes, padded copies) as they
 * go.
 */
class FftTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        Engine.seed(20261206L);
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    static Stream<Arguments> differentiable() {
        return Stream.of(
                Arguments.of("rfft zero-padded", new int[] {3, 5}, (Function<Tensor[], Tensor>)
                        in -> Fft.rfft(in[0], 8, -1, "ortho")),
                Arguments.of("rfft trimmed along dim 0", new int[] {7, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.rfft(in[0], 5, 0, null)),
                Arguments.of("irfft odd n", new int[] {2, 4, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.irfft(in[0], 7, -1, "backward")),
                Arguments.of("irfft even n from more bins", new int[] {6, 3, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.irfft(in[0], 6, 0, "forward")),
                Arguments.of("fft", new int[] {2, 5, 2}, (Function<Tensor[], Tensor>) in -> Fft.fft(in[0], 6, 1, null)),
                Arguments.of("ifft", new int[] {4, 3, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.ifft(in[0], 3, 0, "ortho")),
                Arguments.of("rfft2", new int[] {2, 3, 4}, (Function<Tensor[], Tensor>) in -> Fft.rfft2(in[0])),
                Arguments.of("irfft2", new int[] {3, 3, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.irfft2(in[0], new int[] {4, 5}, new int[] {0, 1}, "ortho")),
                Arguments.of("fftshift", new int[] {3, 4}, (Function<Tensor[], Tensor>) in -> Fft.fftshift(in[0])),
                Arguments.of("abs", new int[] {3, 2}, (Function<Tensor[], Tensor>) in -> Fft.abs(in[0])),
                Arguments.of("angle", new int[] {3, 2}, (Function<Tensor[], Tensor>) in -> Fft.angle(in[0])),
                Arguments.of("stft", new int[] {2, 20}, (Function<Tensor[], Tensor>)
                        in -> Fft.stft(in[0], 6, 2, Fft.hannWindow(6, true, DType.F64))),
                Arguments.of("istft", new int[] {4, 7, 2}, (Function<Tensor[], Tensor>)
                        in -> Fft.istft(in[0], 6, 2, Fft.hannWindow(6, true, DType.F64))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiable")
    void gradientMatchesFiniteDifferences(String name, int[] dims, Function<Tensor[], Tensor> f) {
        GradCheck.check(name, f, input(dims));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"abs", "angle"})
    void secondDerivativeOfTheComplexPartsMatchesFiniteDifferences(String name) {
        Function<Tensor, Tensor> f = name.equals("abs") ? Fft::abs : Fft::angle;
        DoubleBackwardTest.checkSecondOrder(name, in -> f.apply(in[0]), input(3, 2));
    }

    @Test
    void theWindowsGradientMatchesFiniteDifferences() {
        Tensor window = Fft.hannWindow(6, false, DType.F64).add(0.25).requiresGrad(true);
        GradCheck.check("stft window", in -> Fft.stft(in[0], 6, 2, in[1]), input(20), window);
        GradCheck.check("istft window", in -> Fft.istft(in[0], 6, 2, in[1]), input(4, 7, 2), window);
    }

    @ParameterizedTest(name = "n {0}")
    @ValueSource(ints = {7, 8})
    void irfftOfRfftGivesTheSignalBackForOddAndEvenN(int n) {
        Tensor x = Tensor.randn(DType.F64, 3, n);
        assertClose(x, Fft.irfft(Fft.rfft(x), n, -1, null), 1e-12);
        assertClose(x, Fft.irfft(Fft.rfft(x, -1, -1, "ortho"), n, -1, "ortho"), 1e-12);
    }

    @Test
    void ifftOfFftGivesTheSignalBack() {
        Tensor c = Tensor.randn(DType.F64, 5, 4, 2);
        assertClose(c, Fft.ifft(Fft.fft(c, -1, 0, "forward"), -1, 0, "forward"), 1e-12);
    }

    @Test
    void irfft2OfRfft2GivesTheSignalBack() {
        Tensor x = Tensor.randn(DType.F64, 2, 5, 7);
        assertClose(x, Fft.irfft2(Fft.rfft2(x), new int[] {5, 7}, new int[] {-2, -1}, null), 1e-12);
    }

    @Test
    void nullDimsAreTheLastTwoAxes() {
        Tensor x = Tensor.randn(DType.F64, 2, 5, 7);
        Tensor spectrum = Fft.rfft2(x, new int[] {4, 6}, null, "ortho");
        assertClose(Fft.rfft2(x, new int[] {4, 6}, new int[] {-2, -1}, "ortho"), spectrum, 0);
        assertClose(Fft.irfft2(spectrum, new int[] {4, 6}, new int[] {-2, -1}, "ortho"),
                Fft.irfft2(spectrum, new int[] {4, 6}, null, "ortho"), 0);
    }

    @Test
    void istftOfStftGivesTheSignalBack() {
        Tensor x = Tensor.randn(DType.F64, 2, 50);
        Tensor window = Fft.hannWindow(16, true, DType.F64);
        Tensor spectrum = Fft.stft(x, 16, 4, window);
        assertEquals(Shape.of(2, 9, 13, 2), spectrum.shape(), "[batch, n_fft / 2 + 1, 1 + 50 / 4, 2]");
        assertClose(x, Fft.istft(spectrum, 16, 4, window, true, false, true, 50), 1e-12);
    }

    @Test
    void stftWithAHopPastNFftTransformsEachFrameAndSkipsTheSamplesBetween() {
        Tensor x = Tensor.randn(DType.F64, 23);
        Tensor spectrum = Fft.stft(x, 4, 6, null, false, false, true);
        assertEquals(Shape.of(3, 4, 2), spectrum.shape(), "[n_fft / 2 + 1, 1 + (23 - 4) / 6, 2]");
        for (int t = 0; t < 4; t++) {
            assertClose(Fft.rfft(x.narrow(0, 6 * t, 4)), spectrum.narrow(1, t, 1).reshape(3, 2), 1e-12);
        }
        GradCheck.check("stft hop past n_fft", in -> Fft.stft(in[0], 4, 6, null, false, false, true), input(23));
    }

    @Test
    void rfftOfACosineHasItsEnergyInItsBin() {
        double[] v = new double[16];
        for (int j = 0; j < v.length; j++) {
            v[j] = Math.cos(2 * Math.PI * 3 * j / 16);
        }
        double[] magnitudes = Fft.abs(Fft.rfft(Tensor.fromArray(v, 16))).toDoubleArray();
        for (int k = 0; k < magnitudes.length; k++) {
            assertEquals(k == 3 ? 8 : 0, magnitudes[k], 1e-12, "bin " + k);
        }
    }

    @Test
    void aComplexInputWithoutATrailingPairIsRefusedWithItsShape() {
        Tensor c = Tensor.zeros(DType.F32, 4, 3);
        for (Function<Tensor, Tensor> op : List.<Function<Tensor, Tensor>>of(Fft::fft, Fft::ifft, Fft::irfft,
                Fft::irfft2, Fft::abs, Fft::angle)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.apply(c));
            assertTrue(e.getMessage().contains("[..., 2]") && e.getMessage().contains("[4, 3]"), e.getMessage());
        }
    }

    @Test
    void aNormOutsideTheThreeModesIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.rfft(Tensor.zeros(DType.F32, 4), -1, -1, "unitary"));
        assertTrue(e.getMessage().contains("\"unitary\"") && e.getMessage().contains("\"ortho\""), e.getMessage());
    }

    @Test
    void twoDimensionalTransformsRefuseAnAxisNamedTwice() {
        Tensor x = Tensor.zeros(DType.F64, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.rfft2(x, null, new int[] {1, -1}, null));
        assertTrue(e.getMessage().startsWith("rfft2") && e.getMessage().contains("[1, -1]"), e.getMessage());
        Tensor c = Tensor.zeros(DType.F64, 3, 3, 2);
        e = assertThrows(IllegalArgumentException.class, () -> Fft.irfft2(c, null, new int[] {0, 0}, null));
        assertTrue(e.getMessage().startsWith("irfft2") && e.getMessage().contains("[0, 0]"), e.getMessage());
    }

    @Test
    void aNumberOfPointsBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Fft.rfft(Tensor.zeros(DType.F32, 4), 0, -1, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.irfft(Tensor.zeros(DType.F32, 1, 2)));
        assertTrue(e.getMessage().contains("got 0 from the input's length"), e.getMessage());
    }

    @Test
    void aWindowLongerThanNFftIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Fft.stft(Tensor.zeros(DType.F32, 40), 8, 2, Fft.hannWindow(9, true, DType.F32)));
    }

    @Test
    void centringRefusesASignalNoLongerThanItsReflection() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.stft(Tensor.zeros(DType.F32, 4), 8, 2, null));
        assertTrue(e.getMessage().contains("n_fft / 2 = 4") && e.getMessage().contains("length 4"), e.getMessage());
    }

    @Test
    void istftRefusesANegativeLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.istft(Tensor.ones(DType.F64, 5, 6, 2), 8, 4, null, true, false, true, -2));
        assertTrue(e.getMessage().contains("got -2"), e.getMessage());
    }

    @Test
    void istftRefusesAWindowThatLeavesSamplesUncovered() {
        Tensor window = Tensor.fromArray(new double[] {1, 0, 0, 0, 0, 0, 0, 0}, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fft.istft(Tensor.ones(DType.F64, 5, 6, 2), 8, 4, window));
        assertTrue(e.getMessage().contains("1e-11"), e.getMessage());
    }

    @Test
    void fftshiftAndIfftshiftAreInverseForOddLengths() {
        Tensor x = Tensor.arange(0, 15, 1, DType.F64).reshape(3, 5);
        assertArrayEquals(x.toDoubleArray(), Fft.ifftshift(Fft.fftshift(x)).toDoubleArray());
        assertArrayEquals(new double[] {3, 4, 0, 1, 2}, Fft.fftshift(x, 1).narrow(0, 0, 1).toDoubleArray());
    }

    @Test
    void transformsWithoutAScopeKeepNoneOfTheirSteps() {
        BytesInUse.settle();
        Backend backend = Engine.get().backend();
        Map<int[], Function<Tensor, Tensor>> ops = Map.of(new int[] {64, 256}, x -> Fft.rfft(x, 40, 0, "ortho"),
                new int[] {8, 16, 32}, Fft::rfft2, new int[] {64, 128, 2}, Fft::irfft2,
                new int[] {4, 4096}, x -> Fft.stft(x, 32, 8, null),
                new int[] {8, 64, 16, 2}, x -> Fft.istft(x, 126, 32, null));
        ops.forEach((dims, op) -> {
            long before = backend.bytesInUse();
            Tensor x = Tensor.randn(DType.F32, dims);
            Tensor result = op.apply(x);
            x.close();
            result.close();
            assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the input "
                    + Arrays.toString(dims) + " and the result");
        });
    }

    @Test
    void f32WindowsAndFrequenciesKeepNoneOfTheirSteps() {
        BytesInUse.settle();
        Backend backend = Engine.get().backend();
        long before = backend.bytesInUse();
        List.of(Fft.hannWindow(400, true, DType.F32), Fft.fftfreq(400, 0.5, DType.F32),
                Fft.rfftfreq(400, 0.5, DType.F32)).forEach(Tensor::close);
        assertEquals(before, backend.bytesInUse(), "bytes still in use after closing the window and the frequencies");
    }

    private static Tensor input(int... dims) {
        return Tensor.uniform(-1, 1, DType.F64, dims).requiresGrad(true);
    }

    private static void assertClose(Tensor expected, Tensor actual, double tolerance) {
        assertEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tolerance);
    }
}
