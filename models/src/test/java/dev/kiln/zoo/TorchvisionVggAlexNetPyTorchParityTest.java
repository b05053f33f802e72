package dev.kiln.zoo;

import static dev.kiln.zoo.TorchvisionParity.assertClose;
import static dev.kiln.zoo.TorchvisionParity.buffer;
import static dev.kiln.zoo.TorchvisionParity.grad;
import static dev.kiln.zoo.TorchvisionParity.keysAndShapes;
import static dev.kiln.zoo.TorchvisionParity.loadPattern;
import static dev.kiln.zoo.TorchvisionParity.pattern;
import static dev.kiln.zoo.TorchvisionParity.spread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link VGG} and {@link AlexNet} against torchvision's: the same state-dict keys and shapes at full size, and the same
 * values and gradients in F64 (to 1e-9 relative) for weights, input and output weighting from
 * {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)} (PyTorch 1.13; {@code models/src/test/pytorch/vgg_alexnet.py} printed the
 * literals). The value tests narrow the classifier's two hidden layers from 4096 to 64 in both, so that they take a
 * fraction of a second; the key and parameter-count tests use the real widths.
 */
class TorchvisionVggAlexNetPyTorchParityTest {
    // state_dict keys and shapes of torchvision.models.vgg11(num_classes=10)
    private static final String[] VGG11_KEYS = {
            "features.0.weight [64, 3, 3, 3]",
            "features.0.bias [64]",
            "features.3.weight [128, 64, 3, 3]",
            "features.3.bias [128]",
            "features.6.weight [256, 128, 3, 3]",
            "features.6.bias [256]",
            "features.8.weight [256, 256, 3, 3]",
            "features.8.bias [256]",
            "features.11.weight [512, 256, 3, 3]",
            "features.11.bias [512]",
            "features.13.weight [512, 512, 3, 3]",
            "features.13.bias [512]",
            "features.16.weight [512, 512, 3, 3]",
            "features.16.bias [512]",
            "features.18.weight [512, 512, 3, 3]",
            "features.18.bias [512]",
            "classifier.0.weight [4096, 25088]",
            "classifier.0.bias [4096]",
            "classifier.3.weight [4096, 4096]",
            "classifier.3.bias [4096]",
            "classifier.6.weight [10, 4096]",
            "classifier.6.bias [10]",
    };

    // state_dict keys and shapes of torchvision.models.vgg16_bn(num_classes=10)
    private static final String[] VGG16_BN_KEYS = {
            "features.0.weight [64, 3, 3, 3]",
            "features.0.bias [64]",
            "features.1.weight [64]",
            "features.1.bias [64]",
            "features.1.running_mean [64]",
            "features.1.running_var [64]",
            "features.1.num_batches_tracked []",
            "features.3.weight [64, 64, 3, 3]",
            "features.3.bias [64]",
            "features.4.weight [64]",
            "features.4.bias [64]",
            "features.4.running_mean [64]",
            "features.4.running_var [64]",
            "features.4.num_batches_tracked []",
            "features.7.weight [128, 64, 3, 3]",
            "features.7.bias [128]",
            "features.8.weight [128]",
            "features.8.bias [128]",
            "features.8.running_mean [128]",
            "features.8.running_var [128]",
            "features.8.num_batches_tracked []",
            "features.10.weight [128, 128, 3, 3]",
            "features.10.bias [128]",
            "features.11.weight [128]",
            "features.11.bias [128]",
            "features.11.running_mean [128]",
            "features.11.running_var [128]",
            "features.11.num_batches_tracked []",
            "features.14.weight [256, 128, 3, 3]",
            "features.14.bias [256]",
            "features.15.weight [256]",
            "features.15.bias [256]",
            "features.15.running_mean [256]",
            "features.15.running_var [256]",
            "features.15.num_batches_tracked []",
            "features.17.weight [256, 256, 3, 3]",
            "features.17.bias [256]",
            "features.18.weight [256]",
            "features.18.bias [256]",
            "features.18.running_mean [256]",
            "features.18.running_var [256]",
            "features.18.num_batches_tracked []",
            "features.20.weight [256, 256, 3, 3]",
            "features.20.bias [256]",
            "features.21.weight [256]",
            "features.21.bias [256]",
            "features.21.running_mean [256]",
            "features.21.running_var [256]",
            "features.21.num_batches_tracked []",
            "features.24.weight [512, 256, 3, 3]",
            "features.24.bias [512]",
            "features.25.weight [512]",
            "features.25.bias [512]",
            "features.25.running_mean [512]",
            "features.25.running_var [512]",
            "features.25.num_batches_tracked []",
            "features.27.weight [512, 512, 3, 3]",
            "features.27.bias [512]",
            "features.28.weight [512]",
            "features.28.bias [512]",
            "features.28.running_mean [512]",
            "features.28.running_var [512]",
            "features.28.num_batches_tracked []",
            "features.30.weight [512, 512, 3, 3]",
            "features.30.bias [512]",
            "features.31.weight [512]",
            "features.31.bias [512]",
            "features.31.running_mean [512]",
            "features.31.running_var [512]",
            "features.31.num_batches_tracked []",
            "features.34.weight [512, 512, 3, 3]",
            "features.34.bias [512]",
            "features.35.weight [512]",
            "features.35.bias [512]",
            "features.35.running_mean [512]",
            "features.35.running_var [512]",
            "features.35.num_batches_tracked []",
            "features.37.weight [512, 512, 3, 3]",
            "features.37.bias [512]",
            "features.38.weight [512]",
            "features.38.bias [512]",
            "features.38.running_mean [512]",
            "features.38.running_var [512]",
            "features.38.num_batches_tracked []",
            "features.40.weight [512, 512, 3, 3]",
            "features.40.bias [512]",
            "features.41.weight [512]",
            "features.41.bias [512]",
            "features.41.running_mean [512]",
            "features.41.running_var [512]",
            "features.41.num_batches_tracked []",
            "classifier.0.weight [4096, 25088]",
            "classifier.0.bias [4096]",
            "classifier.3.weight [4096, 4096]",
            "classifier.3.bias [4096]",
            "classifier.6.weight [10, 4096]",
            "classifier.6.bias [10]",
    };

