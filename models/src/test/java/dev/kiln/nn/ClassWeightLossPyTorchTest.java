package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NLLLoss and CrossEntropyLoss's class weights against what PyTorch 1.13 printed for the same F64 inputs
 * ({@code models/src/test/pytorch/loss_class_weights.py}): the loss and the input's gradient, the backward pass
 * taking the upstream gradient 1, 2, 3, ... in the loss's shape (1 for a scalar). The comment on each test names
 * the torch call; the F32 test takes the same inputs in float32.
 */
class ClassWeightLossPyTorchTest {
    private static final double TOLERANCE = 1e-10;
    private static final double TOLERANCE_F32 = 1e-6;
    private static final double[] LOGITS = {1.0, 2.0, 0.5, -1.0, 0.3, -0.2, 2.5, 0.0, -1.5, 0.7, 0.1, 1.2};
    /** log_softmax(LOGITS, 1). */
    private static final double[] LOG_PROBABILITIES =
            new double[] {-1.495181898085856, -0.49518189808585605, -1.995181898085856, -3.495181898085856,
                    -2.4311860592525947, -2.9311860592525947, -0.2311860592525945, -2.7311860592525945,
                    -3.3964453636448004, -1.1964453636448, -1.7964453636448, -0.6964453636448};
    /** log_softmax over axis 1 of [2, 3, 2, 2] scores. */
    private static final double[] PER_POSITION =
            new double[] {-3.1238729583693674, -1.0045969023422834, -3.1238729583693674, -0.08509724636430994,
                    -0.12387295836936733, -3.5045969023422834, -0.12387295836936733, -2.58509724636431,
                    -2.6238729583693674, -0.5045969023422835, -2.6238729583693674, -5.08509724636431,
                    -1.0045969023422834, -3.1238729583693674, -0.08509724636430994, -1.0045969023422834,
                    -3.5045969023422834, -0.12387295836936733, -2.58509724636431, -3.5045969023422834,
                    -0.5045969023422835, -2.6238729583693674, -5.08509724636431, -0.5045969023422835};
    private static final double[] WEIGHT = {0.5, 2.0, 1.5, 3.0};
    private static final long[] TARGETS = {2, 0, 3};
    private static final long[] TARGETS_IGNORING_ROW_1 = {2, -100, 3};
    private static final long[] TARGETS_WITH_CLASS_1 = {2, 1, 1};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /**
     * Applies {@code loss} to {@code input} (an F64 leaf requiring a gradient), backpropagates 1, 2, 3, ... in the
     * loss's shape, and compares the loss and the input's gradient within TOLERANCE relative to their size.
     */
    private static void check(double[] input, int[] dims, UnaryOperator<Tensor> loss, double[] expectedValue,
                              double[] expectedGrad) {
        check(DType.F64, input, dims, loss, expectedValue, expectedGrad, TOLERANCE);
    }

    private static void check(DType dtype, double[] input, int[] dims, UnaryOperator<Tensor> loss,
                              double[] expectedValue, double[] expectedGrad, double tolerance) {
        Tensor x = Tensor.fromArray(input.clone(), dims).to(dtype).requiresGrad(true);
        Tensor out = loss.apply(x);
        out.backward(Tensor.arange(1, out.size() + 1, 1, dtype).reshape(out.shape().dims()));
        assertClose(expectedValue, out, tolerance, "loss");
        assertClose(expectedGrad, x.grad(), tolerance, "gradient");
    }

