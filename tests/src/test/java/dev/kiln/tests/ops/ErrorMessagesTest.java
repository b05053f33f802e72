package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse fails at once with an exception whose message names the op and what it got. */
class ErrorMessagesTest {
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static <T extends Throwable> T assertMessage(Class<T> type, Executable call, String... parts) {
        T e = assertThrows(type, call);
        String message = e.getMessage();
        for (String part : parts) {
            assertTrue(message != null && message.contains(part), "message should contain '" + part + "': " + message);
        }
        return e;
    }

    @Test
    void tensorsOnTwoBackendsOfOneDeviceSaySoAndHowToMoveOne() {
        Tensor a = Tensor.empty(Shape.of(2), DType.F32, new CpuBackend(1));
        Tensor b = Tensor.empty(Shape.of(2), DType.F32, new CpuBackend(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertEquals("add: tensors are on different devices: cpu and cpu (two backend instances of that device; move"
                + " one tensor with to(other.backend()))", e.getMessage());
    }

    @Test
    void matmulInnerDimensionMismatchNamesBothShapes() {
        Tensor a = Tensor.zeros(32, 784);
        Tensor b = Tensor.zeros(512, 10);
        assertMessage(IllegalArgumentException.class, () -> a.matmul(b),
                "matmul", "[32, 784]", "[512, 10]", "784 and 512 differ");
    }

    @Test
    void addOfShapesThatDoNotBroadcastNamesBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4);
        assertMessage(IllegalArgumentException.class, () -> a.add(b), "add", "[2, 3]", "[4]");
    }