    // state_dict keys and shapes of torchvision.models.alexnet(num_classes=10)
    private static final String[] ALEXNET_KEYS = {
            "features.0.weight [64, 3, 11, 11]",
            "features.0.bias [64]",
            "features.3.weight [192, 64, 5, 5]",
            "features.3.bias [192]",
            "features.6.weight [384, 192, 3, 3]",
            "features.6.bias [384]",
            "features.8.weight [256, 384, 3, 3]",
            "features.8.bias [256]",
            "features.10.weight [256, 256, 3, 3]",
            "features.10.bias [256]",
            "classifier.1.weight [4096, 9216]",
            "classifier.1.bias [4096]",
            "classifier.4.weight [4096, 4096]",
            "classifier.4.bias [4096]",
            "classifier.6.weight [10, 4096]",
            "classifier.6.bias [10]",
    };

    @Test
    void vgg11HasTorchvisionsStateDictKeysAndShapesInItsOrder() {
        try (VGG model = VGG.vgg11(3, 10)) {
            assertEquals(List.of(VGG11_KEYS), keysAndShapes(model));
        }
    }

    @Test
    void vgg16BnHasTorchvisionsStateDictKeysAndShapesInItsOrder() {
        try (VGG model = VGG.vgg16Bn(3, 10)) {
            assertEquals(List.of(VGG16_BN_KEYS), keysAndShapes(model));
        }
    }

    @Test
    void alexnetHasTorchvisionsStateDictKeysAndShapesInItsOrder() {
        try (AlexNet model = AlexNet.alexnet(3, 10)) {
            assertEquals(List.of(ALEXNET_KEYS), keysAndShapes(model));
        }
    }

    @Test
    void vgg16AndAlexNetHaveTorchvisionsParameterCounts() {
        try (VGG model = VGG.vgg16(3, 1000)) {
            assertEquals(138_357_544, model.parameterCount(), "torchvision's vgg16: 138,357,544 parameters");
        }
        try (AlexNet model = AlexNet.alexnet(3, 1000)) {
            assertEquals(61_100_840, model.parameterCount(), "torchvision's alexnet: 61,100,840 parameters");
        }
    }

