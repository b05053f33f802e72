package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The tensor functions "What is torch.nn really?" (examples/WhatIsNn.java) calls as PyTorch spells them:
 * {@code F.avg_pool2d(x, 4)} (stride defaulting to the kernel), {@code F.relu}, {@code x.sum(-1)} and
 * {@code x.mean(-1)} without keepdim, and {@code y.min()}, {@code y.max()} of integer labels. Reference values:
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
}
