package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CTCLoss} against {@code torch.nn.functional.ctc_loss} of PyTorch 1.13 in float64, printed by
 * {@code models/src/test/pytorch/ctc.py}: log-probabilities are {@code log_softmax(x, 2)} of pattern logits x
 * ({@link PyTorchParity#tensor}), and the gradients compared are those of x, where Kiln and PyTorch agree (PyTorch's
 * gradient in the log-probabilities adds exp(log_probs), which the log-softmax cancels; the *_LOG_PROBS values are
 * PyTorch's without that term). Each case runs in F64, within 1e-10, and in F32, within 1e-5.
 */
class CtcLossPyTorchParityTest {
    /** Targets [3, 4] for T = 6, C = 5, blank 0; past each length, non-blank labels that must be ignored. */
    private static final long[] PADDED = {1, 1, 2, 4, 3, 4, 2, 3, 2, 1, 1, 1};
    private static final int[] INPUT_LENGTHS = {6, 5, 3};
    private static final int[] TARGET_LENGTHS = {3, 4, 1};
    private static final double[] UPSTREAM = {1, 2, 3};
    /** (0, 0) and (1, 2, 3) concatenated, for T = 5, C = 5, blank 4. */
    private static final long[] CONCATENATED = {0, 0, 1, 2, 3};
    /** T = 4, C = 4, blank 0: (1, 1, 1) needs 5 steps but has 4; an empty target; (2, 3) in 3 steps. */
    private static final long[] SHORT = {1, 1, 1, 0, 0, 0, 2, 3, 0};
    private static final int[] SHORT_INPUT_LENGTHS = {4, 4, 3};
    private static final int[] SHORT_TARGET_LENGTHS = {3, 0, 2};

    private static final double[] NONE = {
            6.433307249235752, 5.877299839398933, 3.012938883898898};
    private static final double[] NONE_GRAD = {
            -0.026125136019492373, -0.43039330328698566, 0.20229176014360786, 0.14357037362776254,
            0.11065630553510762, 0.18049479856093245, 0.2712504974565398, 0.37505887287164696, -1.4363780604609004,
            0.609573891571781, -1.011361239094901, 0.7337748748565617, -0.5087551051280582, 0.4029470688047473,
            0.38339440056165036, -0.3392811113570851, -0.38347584452785677, 0.22128342645176616,
            0.2598132618287504, 0.24166026760442524, 0.3815966067525692, 0.41467369740007026, 0.3220620186280181,
            0.15426601390891898, -1.2725983366895766, -0.27072593378453613, 0.625184158080108, -1.5430786794834053,
            0.6754588707979439, 0.5131615843898896, -0.4292883407480014, -0.19199804485393684, 0.15968463817045506,
            0.1931411592684966, 0.26846058816298657, 0.20964271987781405, 0.5036097881322453, -0.8280427050477094,
            0.3507003816926741, -0.23591018465502409, -0.8465571279521138, 0.41381872903039385, -1.223010156174162,
            0.7001281006778087, 0.9556204544180732, -0.017819680913506566, -0.3658334016651669,
            0.13195458436695942, 0.1409251071169473, 0.11077339109476673, 0.08408364198469626, 0.27417910497197046,
            -0.5656234543944657, -0.39119217638479137, 0.5985528838225904, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.007499768704402637, -0.17892780030397487, -0.3040057178177931, 0.2575063287671694,
            0.2329269580590012, -0.017228976819492314, 0.4048254332655139, 0.3208776902494842, -1.0979130744879568,
            0.389438927792451, 0.0, 0.0, 0.0, 0.0, 0.0, -0.10797368312114118, 0.16157300503523825,
            -0.5290153272942484, 0.19812687578651084, 0.2772891295936405, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0};
    private static final double[] NONE_GRAD_LOG_PROBS = {
            -0.3061677550427125, -0.6938322449572879, 0.0, 0.0, 0.0, -0.04707335085805134, 0.0,
            -5.551115123125783e-17, -1.9529266491419477, 0.0, -1.970420190205876, 0.0, -1.0295798097941242, 0.0,
            0.0, -0.4555134276827561, -0.5444865723172442, 0.0, 0.0, 0.0, -0.2025119360940863,
            5.551115123125783e-17, 0.0, -0.15392342197870612, -1.6435646419272072, -0.7266269850514255, 0.0,
            -2.2733730149485756, 0.0, 0.0, -0.6420818467536696, -0.3579181532463297, 0.0, 0.0, 0.0,
            -0.22371420073843218, 0.0, -1.2912354677915021, 0.0, -0.4850503314700651, -1.2740761516727783, 0.0,
            -1.7259238483272223, 0.0, 0.0, -0.3050949532641611, -0.6285834138358928, -0.06632163289994666, 0.0,
            0.0, -0.1404613417311669, 0.0, -0.9478810520455386, -0.9116576062232941, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.1262208487209703, -0.34467512573051895, -0.5291040255485105, 0.0, 0.0, -0.5860868836445559, 0.0,
            0.0, -1.4139131163554444, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.31094827637001293, 0.0, -0.6890517236299868,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    private static final double[] SUM = {
            15.323545972533584};
    private static final double[] SUM_GRAD = {
            -0.026125136019492373, -0.43039330328698566, 0.20229176014360786, 0.14357037362776254,
            0.11065630553510762, 0.09024739928046623, 0.1356252487282699, 0.18752943643582348, -0.7181890302304502,
            0.3047869457858905, -0.33712041303163365, 0.24459162495218723, -0.1695850350426861,
            0.13431568960158244, 0.12779813352055014, -0.3392811113570851, -0.38347584452785677,
            0.22128342645176616, 0.2598132618287504, 0.24166026760442524, 0.1907983033762846, 0.20733684870003513,
            0.16103100931400904, 0.07713300695445949, -0.6362991683447883, -0.0902419779281787, 0.208394719360036,
            -0.5143595598278018, 0.22515295693264795, 0.17105386146329654, -0.4292883407480014,
            -0.19199804485393684, 0.15968463817045506, 0.1931411592684966, 0.26846058816298657,
            0.10482135993890702, 0.25180489406612266, -0.4140213525238547, 0.17535019084633705,
            -0.11795509232751204, -0.2821857093173713, 0.1379395763434646, -0.40767005205805396,
            0.23337603355926956, 0.31854015147269105, -0.017819680913506566, -0.3658334016651669,
            0.13195458436695942, 0.1409251071169473, 0.11077339109476673, 0.04204182099234813, 0.13708955248598523,
            -0.28281172719723285, -0.19559608819239568, 0.2992764419112952, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.007499768704402637, -0.17892780030397487, -0.3040057178177931, 0.2575063287671694,
            0.2329269580590012, -0.008614488409746157, 0.20241271663275695, 0.1604388451247421,
            -0.5489565372439784, 0.1947194638962255, 0.0, 0.0, 0.0, 0.0, 0.0, -0.10797368312114118,
            0.16157300503523825, -0.5290153272942484, 0.19812687578651084, 0.2772891295936405, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    private static final double[] MEAN = {
            2.2088998644979605};
    private static final double[] MEAN_GRAD = {
            -0.002902792891054707, -0.047821478142998405, 0.022476862238178647, 0.015952263736418056,
            0.012295145059456402, 0.007520616606705518, 0.011302104060689157, 0.015627453036318625,
            -0.05984908585253751, 0.02539891214882421, -0.11237347101054455, 0.08153054165072908,
            -0.0565283450142287, 0.04477189653386081, 0.042599377840183375, -0.03769790126189834,
            -0.04260842716976186, 0.024587047383529573, 0.02886814020319449, 0.026851140844936137,
            0.015899858614690385, 0.017278070725002925, 0.01341925077616742, 0.006427750579538291,
            -0.05302493069539902, -0.030080659309392903, 0.06946490645334533, -0.17145318660926726,
            0.07505098564421597, 0.057017953821098845, -0.04769870452755571, -0.021333116094881872,
            0.017742737574495005, 0.02146012880761073, 0.029828954240331843, 0.00873511332824225,
            0.02098374117217689, -0.03450177937698789, 0.01461251590386142, -0.00982959102729267,
            -0.09406190310579043, 0.04597985878115486, -0.13589001735268463, 0.07779201118642318,
            0.10618005049089702, -0.001979964545945173, -0.0406481557405741, 0.014661620485217712,
            0.015658345235216368, 0.012308154566085193, 0.0035034850826956773, 0.0114241293738321,
            -0.023567643933102737, -0.016299674016032974, 0.02493970349260793, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.0008333076338225152, -0.01988086670044165, -0.0337784130908659, 0.028611814307463262,
            0.0258807731176668, -0.0007178740341455111, 0.016867726386063077, 0.013369903760395176,
            -0.045746378103664866, 0.016226621991352122, 0.0, 0.0, 0.0, 0.0, 0.0, -0.01199707590234902,
            0.017952556115026472, -0.05877948081047203, 0.02201409730961231, 0.030809903288182273, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    private static final double[] BLANK_LAST_MEAN = {
            2.1963941928809145};
    private static final double[] BLANK_LAST_MEAN_GRAD = {
            -0.10942085881936911, 0.036414658212341806, 0.04079464312062315, 0.05480885499328474,
            -0.022597297506880595, 0.043805417543082065, -0.10819789404398088, 0.03520781016829353,
            0.0251182360685399, 0.0040664302640653766, -0.07733952590684434, 0.0334709968544382,
            0.04509940270077998, 0.0631808862366366, -0.06441175988501041, 0.05252035259989753,
            -0.006944745622868917, -0.07151823599781557, 0.02229978854231061, 0.003642840478476343,
            -0.049394665795881997, 0.037963864399671685, 0.05312603800303173, 0.0657392763343371,
            -0.10743451294115854, 0.050974883548701444, 0.03630100112634983, -0.06254680094610553,
            -0.02748348211452102, 0.0027543983855752687, -0.08059175828192197, 0.04882700878488031,
            0.060145406687487794, 0.05919510995828281, -0.08757576714872896, 0.039110612978269885,
            0.02933440157842504, 0.026549851822295013, -0.10637463000718612, 0.01137976362819619,
            -0.14327227977448112, 0.06075102867995137, 0.05944793574829819, 0.046901891350349965,
            -0.023828576004118418, 0.0, 0.0, 0.0, 0.0, 0.0};
    private static final double[] ZERO_INFINITY_NONE = {
            0.0, 5.280061795551003, 2.7681574457027383};
    private static final double[] ZERO_INFINITY_NONE_GRAD = {
            0.0, 0.0, 0.0, 0.0, -1.2987021101438472, 0.5785045649757975, 0.4158864561179459, 0.3043110890501039,
            0.12715430241658646, 0.588017031375362, -1.8098911438708214, 1.0947198100788729, 0.0, 0.0, 0.0, 0.0,
            -1.5097254142737735, 0.4251356316676483, 0.46604385005910237, 0.618545932547023, 0.1904275902496304,
            0.8221263648415709, -0.16455586149716375, -0.8479980935940374, 0.0, 0.0, 0.0, 0.0, -1.666303036154068,
            0.469081457795278, 0.5931189461182238, 0.6041026322405663, 0.05821924803380824, 0.7935871798391364,
            0.5850699457256219, -1.4368763735985663, 0.0, 0.0, 0.0, 0.0, -1.2898924797540126, 0.5749559155231359,
            0.4110654368852285, 0.30387112734564825, 0.0, 0.0, 0.0, 0.0};
    private static final double[] ZERO_INFINITY_MEAN = {
            2.2213801728007905};
    private static final double[] ZERO_INFINITY_MEAN_GRAD = {
            0.0, 0.0, 0.0, 0.0, -0.2164503516906412, 0.09641742749596624, 0.06931440935299098, 0.05071851484168398,
            0.007064127912032579, 0.032667612854186776, -0.1005495079928234, 0.06081776722660404, 0.0, 0.0, 0.0,
            0.0, -0.25162090237896223, 0.0708559386112747, 0.07767397500985039, 0.10309098875783713,
            0.01057931056942391, 0.045673686935642825, -0.009141992305397985, -0.047111005199668744, 0.0, 0.0, 0.0,
            0.0, -0.27771717269234464, 0.07818024296587966, 0.09885315768637062, 0.10068377204009436,
            0.0032344026685448986, 0.0440881766577298, 0.03250388587364565, -0.07982646519992036, 0.0, 0.0, 0.0,
            0.0, -0.2149820799590021, 0.09582598592052263, 0.06851090614753809, 0.05064518789094137, 0.0, 0.0, 0.0,
            0.0};
    private static final double[] INFINITE_SUM = {
            Double.POSITIVE_INFINITY};
    private static final double[] INFINITE_SUM_GRAD = {
            Double.NaN, Double.NaN, Double.NaN, Double.NaN, -0.6493510550719236, 0.28925228248789875,
            0.20794322805897295, 0.15215554452505195, 0.04238476747219547, 0.19600567712512068,
            -0.6032970479569404, 0.36490660335962427, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            -0.7548627071368867, 0.21256781583382414, 0.23302192502955119, 0.3092729662735115, 0.06347586341654346,
            0.274042121613857, -0.05485195383238792, -0.2826660311980125, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, -0.833151518077034, 0.234540728897639, 0.2965594730591119, 0.30205131612028313,
            0.019406416011269394, 0.2645290599463788, 0.1950233152418739, -0.47895879119952217, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, -0.6449462398770063, 0.2874779577615679, 0.20553271844261425,
            0.15193556367282413, 0.0, 0.0, 0.0, 0.0};

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor targets(long[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }

    private static Tensor upstream(Tensor like) {
        return Tensor.fromArray(UPSTREAM, 3).to(like.dtype());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void perSampleLossesAndTheirGradientMatchPyTorch(DType dtype) {
        Tensor x = tensor(dtype, 1, 6, 3, 5);
        Tensor losses = new CTCLoss(0, Reduction.NONE, false)
                .compute(F.logSoftmax(x, 2), targets(PADDED, 3, 4), INPUT_LENGTHS, TARGET_LENGTHS);
        assertValues("losses", losses, NONE);
        losses.backward(upstream(losses));
        assertValues("gradient of the logits", x.grad(), NONE_GRAD);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theGradientInTheLogProbabilitiesIsPyTorchsWithoutItsSoftmaxTerm(DType dtype) {
        Tensor logProbs = F.logSoftmax(tensor(dtype, 1, 6, 3, 5), 2).detach().requiresGrad(true);
        Tensor losses = new CTCLoss(0, Reduction.NONE, false)
                .compute(logProbs, targets(PADDED, 3, 4), INPUT_LENGTHS, TARGET_LENGTHS);
        losses.backward(upstream(losses));
        assertValues("gradient of the log-probabilities", logProbs.grad(), NONE_GRAD_LOG_PROBS);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theSumAndItsGradientMatchPyTorch(DType dtype) {
        Tensor x = tensor(dtype, 1, 6, 3, 5);
        Tensor loss = new CTCLoss(0, Reduction.SUM, false)
                .compute(F.logSoftmax(x, 2), targets(PADDED, 3, 4), INPUT_LENGTHS, TARGET_LENGTHS);
        assertValues("sum", loss, SUM);
        loss.backward();
        assertValues("gradient of the logits", x.grad(), SUM_GRAD);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theMeanOverTargetLengthsAndItsGradientMatchPyTorch(DType dtype) {
        Tensor x = tensor(dtype, 1, 6, 3, 5);
        Tensor loss = new CTCLoss().compute(F.logSoftmax(x, 2), targets(PADDED, 3, 4), INPUT_LENGTHS, TARGET_LENGTHS);
        assertValues("mean", loss, MEAN);
        loss.backward();
        assertValues("gradient of the logits", x.grad(), MEAN_GRAD);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aBlankOtherThanZeroWithConcatenatedTargetsMatchesPyTorch(DType dtype) {
        Tensor x = tensor(dtype, 3, 5, 2, 5);
        Tensor loss = new CTCLoss(4, Reduction.MEAN, false)
                .compute(F.logSoftmax(x, 2), targets(CONCATENATED, 5), new int[] {5, 4}, new int[] {2, 3});
        assertValues("mean", loss, BLANK_LAST_MEAN);
        loss.backward();
        assertValues("gradient of the logits", x.grad(), BLANK_LAST_MEAN_GRAD);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void zeroInfinityZeroesTheImpossibleLossAndItsGradient(DType dtype) {
        Tensor x = tensor(dtype, 4, 4, 3, 4);
        Tensor losses = new CTCLoss(0, Reduction.NONE, true)
                .compute(F.logSoftmax(x, 2), targets(SHORT, 3, 3), SHORT_INPUT_LENGTHS, SHORT_TARGET_LENGTHS);
        assertValues("losses", losses, ZERO_INFINITY_NONE);
        losses.backward(upstream(losses));
        assertValues("gradient of the logits", x.grad(), ZERO_INFINITY_NONE_GRAD);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void zeroInfinityCountsTheImpossibleSampleAsZeroInTheMean(DType dtype) {
        Tensor x = tensor(dtype, 4, 4, 3, 4);
        Tensor loss = new CTCLoss(0, Reduction.MEAN, true)
                .compute(F.logSoftmax(x, 2), targets(SHORT, 3, 3), SHORT_INPUT_LENGTHS, SHORT_TARGET_LENGTHS);
        assertValues("mean", loss, ZERO_INFINITY_MEAN);
        loss.backward();
        assertValues("gradient of the logits", x.grad(), ZERO_INFINITY_MEAN_GRAD);
    }

    /**
     * PyTorch's gradient of the impossible sample is NaN at every step; Kiln's is not finite either (NaN after the
     * log-softmax at the steps after the first, 0 at the first), and the other samples' gradients match.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void withoutZeroInfinityTheImpossibleLossIsInfiniteAndItsGradientNotFinite(DType dtype) {
        Tensor x = tensor(dtype, 4, 4, 3, 4);
        Tensor loss = new CTCLoss(0, Reduction.SUM, false)
                .compute(F.logSoftmax(x, 2), targets(SHORT, 3, 3), SHORT_INPUT_LENGTHS, SHORT_TARGET_LENGTHS);
        assertEquals(INFINITE_SUM[0], loss.item());
        loss.backward();
        double[] grad = x.grad().toDoubleArray();
        double tolerance = dtype == DType.F64 ? 1e-10 : 1e-5;
        int notFinite = 0;
        for (int i = 0; i < grad.length; i++) {
            boolean impossibleSample = (i / 4) % 3 == 0;
            if (impossibleSample) {
                notFinite += Double.isFinite(grad[i]) ? 0 : 1;
            } else {
                assertEquals(INFINITE_SUM_GRAD[i], grad[i], tolerance, "gradient element " + i);
            }
        }
        assertTrue(notFinite > 0, "the impossible sample's gradient is finite: " + Arrays.toString(grad));
    }
}
