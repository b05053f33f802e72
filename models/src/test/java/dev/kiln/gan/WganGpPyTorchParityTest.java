package dev.kiln.gan;

import static dev.kiln.gan.GanParity.assertClose;
import static dev.kiln.gan.GanParity.grad;
import static dev.kiln.gan.GanParity.loadPattern;
import static dev.kiln.gan.GanParity.spread;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WganGpLoss} and {@link GanTrainer} with {@link GanTrainer#criticSteps} 5 against PyTorch: the networks of
 * {@link DcganPyTorchParityTest} (latent 3, 2 feature maps, 2 x 8 x 12 images) with the critic's batch norm replaced
 * by layer norm ({@code nn.GroupNorm(1, 4)}) or dropped, the same state-dict keys, and full steps of Algorithm 1 of
 * Gulrajani et al. (2017): five critic updates, each on a real batch and the generator's images of its own noise with
 * lambda 10, then a generator update on fresh noise, Adam lr 1e-4 betas (0, 0.9) for both. Each critic update's loss,
 * Wasserstein estimate and gradient penalty, each generator loss, the gradients after the first step and the weights
 * and batch-norm statistics after the last are PyTorch's, in F64 with weights, images, noise and the penalty's mixing
 * weights eps (pattern + 0.5, in [0, 1]) from {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)}. Printed whole by
 * {@code models/src/test/pytorch/wgan_gp.py} (PyTorch 1.13).
 */
class WganGpPyTorchParityTest {
    // state_dict keys and shapes of PyTorch's critics (the discriminator nn.Sequential, with GroupNorm(1, 4) or none)
    private static final String[] LAYER_NORM_KEYS = {
            "discriminator.0.weight [2, 2, 4, 4]",
            "discriminator.2.weight [4, 2, 4, 4]",
            "discriminator.3.weight [4]",
            "discriminator.3.bias [4]",
            "discriminator.5.weight [1, 4, 2, 3]",
    };
    private static final String[] NO_NORM_KEYS = {
            "discriminator.0.weight [2, 2, 4, 4]",
            "discriminator.2.weight [4, 2, 4, 4]",
            "discriminator.4.weight [1, 4, 2, 3]",
    };

    private final Deque<Tensor> eps = new ArrayDeque<>();
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(1);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void aLayerNormCriticHasTheKeysAndShapesOfPyTorchsWithGroupNorm() {
        try (Dcgan model = model(Dcgan.DiscriminatorNorm.LAYER)) {
            assertEquals(List.of(LAYER_NORM_KEYS), discriminatorKeys(model));
        }
    }

    @Test
    void aCriticWithoutNormHasTheKeysAndShapesOfPyTorchsWithout() {
        try (Dcgan model = model(Dcgan.DiscriminatorNorm.NONE)) {
            assertEquals(List.of(NO_NORM_KEYS), discriminatorKeys(model));
        }
    }

