package dev.kiln.engine;

/**
 * The backend's batched complex FFT ({@link Backend#fft}) as one recorded op along the axis before the trailing pair
 * of a view_as_real tensor. Its gradient is its adjoint: the real form of a complex matrix transposes to that of its
 * conjugate transpose, and the DFT matrix of sign s is symmetric with conjugate the one of sign -s, so the gradient
 * of {@code scale * DFT_s(x)} is {@code scale * DFT_-s(g)}: the same op the other way, recorded when the backward pass
 * records its graph, so that gradients of any order run the FFT too.
 */
final class ComplexFft {
    private static final String OP = "fft";

    private ComplexFft() {
    }

    /** {@code scale * DFT(x)} of x [..., n, 2] along axis rank - 2, forward or {@code inverse}: x's shape. */
    static Tensor transform(Tensor x, boolean inverse, double scale) {
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        x.backend().fft(x, inverse, scale, out);
        out.record(OP, new Tensor[] {x}, Node.differentiable(g -> new Tensor[] {transform(g, !inverse, scale)}));
        return out;
    }
}
