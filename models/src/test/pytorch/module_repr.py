# Prints PyTorch 1.13's print(module) for the modules of ModuleReprTest and ModuleReprPyTorchParityTest (models
# module), one block per case, each after a line "== NAME". Run with /usr/bin/python3. Kiln's own composite layers
# (Bidirectional, the seq2seq attentions) are restated as torch modules with the same children and settings, so that
# torch's repr machinery lays them out.
import warnings

import torch
from torch import nn
import torch.nn.intrinsic.quantized as nniq
import torch.nn.quantized as nnq
from torch.ao.quantization import (FakeQuantize, MinMaxObserver, MovingAverageMinMaxObserver,
                                   MovingAveragePerChannelMinMaxObserver, PerChannelMinMaxObserver, QConfig)

warnings.filterwarnings("ignore")
torch.manual_seed(0)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


class Bidirectional(nn.Module):
    """Kiln's Bidirectional: two one-way layers and how their outputs merge."""

    def __init__(self, forward, backward, merge):
        super().__init__()
        self.forward_layer = forward
        self.backward_layer = backward
        self.merge = merge

    def extra_repr(self):
        return "merge=" + self.merge


class AdditiveAttention(nn.Module):
    """Kiln's AdditiveAttention: the query and key projections and the scoring vector v."""

    def __init__(self, query_dim, key_dim, hidden):
        super().__init__()
        self.query = nn.Linear(query_dim, hidden, bias=False)
        self.key = nn.Linear(key_dim, hidden)
        self.v = nn.Linear(hidden, 1, bias=False)


class DotProductAttention(nn.Module):
    """Kiln's DotProductAttention: no parameters, scaled or not."""

    def extra_repr(self):
        return "scaled=True"


def renamed(module, **names):
    """torch names a module's attributes as Python allows: forward_layer stands for Kiln's child "forward"."""
    text = repr(module)
    for old, new in names.items():
        text = text.replace("(" + old + "):", "(" + new + "):")
    return text


def lazy(module, x):
    before = repr(module)
    module(x)
    return before + "\n" + repr(module)


def observed(observer, x):
    observer(x)
    return observer


def quantized_linear():
    layer = nniq.LinearReLU(16, 8)
    weight = torch.quantize_per_channel(torch.randn(8, 16), torch.full((8,), 0.01), torch.zeros(8, dtype=torch.long),
                                        0, torch.qint8)
    layer.set_weight_bias(weight, torch.zeros(8))
    layer.scale = 0.0625
    layer.zero_point = 3
    return layer


def quantized_conv():
    layer = nnq.Conv2d(2, 4, 3, padding=1)
    layer.scale = 0.125
    layer.zero_point = 7
    return layer


def qat_linear_relu():
    qconfig = QConfig(
        activation=FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                          dtype=torch.quint8, qscheme=torch.per_tensor_affine),
        weight=FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                      dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    model = nn.Sequential(torch.ao.quantization.QuantStub(), nn.Linear(4, 3), nn.Linear(3, 2), nn.ReLU(),
                          torch.ao.quantization.DeQuantStub()).train()
    torch.ao.quantization.fuse_modules_qat(model, [["2", "3"]], inplace=True)
    model.qconfig = qconfig
    torch.ao.quantization.prepare_qat(model, inplace=True)
    return model[2]


def dynamic_quantized():
    model = nn.Sequential(nn.Linear(4, 3), nn.LSTM(3, 4), nn.GRU(3, 4, num_layers=2, batch_first=True), nn.LSTMCell(3, 4),
                          nn.GRUCell(3, 4), nn.RNNCell(3, 4, nonlinearity="relu"))
    return torch.quantization.quantize_dynamic(model, {nn.Linear: torch.quantization.per_channel_dynamic_qconfig,
                                                       nn.LSTM: torch.quantization.default_dynamic_qconfig,
                                                       nn.GRU: torch.quantization.default_dynamic_qconfig,
                                                       nn.LSTMCell: torch.quantization.default_dynamic_qconfig,
                                                       nn.GRUCell: torch.quantization.default_dynamic_qconfig,
                                                       nn.RNNCell: torch.quantization.default_dynamic_qconfig})


