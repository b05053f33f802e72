package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gamma's and Chi2's cdf, which PyTorch 1.13 lacks, against the numerical integral of the density (mpmath's quadrature
 * at 40 digits) to 1e-12 in F64; its gradient in the value is the density; its gradient in the concentration is
 * refused, as PyTorch's gammainc has none.
 */
class GammaCdfTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    @Test
    void gammaCdfIsTheIntegralOfTheDensity() {
        Gamma gamma = new Gamma(f64(CONCENTRATION), f64(RATE));
        assertClose("Gamma cdf", GAMMA_CDF, gamma.cdf(f64(VALUE)).toDoubleArray(), 1e-12);
    }

    @Test
    void chi2CdfIsTheIntegralOfTheDensity() {
        assertClose("Chi2 cdf", CHI2_CDF, new Chi2(f64(DF)).cdf(f64(CHI2_VALUE)).toDoubleArray(), 1e-12);
    }

    @Test
    void theCdfsGradientInTheValueIsTheDensity() {
        Gamma gamma = new Gamma(f64(CONCENTRATION), f64(RATE));
        Tensor x = f64(VALUE).requiresGrad(true);
        gamma.cdf(x).sum().backward();
        assertClose("d cdf / dx", gamma.logProb(f64(VALUE)).exp().toDoubleArray(), x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void theCdfsGradientInTheConcentrationIsRefused() {
        Tensor concentration = f64(CONCENTRATION).requiresGrad(true);
        Tensor cdf = new Gamma(concentration, f64(RATE)).cdf(f64(VALUE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cdf.sum().backward());
        assertEquals("gammainc: the gradient with respect to a is not implemented, as in PyTorch; detach a or leave its "
                + "requiresGrad off", e.getMessage());
    }

    private static Tensor f64(double[] values) {
        return Tensor.fromArray(values, values.length).to(DType.F64);
    }

    private static void assertClose(String what, double[] expected, double[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.abs(expected[i]), what + " element " + i);
        }
    }

    // Printed by models/src/test/pytorch/gamma_cdf.py (mpmath 1.2.1).

    private static final double[] CONCENTRATION = {0.5, 2.0, 7.5, 1.0, 30.0};
    private static final double[] RATE = {1.0, 0.5, 3.0, 2.0, 1.5};
    private static final double[] VALUE = {0.3, 4.0, 2.5, 0.125, 22.0};
    private static final double[] DF = {1.0, 3.0, 10.0, 0.6};
    private static final double[] CHI2_VALUE = {0.5, 2.0, 12.0, 3.0};
    private static final double[] GAMMA_CDF = {0.5614219739190002, 0.5939941502901619, 0.5485827887742748, 0.22119921692859512,
                    0.7226986290685928};
    private static final double[] CHI2_CDF = {0.5204998778130465, 0.4275932955291202, 0.7149434996833688, 0.9578905367040464};
}