    @Test
    void twoFullStepsWithALayerNormCriticGivePyTorchsLossesGradientsWeightsAndStatistics() {
        // Two steps of Algorithm 1 with the critic's layer norm, PyTorch 1.13
        try (Dcgan model = model(Dcgan.DiscriminatorNorm.LAYER);
             Optimizer generatorAdam = adam(model.generator());
             Optimizer discriminatorAdam = adam(model.discriminator())) {
            GanTrainer trainer = new GanTrainer(model, seededEps(), generatorAdam, discriminatorAdam)
                    .criticSteps(5);
            DiscriminatorLoss critic11 = criticUpdate(model, trainer, 100);
            assertClose("loss of critic update 1 of step 1", critic11.loss(),
                    0.3004240937038485);
            assertClose("Wasserstein estimate of critic update 1 of step 1",
                    critic11.terms().get(WganGpLoss.WASSERSTEIN),
                    0.509332534944896);
            assertClose("gradient penalty of critic update 1 of step 1", critic11.terms().get(WganGpLoss.PENALTY),
                    0.8097566286487445);
            DiscriminatorLoss critic12 = criticUpdate(model, trainer, 103);
            assertClose("loss of critic update 2 of step 1", critic12.loss(),
                    1.2029055654473304);
            assertClose("Wasserstein estimate of critic update 2 of step 1",
                    critic12.terms().get(WganGpLoss.WASSERSTEIN),
                    0.69205469418594);
            assertClose("gradient penalty of critic update 2 of step 1", critic12.terms().get(WganGpLoss.PENALTY),
                    1.8949602596332704);
            DiscriminatorLoss critic13 = criticUpdate(model, trainer, 106);
            assertClose("loss of critic update 3 of step 1", critic13.loss(),
                    1.123994103407009);
            assertClose("Wasserstein estimate of critic update 3 of step 1",
                    critic13.terms().get(WganGpLoss.WASSERSTEIN),
                    0.5884969259769646);
            assertClose("gradient penalty of critic update 3 of step 1", critic13.terms().get(WganGpLoss.PENALTY),
                    1.7124910293839735);
            DiscriminatorLoss critic14 = criticUpdate(model, trainer, 109);
            assertClose("loss of critic update 4 of step 1", critic14.loss(),
                    0.24208387882960547);
            assertClose("Wasserstein estimate of critic update 4 of step 1",
                    critic14.terms().get(WganGpLoss.WASSERSTEIN),
                    0.602399947851388);
            assertClose("gradient penalty of critic update 4 of step 1", critic14.terms().get(WganGpLoss.PENALTY),
                    0.8444838266809934);
            DiscriminatorLoss critic15 = criticUpdate(model, trainer, 112);
            assertClose("loss of critic update 5 of step 1", critic15.loss(),
                    1.3892861441735564);
            assertClose("Wasserstein estimate of critic update 5 of step 1",
                    critic15.terms().get(WganGpLoss.WASSERSTEIN),
                    0.49642950342367387);
            assertClose("gradient penalty of critic update 5 of step 1", critic15.terms().get(WganGpLoss.PENALTY),
                    1.8857156475972303);
            assertClose("generator loss of step 1", trainer.generatorStep(PyTorchParity.values(201, 4, 3)),
                    1.4353291931099206);
            assertClose("gradient of generator.1.weight after step 1", spread(grad(model, "generator.1.weight")),
                    -0.00047055289609337653, 0.0, 0.04015814486438768, 0.010267719318835924, 0.0016194511362622116,
                    0.0, 0.05018107371756296, -0.0021314693869279883, 0.0029478019946117657, 0.0, 0.03660305950046318,
                    -0.013528194734891318);
            assertClose("gradient of generator.2.weight after step 1", spread(grad(model, "generator.2.weight")),
                    0.030842031454970772, 0.0, 0.3365540963824104, -0.0856383307943777);
            assertClose("gradient of generator.2.bias after step 1", spread(grad(model, "generator.2.bias")),
                    0.0159024742514548, 0.0, -0.23765574363572997, -0.028733075939764298);
            assertClose("gradient of generator.4.weight after step 1", spread(grad(model, "generator.4.weight")),
                    -0.0003257012142009444, 0.0005737296195804873, -0.0006907219726551747, 0.0, 0.0, 0.0, 0.0,
                    0.021942455335742704, 0.0024542609932320255, 0.005378311645547256, -0.016541447079891993,
                    0.02456105039002787);
            assertClose("gradient of generator.5.weight after step 1", spread(grad(model, "generator.5.weight")),
                    -0.10480737098859534, -0.13084180170394227);
            assertClose("gradient of generator.5.bias after step 1", spread(grad(model, "generator.5.bias")),
                    -0.09001774953456404, 0.3208347409177795);
            assertClose("gradient of generator.7.weight after step 1", spread(grad(model, "generator.7.weight")),
                    0.051107543101586064, -0.06384533735046694, 0.09964384226714429, -0.05209533684843383,
                    0.013837000895748885, 0.03551262398817007, -0.010761342410562222, 0.010134432073475814,
                    0.05046784312533695, 0.015374091578276516, 0.0009315678660684733, 0.009260911623219752);
            assertClose("gradient of discriminator.0.weight after step 1",
                    spread(grad(model, "discriminator.0.weight")),
                    0.07136707818900806, -0.15456638501394518, 0.1810469982404844, -0.039561773317068144,
                    0.017289761434339287, -0.22756918128920992, 0.15827179122429544, 0.6865691316894823,
                    -0.12510734113391772, 0.49046127286330615, -0.28517542714546396, -0.06693619255223464);
            assertClose("gradient of discriminator.2.weight after step 1",
                    spread(grad(model, "discriminator.2.weight")),
                    0.08363093009506009, 0.44767922748491423, -0.6239558728016354, 0.7189131942655905,
                    -0.12309564595263617, -0.011381139461423134, -0.20607617075120713, -0.27824835741338766,
                    -0.6327441742024545, 0.25765259468971907, 0.012258811013028082, 0.0051069429238752954);
            assertClose("gradient of discriminator.3.weight after step 1",
                    spread(grad(model, "discriminator.3.weight")),
                    0.2942906604760795, -5.972388351446771, -3.2376061078021023, -0.06062086011876536);
            assertClose("gradient of discriminator.3.bias after step 1", spread(grad(model, "discriminator.3.bias")),
                    1.2063478539945005, 0.28955066022055787, -0.7999693127150229, 0.24649901577706024);
            assertClose("gradient of discriminator.5.weight after step 1",
                    spread(grad(model, "discriminator.5.weight")),
                    0.2508607713568404, -0.8775767515377019, -1.073333131242224, -1.5030387336330409,
                    -0.329789816045903, 0.5115845475744727, 1.2801675076013914, -1.4892149226243792,
                    -0.23669440437226694, -0.035298967424632496, 0.19780977701571775, 0.08457267390906525);
            DiscriminatorLoss critic21 = criticUpdate(model, trainer, 115);
            assertClose("loss of critic update 1 of step 2", critic21.loss(),
                    0.19291884387056535);
            assertClose("Wasserstein estimate of critic update 1 of step 2",
                    critic21.terms().get(WganGpLoss.WASSERSTEIN),
                    0.37563686013592323);
            assertClose("gradient penalty of critic update 1 of step 2", critic21.terms().get(WganGpLoss.PENALTY),
                    0.5685557040064886);
            DiscriminatorLoss critic22 = criticUpdate(model, trainer, 118);
            assertClose("loss of critic update 2 of step 2", critic22.loss(),
                    1.0737257890763015);
            assertClose("Wasserstein estimate of critic update 2 of step 2",
                    critic22.terms().get(WganGpLoss.WASSERSTEIN),
                    0.708345207115398);
            assertClose("gradient penalty of critic update 2 of step 2", critic22.terms().get(WganGpLoss.PENALTY),
                    1.7820709961916994);
            DiscriminatorLoss critic23 = criticUpdate(model, trainer, 121);
            assertClose("loss of critic update 3 of step 2", critic23.loss(),
                    2.079989199435339);
            assertClose("Wasserstein estimate of critic update 3 of step 2",
                    critic23.terms().get(WganGpLoss.WASSERSTEIN),
                    0.6484917117515957);
            assertClose("gradient penalty of critic update 3 of step 2", critic23.terms().get(WganGpLoss.PENALTY),
                    2.728480911186935);
            DiscriminatorLoss critic24 = criticUpdate(model, trainer, 124);
            assertClose("loss of critic update 4 of step 2", critic24.loss(),
                    0.045228319559124985);
            assertClose("Wasserstein estimate of critic update 4 of step 2",
                    critic24.terms().get(WganGpLoss.WASSERSTEIN),
                    0.6121898635954667);
            assertClose("gradient penalty of critic update 4 of step 2", critic24.terms().get(WganGpLoss.PENALTY),
                    0.6574181831545917);
            DiscriminatorLoss critic25 = criticUpdate(model, trainer, 127);
            assertClose("loss of critic update 5 of step 2", critic25.loss(),
                    1.3142238363857934);
            assertClose("Wasserstein estimate of critic update 5 of step 2",
                    critic25.terms().get(WganGpLoss.WASSERSTEIN),
                    0.6673440276098173);
            assertClose("gradient penalty of critic update 5 of step 2", critic25.terms().get(WganGpLoss.PENALTY),
                    1.9815678639956107);
            assertClose("generator loss of step 2", trainer.generatorStep(PyTorchParity.values(202, 4, 3)),
                    1.3367993697505336);
            assertClose("generator.1.weight after 2 steps", spread(model.namedParameters().get("generator.1.weight")),
                    0.4928248628691157, -0.31563331893616114, -0.1834611965915749, 0.49534112396601787,
                    -0.3025164105856527, -0.19877784156071807, 0.49712250855357093, -0.28861979843292584,
                    -0.21419133440883764, 0.49877870945390235, -0.27509205546705096, -0.22919672303997596);
            assertClose("generator.2.weight after 2 steps", spread(model.namedParameters().get("generator.2.weight")),
                    0.21358994014933816, -0.1277705510134156, -0.4093592792648639, -0.49785058003461163);
            assertClose("generator.2.bias after 2 steps", spread(model.namedParameters().get("generator.2.bias")),
                    -0.37850124759108084, -0.4999616287820504, -0.38616603841983205, -0.09111864483194475);
            assertClose("generator.4.weight after 2 steps", spread(model.namedParameters().get("generator.4.weight")),
                    -0.416033724182155, -0.1317158939399504, 0.21778267873870705, 0.4598388223310099,
                    0.47566436939339024, 0.257370058461916, -0.08760063484357707, -0.389661838617424,
                    -0.4997209032294392, -0.3641110344828434, -0.048803505769840785, 0.289710058285);
            assertClose("generator.5.weight after 2 steps", spread(model.namedParameters().get("generator.5.weight")),
                    0.15598311935648312, 0.4254408155225977);
            assertClose("generator.5.bias after 2 steps", spread(model.namedParameters().get("generator.5.bias")),
                    0.4996253635330428, 0.3669908208321441);
            assertClose("generator.7.weight after 2 steps", spread(model.namedParameters().get("generator.7.weight")),
                    0.11123699567185535, 0.06683975621131702, -0.23640886383251344, 0.37600774101585627,
                    -0.4675742211594881, 0.49980730775722726, -0.4688766618592243, 0.3778736174472478,
                    -0.23948630926769154, 0.06989158825496947, 0.10803146140762232, -0.27259808115984513);
            assertClose("discriminator.0.weight after 2 steps",
                    spread(model.namedParameters().get("discriminator.0.weight")),
                    -0.4399169586508092, 0.4957096527664641, -0.4883426460421425, 0.41830139452377096,
                    -0.29556130202202663, 0.13564780164180887, 0.04194892085416575, -0.21466507654507225,
                    0.3597819163168712, -0.45918312065069145, 0.4994665998213122, -0.4762530253127405);
            assertClose("discriminator.2.weight after 2 steps",
                    spread(model.namedParameters().get("discriminator.2.weight")),
                    -0.3470109012229746, -0.025375271333124297, 0.30983725447424343, 0.4909142665823852,
                    0.4312879956407722, 0.15959477503710154, -0.1908594530471523, -0.4469432619227392,
                    -0.48277645021775456, -0.2815715576594421, 0.058704162774113215, 0.3711616295614083);
            assertClose("discriminator.3.weight after 2 steps",
                    spread(model.namedParameters().get("discriminator.3.weight")),
                    0.25498876413506577, 0.4728901699726072, 0.4683302028069738, 0.24248800188732872);
            assertClose("discriminator.3.bias after 2 steps",
                    spread(model.namedParameters().get("discriminator.3.bias")),
                    0.4822543962306562, 0.28577764947169343, -0.044900676290739246, -0.3560781152222688);
            assertClose("discriminator.5.weight after 2 steps",
                    spread(model.namedParameters().get("discriminator.5.weight")),
                    0.0031563997860995082, -0.49252526884742553, -0.17039956847519613, 0.43459709404197516,
                    0.3194181446677945, -0.3261919536173361, -0.43011196737074636, 0.18000524593338407,
                    0.4912989428920421, -0.01201102565332397, -0.49503155385905234, -0.15511466486619407);
            assertClose("generator.2.running_mean after 2 steps",
                    spread(model.namedBuffers().get("generator.2.running_mean")),
                    -0.0019757129968440367, -0.00023717952217475495, 0.002208458046172689, -0.001928622990667674);
            assertClose("generator.2.running_var after 2 steps",
                    spread(model.namedBuffers().get("generator.2.running_var")),
                    0.30094477736373604, 0.3002228605945079, 0.2954427195556204, 0.3011236174474467);
            assertClose("generator.5.running_mean after 2 steps",
                    spread(model.namedBuffers().get("generator.5.running_mean")),
                    0.005314847056156244, -0.004623509206253535);
            assertClose("generator.5.running_var after 2 steps",
                    spread(model.namedBuffers().get("generator.5.running_var")),
                    0.30387195865272243, 0.30320696524956287);
        }
    }

