package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.OperationProfiler;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OperationProfiler} around the CPU backend: every operation is timed once under its method, enum and
 * boolean arguments and tensor shapes, those reached through a tensor as much as those called on the wrapper;
 * results are the backend's; and step graphs, which cannot wait for the device, are not offered.
 */
class OperationProfilerTest {
    private final CpuBackend cpu = new CpuBackend(1);
    private final Backend profiled = OperationProfiler.wrap(cpu);
    private final OperationProfiler profiler = OperationProfiler.of(profiled).orElseThrow();

    @AfterEach
    void closeBackend() {
        cpu.close();
    }

    /** A zeroed F32 tensor on the profiled backend: an allocation and one fill. */
    private Tensor zeros(int... dims) {
        Tensor t = Tensor.empty(Shape.of(dims), DType.F32, profiled);
        profiled.fill(t, 0);
        return t;
    }

    private Map<String, OperationProfiler.Operation> byName() {
        return profiler.operations().stream().collect(Collectors.toMap(OperationProfiler.Operation::name, o -> o));
    }

    @Test
    void operationsOnTensorsAreTimedUnderTheirMethodArgumentsAndShapes() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new float[] {-1, 2, -3, 4}, 2, 2).to(profiled);
            Tensor y = x.matmul(x).relu();

            assertSame(profiled, y.backend());
            assertArrayEquals(new float[] {0, 6, 0, 10}, y.toFloatArray());
        }
        Map<String, OperationProfiler.Operation> ops = byName();
        OperationProfiler.Operation gemm = ops.get("gemm(false, false, F32[2, 2], F32[2, 2], F32[2, 2])");
        OperationProfiler.Operation relu = ops.get("unary(RELU, F32[2, 2], F32[2, 2])");
        assertEquals(1, gemm.calls(), ops.keySet().toString());
        assertEquals(1, relu.calls(), ops.keySet().toString());
        assertTrue(gemm.seconds() > 0 && gemm.hostSeconds() <= gemm.seconds(), gemm.toString());
        assertTrue(ops.containsKey("copyFromHost(host, F32[2, 2])"), ops.keySet().toString());
        assertTrue(ops.containsKey("copyToHost(F32[2, 2], host)"), ops.keySet().toString());
    }

    @Test
    void allocationsAreNotOperations() {
        try (Scope s = Scope.open()) {
            zeros(3);
        }

        assertEquals(List.of("fill(F32[3])"),
                profiler.operations().stream().map(OperationProfiler.Operation::name).toList());
    }

    @Test
    void resetForgetsTheOperationsTimedSoFar() {
        try (Scope s = Scope.open()) {
            zeros(3);
            profiler.reset();

            assertEquals(List.of(), profiler.operations());
        }
    }

    @Test
    void operationsAreListedLongestFirst() {
        try (Scope s = Scope.open()) {
            Tensor big = zeros(512, 512);
            Tensor one = zeros(1);
            profiler.reset();
            profiled.fill(one, 2);
            big.matmul(big);
        }
        List<String> names = profiler.operations().stream().map(OperationProfiler.Operation::name).toList();

        assertEquals(List.of("gemm(false, false, F32[512, 512], F32[512, 512], F32[512, 512])", "fill(F32[1])"), names);
    }

    @Test
    void aGemmIsKeptToBeTimedAgainOnFreshOperandsOfItsShapesAndOtherOperationsAreNot() {
        try (Scope s = Scope.open()) {
            Tensor a = zeros(64, 32);
            a.matmul(zeros(32, 16));
        }
        Map<String, OperationProfiler.Operation> ops = byName();
        OperationProfiler.Operation gemm = ops.get("gemm(false, false, F32[64, 32], F32[32, 16], F32[64, 16])");

        assertTrue(gemm.gemm().secondsPerCall(3) > 0);
        assertEquals(null, ops.get("fill(F32[64, 32])").gemm());
        assertEquals(1, profiler.operations().stream().filter(o -> o.name().startsWith("gemm")).count(),
                "the replay's own calls are not profiled: " + ops.keySet());
    }

    @Test
    void stepGraphsAreNotOfferedWhileProfiling() {
        assertFalse(profiled.canCaptureSteps());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> profiled.captureStep(() -> { }));
        assertTrue(e.getMessage().contains(OperationProfiler.PROPERTY), e.getMessage());
    }

    @Test
    void aBackendNotWrappedHasNoProfiler() {
        assertTrue(OperationProfiler.of(cpu).isEmpty());
    }

    @Test
    void listenersGetEachTimedCallWithItsFlagsInputsAndTimesInOrder() {
        List<OperationProfiler.Call> calls = new ArrayList<>();
        Consumer<OperationProfiler.Call> listener = calls::add;
        try (Scope s = Scope.open()) {
            Tensor a = zeros(4, 8);
            Tensor b = zeros(8, 3);
            profiler.addListener(listener);
            a.matmul(b).relu();
            profiler.removeListener(listener);
            zeros(2);
        }

        assertEquals(List.of("gemm", "unary"), calls.stream().map(OperationProfiler.Call::method).toList());
        OperationProfiler.Call gemm = calls.get(0);
        assertEquals(List.of("false", "false"), gemm.flags());
        assertEquals(List.of(new OperationProfiler.Input("F32", List.of(4, 8)),
                new OperationProfiler.Input("F32", List.of(8, 3)), new OperationProfiler.Input("F32", List.of(4, 3))),
                gemm.inputs());
        assertEquals(List.of("RELU"), calls.get(1).flags());
        assertEquals(Thread.currentThread().getId(), gemm.threadId());
        assertTrue(gemm.startNanos() <= gemm.queuedNanos() && gemm.queuedNanos() <= gemm.endNanos(), gemm.toString());
        assertTrue(gemm.endNanos() <= calls.get(1).startNanos(), calls.toString());
    }
}
