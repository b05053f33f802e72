package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link PythonFloat#repr} and {@link TensorBoardGraph#pythonBytes} against what Python 3 prints for the same values. */
class PythonFloatTest {
    @Test
    void doublesArePrintedAsPythonsReprPrintsThem() {
        double[] values = {0.01, 1e-05, (float) 1e-5, 64.0, 1e16, 9999999999999998.0, 123456789012345.6, 1e-4,
            0.0001234, -2.5, 1796596096.3826256, Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2, -0.0, 1e22, 2.5e-05};
        String[] python = {"0.01", "1e-05", "9.999999747378752e-06", "64.0", "1e+16", "9999999999999998.0",
            "123456789012345.6", "0.0001", "0.0001234", "-2.5", "1796596096.3826256", "5e-324",
            "1.7976931348623157e+308", "0.30000000000000004", "-0.0", "1e+22", "2.5e-05"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(python[i], PythonFloat.repr(values[i]), "value " + i);
        }
    }

    @Test
    void stringsArePrintedAsPythonsReprOfTheirUtf8Bytes() {
        assertEquals("b\"auto'pad\\xc3\\xa9\\n\"", TensorBoardGraph.pythonBytes("auto'pad\u00e9\n"));
        assertEquals("b'NOTSET'", TensorBoardGraph.pythonBytes("NOTSET"));
        assertEquals("b'say \"hi\" it\\'s'", TensorBoardGraph.pythonBytes("say \"hi\" it's"));
    }
}
