package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each loss's value and its gradient against what PyTorch 1.13 printed for the same F64 inputs (default dtype
 * float64; {@code out.backward(torch.ones_like(out))} unless an upstream gradient is named). The comment on each
 * test names the torch call; the F32 tests take the same inputs in float32.
 */
class LossPyTorchTest {
    private static final double TOLERANCE = 1e-10;
    private static final double TOLERANCE_F32 = 1e-6;
    private static final double[] LOGITS = {1.0, 2.0, 0.5, -1.0, 0.3, -0.2, 2.5, 0.0, -1.5, 0.7, 0.1, 1.2};
    private static final long[] TARGETS = {2, 0, 3};
    private static final long[] TARGETS_IGNORING_ROW_1 = {2, -100, 3};
    private static final long[] TARGETS_WITH_CLASS_1 = {2, 1, 1};
    private static final double[] UPSTREAM = {1.0, 2.0, 3.0};

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
     * Applies {@code loss} to {@code input} (a leaf requiring a gradient), backpropagates {@code upstream} (ones
     * when null), and compares the loss and the input's gradient, each within TOLERANCE relative to its size.
     */
    private static void check(double[] input, int[] dims, UnaryOperator<Tensor> loss, double[] upstream,
                              double[] expectedValue, double[] expectedGrad) {
        check(DType.F64, input, dims, loss, upstream, expectedValue, expectedGrad, TOLERANCE);
    }

    /** {@link #check} on an F32 input, against PyTorch's float32 values. */
    private static void checkF32(double[] input, int[] dims, UnaryOperator<Tensor> loss, double[] expectedValue,
                                 double[] expectedGrad) {
        check(DType.F32, input, dims, loss, null, expectedValue, expectedGrad, TOLERANCE_F32);
    }

    private static void check(DType dtype, double[] input, int[] dims, UnaryOperator<Tensor> loss, double[] upstream,
                              double[] expectedValue, double[] expectedGrad, double tolerance) {
        Tensor x = Tensor.fromArray(input.clone(), dims).to(dtype).requiresGrad(true);
        Tensor out = loss.apply(x);
        if (upstream == null) {
            out.backward(out.fullLike(1));
        } else {
            out.backward(Tensor.fromArray(upstream.clone(), upstream.length).to(dtype));
        }
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

    private static Tensor indices(long[] targets) {
        return Tensor.fromArray(targets.clone(), targets.length);
    }

    private static void checkCrossEntropy(UnaryOperator<Tensor> loss, double[] upstream, double[] value,
                                          double[] grad) {
        check(LOGITS, new int[] {3, 4}, loss, upstream, value, grad);
    }

    // ---- Cross-entropy --------------------------------------------------------------------------

    @Test
    void crossEntropyMean() {
        // torch.nn.CrossEntropyLoss()(logits, [2, 0, 3]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss().compute(x, indices(TARGETS)), null,
                new double[] {1.7076044403277502},
                new double[] {0.07473593934940037, 0.20315334586629236, -0.28800369473549814, 0.010114409519805408,
                    -0.30402250747321324, 0.017777914545660755, 0.2645305990671466, 0.02171399386040585,
                    0.01116403696401106, 0.10075558430838139, 0.05529583706989241, -0.16721545834228485});
    }

    @Test
    void crossEntropySum() {
        // torch.nn.functional.cross_entropy(logits, [2, 0, 3], reduction='sum'), PyTorch 1.13
        checkCrossEntropy(x -> F.crossEntropy(x, indices(TARGETS), Reduction.SUM), null,
                new double[] {5.1228133209832505},
                new double[] {0.22420781804820114, 0.6094600375988771, -0.8640110842064945, 0.030343228559416225,
                    -0.9120675224196397, 0.05333374363698227, 0.7935917972014399, 0.06514198158121756,
                    0.03349211089203318, 0.30226675292514416, 0.16588751120967724, -0.5016463750268546});
    }