    /**
     * The other variants counted from their layers without allocating the 4096-wide classifier: the 64-wide model's
     * count plus what the two hidden layers add at 4096 (Linear 25,088 -> h, h -> h, h -> 1000).
     */
    @Test
    void everyVggVariantHasTorchvisionsParameterCount() {
        long[][] published = {{11, 132_863_336L, 132_868_840L}, {13, 133_047_848L, 133_053_736L},
                {16, 138_357_544L, 138_365_992L}, {19, 143_667_240L, 143_678_248L}};
        for (long[] row : published) {
            for (int bn = 0; bn < 2; bn++) {
                try (VGG narrow = VGG.withHidden((int) row[0], bn == 1, 3, 1000, 64)) {
                    assertEquals(row[1 + bn], narrow.parameterCount() - hiddenParameters(64) + hiddenParameters(4096),
                            narrow.toString());
                }
            }
        }
    }

    private static long hiddenParameters(long h) {
        return (512 * 7 * 7 + 1) * h + (h + 1) * h + h * 1000;
    }

    @Test
    void vgg11BnTrainingStepAndEvaluationMatchTorchvisions() {
        try (VGG model = VGG.withHidden(11, true, 3, 10, 64)) {
            model.to(DType.F64);
            loadPattern(model);
            model.getSubmodule("classifier").eval();
            Tensor x = pattern(100, 2, 3, 64, 64).requiresGrad(true);
            Tensor y = model.forward(x);
            y.mul(pattern(200, 2, 10)).sum().backward();
            assertClose("training-mode output", y,
                    3.532217583021594, -2.144249921043385, -6.470414729298349, -6.657987597840674, -2.5576725409477623,
                    3.2320035892293615, 7.010447772800251, 6.3334995980313185, 1.5846995183239483, -4.2462912303729485,
                    3.5315976471621813, -2.144865126533452, -6.470636270225714, -6.657675415569204,
                    -2.5570239977602958, 3.232578482977673, 7.010585568083227, 6.333113180383794, 1.5840331817882682,
                    -4.246816226449799);
            assertClose("input gradient", spread(x.grad()),
                    -0.019619308516385256, -0.005601752037600006, -0.01906761804725706, -0.005936797201251667,
                    -0.018510536643236125, -0.0062701638706567225, -0.004331976327234125, -0.001243706551151206,
                    -0.004179347061480391, -0.0013350307228159948, -0.004025536180495742, -0.0014259774449383008);
            assertClose("gradient of features.0.weight", spread(grad(model, "features.0.weight")),
                    -0.03761424338325893, -0.5883807852400113, -0.30800862346193764, -0.007643205346472478,
                    0.08804807432534299, 0.0, -0.17025594574548725, 0.0050154534452913, 0.004130281963600987,
                    -0.04347393802493316, 0.0, -0.08768851260942102);
            assertClose("gradient of features.1.weight", spread(grad(model, "features.1.weight")),
                    -0.10121039509211183, -0.09194077120312977, -0.042031401972581435, -0.011444669362758215,
                    0.035287393060493014, 0.0, 0.12265516212178881, 0.0, 0.14081157510645023, 0.12269981710382688,
                    0.08391981387595704, 0.07064275346415533);
            assertClose("gradient of features.12.weight", spread(grad(model, "features.12.weight")),
                    -0.014607530124036235, 0.0, 0.006235895323370618, 0.019255444260227038, 0.0, 0.003444126145876636,
                    -0.1265965781447247, 0.0, -0.023063583759334712, -0.02916180049885153, 0.0, 0.07274585563426911);
            assertClose("gradient of classifier.0.weight", spread(grad(model, "classifier.0.weight")),
                    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.31659914016085483, 0.0, 0.20622204497058405,
                    -0.17053164796408596, 0.0);
            assertClose("gradient of classifier.6.bias", spread(grad(model, "classifier.6.bias")),
                    0.2711745507225938, -0.37002878565576186, -0.8372018022809513, -0.9106257296543951,
                    -0.5557681474518399, 0.06047587861416043, 0.6482771540062522, 0.9311835542592592,
                    0.7761397787997235, 0.2560653378521056);
            assertClose("features.1.running_var after one step", spread(buffer(model, "features.1.running_var")),
                    0.9000938254309735, 0.9000897711232976, 0.9000883727455302, 0.9000899786478644, 0.900094188783617,
                    0.9000999543649454, 0.9001058391266178, 0.9001103771143613, 0.9001124378690518, 0.9001115080356356,
                    0.9001078192451192, 0.9001022904129191);
            model.eval();
            assertClose("evaluation-mode output", model.forward(x),
                    -509.187663318567, -1040.2229076157282, -913.6323577102376, -209.39354432605006, 627.3029985958,
                    1067.489673209674, 832.8391984545087, 71.64267353119605, -734.9142992094972, -1076.9372602229262,
                    -509.18434698946425, -1040.2244187254587, -913.6377409320796, -209.3993963759323,
                    627.3003773960125, 1067.4919399879518, 832.8449201488985, 71.6482328745765, -734.9124168456009,
                    -1076.9402448728933);
        }
    }

