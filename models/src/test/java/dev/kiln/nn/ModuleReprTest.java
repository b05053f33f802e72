package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.PaddingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#toString} against PyTorch 1.13's {@code print(module)} of the same layers
 * ({@code models/src/test/pytorch/module_repr.py}; the constants below are its output): the quickstart tutorial's
 * network with its children nested by name, and each common layer's {@code extra_repr}.
 */
class ModuleReprTest {
    private static final String QUICKSTART =
            "NeuralNetwork(\n"
            + "  (flatten): Flatten(start_dim=1, end_dim=-1)\n"
            + "  (linear_relu_stack): Sequential(\n"
            + "    (0): Linear(in_features=784, out_features=512, bias=True)\n"
            + "    (1): ReLU()\n"
            + "    (2): Linear(in_features=512, out_features=512, bias=True)\n"
            + "    (3): ReLU()\n"
            + "    (4): Linear(in_features=512, out_features=10, bias=True)\n"
            + "  )\n"
            + ")";
    private static final String LINEAR_NO_BIAS =
            "Linear(in_features=3, out_features=2, bias=False)";
    private static final String CONV1D =
            "Conv1d(3, 8, kernel_size=(3,), stride=(1,))";
    private static final String CONV2D =
            "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))";
    private static final String CONV2D_OPTIONS =
            "Conv2d(4, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=4, bias=False)";
    private static final String CONV3D =
            "Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1))";
    private static final String CONV2D_SAME =
            "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), padding_mode=reflect)";
    private static final String CONV1D_VALID =
            "Conv1d(3, 8, kernel_size=(3,), stride=(1,), padding=valid)";
    private static final String CONV3D_NUMBER_AFTER_SAME =
            "Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1))";
    private static final String BATCH_NORM_1D =
            "BatchNorm1d(10, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)";
    private static final String BATCH_NORM_2D =
            "BatchNorm2d(16, eps=0.001, momentum=None, affine=True, track_running_stats=True)";
    private static final String BATCH_NORM_3D =
            "BatchNorm3d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)";
    private static final String LAYER_NORM =
            "LayerNorm((512,), eps=1e-05, elementwise_affine=True)";
    private static final String LAYER_NORM_PLAIN =
            "LayerNorm((8,), eps=1e-06, elementwise_affine=False)";
    private static final String DROPOUT =
            "Dropout(p=0.2, inplace=False)";
    private static final String ACTIVATIONS =
            "Sequential(\n"
            + "  (0): ReLU()\n"
            + "  (1): Sigmoid()\n"
            + "  (2): Tanh()\n"
            + "  (3): GELU(approximate='none')\n"
            + "  (4): SiLU()\n"
            + "  (5): Softmax(dim=1)\n"
            + "  (6): LeakyReLU(negative_slope=0.1)\n"
            + "  (7): ELU(alpha=1.0)\n"
            + "  (8): Identity()\n"
            + ")";
    private static final String FLATTEN =
            "Flatten(start_dim=1, end_dim=-1)";
    private static final String MAX_POOL_2D =
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)";
    private static final String MAX_POOL_2D_OPTIONS =
            "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)";
    private static final String AVG_POOL_2D =
            "AvgPool2d(kernel_size=2, stride=2, padding=0)";
    private static final String MAX_POOL_1D =
            "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)";
    private static final String AVG_POOL_1D =
            "AvgPool1d(kernel_size=(3,), stride=(1,), padding=(1,))";
    private static final String EMBEDDING =
            "Embedding(10, 3)";
    private static final String EMBEDDING_PADDING =
            "Embedding(10, 3, padding_idx=0)";
    private static final String LSTM_PLAIN =
            "LSTM(10, 20)";
    private static final String LSTM_OPTIONS =
            "LSTM(10, 20, num_layers=2, batch_first=True)";
    private static final String GRU_PLAIN =
            "GRU(10, 20)";
    private static final String RNN_PLAIN =
            "RNN(10, 20)";
    private static final String NESTED =
            "Sequential(\n"
            + "  (0): Sequential(\n"
            + "    (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))\n"
            + "    (1): ReLU()\n"
            + "  )\n"
            + "  (1): Sequential()\n"
            + ")";
    private static final String MODULE_LIST =
            "ModuleList(\n"
            + "  (0): Linear(in_features=1, out_features=1, bias=True)\n"
            + "  (1): ReLU()\n"
            + ")";
    private static final String MODULE_DICT =
            "ModuleDict(\n"
            + "  (act): ReLU()\n"
            + "  (out): Linear(in_features=2, out_features=1, bias=True)\n"
            + ")";

    /** The quickstart tutorial's network, as a user writes it. */
    static final class NeuralNetwork extends Module {
        NeuralNetwork() {
            registerModule("flatten", new Flatten());
            registerModule("linear_relu_stack", new Sequential(new Linear(28 * 28, 512), new ReLU(),
                    new Linear(512, 512), new ReLU(), new Linear(512, 10)));
        }

        @Override
        public dev.kiln.engine.Tensor forward(dev.kiln.engine.Tensor x) {
            return module("linear_relu_stack").call(module("flatten").call(x));
        }
    }

    @Test
    void aUserModelPrintsItsChildrenByNameIndentedByLevel() {
        try (NeuralNetwork model = new NeuralNetwork()) {
            assertEquals(QUICKSTART, model.toString());
        }
    }

    @Test
    void aModelWithChildrenDescribesItselfByItsClassName() {
        try (NeuralNetwork model = new NeuralNetwork()) {
            assertEquals("NeuralNetwork", model.describe());
        }
    }

    @Test
    void aLayerDescribesItselfByItsRepr() {
        assertEquals(LINEAR_NO_BIAS, new Linear(3, 2, false).describe());
    }

    @Test
    void linearPrintsItsFeaturesAndBias() {
        assertEquals(LINEAR_NO_BIAS, new Linear(3, 2, false).toString());
    }

    @Test
    void convolutionsPrintTupleSizesAndOnlyOptionsOffTheirDefaults() {
        assertEquals(CONV1D, new Conv1d(3, 8, 3).toString());
        assertEquals(CONV2D, new Conv2d(1, 6, 5).toString());
        int[] three = {3, 3};
        assertEquals(CONV2D_OPTIONS, new Conv2d(4, 8, three, new int[] {2, 2}, new int[] {1, 1}, new int[] {2, 2}, 4,
                false).toString());
        assertEquals(CONV3D, new Conv3d(2, 4, 3).toString());
    }

    /** PyTorch prints the word a convolution's padding was given as, not the padding it works out. */
    @Test
    void convolutionsPaddedByAWordPrintTheWord() {
        assertEquals(CONV2D_SAME, Conv2d.builder(2, 4, 3).padding("same").dilation(2)
                .paddingMode(PaddingMode.REFLECT).build().toString());
        assertEquals(CONV1D_VALID, Conv1d.builder(3, 8, 3).padding("valid").build().toString());
        assertEquals(CONV3D_NUMBER_AFTER_SAME, Conv3d.builder(2, 4, 3).padding("same").padding(1).build().toString());
    }

    @Test
    void batchNormsPrintEpsMomentumAndTheirAffineAndTracking() {
        assertEquals(BATCH_NORM_1D, new BatchNorm1d(10).toString());
        assertEquals(BATCH_NORM_2D, new BatchNorm2d(16, 1e-3, null).toString());
        assertEquals(BATCH_NORM_3D, new BatchNorm3d(4).toString());
    }

    @Test
    void layerNormPrintsItsShapeAsATuple() {
        assertEquals(LAYER_NORM, new LayerNorm(512).toString());
        assertEquals(LAYER_NORM_PLAIN, new LayerNorm(8, 1e-6, false).toString());
    }

    @Test
    void dropoutPrintsPAndInplace() {
        assertEquals(DROPOUT, new Dropout(0.2).toString());
    }

    @Test
    void activationsPrintTheirSettingsOrEmptyParentheses() {
        Sequential activations = new Sequential(new ReLU(), new Sigmoid(), new Tanh(), new GELU(), new SiLU(),
                new Softmax(1), new LeakyReLU(0.1), new ELU(), new Identity());
        assertEquals(ACTIVATIONS, activations.toString());
    }

    @Test
    void flattenPrintsItsDims() {
        assertEquals(FLATTEN, new Flatten().toString());
    }

    @Test
    void poolingsPrintTheirWindows() {
        assertEquals(MAX_POOL_2D, new MaxPool2d(2).toString());
        assertEquals(MAX_POOL_2D_OPTIONS, new MaxPool2d(3, 2, 1).toString());
        assertEquals(AVG_POOL_2D, new AvgPool2d(2).toString());
        assertEquals(MAX_POOL_1D, new MaxPool1d(2).toString());
        assertEquals(AVG_POOL_1D, new AvgPool1d(3, 1, 1).toString());
    }

    @Test
    void embeddingPrintsItsSizesAndPaddingIndex() {
        assertEquals(EMBEDDING, new Embedding(10, 3).toString());
        assertEquals(EMBEDDING_PADDING, new Embedding(10, 3, 0).toString());
    }

    @Test
    void recurrentLayersPrintTheirSizesAndOptionsOffTheirDefaults() {
        assertEquals(LSTM_PLAIN, new LSTM(10, 20).toString());
        assertEquals(LSTM_OPTIONS, LSTM.builder(10, 20).layers(2).batchFirst(true).build().toString());
        assertEquals(GRU_PLAIN, new GRU(10, 20).toString());
        assertEquals(RNN_PLAIN, new RNN(10, 20).toString());
    }

    @Test
    void nestedAndEmptyContainersPrintAsPyTorchs() {
        assertEquals(NESTED, new Sequential(new Sequential(new Conv2d(1, 6, 5), new ReLU()), new Sequential())
                .toString());
    }

    @Test
    void moduleListsAndDictsPrintTheirModulesAsPyTorchs() {
        assertEquals(MODULE_LIST, new ModuleList(new Linear(1, 1), new ReLU()).toString());
        Map<String, Module> modules = new LinkedHashMap<>();
        modules.put("act", new ReLU());
        modules.put("out", new Linear(2, 1));
        assertEquals(MODULE_DICT, new ModuleDict(modules).toString());
    }
}
