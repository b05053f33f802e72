"""PyTorch 1.13's modules that keep a quantised tensor's grid, for StaticQuantizationQuantizedTensorTest's
modulesKeepingTheGridKeepTheInputsQParamsExactly: ReLU, Flatten, MaxPool2d(2), Identity, Dropout (eval) and
AdaptiveAvgPool2d(1) on quantize_per_tensor([[[[-1.0, 0.3], [0.7, 2.0]]]], 0.1, 5, quint8): each output's q_scale,
q_zero_point (the input's own) and integers.

    cd models/src/test/pytorch && /usr/bin/python3 quantized_tensor_modules.py
"""
import torch

q = torch.quantize_per_tensor(torch.tensor([[[[-1.0, 0.3], [0.7, 2.0]]]]), 0.1, 5, torch.quint8)
print("input", q.int_repr().flatten().tolist())
for m in [torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.MaxPool2d(2), torch.nn.Identity(), torch.nn.Dropout(),
          torch.nn.AdaptiveAvgPool2d(1)]:
    m.eval()
    y = m(q)
    print(type(m).__name__, y.q_scale(), y.q_zero_point(), y.int_repr().flatten().tolist())
