package dev.kiln.tutorial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What examples/SpatialTransformer.java and examples/Fgsm.java call as PyTorch's tutorials do, against PyTorch 1.13
 * ({@code models/src/test/pytorch/stn_tutorial.py} prints the reference values): {@code F.affine_grid(theta, size)}
 * and {@code F.grid_sample(x, grid)} with their defaults at the STN tutorial's shapes, outputs and gradients;
 * {@code F.max_pool2d(x, 2)}, {@code F.dropout(x, training=...)} and {@code x.squeeze()}.
 */
class VisionTutorialOpsTest {
    private static final int N = 64;
    private static final int[] SIZE = {N, 1, 28, 28};
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** theta_k = identity_k + 0.3 sin(1.3 k + 0.5): [64, 2, 3], several grid points outside [-1, 1]. */
    private static Tensor theta() {
        double[] identity = {1, 0, 0, 0, 1, 0};
        double[] v = new double[N * 6];
        for (int k = 0; k < v.length; k++) {
            v[k] = identity[k % 6] + 0.3 * Math.sin(1.3 * k + 0.5);
        }
        return Tensor.fromArray(v, N, 2, 3).requiresGrad(true);
    }

    /** f(scale * i) over the flat index i, in shape {@code dims}. */
    private static Tensor wave(DoubleUnaryOperator f, double scale, int... dims) {
        double[] v = new double[Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(scale * i);
        }
        return Tensor.fromArray(v, dims);
    }

    private static double weightedSum(Tensor t, DoubleUnaryOperator f, double scale) {
        return t.mul(wave(f, scale, t.shape().dims())).sum().item();
    }

    @Test
    void affineGridAndGridSampleWithPyTorchsDefaultsMatchItAtTheTutorialsShapes() {
        Tensor theta = theta();
        Tensor x = wave(Math::sin, 0.7, SIZE).requiresGrad(true);

        Tensor grid = F.affineGrid(theta, SIZE);
        Tensor out = F.gridSample(x, grid);
        Tensor loss = out.mul(wave(Math::cos, 0.37, SIZE)).sum();
        loss.backward();

        assertArrayEquals(new int[] {N, 28, 28, 2}, grid.shape().dims());
        assertArrayEquals(SIZE, out.shape().dims());
        assertEquals(7.7655804344759, weightedSum(grid, Math::cos, 0.11), 1e-9);
        assertEquals(5.21970400353305, loss.item(), 1e-9);
        assertArrayEquals(new double[] {0.872383860833921, 0.884011431440678, 0.607029957545012, 0.0856761959749655,
                -0.412536144053552, -0.782810389155596}, Arrays.copyOfRange(out.toDoubleArray(), 14 * 28 + 10,
                14 * 28 + 16), 1e-12);
        double[] thetaGrad = theta.grad().toDoubleArray();
        assertArrayEquals(new double[] {49.2385884998189, -1.90817076583003, 30.374816910987, -6.01381179569041,
                17.5611401187755, 28.171584451168}, Arrays.copyOfRange(thetaGrad, 0, 6), 1e-9);
        assertArrayEquals(new double[] {1.26033359843128, 4.09314723575686, -9.3493747549981, -93.4370330958475,
                -37.2863035236183, -66.0555457399696}, Arrays.copyOfRange(thetaGrad, 63 * 6, 64 * 6), 1e-9);
        assertEquals(-102.454204244158, weightedSum(theta.grad(), Math::sin, 0.9), 1e-8);
        assertEquals(-23.2928771941809, weightedSum(x.grad(), Math::sin, 0.13), 1e-9);
        assertEquals(15769.648266057, x.grad().abs().sum().item(), 1e-7);
    }

    @Test
    void theDefaultsAreBilinearZerosPaddingWithoutAlignedCorners() {
        Tensor theta = theta();
        Tensor x = wave(Math::sin, 0.7, SIZE);
        Tensor explicit = F.gridSample(x, F.affineGrid(theta, SIZE, false), GridSampleMode.BILINEAR,
                GridSamplePadding.ZEROS, false);
        assertArrayEquals(explicit.toDoubleArray(), F.gridSample(x, F.affineGrid(theta, SIZE)).toDoubleArray(), 0);
    }

