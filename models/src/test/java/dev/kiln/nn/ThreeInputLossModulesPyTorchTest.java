package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The losses of three inputs as modules, PyTorch's {@code module(a, b, c)}: {@code call(a, b, c)} of
 * TripletMarginLoss, TripletMarginWithDistanceLoss, MarginRankingLoss, CosineEmbeddingLoss and GaussianNLLLoss with
 * options and each reduction against PyTorch 1.13 ({@code models/src/test/pytorch/three_input_losses.py}: the loss
 * and the gradients of its sum), backward hooks seeing three gradInput entries, and PyTorch's reprs.
 */
class ThreeInputLossModulesPyTorchTest {
    /** Per case: the loss, then the gradients three_input_losses.py prints for it. */
    private static final double[][] EXPECTED = {
        // triplet mean: TripletMarginLoss()
        {0.7576265844811229},
        {0.1318998722174322, 0.18675245512345512, 0.1896113360419122, 0.17789288315534763, -0.09022927688669033,
            -0.2099987748280104, -0.20596138881603115, -0.18262495966575717, -0.09272387366958369, 0.1336602369407255,
            0.18690046523059034, 0.18859897731843286},
        {-0.35000837146351393, -0.3596789291998439, -0.14685314543440325, -0.022870573102868802, 0.278424916365478,
            0.3836242423161171, 0.33320058946596054, 0.038178866864602895, -0.12660743188205653, -0.35214649441727447,
            -0.35855430599466076, -0.1369850861807692},
        {0.21810849924608175, 0.1729264740763888, -0.04275819060750892, -0.15502231005247882, -0.18819563947878767,
            -0.17362546748810667, -0.1272392006499294, 0.14444609280115428, 0.2193313055516402, 0.21848625747654896,
            0.1716538407640704, -0.05161389113766365},
        // triplet sum: TripletMarginLoss()
        {3.0305063379244914},
        {0.5275994888697288, 0.7470098204938205, 0.7584453441676487, 0.7115715326213905, -0.3609171075467613,
            -0.8399950993120416, -0.8238455552641246, -0.7304998386630287, -0.37089549467833477, 0.534640947762902,
            0.7476018609223614, 0.7543959092737315},
        {-1.4000334858540557, -1.4387157167993756, -0.587412581737613, -0.09148229241147521, 1.113699665461912,
            1.5344969692644683, 1.3328023578638422, 0.15271546745841158, -0.5064297275282261, -1.4085859776690979,
            -1.434217223978643, -0.5479403447230768},
        {0.872433996984327, 0.6917058963055552, -0.17103276243003568, -0.6200892402099153, -0.7527825579151507,
            -0.6945018699524267, -0.5089568025997177, 0.5777843712046171, 0.8773252222065608, 0.8739450299061958,
            0.6866153630562816, -0.2064555645506546},
        // triplet none: TripletMarginLoss()
        {0.9245231316293514, 0.27882155155439614, 0.8918648115865434, 0.9352968431542004},
        {0.5275994888697288, 0.7470098204938205, 0.7584453441676487, 0.7115715326213905, -0.3609171075467613,
            -0.8399950993120416, -0.8238455552641246, -0.7304998386630287, -0.37089549467833477, 0.534640947762902,
            0.7476018609223614, 0.7543959092737315},
        {-1.4000334858540557, -1.4387157167993756, -0.587412581737613, -0.09148229241147521, 1.113699665461912,
            1.5344969692644683, 1.3328023578638422, 0.15271546745841158, -0.5064297275282261, -1.4085859776690979,
            -1.434217223978643, -0.5479403447230768},
        {0.872433996984327, 0.6917058963055552, -0.17103276243003568, -0.6200892402099153, -0.7527825579151507,
            -0.6945018699524267, -0.5089568025997177, 0.5777843712046171, 0.8773252222065608, 0.8739450299061958,
            0.6866153630562816, -0.2064555645506546},
        // triplet with distance mean: TripletMarginWithDistanceLoss()
        {0.7030364469352685},
        {-0.18027918658427056, 0.08524400834267032, 0.31067561417168094, 0.0, 0.0, 0.0, -0.29021012173087146,
            -0.36588919496810635, -0.26948486263546245, -0.1777589933825843, 0.08857639952697352, 0.3132529276945747},
        {-0.7549810848328776, -0.6239505425240188, -0.1994663105699499, 0.0, 0.0, 0.0, 0.4896157178210178,
            0.06750730679531795, -0.3863508454469855, -0.7583500897086664, -0.6113571028038706, -0.17683331773217403},
        {0.22121189248057926, 0.0016182254434144866, -0.21873651830525814, 0.0, 0.0, 0.0, -0.039985370047943225,
            0.19024901733225077, 0.33100631913818923, 0.2181613772587604, -0.0005744432474559108, -0.21904009411847047},
        // triplet with distance sum: TripletMarginWithDistanceLoss()
        {2.812145787741074},
        {-0.7211167463370822, 0.3409760333706813, 1.2427024566867237, 0.0, 0.0, 0.0, -1.1608404869234858,
            -1.4635567798724254, -1.0779394505418498, -0.7110359735303372, 0.3543055981078941, 1.2530117107782988},
        {-3.0199243393315105, -2.4958021700960753, -0.7978652422797996, 0.0, 0.0, 0.0, 1.9584628712840713,
            0.2700292271812718, -1.545403381787942, -3.0334003588346654, -2.4454284112154823, -0.7073332709286961},
        {0.8848475699223171, 0.006472901773657946, -0.8749460732210326, 0.0, 0.0, 0.0, -0.1599414801917729,
            0.7609960693290031, 1.324025276552757, 0.8726455090350416, -0.002297772989823643, -0.8761603764738819},
        // triplet with distance none: TripletMarginWithDistanceLoss()
        {0.9567946218200859, 0.0, 0.873713816020172, 0.981637349900816},
        {-0.7211167463370822, 0.3409760333706813, 1.2427024566867237, 0.0, 0.0, 0.0, -1.1608404869234858,
            -1.4635567798724254, -1.0779394505418498, -0.7110359735303372, 0.3543055981078941, 1.2530117107782988},
        {-3.0199243393315105, -2.4958021700960753, -0.7978652422797996, 0.0, 0.0, 0.0, 1.9584628712840713,
            0.2700292271812718, -1.545403381787942, -3.0334003588346654, -2.4454284112154823, -0.7073332709286961},
        {0.8848475699223171, 0.006472901773657946, -0.8749460732210326, 0.0, 0.0, 0.0, -0.1599414801917729,
            0.7609960693290031, 1.324025276552757, 0.8726455090350416, -0.002297772989823643, -0.8761603764738819},
        // margin ranking mean: MarginRankingLoss()
        {0.38400196623700245},
        {-0.0, 0.25, 0.25, -0.0},
        {0.0, -0.25, -0.25, 0.0},
        // margin ranking sum: MarginRankingLoss()
        {1.5360078649480098},
        {-0.0, 1.0, 1.0, -0.0},
        {0.0, -1.0, -1.0, 0.0},
        // margin ranking none: MarginRankingLoss()
        {0.0, 0.7593752343378524, 0.7766326306101574, 0.0},
        {-0.0, 1.0, 1.0, -0.0},
        {0.0, -1.0, -1.0, 0.0},
        // cosine embedding mean: CosineEmbeddingLoss()
        {0.6849370339662141},
        {-0.18027918658364697, 0.08524400834242057, 0.31067561417067524, -0.2397738986077201, -0.06378734468981512,
            0.14219939414046434, 0.29021012172955496, 0.36588919496688327, 0.269484862634908, -0.17775899338196344,
            0.08857639952672083, 0.3132529276935673},
        {-0.3936319957347824, -0.32531529892296474, -0.10399773383591258, 0.10378879025312504, -0.11381493817005708,
            -0.27788972276439544, -0.26555097432104074, -0.03661367566594805, 0.20954360675930367, -0.3964274398824279,
            -0.319586869451886, -0.09243960063553786},
        // cosine embedding sum: CosineEmbeddingLoss()
        {2.7397481358648563},
        {-0.7211167463345879, 0.3409760333696823, 1.242702456682701, -0.9590955944308804, -0.25514937875926047,
            0.5687975765618574, 1.1608404869182198, 1.463556779867533, 1.077939450539632, -0.7110359735278537,
            0.35430559810688333, 1.253011710774269},
        {-1.5745279829391297, -1.301261195691859, -0.41599093534365034, 0.41515516101250016, -0.45525975268022834,
            -1.1115588910575818, -1.062203897284163, -0.1464547026637922, 0.8381744270372147, -1.5857097595297116,
            -1.278347477807544, -0.3697584025421514},
        // cosine embedding none: CosineEmbeddingLoss()
        {1.056774585815609, 0.5288921793605622, 0.0852957249527781, 1.068785645735907},
        {-0.7211167463345879, 0.3409760333696823, 1.242702456682701, -0.9590955944308804, -0.25514937875926047,
            0.5687975765618574, 1.1608404869182198, 1.463556779867533, 1.077939450539632, -0.7110359735278537,
            0.35430559810688333, 1.253011710774269},
        {-1.5745279829391297, -1.301261195691859, -0.41599093534365034, 0.41515516101250016, -0.45525975268022834,
            -1.1115588910575818, -1.062203897284163, -0.1464547026637922, 0.8381744270372147, -1.5857097595297116,
            -1.278347477807544, -0.3697584025421514},
        // gaussian nll mean: GaussianNLLLoss()
        {0.7971384862453323},
        {0.06145040628329794, 0.12318829060551954, 0.1269887969858276, 0.05378590942389135, -0.013837349148813053,
            -0.07495268620228596, -0.1304522509488892, -0.10256529068289055, -0.026440271581853483, 0.2635237471697244,
            0.5152723109328715, 0.5246802555123368},
        {0.11987120559512526, 0.1978053783636809, 0.15409473166908347, -2.2890371581747475},
        // gaussian nll sum: GaussianNLLLoss()
        {9.565661834943988},
        {0.7374048753995752, 1.4782594872662345, 1.5238655638299312, 0.6454309130866963, -0.16604818978575664,
            -0.8994322344274315, -1.5654270113866706, -1.2307834881946866, -0.3172832589822418, 3.1622849660366925,
            6.183267731194458, 6.296163066148042},
        {1.4384544671415034, 2.37366454036417, 1.8491367800290024, -27.468445898096977},
        // gaussian nll none: GaussianNLLLoss()
        {0.5359193178967814, 0.8464893344419899, 0.8723937652748802, 0.6764638437649144, 0.5792190415814702,
            0.7745556355739218, 0.9169012373636016, 0.7361257876638205, 0.462922760483856, 0.176345253039208,
            1.4620825289376604, 1.526243328921883},
        {0.7374048753995752, 1.4782594872662345, 1.5238655638299312, 0.6454309130866963, -0.16604818978575664,
            -0.8994322344274315, -1.5654270113866706, -1.2307834881946866, -0.3172832589822418, 3.1622849660366925,
            6.183267731194458, 6.296163066148042},
        {1.4384544671415034, 2.37366454036417, 1.8491367800290024, -27.468445898096977},
    };