cases = {
    "QUICKSTART": NeuralNetwork(),
    "LINEAR_NO_BIAS": nn.Linear(3, 2, bias=False),
    "CONV1D": nn.Conv1d(3, 8, 3),
    "CONV2D": nn.Conv2d(1, 6, 5),
    "CONV2D_OPTIONS": nn.Conv2d(4, 8, 3, stride=2, padding=1, dilation=2, groups=4, bias=False),
    "CONV3D": nn.Conv3d(2, 4, 3),
    "CONV2D_SAME": nn.Conv2d(2, 4, 3, padding="same", dilation=2, padding_mode="reflect"),
    "CONV1D_VALID": nn.Conv1d(3, 8, 3, padding="valid"),
    "CONV3D_NUMBER_AFTER_SAME": nn.Conv3d(2, 4, 3, padding=1),
    "BATCH_NORM_1D": nn.BatchNorm1d(10),
    "BATCH_NORM_2D": nn.BatchNorm2d(16, eps=1e-3, momentum=None),
    "BATCH_NORM_3D": nn.BatchNorm3d(4),
    "LAYER_NORM": nn.LayerNorm(512),
    "LAYER_NORM_PLAIN": nn.LayerNorm(8, eps=1e-6, elementwise_affine=False),
    "DROPOUT": nn.Dropout(0.2),
    "ACTIVATIONS": nn.Sequential(nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.GELU(), nn.SiLU(), nn.Softmax(dim=1),
                                 nn.LeakyReLU(0.1), nn.ELU(), nn.Identity()),
    "FLATTEN": nn.Flatten(),
    "MAX_POOL_2D": nn.MaxPool2d(2),
    "MAX_POOL_2D_OPTIONS": nn.MaxPool2d(3, stride=2, padding=1),
    "AVG_POOL_2D": nn.AvgPool2d(2),
    "MAX_POOL_1D": nn.MaxPool1d(2),
    "AVG_POOL_1D": nn.AvgPool1d(3, stride=1, padding=1),
    "EMBEDDING": nn.Embedding(10, 3),
    "EMBEDDING_PADDING": nn.Embedding(10, 3, padding_idx=0),
    "LSTM_PLAIN": nn.LSTM(10, 20),
    "LSTM_OPTIONS": nn.LSTM(10, 20, num_layers=2, batch_first=True),
    "GRU_PLAIN": nn.GRU(10, 20),
    "RNN_PLAIN": nn.RNN(10, 20),
    "NESTED": nn.Sequential(nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU()), nn.Sequential()),
    "MODULE_LIST": nn.ModuleList([nn.Linear(1, 1), nn.ReLU()]),
    "MODULE_DICT": nn.ModuleDict({"act": nn.ReLU(), "out": nn.Linear(2, 1)}),
    # ModuleReprPyTorchParityTest
    "MULTIHEAD_ATTENTION": nn.MultiheadAttention(8, 2),
    "MULTIHEAD_ATTENTION_OPTIONS": nn.MultiheadAttention(8, 2, dropout=0.1, bias=False, kdim=4, vdim=6,
                                                         batch_first=True),
    "TRANSFORMER_ENCODER_LAYER": nn.TransformerEncoderLayer(8, 2, 16),
    "TRANSFORMER_DECODER_LAYER": nn.TransformerDecoderLayer(8, 2, 16, dropout=0.2),
    "TRANSFORMER_ENCODER": nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, norm=nn.LayerNorm(8)),
    "TRANSFORMER": nn.Transformer(8, 2, 1, 1, 16),
    "LSTM_BIDIRECTIONAL": nn.LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True),
    "RNN_RELU_NO_BIAS": nn.RNN(10, 20, nonlinearity="relu", bias=False),
    "CELLS": nn.Sequential(nn.LSTMCell(3, 4), nn.GRUCell(3, 4), nn.RNNCell(3, 4, bias=False, nonlinearity="relu")),
    "ACTIVATIONS_WITH_SETTINGS": nn.Sequential(
        nn.Hardtanh(), nn.ReLU6(), nn.CELU(), nn.PReLU(3), nn.Softplus(), nn.RReLU(), nn.Hardshrink(),
        nn.Softshrink(0.3), nn.Threshold(0.1, 20), nn.GLU(), nn.LogSoftmax(dim=1), nn.Softmin(dim=0), nn.Tanhshrink(),
        nn.LogSigmoid(), nn.Hardsigmoid(), nn.Hardswish(), nn.Mish(), nn.SELU(), nn.Softsign(), nn.Softmax2d()),
    "POOLINGS": nn.Sequential(
        nn.AdaptiveAvgPool2d((2, 3)), nn.AdaptiveMaxPool2d(1), nn.AdaptiveMaxPool1d(4), nn.AdaptiveAvgPool3d(2),
        nn.LPPool1d(2, 3), nn.LPPool2d(1.5, 2, stride=1, ceil_mode=True), nn.MaxUnpool1d(2),
        nn.MaxUnpool2d(2, stride=1, padding=1), nn.MaxUnpool3d(3), nn.FractionalMaxPool2d(2, output_size=3),
        nn.MaxPool3d(2), nn.AvgPool3d(2)),
    "PADDINGS": nn.Sequential(
        nn.ConstantPad1d(2, 3.5), nn.ConstantPad2d((1, 2, 3, 4), 0.0), nn.ConstantPad3d(1, 1.0), nn.ZeroPad2d(2),
        nn.ReflectionPad1d(2), nn.ReflectionPad2d((1, 1, 2, 0)), nn.ReplicationPad3d(1)),
    "NORMS": nn.Sequential(
        nn.GroupNorm(2, 4), nn.GroupNorm(2, 4, eps=1e-3, affine=False), nn.InstanceNorm1d(3),
        nn.InstanceNorm2d(3, affine=True, track_running_stats=True), nn.LocalResponseNorm(2)),
    "DROPOUTS": nn.Sequential(nn.Dropout2d(0.3), nn.Dropout3d(), nn.AlphaDropout(0.2), nn.FeatureAlphaDropout()),
    "RESHAPING": nn.Sequential(
        nn.PixelShuffle(2), nn.PixelUnshuffle(2), nn.ChannelShuffle(2), nn.Unflatten(1, (2, 5)), nn.Fold((4, 5), 2),
        nn.Unfold(2, padding=1, stride=2), nn.Upsample(scale_factor=2),
        nn.Upsample(size=(4, 5), mode="bilinear", align_corners=True), nn.Upsample(scale_factor=(2.0, 3.0))),
    "TWO_INPUTS": nn.Sequential(nn.Bilinear(2, 3, 4), nn.Bilinear(2, 3, 4, bias=False), nn.CosineSimilarity(),
                                nn.PairwiseDistance()),
    "EMBEDDING_BAGS": nn.Sequential(nn.EmbeddingBag(10, 3),
                                    nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0, include_last_offset=True)),
    "CONV_TRANSPOSE": nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
    "LAZY_LINEAR": lazy(nn.LazyLinear(4), torch.zeros(2, 3)),
    "LAZY_CONV": lazy(nn.LazyConv2d(4, 3), torch.zeros(1, 2, 5, 5)),
    "LOSSES": nn.Sequential(nn.CrossEntropyLoss(), nn.MSELoss(), nn.TripletMarginLoss()),
    "ADAPTIVE_LOG_SOFTMAX": nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8], div_value=2.0),
    "PARAMETER_LIST": nn.ParameterList([nn.Parameter(torch.zeros(2, 3)),
                                        nn.Parameter(torch.zeros(4, dtype=torch.float64))]),
    "PARAMETER_DICT": nn.ParameterDict({"scale": nn.Parameter(torch.zeros(2, 3)),
                                        "shift": nn.Parameter(torch.zeros(3))}),
    "ORTHOGONAL": nn.utils.parametrizations.orthogonal(nn.Linear(3, 3)),
    "SPECTRAL_NORM": nn.utils.parametrizations.spectral_norm(nn.Linear(3, 2)),
    "DYNAMIC_QUANTIZED": dynamic_quantized(),
    "DYNAMIC_QUANTIZED_ENCODER_LAYER": torch.quantization.quantize_dynamic(
        nn.TransformerEncoderLayer(8, 2, 16), {nn.Linear: torch.quantization.per_channel_dynamic_qconfig}),
    "QUANTIZED_LINEAR_RELU": quantized_linear(),
    "QUANTIZED_CONV": quantized_conv(),
    "QAT_LINEAR_RELU": qat_linear_relu(),
    "OBSERVERS": nn.Sequential(MinMaxObserver(), PerChannelMinMaxObserver(), MovingAverageMinMaxObserver(),
                               MovingAveragePerChannelMinMaxObserver()),
    "OBSERVED": nn.Sequential(observed(MinMaxObserver(), torch.tensor([0.3, -1.2])),
                              observed(PerChannelMinMaxObserver(), torch.tensor([[0.3, -1.2], [1.0, 2.0]]))),
    "BIDIRECTIONAL": renamed(Bidirectional(nn.GRU(4, 5), nn.GRU(4, 5), "concat"),
                             forward_layer="forward", backward_layer="backward"),
    "SEQ2SEQ_ATTENTIONS": nn.Sequential(AdditiveAttention(6, 6, 6), DotProductAttention()),
}
for name, m in cases.items():
    print("== " + name)
    print(m)
