"""Prints the data of GammaCdfTest (models/src/test/java/dev/kiln/distributions/), the end of its file from the line
"Printed by": the cdf of Gamma(concentration, rate) and of Chi2(df), which PyTorch 1.13 lacks, as the numerical
integral of the density from 0 (mpmath's tanh-sinh quadrature at 40 digits, which copes with the density's singularity
at 0 where the concentration is below 1), not from an incomplete gamma function. Run with /usr/bin/python3 (mpmath)."""
import mpmath

from pointwise_math import array

CONCENTRATION = [0.5, 2.0, 7.5, 1.0, 30.0]
RATE = [1.0, 0.5, 3.0, 2.0, 1.5]
VALUE = [0.3, 4.0, 2.5, 0.125, 22.0]
DF = [1.0, 3.0, 10.0, 0.6]
CHI2_VALUE = [0.5, 2.0, 12.0, 3.0]


def cdf(alpha, rate, x):
    alpha, rate = mpmath.mpf(alpha), mpmath.mpf(rate)
    density = lambda t: rate ** alpha * t ** (alpha - 1) * mpmath.exp(-rate * t) / mpmath.gamma(alpha)
    return float(mpmath.quad(density, [0, x]))


if __name__ == "__main__":
    mpmath.mp.dps = 40
    print("    // Printed by models/src/test/pytorch/gamma_cdf.py (mpmath %s).\n" % mpmath.__version__)
    for name, values in [("CONCENTRATION", CONCENTRATION), ("RATE", RATE), ("VALUE", VALUE), ("DF", DF),
                         ("CHI2_VALUE", CHI2_VALUE)]:
        print("    private static final double[] %s = %s;" % (name, array(values)))
    print("    private static final double[] GAMMA_CDF = %s;"
          % array([cdf(a, r, x) for a, r, x in zip(CONCENTRATION, RATE, VALUE)]))
    print("    private static final double[] CHI2_CDF = %s;" % array([cdf(k / 2, 0.5, x) for k, x in zip(DF, CHI2_VALUE)]))
