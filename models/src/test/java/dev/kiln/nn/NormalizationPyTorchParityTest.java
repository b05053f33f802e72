package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.buffer;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BatchNorm1d}, {@link BatchNorm2d} and {@link LayerNorm} against PyTorch's own numbers: outputs, the
 * gradients of the input and of every parameter (for a weighted sum of the outputs, see {@link PyTorchParity}),
 * and the running statistics and batch count under PyTorch's buffer names, in training and eval mode.
 */
class NormalizationPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void batchNorm1dTwoTrainingStepsMatchPyTorch(DType dtype) {
        // torch.nn.BatchNorm1d(3), two steps in training mode, PyTorch 1.13
        BatchNorm1d layer = (BatchNorm1d) new BatchNorm1d(3).to(dtype);
        load(layer,
                key("weight", 1, 3),
                key("bias", 2, 3));
        Tensor x1 = tensor(dtype, 100, 4, 3);
        Tensor y1 = layer.forward(x1);
        assertValues("running_mean after one step", buffer(layer, "running_mean"),
                -0.012112522330799584, -0.011404327709094168, -0.005332499568265719);
        assertValues("running_var after one step", buffer(layer, "running_var"),
                0.9182583985406509, 0.9176094379122812, 0.913649583852152);
        Tensor x2 = tensor(dtype, 101, 4, 3);
        Tensor y2 = layer.forward(x2);
        backward(200, y1, y2);