    @Test
    void crossEntropyNone() {
        // torch.nn.functional.cross_entropy(logits, [2, 0, 3], reduction='none'), backward([1, 2, 3]), PyTorch 1.13
        checkCrossEntropy(x -> F.crossEntropy(x, indices(TARGETS), Reduction.NONE), UPSTREAM,
                new double[] {1.995181898085856, 2.4311860592525947, 0.6964453636448},
                new double[] {0.22420781804820114, 0.6094600375988771, -0.8640110842064945, 0.030343228559416225,
                    -1.8241350448392795, 0.10666748727396454, 1.5871835944028798, 0.13028396316243512,
                    0.10047633267609954, 0.9068002587754325, 0.4976625336290317, -1.504939125080564});
    }

    @Test
    void crossEntropyMeanIgnoringARow() {
        // torch.nn.functional.cross_entropy(logits, [2, -100, 3], ignore_index=-100), PyTorch 1.13
        checkCrossEntropy(x -> F.crossEntropy(x, indices(TARGETS_IGNORING_ROW_1), Reduction.MEAN, -100), null,
                new double[] {1.3458136308653281},
                new double[] {0.11210390902410057, 0.30473001879943856, -0.43200554210324726, 0.015171614279708113,
                    0.0, 0.0, 0.0, 0.0,
                    0.01674605544601659, 0.15113337646257208, 0.08294375560483862, -0.2508231875134273});
    }

    @Test
    void crossEntropySumIgnoringARow() {
        // torch.nn.functional.cross_entropy(logits, [2, -100, 3], reduction='sum', ignore_index=-100), PyTorch 1.13
        checkCrossEntropy(x -> F.crossEntropy(x, indices(TARGETS_IGNORING_ROW_1), Reduction.SUM, -100), null,
                new double[] {2.6916272617306563},
                new double[] {0.22420781804820114, 0.6094600375988771, -0.8640110842064945, 0.030343228559416225,
                    0.0, 0.0, 0.0, 0.0,
                    0.03349211089203318, 0.30226675292514416, 0.16588751120967724, -0.5016463750268546});
    }

    @Test
    void crossEntropyNoneIgnoringAClassInRange() {
        // torch.nn.functional.cross_entropy(logits, [2, 1, 1], reduction='none', ignore_index=1), backward([1, 2, 3]),
        // PyTorch 1.13
        checkCrossEntropy(x -> F.crossEntropy(x, indices(TARGETS_WITH_CLASS_1), Reduction.NONE, 1), UPSTREAM,
                new double[] {1.995181898085856, 0.0, 0.0},
                new double[] {0.22420781804820114, 0.6094600375988771, -0.8640110842064945, 0.030343228559416225,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void crossEntropyLabelSmoothing() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1)(logits, [2, 0, 3]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.1).compute(x, indices(TARGETS)), null,
                new double[] {1.7276044403277502},
                new double[] {0.06640260601606705, 0.19482001253295905, -0.2630036947354982, 0.0017810761864720762,
                    -0.2790225074732132, 0.009444581212327429, 0.25619726573381335, 0.013380660527072527,
                    0.0028307036306777287, 0.09242225097504807, 0.04696250373655909, -0.14221545834228486});
    }

