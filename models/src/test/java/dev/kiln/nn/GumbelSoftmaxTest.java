package dev.kiln.nn;

import static dev.kiln.nn.F64Parity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link F#gumbelSoftmax}: with the noise given, PyTorch 1.13's {@code F.gumbel_softmax} lines in F64 to 1e-12
 * (numbers printed by {@code models/src/test/pytorch/cells_attention.py}); with drawn noise, the law of the argmax
 * (its frequencies match {@code softmax(logits)} within 5 standard errors), one-hot hard samples, and the hard
 * sample's gradient equal to the soft one's for the same draw.
 */
class GumbelSoftmaxTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(17);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void softSampleWithGivenNoiseMatchesPyTorch() {
        // F.gumbel_softmax(4 logits, tau=0.5, dim=-1) with its noise -log(Exponential(1)) replaced by 2 pattern(101), PyTorch 1.13
        Tensor logits = tensor(DType.F64, 100, 3, 4);
        Tensor noise = values(101, 3, 4).mul(2.0);
        Tensor y = F.gumbelSoftmax(logits.mul(4.0), noise, 0.5, false, -1);
        backward(200, y);

        assertValues("output", y,
                0.0003594181642902298, 0.0016893985463994267, 0.03821808014913265, 0.9597331031401776,
                0.5916225568341247, 0.37651335398706626, 0.030811838940054296, 0.00105225023875464,
                0.0164155336518789, 0.008184124034524048, 0.0404524749829874, 0.9349478673306097);
        assertValues("gradient of logits", logits.grad(),
                0.0022790917385351024, 0.006288242800656805, 0.04560205743774803, -0.05416939197694046,
                -0.5829755849565942, 0.45509084953821394, 0.12163117132093823, 0.006253564097441647,
                0.10515406638937543, 0.04002053104109138, 0.09133290738137219, -0.23650750481183863);
    }

    @Test
    void hardSampleWithGivenNoiseIsOneHotWithTheSoftGradientAsPyTorch() {
        // F.gumbel_softmax(4 logits, tau=0.5, hard=True, dim=-1) with the noise 2 pattern(101), PyTorch 1.13
        Tensor logits = tensor(DType.F64, 100, 3, 4);
        Tensor noise = values(101, 3, 4).mul(2.0);
        Tensor y = F.gumbelSoftmax(logits.mul(4.0), noise, 0.5, true, -1);
        backward(200, y);

        assertValues("output", y,
                0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0);
        assertValues("gradient of logits", logits.grad(),
                0.0022790917385351024, 0.006288242800656805, 0.04560205743774803, -0.05416939197694046,
                -0.5829755849565942, 0.45509084953821394, 0.12163117132093823, 0.006253564097441647,
                0.10515406638937543, 0.04002053104109138, 0.09133290738137219, -0.23650750481183863);
    }

    @Test
    void hardSampleOverTheFirstAxisMatchesPyTorch() {
        // F.gumbel_softmax(4 logits, tau=2.0, hard=True, dim=0) with the noise 2 pattern(101), PyTorch 1.13
        Tensor logits = tensor(DType.F64, 100, 3, 4);
        Tensor noise = values(101, 3, 4).mul(2.0);
        Tensor y = F.gumbelSoftmax(logits.mul(4.0), noise, 2.0, true, 0);
        backward(200, y);

        assertValues("output", y,
                0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        assertValues("gradient of logits", logits.grad(),
                0.08725299633908883, 0.016750805073066415, -0.2114543457961617, -0.2357772608110823,
                -0.2236850711966243, -0.07929885021933072, 0.21887131939183282, 0.26635538971585915,
                0.13643207485753542, 0.06254804514626428, -0.007416973595671113, -0.03057812890477687);
    }

    @Test
    void theArgmaxOfHardSamplesIsDistributedAsTheSoftmaxOfTheLogits() {
        double[] logits = {1.0, 0.0, -0.5, 2.0};
        int n = 20_000;
        double[] rows = new double[n * logits.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = logits[i % logits.length];
        }
        Tensor samples = F.gumbelSoftmax(Tensor.fromArray(rows, n, logits.length), 0.7, true, -1);
        double[] counts = samples.sum(0, false).toDoubleArray();
        double[] p = F.softmax(Tensor.fromArray(logits, logits.length), -1).toDoubleArray();
        for (int c = 0; c < logits.length; c++) {
            double standardError = Math.sqrt(p[c] * (1 - p[c]) / n);
            assertEquals(p[c], counts[c] / n, 5 * standardError, "frequency of class " + c);
        }
    }

    @Test
    void hardSamplesAreOneHotAtTheSoftSamplesArgmax() {
        Tensor logits = Tensor.randn(DType.F64, 6, 5);
        long seed = Engine.get().seed();
        long counter = Engine.get().counter();
        Tensor soft = F.gumbelSoftmax(logits, 0.5, false, 1);
        Engine.restoreRandomState(seed, counter);
        Tensor hard = F.gumbelSoftmax(logits, 0.5, true, 1);
        Tensor oneHot = soft.eq(soft.max(1, true)).to(DType.F64);
        assertArrayEquals(oneHot.toDoubleArray(), hard.toDoubleArray(), 1e-15);
    }

    @Test
    void theHardSamplesGradientIsTheSoftSamplesForTheSameDraw() {
        Tensor logits = Tensor.randn(DType.F64, 4, 6).requiresGrad(true);
        Tensor upstream = Tensor.randn(DType.F64, 4, 6);
        long seed = Engine.get().seed();
        long counter = Engine.get().counter();
        F.gumbelSoftmax(logits, 0.8, false, -1).backward(upstream);
        double[] soft = logits.grad().toDoubleArray();
        logits.clearGrad();
        Engine.restoreRandomState(seed, counter);
        F.gumbelSoftmax(logits, 0.8, true, -1).backward(upstream);
        assertArrayEquals(soft, logits.grad().toDoubleArray(), 0);
    }

    @Test
    void softSampleGradientsMatchFiniteDifferences() {
        Tensor logits = Tensor.randn(DType.F64, 3, 4).requiresGrad(true);
        Tensor noise = Tensor.randn(DType.F64, 3, 4);
        GradCheck.check("gumbelSoftmax", in -> F.gumbelSoftmax(in[0], noise, 0.6, false, 0), logits);
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor logits = Tensor.zeros(DType.F64, 2, 3);
        assertEquals("gumbelSoftmax: tau must be positive, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> F.gumbelSoftmax(logits, 0, false, -1)).getMessage());
        assertEquals("gumbelSoftmax: dim 2 is out of range for logits [2, 3]",
                assertThrows(IllegalArgumentException.class, () -> F.gumbelSoftmax(logits, 1, false, 2)).getMessage());
        assertEquals("gumbelSoftmax: noise [3] must have the logits' shape [2, 3]", assertThrows(IllegalArgumentException.class,
                () -> F.gumbelSoftmax(logits, Tensor.zeros(DType.F64, 3), 1, true, -1)).getMessage());
    }
}