    private static final Reduction[] REDUCTIONS = {Reduction.MEAN, Reduction.SUM, Reduction.NONE};

    private Scope scope;
    private int row;

    @BeforeEach
    void open() {
        scope = Scope.open();
        row = 0;
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Calls the module on the inputs and checks the loss and the gradients of {@code checked}'s inputs. */
    private void assertCall(String what, Module module, Tensor[] inputs, int... checked) {
        Tensor loss = module.call(inputs[0], inputs[1], inputs[2]);
        assertArrayEquals(EXPECTED[row++], loss.toDoubleArray(), 1e-12, what + ": loss");
        loss.sum().backward();
        for (int i : checked) {
            assertArrayEquals(EXPECTED[row++], inputs[i].grad().toDoubleArray(), 1e-12,
                    what + ": gradient of input " + i);
        }
    }

    private static Tensor signs() {
        return Tensor.fromArray(new double[] {1, -1, -1, 1}, 4);
    }

    @Test
    void theLossModulesGivePyTorchsLossesAndGradients() {
        for (Reduction r : REDUCTIONS) {
            assertCall("TripletMarginLoss " + r, new TripletMarginLoss(0.7, 1.5, 1e-6, true, r), new Tensor[] {
                tensor(DType.F64, 1, 4, 3), tensor(DType.F64, 2, 4, 3), tensor(DType.F64, 3, 4, 3)}, 0, 1, 2);
        }
        BinaryOperator<Tensor> cosine = (x, y) -> new CosineSimilarity().forward(x, y).neg().add(1);
        for (Reduction r : REDUCTIONS) {
            assertCall("TripletMarginWithDistanceLoss " + r, new TripletMarginWithDistanceLoss(cosine, 0.5, true, r),
                    new Tensor[] {tensor(DType.F64, 1, 4, 3), tensor(DType.F64, 2, 4, 3), tensor(DType.F64, 3, 4, 3)},
                    0, 1, 2);
        }
        for (Reduction r : REDUCTIONS) {
            assertCall("MarginRankingLoss " + r, new MarginRankingLoss(0.2, r),
                    new Tensor[] {tensor(DType.F64, 1, 4), tensor(DType.F64, 2, 4), signs()}, 0, 1);
        }
        for (Reduction r : REDUCTIONS) {
            assertCall("CosineEmbeddingLoss " + r, new CosineEmbeddingLoss(0.1, r),
                    new Tensor[] {tensor(DType.F64, 1, 4, 3), tensor(DType.F64, 2, 4, 3), signs()}, 0, 1);
        }
        for (Reduction r : REDUCTIONS) {
            assertCall("GaussianNLLLoss " + r, new GaussianNLLLoss(true, 1e-3, r), new Tensor[] {
                tensor(DType.F64, 1, 4, 3), values(2, 4, 3), values(3, 4, 1).abs().requiresGrad(true)}, 0, 2);
        }
        assertEquals(EXPECTED.length, row, "cases checked");
    }

    @Test
    void backwardHooksSeeThreeInputsWithNullForTheTarget() {
        MarginRankingLoss loss = new MarginRankingLoss(0.2, Reduction.SUM);
        List<Tensor[]> seen = new ArrayList<>();
        loss.registerFullBackwardHook((module, gradInput, gradOutput) -> {
            seen.add(gradInput);
            return null;
        });
        Tensor x1 = tensor(DType.F64, 1, 4);
        Tensor x2 = tensor(DType.F64, 2, 4);
        loss.call(x1, x2, signs()).backward();
        assertEquals(1, seen.size(), "hook calls");
        assertEquals(3, seen.get(0).length, "gradInput entries");
        assertArrayEquals(x1.grad().toDoubleArray(), seen.get(0)[0].toDoubleArray(), 0);
        assertArrayEquals(x2.grad().toDoubleArray(), seen.get(0)[1].toDoubleArray(), 0);
        assertNull(seen.get(0)[2], "the target needs no gradient");
    }

    @Test
    void theReprsArePyTorchsAndOneInputIsRefused() {
        assertEquals("TripletMarginLoss()", new TripletMarginLoss().toString());
        assertEquals("TripletMarginWithDistanceLoss()", new TripletMarginWithDistanceLoss().toString());
        assertEquals("MarginRankingLoss()", new MarginRankingLoss().toString());
        assertEquals("CosineEmbeddingLoss()", new CosineEmbeddingLoss().toString());
        assertEquals("GaussianNLLLoss()", new GaussianNLLLoss().toString());
        Tensor x = tensor(DType.F64, 1, 4);
        assertEquals("MarginRankingLoss() takes three inputs (input1, input2, target); call call(input1, input2,"
                + " target) or forward(input1, input2, target)", assertThrows(UnsupportedOperationException.class,
                    () -> new MarginRankingLoss().call(x)).getMessage());
        assertEquals("ReLU() does not take three inputs", assertThrows(UnsupportedOperationException.class,
                () -> new ReLU().call(x, x, x)).getMessage());
    }
}
