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
            out.backward(Tensor.fromArray(upstream.clone(), out.shape().dims()).to(dtype));
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

    /** The upstream gradient 1, 2, ..., n of a loss with reduction NONE, as the PyTorch script passes it. */
    private static double[] ascending(int n) {
        double[] upstream = new double[n];
        for (int i = 0; i < n; i++) {
            upstream[i] = i + 1;
        }
        return upstream;
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

    @Test
    void crossEntropyLossSum() {
        // torch.nn.CrossEntropyLoss(reduction='sum')(logits, [2, 0, 3]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(Reduction.SUM).compute(x, indices(TARGETS)), null,
                new double[] {5.1228133209832505},
                new double[] {0.22420781804820114, 0.6094600375988771, -0.8640110842064945, 0.030343228559416225,
                    -0.9120675224196397, 0.05333374363698227, 0.7935917972014399, 0.06514198158121756,
                    0.03349211089203318, 0.30226675292514416, 0.16588751120967724, -0.5016463750268546});
    }

    @Test
    void crossEntropyLossNone() {
        // torch.nn.CrossEntropyLoss(reduction='none')(logits, [2, 0, 3]), backward([1, 2, ...]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(Reduction.NONE).compute(x, indices(TARGETS)), ascending(3),
                new double[] {1.995181898085856, 2.4311860592525947, 0.6964453636448},
                new double[] {0.22420781804820114, 0.6094600375988771, -0.8640110842064945, 0.030343228559416225,
                    -1.8241350448392795, 0.10666748727396454, 1.5871835944028798, 0.13028396316243512,
                    0.10047633267609954, 0.9068002587754325, 0.4976625336290317, -1.504939125080564});
    }

    @Test
    void crossEntropyLabelSmoothingSum() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1, reduction='sum')(logits, [2, 0, 3]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.1, Reduction.SUM).compute(x, indices(TARGETS)), null,
                new double[] {5.182813320983251},
                new double[] {0.19920781804820115, 0.5844600375988771, -0.7890110842064946, 0.005343228559416224,
                    -0.8370675224196398, 0.028333743636982267, 0.7685917972014399, 0.04014198158121756,
                    0.00849211089203318, 0.27726675292514413, 0.14088751120967724, -0.42664637502685465});
    }

    @Test
    void crossEntropyLabelSmoothingNone() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1, reduction='none')(logits, [2, 0, 3]), backward([1, 2, ...]),
        // PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.1, Reduction.NONE).compute(x, indices(TARGETS)), ascending(3),
                new double[] {1.982681898085856, 2.396186059252595, 0.8039453636448001},
                new double[] {0.19920781804820115, 0.5844600375988771, -0.7890110842064946, 0.005343228559416224,
                    -1.6741350448392796, 0.056667487273964534, 1.5371835944028798, 0.08028396316243512,
                    0.02547633267609955, 0.8318002587754326, 0.4226625336290318, -1.279939125080564});
    }

    @Test
    void crossEntropyLabelSmoothingIgnoringARowSum() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=-100, reduction='sum')(logits, [2, -100, 3]),
        // PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.1, -100, Reduction.SUM).compute(x,
                indices(TARGETS_IGNORING_ROW_1)), null,
                new double[] {2.7866272617306564},
                new double[] {0.19920781804820115, 0.5844600375988771, -0.7890110842064946, 0.005343228559416224, 0.0,
                    0.0, 0.0, 0.0, 0.00849211089203318, 0.27726675292514413, 0.14088751120967724,
                    -0.42664637502685465});
    }

    @Test
    void crossEntropyLabelSmoothingIgnoringARowNone() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=-100, reduction='none')(logits, [2, -100, 3]),
        // backward([1, 2, ...]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.1, -100, Reduction.NONE).compute(x,
                indices(TARGETS_IGNORING_ROW_1)), ascending(3),
                new double[] {1.982681898085856, 0.0, 0.8039453636448001},
                new double[] {0.19920781804820115, 0.5844600375988771, -0.7890110842064946, 0.005343228559416224, 0.0,
                    0.0, 0.0, 0.0, 0.02547633267609955, 0.8318002587754326, 0.4226625336290318, -1.279939125080564});
    }

    @Test
    void crossEntropyLabelSmoothingIgnoringAClassInRangeSum() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.2, ignore_index=1, reduction='sum')(logits, [2, 1, 1]),
        // PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.2, 1, Reduction.SUM).compute(x,
                indices(TARGETS_WITH_CLASS_1)), null,
                new double[] {1.970181898085856},
                new double[] {0.17420781804820112, 0.5594600375988771, -0.7140110842064946, -0.019656771440583778,
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0});
    }

    @Test
    void crossEntropyLabelSmoothingIgnoringAClassInRangeNone() {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.2, ignore_index=1, reduction='none')(logits, [2, 1, 1]),
        // backward([1, 2, ...]), PyTorch 1.13
        checkCrossEntropy(x -> new CrossEntropyLoss(0.2, 1, Reduction.NONE).compute(x,
                indices(TARGETS_WITH_CLASS_1)), ascending(3),
                new double[] {1.970181898085856, 0.0, 0.0},
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

    private static final double[] BCE_TARGET = {0.0, 1.0, 0.0, 1.0, 1.0, 0.3};
    private static final double[] BCE_WITH_LOGITS_TARGET = {0.0, 1.0, 0.5, 1.0, 0.0, 0.25};
    /** Logits [2, 3], out to +-50 where a naive log(sigmoid) would overflow; their targets y. */
    private static final double[] POS_WEIGHT_LOGITS = {-2.0, -0.5, 0.0, 0.5, 50.0, -50.0};
    private static final double[] POS_WEIGHT_TARGET = {0.0, 1.0, 0.5, 1.0, 0.0, 0.25};

    /** pos_weight [3, 0.5, 2], one per column of the [2, 3] logits. */
    private static Tensor posWeight() {
        return Tensor.fromArray(new double[] {3.0, 0.5, 2.0}, 3);
    }

    private static Tensor posWeightTarget() {
        return Tensor.fromArray(POS_WEIGHT_TARGET, 2, 3);
    }

    @Test
    void bceSum() {
        // torch.nn.BCELoss(reduction='sum')([0.2, 0.9, 0.0, 1.0, 0.5, 0.7], [0, 1, 0, 1, 1, 0.3]), PyTorch 1.13
        check(new double[] {0.2, 0.9, 0.0, 1.0, 0.5, 0.7}, new int[] {6},
                p -> new BCELoss(Reduction.SUM).compute(p, Tensor.fromArray(BCE_TARGET, 6)), null,
                new double[] {1.9714346937417562},
                new double[] {1.2499999999999998, -1.1111111111111112, 0.0, 0.0, -2.0, 1.9047619047619044});
    }

    @Test
    void bceNone() {
        // torch.nn.BCELoss(reduction='none')([0.2, 0.9, 0.0, 1.0, 0.5, 0.7], [0, 1, 0, 1, 1, 0.3]), backward([1, 2,
        // ...]), PyTorch 1.13
        check(new double[] {0.2, 0.9, 0.0, 1.0, 0.5, 0.7}, new int[] {6},
                p -> new BCELoss(Reduction.NONE).compute(p, Tensor.fromArray(BCE_TARGET, 6)), ascending(6),
                new double[] {0.2231435513142097, 0.10536051565782628, 0.0, -0.0, 0.6931471805599453,
                    0.9497834462097748},
                new double[] {1.2499999999999998, -2.2222222222222223, 0.0, 0.0, -10.0, 11.428571428571427});
    }

    @Test
    void bceWithLogitsSum() {
        // torch.nn.BCEWithLogitsLoss(reduction='sum')([-2, -0.5, 0, 0.5, 3, 40], [0, 1, 0.5, 1, 0, 0.25]), PyTorch 1.13
        check(new double[] {-2.0, -0.5, 0.0, 0.5, 3.0, 40.0}, new int[] {6},
                x -> new BCEWithLogitsLoss(Reduction.SUM).compute(x, Tensor.fromArray(BCE_WITH_LOGITS_TARGET, 6)),
                null,
                new double[] {35.31681651153688},
                new double[] {0.11920292202211755, -0.6224593312018546, 0.0, -0.3775406687981454, 0.9525741268224334,
                    0.75});
    }

    @Test
    void bceWithLogitsNone() {
        // torch.nn.BCEWithLogitsLoss(reduction='none')([-2, -0.5, 0, 0.5, 3, 40], [0, 1, 0.5, 1, 0, 0.25]),
        // backward([1, 2, ...]), PyTorch 1.13
        check(new double[] {-2.0, -0.5, 0.0, 0.5, 3.0, 40.0}, new int[] {6},
                x -> new BCEWithLogitsLoss(Reduction.NONE).compute(x, Tensor.fromArray(BCE_WITH_LOGITS_TARGET, 6)),
                ascending(6),
                new double[] {0.1269280110429726, 0.9740769841801067, 0.6931471805599453, 0.4740769841801067,
                    3.048587351573742, 30.0},
                new double[] {0.11920292202211755, -1.2449186624037092, 0.0, -1.5101626751925816, 4.762870634112167,
                    4.5});
    }

    @Test
    void bceWithLogitsPosWeightMean() {
        // torch.nn.BCEWithLogitsLoss(pos_weight=[3, 0.5, 2], reduction='mean')(logits, y), PyTorch 1.13
        check(POS_WEIGHT_LOGITS, new int[] {2, 3},
                x -> new BCEWithLogitsLoss(posWeight(), Reduction.MEAN).compute(x, posWeightTarget()), null,
                new double[] {13.01265303775221},
                new double[] {0.019867153670352924, -0.05187161093348788, -0.041666666666666664, -0.18877033439907268,
                    0.16666666666666666, -0.08333333333333333});
    }

    @Test
    void bceWithLogitsPosWeightSum() {
        // torch.nn.BCEWithLogitsLoss(pos_weight=[3, 0.5, 2], reduction='sum')(logits, y), PyTorch 1.13
        check(POS_WEIGHT_LOGITS, new int[] {2, 3},
                x -> new BCEWithLogitsLoss(posWeight(), Reduction.SUM).compute(x, posWeightTarget()), null,
                new double[] {78.07591822651327},
                new double[] {0.11920292202211755, -0.3112296656009273, -0.25, -1.132622006394436, 1.0, -0.5});
    }

    @Test
    void bceWithLogitsPosWeightNone() {
        // torch.nn.BCEWithLogitsLoss(pos_weight=[3, 0.5, 2], reduction='none')(logits, y), backward([1, 2, ...]),
        // PyTorch 1.13
        check(POS_WEIGHT_LOGITS, new int[] {2, 3},
                x -> new BCEWithLogitsLoss(posWeight(), Reduction.NONE).compute(x, posWeightTarget()), ascending(6),
                new double[] {0.1269280110429727, 0.48703849209005334, 1.0397207708399179, 1.42223095254032, 50.0,
                    25.0},
                new double[] {0.11920292202211755, -0.6224593312018546, -0.75, -4.530488025577744, 5.0, -3.0});
    }

    @Test
    void bceWithLogitsPosWeightGradientOfTheTarget() {
        // torch.nn.BCEWithLogitsLoss(pos_weight=[3, 0.5, 2])(logits, y), gradient of y, PyTorch 1.13
        check(POS_WEIGHT_TARGET, new int[] {2, 3},
                y -> new BCEWithLogitsLoss(posWeight()).compute(Tensor.fromArray(POS_WEIGHT_LOGITS, 2, 3), y), null,
                new double[] {13.01265303775221},
                new double[] {1.0423093370143244, 0.002160251318324443, 0.11552453009332421, 0.07469232806003556,
                    -8.333333333333334, 16.666666666666668});
    }

    @Test
    void bceWithLogitsScalarPosWeightWeighsEveryColumn() {
        // torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.5))(logits, y), PyTorch 1.13
        check(POS_WEIGHT_LOGITS, new int[] {2, 3}, x -> new BCEWithLogitsLoss(Tensor.full(2.5, DType.F64))
                .compute(x, posWeightTarget()), null,
                new double[] {14.368386749653903},
                new double[] {0.019867153670352924, -0.2593580546674394, -0.0625, -0.15730861199922727,
                    0.16666666666666666, -0.10416666666666667});
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
    void mseSum() {
        // torch.nn.MSELoss(reduction='sum')([[1, 2, 3], [4, 5, 6]], [[0.5, 2, 5], [1, 5.5, 6]]), PyTorch 1.13
        check(new double[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3},
                x -> new MSELoss(Reduction.SUM).compute(x, Tensor.fromArray(REGRESSION_TARGET, 2, 3)), null,
                new double[] {13.5},
                new double[] {1.0, 0.0, -4.0, 6.0, -1.0, 0.0});
    }

    @Test
    void mseNone() {
        // torch.nn.MSELoss(reduction='none')([[1, 2, 3], [4, 5, 6]], [[0.5, 2, 5], [1, 5.5, 6]]), backward([1, 2,
        // ...]), PyTorch 1.13
        check(new double[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3},
                x -> new MSELoss(Reduction.NONE).compute(x, Tensor.fromArray(REGRESSION_TARGET, 2, 3)), ascending(6),
                new double[] {0.25, 0.0, 4.0, 9.0, 0.25, 0.0},
                new double[] {1.0, 0.0, -12.0, 24.0, -5.0, 0.0});
    }

    @Test
    void l1Sum() {
        // torch.nn.L1Loss(reduction='sum')([[1, 2, 3], [4, 5, 6]], [[0.5, 2, 5], [1, 5.5, 6]]), PyTorch 1.13
        check(new double[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3},
                x -> new L1Loss(Reduction.SUM).compute(x, Tensor.fromArray(REGRESSION_TARGET, 2, 3)), null,
                new double[] {6.0},
                new double[] {1.0, 0.0, -1.0, 1.0, -1.0, 0.0});
    }

    @Test
    void l1None() {
        // torch.nn.L1Loss(reduction='none')([[1, 2, 3], [4, 5, 6]], [[0.5, 2, 5], [1, 5.5, 6]]), backward([1, 2,
        // ...]), PyTorch 1.13
        check(new double[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3},
                x -> new L1Loss(Reduction.NONE).compute(x, Tensor.fromArray(REGRESSION_TARGET, 2, 3)), ascending(6),
                new double[] {0.5, 0.0, 2.0, 3.0, 0.5, 0.0},
                new double[] {1.0, 0.0, -3.0, 4.0, -5.0, 0.0});
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

    /** log_softmax([[0.1, 0.5, -0.3], [1, -1, 0]], 1): the input of every KLDivLoss test. */
    private static final double[] LOG_PROBABILITIES = {-1.151250513728494, -0.751250513728494, -1.551250513728494,
        -0.4076059644443804, -2.4076059644443806, -1.4076059644443804};
    private static final double[] KL_TARGET = {0.2, 0.8, 0.0, 0.5, 0.25, 0.25};
    /** log_softmax([[0.4, -0.2, 0.9], [-1, 0.3, 0.2]], 1): the target with log_target=True. */
    private static final double[] LOG_TARGET = {-1.1623795458312443, -1.7623795458312443, -0.6623795458312444,
        -2.07811736413808, -0.7781173641380799, -0.8781173641380798};

    @Test
    void klDivSum() {
        // torch.nn.KLDivLoss(reduction='sum')(input, target), PyTorch 1.13
        check(LOG_PROBABILITIES, new int[] {2, 3},
                x -> new KLDivLoss(KLDivReduction.SUM, false).compute(x, Tensor.fromArray(KL_TARGET, 2, 3)),
                null,
                new double[] {0.44873328379476884},
                new double[] {-0.2, -0.8, -0.0, -0.5, -0.25, -0.25});
    }

    @Test
    void klDivMean() {
        // torch.nn.KLDivLoss(reduction='mean')(input, target), PyTorch 1.13
        check(LOG_PROBABILITIES, new int[] {2, 3},
                x -> new KLDivLoss(KLDivReduction.MEAN, false).compute(x, Tensor.fromArray(KL_TARGET, 2, 3)),
                null,
                new double[] {0.07478888063246147},
                new double[] {-0.03333333333333333, -0.13333333333333333, -0.0, -0.08333333333333333,
                    -0.041666666666666664, -0.041666666666666664});
    }

    @Test
    void klDivNone() {
        // torch.nn.KLDivLoss(reduction='none')(input, target), backward([1, 2, ...]), PyTorch 1.13
        check(LOG_PROBABILITIES, new int[] {2, 3},
                x -> new KLDivLoss(KLDivReduction.NONE, false).compute(x, Tensor.fromArray(KL_TARGET, 2, 3)),
                ascending(6),
                new double[] {-0.09163747974112127, 0.42248556993142755, 0.0, -0.14277060805778244,
                    0.2553279008311225, 0.005327900831122445},
                new double[] {-0.2, -1.6, -0.0, -2.0, -1.25, -1.5});
    }

    @Test
    void klDivLogTargetBatchMean() {
        // torch.nn.KLDivLoss(reduction='batchmean', log_target=True)(input, target), PyTorch 1.13
        check(LOG_PROBABILITIES, new int[] {2, 3},
                x -> new KLDivLoss(KLDivReduction.BATCH_MEAN, true).compute(x, Tensor.fromArray(LOG_TARGET, 2, 3)),
                null,
                new double[] {0.5203083341495229},
                new double[] {-0.1563705564804648, -0.08581798093897723, -0.25781146258055804, -0.06258281591574652,
                    -0.2296349178898773, -0.20778226619437615});
    }

    @Test
    void klDivLogTargetSum() {
        // torch.nn.KLDivLoss(reduction='sum', log_target=True)(input, target), PyTorch 1.13
        check(LOG_PROBABILITIES, new int[] {2, 3},
                x -> new KLDivLoss(KLDivReduction.SUM, true).compute(x, Tensor.fromArray(LOG_TARGET, 2, 3)),
                null,
                new double[] {1.0406166682990459},
                new double[] {-0.3127411129609296, -0.17163596187795446, -0.5156229251611161, -0.12516563183149304,
                    -0.4592698357797546, -0.4155645323887523});
    }

    @Test
    void klDivLogTargetMean() {
        // torch.nn.KLDivLoss(reduction='mean', log_target=True)(input, target), PyTorch 1.13
        check(LOG_PROBABILITIES, new int[] {2, 3},
                x -> new KLDivLoss(KLDivReduction.MEAN, true).compute(x, Tensor.fromArray(LOG_TARGET, 2, 3)),
                null,
                new double[] {0.1734361113831743},
                new double[] {-0.0521235188268216, -0.028605993646325743, -0.08593715419351934, -0.020860938638582172,
                    -0.0765449726299591, -0.06926075539812537});
    }

    @Test
    void klDivLogTargetNone() {
        // torch.nn.KLDivLoss(reduction='none', log_target=True)(input, target), backward([1, 2, ...]), PyTorch 1.13
        check(LOG_PROBABILITIES, new int[] {2, 3},
                x -> new KLDivLoss(KLDivReduction.NONE, true).compute(x, Tensor.fromArray(LOG_TARGET, 2, 3)),
                ascending(6),
                new double[] {-0.003480505885992006, -0.1735461040076806, 0.4583222485579723, -0.20909061482437372,
                    0.748374961867657, 0.22003668259146275},
                new double[] {-0.3127411129609296, -0.3432719237559089, -1.5468687754833481, -0.5006625273259722,
                    -2.296349178898773, -2.493387194332514});
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

    @Test
    void hingeSum() {
        // torch.nn.MultiMarginLoss(reduction='sum')(scores, [3, 0, 1]), PyTorch 1.13
        check(SCORES, new int[] {3, 4},
                x -> new HingeLoss(1, Reduction.SUM).compute(x, indices(SCORE_TARGETS)), null,
                new double[] {1.4124999999999999},
                new double[] {0.25, 0.25, 0.25, -0.75, -0.5, 0.0, 0.25, 0.25, 0.25, -0.5, 0.0, 0.25});
    }

    @Test
    void hingeNone() {
        // torch.nn.MultiMarginLoss(reduction='none')(scores, [3, 0, 1]), backward([1, 2, ...]), PyTorch 1.13
        check(SCORES, new int[] {3, 4},
                x -> new HingeLoss(1, Reduction.NONE).compute(x, indices(SCORE_TARGETS)), ascending(3),
                new double[] {0.32499999999999996, 0.875, 0.21249999999999997},
                new double[] {0.25, 0.25, 0.25, -0.75, -1.0, 0.0, 0.5, 0.5, 0.75, -1.5, 0.0, 0.75});
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