    @Test
    void crossEntropyLabelSmoothingIgnoringARow() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=-100)(logits, [2, -100, 3]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.1, -100).compute(x, indices(TARGETS_IGNORING_ROW_1)), null,
                new double[] {1.3933136308653282},
                new double[] {0.09960390902410057, 0.29223001879943855, -0.3945055421032473, 0.002671614279708112,
                    0.0, 0.0, 0.0, 0.0,
                    0.00424605544601659, 0.13863337646257207, 0.07044375560483862, -0.21332318751342733});
    }

    @Test
    void crossEntropyLabelSmoothingIgnoringAClassInRange() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.2, ignore_index=1)(logits, [2, 1, 1]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.2, 1).compute(x, indices(TARGETS_WITH_CLASS_1)), null,
                new double[] {1.970181898085856},
                new double[] {0.17420781804820112, 0.5594600375988771, -0.7140110842064946, -0.019656771440583778,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    // ---- Binary cross-entropy -------------------------------------------------------------------

    @Test
    void bce() {
        // torch.nn.BCELoss()([0.2, 0.9, 0.0, 1.0, 0.5, 0.7], [0, 1, 0, 1, 1, 0.3]), PyTorch 1.13
        double[] y = {0.0, 1.0, 0.0, 1.0, 1.0, 0.3};
        check(new double[] {0.2, 0.9, 0.0, 1.0, 0.5, 0.7}, new int[] {6},
                p -> new BCELoss().compute(p, Tensor.fromArray(y, 6)), null,
                new double[] {0.32857244895695936},
                new double[] {0.2083333333333333, -0.1851851851851852, 0.0, 0.0, -0.3333333333333333,
                    0.3174603174603174});
    }

    @Test
    void bceClampsTheLogAtMinus100AndTheGradientDenominatorAtFloat1e12() {
        // torch.nn.BCELoss()([0.0, 1.0, 0.25], [1, 0, 0.5]), PyTorch 1.13
        double[] y = {1.0, 0.0, 0.5};
        check(new double[] {0.0, 1.0, 0.25}, new int[] {3},
                p -> new BCELoss().compute(p, Tensor.fromArray(y, 3)), null,
                new double[] {66.94566273892862},
                new double[] {-333333334665.26764, 333333334665.26764, -0.4444444444444444});
    }

    @Test
    void bceWithLogits() {
        // torch.nn.BCEWithLogitsLoss()([-2, -0.5, 0, 0.5, 3, 40], [0, 1, 0.5, 1, 0, 0.25]), PyTorch 1.13
        double[] y = {0.0, 1.0, 0.5, 1.0, 0.0, 0.25};
        check(new double[] {-2.0, -0.5, 0.0, 0.5, 3.0, 40.0}, new int[] {6},
                x -> new BCEWithLogitsLoss().compute(x, Tensor.fromArray(y, 6)), null,
                new double[] {5.886136085256147},
                new double[] {0.019867153670352924, -0.10374322186697577, 0.0, -0.0629234447996909, 0.15876235447040557,
                    0.125});
    }

    @Test
    void bceWithLogitsGradientOfTheTarget() {
        // torch.nn.BCEWithLogitsLoss()([-2, -0.5, 0, 0.5, 3, 40], y), gradient of y, PyTorch 1.13
        double[] x = {-2.0, -0.5, 0.0, 0.5, 3.0, 40.0};
        check(new double[] {0.0, 1.0, 0.5, 1.0, 0.0, 0.25}, new int[] {6},
                y -> new BCEWithLogitsLoss().compute(Tensor.fromArray(x, 6), y), null,
                new double[] {5.886136085256147},
                new double[] {0.3333333333333333, 0.08333333333333333, -0.0, -0.08333333333333333, -0.5,
                    -6.666666666666667});
    }

    // ---- Regression and divergence --------------------------------------------------------------

    private static final double[] REGRESSION_TARGET = {0.5, 2.0, 5.0, 1.0, 5.5, 6.0};

    @Test
    void mse() {
        // torch.nn.MSELoss()([[1, 2, 3], [4, 5, 6]], [[0.5, 2, 5], [1, 5.5, 6]]), PyTorch 1.13
        check(new double[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3},
                x -> new MSELoss().compute(x, Tensor.fromArray(REGRESSION_TARGET, 2, 3)), null,
                new double[] {2.25},
                new double[] {0.16666666666666666, 0.0, -0.6666666666666666, 1.0, -0.16666666666666666, 0.0});
    }

    @Test
    void l1() {
        // torch.nn.L1Loss()([[1, 2, 3], [4, 5, 6]], [[0.5, 2, 5], [1, 5.5, 6]]), PyTorch 1.13
        check(new double[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3},
                x -> new L1Loss().compute(x, Tensor.fromArray(REGRESSION_TARGET, 2, 3)), null,
                new double[] {1.0},
                new double[] {0.16666666666666666, 0.0, -0.16666666666666666, 0.16666666666666666, -0.16666666666666666,
                    0.0});
    }

    @Test
    void klDivBatchMean() {
        // torch.nn.KLDivLoss(reduction='batchmean')(log_softmax([[0.1, 0.5, -0.3], [1, -1, 0]], 1),
        // [[0.2, 0.8, 0], [0.5, 0.25, 0.25]]), PyTorch 1.13
        double[] target = {0.2, 0.8, 0.0, 0.5, 0.25, 0.25};
        check(new double[] {-1.151250513728494, -0.751250513728494, -1.551250513728494, -0.4076059644443804,
                    -2.4076059644443806, -1.4076059644443804}, new int[] {2, 3},
                x -> new KLDivLoss().compute(x, Tensor.fromArray(target, 2, 3)), null,
                new double[] {0.22436664189738442},
                new double[] {-0.1, -0.4, -0.0, -0.25, -0.125, -0.125});
    }

    // ---- Hinge ----------------------------------------------------------------------------------

    private static final double[] SCORES = {0.1, 0.2, 0.4, 0.8, 1.0, -1.0, 0.5, 3.0, 0.3, 0.9, -0.2, 0.35};
    private static final long[] SCORE_TARGETS = {3, 0, 1};

    @Test
    void hingeIsMultiMarginLoss() {
        // torch.nn.MultiMarginLoss()(scores, [3, 0, 1]), PyTorch 1.13
        check(SCORES, new int[] {3, 4}, x -> new HingeLoss().compute(x, indices(SCORE_TARGETS)), null,
                new double[] {0.47083333333333327},
                new double[] {0.08333333333333333, 0.08333333333333333, 0.08333333333333333, -0.25,
                    -0.16666666666666666, 0.0, 0.08333333333333333, 0.08333333333333333,
                    0.08333333333333333, -0.16666666666666666, 0.0, 0.08333333333333333});
    }

    @Test
    void hingeWithMarginIsMultiMarginLossWithMarginNoGradientAtTheKink() {
        // torch.nn.MultiMarginLoss(margin=0.5)(scores, [3, 0, 1]), PyTorch 1.13 (row 1, class 2 sits at margin 0)
        check(SCORES, new int[] {3, 4}, x -> new HingeLoss(0.5).compute(x, indices(SCORE_TARGETS)), null,
                new double[] {0.21666666666666667},
                new double[] {0.0, 0.0, 0.08333333333333333, -0.08333333333333333,
                    -0.08333333333333333, 0.0, 0.0, 0.08333333333333333, 0.0, 0.0, 0.0, 0.0});
    }

    // ---- F32 ------------------------------------------------------------------------------------

    @Test
    void crossEntropyMeanF32() {
        // torch.nn.functional.cross_entropy(logits.float(), [2, 0, 3]), PyTorch 1.13
        checkF32(LOGITS, new int[] {3, 4}, x -> new CrossEntropyLoss().compute(x, indices(TARGETS)),
                new double[] {1.7076044082641602},
                new double[] {0.07473593950271606, 0.2031533569097519, -0.28800371289253235, 0.010114410892128944,
                    -0.30402252078056335, 0.017777912318706512, 0.26453059911727905, 0.021713992580771446,
                    0.011164038442075253, 0.10075558722019196, 0.05529583618044853, -0.16721545159816742});
    }

    @Test
    void crossEntropyLabelSmoothingIgnoringARowF32() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1)(logits.float(), [2, -100, 3]), PyTorch 1.13
        Tensor targets = indices(TARGETS_IGNORING_ROW_1);
        checkF32(LOGITS, new int[] {3, 4}, x -> new CrossEntropyLoss(0.1, -100).compute(x, targets),
                new double[] {1.3933135271072388},
                new double[] {0.09960389882326126, 0.2922300100326538, -0.3945055305957794, 0.0026716142892837524,
                    0.0, 0.0, 0.0, 0.0,
                    0.004246056079864502, 0.1386333703994751, 0.07044374942779541, -0.21332316100597382});
    }

    @Test
    void bceWithLogitsF32() {
        // torch.nn.BCEWithLogitsLoss()(logits.float(), [[0, 1, 0.5, 1], [0, 0.25, 1, 0], [1, 1, 0, 0.5]]), PyTorch 1.13
        Tensor y = Tensor.fromArray(new float[] {0, 1, 0.5f, 1, 0, 0.25f, 1, 0, 1, 1, 0, 0.5f}, 3, 4);
        checkF32(LOGITS, new int[] {3, 4}, x -> new BCEWithLogitsLoss().compute(x, y),
                new double[] {0.7886948585510254},
                new double[] {0.060921549797058105, -0.00993358064442873, 0.01020494569092989, -0.060921549797058105,
                    0.0478702075779438, 0.016680501401424408, -0.006321514490991831, 0.0416666679084301,
                    -0.0681312084197998, -0.027651021257042885, 0.04374826326966286, 0.022377068176865578});
    }
}