        assertValues("first output", y1,
                -0.26555201259862127, -0.5335717494097547, -0.494336292632433, 0.5416707754423481,
                0.49173923352373555, -0.12037827687769936, 0.847153815756243, 0.06013890052400883,
                -0.5314879206577879, -0.2685128181323103, -0.5293885886916521, -0.49035173196090015);
        assertValues("second output", y2,
                -0.0820647970249804, -0.04938151232580424, -0.2734479674151647, 1.0669570522779412,
                0.3866339490734141, -0.4099212342696896, -0.0589805202591772, -0.8105565492370116,
                -0.6823777586610268, -0.07115197452612392, -0.03777809156426078, -0.2708072617829393);
        assertValues("first input gradient", x1.grad(),
                0.08938963425291872, -0.11891563568516496, -0.1504467087489447, -0.6144232999222746,
                -0.3382640767703358, 0.028882241375588136, 0.44592111127350204, 0.5850442455565015,
                0.27439069541919353, 0.0791125543958538, -0.1278645331010006, -0.15282622804583695);
        assertValues("second input gradient", x2.grad(),
                -0.396377000771392, -0.4758798188041367, -0.08696955647989622, -0.012513398197445,
                0.6080436045483775, 0.2568658868218855, 0.8132710756142945, 0.34112904127419014,
                -0.08625234757005633, -0.40438067664545735, -0.4732928270184309, -0.08364398277193301);
        assertGradient(layer, "weight",
                -0.9088747202651852, -0.8959687601383335, -1.0182645623498778);
        assertGradient(layer, "bias",
                -0.004972992863289005, -0.5190999918479152, -0.7890861535053928);
        assertValues("running_mean after two steps", buffer(layer, "running_mean"),
                -0.017342398349187882, -0.008244089796053962, 0.0047315430056212165);
        assertValues("running_var after two steps", buffer(layer, "running_var"),
                0.840590750307179, 0.8385490228232835, 0.8383657096927684);
        assertEquals(2, buffer(layer, "num_batches_tracked").toLongArray()[0]);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void batchNorm2dTrainingThenEvalMatchPyTorch(DType dtype) {
        // torch.nn.BatchNorm2d(2, eps=1e-3, momentum=0.3), one step in training mode, then one in eval
        //     mode, PyTorch 1.13
        BatchNorm2d layer = (BatchNorm2d) new BatchNorm2d(2, 1e-3, 0.3).to(dtype);
        load(layer,
                key("weight", 1, 2),
                key("bias", 2, 2));
        Tensor x1 = tensor(dtype, 100, 2, 2, 2, 3);
        Tensor y1 = layer.forward(x1);
        layer.eval();
        Tensor x2 = tensor(dtype, 101, 2, 2, 2, 3);
        Tensor y2 = layer.forward(x2);
        backward(200, y1, y2);

        assertValues("training output", y1,
                -0.5776547089989131, -0.5422184342828625, -0.20678518853301733, 0.27088553148540473,
                0.6661377223368791, 0.7930781026780875, 0.41494477767943333, 0.038253920444139465,
                -0.36365080416988266, -0.6017473242421286, -0.5640551260218547, -0.26830143928891287,
                0.2822522800541925, 0.6728716150059911, 0.7920120845052824, 0.5836400641253537, 0.1457561709535255,
                -0.31569595792694516, -0.604279678152742, -0.5596261380978516, -0.258994131755793,
                0.15622441078608545, 0.4907457210016579, 0.587239199656861);
        assertValues("eval output", y2,
                0.05040019641328468, 0.24285054161537817, 0.4147756750120178, 0.48531651996244,
                0.42129661485535813, 0.25282552140124814, -0.2364706221097821, -0.3483621829129004,
                -0.34995654234667406, -0.24050384825684612, -0.07148141291939134, 0.07761687127808543,
                0.48536117214299496, 0.418231244929864, 0.24809182074338332, 0.05496212928030237,
                -0.07032591782962742, -0.06884739435086691, -0.2368518819864449, -0.06733597089494707,
                0.08030612289815203, 0.13663601571061365, 0.07516087877387845, -0.07520657043519119);
        assertValues("training input gradient", x1.grad(),
                0.20429250280130895, -0.2386387569950386, -0.5367899763765884, -0.5499359781269052,
                -0.2718939922108292, 0.1665684908693984, 0.41741188960032677, 0.6030474157681887,
                0.5257663293251894, 0.22191513277574332, -0.16560020833701505, -0.45452517399353276,
                -0.5463915998784831, -0.26249549175170667, 0.1774008519176871, 0.5664073071320052,
                0.7215680596104308, 0.5699085830087205, 0.21286774958163032, -0.17439802574648583,
                -0.45893567462099694, -0.5069226947528199, -0.295790040756083, 0.07516330115585489);
        assertValues("eval input gradient", x2.grad(),
                -0.17267600267920513, -0.2790673531726977, -0.2542089669213969, -0.10979213140227369,
                0.08626165906470586, 0.24174524339795184, 0.24821908171955548, 0.1680603272250362,
                0.008860174821519807, -0.15450705624459715, -0.2452072045195324, -0.22058257304067452,
                -0.10533351699018384, 0.09083697811999734, 0.24428542305339404, 0.2828426164597552,
                0.18837450780730375, 0.00531092470020183, -0.15780075814715583, -0.24603481734633542,
                -0.2185548575474693, -0.0882851332301802, 0.08350646873852102, 0.21602367363493696);
        assertGradient(layer, "weight",
                -2.296174808034088, -2.0006321468003696);
        assertGradient(layer, "bias",
                -0.6467355395792536, -1.30017830123685);
        assertValues("running_mean", buffer(layer, "running_mean"),
                0.02530254898534487, -0.02779455957787457);
        assertValues("running_var", buffer(layer, "running_var"),
                0.7402336117516727, 0.7410840215243076);
        assertEquals(1, buffer(layer, "num_batches_tracked").toLongArray()[0]);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void layerNormMatchesPyTorch(DType dtype) {
        // torch.nn.LayerNorm(4, eps=1e-3), PyTorch 1.13
        LayerNorm layer = (LayerNorm) new LayerNorm(4, 1e-3).to(dtype);
        load(layer,
                key("weight", 1, 4),
                key("bias", 2, 4));
        Tensor x = tensor(dtype, 100, 2, 3, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.23581658859113025, -0.477040948572684, -0.38129801686646575, -0.7708699059080667,
                0.4447527396109806, 0.30008203826676466, -0.38168755090758144, -0.21322037142912822,
                0.5082086697711898, -0.5857998691019509, -0.542899390133341, -0.7194422882395206,
                -0.5506383944468769, 0.07318502725950081, -0.22812070514060329, -0.4989390258069152,
                1.0040703296781937, -0.11924107442831433, -0.5599428159347568, -0.37118518578502674,
                -0.5288248304618246, -0.24106149509401434, -0.28517289265793544, -0.6786171413750803);
        assertValues("input gradient", x.grad(),
                0.43431021590076024, -0.2160215349596691, -0.40369129849175844, 0.18540261755066753,
                -0.7190920234775341, 0.12973155236773742, 0.6492315702805294, -0.059871099170732744,
                1.0199649141561948, 0.3867254483446998, -0.790709916430612, -0.615980446070283,
                -0.13644383291680073, -0.6490249071477208, 0.1759218292755904, 0.6095469107889311,
                -0.1178318317795306, 0.41205402064318974, -0.014485480850770172, -0.2797367080128881,
                0.1618053303366485, -0.31733104417834823, -0.049840906710993726, 0.2053666205526936);
        assertGradient(layer, "weight",
                1.842169197502891, -0.4917565590290751, -0.7103339207643832, -2.0365874263598944);
        assertGradient(layer, "bias",
                -0.028002212978182672, -0.30017248779783146, -0.4311669512816815, -0.3593768604082752);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void layerNormWithoutElementwiseAffineMatchesPyTorch(DType dtype) {
        // torch.nn.LayerNorm(4, eps=1e-3, elementwise_affine=False), PyTorch 1.13
        LayerNorm layer = (LayerNorm) new LayerNorm(4, 1e-3, false).to(dtype);
        assertEquals(0, layer.parameters().size(), "no weight and no bias");
        Tensor x = tensor(dtype, 100, 2, 3, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                -0.9122870807693233, -0.8092368110304358, 0.16621805071482268, 1.555305841084937,
                0.468948932578776, 0.9913066419591278, 0.16389239208520012, -1.624147966623103, 0.5977346600069063,
                -1.0612241613333817, -0.7986003954998593, 1.2620898968263345, -1.5512274473356285,
                0.4656010141619763, 1.0807418131498412, 0.004884620023810439, 1.6041008800530783,
                0.019762242891812356, -0.9003557906891144, -0.7235073322557767, -1.506956160183705,
                -0.26248775432178995, 0.7401196897058933, 1.029324224799602);
        assertValues("input gradient", x.grad(),
                0.793635024674466, -0.42490439125221613, -0.6338356124565063, 0.2651049790342568,
                -1.8317547235732698, 0.5252371203952895, 1.2655399149405273, 0.04097768823745529,
                3.8054377152014567, 0.677236114490428, -1.8627495352118726, -2.619924294480013,
                -0.8604315171300931, -1.8345846280613576, -0.3075267615797235, 3.0025429067711737,
                -0.22208460034167166, 0.8922015744250023, 0.5124979505477301, -1.1826149246310607,
                0.2910318991187606, -0.4948729167897872, -0.37937192801038155, 0.5832129456814074);
    }
}
