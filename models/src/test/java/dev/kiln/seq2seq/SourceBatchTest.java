package dev.kiln.seq2seq;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

class SourceBatchTest {
    @Test
    void rejectsALengthBeyondTheSteps() {
        try (Scope s = Scope.open()) {
            Tensor ids = Tensor.fromArray(new long[] {3, 4, 5, 6, 7, 0}, 2, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SourceBatch(ids, new int[] {3, 4}));
            assertTrue(e.getMessage().contains("length 4 of sequence 1") && e.getMessage().contains("[1, 3]"), e.getMessage());
        }
    }

    @Test
    void rejectsAnEmptySequence() {
        try (Scope s = Scope.open()) {
            Tensor ids = Tensor.fromArray(new long[] {3, 4, 0, 0}, 2, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SourceBatch(ids, new int[] {2, 0}));
            assertTrue(e.getMessage().contains("length 0 of sequence 1") && e.getMessage().contains("[1, 2]"), e.getMessage());
        }
    }
}