    @Test
    void aConvolutionWhoseSizesPassAnIntNamesTheOp() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        Tensor w = Tensor.zeros(1, 1, 3, 3);
        assertMessage(IllegalArgumentException.class, () -> F.conv2d(x, w, null, new int[] {1}, new int[] {0},
                new int[] {Integer.MAX_VALUE / 2 + 10}), "conv2d", "dilation", "beyond " + Integer.MAX_VALUE);
    }

    /** OpenBLAS's path unfolds the image (oneDNN, which the CPU's rule would choose here, does not). */
    @Test
    void aCpuConvolutionThatUnfoldsOneImageBeyondABufferNamesTheOpAndShapes() {
        assumeTrue("cpu".equals(Engine.get().backend().name()), "a limit of the CPU backend's buffers");
        Tensor x = Tensor.zeros(1, 64, 64, 64);
        Tensor w = Tensor.zeros(1, 64, 64, 64);
        String kernel = System.setProperty("kiln.cpu.convolutionKernel", "openblas");
        try {
            assertMessage(IllegalArgumentException.class, () -> F.conv2d(x, w, null, new int[] {1}, new int[] {32},
                    new int[] {1}), "conv2d", "[64, 64, 64]", "64x64 kernel", "unfolds into");
        } finally {
            if (kernel == null) {
                System.clearProperty("kiln.cpu.convolutionKernel");
            } else {
                System.setProperty("kiln.cpu.convolutionKernel", kernel);
            }
        }
    }

    @Test
    void maskedFillWithAMaskThatDoesNotBroadcastNamesBoth() {
        Tensor x = Tensor.zeros(3);
        Tensor mask = Tensor.zeros(2, 2);
        assertMessage(IllegalArgumentException.class, () -> x.maskedFill(mask, -1), "maskedFill", "[2, 2]", "[3]");
    }

    @Test
    void aCpuTensorBeyondOneBufferNamesItsBytesAndElements() {
        assumeTrue("cpu".equals(Engine.get().backend().name()), "a limit of the CPU backend's buffers");
        assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 600_000_000), "CPU backend",
                "bytes", "600000000 F32 elements");
    }

    @Test
    void reshapeToWrongSizeNamesBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        assertMessage(IllegalArgumentException.class, () -> a.reshape(4, 2), "reshape", "[2, 3]", "[4, 2]");
        assertMessage(IllegalArgumentException.class, () -> a.reshape(-1, 4), "reshape", "[2, 3]");
    }

    @Test
    void narrowOutOfRangeNamesTheRangeAndShape() {
        Tensor a = Tensor.zeros(2, 5);
        assertMessage(IllegalArgumentException.class, () -> a.narrow(1, 3, 4), "narrow", "[3, 7)", "[2, 5]");
        assertMessage(IllegalArgumentException.class, () -> a.narrow(0, -3, 1), "narrow", "[2, 5]");
    }

    @Test
    void expandToFewerSizesThanDimensionsNamesTheSizesGiven() {
        // PyTorch: "the number of sizes provided (1) must be greater or equal to the number of dimensions (2)"
        Tensor a = Tensor.zeros(2, 3);
        assertMessage(IllegalArgumentException.class, () -> a.expand(-1), "expand", "[2, 3]", "[-1]", "1 size",
                "2 dimensions");
    }

    @Test
    void catWithMismatchedShapesNamesBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(2, 4);
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, b), 0), "cat", "[2, 3]", "[2, 4]");
        Tensor c = Tensor.zeros(2);
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, c), 0), "cat", "[2, 3]", "[2]");
    }

    @Test
    void mixingF32AndF64NamesBothDtypes() {
        Tensor a = Tensor.zeros(DType.F32, 2);
        Tensor b = Tensor.zeros(DType.F64, 2);
        assertMessage(IllegalArgumentException.class, () -> a.add(b), "add", "F32", "F64");
        assertMessage(IllegalArgumentException.class, () -> a.reshape(1, 2).matmul(b.reshape(2, 1)), "matmul", "F32", "F64");
    }

    @Test
    void crossEntropyTargetOutOfRangeNamesTheTargetAndClassCount() {
        Tensor logits = Tensor.zeros(2, 3);
        Tensor high = Tensor.fromArray(new long[] {0, 5}, 2);
        assertMessage(IllegalArgumentException.class, () -> F.crossEntropy(logits, high), "crossEntropy", "5", "[0, 3)");
        Tensor negative = Tensor.fromArray(new int[] {-1, 0}, 2);
        assertMessage(IllegalArgumentException.class, () -> F.crossEntropy(logits, negative), "crossEntropy", "-1");
    }

    @Test
    void gatherIndexOutOfRangeNamesTheIndexAndShape() {
        Tensor src = Tensor.zeros(3, 4);
        Tensor index = Tensor.fromArray(new long[] {0, 4, 1, 2, 3, 0}, 3, 2);
        assertMessage(IllegalArgumentException.class, () -> src.gather(1, index), "gather", "index 4", "[3, 4]");
    }

    @Test
    void usingATensorAfterCloseSaysItIsClosed() {
        Tensor t = Tensor.ones(2);
        t.close();
        assertTrue(t.isClosed());
        assertMessage(IllegalStateException.class, () -> t.add(Tensor.ones(2)), "add", "closed");
        assertMessage(IllegalStateException.class, t::toFloatArray, "closed");
        assertMessage(IllegalStateException.class, () -> t.reshape(2, 1), "closed");
    }

    @Test
    void usingATensorAfterItsScopeClosedSaysItIsClosed() {
        Tensor t;
        try (Scope inner = Scope.open()) {
            t = Tensor.ones(2).mul(3);
        }
        assertTrue(t.isClosed());
        assertMessage(IllegalStateException.class, () -> t.add(Tensor.ones(2)), "closed", "Scope");
        assertMessage(IllegalStateException.class, t::toDoubleArray, "closed");
    }

    @Test
    void fromArrayWithTooFewValuesNamesTheCountAndShape() {
        assertMessage(IllegalArgumentException.class, () -> Tensor.fromArray(new float[5], 2, 3),
                "fromArray", "5 values", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Tensor.fromArray(new long[7], 2, 3),
                "fromArray", "7 values", "[2, 3]");
    }

    // Index tensors made from Java arrays are checked against the range recorded when they were made (no read
    // back from a device); a write in place must make the check read them again.

    @Test
    void aTargetOutOfRangeFromAJavaArrayIsNamed() {
        Tensor targets = Tensor.fromArray(new long[] {0, 4, 1}, 3);
        assertMessage(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.zeros(3, 4), targets),
                "crossEntropy", "target 4", "[0, 4)");
    }

    @Test
    void targetsAddedToInPlaceAreCheckedAgain() {
        Tensor targets = Tensor.fromArray(new long[] {0, 1}, 2);
        targets.addInPlace(Tensor.fromArray(new long[] {5, 5}, 2), 1);
        assertMessage(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.zeros(2, 4), targets),
                "crossEntropy", "target 5", "[0, 4)");
    }

    @Test
    void indicesAssignedThroughAViewAreCheckedAgain() {
        Tensor index = Tensor.fromArray(new long[] {0, 1, 2}, 3);
        index.narrow(0, 1, 1).assign(Tensor.fromArray(new long[] {9}, 1));
        assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(4, 2).indexSelect(0, index),
                "indexSelect", "index 9", "[0, 4)");
        assertMessage(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.zeros(3, 4), index),
                "crossEntropy", "target 9");
    }

    @Test
    void aViewOfInRangeIndicesFromALargerOutOfRangeArrayIsAccepted() {
        Tensor index = Tensor.fromArray(new long[] {0, 1, 50}, 3);
        Tensor firstTwo = index.narrow(0, 0, 2);
        assertTrue(Tensor.zeros(4, 2).indexSelect(0, firstTwo).shape().dim(0) == 2);
    }
}
