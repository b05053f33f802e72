package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The tensor functions "What is torch.nn really?" (examples/WhatIsNn.java) calls as PyTorch spells them:
 * {@code F.avg_pool2d(x, 4)} (stride defaulting to the kernel), {@code F.relu}, {@code x.sum(-1)} and
 * {@code x.mean(-1)} without keepdim (a 0-d tensor's over axis 0 or -1 too), and {@code y.min()}, {@code y.max()} of
 * integer labels (refused without elements, as PyTorch's). Reference values:
 * models/src/test/pytorch/nn_tutorial_gaps.py (PyTorch 1.13), on z = sin(0.37 i).
 */
class NnTutorialOpsPyTorchParityTest {
    private static Tensor sines(int n, int... dims) {
        return Tensor.arange(0, n, 1, DType.F64).mul(0.37).sin().view(dims);
    }

    @Test
    void avgPool2dWithAKernelAlonePoolsNonOverlappingWindows() {
        try (Scope s = Scope.open()) {
            Tensor y = F.avgPool2d(sines(128, 1, 2, 8, 8), 4);
            assertArrayEquals(new int[] {1, 2, 2, 2}, y.shape().dims());
            assertArrayEquals(new double[] {0.07848480929858265, -0.015580460248511431, 0.07381112118465628,
                    0.041636484138436534, 0.03187607574599521, 0.07783448329968273, -0.026150661966387413,
                    0.07474004999455255}, y.toDoubleArray(), 1e-14);
        }
    }

    @Test
    void avgPool2dWithAKernelAloneHasTheGradientOfItsWindows() {
        try (Scope s = Scope.open()) {
            GradCheck.check("avgPool2d(x, 2)", in -> F.avgPool2d(in[0], 2), sines(32, 1, 2, 4, 4).requiresGrad(true));
        }
    }

    @Test
    void reluIsTensorRelu() {
        try (Scope s = Scope.open()) {
            assertEquals(43.195811980796734, F.relu(sines(128, 1, 2, 8, 8)).sum().item(), 1e-12);
        }
    }

    @Test
    void sumAndMeanOverAnAxisRemoveIt() {
        try (Scope s = Scope.open()) {
            Tensor w = sines(12, 3, 4);
            assertArrayEquals(new double[] {1.9316020292731548, 3.2777658614363028, -1.3372013187329812},
                    w.sum(-1).toDoubleArray(), 1e-14);
            assertArrayEquals(new double[] {0.4829005073182887, 0.8194414653590757, -0.3343003296832453},
                    w.mean(-1).toDoubleArray(), 1e-14);
            // The tutorial's log_softmax: x - x.exp().sum(-1).log().unsqueeze(-1).
            Tensor logSumExp = w.exp().sum(-1).log().unsqueeze(-1);
            assertArrayEquals(new int[] {3, 1}, logSumExp.shape().dims());
            assertArrayEquals(new double[] {1.9238584953146118, 2.2223389275485523, 1.120002442471111},
                    logSumExp.toDoubleArray(), 1e-14);
        }
    }

    @Test
    void minAndMaxOfIntegerLabelsAreIntegersOfTheirDtype() {
        try (Scope s = Scope.open()) {
            Tensor labels = Tensor.fromArray(new long[] {5, 0, 4, 1, 9, 2}, 6);
            assertEquals("tensor(0) tensor(9)", labels.min() + " " + labels.max());
            assertEquals(DType.I64, labels.max().dtype());
            Tensor ints = labels.to(DType.I32);
            assertEquals("tensor(0, dtype=torch.int32) tensor(9, dtype=torch.int32)", ints.min() + " " + ints.max());
        }
    }

    @Test
    void minAndMaxOfI64AreExactBeyondTwoToThe53() {
        try (Scope s = Scope.open()) {
            Tensor big = Tensor.fromArray(new long[] {(1L << 62) + 1, -(1L << 62) - 3, 7}, 3);
            assertEquals(-4611686018427387907L, big.min().toLongArray()[0]);
            assertEquals(4611686018427387905L, big.max().toLongArray()[0]);
        }
    }

    private static Tensor zeroDimensional(double value) {
        return Tensor.scalar(value).to(DType.F64);
    }

    @Test
    void aZeroDimensionalTensorSumsAndAveragesOverAxisZeroOrMinusOneToItsValue() {
        try (Scope s = Scope.open()) {
            Tensor x = zeroDimensional(2.5);
            for (Tensor y : new Tensor[] {x.sum(-1), x.sum(0), x.mean(-1), x.mean(0), x.sum(-1, true)}) {
                assertEquals(0, y.rank(), "0-d, keepdim or not");
                assertEquals(2.5, y.item());
            }
        }
    }

    @Test
    void aZeroDimensionalIntegerSumOverItsAxisIsI64() {
        try (Scope s = Scope.open()) {
            assertEquals("tensor(7)", Tensor.fromArray(new int[] {7}, 1).view().sum(0).toString());
        }
    }

    @Test
    void aZeroDimensionalSumOverItsAxisPassesTheGradientThrough() {
        try (Scope s = Scope.open()) {
            Tensor x = zeroDimensional(2.5).requiresGrad(true);
            x.sum(-1).mul(3.0).backward();
            assertEquals(3.0, x.grad().item(), "torch.autograd.grad(x.sum(-1) * 3, x)");
            GradCheck.check("sum(-1) of 0-d", in -> in[0].sum(-1).mul(in[0]), zeroDimensional(2.5).requiresGrad(true));
        }
    }

    @Test
    void aZeroDimensionalTensorRefusesAnAxisOtherThanZeroOrMinusOne() {
        try (Scope s = Scope.open()) {
            Tensor x = zeroDimensional(2.5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.sum(1));
            assertEquals("sum: axis 1 is out of range for a 0-d tensor; expected 0 or -1", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> x.mean(-2, true));
            assertEquals("mean: axis -2 is out of range for a 0-d tensor; expected 0 or -1", e.getMessage());
        }
    }

    @Test
    void maxAndMinOfAnIntegerTensorWithoutElementsAreRefusedNamingTheOp() {
        try (Scope s = Scope.open()) {
            Tensor empty = Tensor.fromArray(new long[0], 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, empty::max);
            assertEquals("max: I64 [0] has no elements; the max of all elements needs at least one", e.getMessage());
            Tensor noColumns = Tensor.fromArray(new int[0], 2, 0);
            e = assertThrows(IllegalArgumentException.class, noColumns::min);
            assertEquals("min: I32 [2, 0] has no elements; the min of all elements needs at least one",
                    e.getMessage());
        }
    }
}
