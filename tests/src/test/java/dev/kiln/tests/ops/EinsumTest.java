package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link F#einsum} beyond its values (which {@code EinsumPyTorchParityTest} compares with PyTorch's): F64 gradients
 * against finite differences, contractions that run as GEMMs (counted on the CPU backend with
 * {@code -Dkiln.cpu.countOperations=true}) without copying operands that GEMM can read in place, and the errors.
 */
class EinsumTest extends CountingBackendTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** An F64 leaf of {@code dims} with a gradient, values in [-1, 1). */
    private static Tensor leaf(int... dims) {
        return Tensor.uniform(-1, 1, DType.F64, dims).requiresGrad(true);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = ';', value = {
            "ij,jk->ik; 3 4, 4 5",
            "ji,kj->ik; 4 3, 5 4",
            "ji,jk->ik; 4 3, 4 5",
            "bji,bjk->bik; 2 4 3, 2 4 5",
            "bhqd,bhkd->bhqk; 2 2 3 4, 2 2 5 4",
            "bij,jk->bik; 2 3 4, 4 2",
            "bn,anm,bm->ba; 2 3, 4 3 5, 2 5",
            "i,j->ij; 3, 4",
            ",i->i; , 3",
            "ii->; 4 4",
            "iij->j; 3 3 4",
            "ijik->kji; 3 2 3 2",
            "iii->i; 3 3 3",
            "ij->; 3 4",
            "...ij,...jk->...ik; 2 1 3 4, 3 4 2",
            "ij,ij->ij; 1 3, 2 3",
            "ab,bc,cd,de->ae; 2 3, 3 2, 2 4, 4 2"})
    void gradientsMatchFiniteDifferences(String equation, String shapes) {
        String[] each = shapes.split(",", -1);
        Tensor[] operands = new Tensor[each.length];
        for (int i = 0; i < each.length; i++) {
            String dims = each[i].trim();
            operands[i] = leaf(dims.isEmpty() ? new int[0]
                    : Arrays.stream(dims.split(" ")).mapToInt(Integer::parseInt).toArray());
        }
        GradCheck.check("einsum " + equation, in -> F.einsum(equation, in), operands);
    }

    /** The backend operations {@code op} asks for, by method name, counted on the counting backend. */
    private static Map<String, Long> operationsOf(Supplier<Tensor> op) {
        Map<String, Long> before = counting.counters();
        op.get();
        Map<String, Long> after = counting.counters();
        Map<String, Long> made = new TreeMap<>();
        after.forEach((name, count) -> {
            long n = count - before.getOrDefault(name, 0L);
            if (name.startsWith("operation.") && n > 0) {
                made.put(name.substring("operation.".length()), n);
            }
        });
        return made;
    }

    private static Tensor on(int... dims) {
        return Tensor.randn(dims).to(counting);
    }

    @Test
    void attentionScoresAreOneBatchedGemmThatReadsTheKeysTransposedInPlace() {
        Tensor q = on(2, 3, 5, 4);
        Tensor k = on(2, 3, 6, 4);
        assertEquals(Map.of("gemmStridedBatched", 1L), operationsOf(() -> F.einsum("bhqd,bhkd->bhqk", q, k)));
    }

    @Test
    void aBatchedMatrixProductIsOneBatchedGemm() {
        Tensor a = on(4, 2, 3);
        Tensor b = on(4, 3, 5);
        assertEquals(Map.of("gemmStridedBatched", 1L), operationsOf(() -> F.einsum("bij,bjk->bik", a, b)));
    }

    @Test
    void anIndexOfOneOperandOnlyJoinsTheRowsOfOneGemm() {
        Tensor a = on(4, 2, 3);
        Tensor b = on(3, 5);
        assertEquals(Map.of("gemm", 1L), operationsOf(() -> F.einsum("bij,jk->bik", a, b)));
    }

    @Test
    void aMatrixProductIntoTheTransposedOutputSwapsTheOperandsInsteadOfPermuting() {
        Tensor a = on(2, 3);
        Tensor b = on(3, 4);
        assertEquals(Map.of("gemm", 1L), operationsOf(() -> F.einsum("ij,jk->ki", a, b)));
    }

    @Test
    void threeOperandsAreTwoGemmsLeftToRight() {
        Tensor a = on(2, 3);
        Tensor b = on(3, 4);
        Tensor c = on(4, 5);
        assertEquals(Map.of("gemm", 2L), operationsOf(() -> F.einsum("ij,jk,kl->il", a, b, c)));
    }

    @Test
    void anOperandGemmCannotReadInPlaceIsPermutedOnce() {
        Tensor x = on(2, 3);
        Tensor w = on(4, 3, 5);
        Tensor z = on(2, 5);
        assertEquals(Map.of("gemm", 1L, "permute", 1L, "gemmStridedBatched", 1L),
                operationsOf(() -> F.einsum("bn,anm,bm->ba", x, w, z)));
    }

    @Test
    void theGradientsOfAttentionScoresAreTwoBatchedGemmsWithoutPermutes() {
        Tensor q = on(2, 3, 5, 4).requiresGrad(true);
        Tensor k = on(2, 3, 6, 4).requiresGrad(true);
        Tensor scores = F.einsum("bhqd,bhkd->bhqk", q, k);
        Tensor g = on(2, 3, 5, 6);
        Map<String, Long> backward = operationsOf(() -> {
            scores.backward(g);
            return scores;
        });
        assertEquals(2L, backward.get("gemmStridedBatched"), backward.toString());
        assertFalse(backward.containsKey("permute"), backward.toString());
        assertFalse(backward.containsKey("binary"), backward.toString());
    }

    @Test
    void valuesOfAProductWithATransposedOperandAreThoseOfMatmul() {
        Tensor a = Tensor.randn(DType.F64, 3, 4);
        Tensor b = Tensor.randn(DType.F64, 5, 4);
        assertArrayEquals(a.matmul(b.t()).toDoubleArray(), F.einsum("ik,jk->ij", a, b).toDoubleArray(), 1e-14);
        assertArrayEquals(a.matmul(b.t()).t().toDoubleArray(), F.einsum("ik,jk->ji", a, b).toDoubleArray(), 1e-14);
    }

    @Test
    void anEmptySummedIndexGivesZerosAsPyTorch() {
        // torch.einsum("ij,jk->ik", torch.ones(2, 0), torch.ones(0, 3)) is zeros(2, 3)
        Tensor out = F.einsum("ij,jk->ik", Tensor.ones(2, 0), Tensor.ones(0, 3));
        assertArrayEquals(new int[] {2, 3}, out.shape().dims());
        assertArrayEquals(new float[6], out.toFloatArray());
    }

    @Test
    void anEquationThatChangesNothingGivesANewTensor() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
        F.einsum("ij->ij", x).close();
        F.einsum("ii->i", Tensor.ones(1, 1)).close();
        assertArrayEquals(new float[] {1, 2, 3, 4}, x.toFloatArray());
    }

    private static String error(String equation, Tensor... operands) {
        return assertThrows(IllegalArgumentException.class, () -> F.einsum(equation, operands)).getMessage();
    }

    @Test
    void theWrongNumberOfOperandsIsRefusedNamingBoth() {
        assertEquals("einsum 'ij,jk->ik': the equation has subscripts for 2 operands, got 1 tensor",
                error("ij,jk->ik", Tensor.zeros(2, 3)));
        assertEquals("einsum 'ij': the equation has subscripts for 1 operand, got 0 tensors", error("ij"));
    }

    @Test
    void anOperandWhoseRankDiffersFromItsSubscriptsIsRefused() {
        assertEquals("einsum 'ij,jk->ik': operand 1 has shape [3, 4, 5] (rank 3) but its subscripts 'jk' name 2"
                + " dimensions", error("ij,jk->ik", Tensor.zeros(2, 3), Tensor.zeros(3, 4, 5)));
        assertEquals("einsum '...ijk->k': operand 0 has shape [2, 3] (rank 2) but its subscripts '...ijk' name at"
                + " least 3 dimensions", error("...ijk->k", Tensor.zeros(2, 3)));
    }

    @Test
    void anIndexWithSizesThatDoNotBroadcastIsRefusedNamingBothOperands() {
        assertEquals("einsum 'ij,jk->ik': index 'j' has size 3 in operand 0 [2, 3] and 4 in operand 1 [4, 5],"
                + " which do not broadcast (sizes must be equal, or 1)",
                error("ij,jk->ik", Tensor.zeros(2, 3), Tensor.zeros(4, 5)));
        assertEquals("einsum '...i,...i': index dimension 0 of '...' has size 2 in operand 0 [2, 4] and 3 in"
                + " operand 1 [3, 4], which do not broadcast (sizes must be equal, or 1)",
                error("...i,...i", Tensor.zeros(2, 4), Tensor.zeros(3, 4)));
    }

    @Test
    void aRepeatedIndexWithDifferentSizesIsRefused() {
        assertEquals("einsum 'ii->i': index 'i' repeats in operand 0 [2, 3] with sizes 2 and 3; a repeated index"
                + " takes a diagonal, which needs equal sizes", error("ii->i", Tensor.zeros(2, 3)));
    }

    @Test
    void outputIndicesMustComeFromTheInputsOnceEach() {
        assertEquals("einsum 'ij->k': output index 'k' appears in no operand's subscripts",
                error("ij->k", Tensor.zeros(2, 3)));
        assertEquals("einsum 'ij->ii': index 'i' appears more than once in the output",
                error("ij->ii", Tensor.zeros(2, 3)));
    }

    @Test
    void aCharacterOtherThanLettersIsRefusedWithItsPosition() {
        assertEquals("einsum 'i1->i': invalid character '1' at position 1; subscripts are letters a-z and A-Z,"
                + " '...', ',' between operands and one '->' before the output", error("i1->i", Tensor.zeros(2, 3)));
        assertEquals("einsum 'ij-i': invalid character '-' at position 2; subscripts are letters a-z and A-Z,"
                + " '...', ',' between operands and one '->' before the output", error("ij-i", Tensor.zeros(2, 3)));
    }

    @Test
    void anArrowMoreThanOnceIsRefused() {
        assertEquals("einsum 'ij->i->j': '->' appears more than once, at positions 2 and 5",
                error("ij->i->j", Tensor.zeros(2, 3)));
    }

    @Test
    void dotsOutsideOneEllipsisPerOperandAreRefused() {
        assertEquals("einsum 'i..j->i': '.' at position 1 in operand 0 is not part of an ellipsis '...' (exactly three"
                + " dots)", error("i..j->i", Tensor.zeros(2, 3)));
        assertEquals("einsum 'i....->i': '.' at position 1 in operand 0 is not part of an ellipsis '...' (exactly"
                + " three dots)", error("i....->i", Tensor.zeros(2, 3)));
        assertEquals("einsum '...i...->i': operand 0 has a second ellipsis '...' at position 4; one at most",
                error("...i...->i", Tensor.zeros(2, 3)));
        assertEquals("einsum 'ij->i.': '.' at position 5 in the output is not part of an ellipsis '...' (exactly three"
                + " dots)", error("ij->i.", Tensor.zeros(2, 3)));
    }

    @Test
    void operandsOfDifferentDtypesOrOfIntegersAreRefused() {
        assertEquals("einsum 'ij,jk->ik': dtypes differ: [2, 3] F32 and [3, 4] F64; convert one with to(DType)",
                error("ij,jk->ik", Tensor.zeros(2, 3), Tensor.zeros(DType.F64, 3, 4)));
        assertEquals("einsum 'ij->j': needs F32 or F64, got I64 for [2, 3]",
                error("ij->j", Tensor.zeros(DType.I64, 2, 3)));
    }
}
