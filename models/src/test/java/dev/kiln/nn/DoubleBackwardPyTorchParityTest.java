package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.AutogradFunctional;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Second derivatives through {@link Autograd#grad} with {@code createGraph} against PyTorch's own numbers (printed, the
 * whole file, by {@code models/src/test/pytorch/double_backward.py}): the Hessian of an MLP's cross-entropy (tanh
 * hidden layer) over its flattened parameters, a Hessian-vector product of a {@link Sequential} MLP's cross-entropy
 * (its Linear and Tanh fused into one op), and WGAN-GP's critic loss with its gradient penalty, whose gradients reach
 * the critic's weights through the gradient of its output with respect to its input.
 */
class DoubleBackwardPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor targets(long... classes) {
        return Tensor.fromArray(classes, classes.length);
    }

    @Test
    void theHessianOfAnMlpsCrossEntropyOverItsParameters() {
        // torch.autograd.functional.hessian(loss, theta), PyTorch 1.13: theta = pattern(17, 1) holds W1 [3, 2], b1 [3],
        // W2 [2, 3], b2 [2]; loss = F.cross_entropy(F.linear(tanh(F.linear(2 x, W1, b1)), W2, b2), t)
        Tensor x = values(11, 4, 2).mul(2.0);
        Tensor t = targets(0, 1, 1, 0);
        Tensor h = AutogradFunctional.hessian(theta -> F.crossEntropy(F.linear(F.linear(x,
                theta.narrow(0, 0, 6).reshape(3, 2), theta.narrow(0, 6, 3), UnaryOp.TANH, 0),
                theta.narrow(0, 9, 6).reshape(2, 3), theta.narrow(0, 15, 2)), t), values(1, 17));

        assertValues("Hessian", h,
                0.11622104080781044, 0.08530848302251523, 0.04232601910883431, 0.024385247968474185,
                0.02310854735436506, 0.011604891039907698, 0.038899144654421416, 0.007843499670682656,
                0.009823263887939599, -0.0916753145950582, 0.0033324916775113933, -0.026824432468333086,
                0.0916753145950582, -0.0033324916775113933, 0.026824432468333086, 0.00906336553375861,
                -0.00906336553375861, 0.08530848302251523, 0.08480629727549681, 0.02438524796847419,
                0.035792450966353216, 0.0116048910399077, 0.01850844320821422, -0.04576107640316597,
                0.005426563162973127, 0.011497917409773274, -0.18558504489247007, -0.002507503101718454,
                -0.024671176454372116, 0.18558504489247007, 0.002507503101718454, 0.024671176454372116,
                0.006279801244388858, -0.006279801244388858, 0.04232601910883431, 0.024385247968474192,
                0.10763134592203215, 0.07361161771767513, 0.04119076322345732, 0.023586040272944038,
                0.00784349967068266, 0.006552678969868634, 0.00834495753094849, 0.06861110129879172,
                -0.2041814240220826, -0.06702473852836835, -0.06861110129879172, 0.20418142402208259,
                0.06702473852836835, -0.018369607371848194, 0.018369607371848194, 0.024385247968474192,
                0.035792450966353216, 0.07361161771767513, 0.06687114514891636, 0.02358604027294404,
                0.03389851629339983, 0.005426563162973132, -0.01304105207239892, 0.006804387397020568,
                0.06321933243465688, -0.3104975416264215, -0.0641730836128931, -0.06321933243465688,
                0.3104975416264215, 0.0641730836128931, -0.027650982386869034, 0.027650982386869034,
                0.023108547354365058, 0.011604891039907698, 0.04119076322345731, 0.023586040272944038,
                -0.06330198798600055, -0.056673970529149124, 0.009823263887939599, 0.008344957530948487,
                -0.014247757283119635, 0.026988517753990953, 0.0032796145141171, -0.14732767659308843,
                -0.026988517753990953, -0.0032796145141171, 0.14732767659308843, 0.009645595809473585,
                -0.009645595809473585, 0.011604891039907701, 0.018508443208214216, 0.02358604027294404,
                0.03389851629339983, -0.05667397052914911, -0.0444768472953539, 0.011497917409773274,
                0.006804387397020561, 0.06580318075838856, 0.022623771387451298, -0.0022630403036664653,
                -0.23207935137834387, -0.022623771387451298, 0.0022630403036664653, 0.23207935137834387,
                0.007887703921639332, -0.007887703921639332, 0.03889914465442144, -0.045761076403165964,
                0.007843499670682659, 0.005426563162973134, 0.009823263887939603, 0.011497917409773276,
                0.1699505844432032, 0.09834969046994504, 0.05750415749478867, -0.1777762555684217,
                0.0013760212814765411, 0.02361076845465202, 0.1777762555684217, -0.0013760212814765411,
                -0.02361076845465202, 0.11442321738142074, -0.11442321738142074, 0.00784349967068266,
                0.005426563162973128, 0.006552678969868643, -0.01304105207239893, 0.008344957530948494,
                0.006804387397020567, 0.09834969046994504, 0.14915060080335227, 0.0939964771748586,
                -0.06580030448803, -0.07355350488140786, 0.06780934131353533, 0.06580030448803,
                0.07355350488140787, -0.06780934131353533, 0.20944935547525623, -0.20944935547525623,
                0.009823263887939606, 0.01149791740977328, 0.00834495753094849, 0.006804387397020563,
                -0.014247757283119653, 0.06580318075838855, 0.05750415749478867, 0.0939964771748586,
                -0.05080653841055868, -0.020504277207656508, 0.0011499189197490308, -0.14309923788904344,
                0.020504277207656508, -0.0011499189197490302, 0.1430992378890434, 0.10934965781340647,
                -0.10934965781340647, -0.0916753145950582, -0.18558504489247007, 0.06861110129879172,
                0.0632193324346569, 0.026988517753990957, 0.022623771387451298, -0.1777762555684217,
                -0.06580030448803, -0.020504277207656504, 0.0744756895168267, -0.00019306764507572856,
                -0.0746384616918257, -0.0744756895168267, 0.00019306764507572856, 0.0746384616918257,
                -0.07644649260462837, 0.07644649260462837, 0.0033324916775113933, -0.0025075031017184543,
                -0.2041814240220826, -0.3104975416264215, 0.0032796145141171006, -0.0022630403036664653,
                0.0013760212814765407, -0.07355350488140783, 0.001149918919749031, -0.00019306764507572778,
                0.001871640049245933, 0.0007157311253000754, 0.00019306764507572778, -0.001871640049245933,
                -0.0007157311253000754, 0.004104334125094371, -0.004104334125094371, -0.026824432468333083,
                -0.024671176454372112, -0.06702473852836835, -0.0641730836128931, -0.14732767659308843,
                -0.2320793513783439, 0.02361076845465202, 0.06780934131353533, -0.14309923788904344,
                -0.07463846169182568, 0.0007157311253000747, 0.0749563858408859, 0.0746384616918257,
                -0.0007157311253000747, -0.07495638584088592, 0.07878120368362539, -0.07878120368362539,
                0.0916753145950582, 0.18558504489247007, -0.06861110129879172, -0.06321933243465688,
                -0.026988517753990953, -0.022623771387451294, 0.1777762555684217, 0.06580030448803,
                0.020504277207656504, -0.07447568951682672, 0.00019306764507572748, 0.0746384616918257,
                0.0744756895168267, -0.0001930676450757277, -0.0746384616918257, 0.07644649260462838,
                -0.07644649260462837, -0.0033324916775113933, 0.0025075031017184543, 0.2041814240220826,
                0.3104975416264215, -0.0032796145141171006, 0.0022630403036664653, -0.0013760212814765407,
                0.07355350488140784, -0.001149918919749031, 0.000193067645075728, -0.001871640049245933,
                -0.0007157311253000758, -0.0001930676450757282, 0.001871640049245933, 0.0007157311253000758,
                -0.004104334125094371, 0.004104334125094371, 0.026824432468333083, 0.024671176454372112,
                0.06702473852836835, 0.0641730836128931, 0.14732767659308843, 0.2320793513783439,
                -0.02361076845465202, -0.06780934131353533, 0.14309923788904344, 0.0746384616918257,
                -0.0007157311253000756, -0.07495638584088592, -0.0746384616918257, 0.0007157311253000756,
                0.07495638584088592, -0.0787812036836254, 0.07878120368362539, 0.00906336553375861,
                0.006279801244388858, -0.018369607371848187, -0.027650982386869034, 0.009645595809473592,
                0.007887703921639339, 0.11442321738142074, 0.20944935547525623, 0.10934965781340648,
                -0.07644649260462837, 0.00410433412509437, 0.07878120368362539, 0.07644649260462837,
                -0.00410433412509437, -0.07878120368362539, 0.24341001219860442, -0.24341001219860442,
                -0.009063365533758614, -0.00627980124438886, 0.01836960737184818, 0.027650982386869034,
                -0.009645595809473592, -0.00788770392163934, -0.11442321738142074, -0.20944935547525623,
                -0.10934965781340648, 0.07644649260462837, -0.00410433412509437, -0.07878120368362539,
                -0.07644649260462837, 0.00410433412509437, 0.07878120368362539, -0.24341001219860442,
                0.24341001219860442);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aHessianVectorProductOfASequentialMlpsCrossEntropy(DType dtype) {
        // g = torch.autograd.grad(F.cross_entropy(model(x), t), params, create_graph=True), then
        // torch.autograd.grad(sum((g_i * v_i).sum()), params) with v_i = pattern(numel, 20 + i), PyTorch 1.13
        Sequential model = (Sequential) new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 3)).to(dtype);
        load(model,
                key("0.weight", 1, 4, 3),
                key("0.bias", 2, 4),
                key("2.weight", 3, 3, 4),
                key("2.bias", 4, 3));
        Map<String, Tensor> named = model.namedParameters();
        List<Tensor> params = List.of(named.get("0.weight"), named.get("0.bias"), named.get("2.weight"),
                named.get("2.bias"));
        Tensor loss = new CrossEntropyLoss().compute(model.forward(values(11, 5, 3).to(dtype)), targets(2, 0, 1, 1, 0));
        List<Tensor> g = Autograd.grad(loss, params, GradOptions.DEFAULT.withCreateGraph());
        Tensor dot = null;
        for (int i = 0; i < params.size(); i++) {
            Tensor v = values(20 + i, params.get(i).shape().dims()).to(dtype);
            Tensor term = g.get(i).mul(v).sum();
            dot = dot == null ? term : dot.add(term);
        }
        List<Tensor> hv = Autograd.grad(dot, params);

        assertValues("loss", loss, 1.3359320458451107);
        assertValues("Hessian times v of 0.weight", hv.get(0),
                -0.022350124614814282, -0.029265141936281602, -0.022416305724658907, -0.06823585044553765,
                -0.07574896991570998, -0.04763616522421944, -0.0320154576437924, -0.07293045266815484,
                -0.07954511623292647, -0.054865703822611044, -0.07001815553368977, -0.0522399746334146);
        assertValues("Hessian times v of 0.bias", hv.get(1),
                0.09172140851556174, -0.19770770091228068, -0.25398014858995355, -0.25465062775957836);
        assertValues("Hessian times v of 2.weight", hv.get(2),
                0.10661014974196165, -0.11044719784520651, -0.0005979830655284471, 0.14707968161897733,
                -0.19475058560875, 0.06704370185190896, 0.14278128890697558, 0.08835703411661745,
                0.08814043586678832, 0.04340349599329754, -0.14218330584144712, -0.23543671573559477);
        assertValues("Hessian times v of 2.bias", hv.get(3),
                -0.08081945568342762, -0.17503907652050593, 0.2558585322039335);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theWganGpCriticLossTrainsTheCriticThroughItsGradientPenalty(DType dtype) {
        // mixed = alpha real + (1 - alpha) fake; g = torch.autograd.grad(critic(mixed), mixed, ones, create_graph=True);
        // loss = critic(fake).mean() - critic(real).mean() + 10 ((g.norm(2, dim=1) - 1) ** 2).mean(); loss.backward(),
        // PyTorch 1.13
        Sequential critic = (Sequential) new Sequential(new Linear(3, 4), new LeakyReLU(0.2), new Linear(4, 1)).to(dtype);
        load(critic,
                key("0.weight", 1, 4, 3),
                key("0.bias", 2, 4),
                key("2.weight", 3, 1, 4),
                key("2.bias", 4, 1));
        Tensor real = values(12, 5, 3).to(dtype);
        Tensor fake = values(13, 5, 3).to(dtype);
        Tensor alpha = values(14, 5, 1).add(0.5).to(dtype);
        Tensor mixed = alpha.mul(real).add(alpha.neg().add(1).mul(fake)).requiresGrad(true);
        Tensor score = critic.forward(mixed);
        Tensor g = Autograd.grad(List.of(score), List.of(mixed), List.of(score.fullLike(1)),
                GradOptions.DEFAULT.withCreateGraph()).get(0);
        Tensor penalty = g.norm(2, new int[] {1}, false).sub(1).square().mean().mul(10.0);
        Tensor loss = critic.forward(fake).mean().sub(critic.forward(real).mean()).add(penalty);
        loss.backward();

        assertValues("penalty", penalty, 5.880593373693516);
        assertValues("loss", loss, 5.836063638395252);
        assertValues("gradient of 0.weight", critic.namedParameters().get("0.weight").grad(),
                -2.6208336738537854, -2.0161566343634196, -0.46324962641551504, 0.041187488258277546,
                1.2475095183803129, 1.8671083291341575, -0.44960479944875226, -0.1858763048952614,
                0.16527272024785203, -0.10598460141377081, -0.043816316264289126, 0.03895946707311523);
        assertValues("gradient of 0.bias", critic.namedParameters().get("0.bias").grad(),
                -0.12108839924926854, 0.0, 0.0, 0.0);
        assertValues("gradient of 2.weight", critic.namedParameters().get("2.weight").grad(),
                5.98570834098094, 2.9363177483343774, -0.5037461905038707, 0.7122436684241166);
        assertValues("gradient of 2.bias", critic.namedParameters().get("2.bias").grad(),
                0.0);
    }
}