    private static void assertClose(double[] expected, Tensor actual, double tolerance, String what) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, what + " element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tolerance * Math.max(1, Math.abs(expected[i])), what + " element " + i);
        }
    }

    private static Tensor indices(long[] targets, int... dims) {
        return Tensor.fromArray(targets.clone(), dims.length == 0 ? new int[] {targets.length} : dims);
    }

    private static Tensor weight() {
        return Tensor.fromArray(WEIGHT.clone(), WEIGHT.length);
    }

    private static void checkNll(NLLLoss loss, long[] targets, double[] value, double[] grad) {
        check(LOG_PROBABILITIES, new int[] {3, 4}, x -> loss.compute(x, indices(targets)), value, grad);
    }

    private static void checkCrossEntropy(CrossEntropyLoss loss, long[] targets, double[] value, double[] grad) {
        check(LOGITS, new int[] {3, 4}, x -> loss.compute(x, indices(targets)), value, grad);
    }

    // ---- NLLLoss --------------------------------------------------------------------------------

    @Test
    void nllMean() {
        // torch.nn.NLLLoss()(log_softmax(logits), [2, 0, 3]), PyTorch 1.13
        checkNll(new NLLLoss(), TARGETS,
                new double[] {1.7076044403277502},
                new double[] {0.0, 0.0, -0.3333333333333333, 0.0, -0.3333333333333333, 0.0, 0.0, 0.0, 0.0, 0.0,
                    0.0, -0.3333333333333333});
    }

    @Test
    void nllSum() {
        // torch.nn.NLLLoss(reduction='sum')(log_softmax(logits), [2, 0, 3]), PyTorch 1.13
        checkNll(new NLLLoss(Reduction.SUM), TARGETS,
                new double[] {5.1228133209832505},
                new double[] {0.0, 0.0, -1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0});
    }

    @Test
    void nllNone() {
        // torch.nn.NLLLoss(reduction='none')(log_softmax(logits), [2, 0, 3]), PyTorch 1.13
        checkNll(new NLLLoss(Reduction.NONE), TARGETS,
                new double[] {1.995181898085856, 2.4311860592525947, 0.6964453636448},
                new double[] {0.0, 0.0, -1.0, 0.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.0});
    }

    @Test
    void nllWeightedMeanDividesByTheTargetsWeights() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3])(log_softmax(logits), [2, 0, 3]), PyTorch 1.13
        checkNll(new NLLLoss(weight()), TARGETS,
                new double[] {1.2595403935378962},
                new double[] {0.0, 0.0, -0.30000000000000004, 0.0, -0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    -0.6000000000000001});
    }

    @Test
    void nllWeightedSum() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3], reduction='sum')(log_softmax(logits), [2, 0, 3]), PyTorch 1.13
        checkNll(new NLLLoss(weight(), -100, Reduction.SUM), TARGETS,
                new double[] {6.2977019676894805},
                new double[] {0.0, 0.0, -1.5, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.0});
    }

    @Test
    void nllWeightedNone() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3], reduction='none')(log_softmax(logits), [2, 0, 3]),
        // PyTorch 1.13
        checkNll(new NLLLoss(weight(), -100, Reduction.NONE), TARGETS,
                new double[] {2.992772847128784, 1.2155930296262973, 2.0893360909344},
                new double[] {0.0, 0.0, -1.5, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -9.0});
    }

    @Test
    void nllWeightedMeanIgnoringARowLeavesItsWeightOut() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3])(log_softmax(logits), [2, -100, 3]), PyTorch 1.13
        checkNll(new NLLLoss(weight()), TARGETS_IGNORING_ROW_1,
                new double[] {1.1293575417918187},
                new double[] {0.0, 0.0, -0.3333333333333333, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                    -0.6666666666666666});
    }

    @Test
    void nllWeightedSumIgnoringARow() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3], reduction='sum')(log_softmax(logits), [2, -100, 3]),
        // PyTorch 1.13
        checkNll(new NLLLoss(weight(), -100, Reduction.SUM), TARGETS_IGNORING_ROW_1,
                new double[] {5.082108938063184},
                new double[] {0.0, 0.0, -1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.0});
    }

    @Test
    void nllWeightedNoneIgnoringARowGivesItZero() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3], reduction='none')(log_softmax(logits), [2, -100, 3]),
        // PyTorch 1.13
        checkNll(new NLLLoss(weight(), -100, Reduction.NONE), TARGETS_IGNORING_ROW_1,
                new double[] {2.992772847128784, 0.0, 2.0893360909344},
                new double[] {0.0, 0.0, -1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -9.0});
    }

    @Test
    void nllWeightedIgnoringAClassInRange() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3], ignore_index=1)(log_softmax(logits), [2, 1, 1]), PyTorch 1.13
        checkNll(new NLLLoss(weight(), 1, Reduction.MEAN), TARGETS_WITH_CLASS_1,
                new double[] {1.995181898085856},
                new double[] {0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void nllWeightedSumIgnoringAClassInRange() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3], ignore_index=1, reduction='sum')(log_softmax(logits), [2, 1, 1]),
        // PyTorch 1.13
        checkNll(new NLLLoss(weight(), 1, Reduction.SUM), TARGETS_WITH_CLASS_1,
                new double[] {2.992772847128784},
                new double[] {0.0, 0.0, -1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void nllWeightedNoneIgnoringAClassInRange() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3], ignore_index=1, reduction='none')(log_softmax(logits), [2, 1, 1]),
        // PyTorch 1.13
        checkNll(new NLLLoss(weight(), 1, Reduction.NONE), TARGETS_WITH_CLASS_1,
                new double[] {2.992772847128784, 0.0, 0.0},
                new double[] {0.0, 0.0, -1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void nllOfPerPositionLogProbabilitiesWeightedMean() {
        // torch.nn.NLLLoss(weight=[1, 0.25, 2])(x [2, 3, 2, 2], targets [2, 2, 2] with one -100), PyTorch 1.13
        Tensor weight = Tensor.fromArray(new double[] {1, 0.25, 2}, 3);
        check(PER_POSITION, new int[] {2, 3, 2, 2},
                x -> new NLLLoss(weight).compute(x, indices(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2)),
                new double[] {1.3390848465905245},
                new double[] {-0.11764705882352941, 0.0, 0.0, 0.0, 0.0, 0.0, -0.029411764705882353, 0.0, 0.0,
                    -0.23529411764705882, 0.0, 0.0, 0.0, 0.0, -0.11764705882352941, 0.0, 0.0, 0.0, 0.0,
                    -0.029411764705882353, -0.23529411764705882, -0.23529411764705882, 0.0, 0.0});
    }

    @Test
    void nllOfPerPositionLogProbabilitiesNoneKeepsTheTargetsShape() {
        // torch.nn.NLLLoss(reduction='none')(x [2, 3, 2, 2], targets [2, 2, 2] with one -100), PyTorch 1.13
        check(PER_POSITION, new int[] {2, 3, 2, 2},
                x -> {
                    Tensor losses = new NLLLoss(Reduction.NONE).compute(x,
                            indices(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2));
                    assertEquals(x.shape().without(1), losses.shape());
                    return losses;
                },
                new double[] {3.1238729583693674, 0.5045969023422835, 0.12387295836936733, 0.0,
                    0.5045969023422835, 2.6238729583693674, 0.08509724636430994, 3.5045969023422834},
                new double[] {-1.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, 0.0, -7.0, 0.0,
                    0.0, 0.0, 0.0, -8.0, -5.0, -6.0, 0.0, 0.0});
    }

    @Test
    void nllOfOneExample() {
        // torch.nn.NLLLoss(weight=[0.5, 2, 1.5, 3])(log_softmax(logits)[0], tensor(3)), PyTorch 1.13
        double[] row = Arrays.copyOf(LOG_PROBABILITIES, 4);
        check(row, new int[] {4}, x -> new NLLLoss(weight()).compute(x, Tensor.fromArray(new long[] {3}).reshape()),
                new double[] {3.4951818980858556},
                new double[] {0.0, 0.0, 0.0, -1.0});
    }

    // ---- CrossEntropyLoss's weight --------------------------------------------------------------

    @Test
    void crossEntropyWeightedMean() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3])(logits, [2, 0, 3]), PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight()), TARGETS,
                new double[] {1.2595403935378962},
                new double[] {0.06726234541446036, 0.18283801127966318, -0.2592033252619484, 0.009102968567824868,
                    -0.09120675224196398, 0.005333374363698227, 0.079359179720144, 0.006514198158121757,
                    0.02009526653521991, 0.18136005175508652, 0.09953250672580635, -0.3009878250161128});
    }

    @Test
    void crossEntropyWeightedSum() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], reduction='sum')(logits, [2, 0, 3]),
        // PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0, -100, Reduction.SUM), TARGETS,
                new double[] {6.2977019676894805},
                new double[] {0.3363117270723017, 0.9141900563983156, -1.2960166263097417, 0.04551484283912434,
                    -0.45603376120981987, 0.026666871818491134, 0.39679589860071995,
                    0.03257099079060878, 0.10047633267609954, 0.9068002587754325, 0.4976625336290317,
                    -1.504939125080564});
    }

    @Test
    void crossEntropyWeightedNone() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], reduction='none')(logits, [2, 0, 3]),
        // PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0, -100, Reduction.NONE), TARGETS,
                new double[] {2.992772847128784, 1.2155930296262973, 2.0893360909344},
                new double[] {0.3363117270723017, 0.9141900563983156, -1.2960166263097417, 0.04551484283912434,
                    -0.9120675224196397, 0.05333374363698227, 0.7935917972014399, 0.06514198158121756,
                    0.30142899802829864, 2.720400776326297, 1.492987600887095, -4.514817375241692});
    }

    @Test
    void crossEntropyWeightedLabelSmoothingIgnoringARowMean() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], label_smoothing=0.1)(logits, [2, -100, 3]),
        // PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0.1, -100, Reduction.MEAN), TARGETS_IGNORING_ROW_1,
                new double[] {1.1502628477910513},
                new double[] {0.07320376056077929, 0.19542812385295286, -0.2622482007588676,
                    -0.006383683654864499, 0.0, 0.0, 0.0, 0.0, 0.01861995973657676, 0.1820037588132866,
                    0.09765035438396048, -0.29827407293382385});
    }

    @Test
    void crossEntropyWeightedLabelSmoothingIgnoringARowSum() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], label_smoothing=0.1, reduction='sum')(logits,
        // [2, -100, 3]), PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0.1, -100, Reduction.SUM), TARGETS_IGNORING_ROW_1,
                new double[] {5.1761828150597315},
                new double[] {0.3294169225235068, 0.8794265573382877, -1.1801169034149042, -0.028726576446890265,
                    0.0, 0.0, 0.0, 0.0, 0.08378981881459541, 0.8190169146597895, 0.43942659472782214,
                    -1.3422333282022072});
    }

    @Test
    void crossEntropyWeightedLabelSmoothingIgnoringARowNone() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], label_smoothing=0.1, reduction='none')(logits,
        // [2, -100, 3]), PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0.1, -100, Reduction.NONE), TARGETS_IGNORING_ROW_1,
                new double[] {3.0739023945809305, 0.0, 2.1022804204787997},
                new double[] {0.3294169225235068, 0.8794265573382877, -1.1801169034149042, -0.028726576446890265,
                    0.0, 0.0, 0.0, 0.0, 0.2513694564437862, 2.457050743979369, 1.3182797841834664,
                    -4.026699984606621});
    }

    @Test
    void crossEntropyWeightedLabelSmoothingIgnoringAClassInRangeMean() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], ignore_index=1, label_smoothing=0.2)(logits, [2, 1, 1]),
        // PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0.2, 1, Reduction.MEAN), TARGETS_WITH_CLASS_1,
                new double[] {2.103354628022051},
                new double[] {0.21501474531647455, 0.5631087055188397, -0.709478120346711, -0.06864533048860323,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void crossEntropyWeightedLabelSmoothingIgnoringAClassInRangeSum() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], ignore_index=1, label_smoothing=0.2, reduction='sum')(
        // logits, [2, 1, 1]), PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0.2, 1, Reduction.SUM), TARGETS_WITH_CLASS_1,
                new double[] {3.1550319420330766},
                new double[] {0.3225221179747118, 0.8446630582782597, -1.0642171805200664, -0.10296799573290487,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void crossEntropyWeightedLabelSmoothingIgnoringAClassInRangeNone() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], ignore_index=1, label_smoothing=0.2, reduction='none')(
        // logits, [2, 1, 1]), PyTorch 1.13
        checkCrossEntropy(new CrossEntropyLoss(weight(), 0.2, 1, Reduction.NONE), TARGETS_WITH_CLASS_1,
                new double[] {3.1550319420330766, 0.0, 0.0},
                new double[] {0.3225221179747118, 0.8446630582782597, -1.0642171805200664, -0.10296799573290487,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void crossEntropyWeightedLabelSmoothingIgnoringARowF32() {
        // torch.nn.CrossEntropyLoss(weight=[0.5, 2, 1.5, 3], label_smoothing=0.1)(logits, [2, -100, 3]) in float32,
        // PyTorch 1.13
        CrossEntropyLoss loss = new CrossEntropyLoss(weight().to(DType.F32), 0.1, -100, Reduction.MEAN);
        check(DType.F32, LOGITS, new int[] {3, 4}, x -> loss.compute(x, indices(TARGETS_IGNORING_ROW_1)),
                new double[] {1.150262713432312},
                new double[] {0.07320375740528107, 0.19542813301086426, -0.2622481882572174,
                    -0.0063836839981377125, 0.0, 0.0, 0.0, 0.0, 0.0186199601739645, 0.18200373649597168,
                    0.09765034168958664, -0.2982740104198456}, TOLERANCE_F32);
    }
}
