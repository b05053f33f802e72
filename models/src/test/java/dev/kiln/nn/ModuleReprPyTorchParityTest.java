package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#toString} of each layer family against PyTorch 1.13's {@code print(module)} of the equivalent module
 * ({@code models/src/test/pytorch/module_repr.py}; the constants below are its output): composite layers print their
 * children under PyTorch's names, leaf layers their {@code extra_repr} with PyTorch's fields and defaults. Kiln's own
 * composites (Bidirectional, the seq2seq attentions) are compared with the script's restatement of them as torch
 * modules. {@link ModuleReprTest} covers the common layers and containers.
 */
class ModuleReprPyTorchParityTest {
    private static final String MULTIHEAD_ATTENTION =
            "MultiheadAttention(\n"
            + "  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + ")";
    private static final String MULTIHEAD_ATTENTION_OPTIONS =
            "MultiheadAttention(\n"
            + "  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=False)\n"
            + ")";
    private static final String TRANSFORMER_ENCODER_LAYER =
            "TransformerEncoderLayer(\n"
            + "  (self_attn): MultiheadAttention(\n"
            + "    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "  )\n"
            + "  (linear1): Linear(in_features=8, out_features=16, bias=True)\n"
            + "  (dropout): Dropout(p=0.1, inplace=False)\n"
            + "  (linear2): Linear(in_features=16, out_features=8, bias=True)\n"
            + "  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  (dropout1): Dropout(p=0.1, inplace=False)\n"
            + "  (dropout2): Dropout(p=0.1, inplace=False)\n"
            + ")";
    private static final String TRANSFORMER_DECODER_LAYER =
            "TransformerDecoderLayer(\n"
            + "  (self_attn): MultiheadAttention(\n"
            + "    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "  )\n"
            + "  (multihead_attn): MultiheadAttention(\n"
            + "    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "  )\n"
            + "  (linear1): Linear(in_features=8, out_features=16, bias=True)\n"
            + "  (dropout): Dropout(p=0.2, inplace=False)\n"
            + "  (linear2): Linear(in_features=16, out_features=8, bias=True)\n"
            + "  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  (norm3): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  (dropout1): Dropout(p=0.2, inplace=False)\n"
            + "  (dropout2): Dropout(p=0.2, inplace=False)\n"
            + "  (dropout3): Dropout(p=0.2, inplace=False)\n"
            + ")";
    private static final String TRANSFORMER_ENCODER =
            "TransformerEncoder(\n"
            + "  (layers): ModuleList(\n"
            + "    (0): TransformerEncoderLayer(\n"
            + "      (self_attn): MultiheadAttention(\n"
            + "        (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "      )\n"
            + "      (linear1): Linear(in_features=8, out_features=16, bias=True)\n"
            + "      (dropout): Dropout(p=0.1, inplace=False)\n"
            + "      (linear2): Linear(in_features=16, out_features=8, bias=True)\n"
            + "      (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "      (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "      (dropout1): Dropout(p=0.1, inplace=False)\n"
            + "      (dropout2): Dropout(p=0.1, inplace=False)\n"
            + "    )\n"
            + "    (1): TransformerEncoderLayer(\n"
            + "      (self_attn): MultiheadAttention(\n"
            + "        (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "      )\n"
            + "      (linear1): Linear(in_features=8, out_features=16, bias=True)\n"
            + "      (dropout): Dropout(p=0.1, inplace=False)\n"
            + "      (linear2): Linear(in_features=16, out_features=8, bias=True)\n"
            + "      (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "      (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "      (dropout1): Dropout(p=0.1, inplace=False)\n"
            + "      (dropout2): Dropout(p=0.1, inplace=False)\n"
            + "    )\n"
            + "  )\n"
            + "  (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + ")";
    private static final String TRANSFORMER =
            "Transformer(\n"
            + "  (encoder): TransformerEncoder(\n"
            + "    (layers): ModuleList(\n"
            + "      (0): TransformerEncoderLayer(\n"
            + "        (self_attn): MultiheadAttention(\n"
            + "          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "        )\n"
            + "        (linear1): Linear(in_features=8, out_features=16, bias=True)\n"
            + "        (dropout): Dropout(p=0.1, inplace=False)\n"
            + "        (linear2): Linear(in_features=16, out_features=8, bias=True)\n"
            + "        (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "        (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "        (dropout1): Dropout(p=0.1, inplace=False)\n"
            + "        (dropout2): Dropout(p=0.1, inplace=False)\n"
            + "      )\n"
            + "    )\n"
            + "    (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  )\n"
            + "  (decoder): TransformerDecoder(\n"
            + "    (layers): ModuleList(\n"
            + "      (0): TransformerDecoderLayer(\n"
            + "        (self_attn): MultiheadAttention(\n"
            + "          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "        )\n"
            + "        (multihead_attn): MultiheadAttention(\n"
            + "          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "        )\n"
            + "        (linear1): Linear(in_features=8, out_features=16, bias=True)\n"
            + "        (dropout): Dropout(p=0.1, inplace=False)\n"
            + "        (linear2): Linear(in_features=16, out_features=8, bias=True)\n"
            + "        (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "        (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "        (norm3): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "        (dropout1): Dropout(p=0.1, inplace=False)\n"
            + "        (dropout2): Dropout(p=0.1, inplace=False)\n"
            + "        (dropout3): Dropout(p=0.1, inplace=False)\n"
            + "      )\n"
            + "    )\n"
            + "    (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  )\n"
            + ")";
    private static final String LSTM_BIDIRECTIONAL =
            "LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)";
    private static final String RNN_RELU_NO_BIAS =
            "RNN(10, 20, bias=False)";
    private static final String CELLS =
            "Sequential(\n"
            + "  (0): LSTMCell(3, 4)\n"
            + "  (1): GRUCell(3, 4)\n"
            + "  (2): RNNCell(3, 4, bias=False, nonlinearity=relu)\n"
            + ")";
    private static final String ACTIVATIONS_WITH_SETTINGS =
            "Sequential(\n"
            + "  (0): Hardtanh(min_val=-1.0, max_val=1.0)\n"
            + "  (1): ReLU6()\n"
            + "  (2): CELU(alpha=1.0)\n"
            + "  (3): PReLU(num_parameters=3)\n"
            + "  (4): Softplus(beta=1, threshold=20)\n"
            + "  (5): RReLU(lower=0.125, upper=0.3333333333333333)\n"
            + "  (6): Hardshrink(0.5)\n"
            + "  (7): Softshrink(0.3)\n"
            + "  (8): Threshold(threshold=0.1, value=20)\n"
            + "  (9): GLU(dim=-1)\n"
            + "  (10): LogSoftmax(dim=1)\n"
            + "  (11): Softmin(dim=0)\n"
            + "  (12): Tanhshrink()\n"
            + "  (13): LogSigmoid()\n"
            + "  (14): Hardsigmoid()\n"
            + "  (15): Hardswish()\n"
            + "  (16): Mish()\n"
            + "  (17): SELU()\n"
            + "  (18): Softsign()\n"
            + "  (19): Softmax2d()\n"
            + ")";
    private static final String POOLINGS =
            "Sequential(\n"
            + "  (0): AdaptiveAvgPool2d(output_size=(2, 3))\n"
            + "  (1): AdaptiveMaxPool2d(output_size=1)\n"
            + "  (2): AdaptiveMaxPool1d(output_size=4)\n"
            + "  (3): AdaptiveAvgPool3d(output_size=2)\n"
            + "  (4): LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)\n"
            + "  (5): LPPool2d(norm_type=1.5, kernel_size=2, stride=1, ceil_mode=True)\n"
            + "  (6): MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))\n"
            + "  (7): MaxUnpool2d(kernel_size=(2, 2), stride=(1, 1), padding=(1, 1))\n"
            + "  (8): MaxUnpool3d(kernel_size=(3, 3, 3), stride=(3, 3, 3), padding=(0, 0, 0))\n"
            + "  (9): FractionalMaxPool2d()\n"
            + "  (10): MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
            + "  (11): AvgPool3d(kernel_size=2, stride=2, padding=0)\n"
            + ")";
    private static final String PADDINGS =
            "Sequential(\n"
            + "  (0): ConstantPad1d(padding=(2, 2), value=3.5)\n"
            + "  (1): ConstantPad2d(padding=(1, 2, 3, 4), value=0.0)\n"
            + "  (2): ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=1.0)\n"
            + "  (3): ZeroPad2d((2, 2, 2, 2))\n"
            + "  (4): ReflectionPad1d((2, 2))\n"
            + "  (5): ReflectionPad2d((1, 1, 2, 0))\n"
            + "  (6): ReplicationPad3d((1, 1, 1, 1, 1, 1))\n"
            + ")";
    private static final String NORMS =
            "Sequential(\n"
            + "  (0): GroupNorm(2, 4, eps=1e-05, affine=True)\n"
            + "  (1): GroupNorm(2, 4, eps=0.001, affine=False)\n"
            + "  (2): InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)\n"
            + "  (3): InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
            + "  (4): LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)\n"
            + ")";
    private static final String DROPOUTS =
            "Sequential(\n"
            + "  (0): Dropout2d(p=0.3, inplace=False)\n"
            + "  (1): Dropout3d(p=0.5, inplace=False)\n"
            + "  (2): AlphaDropout(p=0.2, inplace=False)\n"
            + "  (3): FeatureAlphaDropout(p=0.5, inplace=False)\n"
            + ")";
    private static final String RESHAPING =
            "Sequential(\n"
            + "  (0): PixelShuffle(upscale_factor=2)\n"
            + "  (1): PixelUnshuffle(downscale_factor=2)\n"
            + "  (2): ChannelShuffle(groups=2)\n"
            + "  (3): Unflatten(dim=1, unflattened_size=(2, 5))\n"
            + "  (4): Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1)\n"
            + "  (5): Unfold(kernel_size=2, dilation=1, padding=1, stride=2)\n"
            + "  (6): Upsample(scale_factor=2.0, mode=nearest)\n"
            + "  (7): Upsample(size=(4, 5), mode=bilinear)\n"
            + "  (8): Upsample(scale_factor=(2.0, 3.0), mode=nearest)\n"
            + ")";
    private static final String TWO_INPUTS =
            "Sequential(\n"
            + "  (0): Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)\n"
            + "  (1): Bilinear(in1_features=2, in2_features=3, out_features=4, bias=False)\n"
            + "  (2): CosineSimilarity()\n"
            + "  (3): PairwiseDistance()\n"
            + ")";
    private static final String EMBEDDING_BAGS =
            "Sequential(\n"
            + "  (0): EmbeddingBag(10, 3, mode=mean)\n"
            + "  (1): EmbeddingBag(10, 3, mode=sum, padding_idx=0)\n"
            + ")";
    private static final String CONV_TRANSPOSE =
            "ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))";
    private static final String LAZY_LINEAR =
            "LazyLinear(in_features=0, out_features=4, bias=True)\n"
            + "Linear(in_features=3, out_features=4, bias=True)";
    private static final String LAZY_CONV =
            "LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1, 1))\n"
            + "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1))";
    private static final String LOSSES =
            "Sequential(\n"
            + "  (0): CrossEntropyLoss()\n"
            + "  (1): MSELoss()\n"
            + "  (2): TripletMarginLoss()\n"
            + ")";
    private static final String ADAPTIVE_LOG_SOFTMAX =
            "AdaptiveLogSoftmaxWithLoss(\n"
            + "  (head): Linear(in_features=8, out_features=6, bias=False)\n"
            + "  (tail): ModuleList(\n"
            + "    (0): Sequential(\n"
            + "      (0): Linear(in_features=8, out_features=4, bias=False)\n"
            + "      (1): Linear(in_features=4, out_features=4, bias=False)\n"
            + "    )\n"
            + "    (1): Sequential(\n"
            + "      (0): Linear(in_features=8, out_features=2, bias=False)\n"
            + "      (1): Linear(in_features=2, out_features=2, bias=False)\n"
            + "    )\n"
            + "  )\n"
            + ")";
    private static final String PARAMETER_LIST =
            "ParameterList(\n"
            + "    (0): Parameter containing: [torch.float32 of size 2x3]\n"
            + "    (1): Parameter containing: [torch.float64 of size 4]\n"
            + ")";
    private static final String PARAMETER_DICT =
            "ParameterDict(\n"
            + "    (scale): Parameter containing: [torch.FloatTensor of size 2x3]\n"
            + "    (shift): Parameter containing: [torch.FloatTensor of size 3]\n"
            + ")";
    private static final String ORTHOGONAL =
            "ParametrizedLinear(\n"
            + "  in_features=3, out_features=3, bias=True\n"
            + "  (parametrizations): ModuleDict(\n"
            + "    (weight): ParametrizationList(\n"
            + "      (0): _Orthogonal()\n"
            + "    )\n"
            + "  )\n"
            + ")";
    private static final String SPECTRAL_NORM =
            "ParametrizedLinear(\n"
            + "  in_features=3, out_features=2, bias=True\n"
            + "  (parametrizations): ModuleDict(\n"
            + "    (weight): ParametrizationList(\n"
            + "      (0): _SpectralNorm()\n"
            + "    )\n"
            + "  )\n"
            + ")";
    private static final String DYNAMIC_QUANTIZED =
            "Sequential(\n"
            + "  (0): DynamicQuantizedLinear(in_features=4, out_features=3, dtype=torch.qint8, qscheme=torch.per_channel_affine)\n"
            + "  (1): DynamicQuantizedLSTM(3, 4)\n"
            + "  (2): DynamicQuantizedGRU(3, 4, num_layers=2, batch_first=True)\n"
            + "  (3): DynamicQuantizedLSTMCell(3, 4)\n"
            + "  (4): DynamicQuantizedGRUCell(3, 4)\n"
            + "  (5): DynamicQuantizedRNNCell(3, 4, nonlinearity=relu)\n"
            + ")";
    private static final String DYNAMIC_QUANTIZED_ENCODER_LAYER =
            "TransformerEncoderLayer(\n"
            + "  (self_attn): MultiheadAttention(\n"
            + "    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n"
            + "  )\n"
            + "  (linear1): DynamicQuantizedLinear(in_features=8, out_features=16, dtype=torch.qint8, qscheme=torch.per_channel_affine)\n"
            + "  (dropout): Dropout(p=0.1, inplace=False)\n"
            + "  (linear2): DynamicQuantizedLinear(in_features=16, out_features=8, dtype=torch.qint8, qscheme=torch.per_channel_affine)\n"
            + "  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
            + "  (dropout1): Dropout(p=0.1, inplace=False)\n"
            + "  (dropout2): Dropout(p=0.1, inplace=False)\n"
            + ")";
    private static final String QUANTIZED_LINEAR_RELU =
            "QuantizedLinearReLU(in_features=16, out_features=8, scale=0.0625, zero_point=3, qscheme=torch.per_channel_affine)";
    private static final String QUANTIZED_CONV =
            "QuantizedConv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), scale=0.125, zero_point=7, padding=(1, 1))";
    private static final String QAT_LINEAR_RELU =
            "LinearReLU(\n"
            + "  in_features=3, out_features=2, bias=True\n"
            + "  (weight_fake_quant): FakeQuantize(\n"
            + "    fake_quant_enabled=tensor([1], dtype=torch.uint8), observer_enabled=tensor([1], dtype=torch.uint8), quant_min=-128, quant_max=127, dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0, scale=tensor([1.]), zero_point=tensor([0], dtype=torch.int32)\n"
            + "    (activation_post_process): MovingAveragePerChannelMinMaxObserver(min_val=tensor([]), max_val=tensor([]))\n"
            + "  )\n"
            + "  (activation_post_process): FakeQuantize(\n"
            + "    fake_quant_enabled=tensor([1], dtype=torch.uint8), observer_enabled=tensor([1], dtype=torch.uint8), quant_min=0, quant_max=255, dtype=torch.quint8, qscheme=torch.per_tensor_affine, ch_axis=-1, scale=tensor([1.]), zero_point=tensor([0], dtype=torch.int32)\n"
            + "    (activation_post_process): MovingAverageMinMaxObserver(min_val=inf, max_val=-inf)\n"
            + "  )\n"
            + ")";
    private static final String OBSERVERS =
            "Sequential(\n"
            + "  (0): MinMaxObserver(min_val=inf, max_val=-inf)\n"
            + "  (1): PerChannelMinMaxObserver(min_val=tensor([]), max_val=tensor([]))\n"
            + "  (2): MovingAverageMinMaxObserver(min_val=inf, max_val=-inf)\n"
            + "  (3): MovingAveragePerChannelMinMaxObserver(min_val=tensor([]), max_val=tensor([]))\n"
            + ")";
    private static final String OBSERVED =
            "Sequential(\n"
            + "  (0): MinMaxObserver(min_val=-1.2000000476837158, max_val=0.30000001192092896)\n"
            + "  (1): PerChannelMinMaxObserver(min_val=tensor([-1.2000,  1.0000]), max_val=tensor([0.3000, 2.0000]))\n"
            + ")";
    private static final String BIDIRECTIONAL =
            "Bidirectional(\n"
            + "  merge=concat\n"
            + "  (forward): GRU(4, 5)\n"
            + "  (backward): GRU(4, 5)\n"
            + ")";
    private static final String SEQ2SEQ_ATTENTIONS =
            "Sequential(\n"
            + "  (0): AdditiveAttention(\n"
            + "    (query): Linear(in_features=6, out_features=6, bias=False)\n"
            + "    (key): Linear(in_features=6, out_features=6, bias=True)\n"
            + "    (v): Linear(in_features=6, out_features=1, bias=False)\n"
            + "  )\n"
            + "  (1): DotProductAttention(scaled=True)\n"
            + ")";


    @Test
    void multiheadAttentionPrintsItsOutputProjectionAsPyTorchsNonDynamicallyQuantizableLinear() {
        assertEquals(MULTIHEAD_ATTENTION, new MultiHeadAttention(8, 2, 0).toString());
    }

    @Test
    void multiheadAttentionOptionsShowOnlyInTheOutputProjectionsBias() {
        MultiHeadAttention attention = MultiHeadAttention.builder(8, 2).dropout(0.1).bias(false).kdim(4).vdim(6)
                .batchFirst(true).build();
        assertEquals(MULTIHEAD_ATTENTION_OPTIONS, attention.toString());
    }

    @Test
    void transformerEncoderLayerPrintsItsChildrenInPyTorchsOrder() {
        assertEquals(TRANSFORMER_ENCODER_LAYER, new TransformerEncoderLayer(8, 2, 16, 0.1).toString());
    }

    @Test
    void transformerDecoderLayerPrintsBothAttentionsAndThreeNorms() {
        assertEquals(TRANSFORMER_DECODER_LAYER, new TransformerDecoderLayer(8, 2, 16, 0.2).toString());
    }

    @Test
    void transformerEncoderPrintsItsLayersAsAModuleListThenItsFinalNorm() {
        assertEquals(TRANSFORMER_ENCODER, new TransformerEncoder(2, 8, 2, 16, 0.1).toString());
    }

    @Test
    void transformerPrintsItsEncoderAndDecoderStacksWithTheirNorms() {
        Transformer transformer = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(16).build();
        assertEquals(TRANSFORMER, transformer.toString());
    }

    @Test
    void lstmPrintsItsOptionsOffTheirDefaultsInPyTorchsOrder() {
        LSTM lstm = LSTM.builder(10, 20).layers(2).batchFirst(true).dropout(0.5).bidirectional(true).build();
        assertEquals(LSTM_BIDIRECTIONAL, lstm.toString());
    }

    @Test
    void rnnPrintsItsBiasButNotItsNonlinearityAsPyTorchsDoes() {
        assertEquals(RNN_RELU_NO_BIAS, RNN.builder(10, 20).nonlinearity("relu").bias(false).build().toString());
    }

    @Test
    void recurrentCellsPrintTheirSizesThenBiasAndNonlinearityOffTheirDefaults() {
        Sequential cells = new Sequential(new LSTMCell(3, 4), new GRUCell(3, 4), new RNNCell(3, 4, false, "relu"));
        assertEquals(CELLS, cells.toString());
    }

    @Test
    void activationsPrintTheirSettingsAsPyTorchsDefaultsAreWritten() {
        Sequential activations = new Sequential(new Hardtanh(), new ReLU6(), new CELU(), new PReLU(3), new Softplus(),
                new RReLU(), new Hardshrink(), new Softshrink(0.3), new Threshold(0.1, 20), new GLU(), new LogSoftmax(1),
                new Softmin(0), new Tanhshrink(), new LogSigmoid(), new Hardsigmoid(), new Hardswish(), new Mish(),
                new SELU(), new Softsign(), new Softmax2d());
        assertEquals(ACTIVATIONS_WITH_SETTINGS, activations.toString());
    }

    @Test
    void poolingsPrintTheirWindowsAsPyTorchsDo() {
        Sequential poolings = new Sequential(new AdaptiveAvgPool2d(2, 3), new AdaptiveMaxPool2d(1),
                new AdaptiveMaxPool1d(4), new AdaptiveAvgPool3d(2), new LPPool1d(2, 3), new LPPool2d(1.5, 2, 1, true),
                new MaxUnpool1d(2), new MaxUnpool2d(2, 1, 1), new MaxUnpool3d(3), FractionalMaxPool2d.withOutputSize(2, 3),
                new MaxPool3d(2), new AvgPool3d(2));
        assertEquals(POOLINGS, poolings.toString());
    }

    @Test
    void paddingsPrintTheirAmountsAndValue() {
        Sequential paddings = new Sequential(new ConstantPad1d(2, 3.5), new ConstantPad2d(new int[] {1, 2, 3, 4}, 0),
                new ConstantPad3d(1, 1), new ZeroPad2d(2), new ReflectionPad1d(2),
                new ReflectionPad2d(new int[] {1, 1, 2, 0}), new ReplicationPad3d(1));
        assertEquals(PADDINGS, paddings.toString());
    }

    @Test
    void normsPrintTheirEpsAffineAndTracking() {
        Sequential norms = new Sequential(new GroupNorm(2, 4), new GroupNorm(2, 4, 1e-3, false), new InstanceNorm1d(3),
                new InstanceNorm2d(3, 1e-5, 0.1, true, true), new LocalResponseNorm(2));
        assertEquals(NORMS, norms.toString());
    }

    @Test
    void dropoutsPrintPAndInplace() {
        Sequential dropouts = new Sequential(new Dropout2d(0.3), new Dropout3d(), new AlphaDropout(0.2),
                new FeatureAlphaDropout());
        assertEquals(DROPOUTS, dropouts.toString());
    }

    @Test
    void reshapingLayersPrintTheirFactorsAndSizes() {
        Sequential layers = new Sequential(new PixelShuffle(2), new PixelUnshuffle(2), new ChannelShuffle(2),
                new Unflatten(1, 2, 5), new Fold(new int[] {4, 5}, new int[] {2}, new int[] {1}, new int[] {0},
                        new int[] {1}), new Unfold(2, 1, 1, 2), new Upsample(2),
                Upsample.toSize(4, 5, "bilinear", true), Upsample.byFactors(new double[] {2, 3}, "nearest", false, false));
        assertEquals(RESHAPING, layers.toString());
    }

    @Test
    void twoInputLayersPrintTheirFeaturesOrNothingAsPyTorchsDo() {
        Sequential layers = new Sequential(new Bilinear(2, 3, 4), new Bilinear(2, 3, 4, false), new CosineSimilarity(),
                new PairwiseDistance());
        assertEquals(TWO_INPUTS, layers.toString());
    }

    @Test
    void embeddingBagsPrintTheirModeAndPaddingIndexButNotTheirOffsetsLayout() {
        Sequential bags = new Sequential(new EmbeddingBag(10, 3), EmbeddingBag.builder(10, 3)
                .mode(EmbeddingBag.Mode.SUM).paddingIdx(0).includeLastOffset(true).build());
        assertEquals(EMBEDDING_BAGS, bags.toString());
    }

    @Test
    void transposedConvolutionPrintsItsOutputPadding() {
        ConvTranspose2d conv = ConvTranspose2d.builder(3, 4, 3).stride(2).padding(1).outputPadding(1).build();
        assertEquals(CONV_TRANSPOSE, conv.toString());
    }

    @Test
    void lazyLinearPrintsAsALinearOnceItsInputFixedItsSize() {
        try (LazyLinear layer = new LazyLinear(4)) {
            String before = layer.toString();
            layer.forward(Tensor.zeros(DType.F32, 2, 3)).close();
            assertEquals(LAZY_LINEAR, before + "\n" + layer);
        }
    }

    @Test
    void lazyConvolutionPrintsAsAConv2dOnceItsInputFixedItsChannels() {
        try (LazyConv2d layer = new LazyConv2d(4, 3)) {
            String before = layer.toString();
            layer.forward(Tensor.zeros(DType.F32, 1, 2, 5, 5)).close();
            assertEquals(LAZY_CONV, before + "\n" + layer);
        }
    }

    @Test
    void lossesPrintTheirClassNames() {
        Sequential losses = new Sequential(new LossModule(new CrossEntropyLoss()), new LossModule(new MSELoss()),
                new TripletMarginLoss());
        assertEquals(LOSSES, losses.toString());
    }

    @Test
    void adaptiveLogSoftmaxPrintsItsHeadAndTailClusters() {
        assertEquals(ADAPTIVE_LOG_SOFTMAX, new AdaptiveLogSoftmaxWithLoss(8, 10, new int[] {4, 8}, 2.0, false)
                .toString());
    }

    @Test
    void parameterListPrintsEachParametersDtypeAndSize() {
        try (ParameterList list = new ParameterList(Tensor.zeros(DType.F32, 2, 3), Tensor.zeros(DType.F64, 4))) {
            assertEquals(PARAMETER_LIST, list.toString());
        }
    }

    @Test
    void parameterDictPrintsEachParametersLegacyTypeNameAndSize() {
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        parameters.put("scale", Tensor.zeros(DType.F32, 2, 3));
        parameters.put("shift", Tensor.zeros(DType.F32, 3));
        try (ParameterDict dict = new ParameterDict(parameters)) {
            assertEquals(PARAMETER_DICT, dict.toString());
        }
    }

    @Test
    void anOrthogonalLinearPrintsAsPyTorchsParametrizedLinear() {
        try (Linear linear = Orthogonal.apply(new Linear(3, 3))) {
            assertEquals(ORTHOGONAL, linear.toString());
        }
    }

    @Test
    void aSpectrallyNormalisedLinearPrintsAsPyTorchsParametrizedLinear() {
        try (Linear linear = SpectralNorm.apply(new Linear(3, 2))) {
            assertEquals(SPECTRAL_NORM, linear.toString());
        }
    }

    @Test
    void dynamicallyQuantizedLayersPrintPyTorchsNamesAndSettings() {
        Sequential model = new Sequential(new Linear(4, 3), new LSTM(3, 4),
                GRU.builder(3, 4).layers(2).batchFirst(true).build(), new LSTMCell(3, 4), new GRUCell(3, 4),
                new RNNCell(3, 4, true, "relu"));
        try (model; Module quantized = Quantization.quantizeDynamic(model)) {
            assertEquals(DYNAMIC_QUANTIZED, quantized.toString());
        }
    }

    @Test
    void aDynamicallyQuantizedEncoderLayerKeepsItsAttentionsOutputProjectionInFloat() {
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.1);
             Module quantized = Quantization.quantizeDynamic(layer)) {
            assertEquals(DYNAMIC_QUANTIZED_ENCODER_LAYER, quantized.toString());
        }
    }

    @Test
    void quantizedLinearPrintsItsOutputGridAndPerChannelScheme() {
        try (Linear linear = new Linear(16, 8);
             QuantizedLinear quantized = QuantizedLinear.from("fc", linear, new Uint8Grid(0.5f, 128),
                     new Uint8Grid(0.0625f, 3), true)) {
            assertEquals(QUANTIZED_LINEAR_RELU, quantized.toString());
        }
    }

    @Test
    void quantizedConvolutionPrintsItsOutputGridBeforeItsPadding() {
        try (Conv2d conv = Conv2d.builder(2, 4, 3).padding(1).build();
             QuantizedConv2d quantized = QuantizedConv2d.from("conv", conv, new Uint8Grid(0.5f, 128),
                     new Uint8Grid(0.125f, 7), false)) {
            assertEquals(QUANTIZED_CONV, quantized.toString());
        }
    }

    @Test
    void aQatLinearReluPrintsItsWeightAndOutputFakeQuantizations() {
        Sequential model = new Sequential(new Linear(4, 3), new Linear(3, 2), new ReLU());
        try (model; Module prepared = QuantizationAwareTraining.prepareQat(model)) {
            assertEquals(QAT_LINEAR_RELU, prepared.namedChildren().get("1").toString());
        }
    }

    @Test
    void freshObserversPrintTheirEmptyRanges() {
        Sequential observers = new Sequential(new MinMaxObserver(), new PerChannelMinMaxObserver(),
                new MovingAverageMinMaxObserver(), new MovingAveragePerChannelMinMaxObserver(2));
        try (observers) {
            assertEquals(OBSERVERS, observers.toString());
        }
    }

    @Test
    void observersPrintTheRangesTheySaw() {
        MinMaxObserver perTensor = new MinMaxObserver();
        PerChannelMinMaxObserver perChannel = new PerChannelMinMaxObserver();
        try (Tensor values = Tensor.fromArray(new float[] {0.3f, -1.2f}, 2);
             Tensor rows = Tensor.fromArray(new float[] {0.3f, -1.2f, 1, 2}, 2, 2)) {
            perTensor.forward(values);
            perChannel.forward(rows);
            assertEquals(OBSERVED, new Sequential(perTensor, perChannel).toString());
        }
    }

    @Test
    void bidirectionalPrintsItsMergeThenBothLayers() {
        Bidirectional layer = new Bidirectional(new GRU(4, 5), new GRU(4, 5), Bidirectional.Merge.CONCAT);
        try (layer) {
            assertEquals(BIDIRECTIONAL, layer.toString());
        }
    }

    @Test
    void seq2seqAttentionsPrintTheirProjectionsOrSettings() {
        Sequential attentions = new Sequential(new AdditiveAttention(6, 6, 6), new DotProductAttention(true));
        try (attentions) {
            assertEquals(SEQ2SEQ_ATTENTIONS, attentions.toString());
        }
    }
}