    @Test
    void aFullStepWithACriticWithoutNormGivesPyTorchsLossesGradientsAndWeights() {
        // One step of Algorithm 1 with a critic without norm, PyTorch 1.13
        try (Dcgan model = model(Dcgan.DiscriminatorNorm.NONE);
             Optimizer generatorAdam = adam(model.generator());
             Optimizer discriminatorAdam = adam(model.discriminator())) {
            GanTrainer trainer = new GanTrainer(model, seededEps(), generatorAdam, discriminatorAdam)
                    .criticSteps(5);
            DiscriminatorLoss critic11 = criticUpdate(model, trainer, 100);
            assertClose("loss of critic update 1 of step 1", critic11.loss(),
                    13.762317945699039);
            assertClose("Wasserstein estimate of critic update 1 of step 1",
                    critic11.terms().get(WganGpLoss.WASSERSTEIN),
                    -1.9495472251322852);
            assertClose("gradient penalty of critic update 1 of step 1", critic11.terms().get(WganGpLoss.PENALTY),
                    11.812770720566753);
            DiscriminatorLoss critic12 = criticUpdate(model, trainer, 103);
            assertClose("loss of critic update 2 of step 1", critic12.loss(),
                    8.646029904003369);
            assertClose("Wasserstein estimate of critic update 2 of step 1",
                    critic12.terms().get(WganGpLoss.WASSERSTEIN),
                    -1.9245041355677865);
            assertClose("gradient penalty of critic update 2 of step 1", critic12.terms().get(WganGpLoss.PENALTY),
                    6.721525768435582);
            DiscriminatorLoss critic13 = criticUpdate(model, trainer, 106);
            assertClose("loss of critic update 3 of step 1", critic13.loss(),
                    8.132961893812087);
            assertClose("Wasserstein estimate of critic update 3 of step 1",
                    critic13.terms().get(WganGpLoss.WASSERSTEIN),
                    -1.2831863024902186);
            assertClose("gradient penalty of critic update 3 of step 1", critic13.terms().get(WganGpLoss.PENALTY),
                    6.849775591321869);
            DiscriminatorLoss critic14 = criticUpdate(model, trainer, 109);
            assertClose("loss of critic update 4 of step 1", critic14.loss(),
                    8.892992826436911);
            assertClose("Wasserstein estimate of critic update 4 of step 1",
                    critic14.terms().get(WganGpLoss.WASSERSTEIN),
                    -1.9769318470425574);
            assertClose("gradient penalty of critic update 4 of step 1", critic14.terms().get(WganGpLoss.PENALTY),
                    6.916060979394354);
            DiscriminatorLoss critic15 = criticUpdate(model, trainer, 112);
            assertClose("loss of critic update 5 of step 1", critic15.loss(),
                    9.438101598563083);
            assertClose("Wasserstein estimate of critic update 5 of step 1",
                    critic15.terms().get(WganGpLoss.WASSERSTEIN),
                    -1.4626270106472008);
            assertClose("gradient penalty of critic update 5 of step 1", critic15.terms().get(WganGpLoss.PENALTY),
                    7.975474587915883);
            assertClose("generator loss of step 1", trainer.generatorStep(PyTorchParity.values(201, 4, 3)),
                    -3.107184285625399);
            assertClose("gradient of generator.1.weight after step 1", spread(grad(model, "generator.1.weight")),
                    -0.005996842829480934, 0.0, -0.22710878866963785, 0.11540506894937005, 0.020638686988894067, 0.0,
                    -0.28272049060609694, 0.04364455432674064, 0.03756751982801363, 0.0, -0.20536432818098815,
                    -0.04864267616072496);
            assertClose("gradient of generator.2.weight after step 1", spread(grad(model, "generator.2.weight")),
                    0.393058499294975, 0.0, -1.9288596485863707, 0.8736107443665058);
            assertClose("gradient of generator.2.bias after step 1", spread(grad(model, "generator.2.bias")),
                    0.20266507650378532, 0.0, 1.2922088069926867, -1.5096702184608795);
            assertClose("gradient of generator.4.weight after step 1", spread(grad(model, "generator.4.weight")),
                    0.006304868744104053, -0.0039002877912799705, -0.003321058949361728, 0.0, 0.0, 0.0, 0.0,
                    -0.06405515693929265, -0.01343007477940359, 0.012187573661598363, -0.03596593539244373,
                    0.14118824224542514);
            assertClose("gradient of generator.5.weight after step 1", spread(grad(model, "generator.5.weight")),
                    -3.2735452731525347, -1.6616191971881824);
            assertClose("gradient of generator.5.bias after step 1", spread(grad(model, "generator.5.bias")),
                    -1.8291962922100262, -1.55662024980187);
            assertClose("gradient of generator.7.weight after step 1", spread(grad(model, "generator.7.weight")),
                    -0.10232587094145848, 0.37941544194196053, -0.7895821304774906, 0.2676040808774595,
                    0.2238860905243109, -0.7603458121079584, 0.24886608002176533, -0.19634305328099885,
                    -0.4916626654312975, 0.14035239105990638, -0.4231344838092802, 0.7129198714263982);
            assertClose("gradient of discriminator.0.weight after step 1",
                    spread(grad(model, "discriminator.0.weight")),
                    -2.127414292985409, 1.8349485583435539, -0.09557788950314158, 0.334101188184822,
                    -0.2846514456214291, 1.5993272865626702, -1.445846583589473, -1.5370200232072224,
                    3.686769778232527, -2.0058953741989223, 2.544742657953526, -3.1974893195602716);
            assertClose("gradient of discriminator.2.weight after step 1",
                    spread(grad(model, "discriminator.2.weight")),
                    0.24404604628463145, -4.007867382291028, 8.422311035956142, -6.906792831751931,
                    -0.5175754811019027, 4.044834856154827, 0.62984439161198, -0.2455493510275825, -0.7633592521942985,
                    -3.124050459202877, -3.535171482466244, 4.851942872740921);
            assertClose("gradient of discriminator.4.weight after step 1",
                    spread(grad(model, "discriminator.4.weight")),
                    3.1462648568233567, 6.3349456207642465, -2.87383125690341, -0.0334700232097383,
                    -0.7171351852053401, 19.264506232645346, -4.600805046693208, -0.18311739349341472,
                    -13.362807183047307, 0.8735600358528797, 1.527512049591809, 10.430438738286867);
            assertClose("generator.1.weight after 1 steps", spread(model.namedParameters().get("generator.1.weight")),
                    0.492824864827476, -0.31563331893616114, -0.18313956463036657, 0.4952036778561003,
                    -0.30251641115468936, -0.19877784156071807, 0.497422386935382, -0.2889575221999535,
                    -0.21419133472145357, 0.49877870945390235, -0.27487198478504327, -0.22906272726643784);
            assertClose("generator.2.weight after 1 steps", spread(model.namedParameters().get("generator.2.weight")),
                    0.21358994011945903, -0.1277705510134156, -0.40903855553272356, -0.49818230441677575);
            assertClose("generator.2.bias after 1 steps", spread(model.namedParameters().get("generator.2.bias")),
                    -0.37850124764902987, -0.4999616287820504, -0.3864822437772197, -0.09098125213671034);
            assertClose("generator.4.weight after 1 steps", spread(model.namedParameters().get("generator.4.weight")),
                    -0.4162337209533433, -0.131515895939292, 0.21778267988533873, 0.4598388223310099,
                    0.47566436939339024, 0.257370058461916, -0.08760063484357707, -0.3893546906584823,
                    -0.4995209037113518, -0.3639759604128697, -0.04893291022781599, 0.2898439174283947);
            assertClose("generator.5.weight after 1 steps", spread(model.namedParameters().get("generator.5.weight")),
                    0.15587068175638344, 0.4253183103136804);
            assertClose("generator.5.bias after 1 steps", spread(model.namedParameters().get("generator.5.bias")),
                    0.4995706709193393, 0.3672985489364142);
            assertClose("generator.7.weight after 1 steps", spread(model.namedParameters().get("generator.7.weight")),
                    0.11154495704035113, 0.06651602071260675, -0.23611099320050113, 0.37568670767981216,
                    -0.46770495759280356, 0.5000968714271952, -0.4689458701461217, 0.3782108293879384,
                    -0.2392229592962414, 0.07002034192066425, 0.10809363309174873, -0.27248306170375286);
            assertClose("discriminator.0.weight after 1 steps",
                    spread(model.namedParameters().get("discriminator.0.weight")),
                    -0.4394048041299682, 0.4948952182065514, -0.48753589808594877, 0.4179803741190038,
                    -0.29567264739561666, 0.1350340852928515, 0.042381289822581915, -0.213657518995075,
                    0.3584975773573038, -0.4578054351476506, 0.49882340936161496, -0.47638306931666896);
            assertClose("discriminator.2.weight after 1 steps",
                    spread(model.namedParameters().get("discriminator.2.weight")),
                    -0.3471697236517107, -0.024347723621789396, 0.3088988522681392, 0.4917732911977913,
                    0.4311695127261243, 0.15866548203123354, -0.19184490190560805, -0.44752514460366943,
                    -0.4831665074182953, -0.28108707166183594, 0.05963711398731609, 0.3702862306753293);
            assertClose("discriminator.4.weight after 1 steps",
                    spread(model.namedParameters().get("discriminator.4.weight")),
                    0.25397750751956866, 0.46703585806124887, -0.09509434643695765, -0.4996504150356038,
                    -0.07408250540269369, 0.4741067804933965, 0.23620829516043831, -0.3941750633833954,
                    -0.3693853919906892, 0.2682176243060104, 0.4608322161377013, -0.11239035242649502);
            assertClose("generator.2.running_mean after 1 steps",
                    spread(model.namedBuffers().get("generator.2.running_mean")),
                    -0.00033925352724322003, 0.0014586163419317664, -0.0010909513643896508, -0.0003889149180349104);
            assertClose("generator.2.running_var after 1 steps",
                    spread(model.namedBuffers().get("generator.2.running_var")),
                    0.5431835669908939, 0.542690440538555, 0.539735226631754, 0.5432975711886721);
            assertClose("generator.5.running_mean after 1 steps",
                    spread(model.namedBuffers().get("generator.5.running_mean")),
                    0.0023229932737704353, -0.001959674756250756);
            assertClose("generator.5.running_var after 1 steps",
                    spread(model.namedBuffers().get("generator.5.running_var")),
                    0.5459027855469907, 0.5449637946231479);
        }
    }

