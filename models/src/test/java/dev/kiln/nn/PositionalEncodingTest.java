package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

class PositionalEncodingTest {
    @Test
    void addsSinesAtEvenAndCosinesAtOddFeaturesWithGeometricallyFallingFrequencies() {
        int dim = 6;
        int steps = 8;
        try (PositionalEncoding pe = new PositionalEncoding(dim, 50); Scope s = Scope.open()) {
            double[] encoding = pe.forward(Tensor.zeros(DType.F64, 1, steps, dim)).toDoubleArray();
            // PyTorch tutorial's form: div_term = exp(2i * -ln(10000) / dim).
            for (int pos = 0; pos < steps; pos++) {
                for (int i = 0; i < dim / 2; i++) {
                    double divTerm = Math.exp(2 * i * -Math.log(10000.0) / dim);
                    assertEquals(Math.sin(pos * divTerm), encoding[pos * dim + 2 * i], 1e-12, "PE[" + pos + ", " + 2 * i + "]");
                    assertEquals(Math.cos(pos * divTerm), encoding[pos * dim + 2 * i + 1], 1e-12,
                            "PE[" + pos + ", " + (2 * i + 1) + "]");
                }
            }
            // A few values written out: position 0 is (0, 1, 0, 1, ...); position 1 starts sin 1, cos 1.
            assertValues(new double[] {0, 1, 0, 1, 0, 1}, Tensor.fromArray(encoding, steps, dim).narrow(0, 0, 1), 0);
            assertEquals(0.8414709848078965, encoding[dim], 1e-15);
            assertEquals(0.5403023058681398, encoding[dim + 1], 1e-15);
            assertEquals(Math.sin(5 / Math.pow(10000, 4.0 / 6)), encoding[5 * dim + 4], 1e-15);
        }
    }

    @Test
    void anOffsetEncodesThePositionsFromThere() {
        try (PositionalEncoding pe = new PositionalEncoding(6, 12); Scope s = Scope.open()) {
            Tensor all = pe.forward(Tensor.zeros(DType.F64, 1, 9, 6));
            assertValues(all.narrow(1, 7, 2).toDoubleArray(), pe.forward(Tensor.zeros(DType.F64, 1, 2, 6), 7), 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pe.forward(Tensor.zeros(DType.F64, 1, 2, 6), 11));
            assertTrue(e.getMessage().contains("offset 11") && e.getMessage().contains("maxLength 12"), e.getMessage());
        }
    }

    @Test
    void addsTheSameEncodingToEverySequenceAndKeepsTheInputDtype() {
        Engine.seed(4);
        try (PositionalEncoding pe = new PositionalEncoding(4, 10); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(3, 5, 4);
            Tensor y = pe.forward(x);
            assertEquals(DType.F32, y.dtype());
            double[] encoding = pe.forward(Tensor.zeros(DType.F64, 1, 5, 4)).toDoubleArray();
            double[] expected = x.toDoubleArray();
            for (int i = 0; i < expected.length; i++) {
                expected[i] += encoding[i % encoding.length];
            }
            assertValues(expected, y, 1e-6);
        }
    }

    @Test
    void rejectsSequencesLongerThanMaxLength() {
        try (PositionalEncoding pe = new PositionalEncoding(4, 5); Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 6, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pe.forward(x));
            assertTrue(e.getMessage().contains("[2, 6, 4]") && e.getMessage().contains("maxLength 5"), e.getMessage());
        }
    }

    @Test
    void hasNoParametersAndNothingInTheStateDict() {
        try (PositionalEncoding pe = new PositionalEncoding(8, 100)) {
            assertTrue(pe.parameters().isEmpty());
            assertTrue(pe.stateDict().isEmpty());
        }
    }
}
