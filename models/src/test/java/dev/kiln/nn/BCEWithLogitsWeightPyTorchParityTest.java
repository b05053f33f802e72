package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BCEWithLogitsLoss}'s per-element weight against PyTorch 1.13 (numbers printed by
 * {@code models/src/test/pytorch/bce_weight.py}): a weight over the last axis, one per sample and one of the input's
 * shape, alone and beside pos_weight, in each reduction; the loss, its shape, and the gradients of the logits and
 * (where it requires one) the target, of a weighted sum of the loss (see {@link PyTorchParity}), in F32 and F64.
 */
class BCEWithLogitsWeightPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Positive values {@code pattern(seed) + 1}, shaped {@code dims}: a weight or a pos_weight. */
    record Positive(int seed, int... dims) {
        Tensor of(DType dtype) {
            return values(seed, dims).add(1).to(dtype);
        }
    }

    /**
     * The loss with {@code weight} and {@code posWeight} (null: none) in {@code reduction}, on logits x =
     * {@code pattern(100)} and targets y = {@code pattern(103) + 0.5}, both [2, 2, 3], and what PyTorch gave: the
     * loss's shape and values and the gradients of x and of y (null: y requires none).
     */
    record Case(String name, Positive weight, Positive posWeight, Reduction reduction, int[] lossShape,
                double[] loss, double[] gradientOfX, double[] gradientOfY) {
        @Override
        public String toString() {
            return name;
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void lossAndGradientsAreAsInPyTorch(Case c, DType dtype) {
        Tensor x = tensor(dtype, 100, 2, 2, 3);
        Tensor y = values(103, 2, 2, 3).add(0.5).to(dtype).requiresGrad(c.gradientOfY() != null);
        Tensor pw = c.posWeight() == null ? null : c.posWeight().of(dtype);
        Tensor loss = new BCEWithLogitsLoss(c.weight().of(dtype), pw, c.reduction()).compute(x, y);
        backward(200, loss);

        assertArrayEquals(c.lossShape(), loss.shape().dims());
        assertValues("loss", loss, c.loss());
        assertValues("gradient of x", x.grad(), c.gradientOfX());
        if (c.gradientOfY() != null) {
            assertValues("gradient of y", y.grad(), c.gradientOfY());
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // torch.nn.BCEWithLogitsLoss(weight=w, reduction='mean')(x, y), w = pattern(3, 104) + 1, PyTorch 1.13
                new Case("weight over the last axis, mean",
                        new Positive(104, 3), null, Reduction.MEAN, new int[] {},
                        new double[] {0.5376145984076407},
                        new double[] {-0.012696861276939512, -0.004609623268650261, 0.0012583913008551923,
                                0.010300320092644802, 0.00910879005741041, 0.005764587749203603, 0.0023263130689371754,
                                -0.004579362342815881, -0.00710215800287178, -0.01261906396090917,
                                -0.004477420161635571, 0.0013831976651830027},
                        null),
                // torch.nn.BCEWithLogitsLoss(weight=w, reduction='sum')(x, y), w = pattern(3, 104) + 1, PyTorch 1.13
                new Case("weight over the last axis, sum",
                        new Positive(104, 3), null, Reduction.SUM, new int[] {},
                        new double[] {6.451375180891688},
                        new double[] {-0.15236233532327415, -0.05531547922380313, 0.015100695610262307,
                                0.12360384111173763, 0.10930548068892493, 0.06917505299044323, 0.027915756827246105,
                                -0.05495234811379057, -0.08522589603446136, -0.15142876753091003, -0.05372904193962686,
                                0.016598371982196033},
                        null),
                // torch.nn.BCEWithLogitsLoss(weight=w, reduction='none')(x, y), w = pattern(3, 104) + 1, PyTorch 1.13
                new Case("weight over the last axis, none",
                        new Positive(104, 3), null, Reduction.NONE, new int[] {2, 2, 3},
                        new double[] {0.8367565397874623, 0.4869736124689689, 0.3332047227123876, 0.6696343824707993,
                                0.5537176655721121, 0.44538749352696694, 0.6391574465422842, 0.41105530417907854,
                                0.422376550479297, 0.8361597585020315, 0.48419717790135336, 0.33275452674894646},
                        new double[] {-0.15236233532327415, 0.004355721704821025, -0.016919609874404357,
                                -0.2021164054075464, -0.15093777066534364, -0.03300449942934723, 0.018174381391131703,
                                -0.08094520544274794, -0.1365482735657529, -0.14807330186522003, 0.005716971191494605,
                                -0.01893219332554083},
                        null),
                // torch.nn.BCEWithLogitsLoss(weight=w)(x, y), w = pattern(2, 105) + 1 as [2, 1, 1], PyTorch 1.13
                new Case("weight per sample, with the target's gradient",
                        new Positive(105, 2, 1, 1), null, Reduction.MEAN, new int[] {},
                        new double[] {0.43857851448080054},
                        new double[] {-0.007105449097427597, -0.003817664656029209, 0.0012595576721055846,
                                0.005764290757309109, 0.007543849862496077, 0.005769930800618901, 0.0015573243106353372,
                                -0.00453683617663105, -0.00850370968125824, -0.008447691476351682,
                                -0.004435840679686138, 0.0016561601940923265},
                        new double[] {0.006093419284717627, 0.0057727178317295985, 0.0027370169812747664,
                                -0.0015859457225435242, -0.005163013371964229, -0.006311835158240744,
                                -0.00537360052111269, -0.0006694878399343963, 0.004349495433400946,
                                0.007322843041667062, 0.006852143144858249, 0.0031587732593326315}),
                // torch.nn.BCEWithLogitsLoss(weight=w, pos_weight=pw, reduction='mean')(x, y),
                // w = pattern(12, 106) + 1 as [2, 2, 3], pw = pattern(3, 101) + 1, PyTorch 1.13
                new Case("weight of the input's shape with pos_weight, mean",
                        new Positive(106, 2, 2, 3), new Positive(101, 3), Reduction.MEAN, new int[] {},
                        new double[] {0.8400269720921649},
                        new double[] {-0.008676145325733438, -0.009960467561370838, 0.0009861658696310735,
                                0.0174987335776134, 0.019742509570541442, 0.010765430023915766, 0.002611229815494128,
                                -0.0042102733846350335, -0.011272249052827117, -0.008696079719341132,
                                -0.009754293602375739, 0.0014181637890585107},
                        new double[] {0.004891619481557964, 0.015764399687343174, 0.018919530966410046,
                                -0.010915639630294483, -0.012225783480972467, -0.0079652614206947,
                                -0.008315226909737678, 8.948268496945798e-05, 0.008823827001240554,
                                0.004978103969593515, 0.015757893592781506, 0.018636296079101815}),
                // torch.nn.BCEWithLogitsLoss(weight=w, pos_weight=pw, reduction='none')(x, y),
                // w = pattern(12, 106) + 1 as [2, 2, 3], pw = pattern(3, 101) + 1, PyTorch 1.13
                new Case("weight of the input's shape with pos_weight, none",
                        new Positive(106, 2, 2, 3), new Positive(101, 3), Reduction.NONE, new int[] {2, 2, 3},
                        new double[] {0.5856733869475161, 1.0095299925487573, 1.1095204108818109, 1.0961944275988391,
                                1.2006903058570046, 0.9067876854123023, 0.431738520081237, 0.3642337753150127,
                                0.6677520829878903, 0.5912388120395331, 1.0099500855976549, 1.1070141798384199},
                        new double[] {-0.10411374390880127, 0.00941183741462938, -0.01325942238655903,
                                -0.34336613795304105, -0.3271444794682101, -0.06163625996153714, 0.020400300888292172,
                                -0.07442115704691221, -0.21672372632999057, -0.10204063005900203, 0.012454720241799165,
                                -0.019410783937511198},
                        new double[] {0.058699433778695576, -0.01489608453441799, -0.25438119505500845,
                                0.2141904159245199, 0.20258810353784673, 0.045604209260278646, -0.06496292662810779,
                                0.0015817036906425664, 0.16964961111468874, 0.05841354747780855, -0.02012038639582598,
                                -0.2550799275639999})
        ).flatMap(c -> Stream.of(Arguments.of(c, DType.F32), Arguments.of(c, DType.F64)));
    }
}