    @Test
    void theIdentityThetaThatTheTutorialsRegressorStartsFromLeavesTheImagesAsTheyAre() {
        // fc_loc[2]'s zero weight and bias (1, 0, 0, 0, 1, 0): every image's theta is the identity, in F32.
        float[] identity = new float[N * 6];
        for (int n = 0; n < N; n++) {
            identity[n * 6] = 1;
            identity[n * 6 + 4] = 1;
        }
        Tensor x = wave(Math::sin, 0.7, SIZE).to(DType.F32);
        Tensor out = F.gridSample(x, F.affineGrid(Tensor.fromArray(identity, N, 2, 3), SIZE));
        assertEquals(0, out.sub(x).abs().max().item(), 1e-6);
    }

    @Test
    void maxPool2dOfAKernelAloneStridesByTheKernel() {
        Tensor x = wave(Math::sin, 0.3, 2, 3, 8, 8).to(DType.F32);
        Tensor pooled = F.maxPool2d(x, 2);
        assertArrayEquals(new int[] {2, 3, 4, 4}, pooled.shape().dims());
        assertArrayEquals(F.maxPool2d(x, 2, 2, 0).toFloatArray(), pooled.toFloatArray(), 0f);
    }

    @Test
    void dropoutWithoutPDropsHalfAndDoublesTheRestInTrainingAndNothingInEvaluation() {
        Tensor x = Tensor.ones(100_000);
        float[] kept = F.dropout(x, true).toFloatArray();
        long zeros = 0;
        for (float v : kept) {
            assertTrue(v == 0 || v == 2, "an element neither dropped nor scaled by 1 / (1 - 0.5): " + v);
            zeros += v == 0 ? 1 : 0;
        }
        assertEquals(0.5, zeros / 100_000.0, 0.01, "the fraction dropped");
        assertSame(x, F.dropout(x, false));
    }

    @Test
    void squeezeRemovesEveryAxisOfSizeOneAsPyTorchs() {
        assertArrayEquals(new int[] {28, 28}, Tensor.zeros(1, 1, 28, 28).squeeze().shape().dims());
        assertArrayEquals(new int[] {2, 3}, Tensor.zeros(2, 1, 3, 1).squeeze().shape().dims());
        assertArrayEquals(new int[] {}, Tensor.zeros(1, 1).squeeze().shape().dims());
        Tensor noOnes = Tensor.zeros(2, 3);
        assertSame(noOnes, noOnes.squeeze());
    }

    @Test
    void squeezeOfA0dTensorLeavesIt0d() {
        // stn_tutorial.py: squeeze [] -> []
        assertArrayEquals(new int[] {}, Tensor.scalar(3).squeeze().shape().dims());
    }

    @Test
    void squeezeKeepsAnEmptyAxis() {
        // stn_tutorial.py: squeeze [0, 1, 3] -> [0, 3]
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 1, 3).squeeze().shape().dims());
    }

    @Test
    void squeezingAllOnesToA0dTensorPassesTheGradientBackInTheInputsShape() {
        // stn_tutorial.py: [1, 1].squeeze() is 0-d; (5 * it).backward() gives grad [1, 1] [5.0]
        Tensor ones = Tensor.ones(1, 1).requiresGrad(true);
        ones.squeeze().mul(5).backward();
        assertArrayEquals(new int[] {1, 1}, ones.grad().shape().dims());
        assertArrayEquals(new float[] {5}, ones.grad().toFloatArray(), 0f);
    }

    @Test
    void squeezePassesTheGradientBackInTheInputsShape() {
        Tensor x = Tensor.ones(1, 3, 1).requiresGrad(true);
        x.squeeze().mul(Tensor.fromArray(new float[] {1, 2, 3}, 3)).sum().backward();
        assertArrayEquals(new int[] {1, 3, 1}, x.grad().shape().dims());
        assertArrayEquals(new float[] {1, 2, 3}, x.grad().toFloatArray(), 0f);
    }
}
