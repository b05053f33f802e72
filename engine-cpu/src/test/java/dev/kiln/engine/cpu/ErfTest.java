package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * erf and erfc against glibc's (printed by Python's math.erf and math.erfc), near the table's centres and between
 * them, in the right tail where erfc must keep its digits, and beyond the table.
 */
class ErfTest {
    private static final double[] X = {-5.5, -2.4375, -0.7, -1e-08, 1e-300, 0.03125, 0.3, 0.97, 1.5, 2.40625, 3.46875,
        3.99, 4.0, 5.2, 5.99, 6.5, 9.0, 15.0, 26.0};
    private static final double[] ERF = {-0.9999999999999927, -0.9994334567454198, -0.6778011938374184,
        -1.1283791670955126e-08, 1.1283791670955126e-300, 0.035250373867322826, 0.3286267594591274, 0.8298702930356671,
        0.9661051464753108, 0.9993333785911928, 0.9999990683566102, 0.9999999832607886, 0.9999999845827421,
        0.9999999999998075, 1.0, 1.0, 1.0, 1.0, 1.0};
    private static final double[] ERFC = {1.9999999999999927, 1.99943345674542, 1.6778011938374184, 1.0000000112837917,
        1.0, 0.9647496261326771, 0.6713732405408726, 0.17012970696433294, 0.033894853524689274, 0.0006666214088072004,
        9.316433897740958e-07, 1.6739211364520814e-08, 1.541725790028002e-08, 1.9249061099972327e-13,
        2.4300455127321346e-17, 3.8421483271206475e-20, 4.13703174651381e-37, 7.212994172451206e-100,
        5.663192408856143e-296};

    @Test
    void erfIsAccurateToAFewUlps() {
        for (int i = 0; i < X.length; i++) {
            assertClose("erf", X[i], ERF[i], Erf.erf(X[i]), 2e-15);
        }
    }

    @Test
    void erfcKeepsItsDigitsInTheRightTail() {
        for (int i = 0; i < X.length; i++) {
            // exp(-x^2) carries x^2's rounding, 2 x^2 ulps: 1.5e-13 relative at x = 26, as in glibc.
            assertClose("erfc", X[i], ERFC[i], Erf.erfc(X[i]), 2e-16 * Math.max(8, 2 * X[i] * X[i]));
        }
    }

    @Test
    void specialValuesAreThoseOfC() {
        assertEquals(-0.0, Erf.erf(-0.0));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)) && Double.isNaN(Erf.erfc(Double.NaN)));
    }

    private static void assertClose(String what, double x, double expected, double actual, double relative) {
        assertTrue(Math.abs(actual - expected) <= relative * Math.abs(expected),
                what + "(" + x + ") = " + actual + ", glibc " + expected + " (relative " + relative + ")");
    }
}
