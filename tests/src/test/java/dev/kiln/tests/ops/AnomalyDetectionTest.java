package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.DType;
import dev.kiln.engine.Function;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Autograd.detectAnomaly as PyTorch 1.13's torch.autograd.detect_anomaly behaves: a NaN (not an infinity) in a gradient
 * a backward rule returns stops the pass, naming the op and the input, with the traceback of the forward call that
 * recorded the node; forward values are never checked; the mode is off by default and a guard restores it.
 */
class AnomalyDetectionTest {
    private Scope scope;
    private String testMethod;

    @BeforeEach
    void openScope(TestInfo info) {
        scope = Scope.open();
        testMethod = info.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor zeros(int n) {
        return Tensor.zeros(DType.F64, n).requiresGrad(true);
    }

    /** sum(sqrt(x) * 0) at x = 0: sqrt's rule gives 0 * (0.5 / 0) = NaN, as in PyTorch's documentation. */
    private static Tensor sqrtAtZeroTimesZero(Tensor x) {
        return x.sqrt().mul(0).sum();
    }

    /** The traceback the error of a backward pass carries, as a suppressed exception. */
    private static Throwable traceback(Throwable error) {
        Throwable[] suppressed = error.getSuppressed();
        assertEquals(1, suppressed.length, () -> "one traceback in " + Arrays.toString(suppressed));
        return suppressed[0];
    }

    private boolean hasFrameOfThisTest(Throwable trace) {
        return Arrays.stream(trace.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals(testMethod)
                && frame.getClassName().equals(AnomalyDetectionTest.class.getName()));
    }

    @Test
    void isOffByDefault() {
        assertFalse(Autograd.isAnomalyEnabled());
        assertTrue(Autograd.isAnomalyCheckNanEnabled());
    }

    @Test
    void aNanGradientNamesTheOpAndTheInput() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            Tensor loss = sqrtAtZeroTimesZero(x);
            ArithmeticException e = assertThrows(ArithmeticException.class, loss::backward);
            assertTrue(e.getMessage().startsWith("backward (sqrt) returned nan values in its 0th output, the gradient"
                    + " of its input 0 [3] F64"), e.getMessage());
        }
    }

    @Test
    void theErrorCarriesTheTracebackOfTheForwardCall() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            Tensor loss = sqrtAtZeroTimesZero(x);
            Throwable trace = traceback(assertThrows(ArithmeticException.class, loss::backward));
            assertEquals("Error detected in sqrt. Traceback of forward call that caused the error:",
                    trace.getMessage());
            assertTrue(hasFrameOfThisTest(trace), () -> Arrays.toString(trace.getStackTrace()));
            assertTrue(Arrays.stream(trace.getStackTrace())
                            .noneMatch(frame -> frame.getMethodName().startsWith("record")),
                    "starts at the op's own call, below the engine's recording of its node");
        }
    }

    @Test
    void onlyAnInputThatRequiresAGradientIsChecked() {
        Tensor zero = Tensor.zeros(DType.F64, 3);
        Tensor y = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            // d/dy (0 / y) * 0 = 0 * 0 / 0 = NaN; the constant's gradient 0 / 0 is NaN too but nothing needs it.
            Tensor loss = zero.div(y).mul(0).sum();
            ArithmeticException e = assertThrows(ArithmeticException.class, loss::backward);
            assertTrue(e.getMessage().startsWith("backward (div) returned nan values in its 1th output"),
                    e.getMessage());
        }
    }

    @Test
    void withoutTheModeTheNanGradientArrives() {
        Tensor x = zeros(3);
        sqrtAtZeroTimesZero(x).backward();
        assertTrue(Double.isNaN(x.grad().toDoubleArray()[0]));
    }

    @Test
    void withoutNanChecksTheNanGradientArrives() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly(false)) {
            sqrtAtZeroTimesZero(x).backward();
        }
        assertTrue(Double.isNaN(x.grad().toDoubleArray()[0]));
    }

    @Test
    void anInfiniteGradientIsNoAnomaly() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            x.sqrt().sum().backward();
        }
        assertEquals(Double.POSITIVE_INFINITY, x.grad().toDoubleArray()[0]);
    }

    @Test
    void aNanInTheForwardPassIsNoAnomaly() {
        Tensor x = Tensor.fromArray(new double[] {-1}, 1).requiresGrad(true);
        try (var a = Autograd.detectAnomaly()) {
            Tensor root = assertDoesNotThrow(x::sqrt);
            assertTrue(Double.isNaN(root.item()));
        }
    }

    @Test
    void aNodeRecordedOutsideTheModeHasNoForwardTraceback() {
        Tensor x = zeros(3);
        Tensor loss = sqrtAtZeroTimesZero(x);
        try (var a = Autograd.detectAnomaly()) {
            Throwable trace = traceback(assertThrows(ArithmeticException.class, loss::backward));
            assertEquals("Error detected in sqrt. No forward pass information available. Enable detect anomaly during"
                    + " forward pass for more information.", trace.getMessage());
            assertEquals(0, trace.getStackTrace().length);
        }
    }

    /** A user's function whose backward rule fails. */
    private static final class FailingBackward extends Function {
        @Override
        protected Tensor forward(Tensor... inputs) {
            return inputs[0].copy();
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            throw new IllegalStateException("Some error in backward");
        }
    }

    @Test
    void anyErrorOfABackwardRuleCarriesTheTraceback() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            Tensor loss = new FailingBackward().apply(x).sum();
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertEquals("Some error in backward", e.getMessage());
            Throwable trace = traceback(e);
            assertEquals("Error detected in FailingBackward. Traceback of forward call that caused the error:",
                    trace.getMessage());
            assertTrue(hasFrameOfThisTest(trace), () -> Arrays.toString(trace.getStackTrace()));
        }
    }

    @Test
    void withoutTheModeAnErrorCarriesNoTraceback() {
        Tensor loss = new FailingBackward().apply(zeros(3)).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertEquals(0, e.getSuppressed().length);
    }

    @Test
    void aGuardRestoresTheModeItFound() {
        try (var off = Autograd.setDetectAnomaly(true, false)) {
            try (var on = Autograd.detectAnomaly()) {
                assertTrue(Autograd.isAnomalyEnabled());
                assertTrue(Autograd.isAnomalyCheckNanEnabled());
                try (var none = Autograd.setDetectAnomaly(false)) {
                    assertFalse(Autograd.isAnomalyEnabled());
                }
                assertTrue(Autograd.isAnomalyEnabled());
            }
            assertTrue(Autograd.isAnomalyEnabled());
            assertFalse(Autograd.isAnomalyCheckNanEnabled());
        }
        assertFalse(Autograd.isAnomalyEnabled());
        assertTrue(Autograd.isAnomalyCheckNanEnabled());
    }

    @Test
    void guardsClosedOutOfOrderLeaveTheSettingOfThoseStillOpenAndFinallyNone() {
        // Two threads' guards close in whatever order their threads end: the first one's must not undo the second's.
        var first = Autograd.detectAnomaly();
        var second = Autograd.setDetectAnomaly(true, false);
        first.close();
        assertTrue(Autograd.isAnomalyEnabled(), "the second guard is still open");
        assertFalse(Autograd.isAnomalyCheckNanEnabled(), "the second guard is still open");
        second.close();
        assertFalse(Autograd.isAnomalyEnabled(), "no guard is open");
        assertTrue(Autograd.isAnomalyCheckNanEnabled(), "no guard is open");
    }

    @Test
    void aPassThatRecordsItsGraphIsChecked() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            Tensor loss = sqrtAtZeroTimesZero(x);
            GradOptions createGraph = GradOptions.DEFAULT.withCreateGraph();
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> Autograd.grad(loss, List.of(x), createGraph));
            assertTrue(e.getMessage().startsWith("backward (sqrt) returned nan values"), e.getMessage());
        }
    }

    @Test
    void aNodeRecordedByABackwardRuleNamesTheNodeThatInducedIt() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            // sqrt's rule records g / sqrt(x) * 0.5: infinite at 0, which is no anomaly.
            Tensor g = Autograd.grad(x.sqrt().sum(), List.of(x), GradOptions.DEFAULT.withCreateGraph()).get(0);
            assertEquals(Double.POSITIVE_INFINITY, g.toDoubleArray()[0]);
            // Its derivative times 0: 0 * 1 / 0^2 = NaN in the division sqrt's rule recorded.
            Tensor loss = g.mul(0).sum();
            ArithmeticException e = assertThrows(ArithmeticException.class, loss::backward);
            Throwable trace = traceback(e);
            Throwable induced = trace.getCause();
            assertNotNull(induced, "the traceback of the node whose rule recorded the failing one");
            assertEquals("Previous calculation was induced by sqrt. Traceback of forward call that induced the previous"
                    + " calculation:", induced.getMessage());
            assertTrue(hasFrameOfThisTest(induced), () -> Arrays.toString(induced.getStackTrace()));
        }
    }

    @Test
    void aCheckpointsRecomputedNodeIsInducedByTheCheckpoint() {
        Tensor x = zeros(3);
        try (var a = Autograd.detectAnomaly()) {
            Tensor loss = Checkpoint.apply(AnomalyDetectionTest::sqrtAtZeroTimesZero, x);
            ArithmeticException e = assertThrows(ArithmeticException.class, loss::backward);
            assertTrue(e.getMessage().startsWith("backward (sqrt)"), e.getMessage());
            Throwable induced = traceback(e).getCause();
            assertNotNull(induced, "the traceback of the checkpoint whose rule recomputed sqrt");
            assertTrue(induced.getMessage().startsWith("Previous calculation was induced by checkpoint."),
                    induced.getMessage());
            assertTrue(hasFrameOfThisTest(induced), () -> Arrays.toString(induced.getStackTrace()));
        }
    }
}
