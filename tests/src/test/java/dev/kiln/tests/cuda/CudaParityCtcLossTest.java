package dev.kiln.tests.cuda;

import static dev.kiln.tests.cuda.ParityBackends.assertParity;
import static dev.kiln.tests.cuda.ParityBackends.tensor;
import static dev.kiln.tests.cuda.ParityBackends.ties;
import static dev.kiln.tests.cuda.ParityBackends.uniform;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CTCLoss;
import dev.kiln.tests.cuda.ParityBackends.Tolerance;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CTCLoss}, composed in the models module of Tensor ops (index select, pad, stack, log-sum-exp, where, masked
 * fill), forward and backward on logits that live on the backend under test, against the CPU: every step must run
 * on the logits' own backend. A batch of 16 with input lengths 24 to 30 of T = 30 and targets of 0 to 12 labels drawn
 * from 4 of 20 classes (so repeats are common); and per-sample losses with zero infinity for input lengths 4 to 30,
 * where 4 of the 16 targets cannot fit.
 *
 * <p>Tolerances ({@code |a - b| <= atol + rtol |b|}): log-sum-exps chained over 30 steps, then a log-softmax's
 * backward. 1e-10 in F64; 1e-4 in F32, as the sums of {@code CudaParityComposedOpsTest}.
 */
class CudaParityCtcLossTest extends ParityTest {
    private static final int STEPS = 30;
    private static final int BATCH = 16;
    private static final int CLASSES = 20;
    private static final int WIDTH = 12;

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.F64 ? Tolerance.of(1e-10) : Tolerance.of(1e-4);
    }

    /** The loss and the logits' gradient on {@code b}; both must be on that backend. */
    private static Tensor[] lossAndGradient(Backend b, DType dtype, CTCLoss ctc, int[] inputLengths,
                                            int[] targetLengths) {
        Tensor logits = uniform(b, dtype, 60, -3, 3, STEPS, BATCH, CLASSES).requiresGrad(true);
        Tensor targets = tensor(b, DType.I64, ties(61, BATCH * WIDTH, 1, 2, 3, 7), BATCH, WIDTH);
        Tensor loss = ctc.compute(F.logSoftmax(logits, 2), targets, inputLengths, targetLengths);
        loss.sum().backward();
        assertSame(b, loss.backend(), "the loss must be on the backend of the logits");
        return new Tensor[] {loss, logits.grad()};
    }

    private static int[] lengths(long seed, int low, int high) {
        Random r = new Random(seed);
        int[] lengths = new int[BATCH];
        for (int n = 0; n < BATCH; n++) {
            lengths[n] = low + r.nextInt(high - low + 1);
        }
        return lengths;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theMeanAndItsGradientMatchTheCpu(DType dtype) {
        int[] inputLengths = lengths(62, 24, STEPS);
        int[] targetLengths = lengths(63, 0, WIDTH);
        assertParity("CTCLoss mean " + dtype, new String[] {"loss", "gradient"}, tolerance(dtype),
                b -> lossAndGradient(b, dtype, new CTCLoss(), inputLengths, targetLengths));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void zeroInfinityPerSampleLossesAndTheirGradientMatchTheCpu(DType dtype) {
        int[] inputLengths = lengths(64, 4, STEPS);
        int[] targetLengths = lengths(65, 0, WIDTH);
        assertParity("CTCLoss none, zero infinity " + dtype, new String[] {"losses", "gradient"}, tolerance(dtype),
                b -> lossAndGradient(b, dtype, new CTCLoss(0, Reduction.NONE, true), inputLengths, targetLengths));
    }
}
