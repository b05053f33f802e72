package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Scope;
import dev.kiln.engine.cpu.CpuBackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kiln's Tensor ops on the CPU backend against PyTorch 1.13 at their edges, case by case: the several hundred seeded
 * cases that {@code models/src/test/pytorch/op_semantics_cases.py} drew and ran in PyTorch
 * ({@code ops/op_semantics_cases.json}, see {@link OpCase}). Each output's dtype, shape and values must be PyTorch's: the same doubles (0.0 and -0.0
 * apart), or within 1 or 2 ulps where PyTorch's order of summation or its libm may round the last bit otherwise
 * (logsumexp, var, std, norm, F32 sums, which Kiln adds in double, and the transcendental functions; erf within 10,
 * Kiln's own), or within 2 ulps of the largest operand where logaddexp's sum cancels; each case says which. Where
 * PyTorch raises, Kiln must refuse with a clear IllegalArgumentException (or IllegalStateException,
 * ArithmeticException, UnsupportedOperationException), not an index error or a result. Kiln's documented differences
 * are expected as docs/PYTORCH.md states them, each case naming the line.
 */
class OpSemanticsPyTorchParityTest {
    private static Backend cpu;
    private Scope scope;

    @BeforeAll
    static void createTheCpuBackend() {
        cpu = new CpuBackendProvider().create();
    }

    @AfterAll
    static void closeTheCpuBackend() {
        cpu.close();
    }

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    static List<OpCase> broadcast() {
        return OpCase.family("broadcast");
    }

    static List<OpCase> reduce() {
        return OpCase.family("reduce");
    }

    static List<OpCase> shape() {
        return OpCase.family("shape");
    }

    static List<OpCase> index() {
        return OpCase.family("index");
    }

    static List<OpCase> elementwise() {
        return OpCase.family("elementwise");
    }

    static List<OpCase> dtype() {
        return OpCase.family("dtype");
    }

    /** Binary ops, comparisons, where and maskedFill over broadcast shapes with size-1, size-0 and rank-0 operands. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("broadcast")
    void binaryOpsBroadcastAsPyTorchs(OpCase c) {
        c.check(cpu, OpSemanticsOps::apply);
    }

    /** Reductions over one axis, negative axes, axis lists, keepDim and empty axes, and the cumulative ops. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("reduce")
    void reductionsReduceAsPyTorchs(OpCase c) {
        c.check(cpu, OpSemanticsOps::apply);
    }

    /** View, reshape, transposition, expansion, concatenation, splitting and triangle ops. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shape")
    void shapeOpsShapeAsPyTorchs(OpCase c) {
        c.check(cpu, OpSemanticsOps::apply);
    }

    /** Gathers, scatters, selections, sorting with ties and NaN, and unique. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("index")
    void indexingOpsIndexAsPyTorchs(OpCase c) {
        c.check(cpu, OpSemanticsOps::apply);
    }

    /** Element-wise functions at 0, -0, the infinities, NaN, huge, tiny and half-way values. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("elementwise")
    void elementwiseFunctionsAtSpecialValuesAsPyTorchs(OpCase c) {
        c.check(cpu, OpSemanticsOps::apply);
    }

    /** The result dtypes of I32, I64, F32 and F64 operands, integer division and the comparisons. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dtype")
    void dtypesAsPyTorchs(OpCase c) {
        c.check(cpu, OpSemanticsOps::apply);
    }

    /** The differences the cases expect are those docs/PYTORCH.md states: each case's quoted line is still there. */
    @Test
    void everyExpectedDifferenceIsDocumented() throws IOException {
        // Beside the module Maven runs the tests in, or in the folder they run from (the GPU bundle's run-tests.sh).
        Path beside = Path.of("..", "docs", "PYTORCH.md");
        String docs = Files.readString(Files.isRegularFile(beside) ? beside : Path.of("docs", "PYTORCH.md"));
        for (String family : List.of("broadcast", "reduce", "shape", "index", "elementwise", "dtype")) {
            for (OpCase c : OpCase.family(family)) {
                String difference = c.documentedDifference();
                assertTrue(difference == null || docs.contains(difference),
                        () -> c + " expects a difference docs/PYTORCH.md no longer states: " + difference);
            }
        }
    }
}
