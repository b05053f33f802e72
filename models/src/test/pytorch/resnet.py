"""Prints TorchvisionResNetPyTorchParityTest's values: torchvision's resnet18, layer for layer (torchvision itself is
not needed: its BasicBlock and ResNet are written out below as torchvision 0.14 defines them)."""
from parity import *
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, layers, in_channels, num_classes):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], 2)
        self.layer3 = self._make_layer(256, layers[2], 2)
        self.layer4 = self._make_layer(512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def spread(t, n=12):
    """n elements spread over t: those at k * (numel // n), as the Java test's spread()."""
    flat = t.detach().reshape(-1)
    step = max(1, flat.numel() // n)
    return flat[::step][:n]


m = ResNet([2, 2, 2, 2], 3, 10)
print("    // state_dict keys and shapes of torchvision.models.resnet18(num_classes=10)")
print("    private static final String[] TORCHVISION_KEYS = {")
for k, v in m.state_dict().items():
    print('            "%s %s",' % (k, list(v.shape)))
print("    };")
print()
load(m)
x = tensor(100, 2, 3, 64, 64)
y = m(x)
backward([y], [200])
emit_values("training-mode output", "y", y)
emit_values("input gradient", "spread(x.grad())", spread(x.grad))
for name in ["conv1.weight", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "layer4.1.bn2.weight",
             "fc.weight", "fc.bias"]:
    p = dict(m.named_parameters())[name]
    print('        assertValues("gradient of %s", spread(grad(model, "%s")),\n                %s);'
          % (name, name, fmt(spread(p.grad))))
emit_values("bn1.running_mean after one step", 'spread(buffer(model, "bn1.running_mean"))',
            spread(m.bn1.running_mean))
emit_values("layer4.1.bn2.running_var after one step", 'spread(buffer(model, "layer4.1.bn2.running_var"))',
            spread(m.layer4[1].bn2.running_var))
m.eval()
with torch.no_grad():
    emit_values("evaluation-mode output", "model.forward(x)", m(x))
