package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.OperationProfiler.Operation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OperationProfileReport}'s table: per-step figures of each operation, the rest summed, and the total. */
class OperationProfileReportTest {
    private static List<String> table(List<Operation> operations, long steps) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OperationProfileReport.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), operations, steps, 5e-6);
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void eachOperationGetsItsTimePerStepShareCallsPerStepAndHostTime() {
        List<String> lines = table(List.of(new Operation("gemm(F32[4, 4])", 20, 0.3, 0.01),
                new Operation("fill(F32[4])", 10, 0.1, 0.1)), 10);

        assertTrue(lines.get(0).contains("over 10 steps") && lines.get(0).contains("5.0 us"), lines.get(0));
        assertEquals("   30.000  75.0%       2.00        1.000  gemm(F32[4, 4])", lines.get(2));
        assertEquals("   10.000  25.0%       1.00       10.000  fill(F32[4])", lines.get(3));
        assertEquals("   40.000 100.0%       3.00       11.000  all 2 operations", lines.get(4));
    }

    @Test
    void operationsBeyondTheRowsShownAreSummedInOneLine() {
        List<Operation> operations = new ArrayList<>();
        for (int i = 0; i < OperationProfileReport.ROWS + 5; i++) {
            operations.add(new Operation("op" + i, 1, 0.001, 0));
        }

        List<String> lines = table(operations, 1);

        assertEquals(2 + OperationProfileReport.ROWS + 2, lines.size());
        assertEquals("    5.000  14.3%       5.00        0.000  the other 5 operations", lines.get(lines.size() - 2));
    }
}
