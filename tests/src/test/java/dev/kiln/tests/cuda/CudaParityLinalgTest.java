package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.uniform;

import dev.kiln.engine.DType;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Tensor;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Linalg} on the backend under test against the CPU: the Cholesky factor of a batch of 8 covariances
 * {@code M M^T / n + I} (n = 16), triangular and Cholesky solves with it, LU solves, the inverse, det and slogdet of
 * {@code G + 4 I}, and the gradients of M, G and the right-hand sides through a weighted sum of all of them; the
 * reduced QR and SVD of batches of 20 x 16 matrices, the eigen-decomposition of {@code M + M^T}, the pseudo-inverse
 * and matrix norms of 16 x 20 matrices and least squares with their transposes, with their gradients; the general
 * eigen-decomposition of 16 x 16 matrices through quantities its order and phases do not change, with its gradient.
 * CUDA
 * inherits the SPI's host factorisations, so its results differ from the CPU's LAPACK by rounding alone.
 */
class CudaParityLinalgTest extends ParityTest {
    private static final int BATCH = 8;
    private static final int N = 16;
    private static final String[] NAMES = {"cholesky", "solveTriangular", "choleskySolve", "solve", "inv", "det",
        "slogdet sign", "slogdet logabsdet", "gradient of M", "gradient of G", "gradient of B"};

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.F64 ? Tolerance.of(1e-10) : Tolerance.of(2e-4);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void factorisationsSolvesAndTheirGradientsMatchTheCpu(DType dtype) {
        assertParity("linalg " + dtype, NAMES, tolerance(dtype), b -> {
            Tensor m = uniform(b, dtype, 150, -1, 1, BATCH, N, N).requiresGrad(true);
            Tensor g = uniform(b, dtype, 151, -1, 1, BATCH, N, N).requiresGrad(true);
            Tensor rhs = uniform(b, dtype, 152, -1, 1, BATCH, N, 3).requiresGrad(true);
            Tensor identity = tensor(b, dtype, identity(), N, N);
            Tensor covariance = m.matmul(m.transpose(-2, -1)).mul(1.0 / N).add(identity);
            Tensor general = g.add(identity.mul(4));
            Tensor lower = Linalg.cholesky(covariance);
            Linalg.SignAndLogAbsDet slogdet = Linalg.slogdet(general);
            Tensor[] results = {lower, Linalg.solveTriangular(lower, rhs, false), Linalg.choleskySolve(rhs, lower),
                Linalg.solve(general, rhs), Linalg.inv(general), Linalg.det(general), slogdet.sign(),
                slogdet.logabsdet()};
            Tensor loss = null;
            for (int k = 0; k < results.length; k++) {
                Tensor weights = uniform(b, dtype, 160 + k, -1, 1, results[k].shape().dims());
                Tensor term = results[k].mul(weights).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            Tensor[] out = Arrays.copyOf(results, NAMES.length);
            out[results.length] = m.grad();
            out[results.length + 1] = g.grad();
            out[results.length + 2] = rhs.grad();
            return out;
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void qrAndItsGradientMatchTheCpu(DType dtype) {
        assertParity("linalg qr " + dtype, new String[] {"Q", "R", "gradient of A"}, tolerance(dtype), b -> {
            Tensor a = uniform(b, dtype, 170, -1, 1, BATCH, N + 4, N).requiresGrad(true);
            Linalg.QR qr = Linalg.qr(a);
            Tensor loss = qr.q().mul(uniform(b, dtype, 171, -1, 1, BATCH, N + 4, N)).sum()
                    .add(qr.r().mul(uniform(b, dtype, 172, -1, 1, BATCH, N, N)).sum());
            loss.backward();
            return new Tensor[] {qr.q(), qr.r(), a.grad()};
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void eighThroughSignInvariantQuantitiesAndItsGradientMatchTheCpu(DType dtype) {
        // The eigenvectors' signs are each solver's choice: V * V and V diag(L) V^T do not depend on them.
        assertParity("linalg eigh " + dtype, new String[] {"eigenvalues", "V * V", "gradient of A"},
                dtype == DType.F64 ? Tolerance.of(1e-9) : Tolerance.of(2e-3), b -> {
                    Tensor m = uniform(b, dtype, 180, -1, 1, BATCH, N, N).requiresGrad(true);
                    Linalg.Eigh eigh = Linalg.eigh(m.add(m.transpose(-2, -1)));
                    Tensor squared = eigh.eigenvectors().mul(eigh.eigenvectors());
                    Tensor loss = eigh.eigenvalues().mul(uniform(b, dtype, 181, -1, 1, BATCH, N)).sum()
                            .add(squared.mul(uniform(b, dtype, 182, -1, 1, BATCH, N, N)).sum());
                    loss.backward();
                    return new Tensor[] {eigh.eigenvalues(), squared, m.grad()};
                });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void svdThroughGaugeInvariantQuantitiesAndItsGradientMatchTheCpu(DType dtype) {
        // The signs of each pair of singular vectors are each solver's choice: U * U and U Vh do not depend on them.
        assertParity("linalg svd " + dtype, new String[] {"S", "U * U", "U Vh", "gradient of A"},
                dtype == DType.F64 ? Tolerance.of(1e-9) : Tolerance.of(2e-3), b -> {
                    Tensor a = uniform(b, dtype, 190, -1, 1, BATCH, N + 4, N).requiresGrad(true);
                    Linalg.SVD svd = Linalg.svd(a, false);
                    Tensor squared = svd.u().mul(svd.u());
                    Tensor product = svd.u().matmul(svd.vh());
                    Tensor loss = svd.s().mul(uniform(b, dtype, 191, -1, 1, BATCH, N)).sum()
                            .add(squared.mul(uniform(b, dtype, 192, -1, 1, BATCH, N + 4, N)).sum())
                            .add(product.mul(uniform(b, dtype, 193, -1, 1, BATCH, N + 4, N)).sum());
                    loss.backward();
                    return new Tensor[] {svd.s(), squared, product, a.grad()};
                });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void pinvMatrixNormsAndLstsqWithTheirGradientMatchTheCpu(DType dtype) {
        assertParity("linalg pinv, norms and lstsq " + dtype, new String[] {"pinv", "nuclear", "spectral", "inf",
            "fro", "lstsq", "gradient of A"}, dtype == DType.F64 ? Tolerance.of(1e-9) : Tolerance.of(2e-3), b -> {
                Tensor a = uniform(b, dtype, 200, -1, 1, BATCH, N, N + 4).requiresGrad(true);
                Tensor tall = a.transpose(-2, -1);
                Tensor[] results = {Linalg.pinv(a), Linalg.matrixNorm(a, "nuc"), Linalg.matrixNorm(a, 2),
                    Linalg.matrixNorm(a, Double.POSITIVE_INFINITY), Linalg.matrixNorm(a, "fro"),
                    Linalg.lstsq(tall, uniform(b, dtype, 210, -1, 1, N + 4, 3))};
                Tensor loss = null;
                for (int k = 0; k < results.length; k++) {
                    Tensor term = results[k].mul(uniform(b, dtype, 201 + k, -1, 1, results[k].shape().dims())).sum();
                    loss = loss == null ? term : loss.add(term);
                }
                loss.backward();
                Tensor[] out = Arrays.copyOf(results, results.length + 1);
                out[results.length] = a.grad();
                return out;
            });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aSymmetricPinvWithItsGradientMatchesTheCpu(DType dtype) {
        assertParity("linalg pinv hermitian " + dtype, new String[] {"pinv", "gradient of A"},
                dtype == DType.F64 ? Tolerance.of(1e-9) : Tolerance.of(2e-3), b -> {
                    Tensor m = uniform(b, dtype, 220, -1, 1, BATCH, N, N);
                    Tensor a = m.add(m.transpose(-2, -1)).detach().requiresGrad(true);
                    Tensor pinv = Linalg.pinv(a, true);
                    pinv.mul(uniform(b, dtype, 221, -1, 1, BATCH, N, N)).sum().backward();
                    return new Tensor[] {pinv, a.grad()};
                });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void eigThroughOrderAndPhaseInvariantQuantitiesAndItsGradientMatchTheCpu(DType dtype) {
        // The eigenvalues' order and the vectors' phases are each solver's choice: sums over the eigenvalues of
        // functions of them and of |V|^2's columns do not depend on either.
        assertParity("linalg eig " + dtype, new String[] {"sum re^3 + im^2 / 2", "sum u_k re_i |V_ki|^2",
            "gradient of A"}, dtype == DType.F64 ? Tolerance.of(1e-9) : Tolerance.of(2e-3), b -> {
                Tensor a = uniform(b, dtype, 230, -1, 1, BATCH, N, N).requiresGrad(true);
                Linalg.Eig eig = Linalg.eig(a);
                Tensor re = eig.eigenvalues().narrow(-1, 0, 1).squeeze(-1);
                Tensor im = eig.eigenvalues().narrow(-1, 1, 1).squeeze(-1);
                Tensor vr = eig.eigenvectors().narrow(-1, 0, 1).squeeze(-1);
                Tensor vi = eig.eigenvectors().narrow(-1, 1, 1).squeeze(-1);
                Tensor values = re.mul(re).mul(re).add(im.mul(im).mul(0.5)).sum(-1, false);
                Tensor vectors = uniform(b, dtype, 231, -1, 1, N, 1).mul(re.unsqueeze(-2))
                        .mul(vr.mul(vr).add(vi.mul(vi))).sum(-1, false).sum(-1, false);
                values.add(vectors).sum().backward();
                return new Tensor[] {values, vectors, a.grad()};
            });
    }

    private static double[] identity() {
        double[] eye = new double[N * N];
        for (int i = 0; i < N; i++) {
            eye[i * N + i] = 1;
        }
        return eye;
    }
}
