# Prints PyTorch 1.13's print(module) for the modules of ModuleReprTest (models module), one block per case, each after
# a line "== NAME". Run with /usr/bin/python3.
import torch
from torch import nn


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


cases = {
    "QUICKSTART": NeuralNetwork(),
    "LINEAR_NO_BIAS": nn.Linear(3, 2, bias=False),
    "CONV1D": nn.Conv1d(3, 8, 3),
    "CONV2D": nn.Conv2d(1, 6, 5),
    "CONV2D_OPTIONS": nn.Conv2d(4, 8, 3, stride=2, padding=1, dilation=2, groups=4, bias=False),
    "CONV3D": nn.Conv3d(2, 4, 3),
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
}
for name, m in cases.items():
    print("== " + name)
    print(m)
