package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The inverse error function erfinv(y) for y in [-1, 1], composed of tensor operations so that gradients flow and
 * every backend runs it: Giles's single-precision polynomial ("Approximating the erfinv function", 2010; relative
 * error below 4e-7 for |y| up to 1 - 6e-8, worse beyond) refined by three Newton steps to the dtype's precision. For
 * |y| below 1/2 the steps solve erf(x) = y; from 1/2 on they solve log(erfc(|x|)) = log(1 - |y|), where 1 - |y| is
 * exact and the logarithm nearly quadratic, since erf(x) - y would cancel to nothing in the tails. At |y| = 1 - 1e-12
 * the steps take Giles's error of 0.03 to 7e-5, 4e-10 and below 1e-15. erfinv(-1) = -infinity and erfinv(1) =
 * infinity, as PyTorch's.
 */
final class InverseErf {
    private static final double[] CENTRAL = {2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
        0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941};
    private static final double[] TAIL = {-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
        0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682};
    /** Where Giles's two polynomials meet: w = -log(1 - y^2) below it takes the central one. */
    private static final double SPLIT = 5;
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    /** Newton steps, enough from Giles's error at |y| = 1 - 1e-12 (see above). */
    private static final int STEPS = 3;

    private InverseErf() {
    }

    /** erfinv(y), element-wise. */
    static Tensor of(Tensor y) {
        Tensor w = y.square().neg().log1p().neg();
        Tensor central = polynomial(CENTRAL, w.sub(2.5));
        // Clamped, so that the branch not taken has a finite derivative (sqrt's is infinite at 0).
        Tensor tail = polynomial(TAIL, w.clampMin(SPLIT).sqrt().sub(3));
        Tensor x = Tensor.where(w.lt(SPLIT), central, tail).mul(y);
        Tensor inTails = y.abs().ge(0.5);
        Tensor logTailMass = y.abs().neg().log1p();
        for (int step = 0; step < STEPS; step++) {
            // Newton: x - r / erf'(x), erf'(x) = 2 exp(-x^2) / sqrt(pi), r = erf(x) - y in the middle; in the tails
            // r = -sign(y) erfc(|x|) (log(erfc(|x|)) - log(1 - |y|)), the step of Newton on the logarithms.
            Tensor erfc = x.abs().erfc();
            Tensor inTail = y.sign().neg().mul(erfc).mul(erfc.log().sub(logTailMass));
            Tensor residual = Tensor.where(inTails, inTail, x.erf().sub(y));
            x = x.sub(residual.div(x.square().neg().exp().mul(TWO_OVER_SQRT_PI)));
        }
        return x.maskedFill(y.eq(1), Double.POSITIVE_INFINITY).maskedFill(y.eq(-1), Double.NEGATIVE_INFINITY);
    }

    /** Horner's rule for the coefficients from the highest power down. */
    private static Tensor polynomial(double[] coefficients, Tensor w) {
        Tensor p = w.mul(coefficients[0]).add(coefficients[1]);
        for (int i = 2; i < coefficients.length; i++) {
            p = p.mul(w).add(coefficients[i]);
        }
        return p;
    }
}
