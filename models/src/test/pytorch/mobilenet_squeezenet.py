"""Prints TorchvisionMobileNetSqueezeNetPyTorchParityTest's values: torchvision's MobileNetV2 and SqueezeNet, layer
for layer (torchvision itself is not needed: its _make_divisible, Conv2dNormActivation, InvertedResidual,
MobileNetV2, Fire and SqueezeNet are written out below as torchvision 0.14 defines them)."""
from parity import *
import torch.nn as nn
from vgg_alexnet import spread, keys, assert_close, count


def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class Conv2dNormActivation(nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, groups=1, activation_layer=nn.ReLU6):
        padding = (kernel_size - 1) // 2
        super().__init__(nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, groups=groups, bias=False),
                         nn.BatchNorm2d(out_channels), activation_layer(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1))
        layers.extend([
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup)])
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, in_channels, num_classes, width_mult=1.0, round_nearest=8, dropout=0.2):
        super().__init__()
        input_channel = 32
        last_channel = 1280
        setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                   [6, 320, 1, 1]]
        input_channel = _make_divisible(input_channel * width_mult, round_nearest)
        self.last_channel = _make_divisible(last_channel * max(1.0, width_mult), round_nearest)
        features = [Conv2dNormActivation(in_channels, input_channel, stride=2)]
        for t, c, n, s in setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(InvertedResidual(input_channel, output_channel, s if i == 0 else 1, expand_ratio=t))
                input_channel = output_channel
        features.append(Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


class Fire(nn.Module):
    def __init__(self, inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes):
        super().__init__()
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)


class SqueezeNet(nn.Module):
    def __init__(self, version, in_channels, num_classes, dropout=0.5):
        super().__init__()
        pool = lambda: nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)
        if version == "1_0":
            self.features = nn.Sequential(
                nn.Conv2d(in_channels, 96, kernel_size=7, stride=2), nn.ReLU(inplace=True), pool(),
                Fire(96, 16, 64, 64), Fire(128, 16, 64, 64), Fire(128, 32, 128, 128), pool(),
                Fire(256, 32, 128, 128), Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256),
                pool(), Fire(512, 64, 256, 256))
        else:
            self.features = nn.Sequential(
                nn.Conv2d(in_channels, 64, kernel_size=3, stride=2), nn.ReLU(inplace=True), pool(),
                Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), pool(),
                Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), pool(),
                Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))
        final_conv = nn.Conv2d(512, num_classes, kernel_size=1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True),
                                        nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    keys("MOBILENET_V2_KEYS", "state_dict keys and shapes of torchvision.models.mobilenet_v2(num_classes=10)",
         MobileNetV2(3, 10))
    keys("SQUEEZENET1_0_KEYS", "state_dict keys and shapes of torchvision.models.squeezenet1_0(num_classes=10)",
         SqueezeNet("1_0", 3, 10))
    keys("SQUEEZENET1_1_KEYS", "state_dict keys and shapes of torchvision.models.squeezenet1_1(num_classes=10)",
         SqueezeNet("1_1", 3, 10))
    for w in [0.35, 0.5, 0.75, 1.0, 1.4]:
        print("    // mobilenet_v2(width_mult=%s): %d parameters at 1000 classes" % (w, count(MobileNetV2(3, 1000, w))))
    for v in ["1_0", "1_1"]:
        print("    // squeezenet%s: %d parameters at 1000 classes" % (v, count(SqueezeNet(v, 3, 1000))))
    for v, k in [("1_0", 7), ("1_1", 3)]:
        for size in range(k, 40):
            try:
                SqueezeNet(v, 3, 10)(torch.zeros(1, 3, size, size))
                print("    // squeezenet%s: smallest input %d" % (v, size))
                break
            except RuntimeError:
                pass
    torch.set_default_dtype(torch.float64)

    print("\n    // mobilenet_v2(num_classes=10), its dropout in evaluation")
    m = MobileNetV2(3, 10)
    load(m)
    m.classifier.eval()
    x = tensor(100, 2, 3, 64, 64)
    y = m(x)
    backward([y], [200])
    assert_close("training-mode output", "y", y)
    assert_close("input gradient", "spread(x.grad())", spread(x.grad))
    for name in ["features.0.0.weight", "features.1.conv.0.0.weight", "features.2.conv.1.0.weight",
                 "features.3.conv.3.weight", "features.18.1.weight", "classifier.1.weight"]:
        p = dict(m.named_parameters())[name]
        assert_close("gradient of " + name, 'spread(grad(model, "%s"))' % name, spread(p.grad))
    assert_close("features.0.1.running_mean after one step", 'spread(buffer(model, "features.0.1.running_mean"))',
                 spread(m.features[0][1].running_mean))
    assert_close("features.17.conv.1.1.running_var after one step",
                 'spread(buffer(model, "features.17.conv.1.1.running_var"))', spread(m.features[17].conv[1][1].running_var))
    m.eval()
    with torch.no_grad():
        assert_close("evaluation-mode output", "model.forward(x)", m(x))

    for v in ["1_0", "1_1"]:
        print("\n    // squeezenet%s(num_classes=10) in evaluation" % v)
        m = SqueezeNet(v, 3, 10)
        load(m)
        m.eval()
        x = tensor(100, 2, 3, 64, 64)
        y = m(x)
        backward([y], [200])
        assert_close("output", "y", y)
        assert_close("input gradient", "spread(x.grad())", spread(x.grad))
        for name in ["features.0.weight", "features.3.squeeze.weight", "features.3.expand3x3.bias",
                     "features.12.expand1x1.weight", "classifier.1.weight"]:
            p = dict(m.named_parameters())[name]
            assert_close("gradient of " + name, 'spread(grad(model, "%s"))' % name, spread(p.grad))
