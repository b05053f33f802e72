package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.engine.OperationProfiler.Operation;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * {@link OperationProfileReport}: the table (per-step figures of each operation, the rest summed, the total) and the
 * step's GEMMs timed again on their own.
 */
class OperationProfileReportTest {
    private static List<String> table(List<Operation> operations, long steps) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OperationProfileReport.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), operations, steps, 5e-6);
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void eachOperationGetsItsTimePerStepShareCallsPerStepAndHostTime() {
        List<String> lines = table(List.of(new Operation("gemm(F32[4, 4])", 20, 0.3, 0.01, null),
                new Operation("fill(F32[4])", 10, 0.1, 0.1, null)), 10);

        assertTrue(lines.get(0).contains("over 10 steps") && lines.get(0).contains("5.0 us"), lines.get(0));
        assertEquals("   30.000  75.0%       2.00        1.000  gemm(F32[4, 4])", lines.get(2));
        assertEquals("   10.000  25.0%       1.00       10.000  fill(F32[4])", lines.get(3));
        assertEquals("   40.000 100.0%       3.00       11.000  all 2 operations", lines.get(4));
    }

    @Test
    void operationsBeyondTheRowsShownAreSummedInOneLine() {
        List<Operation> operations = new ArrayList<>();
        for (int i = 0; i < OperationProfileReport.ROWS + 5; i++) {
            operations.add(new Operation("op" + i, 1, 0.001, 0, null));
        }

        List<String> lines = table(operations, 1);

        assertEquals(2 + OperationProfileReport.ROWS + 2, lines.size());
        assertEquals("    5.000  14.3%       5.00        0.000  the other 5 operations", lines.get(lines.size() - 2));
    }

    @Test
    void theStepsGemmsRunAgainOnTheirOwnGiveTheirTimePerStep() {
        BackendProvider cpu = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cpu")).findFirst().orElseThrow();
        try (Backend backend = cpu.create()) {
            Backend profiled = OperationProfiler.wrap(backend);
            OperationProfileReport report = new OperationProfileReport(OperationProfiler.of(profiled).orElseThrow());
            try (Scope s = Scope.open()) {
                Tensor a = Tensor.empty(Shape.of(64, 64), DType.F32, profiled);
                profiled.fill(a, 1);
                for (int i = 0; i < 4; i++) {
                    a.matmul(a);
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();

            double millis = report.replayGemms(new PrintStream(bytes, true, StandardCharsets.UTF_8), 2);

            assertTrue(millis > 0, millis + " ms");
            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("the step's 1 GEMM shapes run again"), printed);
            assertTrue(Double.isNaN(report.replayGemms(new PrintStream(new ByteArrayOutputStream()), 0)));
        }
    }
}