    /** The networks in F64, each parameter in state-dict order i (from 1) set to pattern(numel, i) as by load(). */
    private static Dcgan model(Dcgan.DiscriminatorNorm norm) {
        Dcgan model = new Dcgan(3, 2, 2, 8, 12, norm);
        model.to(DType.F64);
        loadPattern(model);
        return model;
    }

    private static List<String> discriminatorKeys(Dcgan model) {
        List<String> keys = new ArrayList<>();
        model.stateDict().forEach((k, v) -> {
            if (k.startsWith("discriminator")) {
                keys.add(k + " " + v.shape());
            }
        });
        return keys;
    }

    /** The paper's Adam for the module's parameters. */
    private static Optimizer adam(Module module) {
        return new Adam(module.trainableParameters(), WganGpLoss.LEARNING_RATE)
                .betas(WganGpLoss.BETA1, WganGpLoss.BETA2);
    }

    /** WGAN-GP with lambda 10 whose critic losses take their eps from {@link #eps} in turn instead of drawing them. */
    private GanLoss seededEps() {
        WganGpLoss wgan = new WganGpLoss(WganGpLoss.GP_WEIGHT);
        return new GanLoss() {
            @Override
            public String name() {
                return wgan.name();
            }

            @Override
            public List<String> termNames() {
                return wgan.termNames();
            }

            @Override
            public DiscriminatorLoss discriminatorLoss(Module critic, Tensor real, Tensor fake) {
                return wgan.discriminatorLoss(critic, real, fake, eps.removeFirst());
            }

            @Override
            public Tensor generatorLoss(Module critic, Tensor fake) {
                return wgan.generatorLoss(critic, fake);
            }
        };
    }

    /** A critic update on real images, noise and eps (pattern + 0.5) of pattern seeds seed, seed + 1 and seed + 2. */
    private DiscriminatorLoss criticUpdate(Dcgan model, GanTrainer trainer, int seed) {
        eps.add(PyTorchParity.values(seed + 2, 4).add(0.5));
        return trainer.discriminatorStep(PyTorchParity.values(seed, 4, 2, 8, 12), PyTorchParity.values(seed + 1, 4,
                model.latent()));
    }
}