    @Test
    void vgg11EvaluationMatchesTorchvisions() {
        try (VGG model = VGG.withHidden(11, false, 3, 10, 64)) {
            model.to(DType.F64);
            loadPattern(model);
            model.eval();
            Tensor x = pattern(100, 2, 3, 64, 64);
            assertClose("evaluation-mode output", model.forward(x),
                    -11792050095.350395, -58048984132.6517, -67607229384.986015, -34424043277.48549,
                    20522094754.781178, 62494121700.08371, 64957234623.36774, 26354248399.63354, -28909948603.738537,
                    -65897215830.40993, -11795652022.104303, -58059349774.1355, -67617805561.0441, -34428143707.56547,
                    20527062371.12413, 62505016825.441475, 64967169336.77573, 26356941954.564053, -28916199078.3279,
                    -65908458771.45321);
        }
    }

    @Test
    void alexnetOutputAndGradientsMatchTorchvisions() {
        try (AlexNet model = AlexNet.withHidden(3, 10, 64)) {
            model.to(DType.F64);
            loadPattern(model);
            model.eval();
            Tensor x = pattern(100, 2, 3, 64, 64).requiresGrad(true);
            Tensor y = model.forward(x);
            y.mul(pattern(200, 2, 10)).sum().backward();
            assertClose("output", y,
                    830.0714609499443, -9753.331335631696, -14170.626869132151, -9629.247157933367, 999.6941850653549,
                    10996.546607077029, 14041.305195559227, 8209.118717389883, -2812.839637192263, -12056.435636763645,
                    743.5565935729957, -9686.595964796215, -13992.831500651573, -9452.794394416205, 1063.2505386674327,
                    10907.026091519054, 13855.302867402906, 8044.225636260044, -2852.3777216480285,
                    -11945.622665126217);
            assertClose("input gradient", spread(x.grad()),
                    -209.95256668907433, -649.6904274276976, 236.46688538267568, 727.0869617927435,
                    -259.40810907394604, -793.496965058448, -322.66560075898553, -34.05956817715821, 374.8369199503264,
                    136.81810669642255, -421.3443258913967, -237.50927712517512);
            assertClose("gradient of features.0.weight", spread(grad(model, "features.0.weight")),
                    859.1017447531304, -1125.6742652929645, -655.9262166528938, 75.5998325858261, 1038.5428881583964,
                    -92.7227243701877, -969.914005616554, 981.2054924097974, 381.7321417570489, 1781.1371369505482,
                    -137.27266559889762, 2325.31205877891);
            assertClose("gradient of features.10.bias", spread(grad(model, "features.10.bias")),
                    0.052055060331340164, 0.12135034414710705, -0.013780908508845578, -0.12569687139727675,
                    -0.025864147134785548, 0.11753926544137738, 0.06293627681940384, -0.09768903241424737,
                    -0.09374760139509325, 0.06812084323390229, 0.11523305755887275, -0.03177609629151992);
            assertClose("gradient of classifier.1.weight", spread(grad(model, "classifier.1.weight")),
                    0.0, -23388.635446300337, 61055.405124235935, -41070.596030015986, 43618.566475624444, 0.0,
                    -17949.320936213247, 0.0, 0.0, 33782.997125423826, 0.0, 0.0);
            assertClose("gradient of classifier.6.weight", spread(grad(model, "classifier.6.weight")),
                    0.0, 0.0, -4865.627372045841, 0.0, -6624.862277964982, 0.0, 0.0, 282.2061303887459,
                    595.6464869912776, 0.0, 8321.847181596242, 0.0);
        }
    }

    @Test
    void anInputWithOtherChannelsIsRefusedNamingTheShapes() {
        try (VGG model = VGG.withHidden(13, true, 1, 10, 64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(Tensor.zeros(DType.F32, 1, 3, 64, 64)));
            assertEquals("VGG13-BN(1 channels -> 10 classes): input [1, 3, 64, 64] must be [batch, 1, height, width]",
                    e.getMessage());
        }
    }
}
